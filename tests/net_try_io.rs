//! tokio's readiness and non-blocking io on detsim sockets: TCP's
//! `readable`, `writable`, `try_read`, `try_write` and `peek` (on the
//! stream and its halves), UDP's `try_send_to`, `try_send`,
//! `try_recv_from`, `try_recv`, `readable`, `writable`, the peeks
//! (`peek_from`, `try_peek_from`, `peek_sender`, `try_peek_sender`), and
//! `take_error` on both:
//! `WouldBlock` where a call would wait, peeks that consume nothing, waits
//! that take virtual time, many tasks waiting on one socket at once, and
//! waits that are cancelled. Also: a UDP socket bound to the unspecified
//! address reports its source address once connected.

mod common;

use std::io::ErrorKind;
use std::sync::Arc;

use common::{ms, since_start};
use detsim::net::{
    Latency, LinkConfig, Network, RECV_WINDOW, SEND_BUFFER, TcpListener, TcpStream, UdpSocket,
};
use detsim::node::Node;
use detsim::{Sim, spawn, time};
use futures::io::{AsyncReadExt, AsyncWriteExt};

// ---- TCP: try_read ----

#[test]
fn tcp_try_read_would_block_then_reads_then_sees_eof() {
    common::run(async {
        let (c, mut s) = common::tcp_pair().await;
        let mut buf = [0u8; 8];
        let err = c.try_read(&mut buf).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::WouldBlock);
        assert_eq!(
            c.try_read(&mut []).unwrap(),
            0,
            "an empty buffer reads nothing"
        );
        s.write_all(b"hello world").await.unwrap();
        assert_eq!(c.try_read(&mut buf).unwrap(), 8);
        assert_eq!(&buf, b"hello wo");
        assert_eq!(c.try_read(&mut buf).unwrap(), 3);
        assert_eq!(
            c.try_read(&mut buf).unwrap_err().kind(),
            ErrorKind::WouldBlock
        );
        drop(s);
        assert_eq!(c.try_read(&mut buf).unwrap(), 0, "EOF");
        assert_eq!(c.try_read(&mut buf).unwrap(), 0, "EOF again");
    });
}

#[test]
fn tcp_try_read_after_a_read_shutdown_is_eof() {
    common::run(async {
        let (c, _s) = common::tcp_pair().await;
        c.shutdown(std::net::Shutdown::Read).unwrap();
        assert_eq!(c.try_read(&mut [0u8; 4]).unwrap(), 0);
        c.readable().await.unwrap(); // ready at once
    });
}

#[test]
fn tcp_try_read_returns_the_bytes_then_the_reset() {
    common::run(async {
        let (c, mut s) = common::tcp_pair().await;
        s.write_all(b"last").await.unwrap();
        // The server closes with input it never read: an RST.
        c.try_write(b"unread").unwrap();
        drop(s);
        let mut buf = [0u8; 16];
        assert_eq!(c.try_read(&mut buf).unwrap(), 4);
        let err = c.try_read(&mut buf).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionReset);
        c.readable().await.unwrap();
        c.writable().await.unwrap();
        // Reported once (Linux's socket error): then a broken pipe.
        let err = c.try_write(b"x").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokenPipe);
        assert_eq!(c.try_read(&mut buf).unwrap(), 0);
    });
}

// ---- TCP: try_write ----

#[test]
fn tcp_try_write_takes_the_window_and_buffer_then_would_block() {
    common::run(async {
        let (c, _s) = common::tcp_pair().await;
        assert_eq!(c.try_write(b"").unwrap(), 0);
        assert_eq!(common::fill_send_buffer(&c), RECV_WINDOW + SEND_BUFFER);
        let err = c.try_write(b"x").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::WouldBlock);
        assert!(err.to_string().contains("send buffer is full"), "{err}");
        assert_eq!(c.try_write(b"").unwrap(), 0, "an empty write never waits");
    });
}

#[test]
fn tcp_try_write_after_shutdown_is_broken_pipe() {
    common::run(async {
        let (c, _s) = common::tcp_pair().await;
        c.shutdown(std::net::Shutdown::Write).unwrap();
        let err = c.try_write(b"x").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokenPipe);
        c.writable().await.unwrap(); // a write fails at once: ready
    });
}

// ---- TCP: readable / writable ----

#[test]
fn tcp_readable_waits_for_bytes_across_the_network() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        Network::current()
            .set_default(LinkConfig::new().latency(Latency::constant(ms(7))))
            .unwrap();
        common::tcp_echo_node("echo", "0.0.0.0:7");
        time::sleep(ms(1)).await;
        let c = TcpStream::connect("echo:7").await.unwrap();
        let sent_at = since_start();
        c.try_write(b"ping").unwrap();
        let mut buf = [0u8; 8];
        let n = loop {
            c.readable().await.unwrap();
            match c.try_read(&mut buf) {
                Ok(n) => break n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => continue,
                Err(e) => panic!("{e}"),
            }
        };
        assert_eq!(&buf[..n], b"ping");
        assert_eq!(since_start() - sent_at, ms(14), "one round trip");
    })
    .unwrap();
}

#[test]
fn tcp_readable_is_ready_at_eof() {
    common::run(async {
        let (c, s) = common::tcp_pair().await;
        let waiter = spawn(async move {
            c.readable().await.unwrap();
            c.try_read(&mut [0u8; 4]).unwrap()
        });
        time::sleep(ms(5)).await;
        drop(s);
        assert_eq!(waiter.await.unwrap(), 0);
    });
}

#[test]
fn many_tasks_wait_on_one_stream_and_all_wake() {
    common::run(async {
        let (c, mut s) = common::tcp_pair().await;
        let c = Arc::new(c);
        let mut waiters = Vec::new();
        for i in 0..5u64 {
            let c = c.clone();
            waiters.push(spawn(async move {
                time::sleep(ms(i)).await; // park one after the other
                if i % 2 == 0 {
                    c.readable().await.unwrap();
                    since_start()
                } else {
                    let mut buf = [0u8; 4];
                    assert_eq!(c.peek(&mut buf).await.unwrap(), 4);
                    assert_eq!(&buf, b"data");
                    since_start()
                }
            }));
        }
        time::sleep(ms(20)).await;
        s.write_all(b"data").await.unwrap();
        for w in waiters {
            assert_eq!(w.await.unwrap(), ms(20), "every waiter woke");
        }
        // Nobody consumed anything.
        assert_eq!(c.try_read(&mut [0u8; 8]).unwrap(), 4);
    });
}

#[test]
fn a_cancelled_wait_leaves_nothing_behind() {
    common::run(async {
        let (c, mut s) = common::tcp_pair().await;
        for _ in 0..1000 {
            assert!(time::timeout(ms(1), c.readable()).await.is_err());
            assert!(time::timeout(ms(1), c.peek(&mut [0u8; 1])).await.is_err());
        }
        // A wait after all those still wakes.
        let c = Arc::new(c);
        let w = c.clone();
        let waiter = spawn(async move {
            w.readable().await.unwrap();
            since_start()
        });
        time::sleep(ms(3)).await;
        let at = since_start();
        s.write_all(b"x").await.unwrap();
        assert_eq!(waiter.await.unwrap(), at);
    });
}

#[test]
fn tcp_writable_waits_until_the_peer_reads() {
    common::run(async {
        let (c, mut s) = common::tcp_pair().await;
        common::fill_send_buffer(&c);
        let c = Arc::new(c);
        let mut writers = Vec::new();
        for _ in 0..3 {
            let c = c.clone();
            writers.push(spawn(async move {
                c.writable().await.unwrap();
                since_start()
            }));
        }
        time::sleep(ms(30)).await;
        let mut buf = vec![0u8; RECV_WINDOW];
        s.read_exact(&mut buf).await.unwrap();
        for w in writers {
            assert_eq!(w.await.unwrap(), ms(30));
        }
        assert!(c.try_write(b"more").unwrap() > 0);
    });
}

#[test]
fn readiness_on_a_killed_peer_node() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let server = common::tcp_echo_node("server", "0.0.0.0:7");
        time::sleep(ms(1)).await;
        let c = TcpStream::connect("server:7").await.unwrap();
        let c = Arc::new(c);
        let w = c.clone();
        let waiter = spawn(async move {
            w.readable().await.unwrap();
            w.try_read(&mut [0u8; 4]).unwrap_err().kind()
        });
        time::sleep(ms(5)).await;
        server.kill();
        assert_eq!(waiter.await.unwrap(), ErrorKind::ConnectionReset);
    })
    .unwrap();
}

// ---- TCP: peek ----

#[test]
fn tcp_peek_does_not_consume() {
    common::run(async {
        let (mut c, mut s) = common::tcp_pair().await;
        s.write_all(b"abcdef").await.unwrap();
        let mut a = [0u8; 4];
        let mut b = [0u8; 16];
        assert_eq!(c.peek(&mut a).await.unwrap(), 4);
        assert_eq!(c.peek(&mut b).await.unwrap(), 6);
        assert_eq!((&a, &b[..6]), (b"abcd", &b"abcdef"[..]));
        assert_eq!(c.peek(&mut []).await.unwrap(), 0);
        let mut got = [0u8; 6];
        c.read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"abcdef");
        // Consumed now: a peek waits for more (or EOF).
        drop(s);
        assert_eq!(c.peek(&mut a).await.unwrap(), 0, "EOF");
    });
}

#[test]
fn tcp_peek_waits_for_bytes_and_keeps_the_window_closed() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        Network::current()
            .set_default(LinkConfig::new().latency(Latency::constant(ms(4))))
            .unwrap();
        Node::builder("server")
            .init(|| async {
                let l = TcpListener::bind("0.0.0.0:80").await.unwrap();
                let (s, _) = l.accept().await.unwrap();
                time::sleep(ms(10)).await;
                // More than the window: the writer is held until its peer
                // reads, and a peek is not a read.
                let mut s = s;
                s.write_all(&vec![1u8; RECV_WINDOW + 10]).await.unwrap();
                time::sleep(ms(1000)).await;
            })
            .build();
        time::sleep(ms(1)).await;
        let c = TcpStream::connect("server:80").await.unwrap();
        let start = since_start();
        let mut buf = vec![0u8; 2 * RECV_WINDOW];
        let n = c.peek(&mut buf).await.unwrap();
        // The server wrote 10 ms after accepting (one latency after the
        // connect began); the bytes take one more latency.
        assert_eq!(since_start() - start, ms(10), "waited for the bytes");
        time::sleep(ms(100)).await;
        let all = c.peek(&mut buf).await.unwrap();
        assert!(n <= all);
        assert_eq!(all, RECV_WINDOW, "peeked bytes still hold the window");
        assert_eq!(c.try_read(&mut buf).unwrap(), RECV_WINDOW);
        time::sleep(ms(100)).await;
        assert_eq!(c.try_read(&mut buf).unwrap(), 10, "the read reopened it");
    })
    .unwrap();
}

#[test]
fn tcp_peek_returns_the_error_of_a_reset_stream() {
    common::run(async {
        let (c, s) = common::tcp_pair().await;
        c.try_write(b"unread").unwrap();
        drop(s); // with unread input: an RST
        let err = c.peek(&mut [0u8; 4]).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionReset);
    });
}

// ---- TCP: the halves ----

#[test]
fn the_halves_have_the_readiness_api_of_their_side() {
    common::run(async {
        let (c, mut s) = common::tcp_pair().await;
        let (mut rd, wr) = c.into_split();
        assert_eq!(
            rd.try_read(&mut [0u8; 4]).unwrap_err().kind(),
            ErrorKind::WouldBlock
        );
        wr.writable().await.unwrap();
        assert_eq!(wr.try_write(b"req").unwrap(), 3);
        let mut req = [0u8; 3];
        s.read_exact(&mut req).await.unwrap();
        s.write_all(b"resp").await.unwrap();
        rd.readable().await.unwrap();
        let mut buf = [0u8; 4];
        assert_eq!(rd.peek(&mut buf).await.unwrap(), 4);
        assert_eq!(rd.try_read(&mut buf).unwrap(), 4);
        assert_eq!(&buf, b"resp");
        let mut c = rd.reunite(wr).unwrap();
        // futures' AsyncReadExt is in scope: name the inherent split.
        let (mut rd, wr) = TcpStream::split(&mut c);
        wr.writable().await.unwrap();
        assert_eq!(wr.try_write(b"again").unwrap(), 5);
        s.read_exact(&mut [0u8; 5]).await.unwrap();
        s.write_all(b"back").await.unwrap();
        rd.readable().await.unwrap();
        assert_eq!(rd.peek(&mut buf).await.unwrap(), 4);
        assert_eq!(rd.try_read(&mut buf).unwrap(), 4);
        assert_eq!(&buf, b"back");
        assert_eq!(
            rd.try_read(&mut buf).unwrap_err().kind(),
            ErrorKind::WouldBlock
        );
    });
}

// ---- UDP ----

#[test]
fn udp_try_send_and_try_recv() {
    common::run(async {
        let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let (a_addr, b_addr) = (a.local_addr().unwrap(), b.local_addr().unwrap());
        let mut buf = [0u8; 4];
        assert_eq!(
            b.try_recv_from(&mut buf).unwrap_err().kind(),
            ErrorKind::WouldBlock
        );
        assert_eq!(
            b.try_recv(&mut buf).unwrap_err().kind(),
            ErrorKind::WouldBlock
        );
        assert_eq!(a.try_send_to(b"truncated", b_addr).unwrap(), 9);
        assert_eq!(b.try_recv_from(&mut buf).unwrap(), (4, a_addr));
        assert_eq!(&buf, b"trun");
        let err = a.try_send(b"x").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotConnected);
        a.connect(b_addr).await.unwrap();
        assert_eq!(a.try_send(b"one").unwrap(), 3);
        assert_eq!(b.try_recv(&mut buf).unwrap(), 3);
        // try_send_to checks what send_to checks.
        let err = a
            .try_send_to(b"x", "127.0.0.1:0".parse().unwrap())
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        let err = a.try_send_to(b"x", "[::1]:9".parse().unwrap()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
    });
}

#[test]
fn udp_readable_waits_one_link_latency_and_wakes_every_waiter() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        Network::current()
            .set_default(LinkConfig::new().latency(Latency::constant(ms(3))))
            .unwrap();
        let sock = Arc::new(UdpSocket::bind("0.0.0.0:9000").await.unwrap());
        let mut waiters = Vec::new();
        for i in 0..4 {
            let sock = sock.clone();
            waiters.push(spawn(async move {
                if i % 2 == 0 {
                    sock.readable().await.unwrap();
                } else {
                    let mut buf = [0u8; 8];
                    let (n, _) = sock.peek_from(&mut buf).await.unwrap();
                    assert_eq!(&buf[..n], b"hi");
                }
                since_start()
            }));
        }
        // Cancelled waits in between leave nothing behind.
        for _ in 0..100 {
            assert!(time::timeout(ms(0), sock.readable()).await.is_err());
        }
        Node::builder("client")
            .init(|| async {
                let c = UdpSocket::bind("0.0.0.0:0").await.unwrap();
                c.send_to(b"hi", "main:9000").await.unwrap();
            })
            .build();
        for w in waiters {
            assert_eq!(w.await.unwrap(), ms(3));
        }
        let mut buf = [0u8; 8];
        let (n, from) = sock.try_recv_from(&mut buf).unwrap();
        assert_eq!(
            (&buf[..n], from.to_string()),
            (&b"hi"[..], "10.0.0.2:49152".into())
        );
        assert_eq!(
            sock.try_recv_from(&mut buf).unwrap_err().kind(),
            ErrorKind::WouldBlock
        );
    })
    .unwrap();
}

#[test]
fn udp_writable_is_ready_at_once() {
    common::run(async {
        let sock = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let me = sock.local_addr().unwrap();
        for _ in 0..1000 {
            sock.writable().await.unwrap();
            sock.try_send_to(&[0u8; 1000], me).unwrap();
        }
        assert_eq!(since_start(), ms(0));
    });
}

#[test]
fn udp_peek_from_does_not_consume_and_truncates_like_recv() {
    common::run(async {
        let sock = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let me = sock.local_addr().unwrap();
        sock.send_to(b"first", me).await.unwrap();
        sock.send_to(b"second", me).await.unwrap();
        let mut small = [0u8; 3];
        assert_eq!(sock.peek_from(&mut small).await.unwrap(), (3, me));
        assert_eq!(&small, b"fir");
        let mut buf = [0u8; 16];
        assert_eq!(sock.peek_from(&mut buf).await.unwrap(), (5, me));
        assert_eq!(sock.recv_from(&mut buf).await.unwrap(), (5, me));
        assert_eq!(&buf[..5], b"first");
        assert_eq!(sock.peek_from(&mut buf).await.unwrap(), (6, me));
        assert_eq!(sock.recv(&mut buf).await.unwrap(), 6);
    });
}

#[test]
fn udp_readiness_fails_once_the_node_is_killed() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let node = Node::builder("n").build();
        let (tx, rx) = futures::channel::oneshot::channel();
        node.spawn(async move {
            let sock = Arc::new(UdpSocket::bind("0.0.0.0:5").await.unwrap());
            tx.send(sock.clone()).unwrap();
            sock.readable().await.unwrap();
        });
        let sock = rx.await.unwrap();
        time::sleep(ms(1)).await;
        node.kill();
        let err = sock.readable().await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionAborted);
        let err = sock.writable().await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionAborted);
        let err = sock.peek_from(&mut [0u8; 4]).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionAborted);
        let err = sock.try_send(b"x").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionAborted);
    })
    .unwrap();
}

// ---- UDP: the source address of a connected socket ----

#[test]
fn udp_connect_fixes_the_source_address_of_a_wildcard_socket() {
    common::run(async {
        Node::builder("db").build();
        let s = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        assert_eq!(s.local_addr().unwrap().to_string(), "0.0.0.0:49152");
        s.connect("db:53").await.unwrap();
        assert_eq!(s.local_addr().unwrap().to_string(), "10.0.0.1:49152");
        // Connecting again keeps it, as on Linux.
        s.connect("10.0.0.1:53").await.unwrap();
        assert_eq!(s.local_addr().unwrap().to_string(), "10.0.0.1:49152");

        let lo = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        lo.connect("localhost:53").await.unwrap();
        assert_eq!(lo.local_addr().unwrap().to_string(), "127.0.0.1:49153");
        let any = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        any.connect("0.0.0.0:53").await.unwrap(); // the node itself
        assert_eq!(any.local_addr().unwrap().to_string(), "127.0.0.1:49154");

        let s6 = UdpSocket::bind("[::]:0").await.unwrap();
        s6.connect("db:53").await.unwrap();
        assert_eq!(s6.local_addr().unwrap().to_string(), "[fd00::1]:49155");
        // A bound address is never changed.
        let fixed = UdpSocket::bind("10.0.0.1:7000").await.unwrap();
        fixed.connect("127.0.0.1:53").await.unwrap();
        assert_eq!(fixed.local_addr().unwrap().to_string(), "10.0.0.1:7000");
        // A failed connect changes nothing.
        let other = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        assert!(other.connect("[::1]:53").await.is_err());
        assert_eq!(other.local_addr().unwrap().to_string(), "0.0.0.0:49156");
    });
}

#[test]
fn a_connected_wildcard_socket_still_talks_to_its_peer() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        common::udp_echo_node("echo", "0.0.0.0:7");
        let s = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        s.connect("echo:7").await.unwrap();
        s.send(b"ping").await.unwrap();
        let mut buf = [0u8; 8];
        assert_eq!(s.recv(&mut buf).await.unwrap(), 4);
        // The port is still bound for the whole node, and freed on drop.
        let port = s.local_addr().unwrap().port();
        drop(s);
        let again = UdpSocket::bind(("0.0.0.0", port)).await.unwrap();
        assert_eq!(again.local_addr().unwrap().port(), port);
    })
    .unwrap();
}

#[test]
fn udp_peek_sender_waits_and_the_peeks_consume_nothing() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let a = Node::builder("a").build();
        let rx = Arc::new(UdpSocket::bind("0.0.0.0:5300").await.unwrap());
        assert_eq!(
            rx.try_peek_sender().unwrap_err().kind(),
            ErrorKind::WouldBlock
        );
        // Three waiters at once, each woken by the one arrival.
        let waiters: Vec<_> = (0..3)
            .map(|_| {
                let rx = rx.clone();
                spawn(async move { (rx.peek_sender().await.unwrap(), since_start()) })
            })
            .collect();
        time::sleep(ms(3)).await;
        let sent_from = a
            .spawn(async {
                let s = UdpSocket::bind("0.0.0.0:4000").await.unwrap();
                s.send_to(b"datagram", "main:5300").await.unwrap();
                s.local_addr().unwrap()
            })
            .await
            .unwrap();
        for w in waiters {
            let (from, at) = w.await.unwrap();
            assert_eq!((from.port(), at), (sent_from.port(), ms(4)));
        }
        let mut buf = [0u8; 4];
        let (n, from) = rx.try_peek_from(&mut buf).unwrap();
        assert_eq!((n, &buf, from.port()), (4, b"data", 4000));
        assert_eq!(rx.try_peek_sender().unwrap(), from);
        let mut all = [0u8; 16];
        assert_eq!(rx.try_recv_from(&mut all).unwrap(), (8, from));
        assert_eq!(&all[..8], b"datagram");
        assert_eq!(
            rx.try_peek_from(&mut buf).unwrap_err().kind(),
            ErrorKind::WouldBlock
        );
    })
    .unwrap();
}

#[test]
fn take_error_reports_a_pending_error_once() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        // UDP: the refusal of a connected socket's datagram.
        let s = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        s.connect("127.0.0.1:9").await.unwrap();
        s.send(b"anyone?").await.unwrap();
        time::sleep(ms(1)).await;
        let err = s.take_error().unwrap().expect("a pending error");
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
        assert!(s.take_error().unwrap().is_none());
        // Taken, the next send does not report it.
        s.send(b"again").await.unwrap();
        // TCP: a reset, taken before any read saw it.
        let l = TcpListener::bind("0.0.0.0:80").await.unwrap();
        let c = TcpStream::connect("main:80").await.unwrap();
        let (server, _) = l.accept().await.unwrap();
        assert!(c.take_error().unwrap().is_none());
        server.set_zero_linger().unwrap();
        drop(server);
        time::sleep(ms(1)).await;
        let err = c.take_error().unwrap().expect("the reset");
        assert_eq!(err.kind(), ErrorKind::ConnectionReset);
        assert!(c.take_error().unwrap().is_none());
        assert_eq!(c.try_read(&mut [0u8; 8]).unwrap(), 0);
        assert_eq!(c.try_write(b"x").unwrap_err().kind(), ErrorKind::BrokenPipe);
    })
    .unwrap();
}
