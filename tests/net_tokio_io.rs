//! tokio's io traits on detsim TCP (feature `tokio-io`, enabled for the
//! facade's tests by its dev-dependency on sim-net): `AsyncReadExt`,
//! `AsyncWriteExt`, `tokio::io::split`, `copy`, owned halves, half-close,
//! errors, under jitter.

mod common;

use std::io::ErrorKind;

use common::ms;
use detsim::net::{Latency, LinkConfig, Network, TcpListener, TcpStream};
use detsim::node::Node;
use detsim::{Sim, spawn, time};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

/// A node running a line-echo server written only against tokio's traits.
fn tokio_echo_node(name: &str) -> Node {
    Node::builder(name)
        .init(|| async {
            let listener = TcpListener::bind("0.0.0.0:7").await.unwrap();
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                spawn(async move {
                    let (rd, mut wr) = tokio::io::split(stream);
                    let mut lines = BufReader::new(rd).lines();
                    while let Some(line) = lines.next_line().await.unwrap() {
                        wr.write_all(format!("echo {line}\n").as_bytes())
                            .await
                            .unwrap();
                    }
                    wr.shutdown().await.unwrap();
                });
            }
        })
        .build()
}

#[test]
fn tokio_split_echo_under_jitter() {
    for seed in 0..20 {
        let mut sim = Sim::builder().seed(seed).build();
        sim.run(async {
            Network::current()
                .set_default(LinkConfig::new().latency(Latency::uniform(ms(1), ms(20))))
                .unwrap();
            tokio_echo_node("echo");
            let mut clients = Vec::new();
            for c in 0..5u32 {
                let node = Node::builder(format!("client-{c}")).build();
                clients.push(node.spawn(async move {
                    let s = TcpStream::connect("echo:7").await.unwrap();
                    let (rd, mut wr) = s.into_split();
                    let mut rd = BufReader::new(rd);
                    for i in 0..10u32 {
                        wr.write_all(format!("{c}/{i}\n").as_bytes()).await.unwrap();
                    }
                    wr.shutdown().await.unwrap(); // tokio's shutdown: half-close
                    let mut all = String::new();
                    rd.read_to_string(&mut all).await.unwrap();
                    let want: String = (0..10).map(|i| format!("echo {c}/{i}\n")).collect();
                    assert_eq!(all, want);
                }));
            }
            for c in clients {
                c.await.unwrap();
            }
        })
        .unwrap();
    }
}

#[test]
fn tokio_copy_moves_a_large_stream_with_backpressure() {
    let mut sim = Sim::builder().seed(9).build();
    sim.run(async {
        let listener = TcpListener::bind("0.0.0.0:9").await.unwrap();
        let payload: Vec<u8> = (0..1_000_000u32).map(|i| (i % 251) as u8).collect();
        let expected = payload.clone();
        let sender = Node::builder("sender").build().spawn(async move {
            let mut s = TcpStream::connect("main:9").await.unwrap();
            let mut src: &[u8] = &payload;
            let n = tokio::io::copy(&mut src, &mut s).await.unwrap();
            // The inherent `shutdown(how)` (std's) shadows the trait method.
            AsyncWriteExt::shutdown(&mut s).await.unwrap();
            n
        });
        let (mut s, _) = listener.accept().await.unwrap();
        let mut got = Vec::new();
        s.read_to_end(&mut got).await.unwrap();
        assert_eq!(sender.await.unwrap(), 1_000_000);
        assert_eq!(got, expected);
    })
    .unwrap();
}

#[test]
fn tokio_read_sees_reset_when_the_peer_node_is_killed() {
    let mut sim = Sim::builder().seed(4).build();
    sim.run(async {
        let server = Node::builder("server")
            .init(|| async {
                let listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
                let (mut s, _) = listener.accept().await.unwrap();
                s.write_all(b"hello").await.unwrap();
                std::future::pending::<()>().await;
            })
            .build();
        time::sleep(ms(1)).await;
        let mut s = TcpStream::connect("server:80").await.unwrap();
        let mut buf = [0u8; 5];
        s.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"hello");
        server.kill();
        let err = s.read_u8().await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionReset);
        // The reset is reported once, as Linux's socket error: then
        // writes are a broken pipe and reads EOF.
        let err = s.write_all(b"x").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokenPipe);
        assert_eq!(s.read(&mut buf).await.unwrap(), 0);
    })
    .unwrap();
}

#[test]
fn futures_and_tokio_traits_mix_on_one_stream() {
    let mut sim = Sim::builder().seed(1).build();
    sim.run(async {
        let listener = TcpListener::bind("127.0.0.1:5").await.unwrap();
        let client = spawn(async {
            let mut s = TcpStream::connect("localhost:5").await.unwrap();
            futures::io::AsyncWriteExt::write_all(&mut s, b"ab")
                .await
                .unwrap();
            tokio::io::AsyncWriteExt::write_all(&mut s, b"cd")
                .await
                .unwrap();
            tokio::io::AsyncWriteExt::flush(&mut s).await.unwrap();
        });
        let (mut s, _) = listener.accept().await.unwrap();
        let mut buf = [0u8; 0];
        assert_eq!(
            s.read(&mut buf).await.unwrap(),
            0,
            "an empty buffer reads nothing"
        );
        let mut got = String::new();
        s.read_to_string(&mut got).await.unwrap();
        assert_eq!(got, "abcd");
        client.await.unwrap();
    })
    .unwrap();
}
