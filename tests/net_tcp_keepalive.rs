//! TCP keepalive (`SO_KEEPALIVE`, Linux's keepalive timer): an idle
//! connection probes its peer and fails with `TimedOut` when the peer is
//! gone without a word (a power cut, a partition), at exactly
//! `time + probes * interval` after it last heard from it; a restarted
//! peer answers the first probe with an RST; a healthy or busy connection
//! is never failed; and runs replay exactly.

mod common;

use std::io::ErrorKind;
use std::time::Duration;

use common::{ms, since_start};
use detsim::net::{
    DEFAULT_KEEPALIVE_INTERVAL, DEFAULT_KEEPALIVE_PROBES, DEFAULT_KEEPALIVE_TIME, Latency,
    LinkConfig, Network, TcpListener, TcpSocket, TcpStream,
};
use detsim::node::Node;
use detsim::{Sim, spawn, time};
use futures::io::{AsyncReadExt, AsyncWriteExt};

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// Keepalive after 60 s idle, probes 10 s apart, 3 of them; a `server`
/// node whose init accepts connections and echoes what they send (and
/// holds them open); a client connection to it with keepalive on.
async fn connected() -> (Node, TcpStream) {
    let net = Network::current();
    net.set_tcp_keepalive(secs(60), secs(10), 3).unwrap();
    net.set_kill_resets_peers(false);
    let server = common::tcp_echo_node("server", "0.0.0.0:80");
    time::sleep(ms(1)).await;
    let s = TcpStream::connect("server:80").await.unwrap();
    s.set_keepalive(true).unwrap();
    (server, s)
}

#[test]
fn the_linux_defaults() {
    assert_eq!(DEFAULT_KEEPALIVE_TIME, secs(7200));
    assert_eq!(DEFAULT_KEEPALIVE_INTERVAL, secs(75));
    assert_eq!(DEFAULT_KEEPALIVE_PROBES, 9);
}

#[test]
fn a_power_cut_peer_is_found_after_time_plus_probes_times_interval() {
    common::run(async {
        let (server, mut s) = connected().await;
        let heard = since_start(); // the SYN-ACK
        server.kill();
        let err = s.read(&mut [0u8; 8]).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut);
        assert_eq!(since_start() - heard, secs(60 + 3 * 10));
        let tcp = Network::current().stats().tcp;
        assert_eq!((tcp.keepalive_probes, tcp.timeouts), (3, 1));
    });
}

#[test]
fn a_partition_is_found_too_and_the_timer_counts_from_the_last_arrival() {
    common::run(async {
        let (server, mut s) = connected().await;
        time::sleep(secs(30)).await;
        s.write_all(b"ping").await.unwrap();
        let mut buf = [0u8; 4];
        s.read_exact(&mut buf).await.unwrap();
        let heard = since_start();
        Network::current().partition(&Node::current(), &server);
        let err = s.read(&mut buf).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut);
        assert_eq!(since_start() - heard, secs(90));
    });
}

#[test]
fn probes_that_arrive_but_whose_answers_are_cut_go_unanswered() {
    common::run(async {
        let (server, mut s) = connected().await;
        let heard = since_start();
        // The return path alone is cut: the probes reach the server, its
        // answers do not come back.
        Network::current().partition_oneway(&server, &Node::current());
        let err = s.read(&mut [0u8; 8]).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut);
        assert_eq!(since_start() - heard, secs(90));
        assert_eq!(Network::current().stats().drops.partition, 3);
    });
}

#[test]
fn a_restarted_peer_answers_the_first_probe_with_a_reset() {
    common::run(async {
        let (server, mut s) = connected().await;
        let heard = since_start();
        server.kill();
        server.restart();
        let err = s.read(&mut [0u8; 8]).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionReset);
        // The probe at 60 s, its RST one round trip later.
        assert_eq!(since_start() - heard, secs(60) + ms(2));
        assert_eq!(Network::current().stats().tcp.keepalive_probes, 1);
    });
}

#[test]
fn a_healthy_idle_connection_is_probed_and_stays_up() {
    common::run(async {
        let (_server, mut s) = connected().await;
        time::sleep(secs(600)).await;
        let tcp = Network::current().stats().tcp;
        // A probe per minute of silence, each answered at once.
        assert_eq!((tcp.keepalive_probes, tcp.timeouts), (9, 0));
        s.write_all(b"still").await.unwrap();
        let mut buf = [0u8; 5];
        s.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"still");
    });
}

#[test]
fn a_lost_probe_is_not_resent_and_an_answer_ends_the_series() {
    common::run(async {
        let (server, s) = connected().await;
        let net = Network::current();
        // Cut from 55 s to 75 s: the probes at 60 s and 70 s are lost, the
        // one at 80 s is answered, so the third (at 80 s) is not the last.
        time::sleep(secs(55)).await;
        net.partition(&Node::current(), &server);
        time::sleep(secs(20)).await;
        net.heal(&Node::current(), &server);
        time::sleep(secs(200)).await;
        let tcp = net.stats().tcp;
        assert_eq!(tcp.timeouts, 0, "the answer to the third probe came");
        assert_eq!(tcp.retransmits, 0, "probes are never retransmitted");
        assert!(s.peer_addr().is_ok());
        // 60, 70, 80 (answered), then one a minute: 140, 200, 260.
        assert_eq!(tcp.keepalive_probes, 6);
    });
}

#[test]
fn a_connection_that_only_writes_hears_its_acks_and_is_not_probed() {
    common::run(async {
        let net = Network::current();
        net.set_tcp_keepalive(secs(60), secs(10), 3).unwrap();
        let sink = Node::builder("sink")
            .init(|| async {
                let l = TcpListener::bind("0.0.0.0:80").await.unwrap();
                let (mut s, _) = l.accept().await.unwrap();
                let mut buf = [0u8; 64];
                while s.read(&mut buf).await.unwrap() > 0 {}
            })
            .build();
        let _ = sink;
        time::sleep(ms(1)).await;
        let mut s = TcpStream::connect("sink:80").await.unwrap();
        s.set_keepalive(true).unwrap();
        for _ in 0..20 {
            time::sleep(secs(30)).await;
            s.write_all(b"log line").await.unwrap();
        }
        assert_eq!(net.stats().tcp.keepalive_probes, 0);
    });
}

#[test]
fn turning_keepalive_off_stops_the_timer() {
    common::run(async {
        let (server, mut s) = connected().await;
        assert!(s.keepalive().unwrap());
        s.set_keepalive(false).unwrap();
        assert!(!s.keepalive().unwrap());
        server.kill();
        let read = time::timeout(secs(3000), s.read(&mut [0u8; 8])).await;
        assert!(read.is_err(), "half-open for good: nothing probes it");
        assert_eq!(Network::current().stats().tcp.keepalive_probes, 0);
    });
}

#[test]
fn sockets_pass_keepalive_on_to_their_streams() {
    common::run(async {
        let net = Network::current();
        net.set_tcp_keepalive(secs(60), secs(10), 3).unwrap();
        let server = Node::builder("server").build();
        let l = server
            .spawn(async {
                let socket = TcpSocket::new_v4().unwrap();
                socket.set_keepalive(true).unwrap();
                socket.bind(common::addr("0.0.0.0:80")).unwrap();
                socket.listen(8).unwrap()
            })
            .await
            .unwrap();
        let socket = TcpSocket::new_v4().unwrap();
        assert!(!socket.keepalive().unwrap());
        socket.set_keepalive(true).unwrap();
        let addr = std::net::SocketAddr::new(net.addr_of(&server), 80);
        let c = socket.connect(addr).await.unwrap();
        let (a, _) = l.accept().await.unwrap();
        assert!(c.keepalive().unwrap() && a.keepalive().unwrap());
        // Both probe: a probe a minute each way, all answered.
        time::sleep(secs(125)).await;
        assert_eq!(net.stats().tcp.keepalive_probes, 4);
    });
}

#[test]
fn impossible_settings_are_refused() {
    common::run(async {
        let net = Network::current();
        let err = net
            .set_tcp_keepalive(Duration::ZERO, secs(1), 3)
            .unwrap_err();
        assert_eq!(err.setting(), "keepalive");
        assert!(err.to_string().contains("above zero"), "{err}");
        let err = net.set_tcp_keepalive(secs(1), secs(1), 128).unwrap_err();
        assert!(err.to_string().contains("1 to 127"), "{err}");
        assert_eq!(
            net.tcp_keepalive(),
            (
                DEFAULT_KEEPALIVE_TIME,
                DEFAULT_KEEPALIVE_INTERVAL,
                DEFAULT_KEEPALIVE_PROBES
            )
        );
    });
}

#[test]
fn waiting_on_an_idle_keepalive_connection_is_not_a_deadlock() {
    let mut sim = Sim::builder().time_limit(secs(600)).build();
    let err = sim
        .run(async {
            let (_server, mut s) = connected().await;
            let _ = s.read(&mut [0u8; 8]).await;
        })
        .unwrap_err();
    assert!(err.is_time_limit(), "{err}");
}

/// Keepalive under random silent kills, restarts, partitions, loss and
/// jitter: each seed runs the same way twice, and the seeds differ.
#[test]
fn keepalive_under_faults_is_deterministic() {
    let runs = common::run_each_seed_twice(0..200, || async {
        let net = Network::current();
        net.set_default(
            LinkConfig::new()
                .latency(Latency::uniform(ms(1), ms(20)))
                .loss(0.2),
        )
        .unwrap();
        let (server, mut s) = connected().await;
        let killer = spawn(async move {
            time::sleep(secs(detsim::rand::gen_range(1..200))).await;
            match detsim::rand::gen_range(0..3) {
                0 => server.kill(),
                1 => {
                    server.kill();
                    time::sleep(secs(detsim::rand::gen_range(1..100))).await;
                    server.restart();
                }
                _ => {
                    let net = Network::current();
                    net.partition(&Node::current(), &server);
                    time::sleep(secs(detsim::rand::gen_range(1..100))).await;
                    net.heal(&Node::current(), &server);
                }
            }
        });
        let got = time::timeout(secs(400), s.read(&mut [0u8; 8])).await;
        killer.await.unwrap();
        let got = format!(
            "{:?} at {:?}",
            got.map(|r| r.map_err(|e| e.kind())),
            since_start()
        );
        let stats = format!("{:?}", net.stats().tcp);
        (got, stats)
    });
    common::assert_seeds_differ(&runs, 20);
}

#[test]
fn the_trace_shows_the_probes_and_the_timeout() {
    let mut sim = Sim::builder().trace(true).build();
    sim.run(async {
        let (server, mut s) = connected().await;
        server.kill();
        let _ = s.read(&mut [0u8; 8]).await;
    })
    .unwrap();
    let trace = sim.trace().unwrap().to_string();
    let lines: Vec<&str> = trace
        .lines()
        .filter(|l| l.contains("keepalive") || l.contains("timed out"))
        .collect();
    insta::assert_snapshot!(lines.join("\n"));
}

/// Review: as Linux's timer, which probes only with nothing in flight
/// (`packets_out == 0`): a segment lost to a partition and being
/// retransmitted is the retransmission timer's business, so keepalive
/// sends no probe and the end fails when the retransmissions give up,
/// exactly when it would with keepalive off.
#[test]
fn review_no_probe_while_a_segment_is_in_flight() {
    fn scenario(keepalive: bool) -> (Duration, u64) {
        let mut out = (Duration::ZERO, 0);
        let mut sim = Sim::builder().build();
        sim.run(async {
            let net = Network::current();
            // Probing would fail the end at 10 + 3 * 1 = 13 s; the
            // retransmissions give up 22.2 s after the first loss.
            net.set_tcp_keepalive(secs(10), secs(1), 3).unwrap();
            let server = common::tcp_echo_node("server", "0.0.0.0:80");
            time::sleep(ms(1)).await;
            let mut s = TcpStream::connect("server:80").await.unwrap();
            s.set_keepalive(keepalive).unwrap();
            net.partition(&Node::current(), &server);
            let start = since_start();
            s.write_all(b"lost").await.unwrap();
            let err = s.read(&mut [0u8; 8]).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::TimedOut);
            out = (since_start() - start, net.stats().tcp.keepalive_probes);
        })
        .unwrap();
        out
    }
    let (off, _) = scenario(false);
    assert_eq!(scenario(true), (off, 0));
}

/// Review: once both FINs went through (Linux's socket is in
/// `TCP_CLOSE`, which its keepalive timer skips), nothing probes, and a
/// run whose tasks then wait on nothing else is a deadlock, found at once
/// (not after an endless series of answered probes, nor at the alarms'
/// next check).
#[test]
fn review_a_connection_closed_both_ways_is_not_probed() {
    let mut sim = Sim::builder().time_limit(secs(3600)).build();
    let err = sim
        .run(async {
            let net = Network::current();
            net.set_tcp_keepalive(secs(60), secs(10), 3).unwrap();
            let (mut c, mut s) = common::tcp_pair().await;
            c.set_keepalive(true).unwrap();
            s.set_keepalive(true).unwrap();
            c.shutdown(std::net::Shutdown::Write).unwrap();
            s.shutdown(std::net::Shutdown::Write).unwrap();
            assert_eq!(c.read(&mut [0u8; 8]).await.unwrap(), 0);
            assert_eq!(s.read(&mut [0u8; 8]).await.unwrap(), 0);
            let _hold = (c, s);
            std::future::pending::<()>().await;
        })
        .unwrap_err();
    assert!(err.is_deadlock(), "{err}");
    assert_eq!(sim.now().since_start(), Duration::ZERO);
}

/// Review: a dropped stream probes nothing, and its keepalive alarm goes
/// with it: a run whose tasks all wait for nothing (the peer holds its
/// end, in CLOSE_WAIT, with keepalive off) is a deadlock found at once,
/// not `tcp_keepalive_time` later.
#[test]
fn review_a_dropped_stream_drops_its_keepalive_alarm() {
    let mut sim = Sim::builder().build();
    let mut at = Duration::ZERO;
    let err = sim
        .run(async {
            let (c, s) = common::tcp_pair().await;
            c.set_keepalive(true).unwrap();
            drop(c);
            time::sleep(ms(10)).await;
            at = since_start();
            let _s = s;
            std::future::pending::<()>().await;
        })
        .unwrap_err();
    assert!(err.is_deadlock(), "{err}");
    let now = sim.now().since_start();
    assert!(
        now < secs(1),
        "deadlock found at {now:?}, the drop at {at:?}"
    );
}

/// Review: an end's own probe answers (and window updates) are not
/// acknowledged by its peer (pure ACKs, which Linux never acknowledges),
/// so they do not count as the peer hearing from it: with both ends on
/// and their timers 5 s apart, each probes a minute after its last
/// answer, as on Linux (client at 60, 120, 180 s; server at 65, 125,
/// 185 s), instead of the server's being silenced by the answers to its
/// peer's probes.
#[test]
fn review_answering_a_probe_is_not_hearing_from_the_prober() {
    common::run(async {
        let net = Network::current();
        net.set_tcp_keepalive(secs(60), secs(10), 3).unwrap();
        let (c, s) = common::tcp_pair().await;
        c.set_keepalive(true).unwrap();
        time::sleep(secs(5)).await;
        s.set_keepalive(true).unwrap();
        time::sleep(secs(185)).await;
        assert_eq!(net.stats().tcp.keepalive_probes, 6);
    });
}

/// Review: with the stall timeout set (`set_tcp_timeout`, the
/// simulator's stand-in for Linux's `TCP_USER_TIMEOUT`), Linux's timer
/// fails the end once a probe is out and the peer has been silent that
/// long, whatever the probe count: 25 s ends it at the second check
/// (60 + 10 s), 300 s lets it probe on past 3 probes until 300 s.
#[test]
fn review_the_stall_timeout_bounds_the_probes_as_a_user_timeout() {
    for (timeout, after) in [(25, 70), (300, 300)] {
        common::run(async move {
            Network::current().set_tcp_timeout(Some(secs(timeout)));
            let (server, mut s) = connected().await;
            let heard = since_start();
            server.kill();
            let err = s.read(&mut [0u8; 8]).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::TimedOut);
            assert_eq!(since_start() - heard, secs(after), "timeout {timeout} s");
        });
    }
}

/// Review finding (fixed): a peer that closed its stream leaves an
/// orphan that Linux keeps only `tcp_fin_timeout` (60 s) in FIN_WAIT2; a
/// probe after that meets no socket and is answered with an RST, so an
/// end in CLOSE_WAIT with keepalive on fails (`EPIPE`) at its first probe
/// and its timer stops: a run whose tasks then all wait is a deadlock.
/// The orphan used to answer every probe, so the timer ran for good.
#[test]
fn review_a_probe_to_a_long_closed_peer_is_reset() {
    let mut sim = Sim::builder().time_limit(secs(3600)).build();
    let err = sim
        .run(async {
            Network::current()
                .set_tcp_keepalive(secs(120), secs(10), 3)
                .unwrap();
            let (c, mut s) = common::tcp_pair().await;
            s.set_keepalive(true).unwrap();
            drop(c);
            assert_eq!(s.read(&mut [0u8; 8]).await.unwrap(), 0, "the FIN");
            let _s = s;
            std::future::pending::<()>().await;
        })
        .unwrap_err();
    assert!(err.is_deadlock(), "{err}");
}
