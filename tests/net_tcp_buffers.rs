//! TCP byte paths: writes and reads of every size (smaller than a
//! segment, larger than the window, leaving bytes behind in the receive
//! buffer, wrapping the buffers around) deliver every byte once, in
//! order, across nodes and within one node; and a run is a pure function
//! of its seed.

use std::time::Duration;

use detsim::net::{TcpListener, TcpStream};
use detsim::node::Node;
use detsim::{Sim, spawn, time};
use futures::io::{AsyncReadExt, AsyncWriteExt};

/// splitmix64: the chunk sizes of a test, from its seed.
fn sizes(seed: u64) -> impl FnMut(usize) -> usize {
    let mut state = seed;
    move |max| {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        1 + (z ^ (z >> 31)) as usize % max
    }
}

fn payload(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 + i / 251) as u8).collect()
}

/// An echo server that reads with buffers of random sizes (up
/// to 7,000 bytes) and writes back what it read in random-sized pieces.
async fn odd_echo(seed: u64) {
    let listener = TcpListener::bind("0.0.0.0:7").await.unwrap();
    let (mut s, _) = listener.accept().await.unwrap();
    let mut next = sizes(seed ^ 0x5eed);
    let mut buf = vec![0u8; 7_000];
    loop {
        let n = s.read(&mut buf[..next(7_000)]).await.unwrap();
        if n == 0 {
            break;
        }
        let mut at = 0;
        while at < n {
            let k = next(n - at);
            s.write_all(&buf[at..at + k]).await.unwrap();
            at += k;
        }
    }
}

/// Sends 300 KB in random-sized writes (up to 5,000 bytes) to `target`
/// while reading the echo back in random-sized reads (up to 9,000 bytes);
/// returns what came back.
async fn exchange(target: &'static str, seed: u64) -> (Vec<u8>, Vec<u8>) {
    time::sleep(Duration::from_millis(1)).await;
    let data = payload(300_000);
    let s = TcpStream::connect(target).await.unwrap();
    let (mut rd, mut wr) = s.into_split();
    let sent = data.clone();
    let writer = spawn(async move {
        let mut next = sizes(seed);
        let mut at = 0;
        while at < data.len() {
            let k = next(5_000).min(data.len() - at);
            wr.write_all(&data[at..at + k]).await.unwrap();
            at += k;
        }
        wr.close().await.unwrap();
    });
    let mut next = sizes(seed ^ 1);
    let mut back = Vec::new();
    let mut buf = vec![0u8; 9_000];
    loop {
        let n = rd.read(&mut buf[..next(9_000)]).await.unwrap();
        if n == 0 {
            break;
        }
        back.extend_from_slice(&buf[..n]);
    }
    writer.await.unwrap();
    (sent, back)
}

/// The 300 KB exchange with an echo node, seed `seed`: the simulation
/// (for its fingerprint), what was sent and what came back.
fn across_nodes(seed: u64) -> (Sim, Vec<u8>, Vec<u8>) {
    let mut sim = Sim::builder().seed(seed).build();
    let (sent, back) = sim
        .run(async move {
            Node::builder("echo").init(move || odd_echo(seed)).build();
            exchange("echo:7", seed).await
        })
        .unwrap();
    (sim, sent, back)
}

#[test]
fn odd_sized_writes_and_reads_keep_every_byte_in_order_across_nodes() {
    for seed in 0..4 {
        let (_, sent, back) = across_nodes(seed);
        assert_eq!(back.len(), sent.len(), "seed {seed}");
        assert!(back == sent, "seed {seed}: the echo differs");
    }
}

#[test]
fn odd_sized_writes_and_reads_keep_every_byte_in_order_within_a_node() {
    for seed in 0..4 {
        let mut sim = Sim::builder().seed(seed).build();
        let (sent, back) = sim
            .run(async move {
                spawn(odd_echo(seed));
                exchange("localhost:7", seed).await
            })
            .unwrap();
        assert!(back == sent, "seed {seed}: the echo differs");
    }
}

#[test]
fn the_same_seed_gives_the_same_run() {
    let run = |seed: u64| {
        let (sim, _, back) = across_nodes(seed);
        (sim.fingerprint(), sim.now(), back.len())
    };
    for seed in 0..20 {
        assert_eq!(run(seed), run(seed), "seed {seed}");
    }
}

#[test]
fn a_reader_taking_a_few_bytes_at_a_time_gets_every_byte_from_a_blocked_writer() {
    // The writer runs far ahead: its bytes wait in the send buffer, which
    // the reader's small reads drain a little at a time while the writer
    // refills it between them (so the buffer wraps around its storage),
    // and every read sends a window update.
    let mut sim = Sim::builder().seed(3).build();
    let (sent, got) = sim
        .run(async {
            Node::builder("sink")
                .init(|| async {
                    let listener = TcpListener::bind("0.0.0.0:9").await.unwrap();
                    let (mut s, _) = listener.accept().await.unwrap();
                    let mut got = Vec::new();
                    let mut buf = [0u8; 97];
                    loop {
                        let n = s.read(&mut buf).await.unwrap();
                        if n == 0 {
                            break;
                        }
                        got.extend_from_slice(&buf[..n]);
                        // Let the writer refill between reads.
                        detsim::yield_now().await;
                    }
                    s.write_all(&(got.len() as u64).to_le_bytes())
                        .await
                        .unwrap();
                    s.write_all(&got).await.unwrap();
                })
                .build();
            time::sleep(Duration::from_millis(1)).await;
            let data = payload(200_000);
            let mut s = TcpStream::connect("sink:9").await.unwrap();
            for chunk in data.chunks(3_001) {
                s.write_all(chunk).await.unwrap();
            }
            s.close().await.unwrap();
            let mut len = [0u8; 8];
            s.read_exact(&mut len).await.unwrap();
            let mut got = vec![0u8; u64::from_le_bytes(len) as usize];
            s.read_exact(&mut got).await.unwrap();
            (data, got)
        })
        .unwrap();
    assert_eq!(got.len(), sent.len());
    assert!(got == sent, "the bytes differ");
}
