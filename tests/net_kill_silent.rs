//! `Network::set_kill_resets_peers(false)`: a killed node sends nothing,
//! as a machine that lost power. Its peers' connections stay half-open:
//! a reader waits until its own timeout, a writer's segments are
//! retransmitted until the stall timeout, and once the node is back its
//! new incarnation answers with an RST (data, FIN and window update
//! alike).

mod common;

use std::io::ErrorKind;

use common::ms;
use detsim::net::{Network, TcpListener, TcpStream};
use detsim::node::Node;
use detsim::{Sim, spawn, time};
use futures::io::{AsyncReadExt, AsyncWriteExt};

/// A `server` node whose init accepts connections and holds them open;
/// a client connection to it.
async fn connected() -> (Node, TcpStream) {
    Network::current().set_kill_resets_peers(false);
    let server = Node::builder("server")
        .init(|| async {
            let l = TcpListener::bind("0.0.0.0:80").await.unwrap();
            let mut held = Vec::new();
            loop {
                held.push(l.accept().await.unwrap().0);
            }
        })
        .build();
    time::sleep(ms(1)).await;
    let s = TcpStream::connect("server:80").await.unwrap();
    time::sleep(ms(5)).await;
    (server, s)
}

#[test]
fn a_reader_hears_nothing_and_a_writer_times_out() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let (server, mut s) = connected().await;
        Network::current().set_tcp_timeout(Some(ms(2_000)));
        server.kill();
        let read = time::timeout(ms(10_000), s.read(&mut [0u8; 8])).await;
        assert!(
            read.is_err(),
            "a half-open connection: nothing to read, no error"
        );
        assert_eq!(Network::current().stats().tcp.resets, 0);
        // A write is accepted (the kernel buffers it), its segment is lost
        // at the dead node, and the stall timeout fails the connection.
        let start = time::Instant::now();
        s.write_all(b"anyone?").await.unwrap();
        let err = s.read(&mut [0u8; 8]).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut);
        let waited = start.elapsed();
        assert!(waited >= ms(2_000) && waited < ms(2_500), "{waited:?}");
    })
    .unwrap();
}

#[test]
fn the_restarted_node_resets_the_next_segment() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let (server, mut s) = connected().await;
        server.kill();
        time::sleep(ms(100)).await;
        server.restart();
        time::sleep(ms(10)).await;
        s.write_all(b"hello?").await.unwrap();
        let err = s.read(&mut [0u8; 8]).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionReset);
        assert_eq!(Network::current().stats().tcp.resets, 1);
        // The restarted node serves new connections.
        let mut again = TcpStream::connect("server:80").await.unwrap();
        again.write_all(b"x").await.unwrap();
    })
    .unwrap();
}

#[test]
fn a_fin_to_the_restarted_node_is_reset_too() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let (server, s) = connected().await;
        server.kill();
        server.restart();
        time::sleep(ms(10)).await;
        s.shutdown(std::net::Shutdown::Write).unwrap();
        time::sleep(ms(10)).await;
        let mut s = s;
        let err = s.read(&mut [0u8; 8]).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionReset);
    })
    .unwrap();
}

#[test]
fn a_segment_retransmitted_across_the_restart_is_reset_when_it_arrives() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let (server, mut s) = connected().await;
        server.kill();
        s.write_all(b"while down").await.unwrap();
        let reader = spawn(async move {
            let r = s.read(&mut [0u8; 8]).await.map_err(|e| e.kind());
            (r, time::Instant::now().since_start())
        });
        time::sleep(ms(3_000)).await;
        server.restart();
        let (r, at) = reader.await.unwrap();
        assert_eq!(r, Err(ErrorKind::ConnectionReset));
        assert!(at > ms(3_000), "reset only after the restart: {at:?}");
    })
    .unwrap();
}

#[test]
fn the_default_resets_the_peers_at_once() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let (server, mut s) = connected().await;
        Network::current().set_kill_resets_peers(true);
        server.kill();
        let err = s.read(&mut [0u8; 8]).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionReset);
        assert_eq!(time::Instant::now().since_start(), ms(9)); // killed at 8 ms
    })
    .unwrap();
}

/// Silent kills at drawn times, restarts, loss and jitter: each seed
/// runs the same way twice.
#[test]
fn silent_kills_are_deterministic() {
    use detsim::net::{Latency, LinkConfig};
    let runs = common::run_each_seed_twice(0..300, || async {
        let net = Network::current();
        net.set_default(
            LinkConfig::new()
                .latency(Latency::uniform(ms(1), ms(6)))
                .loss(0.05),
        )
        .unwrap();
        net.set_tcp_timeout(Some(ms(800)));
        let (server, mut s) = connected().await;
        let chaos = spawn(async move {
            time::sleep(ms(detsim::rand::gen_range(0..50))).await;
            server.kill();
            time::sleep(ms(detsim::rand::gen_range(0..1_000))).await;
            server.restart();
        });
        let mut outcome = Vec::new();
        for i in 0..6u8 {
            let r = async {
                s.write_all(&[i]).await?;
                time::timeout(ms(300), s.read(&mut [0u8; 1]))
                    .await
                    .map_err(|_| std::io::Error::from(ErrorKind::WouldBlock))?
            }
            .await;
            outcome.push(format!("{:?}", r.map_err(|e| e.kind())));
        }
        chaos.await.unwrap();
        let outcome = outcome.join(",");
        let stats = format!("{outcome} {:?}", net.stats().tcp);
        (outcome, stats)
    });
    common::assert_seeds_differ(&runs, 5);
}

#[test]
fn a_window_update_to_the_restarted_node_is_reset_too() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        Network::current().set_kill_resets_peers(false);
        let server = Node::builder("server")
            .init(|| async {
                let l = TcpListener::bind("0.0.0.0:80").await.unwrap();
                let (mut s, _) = l.accept().await.unwrap();
                s.write_all(b"0123456789").await.unwrap();
                std::future::pending::<()>().await;
            })
            .build();
        time::sleep(ms(1)).await;
        let mut s = TcpStream::connect("server:80").await.unwrap();
        time::sleep(ms(10)).await; // the bytes arrived, unread
        // Read behind a partition: the window update is lost, and sent
        // again after RTO_MIN (200 ms), with the partition healed by then.
        // The server crashes and is back while it is on the wire.
        let net = Network::current();
        net.partition(&Node::current(), &server);
        let mut buf = [0u8; 10];
        s.read_exact(&mut buf).await.unwrap();
        time::sleep(ms(100)).await;
        net.heal_all();
        time::sleep(std::time::Duration::from_micros(100_500)).await;
        server.kill();
        server.restart();
        // The update reaches the new incarnation, which resets it; the
        // client does not stay half-open for ever.
        let read = time::timeout(ms(10_000), s.read(&mut buf)).await;
        assert_eq!(
            read.expect("reset, not half-open").unwrap_err().kind(),
            ErrorKind::ConnectionReset
        );
    })
    .unwrap();
}
