//! Splitting TCP streams: the borrowed halves of `TcpStream::split` (with
//! tokio's `copy` in both directions of a proxy, under jitter; dropping
//! them shuts nothing down; closing the write half is a half-close) and
//! `reunite` of the owned halves (the stream comes back whole, halves of
//! different streams come back in the error).

mod common;

use std::io::ErrorKind;

use common::ms;
use detsim::net::{Latency, LinkConfig, Network, ReuniteError, TcpListener, TcpStream};
use detsim::node::Node;
use detsim::{Sim, spawn, time};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// An echo server whose connections are echoed by `tokio::io::copy` from
/// the borrowed read half to the borrowed write half, then half-closed.
fn split_echo_node(name: &str) -> Node {
    Node::builder(name)
        .init(|| async {
            let listener = TcpListener::bind("0.0.0.0:7").await.unwrap();
            loop {
                let (mut stream, _) = listener.accept().await.unwrap();
                spawn(async move {
                    // tokio's AsyncReadExt has no `split`: this is the
                    // inherent, borrowing one.
                    let (mut rd, mut wr) = stream.split();
                    tokio::io::copy(&mut rd, &mut wr).await.unwrap();
                    wr.shutdown().await.unwrap();
                });
            }
        })
        .build()
}

#[test]
fn split_halves_echo_with_tokio_copy_under_jitter() {
    for seed in 0..10 {
        let mut sim = Sim::builder().seed(seed).build();
        sim.run(async {
            Network::current()
                .set_default(LinkConfig::new().latency(Latency::uniform(ms(1), ms(20))))
                .unwrap();
            split_echo_node("echo");
            time::sleep(ms(1)).await;
            let mut s = TcpStream::connect("echo:7").await.unwrap();
            let payload: Vec<u8> = (0..200_000u32).map(|i| (i % 253) as u8).collect();
            // Write and read at once, through the borrowed halves, in one
            // task: the echo needs both directions moving (more than the
            // window and the buffers hold).
            let (mut rd, mut wr) = s.split();
            let write = async {
                wr.write_all(&payload).await.unwrap();
                wr.shutdown().await.unwrap();
            };
            let mut echoed = Vec::new();
            let read = async {
                rd.read_to_end(&mut echoed).await.unwrap();
            };
            futures::join!(write, read);
            assert_eq!(echoed, payload);
        })
        .unwrap();
    }
}

#[test]
fn a_proxy_copies_both_directions_with_split_halves() {
    let mut sim = Sim::builder().seed(4).build();
    sim.run(async {
        Network::current()
            .set_default(LinkConfig::new().latency(Latency::uniform(ms(1), ms(10))))
            .unwrap();
        split_echo_node("backend");
        Node::builder("proxy")
            .init(|| async {
                let listener = TcpListener::bind("0.0.0.0:8080").await.unwrap();
                loop {
                    let (mut client, _) = listener.accept().await.unwrap();
                    spawn(async move {
                        let mut backend = TcpStream::connect("backend:7").await.unwrap();
                        let (mut crd, mut cwr) = client.split();
                        let (mut brd, mut bwr) = backend.split();
                        let up = async {
                            let n = tokio::io::copy(&mut crd, &mut bwr).await?;
                            bwr.shutdown().await?;
                            Ok::<_, std::io::Error>(n)
                        };
                        let down = async {
                            let n = tokio::io::copy(&mut brd, &mut cwr).await?;
                            cwr.shutdown().await?;
                            Ok::<_, std::io::Error>(n)
                        };
                        let (up, down) = futures::future::try_join(up, down).await.unwrap();
                        assert_eq!(up, down);
                    });
                }
            })
            .build();
        time::sleep(ms(1)).await;
        let mut clients = Vec::new();
        for c in 0..4u32 {
            clients.push(
                Node::builder(format!("client-{c}"))
                    .build()
                    .spawn(async move {
                        let mut s = TcpStream::connect("proxy:8080").await.unwrap();
                        let msg = format!("hello from {c} ").repeat(1000);
                        s.write_all(msg.as_bytes()).await.unwrap();
                        AsyncWriteExt::shutdown(&mut s).await.unwrap();
                        let mut back = String::new();
                        s.read_to_string(&mut back).await.unwrap();
                        assert_eq!(back, msg);
                    }),
            );
        }
        for c in clients {
            c.await.unwrap();
        }
    })
    .unwrap();
}

#[test]
fn dropping_split_halves_shuts_nothing_down() {
    common::run(async {
        let (mut c, mut s) = common::tcp_pair().await;
        {
            let (rd, mut wr) = c.split();
            assert_eq!(rd.local_addr().unwrap(), wr.local_addr().unwrap());
            assert_eq!(rd.peer_addr().unwrap(), s.local_addr().unwrap());
            wr.write_all(b"one ").await.unwrap();
        }
        // Whole again: both directions still work.
        c.write_all(b"two").await.unwrap();
        s.write_all(b"back").await.unwrap();
        let mut buf = [0u8; 4];
        c.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"back");
        AsyncWriteExt::shutdown(&mut c).await.unwrap();
        let mut got = String::new();
        s.read_to_string(&mut got).await.unwrap();
        assert_eq!(got, "one two");
    });
}

#[test]
fn closing_the_borrowed_write_half_is_a_half_close() {
    common::run(async {
        let (mut c, mut s) = common::tcp_pair().await;
        let (mut rd, mut wr) = c.split();
        wr.write_all(b"request").await.unwrap();
        wr.shutdown().await.unwrap();
        let mut req = String::new();
        s.read_to_string(&mut req).await.unwrap();
        assert_eq!(req, "request");
        // The peer can still answer: the read half reads it.
        s.write_all(b"response").await.unwrap();
        drop(s);
        let mut resp = String::new();
        rd.read_to_string(&mut resp).await.unwrap();
        assert_eq!(resp, "response");
        let err = wr.write_all(b"more").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokenPipe);
    });
}

#[test]
fn split_halves_have_futures_io_traits_too() {
    common::run(async {
        let (mut c, mut s) = common::tcp_pair().await;
        let (mut rd, mut wr) = c.split();
        futures::AsyncWriteExt::write_all(&mut wr, b"ping")
            .await
            .unwrap();
        let mut buf = [0u8; 4];
        futures::AsyncReadExt::read_exact(&mut s, &mut buf)
            .await
            .unwrap();
        assert_eq!(&buf, b"ping");
        futures::AsyncWriteExt::write_all(&mut s, b"pong")
            .await
            .unwrap();
        futures::AsyncReadExt::read_exact(&mut rd, &mut buf)
            .await
            .unwrap();
        assert_eq!(&buf, b"pong");
        futures::AsyncWriteExt::close(&mut wr).await.unwrap();
        let mut rest = Vec::new();
        futures::AsyncReadExt::read_to_end(&mut s, &mut rest)
            .await
            .unwrap();
        assert!(rest.is_empty());
    });
}

#[test]
fn with_futures_read_ext_in_scope_split_is_futures_own() {
    // The pitfall `TcpStream::split` documents: Rust's method lookup picks
    // futures' `AsyncReadExt::split(self)` (by value) over the inherent
    // `split(&mut self)`; `TcpStream::split(&mut c)` names the inherent one.
    use futures::io::AsyncReadExt as _;
    common::run(async {
        let (mut c, _s) = common::tcp_pair().await;
        {
            let (rd, _wr) = TcpStream::split(&mut c);
            let _: &detsim::net::ReadHalf<'_> = &rd;
        }
        let (rd, wr): (
            futures::io::ReadHalf<TcpStream>,
            futures::io::WriteHalf<TcpStream>,
        ) = c.split();
        let _c: TcpStream = rd.reunite(wr).unwrap();
    });
}

#[test]
fn split_halves_show_addresses_and_state_in_debug() {
    common::run(async {
        let (mut c, _s) = common::tcp_pair().await;
        let (rd, wr) = c.split();
        let rd = format!("{rd:?}");
        assert!(rd.starts_with("ReadHalf {"), "{rd}");
        assert!(rd.contains("ESTABLISHED"), "{rd}");
        assert!(format!("{wr:?}").starts_with("WriteHalf {"));
    });
}

#[test]
fn reunite_gives_the_stream_back_whole() {
    common::run(async {
        let (c, mut s) = common::tcp_pair().await;
        let local = c.local_addr().unwrap();
        let (mut rd, mut wr) = c.into_split();
        wr.write_all(b"split ").await.unwrap();
        s.write_all(b"x").await.unwrap();
        let mut one = [0u8; 1];
        rd.read_exact(&mut one).await.unwrap();
        let mut c = rd.reunite(wr).unwrap();
        assert_eq!(c.local_addr().unwrap(), local);
        c.write_all(b"whole").await.unwrap();
        s.write_all(b"y").await.unwrap();
        c.read_exact(&mut one).await.unwrap();
        assert_eq!(&one, b"y");
        // Dropping the reunited stream closes the connection: its
        // handles were counted once, not leaked nor released twice.
        drop(c);
        let mut got = String::new();
        s.read_to_string(&mut got).await.unwrap();
        assert_eq!(got, "split whole");
    });
}

#[test]
fn reunite_from_the_write_half_and_after_a_half_close() {
    common::run(async {
        let (c, mut s) = common::tcp_pair().await;
        let (rd, mut wr) = c.into_split();
        wr.write_all(b"bye").await.unwrap();
        wr.shutdown().await.unwrap();
        let mut c = wr.reunite(rd).unwrap();
        // The write side stays shut down; reading still works.
        let err = c.write_all(b"more").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokenPipe);
        s.write_all(b"ok").await.unwrap();
        let mut buf = [0u8; 2];
        c.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"ok");
        let mut got = String::new();
        s.read_to_string(&mut got).await.unwrap();
        assert_eq!(got, "bye");
    });
}

#[test]
fn reuniting_halves_of_different_streams_gives_both_back() {
    common::run(async {
        let l = TcpListener::bind("127.0.0.1:80").await.unwrap();
        let a = TcpStream::connect("127.0.0.1:80").await.unwrap();
        let (mut a_server, _) = l.accept().await.unwrap();
        let b = TcpStream::connect("127.0.0.1:80").await.unwrap();
        let (_b_server, _) = l.accept().await.unwrap();
        let (a_rd, a_wr) = a.into_split();
        let (b_rd, b_wr) = b.into_split();
        let ReuniteError(a_rd, b_wr) = a_rd.reunite(b_wr).unwrap_err();
        let err = b_wr.reunite(a_rd).unwrap_err();
        assert_eq!(
            err.to_string(),
            "tried to reunite a read half and a write half that are not halves of the same \
             stream (from one TcpStream::into_split)"
        );
        let dbg = format!("{err:?}");
        assert!(dbg.starts_with("ReuniteError(OwnedReadHalf {"), "{dbg}");
        let ReuniteError(a_rd, b_wr) = err;
        // Untouched by the failed reunite: each still works, and reunites
        // with its own other half.
        let mut a = a_rd.reunite(a_wr).unwrap();
        let _b = b_rd.reunite(b_wr).unwrap();
        a.write_all(b"a").await.unwrap();
        let mut buf = [0u8; 1];
        a_server.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"a");
        // The two ends of one connection are two streams.
        let (rd, _) = a.into_split();
        let (_, wr) = a_server.into_split();
        let err = rd.reunite(wr).unwrap_err();
        assert_eq!(err.0.local_addr().unwrap(), err.1.peer_addr().unwrap());
        // As a `Box<dyn Error>`.
        let boxed: Box<dyn std::error::Error> = Box::new(err);
        assert!(boxed.to_string().contains("not halves of the same stream"));
    });
}
