//! `ready(Interest)` on a TCP connection end, and the readiness poll
//! functions for hand-written futures and io adapters (`poll_read_ready`,
//! `poll_write_ready`, `poll_peek`), as tokio has them.
//!
//! `ready` waits like `readable` and `writable` (a slot per waiting
//! future, see [`ready`](super::ready)); it returns the end's readiness
//! limited to the interest ([`Ready::mask`]), computed when it is polled.
//! The poll functions keep one waker per direction, shared with
//! `poll_read` (`poll_read_ready`, `poll_peek`) or `poll_write`
//! (`poll_write_ready`): as with tokio, only the latest call's waker is
//! woken, so tasks that wait on one stream together use the async waits.

use std::io;
use std::task::{Context, Poll};

use super::ready::Park;
use super::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, TcpStream, WriteHalf};
use crate::interest::{Interest, Ready};

/// `ready(interest)` for `$t`, whose handle is `self.h`. The doc example
/// makes `$v` with `$setup`, from a connected `client` and its peer
/// `server`.
macro_rules! ready_api {
    ($t:ty, $setup:literal, $v:ident) => {
        impl $t {
            /// Waits until the connection is ready for part of `interest`
            /// and returns that part: tokio's `ready`. With
            /// `Interest::READABLE | Interest::WRITABLE`, one task can
            /// wait for either direction; the [`Ready`] says which (see
            /// its table for what each bit means on a stream). Then
            /// `try_read`/`try_write` return at once, unless another task
            /// got there first: loop on `WouldBlock`.
            ///
            /// Readiness is computed from the connection's state each time
            /// the wait is polled, never cached. Any number of tasks can
            /// wait at once (all are woken by an arrival, the window
            /// reopening, a shutdown or a failure); a wait that is dropped
            /// leaves nothing behind.
            ///
            /// # Errors
            ///
            /// `ConnectionAborted` once the connection is gone.
            ///
            /// ```
            /// use detsim::net::{Interest, TcpListener, TcpStream};
            /// use futures::io::AsyncWriteExt;
            /// # let mut sim = detsim::Sim::builder().build();
            /// # sim.run(async {
            /// let listener = TcpListener::bind("127.0.0.1:80").await.unwrap();
            /// let mut client = TcpStream::connect("127.0.0.1:80").await.unwrap();
            /// let (mut server, _) = listener.accept().await.unwrap();
            #[doc = $setup]
            #[doc = concat!("let r = ", stringify!($v), ".ready(Interest::READABLE | Interest::WRITABLE).await.unwrap();")]
            /// assert!(r.is_writable() && !r.is_readable()); // room to write, nothing arrived
            /// server.write_all(b"hi").await.unwrap(); // over loopback: here at once
            #[doc = concat!("let r = ", stringify!($v), ".ready(Interest::READABLE).await.unwrap();")]
            /// assert!(r.is_readable() && !r.is_read_closed() && !r.is_writable());
            /// server.close().await.unwrap(); // its FIN
            #[doc = concat!("let r = ", stringify!($v), ".ready(Interest::READABLE).await.unwrap();")]
            /// assert!(r.is_read_closed());
            /// # }).unwrap();
            /// ```
            pub async fn ready(&self, interest: Interest) -> io::Result<Ready> {
                self.h.ready(interest).await
            }
        }
    };
}

ready_api!(TcpStream, "", client);
ready_api!(ReadHalf<'_>, "let (rd, _wr) = client.split();", rd);
ready_api!(OwnedReadHalf, "let (rd, _wr) = client.into_split();", rd);
ready_api!(WriteHalf<'_>, "let (_rd, wr) = client.split();", wr);
ready_api!(OwnedWriteHalf, "let (_rd, wr) = client.into_split();", wr);

impl TcpStream {
    /// Polls for read readiness: `Ready(Ok(()))` when a read would not
    /// wait (bytes, EOF, or an error to return), otherwise keeps `cx`'s
    /// waker and returns `Pending`. For hand-written futures and io
    /// adapters; tokio's `poll_read_ready`.
    ///
    /// The waker is the one `poll_read` and [`poll_peek`](Self::poll_peek)
    /// keep: as with tokio, only the latest call's is woken.
    ///
    /// # Errors
    ///
    /// `ConnectionAborted` once the connection is gone.
    ///
    /// ```
    /// use std::task::{Context, Waker};
    /// use detsim::net::{TcpListener, TcpStream};
    /// use futures::io::AsyncWriteExt;
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let listener = TcpListener::bind("127.0.0.1:80").await.unwrap();
    /// let client = TcpStream::connect("127.0.0.1:80").await.unwrap();
    /// let (mut server, _) = listener.accept().await.unwrap();
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert!(client.poll_read_ready(&mut cx).is_pending());
    /// server.write_all(b"hi").await.unwrap();
    /// assert!(client.poll_read_ready(&mut cx).is_ready());
    /// # }).unwrap();
    /// ```
    pub fn poll_read_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.h
            .poll_ready(cx, Interest::READABLE, Park::Reader)
            .map_ok(|_| ())
    }

    /// Polls for write readiness: `Ready(Ok(()))` when a write would not
    /// wait (room in the send buffer, or an error to return), otherwise
    /// keeps `cx`'s waker and returns `Pending`. tokio's
    /// `poll_write_ready`.
    ///
    /// The waker is the one `poll_write` keeps: as with tokio, only the
    /// latest call's is woken.
    ///
    /// # Errors
    ///
    /// `ConnectionAborted` once the connection is gone.
    ///
    /// ```
    /// use std::task::{Context, Waker};
    /// use detsim::net::{TcpListener, TcpStream};
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let listener = TcpListener::bind("127.0.0.1:80").await.unwrap();
    /// let client = TcpStream::connect("127.0.0.1:80").await.unwrap();
    /// let (_server, _) = listener.accept().await.unwrap();
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert!(client.poll_write_ready(&mut cx).is_ready()); // the buffer is empty
    /// while client.try_write(&[0u8; 4096]).is_ok() {} // the peer never reads
    /// assert!(client.poll_write_ready(&mut cx).is_pending());
    /// # }).unwrap();
    /// ```
    pub fn poll_write_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.h
            .poll_ready(cx, Interest::WRITABLE, Park::Writer)
            .map_ok(|_| ())
    }

    /// Copies the first unread bytes into `buf` without consuming them,
    /// or keeps `cx`'s waker and returns `Pending` when none have
    /// arrived: tokio's `poll_peek`, with a byte slice where tokio takes a
    /// `ReadBuf` (so it needs no tokio feature). `Ok(0)` at EOF, after a
    /// read shutdown, or for an empty `buf`.
    ///
    /// The waker is the one `poll_read` keeps: only the latest call's is
    /// woken. [`peek`](Self::peek) is the async form.
    ///
    /// # Errors
    ///
    /// As a read: `ConnectionReset` (after the bytes that had arrived),
    /// `TimedOut`, `ConnectionAborted`.
    ///
    /// ```
    /// use std::task::{Context, Poll, Waker};
    /// use detsim::net::{TcpListener, TcpStream};
    /// use futures::io::AsyncWriteExt;
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let listener = TcpListener::bind("127.0.0.1:80").await.unwrap();
    /// let client = TcpStream::connect("127.0.0.1:80").await.unwrap();
    /// let (mut server, _) = listener.accept().await.unwrap();
    /// let mut cx = Context::from_waker(Waker::noop());
    /// let mut buf = [0u8; 8];
    /// assert!(client.poll_peek(&mut cx, &mut buf).is_pending());
    /// server.write_all(b"peek").await.unwrap();
    /// assert!(matches!(client.poll_peek(&mut cx, &mut buf), Poll::Ready(Ok(4))));
    /// assert_eq!(client.try_read(&mut buf).unwrap(), 4); // still there
    /// # }).unwrap();
    /// ```
    pub fn poll_peek(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.h.poll_peek_bytes(cx, buf, Park::Reader)
    }
}

/// `poll_peek` for a read half `$t` (taking `&mut self`, as tokio's).
macro_rules! half_poll_peek {
    ($t:ty, $split:literal) => {
        impl $t {
            /// [`TcpStream::poll_peek`] on this half: copies the first
            /// unread bytes into `buf` without consuming them, or keeps
            /// `cx`'s waker (the one `poll_read` keeps) and returns
            /// `Pending`.
            ///
            /// # Errors
            ///
            /// As a read: `ConnectionReset`, `TimedOut`,
            /// `ConnectionAborted`.
            ///
            /// ```
            /// use std::task::{Context, Poll, Waker};
            /// use detsim::net::{TcpListener, TcpStream};
            /// use futures::io::AsyncWriteExt;
            /// # let mut sim = detsim::Sim::builder().build();
            /// # sim.run(async {
            /// let listener = TcpListener::bind("127.0.0.1:80").await.unwrap();
            /// let mut client = TcpStream::connect("127.0.0.1:80").await.unwrap();
            /// let (mut server, _) = listener.accept().await.unwrap();
            #[doc = $split]
            /// server.write_all(b"hi").await.unwrap();
            /// let mut cx = Context::from_waker(Waker::noop());
            /// let mut buf = [0u8; 8];
            /// assert!(matches!(rd.poll_peek(&mut cx, &mut buf), Poll::Ready(Ok(2))));
            /// # }).unwrap();
            /// ```
            pub fn poll_peek(
                &mut self,
                cx: &mut Context<'_>,
                buf: &mut [u8],
            ) -> Poll<io::Result<usize>> {
                self.h.poll_peek_bytes(cx, buf, Park::Reader)
            }
        }
    };
}

half_poll_peek!(ReadHalf<'_>, "let (mut rd, _wr) = client.split();");
half_poll_peek!(OwnedReadHalf, "let (mut rd, _wr) = client.into_split();");
