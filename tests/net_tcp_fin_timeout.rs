//! `tcp_fin_timeout`: a connection end closed by its application, whose
//! FIN went through while the peer has not closed (a `FIN_WAIT2`
//! orphan), is forgotten by its host after the timeout (60 s by default,
//! at least 700 ms), as on Linux. Before it, the peer's close completes
//! cleanly; after it, anything the peer sends (its FIN, a keepalive
//! probe, a retransmission) is answered with an RST. Runs replay exactly.

mod common;

use std::io::ErrorKind;
use std::net::Shutdown;
use std::time::Duration;

use common::{ms, pair_with_server_node, since_start};
use detsim::net::{DEFAULT_TCP_FIN_TIMEOUT, Latency, LinkConfig, Network, TcpStream};
use detsim::{Sim, spawn, time};
use futures::io::{AsyncReadExt, AsyncWriteExt};

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// A connection whose client end is dropped at once (its FIN arrives at
/// the server end, which reads the EOF): returns the server end, in
/// `CLOSE_WAIT`, and when the FIN arrived.
async fn orphaned_peer() -> (TcpStream, Duration) {
    let (c, mut s) = common::tcp_pair_to_server().await;
    drop(c);
    assert_eq!(s.read(&mut [0u8; 8]).await.unwrap(), 0, "the FIN");
    (s, since_start())
}

/// The server end shuts its side down at `at` after the FIN; its FIN's
/// fate shows in the socket's error (`SO_ERROR`, as a read returns `Ok(0)`
/// after the EOF whatever follows, as on Linux): none when the orphan
/// acknowledged it, `ConnectionReset` when its host had forgotten the
/// connection (Linux's `tcp_reset` in `LAST_ACK`).
async fn close_after(at: Duration) -> Result<(), ErrorKind> {
    let (mut s, _) = orphaned_peer().await;
    time::sleep(at).await;
    s.shutdown(Shutdown::Write).unwrap();
    // Its FIN's answer, an ACK or an RST, has come back.
    time::sleep(ms(10)).await;
    assert_eq!(s.read(&mut [0u8; 8]).await.unwrap(), 0, "after the EOF");
    match s.take_error().unwrap() {
        None => Ok(()),
        Some(e) => Err(e.kind()),
    }
}

#[test]
fn the_default_is_linuxs_sixty_seconds() {
    common::run(async {
        assert_eq!(DEFAULT_TCP_FIN_TIMEOUT, secs(60));
        assert_eq!(Network::current().tcp_fin_timeout(), secs(60));
        Network::current().set_tcp_fin_timeout(secs(5));
        assert_eq!(Network::current().tcp_fin_timeout(), secs(5));
    });
}

#[test]
fn a_close_within_the_timeout_completes_cleanly() {
    common::run(async {
        assert_eq!(close_after(secs(59)).await, Ok(()));
        let stats = Network::current().stats().tcp;
        assert_eq!(stats.resets, 0, "{stats:?}");
    });
}

#[test]
fn a_close_after_the_timeout_meets_an_rst() {
    common::run(async {
        assert_eq!(close_after(secs(61)).await, Err(ErrorKind::ConnectionReset));
    });
}

#[test]
fn the_timeout_is_settable_and_counts_from_the_fins_ack() {
    for (timeout, at, want) in [
        (secs(5), secs(4), Ok(())),
        (secs(5), secs(6), Err(ErrorKind::ConnectionReset)),
        (secs(600), secs(300), Ok(())),
    ] {
        common::run(async move {
            Network::current().set_tcp_fin_timeout(timeout);
            assert_eq!(
                close_after(at).await,
                want,
                "timeout {timeout:?}, at {at:?}"
            );
        });
    }
}

#[test]
fn a_short_timeout_counts_as_three_and_a_half_rtos() {
    for (at, want) in [
        (ms(690), Ok(())),
        (ms(710), Err(ErrorKind::ConnectionReset)),
    ] {
        common::run(async move {
            Network::current().set_tcp_fin_timeout(Duration::ZERO);
            assert_eq!(close_after(at).await, want, "at {at:?}");
        });
    }
}

#[test]
fn a_keepalive_probe_after_the_timeout_fails_the_peer_at_once() {
    common::run(async {
        let net = Network::current();
        net.set_tcp_keepalive(secs(120), secs(10), 3).unwrap();
        let (s, fin_at) = orphaned_peer().await;
        s.set_keepalive(true).unwrap();
        // The first probe, 120 s after the FIN, meets no socket: an RST
        // (EPIPE in CLOSE_WAIT, as Linux's `tcp_reset` says), 2 ms later.
        let reset = fin_at + secs(120) + ms(2);
        time::sleep(reset - since_start() - ms(1)).await;
        assert!(s.take_error().unwrap().is_none(), "not yet");
        time::sleep(ms(1)).await;
        let err = s.take_error().unwrap().expect("reset");
        assert_eq!(err.kind(), ErrorKind::BrokenPipe);
        let tcp = net.stats().tcp;
        assert_eq!((tcp.keepalive_probes, tcp.resets), (1, 1), "{tcp:?}");
    });
}

#[test]
fn an_orphan_within_the_timeout_answers_probes() {
    common::run(async {
        let net = Network::current();
        net.set_tcp_fin_timeout(secs(1800));
        net.set_tcp_keepalive(secs(120), secs(10), 3).unwrap();
        let (s, _) = orphaned_peer().await;
        s.set_keepalive(true).unwrap();
        time::sleep(secs(1000)).await;
        assert!(s.take_error().unwrap().is_none());
        let tcp = net.stats().tcp;
        assert!(tcp.keepalive_probes >= 7, "{tcp:?}");
        assert_eq!(tcp.resets, 0);
        // Past the half hour, the next probe is answered with an RST.
        time::sleep(secs(1000)).await;
        let err = s.take_error().unwrap().expect("reset");
        assert_eq!(err.kind(), ErrorKind::BrokenPipe);
    });
}

#[test]
fn data_to_an_orphan_resets_whatever_the_timeout() {
    common::run(async {
        Network::current().set_tcp_fin_timeout(secs(3600));
        let (mut s, _) = orphaned_peer().await;
        s.write_all(b"nobody reads this").await.unwrap();
        time::sleep(ms(10)).await;
        let err = s.write_all(b"more").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokenPipe);
    });
}

#[test]
fn an_end_closed_after_its_fin_went_through_is_an_orphan_from_its_close() {
    common::run(async {
        Network::current().set_tcp_fin_timeout(secs(5));
        let (c, mut s) = common::tcp_pair_to_server().await;
        c.shutdown(Shutdown::Write).unwrap();
        assert_eq!(s.read(&mut [0u8; 8]).await.unwrap(), 0, "the FIN");
        // Held open 100 s after its FIN went through, then dropped: the
        // 5 s count from the drop, not from the FIN.
        time::sleep(secs(100)).await;
        drop(c);
        time::sleep(secs(4)).await;
        s.shutdown(Shutdown::Write).unwrap();
        time::sleep(ms(10)).await;
        assert!(s.take_error().unwrap().is_none(), "acknowledged");
        time::sleep(secs(2)).await;
        assert!(Network::current().stats().tcp.resets == 0);
    });
}

/// Lossy, jittered links, closes at random times around the timeout,
/// keepalive on: each seed runs the same way twice, and the seeds differ.
#[test]
fn orphans_under_faults_are_deterministic() {
    let runs = common::run_each_seed_twice(0..200, || async {
        let net = Network::current();
        net.set_default(
            LinkConfig::new()
                .latency(Latency::uniform(ms(1), ms(20)))
                .loss(0.1),
        )
        .unwrap();
        net.set_tcp_fin_timeout(secs(detsim::rand::gen_range(1..10)));
        net.set_tcp_keepalive(secs(5), secs(1), 3).unwrap();
        let (c, mut s) = common::tcp_pair_to_server().await;
        s.set_keepalive(detsim::rand::gen_range(0..2) == 0).unwrap();
        let closer = spawn(async move {
            time::sleep(ms(detsim::rand::gen_range(0..500))).await;
            drop(c);
        });
        let mut buf = [0u8; 8];
        let eof = time::timeout(secs(30), s.read(&mut buf)).await;
        time::sleep(ms(detsim::rand::gen_range(0..12_000))).await;
        let shut = s.shutdown(Shutdown::Write).map_err(|e| e.kind());
        time::sleep(secs(2)).await;
        let after = s.take_error().map(|e| e.map(|e| e.kind()));
        closer.await.unwrap();
        let got = format!(
            "{:?} {shut:?} {after:?} at {:?}",
            eof.map(|r| r.map_err(|e| e.kind())),
            since_start()
        );
        (got, format!("{:?}", net.stats().tcp))
    });
    common::assert_seeds_differ(&runs, 10);
}

#[test]
fn the_trace_shows_the_rst_answering_a_late_fin() {
    let mut sim = Sim::builder().trace(true).build();
    sim.run(async {
        assert_eq!(close_after(secs(61)).await, Err(ErrorKind::ConnectionReset));
    })
    .unwrap();
    let trace = sim.trace().unwrap().to_string();
    let lines: Vec<&str> = trace
        .lines()
        .filter(|l| l.contains("tcp:") || l.contains("net:"))
        .collect();
    insta::assert_snapshot!(lines.join("\n"));
}

/// Review finding (fixed): once the host forgot the orphan, its node's
/// kill has nothing of the connection to reset; it still sent an RST
/// (`Conn::kill` only asked whether the peer stood), so the peer in
/// `CLOSE_WAIT` failed with `EPIPE` although no socket of the killed
/// host knew it. Linux: the orphan was destroyed by `tcp_fin_timeout`
/// (`inet_twsk_kill` of the `FIN_WAIT2` timewait socket); a crash or a
/// process death afterwards sends nothing for it.
#[test]
fn review_a_kill_after_the_timeout_resets_no_peer() {
    common::run(async {
        let net = Network::current();
        net.set_tcp_fin_timeout(secs(5));
        let (server, mut c, s) = pair_with_server_node().await;
        drop(s); // the server end is the orphan
        assert_eq!(c.read(&mut [0u8; 8]).await.unwrap(), 0, "the FIN");
        time::sleep(secs(10)).await;
        server.kill();
        time::sleep(ms(10)).await;
        assert!(c.take_error().unwrap().is_none(), "nothing was reset");
        assert_eq!(net.stats().tcp.resets, 0, "{:?}", net.stats().tcp);
    });
}

/// Review finding (fixed): the peer's FIN reached the orphan before its
/// timeout (both FINs through: the peer's socket is in `TCP_CLOSE`, the
/// orphan in `TIME_WAIT`), and a duplicate of that FIN (the network's
/// duplication fault) arrived after the timeout: the orphan's host
/// answered it with an RST, and the peer's cleanly finished connection
/// failed with `ConnectionReset`. On Linux a socket in `TCP_CLOSE` is
/// unhashed (`tcp_done` from `LAST_ACK`): an RST for it finds nothing
/// and is dropped (and the `TIME_WAIT` socket would only re-ACK the
/// duplicate). A first copy that arrives late still draws the RST.
#[test]
fn review_a_late_duplicate_of_a_fin_that_went_through_resets_nobody() {
    let mut clean_with_late_copy_possible = 0;
    for seed in 0..20 {
        let mut sim = Sim::builder().seed(seed).build();
        let first_in_time = sim
            .run(async {
                let net = Network::current();
                net.set_tcp_fin_timeout(secs(5));
                let (server, c, mut s) = pair_with_server_node().await;
                drop(c); // the client end is the orphan
                assert_eq!(s.read(&mut [0u8; 8]).await.unwrap(), 0, "the FIN");
                let fin_at = since_start();
                time::sleep(secs(2)).await;
                let me = detsim::node::Node::current();
                let slow = LinkConfig::new()
                    .latency(Latency::uniform(ms(1), secs(6)))
                    .duplicate(1.0);
                net.set_link(&me, &server, slow).unwrap();
                s.shutdown(Shutdown::Write).unwrap();
                // Just before the orphan's timeout: did a copy of the FIN
                // get there (both FINs through: `CLOSED`)?
                time::sleep(fin_at + secs(5) - ms(1) - since_start()).await;
                let state = net
                    .netstat()
                    .sockets
                    .iter()
                    .find(|r| r.proto == "tcp" && r.node == "server" && r.peer.is_some())
                    .and_then(|r| r.state)
                    .unwrap();
                let first_in_time = state == "CLOSED";
                // Every copy and its answer are in.
                time::sleep(secs(14)).await;
                let err = s.take_error().unwrap().map(|e| e.kind());
                if first_in_time {
                    assert_eq!(err, None, "seed {seed}: a clean close");
                } else {
                    assert_eq!(err, Some(ErrorKind::ConnectionReset), "seed {seed}");
                }
                first_in_time
            })
            .unwrap();
        clean_with_late_copy_possible += usize::from(first_in_time);
    }
    assert!(
        clean_with_late_copy_possible >= 5,
        "{clean_with_late_copy_possible}"
    );
}

/// Review finding (fixed): Linux starts an orphan's countdown when the
/// ACK of its FIN comes back (`tcp_rcv_state_process`, `FIN_WAIT1` to
/// `FIN_WAIT2`; or at `tcp_close` if it came already), one return trip
/// after the FIN reached the peer. detsim started it at the FIN's
/// arrival (ACKs are not packets), so on a slow link the orphan was
/// forgotten one one-way latency early: here (1 s each way, a 5 s
/// timeout) the peer's FIN arriving 5.5 s after the orphan's reached it,
/// 4.5 s after the orphan heard the ACK, met an RST instead of an ACK.
/// The arrival now adds the return link's latency as it is without a
/// draw (exact for a constant latency; see `fin_timeout.rs`).
#[test]
fn review_the_countdown_starts_when_the_ack_of_the_fin_is_back() {
    common::run(async {
        let net = Network::current();
        net.set_default(LinkConfig::new().latency(Latency::constant(secs(1))))
            .unwrap();
        net.set_tcp_fin_timeout(secs(5));
        let (_server, c, mut s) = pair_with_server_node().await;
        drop(c);
        assert_eq!(s.read(&mut [0u8; 8]).await.unwrap(), 0, "the FIN");
        // The orphan hears the ACK 1 s from now: it stays until 6 s.
        time::sleep(ms(4500)).await;
        s.shutdown(Shutdown::Write).unwrap(); // arrives at 5.5 s
        time::sleep(secs(3)).await;
        assert!(s.take_error().unwrap().is_none(), "acknowledged");
    });
}

/// Review finding (fixed): an end closed abortively (zero linger, or unread
/// input) is destroyed at once on Linux (`tcp_close` →
/// `tcp_disconnect`, then the socket is freed in `TCP_CLOSE`): whatever
/// the peer sends later draws an RST. Its own RST may be lost (here a
/// partition; an unsolicited RST is never sent again); detsim's aborted
/// end then stayed as a closed end that is not an orphan, so it
/// acknowledged the peer's FIN (and answered its keepalive probes)
/// forever: the peer never learned the connection was gone.
#[test]
fn review_an_aborted_end_whose_rst_was_lost_resets_the_peers_fin() {
    common::run(async {
        let net = Network::current();
        let (server, mut c, s) = pair_with_server_node().await;
        s.set_zero_linger().unwrap();
        let me = detsim::node::Node::current();
        net.partition(&me, &server);
        drop(s); // its RST is lost
        time::sleep(secs(1)).await;
        net.heal_all();
        c.shutdown(Shutdown::Write).unwrap();
        time::sleep(ms(10)).await;
        let err = c.take_error().unwrap().map(|e| e.kind());
        assert_eq!(err, Some(ErrorKind::ConnectionReset));
        assert!(c.read(&mut [0u8; 8]).await.is_ok());
    });
}

/// Review finding (fixed): an end that failed (here its keepalive gave up behind
/// a partition, its RST lost) is in Linux's `TCP_CLOSE`, out of the
/// lookup tables (`tcp_done`); once its application drops it, whatever
/// the peer sends meets no socket and draws an RST. detsim's failed,
/// closed end instead acknowledged the peer's FIN (it is no orphan, so
/// it was never forgotten): the peer's close completed as if cleanly.
#[test]
fn review_a_failed_end_once_closed_resets_the_peers_fin() {
    common::run(async {
        let net = Network::current();
        net.set_tcp_keepalive(secs(5), secs(1), 2).unwrap();
        let (server, c, mut s) = pair_with_server_node().await;
        c.set_keepalive(true).unwrap();
        let me = detsim::node::Node::current();
        net.partition(&me, &server);
        time::sleep(secs(10)).await;
        let err = c.take_error().unwrap().map(|e| e.kind());
        assert_eq!(err, Some(ErrorKind::TimedOut), "its RST was lost");
        drop(c);
        net.heal_all();
        s.shutdown(Shutdown::Write).unwrap();
        time::sleep(ms(10)).await;
        let err = s.take_error().unwrap().map(|e| e.kind());
        assert_eq!(err, Some(ErrorKind::ConnectionReset));
        assert!(s.read(&mut [0u8; 8]).await.is_ok());
    });
}

/// With a random latency the return trip counts as the distribution's
/// minimum (what a draw of 0 gives): the countdown adds no draw, so the
/// orphan may be forgotten up to the spread early. Here the 1 s..3 s
/// link's ACK counts as back 1 s after the FIN: 5 s later the orphan is
/// gone, whatever the FIN and the peer's FIN took.
#[test]
fn with_a_random_latency_the_ack_counts_as_back_after_the_minimum() {
    for (after_ack, want) in [
        (ms(4900), Ok(())),
        (ms(5100), Err(ErrorKind::ConnectionReset)),
    ] {
        for seed in 0..10 {
            let mut sim = Sim::builder().seed(seed).build();
            sim.run(async move {
                let net = Network::current();
                net.set_tcp_fin_timeout(secs(5));
                let (server, c, mut s) = pair_with_server_node().await;
                let me = detsim::node::Node::current();
                let slow = LinkConfig::new().latency(Latency::uniform(secs(1), secs(3)));
                net.set_link(&me, &server, slow).unwrap();
                drop(c);
                assert_eq!(s.read(&mut [0u8; 8]).await.unwrap(), 0, "the FIN");
                let fin_at = since_start();
                // The peer's FIN leaves `after_ack` after the orphan's
                // arrived and takes 1 s on a link now constant: it
                // arrives `after_ack` after the ACK counts as back.
                net.set_link(
                    &me,
                    &server,
                    LinkConfig::new().latency(Latency::constant(secs(1))),
                )
                .unwrap();
                time::sleep(fin_at + after_ack - since_start()).await;
                s.shutdown(Shutdown::Write).unwrap();
                time::sleep(secs(3)).await;
                let got = s.take_error().unwrap().map_or(Ok(()), |e| Err(e.kind()));
                assert_eq!(
                    got, want,
                    "seed {seed}, peer's FIN {after_ack:?} after the ACK"
                );
            })
            .unwrap();
        }
    }
}
