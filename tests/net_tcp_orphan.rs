//! An orphan (a connection end its application closed, its FIN sent,
//! the peer's FIN not come) whose retransmissions go unanswered up to
//! the retry limit dies alone, as on Linux: the kernel gives up on a
//! socket no process holds (`tcp_write_timeout` → `tcp_write_err`)
//! without a word to the peer. The peer stays open; its next segment
//! meets a host that forgot the connection and draws an RST, so its next
//! read or write fails with `ConnectionReset`. If it sends nothing, it
//! waits (until its own keepalive finds out).

mod common;

use std::io::ErrorKind;
use std::time::Duration;

use common::{ms, pair_with_server_node, since_start};
use detsim::net::{Network, TcpStream};
use detsim::node::Node;
use detsim::time;
use futures::io::{AsyncReadExt, AsyncWriteExt};

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// The netstat state of the server node's connection end, if it still
/// has one, and of the main node's.
fn states() -> (Option<&'static str>, Option<&'static str>) {
    let rows = Network::current().netstat().sockets;
    let state = |node: &str| {
        rows.iter()
            .find(|r| r.proto == "tcp" && r.node == node && r.peer.is_some())
            .and_then(|r| r.state)
    };
    (state("server"), state("main"))
}

/// With 3 retransmissions allowed, a segment lost when sent is given up
/// 0.2 + 0.4 + 0.8 + 1.6 = 3 s later.
const GIVE_UP: Duration = Duration::from_millis(3000);

/// The client closes its end while a partition eats its FIN: it is an
/// orphan in `FIN_WAIT1`, retransmitting its FIN, and gives up at the
/// limit. Returns the server end, and when the FIN was first sent.
async fn orphan_behind_a_partition() -> (Node, TcpStream, Duration) {
    let net = Network::current();
    net.set_tcp_retries(Some(3));
    let (server, c, s) = pair_with_server_node().await;
    net.partition(&Node::current(), &server);
    let closed_at = since_start();
    drop(c); // its FIN is lost, and lost again
    (server, s, closed_at)
}

#[test]
fn an_orphan_whose_fin_times_out_dies_alone() {
    common::run(async {
        let net = Network::current();
        let (_server, mut s, closed_at) = orphan_behind_a_partition().await;
        time::sleep(closed_at + GIVE_UP + ms(1) - since_start()).await;
        // The orphan gave up (one timeout, its own); the peer heard
        // nothing and still stands.
        let tcp = net.stats().tcp;
        assert_eq!((tcp.retransmits, tcp.timeouts), (3, 1), "{tcp:?}");
        assert_eq!(tcp.resets, 0, "{tcp:?}");
        assert!(s.take_error().unwrap().is_none(), "the peer heard nothing");
        assert_eq!(states(), (Some("ESTABLISHED"), None), "the orphan is gone");
        // Long after, still: nothing tells it.
        time::sleep(secs(600)).await;
        assert!(s.take_error().unwrap().is_none());
        net.heal_all();
        // Its next segment meets a host that forgot the connection: an RST.
        s.write_all(b"anyone there?").await.unwrap();
        time::sleep(ms(10)).await;
        let err = s.write_all(b"more").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{err}");
        assert_eq!(net.stats().tcp.resets, 1);
    });
}

#[test]
fn the_peer_of_a_dead_orphan_learns_from_the_answer_to_its_fin() {
    common::run(async {
        let net = Network::current();
        let (_server, mut s, closed_at) = orphan_behind_a_partition().await;
        time::sleep(closed_at + GIVE_UP + secs(1) - since_start()).await;
        net.heal_all();
        s.shutdown(std::net::Shutdown::Write).unwrap();
        time::sleep(ms(10)).await;
        // Linux's `tcp_reset` outside `CLOSE_WAIT`: ECONNRESET.
        let err = s.take_error().unwrap().map(|e| e.kind());
        assert_eq!(err, Some(ErrorKind::ConnectionReset));
        assert_eq!(s.read(&mut [0u8; 8]).await.unwrap(), 0);
    });
}

#[test]
fn the_peer_of_a_dead_orphan_learns_from_its_keepalive() {
    common::run(async {
        let net = Network::current();
        net.set_tcp_keepalive(secs(60), secs(10), 3).unwrap();
        let (_server, mut s, closed_at) = orphan_behind_a_partition().await;
        s.set_keepalive(true).unwrap();
        time::sleep(closed_at + GIVE_UP + secs(1) - since_start()).await;
        net.heal_all();
        // A reader waits: nothing arrives, and no error.
        let mut buf = [0u8; 8];
        let waited = time::timeout(secs(50), s.read(&mut buf)).await;
        assert!(waited.is_err(), "{waited:?}");
        // The first probe (60 s after the handshake) draws an RST.
        let err = s.read(&mut buf).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{err}");
        let tcp = net.stats().tcp;
        assert_eq!((tcp.keepalive_probes, tcp.resets), (1, 1), "{tcp:?}");
        assert!(since_start() > secs(60) && since_start() < secs(61));
    });
}

/// The orphan's data segment, lost since before the close, reaches the
/// limit first: the orphan dies then, and its FIN, lost later and still
/// being retransmitted, dies with it (Linux's `tcp_done` purges the
/// write queue): nothing more of it reaches the peer after the heal.
#[test]
fn a_dead_orphan_sends_nothing_more() {
    common::run(async {
        let net = Network::current();
        net.set_tcp_retries(Some(3));
        let (server, mut c, mut s) = pair_with_server_node().await;
        net.partition(&Node::current(), &server);
        let lost_at = since_start();
        c.write_all(b"lost").await.unwrap();
        // The FIN goes 2.5 s later: retransmitted at +0.2, +0.6 (after
        // the data gave up, at +0.5) and +1.4 s.
        time::sleep(ms(2500)).await;
        drop(c);
        time::sleep(lost_at + GIVE_UP + ms(50) - since_start()).await;
        net.heal_all();
        time::sleep(secs(10)).await;
        let tcp = net.stats().tcp;
        // The data's 3, the FIN's first one; none after the death.
        assert_eq!((tcp.retransmits, tcp.timeouts), (4, 1), "{tcp:?}");
        assert!(s.take_error().unwrap().is_none());
        let mut buf = [0u8; 8];
        assert!(time::timeout(secs(1), s.read(&mut buf)).await.is_err());
    });
}
