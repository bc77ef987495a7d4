//! UDP over the simulated network: echo, loss with an application retry,
//! duplication, ordering on a constant-latency link and reordering under
//! jitter (and the trace's datagram numbers), loopback, a killed node's
//! sockets, counters.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::ms;
use detsim::net::{Latency, LinkConfig, Network, UdpSocket};
use detsim::node::Node;
use detsim::{Sim, spawn, time};

#[test]
fn echo_with_many_clients() {
    let mut sim = Sim::builder().seed(3).build();
    sim.run(async {
        common::udp_echo_node("echo", "0.0.0.0:7");
        let mut clients = Vec::new();
        for c in 0..10u32 {
            let node = Node::builder(format!("client-{c}")).build();
            clients.push(node.spawn(async move {
                let sock = UdpSocket::bind("0.0.0.0:0").await.unwrap();
                sock.connect("echo:7").await.unwrap();
                for i in 0..5u32 {
                    let msg = format!("{c}/{i}");
                    sock.send(msg.as_bytes()).await.unwrap();
                    let mut buf = [0u8; 32];
                    let n = sock.recv(&mut buf).await.unwrap();
                    assert_eq!(&buf[..n], msg.as_bytes());
                }
            }));
        }
        for c in clients {
            c.await.unwrap();
        }
        // Five sequential round trips of 2 × 1 ms.
        assert_eq!(time::Instant::now().since_start(), ms(10));
        let stats = Network::current().stats();
        assert_eq!(stats.total().sent, 100);
        assert_eq!(stats.total().delivered, 100);
        assert_eq!(stats.link("client-3", "echo").sent, 5);
        assert_eq!(stats.link("echo", "client-3").delivered, 5);
    })
    .unwrap();
}

/// Sends `request` until a reply comes back within the timeout.
async fn call_with_retry(sock: &UdpSocket, request: &[u8]) -> (Vec<u8>, u32) {
    let mut attempts = 0;
    loop {
        attempts += 1;
        sock.send(request).await.unwrap();
        let mut buf = [0u8; 64];
        if let Ok(r) = time::timeout(ms(20), sock.recv(&mut buf)).await {
            return (buf[..r.unwrap()].to_vec(), attempts);
        }
    }
}

#[test]
fn loss_with_an_application_retry_still_converges() {
    let mut retried = 0;
    for seed in 0..20 {
        let mut sim = Sim::builder().seed(seed).build();
        let attempts = sim
            .run(async {
                Network::current()
                    .set_default(LinkConfig::new().loss(0.4))
                    .unwrap();
                common::udp_echo_node("echo", "0.0.0.0:7");
                let sock = UdpSocket::bind("0.0.0.0:0").await.unwrap();
                sock.connect("echo:7").await.unwrap();
                let mut total = 0;
                for i in 0..10u8 {
                    let (reply, attempts) = call_with_retry(&sock, &[i]).await;
                    // A late reply to an earlier attempt may arrive first;
                    // drain to our request.
                    if reply != [i] {
                        assert!(reply[0] < i);
                    }
                    total += attempts;
                }
                let stats = Network::current().stats();
                assert!(stats.drops.loss > 0 || total == 10);
                total
            })
            .unwrap();
        retried += attempts - 10;
    }
    assert!(retried > 0, "with 40% loss some request must be retried");
}

#[test]
fn duplicated_datagrams_arrive_twice_and_are_counted() {
    let mut sim = Sim::builder().seed(1).build();
    sim.run(async {
        Network::current()
            .set_default(LinkConfig::new().duplicate(1.0))
            .unwrap();
        let rx_node = Node::builder("rx").build();
        let rx = rx_node.spawn(async {
            let sock = UdpSocket::bind("0.0.0.0:9").await.unwrap();
            let mut got = Vec::new();
            let mut buf = [0u8; 8];
            while got.len() < 6 {
                let (n, _) = sock.recv_from(&mut buf).await.unwrap();
                got.push(buf[..n].to_vec());
            }
            got
        });
        time::sleep(ms(1)).await; // let rx bind
        let sock = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        for i in 0..3u8 {
            sock.send_to(&[i], "rx:9").await.unwrap();
        }
        let got = rx.await.unwrap();
        for i in 0..3u8 {
            assert_eq!(got.iter().filter(|g| **g == [i]).count(), 2);
        }
        let link = Network::current().stats().link("main", "rx");
        assert_eq!((link.sent, link.duplicated, link.delivered), (3, 3, 6));
    })
    .unwrap();
}

/// Sends 0..n from main to node "rx" and returns the arrival order.
async fn arrival_order(n: u8) -> Vec<u8> {
    let rx = Node::builder("rx").build().spawn(async move {
        let sock = UdpSocket::bind("0.0.0.0:9").await.unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 1];
        while got.len() < usize::from(n) {
            sock.recv_from(&mut buf).await.unwrap();
            got.push(buf[0]);
        }
        got
    });
    detsim::yield_now().await;
    time::sleep(ms(1)).await;
    let sock = UdpSocket::bind("0.0.0.0:0").await.unwrap();
    for i in 0..n {
        sock.send_to(&[i], "rx:9").await.unwrap();
    }
    rx.await.unwrap()
}

/// [`arrival_order`] over links with 1–10 ms of uniform latency.
async fn jittered_arrival_order(n: u8) -> Vec<u8> {
    Network::current()
        .set_default(LinkConfig::new().latency(Latency::uniform(ms(1), ms(10))))
        .unwrap();
    arrival_order(n).await
}

#[test]
fn a_constant_latency_link_keeps_order_and_jitter_reorders() {
    for seed in 0..10 {
        let mut sim = Sim::builder().seed(seed).build();
        let order = sim.run(arrival_order(20)).unwrap();
        assert_eq!(order, (0..20).collect::<Vec<_>>(), "seed {seed}");
    }
    let mut reordered = 0;
    for seed in 0..10 {
        let mut sim = Sim::builder().seed(seed).build();
        let order = sim.run(jittered_arrival_order(20)).unwrap();
        let mut sorted = order.clone();
        sorted.sort();
        assert_eq!(sorted, (0..20).collect::<Vec<_>>(), "nothing lost");
        if order != sorted {
            reordered += 1;
        }
    }
    assert!(reordered > 0, "jitter reorders datagrams on some seed");
}

/// The trace numbers datagrams in the order sent, and a delivery repeats
/// its send's number, so reordered datagrams of one length can be told
/// apart (the Perfetto export draws each arrow from its own send).
#[test]
fn the_trace_numbers_datagrams_and_deliveries_name_their_send() {
    let mut checked = 0;
    for seed in 0..10 {
        let mut sim = Sim::builder().seed(seed).trace(true).build();
        let order = sim.run(jittered_arrival_order(20)).unwrap();
        let trace = sim.trace().unwrap();
        let numbers = |verb: &str| -> Vec<u64> {
            let prefix = format!("net: {verb} ");
            trace
                .lines()
                .iter()
                .filter_map(|l| l.text().strip_prefix(prefix.as_str()))
                .map(|rest| {
                    let n = rest.split("datagram ").nth(1).expect("a datagram number");
                    n.trim_end_matches(')').parse().unwrap()
                })
                .collect()
        };
        assert_eq!(
            numbers("send"),
            (1..=20).collect::<Vec<u64>>(),
            "seed {seed}"
        );
        // Datagram n carries byte n - 1: the deliveries' numbers follow
        // the payloads' arrival order exactly.
        let arrived: Vec<u64> = order.iter().map(|&b| u64::from(b) + 1).collect();
        assert_eq!(numbers("deliver"), arrived, "seed {seed}");
        checked += usize::from(order.windows(2).any(|w| w[0] > w[1]));
    }
    assert!(checked > 0, "some seed reorders");
}

#[test]
fn an_all_zero_tape_is_a_perfect_network() {
    let mut sim = Sim::builder()
        .tape(detsim::Tape::new(vec![0; 10_000]))
        .build();
    sim.run(async {
        Network::current()
            .set_default(
                LinkConfig::new()
                    .latency(Latency::long_tail(ms(2), ms(5), ms(500)))
                    .loss(0.5)
                    .duplicate(0.5),
            )
            .unwrap();
        let order = arrival_order(10).await;
        assert_eq!(order, (0..10).collect::<Vec<_>>());
        let stats = Network::current().stats();
        assert_eq!(stats.drops.total(), 0);
        assert_eq!(stats.total().duplicated, 0);
    })
    .unwrap();
    // The receiver bound at 1 ms; the datagrams took the minimum 2 ms.
    assert_eq!(sim.now().since_start(), ms(3));
}

#[test]
fn loopback_and_own_address_skip_the_network() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        Network::current()
            .set_default(LinkConfig::new().loss(1.0))
            .unwrap();
        let a = UdpSocket::bind("0.0.0.0:5000").await.unwrap();
        let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        b.send_to(b"lo", "127.0.0.1:5000").await.unwrap();
        a.send_to(b"me", "main:5000").await.unwrap();
        let mut buf = [0u8; 2];
        let (_, from) = a.recv_from(&mut buf).await.unwrap();
        assert_eq!((&buf, from), (b"lo", b.local_addr().unwrap()));
        let (_, from) = a.recv_from(&mut buf).await.unwrap();
        assert_eq!((&buf, from.to_string().as_str()), (b"me", "10.0.0.1:5000"));
        assert_eq!(time::Instant::now().since_start(), Duration::ZERO);
    })
    .unwrap();
}

#[test]
fn a_killed_node_closes_its_sockets_and_drops_what_arrives() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let server = common::udp_echo_node("echo", "0.0.0.0:7");
        let shared = Arc::new(UdpSocket::bind("0.0.0.0:0").await.unwrap());
        let sock = shared.clone();
        let waiter = spawn(async move {
            let mut buf = [0u8; 4];
            sock.recv_from(&mut buf).await.map(|(n, _)| n)
        });
        time::sleep(ms(1)).await;
        server.kill();
        shared.send_to(b"hey", "echo:7").await.unwrap();
        time::sleep(ms(5)).await;
        assert!(!waiter.is_finished(), "nothing came back");
        let stats = Network::current().stats();
        assert_eq!(stats.drops.node_down, 1);
        server.restart();
        time::sleep(ms(1)).await;
        shared.send_to(b"back", "echo:7").await.unwrap();
        assert_eq!(waiter.await.unwrap().unwrap(), 4);
        // The restarted server bound port 7 again: the old socket was closed.
        assert_eq!(Network::current().netstat().sockets.len(), 2);
    })
    .unwrap();
}

#[test]
fn a_socket_of_a_killed_node_fails_with_connection_aborted() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let node = Node::builder("n").build();
        let sock = node
            .spawn(async { UdpSocket::bind("0.0.0.0:4000").await.unwrap() })
            .await
            .unwrap();
        node.kill();
        let err = sock.send_to(b"x", "main:1").await.unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::ConnectionAborted);
        assert!(err.to_string().contains("'n' was killed"), "{err}");
        let mut buf = [0u8; 1];
        let err = sock.recv_from(&mut buf).await.unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::ConnectionAborted);
    })
    .unwrap();
}

#[test]
fn datagrams_to_an_unbound_port_or_unknown_address_are_dropped_and_counted() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        Node::builder("quiet").build();
        let sock = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        sock.send_to(b"a", "quiet:1234").await.unwrap();
        sock.send_to(b"b", "10.9.9.9:1").await.unwrap();
        time::sleep(ms(2)).await;
        let stats = Network::current().stats();
        assert_eq!(stats.drops.no_socket, 1);
        assert_eq!(stats.drops.no_host, 1);
        assert_eq!(stats.link("main", "(no host)").dropped, 1);
        let table = Network::current().netstat().to_string();
        assert!(table.contains("main -> quiet"), "{table}");
        assert!(table.contains("no socket 1"), "{table}");
    })
    .unwrap();
}

#[test]
fn a_datagram_is_truncated_to_the_receive_buffer() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let s = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        s.send_to(&[7u8; 100], s.local_addr().unwrap())
            .await
            .unwrap();
        let mut small = [0u8; 10];
        let (n, _) = s.recv_from(&mut small).await.unwrap();
        assert_eq!(n, 10);
        assert!(s.try_recv_from(&mut small).is_err(), "the rest is gone");
    })
    .unwrap();
}

#[test]
fn dropping_a_simulation_with_datagrams_in_flight_is_clean() {
    for seed in 0..200 {
        let mut sim = Sim::builder().seed(seed).build();
        let sock = sim
            .run(async {
                Node::builder("far").build();
                Network::current()
                    .set_default(LinkConfig::new().latency(Latency::constant(ms(50))))
                    .unwrap();
                let sock = UdpSocket::bind("0.0.0.0:0").await.unwrap();
                sock.send_to(b"in flight", "far:9").await.unwrap();
                assert_eq!(Network::current().stats().in_flight, 1);
                sock
            })
            .unwrap();
        drop(sim);
        // A socket outliving its simulation drops quietly.
        drop(sock);
    }
}
