//! tokio's `ready(Interest)` and readiness poll functions on detsim
//! sockets: TCP's `ready` (on the stream and its halves),
//! `poll_read_ready`, `poll_write_ready`, `poll_peek` and the vectored
//! `try_` calls; UDP's `ready`, `poll_recv_ready`, `poll_send_ready`,
//! `poll_recv`, `poll_peek_from`, `poll_peek_sender`, `poll_send_to` and
//! `poll_send`; and `ttl`/`set_ttl` on listeners and UDP sockets.
//!
//! What users rely on: each readiness bit appears when Linux's poll would
//! set it and not before (in virtual time), waits are shared and
//! cancellable, the poll functions keep only the latest waker, and runs
//! with readiness loops under faults replay exactly.

mod common;

use std::io::{ErrorKind, IoSlice, IoSliceMut};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};

use common::{ms, since_start};
use detsim::net::{
    Interest, Latency, LinkConfig, Network, RECV_WINDOW, Ready, SEND_BUFFER, TcpListener,
    TcpSocket, TcpStream, UdpSocket,
};
use detsim::node::Node;
use detsim::{spawn, time};
use futures::io::{AsyncReadExt, AsyncWriteExt};

/// A waker that counts its wakes.
#[derive(Default)]
struct Count(AtomicUsize);

impl Wake for Count {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

impl Count {
    fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// A counting waker and its count.
fn counting() -> (Waker, Arc<Count>) {
    let c = Arc::new(Count::default());
    (Waker::from(c.clone()), c)
}

const BOTH: Interest = Interest::READABLE.add(Interest::WRITABLE);
const EVERYTHING: Interest = BOTH.add(Interest::ERROR);

// ---- TCP: ready ----

#[test]
fn tcp_ready_says_which_direction_and_waits_for_the_bytes() {
    common::run(async {
        let (c, mut s) = common::tcp_pair_to_server().await;
        let t0 = since_start();
        assert_eq!(c.ready(BOTH).await.unwrap(), Ready::WRITABLE);
        assert_eq!(since_start(), t0, "writable at once");
        // The task's output (`s`) stays with the handle: no FIN.
        let _writer = spawn(async move {
            time::sleep(ms(5)).await;
            s.write_all(b"hello").await.unwrap();
            s
        });
        assert_eq!(c.ready(Interest::READABLE).await.unwrap(), Ready::READABLE);
        assert_eq!(since_start() - t0, ms(6), "5 ms, then one link latency");
        assert_eq!(
            c.ready(BOTH).await.unwrap(),
            Ready::READABLE | Ready::WRITABLE
        );
        // Readiness is the state's, never cached: once read, gone.
        let mut buf = [0u8; 8];
        assert_eq!(c.try_read(&mut buf).unwrap(), 5);
        assert_eq!(c.ready(BOTH).await.unwrap(), Ready::WRITABLE);
    });
}

#[test]
fn tcp_ready_after_the_peers_fin_and_after_both_shutdowns() {
    common::run(async {
        let (c, mut s) = common::tcp_pair_to_server().await;
        s.close().await.unwrap(); // its FIN
        let r = c.ready(Interest::READABLE).await.unwrap();
        assert_eq!(r, Ready::READABLE | Ready::READ_CLOSED);
        assert_eq!(
            since_start(),
            ms(3),
            "the handshake, then the FIN's latency"
        );
        assert_eq!(
            c.ready(Interest::WRITABLE).await.unwrap(),
            Ready::WRITABLE,
            "half-closed: this side still writes"
        );
        c.shutdown(std::net::Shutdown::Write).unwrap();
        assert_eq!(
            c.ready(Interest::WRITABLE).await.unwrap(),
            Ready::WRITABLE | Ready::WRITE_CLOSED,
            "both directions shut: Linux's EPOLLHUP"
        );
        assert!(!c.ready(EVERYTHING).await.unwrap().is_error());
    });
}

#[test]
fn tcp_ready_read_shutdown_closes_the_read_side_only() {
    common::run(async {
        let (c, _s) = common::tcp_pair_to_server().await;
        c.shutdown(std::net::Shutdown::Read).unwrap();
        assert_eq!(
            c.ready(BOTH).await.unwrap(),
            Ready::READABLE | Ready::READ_CLOSED | Ready::WRITABLE
        );
    });
}

#[test]
fn tcp_ready_error_waits_for_a_failure_until_it_is_reported() {
    common::run(async {
        let (c, s) = common::tcp_pair_to_server().await;
        let t0 = since_start();
        spawn(async move {
            time::sleep(ms(10)).await;
            s.set_zero_linger().unwrap();
            drop(s); // an RST
        });
        assert_eq!(c.ready(Interest::ERROR).await.unwrap(), Ready::ERROR);
        assert_eq!(since_start() - t0, ms(11));
        assert_eq!(c.ready(EVERYTHING).await.unwrap(), Ready::ALL);
        let err = c.take_error().unwrap().unwrap();
        assert_eq!(err.kind(), ErrorKind::ConnectionReset);
        // Reported: no more ERROR, but both sides stay closed.
        assert_eq!(
            c.ready(EVERYTHING).await.unwrap(),
            Ready::ALL - Ready::ERROR
        );
        let waits = time::timeout(ms(50), c.ready(Interest::ERROR)).await;
        assert!(waits.is_err(), "no error left to wait for");
    });
}

#[test]
fn tcp_ready_error_is_reported_by_a_read_too() {
    common::run(async {
        let (mut c, s) = common::tcp_pair_to_server().await;
        s.set_zero_linger().unwrap();
        drop(s);
        assert!(c.ready(Interest::ERROR).await.unwrap().is_error());
        let mut buf = [0u8; 4];
        let err = c.read(&mut buf).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionReset);
        assert!(!c.ready(EVERYTHING).await.unwrap().is_error());
    });
}

#[test]
fn tcp_ready_waits_are_shared_and_cancelled_ones_leave_nothing() {
    common::run(async {
        let (c, mut s) = common::tcp_pair_to_server().await;
        let c = Arc::new(c);
        // A wait cancelled by its timeout, before the bytes come.
        let early = time::timeout(ms(2), c.ready(Interest::READABLE)).await;
        assert!(early.is_err());
        let waiters: Vec<_> = (0..3)
            .map(|_| {
                let c = c.clone();
                spawn(async move {
                    let r = c.ready(Interest::READABLE).await.unwrap();
                    (r, since_start())
                })
            })
            .collect();
        time::sleep(ms(3)).await;
        let sent_at = since_start();
        s.write_all(b"x").await.unwrap();
        for w in waiters {
            let (r, at) = w.await.unwrap();
            assert_eq!(r, Ready::READABLE);
            assert_eq!(at, sent_at + ms(1), "every waiter woken on the arrival");
        }
    });
}

#[test]
fn tcp_ready_on_the_halves() {
    common::run(async {
        let (mut c, mut s) = common::tcp_pair_to_server().await;
        {
            let (rd, wr) = TcpStream::split(&mut c);
            assert_eq!(wr.ready(BOTH).await.unwrap(), Ready::WRITABLE);
            s.write_all(b"hi").await.unwrap();
            assert_eq!(rd.ready(Interest::READABLE).await.unwrap(), Ready::READABLE);
        }
        let (rd, wr) = c.into_split();
        assert_eq!(
            rd.ready(BOTH).await.unwrap(),
            Ready::READABLE | Ready::WRITABLE
        );
        drop(wr); // its FIN: the peer sees EOF
        let mut rest = Vec::new();
        s.read_to_end(&mut rest).await.unwrap();
        assert_eq!(
            rd.ready(Interest::WRITABLE).await.unwrap(),
            Ready::WRITABLE,
            "the write half shut this end's writing"
        );
    });
}

#[test]
fn tcp_ready_on_a_killed_nodes_stream_returns_at_once() {
    common::run(async {
        let l = TcpListener::bind("0.0.0.0:80").await.unwrap();
        let client = Node::builder("client").build();
        let mut held = client
            .spawn(async { TcpStream::connect("main:80").await.unwrap() })
            .await
            .unwrap();
        let (_s, _) = l.accept().await.unwrap();
        client.kill();
        let t0 = since_start();
        let r = held.ready(BOTH).await.unwrap();
        assert!(r.is_read_closed() && r.is_write_closed(), "{r:?}");
        assert_eq!(since_start(), t0);
        let err = held.read(&mut [0u8; 4]).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionAborted);
    });
}

// ---- TCP: poll functions ----

#[test]
fn tcp_poll_read_ready_wakes_only_the_latest_waker() {
    common::run(async {
        let (c, mut s) = common::tcp_pair_to_server().await;
        let (a, count_a) = counting();
        let (b, count_b) = counting();
        assert!(c.poll_read_ready(&mut Context::from_waker(&a)).is_pending());
        assert!(c.poll_read_ready(&mut Context::from_waker(&b)).is_pending());
        s.write_all(b"data").await.unwrap();
        time::sleep(ms(1)).await;
        assert_eq!((count_a.get(), count_b.get()), (0, 1));
        let mut cx = Context::from_waker(Waker::noop());
        assert!(matches!(c.poll_read_ready(&mut cx), Poll::Ready(Ok(()))));
    });
}

#[test]
fn tcp_poll_read_ready_shares_the_waker_of_poll_read() {
    common::run(async {
        let (mut c, mut s) = common::tcp_pair_to_server().await;
        let (a, count_a) = counting();
        let (b, count_b) = counting();
        assert!(c.poll_read_ready(&mut Context::from_waker(&a)).is_pending());
        let mut buf = [0u8; 4];
        let read = futures::io::AsyncRead::poll_read(
            std::pin::Pin::new(&mut c),
            &mut Context::from_waker(&b),
            &mut buf,
        );
        assert!(read.is_pending());
        s.write_all(b"data").await.unwrap();
        time::sleep(ms(1)).await;
        assert_eq!(
            (count_a.get(), count_b.get()),
            (0, 1),
            "one read waker per stream, as tokio's"
        );
    });
}

#[test]
fn tcp_poll_write_ready_wakes_when_the_window_reopens() {
    common::run(async {
        let (c, mut s) = common::tcp_pair_to_server().await;
        let mut cx = Context::from_waker(Waker::noop());
        assert!(c.poll_write_ready(&mut cx).is_ready());
        assert_eq!(common::fill_send_buffer(&c), RECV_WINDOW + SEND_BUFFER);
        let (w, count) = counting();
        assert!(
            c.poll_write_ready(&mut Context::from_waker(&w))
                .is_pending()
        );
        time::sleep(ms(10)).await;
        assert_eq!(count.get(), 0, "nothing read yet");
        let mut buf = vec![0u8; RECV_WINDOW];
        s.read_exact(&mut buf).await.unwrap();
        time::sleep(ms(2)).await;
        assert_eq!(count.get(), 1);
        assert!(c.poll_write_ready(&mut cx).is_ready());
    });
}

/// A shutdown of the writing side makes a write fail at once (Linux's
/// `EPOLLOUT` on `SEND_SHUTDOWN`): a `poll_write_ready` waiting on a full
/// send buffer, behind a window the peer never reopens, is woken, not left
/// waiting for room that never comes.
#[test]
fn tcp_poll_write_ready_wakes_on_a_write_shutdown_with_the_window_shut() {
    common::run(async {
        let (c, _s) = common::tcp_pair_to_server().await;
        common::fill_send_buffer(&c);
        let (w, count) = counting();
        assert!(
            c.poll_write_ready(&mut Context::from_waker(&w))
                .is_pending()
        );
        c.shutdown(std::net::Shutdown::Write).unwrap();
        assert_eq!(count.get(), 1, "woken by the shutdown");
        let mut cx = Context::from_waker(Waker::noop());
        assert!(matches!(c.poll_write_ready(&mut cx), Poll::Ready(Ok(()))));
        let err = c.try_write(b"x").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokenPipe);
    });
}

/// Dropping the write half shuts the writing side (as tokio's): a
/// `ready(Interest::WRITABLE)` on the read half, waiting on a full send
/// buffer, returns then.
#[test]
fn tcp_ready_on_the_read_half_wakes_when_the_write_half_is_dropped() {
    common::run(async {
        let (c, _s) = common::tcp_pair_to_server().await;
        common::fill_send_buffer(&c);
        let (rd, wr) = c.into_split();
        let waiter = spawn(async move {
            let r = rd.ready(Interest::WRITABLE).await.unwrap();
            (r, since_start(), rd)
        });
        time::sleep(ms(3)).await;
        let dropped_at = since_start();
        drop(wr);
        let (r, at, _rd) = time::timeout(ms(50), waiter)
            .await
            .expect("woken by the write half's drop")
            .unwrap();
        assert_eq!((r, at), (Ready::WRITABLE, dropped_at));
    });
}

#[test]
fn tcp_poll_peek_consumes_nothing_and_sees_eof() {
    common::run(async {
        let (c, mut s) = common::tcp_pair_to_server().await;
        let mut buf = [0u8; 3];
        let (w, count) = counting();
        assert!(
            c.poll_peek(&mut Context::from_waker(&w), &mut buf)
                .is_pending()
        );
        s.write_all(b"peeked").await.unwrap();
        time::sleep(ms(1)).await;
        assert_eq!(count.get(), 1);
        let mut cx = Context::from_waker(Waker::noop());
        assert!(matches!(c.poll_peek(&mut cx, &mut buf), Poll::Ready(Ok(3))));
        assert_eq!(&buf, b"pee");
        let mut all = [0u8; 16];
        assert_eq!(c.try_read(&mut all).unwrap(), 6, "all still there");
        s.close().await.unwrap();
        time::sleep(ms(1)).await;
        assert!(matches!(c.poll_peek(&mut cx, &mut buf), Poll::Ready(Ok(0))));
        assert!(matches!(c.poll_peek(&mut cx, &mut []), Poll::Ready(Ok(0))));
    });
}

#[test]
fn tcp_poll_peek_on_read_halves() {
    common::run(async {
        let (c, mut s) = common::tcp_pair_to_server().await;
        let (mut rd, _wr) = c.into_split();
        s.write_all(b"half").await.unwrap();
        time::sleep(ms(1)).await;
        let mut cx = Context::from_waker(Waker::noop());
        let mut buf = [0u8; 8];
        assert!(matches!(
            rd.poll_peek(&mut cx, &mut buf),
            Poll::Ready(Ok(4))
        ));
        assert_eq!(rd.try_read(&mut buf).unwrap(), 4);
    });
}

#[test]
fn tcp_vectored_try_calls() {
    common::run(async {
        let (c, mut s) = common::tcp_pair_to_server().await;
        let (mut a, mut b) = ([0u8; 2], [0u8; 8]);
        let err = c
            .try_read_vectored(&mut [IoSliceMut::new(&mut a), IoSliceMut::new(&mut b)])
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::WouldBlock);
        s.write_all(b"abcdef").await.unwrap();
        time::sleep(ms(1)).await;
        let n = c
            .try_read_vectored(&mut [IoSliceMut::new(&mut a), IoSliceMut::new(&mut b)])
            .unwrap();
        assert_eq!((n, &a, &b[..4]), (6, b"ab", &b"cdef"[..]));
        let n = c
            .try_write_vectored(&[
                IoSlice::new(b"aaaaa"),
                IoSlice::new(b""),
                IoSlice::new(b"bbbbb"),
            ])
            .unwrap();
        assert_eq!(n, 10);
        let mut got = [0u8; 10];
        s.read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"aaaaabbbbb", "in order, as one");
        common::fill_send_buffer(&c);
        let err = c.try_write_vectored(&[IoSlice::new(b"x")]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::WouldBlock);
        let empty = c.try_write_vectored(&[]).unwrap();
        assert_eq!(empty, 0, "nothing to write writes nothing, even when full");
    });
}

#[test]
fn tcp_try_write_vectored_takes_a_prefix_as_long_as_the_room() {
    common::run(async {
        let (c, _s) = common::tcp_pair_to_server().await;
        assert_eq!(c.try_write(&vec![1u8; RECV_WINDOW]).unwrap(), RECV_WINDOW);
        assert_eq!(
            c.try_write(&vec![1u8; SEND_BUFFER - 10]).unwrap(),
            SEND_BUFFER - 10
        );
        let n = c
            .try_write_vectored(&[IoSlice::new(&[2u8; 5]), IoSlice::new(&[3u8; 20])])
            .unwrap();
        assert_eq!(n, 10, "what the send buffer had room for");
        let err = c.try_write_vectored(&[IoSlice::new(b"x")]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::WouldBlock);
    });
}

// ---- UDP ----

#[test]
fn udp_ready_is_writable_at_once_and_readable_on_arrival() {
    common::run(async {
        let sock = UdpSocket::bind("0.0.0.0:9000").await.unwrap();
        assert_eq!(sock.ready(BOTH).await.unwrap(), Ready::WRITABLE);
        Node::builder("peer")
            .init(|| async {
                time::sleep(ms(4)).await;
                let s = UdpSocket::bind("0.0.0.0:0").await.unwrap();
                s.send_to(b"hi", "main:9000").await.unwrap();
            })
            .build();
        assert_eq!(
            sock.ready(Interest::READABLE).await.unwrap(),
            Ready::READABLE
        );
        assert_eq!(since_start(), ms(5));
        let mut buf = [0u8; 4];
        let (n, _) = sock.try_recv_from(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"hi");
        let waits = time::timeout(ms(20), sock.ready(Interest::READABLE)).await;
        assert!(waits.is_err(), "nothing queued any more");
    });
}

#[test]
fn udp_ready_error_is_the_pending_icmp_error() {
    common::run(async {
        Node::builder("quiet").build();
        let sock = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        sock.connect("quiet:53").await.unwrap(); // nobody bound there
        sock.send(b"anyone?").await.unwrap();
        // A pending error alone does not make the socket readable (Linux's
        // EPOLLERR without EPOLLIN; tokio's `readable` waits on).
        let readable = time::timeout(ms(20), sock.ready(Interest::READABLE)).await;
        assert!(readable.is_err());
        assert_eq!(sock.ready(Interest::ERROR).await.unwrap(), Ready::ERROR);
        assert_eq!(
            sock.ready(EVERYTHING).await.unwrap(),
            Ready::WRITABLE | Ready::ERROR
        );
        let err = sock.take_error().unwrap().unwrap();
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
        assert_eq!(sock.ready(EVERYTHING).await.unwrap(), Ready::WRITABLE);
    });
}

#[test]
fn udp_ready_error_wakes_a_waiter_when_the_icmp_error_arrives() {
    common::run(async {
        Node::builder("quiet").build();
        let sock = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        sock.connect("quiet:53").await.unwrap();
        sock.send(b"anyone?").await.unwrap();
        assert!(sock.ready(Interest::ERROR).await.unwrap().is_error());
    });
}

#[test]
fn udp_poll_functions() {
    common::run(async {
        let sock = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let me = sock.local_addr().unwrap();
        let (a, count_a) = counting();
        let (b, count_b) = counting();
        assert!(
            sock.poll_recv_ready(&mut Context::from_waker(&a))
                .is_pending()
        );
        let mut buf = [0u8; 8];
        assert!(
            sock.poll_peek_from(&mut Context::from_waker(&b), &mut buf)
                .is_pending()
        );
        let mut cx = Context::from_waker(Waker::noop());
        assert!(sock.poll_send_ready(&mut cx).is_ready());
        assert!(matches!(
            sock.poll_send_to(&mut cx, b"one", me),
            Poll::Ready(Ok(3))
        ));
        assert_eq!(
            (count_a.get(), count_b.get()),
            (0, 1),
            "the receiving poll functions share one waker: the latest call's"
        );
        assert!(matches!(sock.poll_recv_ready(&mut cx), Poll::Ready(Ok(()))));
        assert!(matches!(sock.poll_peek_sender(&mut cx), Poll::Ready(Ok(a)) if a == me));
        assert!(matches!(
            sock.poll_peek_from(&mut cx, &mut buf[..2]),
            Poll::Ready(Ok((2, from))) if from == me
        ));
        assert!(matches!(
            sock.poll_recv(&mut cx, &mut buf),
            Poll::Ready(Ok(3))
        ));
        assert_eq!(&buf[..3], b"one");
        assert!(sock.poll_recv(&mut cx, &mut buf).is_pending());
        // Connected: poll_send goes to the peer.
        let err = match sock.poll_send(&mut cx, b"x") {
            Poll::Ready(Err(e)) => e,
            other => panic!("{other:?}"),
        };
        assert_eq!(err.kind(), ErrorKind::NotConnected);
        sock.connect(me).await.unwrap();
        assert!(matches!(
            sock.poll_send(&mut cx, b"two"),
            Poll::Ready(Ok(3))
        ));
        assert!(matches!(
            sock.poll_recv(&mut cx, &mut buf),
            Poll::Ready(Ok(3))
        ));
        // Bad input gets the send's clear error.
        let bad = common::addr("127.0.0.1:0");
        let err = match sock.poll_send_to(&mut cx, b"x", bad) {
            Poll::Ready(Err(e)) => e,
            other => panic!("{other:?}"),
        };
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(err.to_string().contains("port 0"), "{err}");
    });
}

#[test]
fn udp_poll_functions_on_a_killed_node_fail() {
    common::run(async {
        let node = Node::builder("gone").build();
        let sock = node
            .spawn(async { UdpSocket::bind("0.0.0.0:7").await.unwrap() })
            .await
            .unwrap();
        node.kill();
        let mut cx = Context::from_waker(Waker::noop());
        let kinds = [
            poll_err(sock.poll_send_ready(&mut cx)),
            poll_err(sock.poll_recv_ready(&mut cx)),
            poll_err(sock.poll_recv(&mut cx, &mut [0u8; 4])),
            poll_err(sock.poll_send_to(&mut cx, b"x", common::addr("10.0.0.1:7"))),
        ];
        assert_eq!(kinds, [ErrorKind::ConnectionAborted; 4]);
        assert_eq!(
            sock.ready(BOTH).await.unwrap_err().kind(),
            ErrorKind::ConnectionAborted
        );
    });
}

fn poll_err<T: std::fmt::Debug>(p: Poll<std::io::Result<T>>) -> ErrorKind {
    match p {
        Poll::Ready(Err(e)) => e.kind(),
        other => panic!("expected an error, got {other:?}"),
    }
}

// ---- TTL ----

#[test]
fn ttls_read_back_and_accepted_streams_inherit_the_listeners() {
    common::run(async {
        let u = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        assert_eq!(u.ttl().unwrap(), 64);
        u.set_ttl(255).unwrap();
        assert_eq!(u.ttl().unwrap(), 255);
        for bad in [0, 256] {
            let err = u.set_ttl(bad).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput);
            assert!(err.to_string().contains("IP_TTL must be 1 to 255"), "{err}");
        }
        assert_eq!(u.ttl().unwrap(), 255);

        let l = TcpListener::bind("127.0.0.1:80").await.unwrap();
        l.set_ttl(9).unwrap();
        let c = TcpStream::connect("127.0.0.1:80").await.unwrap();
        let (s, _) = l.accept().await.unwrap();
        assert_eq!((c.ttl().unwrap(), s.ttl().unwrap()), (64, 9));

        let sock = TcpSocket::new_v4().unwrap();
        sock.bind(common::addr("127.0.0.1:81")).unwrap();
        let l2 = sock.listen(8).unwrap();
        assert_eq!(l2.ttl().unwrap(), 64);
    });
}

// ---- determinism ----

/// A client that talks to an echo server through `ready` and the `try_`
/// calls only, under jitter, loss and duplication: each seed replays
/// exactly, and the seeds differ.
#[test]
fn readiness_loops_under_faults_are_deterministic() {
    let runs = common::run_each_seed_twice(0..200, || async {
        let net = Network::current();
        net.set_default(
            LinkConfig::new()
                .latency(Latency::uniform(ms(1), ms(9)))
                .loss(0.1)
                .duplicate(0.05),
        )
        .unwrap();
        let _server = common::tcp_echo_node("echo", "0.0.0.0:7");
        time::sleep(ms(1)).await;
        let c = TcpStream::connect("echo:7").await.unwrap();
        let total = detsim::rand::gen_range(1_000..200_000usize);
        let mut sent = 0;
        let mut got = 0usize;
        let mut sum = 0u64;
        let mut wakes = Vec::new();
        while got < total {
            let interest = if sent < total {
                BOTH
            } else {
                Interest::READABLE
            };
            let r = c.ready(interest).await.unwrap();
            wakes.push((since_start().as_micros() as u64, format!("{r:?}")));
            if r.is_writable() && sent < total {
                let n = (total - sent).min(detsim::rand::gen_range(1..20_000));
                match c.try_write(&vec![(sent % 251) as u8; n]) {
                    Ok(k) => sent += k,
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                    Err(e) => panic!("{e}"),
                }
            }
            if r.is_readable() {
                let mut buf = vec![0u8; 8192];
                match c.try_read(&mut buf) {
                    Ok(n) => {
                        got += n;
                        sum += buf[..n].iter().map(|&b| u64::from(b)).sum::<u64>();
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                    Err(e) => panic!("{e}"),
                }
            }
        }
        let stats = format!("{:?} {:?}", net.stats().tcp, net.stats().drops);
        ((total, sum, wakes.len(), wakes.last().cloned()), stats)
    });
    common::assert_seeds_differ(&runs, 50);
}
