//! Readiness and non-blocking io on a TCP connection end, as tokio has
//! them: `readable`, `writable`, `try_read`, `try_write` (and their
//! `_vectored` forms) and `peek`, for [`TcpStream`] and its halves (read
//! side: the stream and the read halves; write side: the stream and the
//! write halves); the end's [`Ready`] set, which `ready(Interest)` and the
//! poll functions in [`readiness`](super::readiness) return.
//!
//! A read is *ready* when it would not wait: bytes have arrived, or EOF
//! (the peer's FIN), a read shutdown or a failure makes it return at once.
//! A write is ready when the send buffer has room, or a write shutdown or
//! a failure makes it fail at once. `readable`/`writable` wait for that;
//! `try_read`/`try_write` do what `read`/`write` would, or return
//! `WouldBlock` instead of waiting.
//!
//! The waits (`readable`, `writable`, `peek`) take `&self`, so any number
//! of tasks can wait on one end at once (a stream shared through an
//! `Arc`): each waiting future has its own slot in the end's
//! [`Waiters`](crate::waiters::Waiters), given back when it completes or
//! is dropped, and every event that could make the end ready (an arrival,
//! the window reopening, a shutdown, a failure) wakes them all, in slot
//! order. Checking readiness draws nothing from the choice source.

use std::future::poll_fn;
use std::io;
use std::task::{Context, Poll, Waker};

use super::conn::{End, Phase, park};
use super::handle::{Handle, failed_read};
use super::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, TcpStream, WriteHalf};
use crate::interest::{Interest, Ready};
use crate::waiters::{Owner, WaitSlot};

/// Whether a read of `e` returns at once (bytes, EOF or an error).
fn read_ready(e: &End) -> bool {
    !e.recv_buf.is_empty() || e.eof || e.read_shutdown || matches!(e.phase, Phase::Failed(_))
}

/// Whether a write to `e` returns at once (taking bytes, or failing).
fn write_ready(e: &End) -> bool {
    e.send_buf.len() < e.send_cap || e.write_shutdown || matches!(e.phase, Phase::Failed(_))
}

/// What `e` is ready for now: the TCP column of [`Ready`]'s table, as
/// Linux's `tcp_poll` sets `EPOLLIN`, `EPOLLRDHUP`, `EPOLLOUT`, `EPOLLHUP`
/// and `EPOLLERR`, and mio reads them.
pub(super) fn readiness(e: &End) -> Ready {
    let failed = matches!(e.phase, Phase::Failed(_));
    let read_closed = e.eof || e.read_shutdown || failed;
    Ready::EMPTY
        .with(Ready::READABLE, read_ready(e))
        .with(Ready::READ_CLOSED, read_closed)
        .with(Ready::WRITABLE, write_ready(e))
        .with(
            Ready::WRITE_CLOSED,
            failed || (e.write_shutdown && (e.eof || e.read_shutdown)),
        )
        .with(Ready::ERROR, failed && !e.failure_reported)
}

/// The error of a `try_` call that would wait.
fn would_block(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::WouldBlock, what)
}

/// Where a poll that has to wait keeps its waker.
pub(super) enum Park<'a> {
    /// A waiting future's own slot in the end's readiness waiters.
    Slot(&'a mut Option<u32>),
    /// The end's read waker, shared with `poll_read` (tokio's
    /// `poll_read_ready` and `poll_peek`: the latest call's waker is kept).
    Reader,
    /// The end's write waker, shared with `poll_write`.
    Writer,
}

impl Park<'_> {
    /// Keeps `waker` where this says; returns the waker it replaced.
    fn park(self, e: &mut End, waker: &Waker) -> Option<Waker> {
        match self {
            Park::Slot(slot) => e.ready.park(Some(slot), waker),
            Park::Reader => park(&mut e.reader, waker),
            Park::Writer => park(&mut e.writer, waker),
        }
    }
}

impl Handle {
    /// Waits until the end is ready for part of `interest` (see
    /// [`Ready`]); returns that part.
    pub(super) async fn ready(&self, interest: Interest) -> io::Result<Ready> {
        // Given back when this future completes or is dropped.
        let mut wait = WaitSlot::new(self.instance, Owner::Conn(self.conn, self.end));
        poll_fn(|cx| self.poll_ready(cx, interest, Park::Slot(&mut wait.slot))).await
    }

    pub(super) fn poll_ready(
        &self,
        cx: &mut Context<'_>,
        interest: Interest,
        at: Park<'_>,
    ) -> Poll<io::Result<Ready>> {
        let api = match (interest.is_readable(), interest.is_writable()) {
            (true, false) => "detsim::net::TcpStream::readable",
            (false, true) => "detsim::net::TcpStream::writable",
            _ => "detsim::net::TcpStream::ready",
        };
        self.poll(api, |c, end, fx| {
            let e = &mut c.ends[end];
            let ready = readiness(e) & Ready::mask(interest);
            if !ready.is_empty() {
                return Poll::Ready(Ok(ready));
            }
            fx.trash.extend(at.park(e, cx.waker()));
            Poll::Pending
        })
    }

    /// A read that does not wait: `WouldBlock` where `poll_read` would.
    fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        let ready = self.peek_conn("detsim::net::TcpStream::try_read", |c, end| {
            Ok(buf.is_empty() || read_ready(&c.ends[end]))
        })?;
        if !ready {
            return Err(would_block("nothing to read yet: no bytes have arrived"));
        }
        // Ready: the read returns at once and parks no waker.
        match self.poll_read(&mut Context::from_waker(Waker::noop()), buf) {
            Poll::Ready(r) => r,
            Poll::Pending => Err(would_block("nothing to read yet: no bytes have arrived")),
        }
    }

    /// A write that does not wait: `WouldBlock` where `poll_write` would.
    fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        let ready = self.peek_conn("detsim::net::TcpStream::try_write", |c, end| {
            Ok(buf.is_empty() || write_ready(&c.ends[end]))
        })?;
        let full = "the send buffer is full: the peer has not read enough yet";
        if !ready {
            return Err(would_block(full));
        }
        match self.poll_write(&mut Context::from_waker(Waker::noop()), buf) {
            Poll::Ready(r) => r,
            Poll::Pending => Err(would_block(full)),
        }
    }

    /// [`try_read`](Self::try_read) into `bufs` in order, through one
    /// buffer of what has arrived (at least a byte, to see EOF or an
    /// error; nothing for empty `bufs`).
    fn try_read_vectored(&self, bufs: &mut [io::IoSliceMut<'_>]) -> io::Result<usize> {
        let total: usize = bufs.iter().map(|b| b.len()).sum();
        let api = "detsim::net::TcpStream::try_read_vectored";
        let queued = self.peek_conn(api, |c, end| Ok(c.ends[end].recv_buf.len()))?;
        let mut all = vec![0u8; total.min(queued.max(1))];
        let n = self.try_read(&mut all)?;
        let mut rest = &all[..n];
        for b in bufs.iter_mut() {
            let k = b.len().min(rest.len());
            b[..k].copy_from_slice(&rest[..k]);
            rest = &rest[k..];
        }
        Ok(n)
    }

    /// [`try_write`](Self::try_write) of `bufs` as one, gathering no more
    /// than the send buffer has room for (at least a byte, to see
    /// `WouldBlock` or an error; nothing for empty `bufs`).
    fn try_write_vectored(&self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        let api = "detsim::net::TcpStream::try_write_vectored";
        let room = self.peek_conn(api, |c, end| {
            let e = &c.ends[end];
            Ok(e.send_cap.saturating_sub(e.send_buf.len()))
        })?;
        let total: usize = bufs.iter().map(|b| b.len()).sum();
        let want = total.min(room.max(1));
        let mut all = Vec::with_capacity(want);
        for b in bufs {
            let k = b.len().min(want - all.len());
            all.extend_from_slice(&b[..k]);
        }
        self.try_write(&all)
    }

    /// Copies the first unread bytes into `buf` without consuming them,
    /// waiting for some (or EOF, or an error) first.
    async fn peek_bytes(&self, buf: &mut [u8]) -> io::Result<usize> {
        let mut wait = WaitSlot::new(self.instance, Owner::Conn(self.conn, self.end));
        poll_fn(|cx| self.poll_peek_bytes(cx, buf, Park::Slot(&mut wait.slot))).await
    }

    /// [`peek_bytes`](Self::peek_bytes)' poll, keeping the waker `at`.
    pub(super) fn poll_peek_bytes(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
        at: Park<'_>,
    ) -> Poll<io::Result<usize>> {
        self.poll("detsim::net::TcpStream::peek", |c, end, fx| {
            let e = &mut c.ends[end];
            if buf.is_empty() {
                return Poll::Ready(Ok(0));
            }
            if !e.recv_buf.is_empty() {
                let unread = e.recv_buf.unread();
                let n = buf.len().min(unread.len());
                buf[..n].copy_from_slice(&unread[..n]);
                return Poll::Ready(Ok(n));
            }
            if e.eof {
                return Poll::Ready(Ok(0));
            }
            // After a read shutdown, a failure is still reported (once):
            // Linux's `tcp_recvmsg` checks `sk_err` before `RCV_SHUTDOWN`.
            if let Phase::Failed(kind) = e.phase {
                return Poll::Ready(failed_read(e, kind));
            }
            if e.read_shutdown {
                return Poll::Ready(Ok(0));
            }
            fx.trash.extend(at.park(e, cx.waker()));
            Poll::Pending
        })
    }
}

/// `readable`, `try_read` and `peek` (whose receiver is `$peek_self`, as
/// in tokio) for `$t`, whose handle is `self.h`. The doc examples make
/// `$v` with `$setup`, from a connected `client` and its peer `server`.
macro_rules! read_api {
    ($t:ty, $peek_self:ty, $setup:literal, $v:ident) => {
        impl $t {
            /// Waits until a read would not wait: bytes have arrived, or
            /// the peer closed its side (EOF), the connection failed, or
            /// reading was shut down. Then [`try_read`](Self::try_read)
            /// returns at once (the bytes, `Ok(0)` or the error). As with
            /// tokio's, the readiness can be gone by the time the task
            /// reads (another task read first): loop on `WouldBlock`.
            ///
            /// Any number of tasks can wait at once (all are woken); a
            /// wait that is dropped (a `select!`, a `timeout`) leaves
            /// nothing behind.
            ///
            /// # Errors
            ///
            /// `ConnectionAborted` once the connection is gone.
            ///
            /// ```
            /// use detsim::net::{TcpListener, TcpStream};
            /// use futures::io::AsyncWriteExt;
            /// # let mut sim = detsim::Sim::builder().build();
            /// # sim.run(async {
            /// let listener = TcpListener::bind("127.0.0.1:80").await.unwrap();
            /// let mut client = TcpStream::connect("127.0.0.1:80").await.unwrap();
            /// let (mut server, _) = listener.accept().await.unwrap();
            #[doc = $setup]
            /// detsim::spawn(async move {
            ///     detsim::time::sleep(std::time::Duration::from_millis(5)).await;
            ///     server.write_all(b"hello").await.unwrap();
            /// });
            /// let mut buf = [0u8; 16];
            /// let n = loop {
            #[doc = concat!("    ", stringify!($v), ".readable().await.unwrap(); // 5 ms later")]
            #[doc = concat!("    match ", stringify!($v), ".try_read(&mut buf) {")]
            ///         Ok(n) => break n,
            ///         Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
            ///         Err(e) => panic!("{e}"),
            ///     }
            /// };
            /// assert_eq!(&buf[..n], b"hello");
            /// # }).unwrap();
            /// ```
            pub async fn readable(&self) -> io::Result<()> {
                self.h.ready(Interest::READABLE).await.map(|_| ())
            }

            /// Reads what has arrived without waiting: `Ok(n)` with the
            /// bytes read, `Ok(0)` at EOF (after a read shutdown, or for an
            /// empty `buf`), or `WouldBlock` when a read would wait. Pair
            /// it with [`readable`](Self::readable).
            ///
            /// # Errors
            ///
            /// `WouldBlock` when nothing has arrived; otherwise as a read:
            /// `ConnectionReset` (after the bytes that had arrived),
            /// `TimedOut`, `ConnectionAborted`.
            ///
            /// ```
            /// use detsim::net::{TcpListener, TcpStream};
            /// use futures::io::AsyncWriteExt;
            /// # let mut sim = detsim::Sim::builder().build();
            /// # sim.run(async {
            /// let listener = TcpListener::bind("127.0.0.1:80").await.unwrap();
            /// let mut client = TcpStream::connect("127.0.0.1:80").await.unwrap();
            /// let (mut server, _) = listener.accept().await.unwrap();
            #[doc = $setup]
            /// let mut buf = [0u8; 16];
            #[doc = concat!("let err = ", stringify!($v), ".try_read(&mut buf).unwrap_err();")]
            /// assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
            /// server.write_all(b"hi").await.unwrap(); // over loopback: here at once
            #[doc = concat!("assert_eq!(", stringify!($v), ".try_read(&mut buf).unwrap(), 2);")]
            /// drop(server); // its FIN: EOF
            #[doc = concat!("assert_eq!(", stringify!($v), ".try_read(&mut buf).unwrap(), 0);")]
            /// # }).unwrap();
            /// ```
            pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
                self.h.try_read(buf)
            }

            /// [`try_read`](Self::try_read) into several buffers, filled
            /// in order (each full before the next gets a byte): tokio's
            /// `try_read_vectored`.
            ///
            /// # Errors
            ///
            /// As [`try_read`](Self::try_read): `WouldBlock` when nothing
            /// has arrived.
            ///
            /// ```
            /// use std::io::IoSliceMut;
            /// use detsim::net::{TcpListener, TcpStream};
            /// use futures::io::AsyncWriteExt;
            /// # let mut sim = detsim::Sim::builder().build();
            /// # sim.run(async {
            /// let listener = TcpListener::bind("127.0.0.1:80").await.unwrap();
            /// let mut client = TcpStream::connect("127.0.0.1:80").await.unwrap();
            /// let (mut server, _) = listener.accept().await.unwrap();
            #[doc = $setup]
            /// server.write_all(b"header+body").await.unwrap();
            /// let (mut head, mut body) = ([0u8; 7], [0u8; 8]);
            /// let mut bufs = [IoSliceMut::new(&mut head), IoSliceMut::new(&mut body)];
            #[doc = concat!("assert_eq!(", stringify!($v), ".try_read_vectored(&mut bufs).unwrap(), 11);")]
            /// assert_eq!((&head, &body[..4]), (b"header+", &b"body"[..]));
            /// # }).unwrap();
            /// ```
            pub fn try_read_vectored(
                &self,
                bufs: &mut [std::io::IoSliceMut<'_>],
            ) -> io::Result<usize> {
                self.h.try_read_vectored(bufs)
            }

            /// Copies the first bytes that arrived into `buf` without
            /// consuming them (the next read or peek gets them again),
            /// waiting until some have arrived: `Ok(n)`, or `Ok(0)` at EOF
            /// (after a read shutdown, or for an empty `buf`). A wait that
            /// is dropped leaves nothing behind.
            ///
            /// # Errors
            ///
            /// As a read: `ConnectionReset` (after the bytes that had
            /// arrived), `TimedOut`, `ConnectionAborted`.
            ///
            /// ```
            /// use detsim::net::{TcpListener, TcpStream};
            /// use futures::io::AsyncWriteExt;
            /// # let mut sim = detsim::Sim::builder().build();
            /// # sim.run(async {
            /// let listener = TcpListener::bind("127.0.0.1:80").await.unwrap();
            /// let mut client = TcpStream::connect("127.0.0.1:80").await.unwrap();
            /// let (mut server, _) = listener.accept().await.unwrap();
            #[doc = $setup]
            /// server.write_all(b"hello").await.unwrap();
            /// let mut buf = [0u8; 3];
            #[doc = concat!("assert_eq!(", stringify!($v), ".peek(&mut buf).await.unwrap(), 3);")]
            /// assert_eq!(&buf, b"hel");
            /// // Still there: a read gets the same bytes.
            /// let mut all = [0u8; 8];
            #[doc = concat!("assert_eq!(", stringify!($v), ".try_read(&mut all).unwrap(), 5);")]
            /// assert_eq!(&all[..5], b"hello");
            /// # }).unwrap();
            /// ```
            pub async fn peek(self: $peek_self, buf: &mut [u8]) -> io::Result<usize> {
                self.h.peek_bytes(buf).await
            }
        }
    };
}

/// `writable` and `try_write` for `$t`, whose handle is `self.h`. The doc
/// examples make `$v` with `$setup`, from a connected `client` and its
/// peer `server`.
macro_rules! write_api {
    ($t:ty, $setup:literal, $v:ident) => {
        impl $t {
            /// Waits until a write would not wait: the send buffer has room
            /// (the peer read enough for the window to reopen), or the
            /// writing side was shut down or the connection failed (then
            /// the write fails at once). Then
            /// [`try_write`](Self::try_write) takes bytes or fails. As with
            /// tokio's, another task may fill the room first: loop on
            /// `WouldBlock`.
            ///
            /// Any number of tasks can wait at once (all are woken); a
            /// wait that is dropped leaves nothing behind.
            ///
            /// # Errors
            ///
            /// `ConnectionAborted` once the connection is gone.
            ///
            /// ```
            /// use detsim::net::{RECV_WINDOW, SEND_BUFFER, TcpListener, TcpStream};
            /// # let mut sim = detsim::Sim::builder().build();
            /// # sim.run(async {
            /// let listener = TcpListener::bind("127.0.0.1:80").await.unwrap();
            /// let mut client = TcpStream::connect("127.0.0.1:80").await.unwrap();
            /// let (mut server, _) = listener.accept().await.unwrap();
            #[doc = $setup]
            /// // The peer does not read yet: the window and the send buffer fill.
            /// let mut sent = 0;
            #[doc = concat!("while let Ok(n) = ", stringify!($v), ".try_write(&[0u8; 4096]) {")]
            ///     sent += n;
            /// }
            /// assert_eq!(sent, RECV_WINDOW + SEND_BUFFER);
            /// let reader = detsim::spawn(async move {
            ///     use futures::io::AsyncReadExt;
            ///     detsim::time::sleep(std::time::Duration::from_millis(5)).await;
            ///     let mut buf = vec![0u8; RECV_WINDOW];
            ///     server.read_exact(&mut buf).await.unwrap();
            ///     server // kept open: dropped with unread input, it would reset
            /// });
            #[doc = concat!(stringify!($v), ".writable().await.unwrap(); // once the peer read")]
            #[doc = concat!("assert_eq!(", stringify!($v), ".try_write(b\"more\").unwrap(), 4);")]
            /// # drop(reader);
            /// # }).unwrap();
            /// ```
            pub async fn writable(&self) -> io::Result<()> {
                self.h.ready(Interest::WRITABLE).await.map(|_| ())
            }

            /// Writes without waiting: `Ok(n)` with the bytes taken (sent,
            /// or buffered until the window opens, as a `write`), `Ok(0)`
            /// for an empty `buf`, or `WouldBlock` when the send buffer is
            /// full (the peer has not read [`RECV_WINDOW`](crate::RECV_WINDOW)
            /// bytes and [`SEND_BUFFER`](crate::SEND_BUFFER) more wait).
            /// Pair it with [`writable`](Self::writable).
            ///
            /// # Errors
            ///
            /// `WouldBlock` when the send buffer is full; otherwise as a
            /// write: `BrokenPipe` after a write shutdown,
            /// `ConnectionReset`, `TimedOut`, `ConnectionAborted`.
            ///
            /// ```
            /// use detsim::net::{RECV_WINDOW, SEND_BUFFER, TcpListener, TcpStream};
            /// # let mut sim = detsim::Sim::builder().build();
            /// # sim.run(async {
            /// let listener = TcpListener::bind("127.0.0.1:80").await.unwrap();
            /// let mut client = TcpStream::connect("127.0.0.1:80").await.unwrap();
            /// let (_server, _) = listener.accept().await.unwrap();
            #[doc = $setup]
            #[doc = concat!("assert_eq!(", stringify!($v), ".try_write(b\"hello\").unwrap(), 5);")]
            /// // The peer never reads: the buffers fill, then `WouldBlock`.
            /// let mut taken = 5;
            /// let err = loop {
            #[doc = concat!("    match ", stringify!($v), ".try_write(&[0u8; 4096]) {")]
            ///         Ok(n) => taken += n,
            ///         Err(e) => break e,
            ///     }
            /// };
            /// assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
            /// assert_eq!(taken, RECV_WINDOW + SEND_BUFFER);
            /// # }).unwrap();
            /// ```
            pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
                self.h.try_write(buf)
            }

            /// [`try_write`](Self::try_write) of several buffers, taken in
            /// order as one (a prefix when the send buffer has less room):
            /// tokio's `try_write_vectored`.
            ///
            /// # Errors
            ///
            /// As [`try_write`](Self::try_write): `WouldBlock` when the
            /// send buffer is full.
            ///
            /// ```
            /// use std::io::IoSlice;
            /// use detsim::net::{TcpListener, TcpStream};
            /// # let mut sim = detsim::Sim::builder().build();
            /// # sim.run(async {
            /// let listener = TcpListener::bind("127.0.0.1:80").await.unwrap();
            /// let mut client = TcpStream::connect("127.0.0.1:80").await.unwrap();
            /// let (mut server, _) = listener.accept().await.unwrap();
            #[doc = $setup]
            /// let bufs = [IoSlice::new(b"head"), IoSlice::new(b"+body")];
            #[doc = concat!("assert_eq!(", stringify!($v), ".try_write_vectored(&bufs).unwrap(), 9);")]
            /// let mut got = [0u8; 16];
            /// assert_eq!(server.try_read(&mut got).unwrap(), 9); // over loopback: here at once
            /// assert_eq!(&got[..9], b"head+body");
            /// # }).unwrap();
            /// ```
            pub fn try_write_vectored(&self, bufs: &[std::io::IoSlice<'_>]) -> io::Result<usize> {
                self.h.try_write_vectored(bufs)
            }
        }
    };
}

read_api!(TcpStream, &Self, "", client);
read_api!(
    ReadHalf<'_>,
    &mut Self,
    "let (mut rd, _wr) = client.split();",
    rd
);
read_api!(
    OwnedReadHalf,
    &mut Self,
    "let (mut rd, _wr) = client.into_split();",
    rd
);
write_api!(TcpStream, "", client);
write_api!(WriteHalf<'_>, "let (_rd, wr) = client.split();", wr);
write_api!(OwnedWriteHalf, "let (_rd, wr) = client.into_split();", wr);
