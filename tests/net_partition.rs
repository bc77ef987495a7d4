//! Partitions (symmetric and one-way), heal, clogs of a node and of a link
//! for a duration, and faults changed from inside the simulation.

mod common;

use std::time::Duration;

use common::ms;
use detsim::net::{Network, UdpSocket};
use detsim::node::Node;
use detsim::{Sim, spawn, time};

/// One request with a 50 ms timeout: `Some(round trip)` or `None`.
async fn ping(sock: &UdpSocket) -> Option<Duration> {
    let start = time::Instant::now();
    sock.send(b"ping").await.unwrap();
    let mut buf = [0u8; 8];
    time::timeout(ms(50), sock.recv(&mut buf))
        .await
        .ok()
        .map(|r| {
            r.unwrap();
            start.elapsed()
        })
}

async fn client() -> UdpSocket {
    let sock = UdpSocket::bind("0.0.0.0:0").await.unwrap();
    sock.connect("server:7").await.unwrap();
    sock
}

#[test]
fn a_partition_times_requests_out_and_heal_brings_them_back() {
    let mut sim = Sim::builder().seed(9).build();
    sim.run(async {
        let server = common::udp_echo_node("server", "0.0.0.0:7");
        let me = Node::current();
        let net = Network::current();
        let sock = client().await;
        assert_eq!(ping(&sock).await, Some(ms(2)));
        net.partition(&me, &server);
        assert_eq!(ping(&sock).await, None);
        assert_eq!(ping(&sock).await, None);
        net.heal(&me, &server);
        assert_eq!(ping(&sock).await, Some(ms(2)));
        let stats = net.stats();
        assert_eq!(stats.drops.partition, 2);
        assert_eq!(stats.link("main", "server").dropped, 2);
    })
    .unwrap();
}

#[test]
fn a_one_way_partition_drops_one_direction_only() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let server = common::udp_echo_node("server", "0.0.0.0:7");
        let me = Node::current();
        let net = Network::current();
        let sock = client().await;
        // Requests get through, replies do not.
        net.partition_oneway(&server, &me);
        assert_eq!(ping(&sock).await, None);
        let stats = net.stats();
        assert_eq!(stats.link("main", "server").delivered, 1);
        assert_eq!(stats.link("server", "main").dropped, 1);
        net.heal_all();
        // Requests dropped, replies would pass.
        net.partition_oneway(&me, &server);
        assert_eq!(ping(&sock).await, None);
        assert_eq!(net.stats().link("main", "server").dropped, 1);
        net.heal(&server, &me);
        assert_eq!(ping(&sock).await, Some(ms(2)));
    })
    .unwrap();
}

#[test]
fn a_partition_between_two_nodes_spares_the_others() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let server = common::udp_echo_node("server", "0.0.0.0:7");
        let other = Node::builder("other").build();
        let net = Network::current();
        net.partition(&other, &server);
        let sock = client().await;
        assert_eq!(ping(&sock).await, Some(ms(2)));
        let from_other = other
            .spawn(async {
                let sock = client().await;
                ping(&sock).await
            })
            .await
            .unwrap();
        assert_eq!(from_other, None);
    })
    .unwrap();
}

#[test]
fn a_clogged_node_holds_datagrams_for_the_duration() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let server = common::udp_echo_node("server", "0.0.0.0:7");
        let net = Network::current();
        let sock = client().await;
        net.clog_node(&server, ms(30));
        // Held, not lost: the reply comes when the clog ends.
        assert_eq!(ping(&sock).await, Some(ms(31)));
        assert_eq!(net.stats().drops.total(), 0);
        assert_eq!(ping(&sock).await, Some(ms(2)));
    })
    .unwrap();
}

#[test]
fn a_clog_catches_datagrams_on_the_wire_and_unclog_releases_them() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let server = common::udp_echo_node("server", "0.0.0.0:7");
        let me = Node::current();
        let net = Network::current();
        let sock = client().await;
        sock.send(b"ping").await.unwrap();
        // On the wire for 1 ms; the link clogs after 0.5 ms.
        time::sleep(Duration::from_micros(500)).await;
        net.clog_link(&me, &server, ms(100));
        time::sleep(ms(10)).await;
        assert_eq!(net.stats().link("main", "server").delivered, 0);
        net.unclog_link(&me, &server);
        let mut buf = [0u8; 8];
        sock.recv(&mut buf).await.unwrap();
        // Released at 10.5 ms, echoed in 1 ms.
        assert_eq!(
            time::Instant::now().since_start(),
            Duration::from_micros(11_500)
        );
    })
    .unwrap();
}

#[test]
fn a_clog_with_no_end_holds_datagrams_without_moving_time_to_the_end() {
    // Clogged "forever" (a duration past the end of time): what it holds
    // arms no timer, so a task that waits for it is a deadlock named at
    // the moment it began, not a jump of the clock to the end of time.
    let mut sim = Sim::builder().no_time_limit().build();
    let err = sim
        .run(async {
            let server = common::udp_echo_node("server", "0.0.0.0:7");
            let sock = client().await;
            Network::current().clog_node(&server, Duration::MAX);
            sock.send(b"ping").await.unwrap();
            let mut buf = [0u8; 8];
            sock.recv(&mut buf).await.unwrap();
        })
        .unwrap_err();
    assert!(err.is_deadlock(), "{err}");
    assert_eq!(sim.now().since_start(), Duration::ZERO);

    // Released by an unclog, they arrive as usual.
    let mut sim = Sim::builder().build();
    sim.run(async {
        let server = common::udp_echo_node("server", "0.0.0.0:7");
        let net = Network::current();
        let sock = client().await;
        net.clog_node(&server, Duration::MAX);
        spawn(async move {
            time::sleep(ms(10)).await;
            Network::current().unclog_node(&server);
        });
        assert_eq!(ping_until_answered(&sock).await, ms(11));
    })
    .unwrap();
}

/// One request, waiting as long as it takes: the round trip.
async fn ping_until_answered(sock: &UdpSocket) -> Duration {
    let start = time::Instant::now();
    sock.send(b"ping").await.unwrap();
    let mut buf = [0u8; 8];
    sock.recv(&mut buf).await.unwrap();
    time::Instant::now() - start
}

#[test]
fn a_clogged_link_is_one_way() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let server = common::udp_echo_node("server", "0.0.0.0:7");
        let me = Node::current();
        let net = Network::current();
        let sock = client().await;
        net.clog_link(&server, &me, ms(20));
        assert_eq!(ping(&sock).await, Some(ms(20)));
    })
    .unwrap();
}

#[test]
fn faults_change_mid_run_from_a_task_inside_the_simulation() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let server = common::udp_echo_node("server", "0.0.0.0:7");
        let me = Node::current();
        // A chaos task partitions at 10 ms and heals at 100 ms.
        detsim::spawn(async move {
            let net = Network::current();
            time::sleep(ms(10)).await;
            net.partition(&me, &server);
            time::sleep(ms(90)).await;
            net.heal(&me, &server);
        });
        let sock = client().await;
        let mut outcomes = Vec::new();
        for _ in 0..8 {
            outcomes.push(ping(&sock).await.is_some());
            time::sleep(ms(8)).await;
        }
        // 0, 10 | 20, 70 (timeouts of 50 ms each) | 128, ...
        assert_eq!(outcomes, [true, false, false, true, true, true, true, true]);
    })
    .unwrap();
}
