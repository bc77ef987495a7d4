//! What waits on a listener or a UDP socket: a cancelled `accept` or
//! `recv_from` (the losing branch of a select, a timeout, a dropped
//! `FuturesUnordered`) leaves no waker behind, the poll functions keep
//! only the latest caller's waker (as tokio's), and tasks waiting together
//! are each woken.

mod common;

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Wake, Waker};

use common::ms;
use detsim::net::{TcpListener, TcpStream, UdpSocket};
use detsim::{Sim, spawn, time};
use futures::StreamExt;
use futures::stream::FuturesUnordered;

struct Count;

impl Wake for Count {
    fn wake(self: Arc<Self>) {}
}

/// A waker, and the handle whose strong count tells whether anyone else
/// (the network) still holds it.
fn tracked() -> (Arc<Count>, Waker) {
    let count = Arc::new(Count);
    (count.clone(), Waker::from(count))
}

fn held_elsewhere(count: &Arc<Count>) -> bool {
    Arc::strong_count(count) > 1
}

fn run(f: impl Future<Output = ()> + 'static) {
    Sim::builder().build().run(f).unwrap();
}

#[test]
fn a_dropped_accept_leaves_no_waker_behind() {
    run(async {
        let l = TcpListener::bind("127.0.0.1:7").await.unwrap();
        let (count, waker) = tracked();
        {
            let mut accept = pin!(l.accept());
            assert!(
                accept
                    .as_mut()
                    .poll(&mut Context::from_waker(&waker))
                    .is_pending()
            );
            drop(waker);
            assert!(held_elsewhere(&count), "the waiting accept's waker is kept");
        }
        assert!(!held_elsewhere(&count), "and goes with the accept");
    });
}

#[test]
fn a_dropped_recv_leaves_no_waker_behind() {
    run(async {
        let u = UdpSocket::bind("127.0.0.1:9").await.unwrap();
        let (count, waker) = tracked();
        let mut buf = [0u8; 4];
        {
            let mut recv = pin!(u.recv_from(&mut buf));
            assert!(
                recv.as_mut()
                    .poll(&mut Context::from_waker(&waker))
                    .is_pending()
            );
            drop(waker);
            assert!(held_elsewhere(&count));
        }
        assert!(!held_elsewhere(&count));
    });
}

#[test]
fn a_dropped_incoming_stream_leaves_no_waker_behind() {
    run(async {
        let l = TcpListener::bind("127.0.0.1:7").await.unwrap();
        let (count, waker) = tracked();
        let mut incoming = l.incoming();
        assert!(
            incoming
                .poll_next_unpin(&mut Context::from_waker(&waker))
                .is_pending()
        );
        drop(waker);
        assert!(held_elsewhere(&count));
        drop(incoming);
        assert!(!held_elsewhere(&count));
    });
}

#[test]
fn the_poll_functions_keep_only_the_latest_callers_waker() {
    run(async {
        let l = TcpListener::bind("127.0.0.1:7").await.unwrap();
        let u = UdpSocket::bind("127.0.0.1:9").await.unwrap();
        let (first, w1) = tracked();
        let (second, w2) = tracked();
        for w in [&w1, &w2] {
            let mut cx = Context::from_waker(w);
            assert!(l.poll_accept(&mut cx).is_pending());
            assert!(u.poll_recv_from(&mut cx, &mut [0u8; 4]).is_pending());
        }
        drop((w1, w2));
        assert!(!held_elsewhere(&first), "replaced by the second call's");
        assert!(held_elsewhere(&second));
    });
}

/// The pattern that grew the waiter lists without bound: each round polls
/// a fresh `FuturesUnordered` (a waker of its own) and drops it on a
/// timeout. Afterwards the listener and the socket hold nothing of them,
/// and still work.
#[test]
fn waits_cancelled_by_timeouts_leave_nothing_behind() {
    run(async {
        let l = TcpListener::bind("127.0.0.1:7").await.unwrap();
        let u = UdpSocket::bind("127.0.0.1:9").await.unwrap();
        let mut buf = [0u8; 4];
        for _ in 0..1_000 {
            let mut accepts = FuturesUnordered::new();
            accepts.push(l.accept());
            assert!(time::timeout(ms(1), accepts.next()).await.is_err());
            let mut recvs = FuturesUnordered::new();
            recvs.push(u.recv_from(&mut buf));
            assert!(time::timeout(ms(1), recvs.next()).await.is_err());
        }
        let (count, waker) = tracked();
        let mut cx = Context::from_waker(&waker);
        assert!(l.poll_accept(&mut cx).is_pending());
        drop(waker);
        let c = spawn(async { TcpStream::connect("127.0.0.1:7").await.unwrap() });
        l.accept().await.unwrap();
        c.await.unwrap();
        assert!(
            !held_elsewhere(&count),
            "the arrival woke (and let go of) it"
        );
        u.send_to(b"hi", "127.0.0.1:9").await.unwrap();
        assert_eq!(u.recv_from(&mut buf).await.unwrap().0, 2);
    });
}

#[test]
fn tasks_accepting_and_receiving_together_are_each_woken() {
    for seed in 0..20 {
        let mut sim = Sim::builder().seed(seed).build();
        sim.run(async {
            let l = Arc::new(TcpListener::bind("127.0.0.1:7").await.unwrap());
            let u = Arc::new(UdpSocket::bind("127.0.0.1:9").await.unwrap());
            let mut waiting = Vec::new();
            for i in 0..4 {
                let (l, u) = (l.clone(), u.clone());
                waiting.push(spawn(async move {
                    if i % 2 == 0 {
                        let mut incoming = l.incoming();
                        incoming.next().await.unwrap().unwrap();
                    } else {
                        l.accept().await.unwrap();
                    }
                    let mut buf = [0u8; 4];
                    u.recv_from(&mut buf).await.unwrap();
                }));
            }
            time::sleep(ms(1)).await;
            let mut streams = Vec::new();
            let sender = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            for _ in 0..4 {
                streams.push(TcpStream::connect("127.0.0.1:7").await.unwrap());
                sender.send_to(b"x", "127.0.0.1:9").await.unwrap();
            }
            for w in waiting {
                w.await.unwrap();
            }
        })
        .unwrap();
    }
}
