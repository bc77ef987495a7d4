//! A reader whose writer failed still announces the window it reopens,
//! as Linux's reader does (`__tcp_cleanup_rbuf`): it does not know the
//! writer is gone. The writer filled the reader's window, then failed
//! (its zero-window probes timed out behind a partition, its RST lost;
//! or its node was killed without a word and came back); when the
//! reader drains its buffer, its window update reaches a host that has
//! no such connection and draws an RST, so the reader's next read (after
//! the bytes it still holds) or write fails with `ConnectionReset`.
//!
//! The update is an ordinary segment: it goes through the fault rules
//! (a partition drops it), and, a pure ACK, it is not sent again if
//! lost. A read of a few bytes from a window that was mostly open
//! announces nothing (Linux's rule), so such a reader waits, as on
//! Linux.

mod common;

use std::io::ErrorKind;
use std::time::Duration;

use common::{ms, pair_with_server_node, since_start};
use detsim::net::{LinkConfig, Network, RECV_WINDOW, TcpListener, TcpStream};
use detsim::node::Node;
use detsim::{Sim, spawn, time};
use futures::io::{AsyncReadExt, AsyncWriteExt};

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// The client fills the server end's receive window (the server does not
/// read), then a partition cuts them apart and the client writes one byte
/// more: it waits behind the shut window, and the client's zero-window
/// probes go unanswered until it fails with `TimedOut`, its RST lost in
/// the partition. The partition then heals. Returns the server node, the
/// failed client end and the server end, its window full.
async fn writer_failed_behind_a_full_window() -> (Node, TcpStream, TcpStream) {
    let net = Network::current();
    let (server, mut c, s) = pair_with_server_node().await;
    c.write_all(&vec![7u8; RECV_WINDOW]).await.unwrap();
    time::sleep(ms(10)).await; // all of it arrived
    net.partition(&Node::current(), &server);
    c.write_all(b"x").await.unwrap(); // waits behind the shut window
    let err = c.read(&mut [0u8; 4]).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TimedOut, "{err}");
    net.heal_all();
    assert!(
        s.take_error().unwrap().is_none(),
        "the server heard nothing"
    );
    (server, c, s)
}

#[test]
fn draining_a_window_a_failed_writer_filled_draws_an_rst() {
    common::run(async {
        let net = Network::current();
        let (_server, _c, mut s) = writer_failed_behind_a_full_window().await;
        let sent = net.stats().total().sent;
        let start = since_start();
        // The first read reopens the window: its update goes out, meets
        // the forgotten end, and its RST is back 2 ms later. The reader
        // gets every byte it held first, then the reset.
        let (read, err) = time::timeout(secs(60), common::read_until_end(&mut s))
            .await
            .expect("the reader learns the writer is gone");
        assert_eq!((read, err), (RECV_WINDOW, Some(ErrorKind::ConnectionReset)));
        assert_eq!(since_start() - start, ms(2));
        let stats = net.stats();
        assert_eq!(
            stats.total().sent - sent,
            2,
            "the update, the RST: {stats:?}"
        );
        assert_eq!((stats.tcp.timeouts, stats.tcp.resets), (1, 1), "{stats:?}");
        // The reset was reported once, by the read: a broken pipe since.
        let err = s.write_all(b"late").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokenPipe, "{err}");
    });
}

/// The reader reads all it holds, and writes once the RST is back: its
/// first write fails (it is not the write that draws the RST).
#[test]
fn after_the_update_the_readers_first_write_fails() {
    common::run(async {
        let (_server, _c, mut s) = writer_failed_behind_a_full_window().await;
        let mut buf = vec![0u8; RECV_WINDOW];
        s.read_exact(&mut buf).await.unwrap();
        time::sleep(ms(10)).await;
        let err = s.write_all(b"reply").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{err}");
    });
}

/// Linux announces a window only when a read reopens it enough: a read
/// of a quarter of the buffer from a shut window does (an MSS at least),
/// a read of a few bytes does not.
#[test]
fn only_a_read_that_reopens_the_window_sends_the_update() {
    common::run(async {
        let net = Network::current();
        let (_server, _c, mut s) = writer_failed_behind_a_full_window().await;
        let sent = net.stats().total().sent;
        let mut buf = vec![0u8; RECV_WINDOW / 4];
        s.read_exact(&mut buf[..100]).await.unwrap();
        time::sleep(secs(1)).await;
        assert_eq!(net.stats().total().sent, sent, "100 bytes: no update");
        s.read_exact(&mut buf[100..]).await.unwrap();
        time::sleep(ms(10)).await;
        assert_eq!(net.stats().total().sent - sent, 2, "the update, the RST");
        let err = s.take_error().unwrap().map(|e| e.kind());
        assert_eq!(err, Some(ErrorKind::ConnectionReset));
    });
}

/// A writer that failed with the reader's window mostly open: reading
/// the few bytes it sent announces nothing, so the reader, which sends
/// nothing else, waits, as on Linux.
#[test]
fn a_reader_of_a_few_bytes_announces_nothing_and_waits() {
    common::run(async {
        let net = Network::current();
        let (server, mut c, mut s) = pair_with_server_node().await;
        c.write_all(b"a few bytes").await.unwrap();
        time::sleep(ms(10)).await;
        net.partition(&Node::current(), &server);
        c.write_all(b"lost").await.unwrap();
        let err = c.read(&mut [0u8; 4]).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut, "{err}");
        net.heal_all();
        let sent = net.stats().total().sent;
        let mut buf = [0u8; 11];
        s.read_exact(&mut buf).await.unwrap();
        let waited = time::timeout(secs(1800), s.read(&mut buf)).await;
        assert!(waited.is_err(), "still waiting half an hour later");
        assert_eq!(net.stats().total().sent, sent, "nothing sent");
    });
}

/// The update is an ordinary segment: a partition of the return path
/// drops it (a drop in the counters), and, lost, it is not sent again:
/// the reader waits, even once the partition heals.
#[test]
fn a_lost_update_is_not_sent_again() {
    common::run(async {
        let net = Network::current();
        let (server, _c, mut s) = writer_failed_behind_a_full_window().await;
        net.partition_oneway(&server, &Node::current());
        let dropped = net.stats().drops.partition;
        let retransmits = net.stats().tcp.retransmits;
        let mut buf = vec![0u8; RECV_WINDOW];
        s.read_exact(&mut buf).await.unwrap();
        time::sleep(secs(1)).await;
        net.heal_all();
        let waited = time::timeout(secs(600), s.read(&mut buf)).await;
        assert!(waited.is_err(), "nothing tells the reader");
        let stats = net.stats();
        assert_eq!(stats.drops.partition - dropped, 1, "{stats:?}");
        assert_eq!(stats.tcp.retransmits, retransmits, "{stats:?}");
        assert_eq!(stats.tcp.resets, 0, "{stats:?}");
    });
}

/// The writer's node crashed (a kill that resets nobody) and came back:
/// the reader's window update reaches the restarted node, which has no
/// such connection and answers with an RST.
#[test]
fn an_update_to_a_writer_whose_node_restarted_draws_an_rst() {
    common::run(async {
        let net = Network::current();
        net.set_kill_resets_peers(false);
        let (server, mut c, mut s) = pair_with_server_node().await;
        s.write_all(&vec![7u8; RECV_WINDOW]).await.unwrap();
        time::sleep(ms(10)).await; // all of it arrived at the client
        server.kill();
        server.restart();
        let (read, err) = time::timeout(secs(60), common::read_until_end(&mut c))
            .await
            .expect("the reader learns the writer is gone");
        assert_eq!((read, err), (RECV_WINDOW, Some(ErrorKind::ConnectionReset)));
        drop(s);
    });
}

/// Bulk writers fill slow readers' windows while partitions come and go
/// and the retry limit is low, so writers fail behind full windows and
/// their readers learn by the answers to their window updates (or by
/// their own writes). Outcome: each reader's byte count and error, and
/// the counters.
async fn workload() -> (Vec<(usize, Option<ErrorKind>)>, String) {
    let net = Network::current();
    net.set_default(LinkConfig::new().loss(0.05)).unwrap();
    net.set_tcp_retries(Some(3));
    let server = Node::builder("server")
        .init(|| async {
            let l = TcpListener::bind("0.0.0.0:80").await.unwrap();
            loop {
                let (mut s, _) = l.accept().await.unwrap();
                spawn(async move {
                    // Writes until it fails: the reader is slower.
                    let chunk = vec![1u8; 8 * 1024];
                    while s.write_all(&chunk).await.is_ok() {}
                });
            }
        })
        .build();
    let nodes: Vec<Node> = (0..3)
        .map(|n| Node::builder(format!("reader-{n}")).build())
        .collect();
    let cut = nodes.clone();
    let chaos = spawn(async move {
        let net = Network::current();
        for _ in 0..4 {
            time::sleep(ms(detsim::rand::gen_range(100..2000))).await;
            let victim = &cut[detsim::rand::gen_range(0..cut.len())];
            net.partition(&server, victim);
            time::sleep(ms(detsim::rand::gen_range(1000..8000))).await;
            net.heal_all();
        }
    });
    let mut readers = Vec::new();
    for node in &nodes {
        readers.push(node.spawn(async move {
            time::sleep(ms(1)).await;
            let mut s = TcpStream::connect("10.0.0.2:80").await.unwrap();
            let mut buf = vec![0u8; 16 * 1024];
            let mut total = 0;
            let end = since_start() + secs(40);
            while since_start() < end {
                time::sleep(ms(detsim::rand::gen_range(10..400))).await;
                match time::timeout(secs(5), s.read(&mut buf)).await {
                    Ok(Ok(0)) => return (total, None),
                    Ok(Ok(n)) => total += n,
                    Ok(Err(e)) => return (total, Some(e.kind())),
                    Err(_) => {}
                }
            }
            (total, None)
        }));
    }
    let (outs, stats) = common::join_with_stats(readers, chaos).await;
    (outs, stats)
}

#[test]
fn forty_seeds_with_failed_writers_run_twice_give_identical_runs() {
    let runs = common::run_each_seed_twice(0..40, workload);
    common::assert_seeds_differ(&runs, 30);
    let reset = runs
        .iter()
        .filter(|(_, (out, _))| {
            out.iter()
                .any(|(_, e)| *e == Some(ErrorKind::ConnectionReset))
        })
        .count();
    assert!(reset > 0, "some readers learn by an RST");
}

#[test]
fn a_seed_with_failed_writers_replays_from_its_tape() {
    let mut a = Sim::builder().seed(3).build();
    let out = a.run(workload()).unwrap();
    let mut r = Sim::builder().seed(99).tape(a.tape()).build();
    assert_eq!(r.run(workload()).unwrap(), out);
    assert_eq!(r.fingerprint(), a.fingerprint());
}
