//! The express paths of TCP (a write put straight on the wire, a data
//! segment handed straight to its reader, in a quiet network with a
//! constant latency) change nothing a run can observe.
//!
//! Each workload runs on 60 seeds twice: once as it is, where the express
//! paths apply whenever the network is quiet, and once with a per-link
//! rule that gives one link the default's own configuration. That rule
//! changes no verdict and adds no draw, but turns the express write off
//! for the whole run, so every write takes the general path. The
//! fingerprint (every send, delivery, drop and reset event), the tape,
//! the outputs, the network counters and the end time must be equal.
//!
//! The express arrival needs only a quiet network (no partition, no
//! clog), which a per-link rule does not change: it is compared with the
//! general arrival by a third run, with a partition between two idle
//! nodes (no traffic crosses it, and it is put back after the workload's
//! `heal_all`), which turns both express paths off. Its trace (every poll,
//! clock move, draw and network event) must be the first run's, but for
//! that partition's own lines.
//!
//! The workloads go in and out of the conditions the express paths need:
//! small and large writes (past one segment, past the window), a
//! partition and a clog that come and go, a node killed in the middle of
//! a stream and restarted, a close with unread bytes (an RST).

mod common;

use std::io::ErrorKind;

use common::ms;
use detsim::net::{Network, TcpListener, TcpStream};
use detsim::node::Node;
use detsim::{rand, spawn, time};
use futures::io::{AsyncReadExt, AsyncWriteExt};

/// A node that reads everything each connection sends and counts it,
/// until EOF or an error (restarted, it listens again).
fn sink() -> Node {
    Node::builder("sink")
        .init(|| async {
            let l = TcpListener::bind("0.0.0.0:9").await.unwrap();
            loop {
                let Ok((mut s, _)) = l.accept().await else {
                    return;
                };
                spawn(async move {
                    let mut buf = vec![0u8; 4096];
                    while let Ok(n) = s.read(&mut buf).await {
                        if n == 0 {
                            break;
                        }
                        if rand::gen_bool(0.1) {
                            time::sleep(ms(rand::gen_range(1..5))).await;
                        }
                    }
                });
            }
        })
        .build()
}

/// Round trips of random sizes through the echo node, some past one
/// segment, with random pauses; then a close with the last echo unread
/// (the echo side's next write meets an RST).
async fn rpc_client(c: u32) -> String {
    let mut s = TcpStream::connect("echo:7").await.unwrap();
    let mut total = 0usize;
    for i in 0..30u32 {
        let len = if rand::gen_bool(0.1) {
            rand::gen_range(17_000..70_000usize)
        } else {
            rand::gen_range(1..200usize)
        };
        let msg: Vec<u8> = (0..len).map(|k| (k as u32 * (c + 1) + i) as u8).collect();
        let (mut rd, mut wr) = TcpStream::split(&mut s);
        let (w, back) = futures::join!(wr.write_all(&msg), async {
            let mut back = vec![0u8; len];
            rd.read_exact(&mut back).await.map(|()| back)
        });
        match (w, back) {
            (Ok(()), Ok(back)) => {
                assert_eq!(back, msg);
                total += len;
            }
            (w, b) => {
                return format!("client-{c}: {total} bytes, then {:?}", w.err().or(b.err()));
            }
        }
        time::sleep(ms(rand::gen_range(0..20))).await;
    }
    s.write_all(b"unread").await.unwrap();
    drop(s);
    format!("client-{c}: {total} bytes")
}

/// Streams to the sink until a write fails (the sink's node is killed in
/// the middle), then reconnects once it is back.
async fn streamer_task() -> String {
    let mut out = Vec::new();
    for round in 0..2 {
        let mut s = loop {
            match TcpStream::connect("sink:9").await {
                Ok(s) => break s,
                Err(_) => time::sleep(ms(10)).await,
            }
        };
        let mut sent = 0usize;
        let err = loop {
            let chunk = vec![round as u8; rand::gen_range(1..3000usize)];
            match time::timeout(ms(500), s.write_all(&chunk)).await {
                Ok(Ok(())) => sent += chunk.len(),
                Ok(Err(e)) => break e.kind(),
                Err(_) => break ErrorKind::TimedOut,
            }
            if sent > 2_000_000 {
                break ErrorKind::Other;
            }
            time::sleep(ms(rand::gen_range(0..3))).await;
        };
        out.push(format!("round {round}: {sent} bytes, then {err:?}"));
    }
    out.join("; ")
}

/// Small numbered writes to the echo node every few milliseconds while
/// another task reads the echoes back and checks their order: a partition
/// shorter than the retransmission timeout makes a later write arrive
/// before an earlier one that was lost (kept aside until the gap is
/// filled), at the echo node and back.
async fn ticker() -> String {
    let mut s = TcpStream::connect("echo:7").await.unwrap();
    let (mut rd, mut wr) = TcpStream::split(&mut s);
    let writes = async {
        for i in 0..150u32 {
            wr.write_all(&i.to_le_bytes()).await?;
            time::sleep(ms(rand::gen_range(1..6))).await;
        }
        Ok::<_, std::io::Error>(())
    };
    let reads = async {
        for i in 0..150u32 {
            let mut b = [0u8; 4];
            rd.read_exact(&mut b).await?;
            assert_eq!(u32::from_le_bytes(b), i, "the echoes come back in order");
        }
        Ok::<_, std::io::Error>(())
    };
    let (w, r) = futures::join!(writes, reads);
    format!("ticker: {:?}", w.and(r).map_err(|e| e.kind()))
}

/// How a run of [`workload`] turns the express paths off.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Not at all.
    Express,
    /// The express write, with a per-link rule.
    NoExpressWrite,
    /// Both, with a partition between two idle nodes.
    NoExpress,
}

/// The two idle nodes of [`Mode::NoExpress`] (made in every mode, so that
/// node ids agree).
fn idle_nodes() -> (Node, Node) {
    (
        Node::builder("idle-a").build(),
        Node::builder("idle-b").build(),
    )
}

/// Whether a trace line is the idle partition of [`Mode::NoExpress`].
fn idle_partition_line(text: &str) -> bool {
    // The idle nodes are the first two after `main`.
    text == "net: partition node 1 | node 2"
}

async fn workload(mode: Mode) -> (Vec<String>, String) {
    let net = Network::current();
    let idle = idle_nodes();
    assert_eq!((idle.0.id().as_u32(), idle.1.id().as_u32()), (1, 2));
    if mode == Mode::NoExpress {
        net.partition(&idle.0, &idle.1);
    }
    let express = mode != Mode::NoExpressWrite;
    let echo = common::tcp_echo_node("echo", "0.0.0.0:7");
    let sink = sink();
    let clients: Vec<Node> = (0..3)
        .map(|c| Node::builder(format!("client-{c}")).build())
        .collect();
    if !express {
        // The default's own configuration, as a rule: same verdicts, no
        // draw, and no express path anywhere.
        net.set_link(&clients[0], &echo, net.default_config())
            .unwrap();
    }
    let mut tasks = Vec::new();
    for (c, node) in clients.iter().enumerate() {
        tasks.push(node.spawn(rpc_client(c as u32)));
    }
    let (c0, c1) = (clients[0], clients[1]);
    let streamer = Node::builder("streamer").build();
    tasks.push(streamer.spawn(streamer_task()));
    let tick = Node::builder("ticker").build();
    tasks.push(tick.spawn(ticker()));
    let tick_chaos = spawn(async move {
        let net = Network::current();
        time::sleep(ms(rand::gen_range(5..60))).await;
        net.partition(&tick, &echo);
        time::sleep(ms(rand::gen_range(1..80))).await;
        net.heal(&tick, &echo);
    });
    let chaos = spawn(async move {
        let net = Network::current();
        // After the ticker's partition (while a partition is on anywhere,
        // the express paths are off).
        time::sleep(ms(rand::gen_range(150..200))).await;
        // Long enough for segments lost at different times to be
        // retransmitted out of order once it heals.
        net.partition(&c0, &echo);
        net.partition(&streamer, &sink);
        time::sleep(ms(rand::gen_range(100..1000))).await;
        net.heal_all();
        if mode == Mode::NoExpress {
            net.partition(&idle.0, &idle.1);
        }
        time::sleep(ms(rand::gen_range(1..20))).await;
        net.clog_node(&c1, ms(rand::gen_range(1..15)));
        time::sleep(ms(rand::gen_range(1..30))).await;
        sink.kill();
        time::sleep(ms(rand::gen_range(1..50))).await;
        sink.restart();
        tick_chaos.await.unwrap();
    });
    common::join_with_stats(tasks, chaos).await
}

#[test]
fn the_express_paths_change_nothing_a_run_observes() {
    let mut outcomes = std::collections::BTreeSet::new();
    for seed in 0..60 {
        let mut a = detsim::Sim::builder().seed(seed).build();
        let out_a = a.run(workload(Mode::Express)).unwrap();
        let mut b = detsim::Sim::builder().seed(seed).build();
        let out_b = b.run(workload(Mode::NoExpressWrite)).unwrap();
        assert_eq!(out_a, out_b, "seed {seed}");
        assert_eq!(a.fingerprint(), b.fingerprint(), "seed {seed}");
        assert_eq!(a.tape(), b.tape(), "seed {seed}");
        assert_eq!(a.now(), b.now(), "seed {seed}");
        outcomes.insert(out_a);
    }
    // The workload really varies: the seeds do not all end alike.
    assert!(outcomes.len() > 50, "{} distinct outcomes", outcomes.len());
}

#[test]
fn express_runs_are_deterministic() {
    let runs = common::run_each_seed_twice(0..30, || workload(Mode::Express));
    common::assert_seeds_differ(&runs, 20);
}

/// The express arrival (and write) against the general path: the same
/// run, poll for poll and event for event, with both express paths off.
#[test]
fn the_express_arrival_changes_nothing_a_run_observes() {
    let lines = |sim: &detsim::Sim| -> Vec<String> {
        let trace = sim.trace().unwrap();
        assert_eq!(trace.dropped(), 0);
        trace
            .lines()
            .iter()
            .filter(|l| !idle_partition_line(l.text()))
            .map(|l| l.to_string())
            .collect()
    };
    for seed in 0..20 {
        let build = || {
            detsim::Sim::builder()
                .seed(seed)
                .trace(true)
                .trace_limit(usize::MAX)
                .build()
        };
        let mut a = build();
        let out_a = a.run(workload(Mode::Express)).unwrap();
        let mut b = build();
        let out_b = b.run(workload(Mode::NoExpress)).unwrap();
        assert_eq!(out_a, out_b, "seed {seed}");
        let (ta, tb) = (lines(&a), lines(&b));
        if let Some(i) = (0..ta.len().max(tb.len())).find(|&i| ta.get(i) != tb.get(i)) {
            panic!(
                "seed {seed}: traces differ at line {i}:\n{:?}\n{:?}",
                ta.get(i),
                tb.get(i)
            );
        }
        assert_eq!(a.tape(), b.tape(), "seed {seed}");
        assert_eq!(a.now(), b.now(), "seed {seed}");
    }
}
