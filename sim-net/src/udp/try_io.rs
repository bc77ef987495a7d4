//! The non-blocking and readiness API of [`UdpSocket`], as tokio has it:
//! `try_send_to`, `try_send`, `try_recv_from`, `try_recv`, `readable`,
//! `writable`, the peeks (`peek_from`, `try_peek_from`, `peek_sender`,
//! `try_peek_sender`) and `take_error`.
//!
//! A simulated socket's send buffer never fills (a datagram is handed to
//! the network at once, which drops it if the receiver's buffer is full),
//! so sends never wait: `writable` is ready at once and the `try_send`s
//! never return `WouldBlock`. Receives wait for a datagram to be queued:
//! `readable` and `peek_from` wait with the socket's `recv_from`s, each
//! in its own slot of the socket's [`Waiters`](crate::waiters::Waiters)
//! (any number at once, nothing left behind by a dropped wait), and every
//! arrival wakes them all.

use std::future::poll_fn;
use std::io;
use std::net::SocketAddr;
use std::task::Context;

use super::{Take, UdpSocket};
use crate::interest::Interest;
use crate::waiters::{Owner, WaitSlot};

impl UdpSocket {
    /// Sends a datagram to `target` without waiting: tokio's
    /// `try_send_to`. Sends never wait here (see
    /// [`writable`](Self::writable)), so this is
    /// [`send_to`](Self::send_to) without the `.await`.
    ///
    /// # Errors
    ///
    /// As [`send_to`](Self::send_to); never `WouldBlock`.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let sock = detsim::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// let me = sock.local_addr().unwrap();
    /// assert_eq!(sock.try_send_to(b"ping", me).unwrap(), 4);
    /// let mut buf = [0u8; 8];
    /// assert_eq!(sock.try_recv_from(&mut buf).unwrap(), (4, me));
    /// # }).unwrap();
    /// ```
    pub fn try_send_to(&self, buf: &[u8], target: SocketAddr) -> io::Result<usize> {
        self.send_to_now(buf, target)
    }

    /// Sends a datagram to the connected peer without waiting: tokio's
    /// `try_send`, [`send`](Self::send) without the `.await`.
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send) (`NotConnected` without
    /// [`connect`](Self::connect)); never `WouldBlock`.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let sock = detsim::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// let err = sock.try_send(b"x").unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::NotConnected);
    /// sock.connect(sock.local_addr().unwrap()).await.unwrap();
    /// assert_eq!(sock.try_send(b"x").unwrap(), 1);
    /// # }).unwrap();
    /// ```
    pub fn try_send(&self, buf: &[u8]) -> io::Result<usize> {
        self.send_now(buf)
    }

    /// Receives a datagram if one is queued (truncated to `buf`'s length,
    /// as [`recv_from`](Self::recv_from)); returns the bytes copied and the
    /// sender.
    ///
    /// # Errors
    ///
    /// `WouldBlock` when none is; otherwise as [`recv_from`](Self::recv_from).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let s = detsim::net::UdpSocket::bind("0.0.0.0:0").await.unwrap();
    /// let err = s.try_recv_from(&mut [0u8; 4]).unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
    /// # }).unwrap();
    /// ```
    pub fn try_recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        let api = "detsim::net::UdpSocket::try_recv_from";
        self.try_datagram(api, buf)
    }

    /// Receives a datagram from the connected peer (or from anyone, on an
    /// unconnected socket) if one is queued: tokio's `try_recv`.
    ///
    /// # Errors
    ///
    /// `WouldBlock` when none is; otherwise as [`recv`](Self::recv).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let sock = detsim::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// sock.connect(sock.local_addr().unwrap()).await.unwrap();
    /// let mut buf = [0u8; 8];
    /// let err = sock.try_recv(&mut buf).unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
    /// sock.send(b"loop").await.unwrap();
    /// assert_eq!(sock.try_recv(&mut buf).unwrap(), 4);
    /// # }).unwrap();
    /// ```
    pub fn try_recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        let api = "detsim::net::UdpSocket::try_recv";
        Ok(self.try_datagram(api, buf)?.0)
    }

    /// The next queued datagram (left queued with [`Take::Peek`]), or
    /// `WouldBlock`.
    fn try_datagram_as(
        &self,
        api: &str,
        buf: &mut [u8],
        take: Take,
    ) -> io::Result<(usize, SocketAddr)> {
        self.with(api, |s| {
            // The pending error first, as a blocking receive.
            super::take_refused(s)?;
            let Some((from, data)) = s.queue.front() else {
                return Err(io::Error::new(
                    io::ErrorKind::WouldBlock,
                    "no datagram is queued",
                ));
            };
            let (from, n) = (*from, data.len().min(buf.len()));
            buf[..n].copy_from_slice(&data[..n]);
            if let Take::Take = take {
                let (_, data) = s.queue.pop_front().expect("a datagram is queued");
                s.queued_bytes -= data.len();
            }
            Ok((n, from))
        })
    }

    /// The next queued datagram, or `WouldBlock`.
    fn try_datagram(&self, api: &str, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.try_datagram_as(api, buf, Take::Take)
    }

    /// Copies the next queued datagram (truncated to `buf`'s length)
    /// without taking it off the queue: tokio's `try_peek_from`.
    ///
    /// # Errors
    ///
    /// `WouldBlock` when none is queued; otherwise as
    /// [`recv_from`](Self::recv_from).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let sock = detsim::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// let me = sock.local_addr().unwrap();
    /// let mut buf = [0u8; 8];
    /// let err = sock.try_peek_from(&mut buf).unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
    /// sock.send_to(b"hello", me).await.unwrap();
    /// assert_eq!(sock.try_peek_from(&mut buf).unwrap(), (5, me));
    /// assert_eq!(sock.try_recv_from(&mut buf).unwrap(), (5, me)); // still queued
    /// # }).unwrap();
    /// ```
    pub fn try_peek_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        let api = "detsim::net::UdpSocket::try_peek_from";
        self.try_datagram_as(api, buf, Take::Peek)
    }

    /// Waits for a datagram and returns its sender, leaving it queued:
    /// tokio's `peek_sender` (to pick a buffer, or drop an unwanted
    /// sender's datagram, before receiving it).
    ///
    /// # Errors
    ///
    /// As [`peek_from`](Self::peek_from).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let sock = detsim::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// let me = sock.local_addr().unwrap();
    /// sock.send_to(b"hello", me).await.unwrap();
    /// assert_eq!(sock.peek_sender().await.unwrap(), me);
    /// let mut buf = [0u8; 8];
    /// assert_eq!(sock.recv_from(&mut buf).await.unwrap(), (5, me)); // still queued
    /// # }).unwrap();
    /// ```
    pub async fn peek_sender(&self) -> io::Result<SocketAddr> {
        let mut wait = WaitSlot::new(self.instance, Owner::Socket(self.key));
        let api = "detsim::net::UdpSocket::peek_sender";
        let peek = |cx: &mut Context<'_>| {
            self.poll_datagram(api, cx, &mut [], Some(&mut wait.slot), Take::Peek)
        };
        Ok(poll_fn(peek).await?.1)
    }

    /// The sender of the next queued datagram, which stays queued:
    /// tokio's `try_peek_sender`.
    ///
    /// # Errors
    ///
    /// `WouldBlock` when none is queued; otherwise as
    /// [`recv_from`](Self::recv_from).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let sock = detsim::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// let err = sock.try_peek_sender().unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
    /// # }).unwrap();
    /// ```
    pub fn try_peek_sender(&self) -> io::Result<SocketAddr> {
        let api = "detsim::net::UdpSocket::try_peek_sender";
        Ok(self.try_datagram_as(api, &mut [], Take::Peek)?.1)
    }

    /// Takes the socket's pending error (`SO_ERROR`), as tokio's
    /// `take_error`: the `ConnectionRefused` of a connected socket whose
    /// datagram found nobody at its peer (ICMP port unreachable), which
    /// the next receive or send would otherwise report. Taken, it is
    /// reported no more.
    ///
    /// # Errors
    ///
    /// `ConnectionAborted` once the socket's node was killed.
    ///
    /// ```
    /// use std::time::Duration;
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let sock = detsim::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// assert!(sock.take_error().unwrap().is_none());
    /// sock.connect("127.0.0.1:9").await.unwrap(); // nobody there
    /// sock.send(b"anyone?").await.unwrap();
    /// detsim::time::sleep(Duration::from_millis(1)).await;
    /// let err = sock.take_error().unwrap().unwrap();
    /// assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused);
    /// assert!(sock.take_error().unwrap().is_none());
    /// # }).unwrap();
    /// ```
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        let api = "detsim::net::UdpSocket::take_error";
        self.with(api, |s| Ok(super::take_refused(s).err()))
    }

    /// Waits until a datagram is queued: then
    /// [`try_recv_from`](Self::try_recv_from) returns it at once (unless
    /// another task took it first: loop on `WouldBlock`, as with tokio's).
    /// Any number of tasks can wait at once; a wait that is dropped leaves
    /// nothing behind.
    ///
    /// # Errors
    ///
    /// `ConnectionAborted` once the socket's node was killed.
    ///
    /// ```
    /// use std::time::Duration;
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let sock = detsim::net::UdpSocket::bind("0.0.0.0:9000").await.unwrap();
    /// detsim::node::Node::builder("client").init(|| async {
    ///     let c = detsim::net::UdpSocket::bind("0.0.0.0:0").await.unwrap();
    ///     c.send_to(b"hi", "main:9000").await.unwrap();
    /// }).build();
    /// let mut buf = [0u8; 8];
    /// let (n, from) = loop {
    ///     sock.readable().await.unwrap(); // one link latency later
    ///     match sock.try_recv_from(&mut buf) {
    ///         Ok(got) => break got,
    ///         Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
    ///         Err(e) => panic!("{e}"),
    ///     }
    /// };
    /// assert_eq!(&buf[..n], b"hi");
    /// assert_eq!(from.to_string(), "10.0.0.2:49152");
    /// # }).unwrap();
    /// ```
    pub async fn readable(&self) -> io::Result<()> {
        let mut wait = WaitSlot::new(self.instance, Owner::Socket(self.key));
        let api = "detsim::net::UdpSocket::readable";
        let readable = |cx: &mut Context<'_>| {
            self.poll_ready_as(api, cx, Interest::READABLE, Some(&mut wait.slot))
        };
        poll_fn(readable).await.map(|_| ())
    }

    /// Ready at once: a simulated socket's send buffer never fills, so
    /// sends never wait (tokio's `writable` waits for room in the
    /// kernel's buffer). For code written against tokio's loop of
    /// `writable` and `try_send_to`.
    ///
    /// # Errors
    ///
    /// `ConnectionAborted` once the socket's node was killed.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let sock = detsim::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// let me = sock.local_addr().unwrap();
    /// sock.writable().await.unwrap();
    /// assert_eq!(sock.try_send_to(b"now", me).unwrap(), 3);
    /// # }).unwrap();
    /// ```
    pub async fn writable(&self) -> io::Result<()> {
        self.with("detsim::net::UdpSocket::writable", |_| Ok(()))
    }

    /// Receives the next datagram without taking it from the queue (the
    /// next receive or peek gets it again), waiting for one: tokio's
    /// `peek_from`. Returns the bytes copied (truncated to `buf`'s
    /// length) and the sender.
    ///
    /// # Errors
    ///
    /// `ConnectionAborted` once the socket's node was killed.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let sock = detsim::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// let me = sock.local_addr().unwrap();
    /// sock.send_to(b"hello", me).await.unwrap();
    /// let mut head = [0u8; 2];
    /// assert_eq!(sock.peek_from(&mut head).await.unwrap(), (2, me));
    /// assert_eq!(&head, b"he");
    /// let mut buf = [0u8; 8];
    /// assert_eq!(sock.recv_from(&mut buf).await.unwrap(), (5, me)); // still there
    /// # }).unwrap();
    /// ```
    pub async fn peek_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        let mut wait = WaitSlot::new(self.instance, Owner::Socket(self.key));
        let api = "detsim::net::UdpSocket::peek_from";
        poll_fn(|cx| self.poll_datagram(api, cx, buf, Some(&mut wait.slot), Take::Peek)).await
    }
}
