//! `Network::swizzle_clog` (FoundationDB's swizzle-clog): a seeded subset
//! of nodes is clogged one at a time and unclogged in a seeded order;
//! clogged nodes hold traffic, the others do not; traffic resumes
//! afterwards; runs are fingerprint-stable; an all-zero tape swizzles
//! nothing.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::ms;
use detsim::net::{Network, Swizzled, TcpListener, TcpStream, UdpSocket};
use detsim::node::Node;
use detsim::time::{self, Instant};
use detsim::{Sim, Tape, spawn};
use futures::io::{AsyncReadExt, AsyncWriteExt};

/// The clog and unclog orders, by name.
fn names(s: &Swizzled) -> (Vec<String>, Vec<String>) {
    let f = |v: &[Node]| v.iter().map(|n| n.name().to_string()).collect();
    (f(&s.clogged), f(&s.unclogged))
}

/// A node running a TCP echo server on port 7 and a UDP echo on port 7.
fn echo_node(name: String) -> Node {
    Node::builder(name)
        .init(|| async {
            spawn(async {
                let sock = UdpSocket::bind("0.0.0.0:7").await.unwrap();
                let mut buf = [0u8; 64];
                loop {
                    let (n, from) = sock.recv_from(&mut buf).await.unwrap();
                    sock.send_to(&buf[..n], from).await.unwrap();
                }
            });
            let listener = TcpListener::bind("0.0.0.0:7").await.unwrap();
            loop {
                let (mut s, _) = listener.accept().await.unwrap();
                spawn(async move {
                    let mut buf = [0u8; 64];
                    loop {
                        match s.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => s.write_all(&buf[..n]).await.unwrap(),
                        }
                    }
                });
            }
        })
        .build()
}

/// Five echo nodes, a TCP client per node doing round trips while the
/// swizzle runs, then more round trips after it. Returns the swizzled
/// nodes, each client's round trips during the swizzle, and the virtual
/// time at the end.
async fn workload() -> ((Vec<String>, Vec<String>), Vec<u32>, Duration) {
    let servers: Vec<Node> = (0..5).map(|i| echo_node(format!("s{i}"))).collect();
    time::sleep(ms(1)).await;
    let swizzle = spawn(Network::current().swizzle_clog(servers.clone(), ms(300)));
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut clients = Vec::new();
    for i in 0..5 {
        let done = done.clone();
        let client = Node::builder(format!("c{i}")).build();
        clients.push(client.spawn(async move {
            let mut s = TcpStream::connect(format!("s{i}:7")).await.unwrap();
            let mut during = 0u32;
            let mut buf = [0u8; 4];
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                s.write_all(b"ping").await.unwrap();
                s.read_exact(&mut buf).await.unwrap();
                during += 1;
            }
            // Traffic resumes: each round trip after the swizzle takes
            // one round trip of the quiet network's latency (or the time
            // to release what the last unclog freed).
            for _ in 0..5 {
                let rtt = Instant::now();
                time::timeout(ms(100), async {
                    s.write_all(b"pong").await.unwrap();
                    s.read_exact(&mut buf).await.unwrap();
                })
                .await
                .expect("traffic resumes after the swizzle");
                assert!(Instant::now() - rtt <= ms(100));
            }
            during
        }));
    }
    let swizzled = swizzle.await.unwrap();
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut during = Vec::new();
    for c in clients {
        during.push(c.await.unwrap());
    }
    (names(&swizzled), during, Instant::now().since_start())
}

#[test]
fn a_hundred_seeds_run_twice_give_identical_swizzles_and_traffic_resumes() {
    let mut subsets = BTreeSet::new();
    let mut orders = BTreeSet::new();
    for seed in 0..100 {
        let mut a = Sim::builder().seed(seed).build();
        let out_a = a.run(workload()).unwrap();
        let mut b = Sim::builder().seed(seed).build();
        let out_b = b.run(workload()).unwrap();
        assert_eq!(a.fingerprint(), b.fingerprint(), "seed {seed}");
        assert_eq!(a.tape(), b.tape(), "seed {seed}");
        assert_eq!(out_a, out_b, "seed {seed}");
        let (clogged, unclogged) = out_a.0;
        // At most 2 × swizzled × max_interval, plus setup and the tail.
        assert!(
            out_a.2 <= ms(1 + 2 * 300 * clogged.len() as u64 + 600),
            "seed {seed}: {:?}",
            out_a.2
        );
        let mut sorted = unclogged.clone();
        sorted.sort();
        assert_eq!(
            sorted, clogged,
            "seed {seed}: the same nodes, in node order"
        );
        subsets.insert(clogged);
        orders.insert(unclogged);
    }
    // Subsets of 5 nodes: 32 possible, most of them seen.
    assert!(subsets.len() > 20, "{} subsets", subsets.len());
    assert!(
        orders.len() > subsets.len(),
        "unclog orders are drawn: {} orders, {} subsets",
        orders.len(),
        subsets.len()
    );
}

#[test]
fn clogged_nodes_hold_traffic_and_the_others_do_not() {
    let mut sim = Sim::builder().seed(7).build();
    let (swizzled, rtts) = sim
        .run(async {
            let servers: Vec<Node> = (0..6).map(|i| echo_node(format!("s{i}"))).collect();
            time::sleep(ms(1)).await;
            let swizzle = spawn(Network::current().swizzle_clog(servers, ms(200)));
            // Ping every node over UDP every 10 ms during the swizzle;
            // record each node's worst round trip.
            let mut probes = Vec::new();
            for i in 0..6 {
                probes.push(spawn(async move {
                    let sock = UdpSocket::bind("0.0.0.0:0").await.unwrap();
                    let mut worst = Duration::ZERO;
                    for _ in 0..60 {
                        let sent = Instant::now();
                        sock.send_to(b"p", format!("s{i}:7")).await.unwrap();
                        let mut buf = [0u8; 4];
                        sock.recv_from(&mut buf).await.unwrap();
                        worst = worst.max(Instant::now() - sent);
                        time::sleep(ms(10)).await;
                    }
                    worst
                }));
            }
            let swizzled = swizzle.await.unwrap();
            let mut rtts = Vec::new();
            for p in probes {
                rtts.push(p.await.unwrap());
            }
            (names(&swizzled).0, rtts)
        })
        .unwrap();
    assert!(!swizzled.is_empty(), "seed 7 swizzles some nodes");
    for (i, rtt) in rtts.iter().enumerate() {
        let name = format!("s{i}");
        if swizzled.contains(&name) {
            assert!(*rtt > ms(2), "{name} was clogged: {rtt:?}");
        } else {
            // The quiet network: 1 ms each way, never held.
            assert_eq!(*rtt, ms(2), "{name} was not clogged");
        }
    }
}

#[test]
fn an_all_zero_tape_swizzles_nothing() {
    let mut sim = Sim::builder().tape(Tape::new(vec![0; 10_000])).build();
    let (swizzled, elapsed) = sim
        .run(async {
            let nodes: Vec<Node> = (0..4)
                .map(|i| Node::builder(format!("n{i}")).build())
                .collect();
            let start = Instant::now();
            let swizzled = Network::current().swizzle_clog(nodes, ms(500)).await;
            (swizzled.clogged.len(), Instant::now() - start)
        })
        .unwrap();
    assert_eq!((swizzled, elapsed), (0, Duration::ZERO));
}

#[test]
fn with_every_node_drawn_and_zero_intervals_it_unclogs_in_clog_order() {
    // Draws: four "swizzle it" 1s, then zeros (no waits, unclog the
    // earliest clogged first).
    let mut tape = vec![1, 1, 1, 1];
    tape.extend([0; 100]);
    // A fixed epoch: the first draw of the run is then the swizzle's.
    let mut sim = Sim::builder()
        .epoch(detsim::time::SystemTime::UNIX_EPOCH)
        .tape(Tape::new(tape))
        .build();
    let orders = sim
        .run(async {
            let nodes: Vec<Node> = (0..4)
                .map(|i| Node::builder(format!("n{i}")).build())
                .collect();
            let swizzled = Network::current().swizzle_clog(nodes, ms(500)).await;
            names(&swizzled)
        })
        .unwrap();
    assert_eq!(orders.0, ["n0", "n1", "n2", "n3"]);
    assert_eq!(orders.1, ["n0", "n1", "n2", "n3"]);
}
