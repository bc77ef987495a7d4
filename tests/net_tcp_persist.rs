//! The persist timer (zero-window probes): a writer whose bytes wait
//! behind a full window probes its peer, as Linux does, so a reader that
//! lost power is found (`TimedOut` after 15 unanswered probes, 22.2 s), a
//! restarted one answers with an RST, a live but slow one keeps the
//! connection up, and a window that reopens quickly costs nothing.

mod common;

use std::io::ErrorKind;
use std::time::Duration;

use common::{ms, since_start};
use detsim::net::{Latency, LinkConfig, Network, TcpListener, TcpStream};
use detsim::node::Node;
use detsim::{Sim, spawn, time};
use futures::io::{AsyncReadExt, AsyncWriteExt};

/// A `reader` node that accepts one connection, waits `pause` before it
/// reads, then reads everything; a client connection to it.
async fn slow_reader(pause: Duration) -> (Node, TcpStream) {
    let reader = Node::builder("reader")
        .init(move || async move {
            let l = TcpListener::bind("0.0.0.0:80").await.unwrap();
            let (mut s, _) = l.accept().await.unwrap();
            time::sleep(pause).await;
            let mut buf = vec![0u8; 1 << 16];
            while s.read(&mut buf).await.unwrap_or(0) > 0 {}
        })
        .build();
    time::sleep(ms(1)).await;
    let s = TcpStream::connect("reader:80").await.unwrap();
    (reader, s)
}

/// Writes `n` bytes (the whole of them, or until an error).
async fn write_n(s: &mut TcpStream, n: usize) -> std::io::Result<()> {
    let chunk = vec![5u8; 1 << 16];
    let mut left = n;
    while left > 0 {
        let k = left.min(chunk.len());
        s.write_all(&chunk[..k]).await?;
        left -= k;
    }
    Ok(())
}

/// A writer of 1 MiB to a reader that does not read for an hour, whose
/// window is full and whose bytes all arrived 100 ms in (nothing in
/// flight): (the reader, the writer's task, when it began).
async fn blocked_writer() -> (Node, detsim::JoinHandle<std::io::Result<()>>, time::Instant) {
    let (reader, mut s) = slow_reader(Duration::from_secs(3600)).await;
    let t = time::Instant::now();
    let writer = spawn(async move { write_n(&mut s, 1 << 20).await });
    time::sleep(ms(100)).await;
    (reader, writer, t)
}

#[test]
fn a_reader_that_lost_power_is_found_by_the_probes() {
    common::run(async {
        Network::current().set_kill_resets_peers(false);
        let (reader, writer, t) = blocked_writer().await;
        reader.kill();
        let err = writer.await.unwrap().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut);
        // The window is full at once; probes at 0.2, 0.6, 1.4, 3.0 s and
        // every 1.6 s after, the 16th check gives up.
        assert_eq!(t.elapsed(), ms(22_200));
        let tcp = Network::current().stats().tcp;
        assert_eq!((tcp.window_probes, tcp.timeouts), (15, 1));
    });
}

#[test]
fn a_restarted_reader_answers_the_first_probe_with_a_reset() {
    common::run(async {
        Network::current().set_kill_resets_peers(false);
        let (reader, writer, t) = blocked_writer().await;
        reader.kill();
        reader.restart();
        let err = writer.await.unwrap().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionReset);
        assert_eq!(
            t.elapsed(),
            ms(202),
            "the probe at 200 ms, its RST a round trip later"
        );
        assert_eq!(Network::current().stats().tcp.window_probes, 1);
    });
}

#[test]
fn a_live_reader_that_pauses_keeps_the_connection_up() {
    common::run(async {
        let (_reader, mut s) = slow_reader(Duration::from_secs(10)).await;
        write_n(&mut s, 1 << 20).await.unwrap();
        let tcp = Network::current().stats().tcp;
        // Probes at 0.2, 0.6, 1.4, 3.0, 4.6, 6.2, 7.8, 9.4 s, all answered.
        assert_eq!((tcp.window_probes, tcp.timeouts), (8, 0));
        assert!(since_start() > ms(10_000));
    });
}

/// Review finding (fixed): a live reader that keeps its window shut for
/// far longer than 15 probes answers every probe, and Linux's `tcp_ack`
/// resets the count of unanswered probes at each answer, so the writer
/// probes on and never times out. The probes' answers (pure ACKs) used
/// not to count, so the writer failed with `TimedOut` after 22.2 s.
#[test]
fn review_a_reader_that_keeps_its_window_shut_for_minutes_is_probed_for_good() {
    common::run(async {
        let (_reader, mut s) = slow_reader(Duration::from_secs(600)).await;
        write_n(&mut s, 1 << 20).await.unwrap();
        let tcp = Network::current().stats().tcp;
        assert_eq!(tcp.timeouts, 0, "{tcp:?}");
        assert!(tcp.window_probes > 15, "{tcp:?}");
        assert!(since_start() > ms(600_000));
    });
}

#[test]
fn a_window_that_reopens_quickly_costs_no_probe() {
    common::run(async {
        let (_reader, mut s) = slow_reader(ms(150)).await;
        write_n(&mut s, 4 << 20).await.unwrap();
        assert_eq!(Network::current().stats().tcp.window_probes, 0);
    });
}

#[test]
fn no_retry_limit_probes_on_and_the_stall_timeout_ends_it() {
    common::run(async {
        let net = Network::current();
        net.set_kill_resets_peers(false);
        net.set_tcp_retries(None);
        let (reader, writer, t) = blocked_writer().await;
        reader.kill();
        time::sleep(ms(60_000)).await;
        assert!(!writer.is_finished(), "no limit: the writer waits");
        let probes = net.stats().tcp.window_probes;
        assert_eq!(
            probes, 39,
            "0.2, 0.6, 1.4, 3.0 s, then every 1.6 s to 59.0 s"
        );
        // The stall timeout, as Linux's user timeout: with a probe out and
        // nothing heard for 5 s, the next check gives up.
        net.set_tcp_timeout(Some(ms(5_000)));
        let err = writer.await.unwrap().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut);
        assert!(t.elapsed() < ms(62_000), "{:?}", t.elapsed());
    });
}

/// Slow readers, silent kills, restarts and loss with full windows: each
/// seed runs the same way twice, and the seeds differ.
#[test]
fn persist_probes_under_faults_are_deterministic() {
    let runs = common::run_each_seed_twice(0..200, || async {
        let net = Network::current();
        net.set_default(
            LinkConfig::new()
                .latency(Latency::uniform(ms(1), ms(20)))
                .loss(0.1),
        )
        .unwrap();
        net.set_kill_resets_peers(false);
        let pause = ms(detsim::rand::gen_range(0..5_000));
        let (reader, mut s) = slow_reader(pause).await;
        let chaos = spawn(async move {
            time::sleep(ms(detsim::rand::gen_range(0..3_000))).await;
            match detsim::rand::gen_range(0..3) {
                0 => reader.kill(),
                1 => {
                    reader.kill();
                    time::sleep(ms(detsim::rand::gen_range(1..2_000))).await;
                    reader.restart();
                }
                _ => {}
            }
        });
        let got = time::timeout(ms(60_000), write_n(&mut s, 2 << 20)).await;
        chaos.await.unwrap();
        let got = format!(
            "{:?} at {:?}",
            got.map(|r| r.map_err(|e| e.kind())),
            since_start()
        );
        (got, format!("{:?}", net.stats().tcp))
    });
    common::assert_seeds_differ(&runs, 20);
}

#[test]
fn the_trace_names_the_probes() {
    let mut sim = Sim::builder().trace(true).build();
    sim.run(async {
        Network::current().set_kill_resets_peers(false);
        let (reader, writer, _) = blocked_writer().await;
        reader.kill();
        time::sleep(ms(900)).await;
        writer.abort();
    })
    .unwrap();
    let trace = sim.trace().unwrap().to_string();
    let probes = trace.lines().filter(|l| l.contains("window probe")).count();
    assert_eq!(probes, 2, "at 0.2 and 0.6 s");
}
