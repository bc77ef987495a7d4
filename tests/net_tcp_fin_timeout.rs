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

use common::{ms, since_start};
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
fn the_timeout_is_settable_and_counts_from_the_fins_arrival() {
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
