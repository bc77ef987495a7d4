//! `ready(Interest)` on a [`UdpSocket`], and tokio's poll functions for
//! hand-written futures and io adapters (a QUIC or DNS library's runtime
//! glue): `poll_recv_ready`, `poll_send_ready`, `poll_recv`,
//! `poll_peek_from`, `poll_peek_sender`, `poll_send_to` and `poll_send`.
//!
//! The receiving poll functions share one waker with `poll_recv_from`
//! (the latest caller's, as tokio's): tasks that wait on one socket
//! together use the async forms, which keep one each. They take byte
//! slices where tokio takes a `ReadBuf`, as `poll_recv_from` does, so they
//! need no tokio feature. Sends never wait here (see
//! [`writable`](UdpSocket::writable)), so the sending ones are ready at
//! once.

use std::future::poll_fn;
use std::io;
use std::net::SocketAddr;
use std::task::{Context, Poll};

use super::{Take, UdpSocket};
use crate::interest::{Interest, Ready};
use crate::waiters::{Owner, WaitSlot};

impl UdpSocket {
    /// Waits until the socket is ready for part of `interest` and returns
    /// that part: tokio's `ready`. `READABLE` once a datagram is queued,
    /// `WRITABLE` always (sends never wait), `ERROR` while an ICMP error
    /// is pending (see [`take_error`](Self::take_error)); a UDP socket is
    /// never read- or write-closed. Readiness is computed when the wait is
    /// polled, never cached; any number of tasks can wait at once.
    ///
    /// # Errors
    ///
    /// `ConnectionAborted` once the socket's node was killed.
    ///
    /// ```
    /// use detsim::net::{Interest, UdpSocket};
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let sock = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// let me = sock.local_addr().unwrap();
    /// let r = sock.ready(Interest::READABLE | Interest::WRITABLE).await.unwrap();
    /// assert!(r.is_writable() && !r.is_readable());
    /// sock.send_to(b"hi", me).await.unwrap();
    /// let r = sock.ready(Interest::READABLE).await.unwrap();
    /// assert!(r.is_readable());
    /// let mut buf = [0u8; 4];
    /// assert_eq!(sock.try_recv_from(&mut buf).unwrap(), (2, me));
    /// # }).unwrap();
    /// ```
    pub async fn ready(&self, interest: Interest) -> io::Result<Ready> {
        let mut wait = WaitSlot::new(self.instance, Owner::Socket(self.key));
        let api = "detsim::net::UdpSocket::ready";
        poll_fn(|cx| self.poll_ready_as(api, cx, interest, Some(&mut wait.slot))).await
    }

    /// The socket's readiness limited to `interest`, or `Pending` with
    /// the waker kept in `slot` (`None`: the poll function caller's).
    pub(super) fn poll_ready_as(
        &self,
        api: &str,
        cx: &mut Context<'_>,
        interest: Interest,
        slot: Option<&mut Option<u32>>,
    ) -> Poll<io::Result<Ready>> {
        let mut replaced = None;
        let r = self.with(api, |s| {
            let ready = Ready::WRITABLE
                .with(Ready::READABLE, !s.queue.is_empty())
                .with(Ready::ERROR, s.refused.is_some())
                & Ready::mask(interest);
            if ready.is_empty() {
                replaced = s.waiters.park(slot, cx.waker());
            }
            Ok(ready)
        });
        // A replaced waker is user code: dropped outside the borrow.
        drop(replaced);
        match r {
            Ok(ready) if ready.is_empty() => Poll::Pending,
            Ok(ready) => Poll::Ready(Ok(ready)),
            Err(e) => Poll::Ready(Err(e)),
        }
    }

    /// Polls for a queued datagram without taking it: `Ready(Ok(()))`
    /// once one is queued, otherwise keeps `cx`'s waker (the one
    /// `poll_recv_from` keeps) and returns `Pending`. tokio's
    /// `poll_recv_ready`.
    ///
    /// # Errors
    ///
    /// `ConnectionAborted` once the socket's node was killed.
    ///
    /// ```
    /// use std::task::{Context, Waker};
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let sock = detsim::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert!(sock.poll_recv_ready(&mut cx).is_pending());
    /// sock.send_to(b"x", sock.local_addr().unwrap()).await.unwrap();
    /// assert!(sock.poll_recv_ready(&mut cx).is_ready());
    /// # }).unwrap();
    /// ```
    pub fn poll_recv_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let api = "detsim::net::UdpSocket::poll_recv_ready";
        self.poll_ready_as(api, cx, Interest::READABLE, None)
            .map_ok(|_| ())
    }

    /// Ready at once (sends never wait; see
    /// [`writable`](Self::writable)): tokio's `poll_send_ready`.
    ///
    /// # Errors
    ///
    /// `ConnectionAborted` once the socket's node was killed.
    ///
    /// ```
    /// use std::task::{Context, Waker};
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let sock = detsim::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert!(sock.poll_send_ready(&mut cx).is_ready());
    /// # }).unwrap();
    /// ```
    pub fn poll_send_ready(&self, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(self.with("detsim::net::UdpSocket::poll_send_ready", |_| Ok(())))
    }

    /// Polls for a datagram from the connected peer (from anyone, on an
    /// unconnected socket) into `buf`, truncating it: the bytes copied, or
    /// `Pending` with `cx`'s waker kept. tokio's `poll_recv`, with a byte
    /// slice for its `ReadBuf`.
    ///
    /// # Errors
    ///
    /// As [`recv`](Self::recv).
    ///
    /// ```
    /// use std::task::{Context, Poll, Waker};
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let sock = detsim::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// sock.connect(sock.local_addr().unwrap()).await.unwrap();
    /// let mut cx = Context::from_waker(Waker::noop());
    /// let mut buf = [0u8; 8];
    /// assert!(sock.poll_recv(&mut cx, &mut buf).is_pending());
    /// sock.send(b"loop").await.unwrap();
    /// assert!(matches!(sock.poll_recv(&mut cx, &mut buf), Poll::Ready(Ok(4))));
    /// # }).unwrap();
    /// ```
    pub fn poll_recv(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        let api = "detsim::net::UdpSocket::poll_recv";
        self.poll_datagram(api, cx, buf, None, Take::Take)
            .map_ok(|(n, _)| n)
    }

    /// Polls for a datagram, copying it into `buf` (truncated) without
    /// taking it off the queue: the bytes copied and the sender, or
    /// `Pending` with `cx`'s waker kept. tokio's `poll_peek_from`, with a
    /// byte slice for its `ReadBuf`.
    ///
    /// # Errors
    ///
    /// As [`peek_from`](Self::peek_from).
    ///
    /// ```
    /// use std::task::{Context, Poll, Waker};
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let sock = detsim::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// let me = sock.local_addr().unwrap();
    /// sock.send_to(b"hello", me).await.unwrap();
    /// let mut cx = Context::from_waker(Waker::noop());
    /// let mut head = [0u8; 2];
    /// let got = sock.poll_peek_from(&mut cx, &mut head);
    /// assert!(matches!(got, Poll::Ready(Ok((2, from))) if from == me));
    /// assert_eq!(sock.try_recv_from(&mut [0u8; 8]).unwrap(), (5, me)); // still queued
    /// # }).unwrap();
    /// ```
    pub fn poll_peek_from(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<(usize, SocketAddr)>> {
        let api = "detsim::net::UdpSocket::poll_peek_from";
        self.poll_datagram(api, cx, buf, None, Take::Peek)
    }

    /// Polls for the sender of the next datagram, which stays queued, or
    /// returns `Pending` with `cx`'s waker kept: tokio's
    /// `poll_peek_sender`.
    ///
    /// # Errors
    ///
    /// As [`peek_from`](Self::peek_from).
    ///
    /// ```
    /// use std::task::{Context, Poll, Waker};
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let sock = detsim::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// let me = sock.local_addr().unwrap();
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert!(sock.poll_peek_sender(&mut cx).is_pending());
    /// sock.send_to(b"hi", me).await.unwrap();
    /// assert!(matches!(sock.poll_peek_sender(&mut cx), Poll::Ready(Ok(from)) if from == me));
    /// # }).unwrap();
    /// ```
    pub fn poll_peek_sender(&self, cx: &mut Context<'_>) -> Poll<io::Result<SocketAddr>> {
        let api = "detsim::net::UdpSocket::poll_peek_sender";
        self.poll_datagram(api, cx, &mut [], None, Take::Peek)
            .map_ok(|(_, from)| from)
    }

    /// Sends a datagram to `target`: ready at once (sends never wait),
    /// with what [`send_to`](Self::send_to) returns. tokio's
    /// `poll_send_to`.
    ///
    /// # Errors
    ///
    /// As [`send_to`](Self::send_to).
    ///
    /// ```
    /// use std::task::{Context, Poll, Waker};
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let sock = detsim::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// let me = sock.local_addr().unwrap();
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert!(matches!(sock.poll_send_to(&mut cx, b"ping", me), Poll::Ready(Ok(4))));
    /// assert_eq!(sock.try_recv_from(&mut [0u8; 8]).unwrap(), (4, me));
    /// # }).unwrap();
    /// ```
    pub fn poll_send_to(
        &self,
        _cx: &mut Context<'_>,
        buf: &[u8],
        target: SocketAddr,
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(self.send_to_now(buf, target))
    }

    /// Sends a datagram to the connected peer: ready at once, with what
    /// [`send`](Self::send) returns. tokio's `poll_send`.
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send): `NotConnected` without
    /// [`connect`](Self::connect).
    ///
    /// ```
    /// use std::task::{Context, Poll, Waker};
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let sock = detsim::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert!(matches!(sock.poll_send(&mut cx, b"x"), Poll::Ready(Err(_))));
    /// sock.connect(sock.local_addr().unwrap()).await.unwrap();
    /// assert!(matches!(sock.poll_send(&mut cx, b"x"), Poll::Ready(Ok(1))));
    /// # }).unwrap();
    /// ```
    pub fn poll_send(&self, _cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Poll::Ready(self.send_now(buf))
    }
}
