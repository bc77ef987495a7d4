//! The ACK of a FIN that arrives while the return path is cut is lost,
//! as on Linux: the peer has the FIN (it reads EOF), but the end that
//! sent it does not know, stays in `FIN_WAIT1` and sends its FIN again
//! after each retransmission timeout; `tcp_fin_timeout` counts only
//! from when an ACK gets back (the one to the first FIN that arrives
//! with the return path open). If the return path stays cut past the
//! retransmission limit, the end gives up alone, as for any segment
//! that goes unacknowledged: an orphan dies and its host forgets the
//! connection, an end still held fails with `TimedOut`.

mod common;

use std::io::ErrorKind;
use std::net::Shutdown;
use std::time::Duration;

use common::{ms, pair_with_server_node, since_start};
use detsim::net::{LinkConfig, Network, TcpStream};
use detsim::node::Node;
use detsim::{Sim, spawn, time};
use futures::io::AsyncReadExt;

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// The client closes its stream while a one-way partition cuts the
/// server's way back: its FIN arrives (the server reads EOF 1 ms later)
/// but the ACK cannot come back. Returns the server node, the server end
/// and when the FIN left.
async fn orphan_whose_fin_ack_is_cut() -> (Node, TcpStream, Duration) {
    let net = Network::current();
    net.set_tcp_fin_timeout(secs(5));
    let (server, c, mut s) = pair_with_server_node().await;
    net.partition_oneway(&server, &Node::current());
    let closed_at = since_start();
    drop(c);
    assert_eq!(s.read(&mut [0u8; 8]).await.unwrap(), 0, "the FIN came");
    assert_eq!(since_start() - closed_at, ms(1));
    (server, s, closed_at)
}

/// The server shuts its side down at `at` (after the client's close):
/// `Ok` when the orphan acknowledged its FIN, the error its FIN drew
/// otherwise (an RST from a host that forgot the connection).
async fn peer_closes_at(s: &TcpStream, closed_at: Duration, at: Duration) -> Result<(), ErrorKind> {
    time::sleep(closed_at + at - since_start()).await;
    s.shutdown(Shutdown::Write).unwrap();
    time::sleep(ms(10)).await;
    match s.take_error().unwrap() {
        None => Ok(()),
        Some(e) => Err(e.kind()),
    }
}

/// The FIN leaves at 0 and arrives at 1 ms; sent again at 201 ms (one
/// RTO after the arrival), 602, 1403 and 3004 ms, each arriving 1 ms
/// later. The partition heals at 2 s: the FIN that arrives at 3005 ms
/// is the first whose ACK gets back, and it is not sent again.
#[test]
fn the_fin_is_sent_again_until_its_ack_gets_back() {
    common::run(async {
        let net = Network::current();
        let (_server, _s, closed_at) = orphan_whose_fin_ack_is_cut().await;
        time::sleep(closed_at + secs(2) - since_start()).await;
        net.heal_all();
        assert_eq!(net.stats().tcp.retransmits, 3, "201, 602, 1403 ms");
        time::sleep(closed_at + ms(3003) - since_start()).await;
        assert_eq!(net.stats().tcp.retransmits, 3);
        time::sleep(ms(2)).await;
        assert_eq!(net.stats().tcp.retransmits, 4, "3004 ms");
        time::sleep(secs(30)).await;
        let tcp = net.stats().tcp;
        assert_eq!((tcp.retransmits, tcp.timeouts), (4, 0), "{tcp:?}");
    });
}

/// So the 5 s countdown runs from when that ACK is back, 3006 ms, to
/// 8006 ms (not from 2 ms, to 5002 ms, as if the first ACK had got
/// through): the peer's FIN is acknowledged before, answered with an
/// RST after.
#[test]
fn the_countdown_runs_from_the_ack_that_got_back() {
    for (at, want) in [
        (ms(7_900), Ok(())),
        (ms(8_100), Err(ErrorKind::ConnectionReset)),
    ] {
        common::run(async move {
            let net = Network::current();
            let (_server, s, closed_at) = orphan_whose_fin_ack_is_cut().await;
            time::sleep(closed_at + secs(2) - since_start()).await;
            net.heal_all();
            // The peer's FIN arrives 1 ms after it leaves.
            assert_eq!(
                peer_closes_at(&s, closed_at, at - ms(1)).await,
                want,
                "the peer's FIN arriving at {at:?}"
            );
            let tcp = net.stats().tcp;
            assert_eq!((tcp.retransmits, tcp.timeouts), (4, 0), "{tcp:?}");
        });
    }
}

/// The return path stays cut: the orphan sends its FIN again up to the
/// limit (3 here) and gives up one backoff after the last, at 3004 ms,
/// alone; its host forgets the connection, and the peer's FIN, once the
/// partition heals, draws an RST.
#[test]
fn an_orphan_whose_fin_is_never_acknowledged_gives_up() {
    common::run(async {
        let net = Network::current();
        net.set_tcp_retries(Some(3));
        let (_server, s, closed_at) = orphan_whose_fin_ack_is_cut().await;
        time::sleep(closed_at + ms(3003) - since_start()).await;
        assert_eq!(net.stats().tcp.timeouts, 0);
        time::sleep(ms(1)).await;
        let tcp = net.stats().tcp;
        assert_eq!((tcp.retransmits, tcp.timeouts), (3, 1), "{tcp:?}");
        assert!(s.take_error().unwrap().is_none(), "the peer heard nothing");
        net.heal_all();
        assert_eq!(
            peer_closes_at(&s, closed_at, secs(4)).await,
            Err(ErrorKind::ConnectionReset)
        );
    });
}

/// An end still held that shut its writing side down is no different:
/// its FIN's ACK cut, it sends the FIN again, and past the limit it
/// fails with `TimedOut` (Linux's `FIN_WAIT1` times out as any state
/// with data unacknowledged); its peer heard nothing.
#[test]
fn a_held_end_whose_fin_is_never_acknowledged_times_out() {
    common::run(async {
        let net = Network::current();
        net.set_tcp_retries(Some(3));
        let (server, mut c, mut s) = pair_with_server_node().await;
        net.partition_oneway(&server, &Node::current());
        let t = time::Instant::now();
        c.shutdown(Shutdown::Write).unwrap();
        assert_eq!(s.read(&mut [0u8; 8]).await.unwrap(), 0, "the FIN came");
        let err = c.read(&mut [0u8; 8]).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut, "{err}");
        assert_eq!(t.elapsed(), ms(3004));
        assert!(s.take_error().unwrap().is_none(), "the peer heard nothing");
    });
}

/// A partition that begins while the FIN is on its way (it arrives: only
/// what is sent across a partition is dropped) cuts its ACK too; the FIN
/// sent again is dropped until the heal, then acknowledged.
#[test]
fn a_partition_begun_while_the_fin_travels_holds_the_ack_until_the_heal() {
    common::run(async {
        let net = Network::current();
        net.set_tcp_fin_timeout(secs(5));
        let (server, c, mut s) = pair_with_server_node().await;
        let closed_at = since_start();
        drop(c);
        net.partition(&Node::current(), &server);
        assert_eq!(s.read(&mut [0u8; 8]).await.unwrap(), 0, "the FIN came");
        // Sent again at 201 ms (dropped: one backoff later, 601 ms, and so
        // on: 1401, 3001 ms); healed at 2 s, the one at 3001 ms arrives
        // at 3002 ms and its ACK is back at 3003 ms: the orphan stays
        // until 8003 ms.
        time::sleep(closed_at + secs(2) - since_start()).await;
        net.heal_all();
        assert_eq!(
            peer_closes_at(&s, closed_at, ms(7_990)).await,
            Ok(()),
            "not forgotten at 5002 ms"
        );
        let stats = net.stats();
        assert_eq!(stats.tcp.retransmits, 4, "{stats:?}");
        assert_eq!(stats.drops.partition, 3, "{stats:?}");
    });
}

/// Lossy links, one-way and two-way partitions that come and go around
/// the closes, short fin timeouts and a low retry limit: each seed runs
/// the same way twice, and the seeds differ.
#[test]
fn orphans_with_cut_acks_are_deterministic() {
    let runs = common::run_each_seed_twice(0..100, || async {
        let net = Network::current();
        net.set_default(LinkConfig::new().loss(0.05)).unwrap();
        net.set_tcp_fin_timeout(secs(detsim::rand::gen_range(1..6)));
        net.set_tcp_retries(Some(detsim::rand::gen_range(3..8)));
        let (server, c, mut s) = pair_with_server_node().await;
        let me = Node::current();
        let chaos = spawn(async move {
            let net = Network::current();
            for _ in 0..3 {
                time::sleep(ms(detsim::rand::gen_range(0..2_000))).await;
                match detsim::rand::gen_range(0..3) {
                    0 => net.partition(&me, &server),
                    1 => net.partition_oneway(&server, &me),
                    _ => net.partition_oneway(&me, &server),
                }
                time::sleep(ms(detsim::rand::gen_range(100..6_000))).await;
                net.heal_all();
            }
        });
        let closer = spawn(async move {
            time::sleep(ms(detsim::rand::gen_range(0..3_000))).await;
            drop(c);
        });
        let eof = time::timeout(secs(30), s.read(&mut [0u8; 8])).await;
        time::sleep(ms(detsim::rand::gen_range(0..10_000))).await;
        let shut = s.shutdown(Shutdown::Write).map_err(|e| e.kind());
        time::sleep(secs(30)).await;
        let after = s.take_error().map(|e| e.map(|e| e.kind()));
        closer.await.unwrap();
        chaos.await.unwrap();
        let got = format!(
            "{:?} {shut:?} {after:?} at {:?}",
            eof.map(|r| r.map_err(|e| e.kind())),
            since_start()
        );
        (got, format!("{:?}", net.stats().tcp))
    });
    common::assert_seeds_differ(&runs, 20);
}

#[test]
fn a_seed_with_a_cut_ack_replays_from_its_tape() {
    let workload = || async {
        let net = Network::current();
        net.set_tcp_fin_timeout(secs(5));
        let (server, c, s) = pair_with_server_node().await;
        net.set_default(LinkConfig::new().loss(0.2)).unwrap();
        net.partition_oneway(&server, &Node::current());
        drop(c);
        time::sleep(ms(detsim::rand::gen_range(500..4_000))).await;
        net.heal_all();
        let got = peer_closes_at(&s, Duration::ZERO, secs(8)).await;
        (got, net.stats().tcp.retransmits)
    };
    let mut a = Sim::builder().seed(11).build();
    let out = a.run(workload()).unwrap();
    let mut r = Sim::builder().seed(99).tape(a.tape()).build();
    assert_eq!(r.run(workload()).unwrap(), out);
    assert_eq!(r.fingerprint(), a.fingerprint());
}
