//! TCP over the simulated network: echo with many clients, ordering under
//! jitter, write without flush, backpressure, half-close, refused
//! connections and taken ports, split halves, netstat.

mod common;

use std::io::ErrorKind;
use std::net::Shutdown;

use common::ms;
use detsim::net::{Latency, LinkConfig, Network, RECV_WINDOW, SEND_BUFFER, TcpListener, TcpStream};
use detsim::node::Node;
use detsim::{Sim, spawn, time};
use futures::io::{AsyncReadExt, AsyncWriteExt};

/// A node named `name` running a TCP echo server on port 7.
fn echo_node(name: &str) -> Node {
    Node::builder(name)
        .init(|| async {
            let listener = TcpListener::bind("0.0.0.0:7").await.unwrap();
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                spawn(async move {
                    let (mut rd, mut wr) = stream.into_split();
                    let mut buf = vec![0u8; 8192];
                    loop {
                        let n = rd.read(&mut buf).await.unwrap();
                        if n == 0 {
                            break;
                        }
                        wr.write_all(&buf[..n]).await.unwrap();
                    }
                });
            }
        })
        .build()
}

#[test]
fn echo_with_many_clients() {
    let mut sim = Sim::builder().seed(3).build();
    sim.run(async {
        echo_node("echo");
        let mut clients = Vec::new();
        for c in 0..20u32 {
            let node = Node::builder(format!("client-{c}")).build();
            clients.push(node.spawn(async move {
                let mut s = TcpStream::connect("echo:7").await.unwrap();
                for i in 0..5u32 {
                    let msg = format!("{c}/{i}");
                    s.write_all(msg.as_bytes()).await.unwrap();
                    let mut buf = vec![0u8; msg.len()];
                    s.read_exact(&mut buf).await.unwrap();
                    assert_eq!(buf, msg.as_bytes());
                }
            }));
        }
        for c in clients {
            c.await.unwrap();
        }
        // One round trip to connect, five to echo, each 2 × 1 ms.
        assert_eq!(time::Instant::now().since_start(), ms(12));
        let tcp = Network::current().stats().tcp;
        assert_eq!((tcp.connects, tcp.established, tcp.accepted), (20, 20, 20));
        assert_eq!((tcp.refused, tcp.resets, tcp.retransmits), (0, 0, 0));
    })
    .unwrap();
}

/// A deterministic payload and its FNV-1a checksum.
fn payload(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

fn fnv(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3)
    })
}

#[test]
fn a_large_payload_arrives_intact_and_in_order_under_jitter_loss_and_duplication() {
    for seed in 0..8 {
        let mut sim = Sim::builder().seed(seed).build();
        let (sent, got, stats) = sim
            .run(async move {
                Network::current()
                    .set_default(
                        LinkConfig::new()
                            .latency(Latency::uniform(ms(1), ms(30)))
                            .loss(0.05)
                            .duplicate(0.1),
                    )
                    .unwrap();
                echo_node("echo");
                let data = payload(1 << 20, seed);
                let s = TcpStream::connect("echo:7").await.unwrap();
                let (mut rd, mut wr) = s.into_split();
                let writer = spawn(async move {
                    wr.write_all(&data).await.unwrap();
                    wr.close().await.unwrap();
                    fnv(&data)
                });
                let mut back = Vec::new();
                rd.read_to_end(&mut back).await.unwrap();
                (
                    writer.await.unwrap(),
                    fnv(&back),
                    Network::current().stats(),
                )
            })
            .unwrap();
        assert_eq!(sent, got, "seed {seed}");
        assert!(stats.drops.loss > 0 && stats.total().duplicated > 0);
        assert_eq!(stats.tcp.retransmits, stats.drops.loss, "seed {seed}");
    }
}

#[test]
fn write_without_flush_is_delivered() {
    let mut sim = Sim::builder().seed(1).build();
    sim.run(async {
        let server = Node::builder("server").build();
        let got = server.spawn(async {
            let listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
            let (mut s, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 5];
            s.read_exact(&mut buf).await.unwrap();
            buf
        });
        time::sleep(ms(1)).await;
        let mut s = TcpStream::connect("server:80").await.unwrap();
        // No flush, and the stream stays open.
        assert_eq!(s.write(b"hello").await.unwrap(), 5);
        assert_eq!(&got.await.unwrap(), b"hello");
        drop(s);
    })
    .unwrap();
}

#[test]
fn a_writer_blocks_when_the_reader_does_not_read() {
    let mut sim = Sim::builder().seed(2).build();
    sim.run(async {
        let listener = TcpListener::bind("127.0.0.1:80").await.unwrap();
        let s = TcpStream::connect("127.0.0.1:80").await.unwrap();
        let (mut server, _) = listener.accept().await.unwrap();
        let (_rd, mut wr) = s.into_split();
        let writer = spawn(async move {
            let chunk = [7u8; 1000];
            let mut written = 0;
            // Everything the window and the send buffer take is accepted.
            while written < RECV_WINDOW + SEND_BUFFER {
                written += wr.write(&chunk).await.unwrap();
            }
            assert_eq!(written, RECV_WINDOW + SEND_BUFFER);
            let t = time::Instant::now();
            // Full: this write waits for the reader.
            wr.write_all(&chunk).await.unwrap();
            let blocked = t.elapsed();
            wr.flush().await.unwrap();
            (blocked, t.elapsed())
        });
        time::sleep(ms(500)).await;
        let mut buf = vec![0u8; 4096];
        let mut total = 0;
        while total < RECV_WINDOW + SEND_BUFFER + 1000 {
            total += server.read(&mut buf).await.unwrap();
        }
        let (blocked, flushed) = writer.await.unwrap();
        assert_eq!(blocked, ms(500), "the writer waited for the reader");
        assert_eq!(flushed, ms(500));
    })
    .unwrap();
}

/// `Framed`-style code writes, flushes, then reads, on both ends at once.
/// On a real socket (and tokio's) flush does not wait for the peer to
/// read, so this completes instead of deadlocking.
#[test]
fn write_flush_read_on_both_ends_does_not_deadlock() {
    let mut sim = Sim::builder().seed(5).build();
    sim.run(async {
        let listener = TcpListener::bind("127.0.0.1:80").await.unwrap();
        let client = spawn(async {
            let mut s = TcpStream::connect("127.0.0.1:80").await.unwrap();
            exchange(&mut s).await
        });
        let (mut server, _) = listener.accept().await.unwrap();
        assert_eq!(exchange(&mut server).await, 100_000);
        assert_eq!(client.await.unwrap(), 100_000);
    })
    .unwrap();
}

async fn exchange(s: &mut TcpStream) -> usize {
    s.write_all(&[1u8; 100_000]).await.unwrap();
    s.flush().await.unwrap();
    let mut buf = vec![0u8; 100_000];
    s.read_exact(&mut buf).await.unwrap();
    buf.len()
}

#[test]
fn half_close_gives_eof_and_the_peer_can_still_write_back() {
    let mut sim = Sim::builder().seed(4).build();
    sim.run(async {
        let server = Node::builder("server")
            .init(|| async {
                let listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
                let (mut s, _) = listener.accept().await.unwrap();
                let mut request = Vec::new();
                s.read_to_end(&mut request).await.unwrap(); // until EOF
                s.write_all(&request).await.unwrap();
                s.write_all(b"!").await.unwrap();
            })
            .build();
        let _ = server;
        time::sleep(ms(1)).await;
        let mut s = TcpStream::connect("server:80").await.unwrap();
        s.write_all(b"question").await.unwrap();
        s.shutdown(Shutdown::Write).unwrap();
        let err = s.write(b"more").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokenPipe);
        let mut answer = String::new();
        s.read_to_string(&mut answer).await.unwrap();
        assert_eq!(answer, "question!");
        // Reads after EOF keep returning 0.
        assert_eq!(s.read(&mut [0u8; 4]).await.unwrap(), 0);
    })
    .unwrap();
}

#[test]
fn refused_taken_unknown_and_unreachable() {
    let mut sim = Sim::builder().seed(5).build();
    sim.run(async {
        Node::builder("db").build();
        // A name tries the IPv4 address, then the IPv6 one: the error is
        // the last attempt's.
        let err = TcpStream::connect("db:5432").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
        assert!(err.to_string().contains("[fd00::2]:5432"), "{err}");
        let since_start = time::Instant::now().since_start();
        assert_eq!(since_start, ms(4), "one round trip per address");
        let l = TcpListener::bind("0.0.0.0:80").await.unwrap();
        let err = TcpListener::bind("10.0.0.1:80").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrInUse);
        // TCP and UDP ports are separate spaces.
        let _udp = detsim::net::UdpSocket::bind("0.0.0.0:80").await.unwrap();
        let err = TcpListener::bind("10.0.0.2:81").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrNotAvailable);
        let err = TcpStream::connect("nowhere:1").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        let err = TcpStream::connect("10.9.9.9:1").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::HostUnreachable);
        let stats = Network::current().stats();
        assert_eq!(stats.tcp.refused, 2);
        assert_eq!(stats.drops.no_host, 1);
        drop(l);
        // The port is free again once the listener is dropped.
        let _l = TcpListener::bind("0.0.0.0:80").await.unwrap();
    })
    .unwrap();
}

#[test]
fn dropping_a_stream_gives_the_peer_eof_then_writes_to_it_break_the_pipe() {
    let mut sim = Sim::builder().seed(6).build();
    sim.run(async {
        let listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
        let remote = Node::builder("remote").build();
        let c = remote.spawn(async {
            let mut s = TcpStream::connect("main:80").await.unwrap();
            s.write_all(b"bye").await.unwrap();
        });
        let (mut s, peer) = listener.accept().await.unwrap();
        assert_eq!(peer.to_string(), "10.0.0.2:49152");
        c.await.unwrap();
        let mut got = Vec::new();
        s.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, b"bye");
        // The peer is gone: the first write is answered with an RST, and
        // as on Linux (CLOSE_WAIT, `tcp_reset`) the next one gets EPIPE.
        s.write_all(b"anyone?").await.unwrap();
        time::sleep(ms(5)).await;
        let err = s.write_all(b"hello?").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokenPipe);
        assert!(
            err.to_string().contains("closed its side, then reset"),
            "{err}"
        );
        assert_eq!(Network::current().stats().tcp.resets, 1);
    })
    .unwrap();
}

#[test]
fn netstat_lists_listeners_and_connections() {
    let mut sim = Sim::builder().seed(7).build();
    sim.run(async {
        echo_node("echo");
        time::sleep(ms(1)).await;
        let s = TcpStream::connect("echo:7").await.unwrap();
        time::sleep(ms(1)).await;
        let table = Network::current().netstat();
        let rows: Vec<_> = table
            .sockets
            .iter()
            .map(|r| (r.proto, r.node.as_str(), r.state.unwrap_or("-")))
            .collect();
        assert_eq!(
            rows,
            [
                ("tcp", "echo", "LISTEN"),
                ("tcp", "main", "ESTABLISHED"),
                ("tcp", "echo", "ESTABLISHED"),
            ]
        );
        let text = table.to_string();
        assert!(text.contains("10.0.0.2:7"), "{text}");
        assert!(text.contains("tcp: connects 1"), "{text}");
        drop(s);
    })
    .unwrap();
}
