//! A stream's socket options: `TCP_NODELAY`, `SO_LINGER` and `IP_TTL`,
//! and its pending error (`SO_ERROR`), with tokio's signatures; and the
//! linger time of a [`TcpSocket`], which it passes on.
//!
//! Only a zero linger time changes what happens: the close that follows
//! is abortive (an RST, see `Conn::close`). The others are kept and read
//! back, because the simulated network never holds a write to coalesce
//! it (`nodelay`) and has no hops (`ttl`).

use std::io;
use std::time::Duration;

use super::conn::Phase;
use super::handle::error;
use super::{TcpSocket, TcpStream};

impl TcpStream {
    /// Sets `TCP_NODELAY`. Kept and read back by
    /// [`nodelay`](Self::nodelay); it changes nothing else, as segments
    /// are never delayed to coalesce writes here (every write goes out at
    /// once, as with the option on).
    ///
    /// # Errors
    ///
    /// `ConnectionAborted` once the connection is gone (its node was
    /// killed and the connection collected).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// # let l = detsim::net::TcpListener::bind("0.0.0.0:80").await.unwrap();
    /// let s = detsim::net::TcpStream::connect("main:80").await.unwrap();
    /// assert!(!s.nodelay().unwrap()); // off by default, as on Linux
    /// s.set_nodelay(true).unwrap();
    /// assert!(s.nodelay().unwrap());
    /// # }).unwrap();
    /// ```
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.h.with_end("detsim::net::TcpStream::set_nodelay", |e| {
            e.nodelay = nodelay
        })
    }

    /// `TCP_NODELAY` as last set (`false` on a new stream); see
    /// [`set_nodelay`](Self::set_nodelay).
    ///
    /// # Errors
    ///
    /// `ConnectionAborted` once the connection is gone.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// # let l = detsim::net::TcpListener::bind("0.0.0.0:80").await.unwrap();
    /// let s = detsim::net::TcpStream::connect("main:80").await.unwrap();
    /// assert!(!s.nodelay().unwrap());
    /// # }).unwrap();
    /// ```
    pub fn nodelay(&self) -> io::Result<bool> {
        self.h
            .peek_conn("detsim::net::TcpStream::nodelay", |c, end| {
                Ok(c.ends[end].nodelay)
            })
    }

    /// Sets a linger time of zero (`SO_LINGER` on, 0 s), as tokio's: the
    /// close that follows is abortive. When the stream's last handle is
    /// dropped, an RST goes to the peer instead of a FIN, and whatever
    /// still waits in the send buffer is discarded. The peer reads the
    /// bytes that already arrived, then its next read or write fails with
    /// `ConnectionReset`.
    ///
    /// No RST is sent when the connection already ended for the peer:
    /// both FINs went through, or this end's FIN left after the peer's
    /// arrived (Linux's `tcp_disconnect` sends none there either). A
    /// connect still under way is abandoned, as when the connect future is
    /// dropped.
    ///
    /// # Errors
    ///
    /// `ConnectionAborted` once the connection is gone.
    ///
    /// ```
    /// use futures::io::{AsyncReadExt, AsyncWriteExt};
    /// use std::io::ErrorKind;
    /// use std::time::Duration;
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let l = detsim::net::TcpListener::bind("0.0.0.0:80").await.unwrap();
    /// let mut client = detsim::net::TcpStream::connect("main:80").await.unwrap();
    /// let (mut server, _) = l.accept().await.unwrap();
    /// server.write_all(b"bye").await.unwrap();
    /// server.set_zero_linger().unwrap();
    /// assert_eq!(server.linger().unwrap(), Some(Duration::ZERO));
    /// drop(server); // an RST, not a FIN
    /// let mut buf = [0; 8];
    /// assert_eq!(client.read(&mut buf).await.unwrap(), 3); // what arrived first
    /// let err = client.read(&mut buf).await.unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::ConnectionReset);
    /// # }).unwrap();
    /// ```
    pub fn set_zero_linger(&self) -> io::Result<()> {
        self.h
            .with_end("detsim::net::TcpStream::set_zero_linger", |e| {
                e.linger = Some(Duration::ZERO)
            })
    }

    /// Sets `SO_LINGER`, as tokio's (deprecated there, for the same reason
    /// as here: a non-zero time makes a real `close` block the thread).
    /// `Some(Duration::ZERO)` is [`set_zero_linger`](Self::set_zero_linger).
    /// `None` (the default) closes gracefully. The time is kept in whole
    /// seconds, as Linux's `SO_LINGER` (`l_linger`) keeps it, so a time
    /// under a second is zero: an abortive close, as in production. A
    /// time of a second or more closes gracefully: on Linux the closing
    /// thread would wait up to that long for the bytes to leave, then the
    /// close goes on in the background either way, while a simulated
    /// close never blocks; [`linger`](Self::linger) reads it back.
    ///
    /// # Errors
    ///
    /// `ConnectionAborted` once the connection is gone.
    ///
    /// ```
    /// # #![allow(deprecated)]
    /// use std::time::Duration;
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// # let l = detsim::net::TcpListener::bind("0.0.0.0:80").await.unwrap();
    /// let s = detsim::net::TcpStream::connect("main:80").await.unwrap();
    /// s.set_linger(Some(Duration::from_secs(5))).unwrap();
    /// assert_eq!(s.linger().unwrap(), Some(Duration::from_secs(5)));
    /// s.set_linger(Some(Duration::from_millis(1500))).unwrap();
    /// assert_eq!(s.linger().unwrap(), Some(Duration::from_secs(1))); // whole seconds
    /// s.set_linger(None).unwrap();
    /// assert_eq!(s.linger().unwrap(), None);
    /// # }).unwrap();
    /// ```
    #[deprecated = "`SO_LINGER` with a non-zero time blocks the thread on a real socket's drop; use `set_zero_linger` for an abortive close"]
    pub fn set_linger(&self, dur: Option<Duration>) -> io::Result<()> {
        let dur = whole_seconds(dur);
        self.h
            .with_end("detsim::net::TcpStream::set_linger", |e| e.linger = dur)
    }

    /// `SO_LINGER` as last set (`None` on a new stream); see
    /// [`set_zero_linger`](Self::set_zero_linger).
    ///
    /// # Errors
    ///
    /// `ConnectionAborted` once the connection is gone.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// # let l = detsim::net::TcpListener::bind("0.0.0.0:80").await.unwrap();
    /// let s = detsim::net::TcpStream::connect("main:80").await.unwrap();
    /// assert_eq!(s.linger().unwrap(), None);
    /// # }).unwrap();
    /// ```
    pub fn linger(&self) -> io::Result<Option<Duration>> {
        self.h
            .peek_conn("detsim::net::TcpStream::linger", |c, end| {
                Ok(c.ends[end].linger)
            })
    }

    /// Sets `IP_TTL`, kept and read back by [`ttl`](Self::ttl): the
    /// simulated network has no hops, so it changes nothing else.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for 0 or a value above 255, as Linux's setsockopt;
    /// `ConnectionAborted` once the connection is gone.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// # let l = detsim::net::TcpListener::bind("0.0.0.0:80").await.unwrap();
    /// let s = detsim::net::TcpStream::connect("main:80").await.unwrap();
    /// s.set_ttl(16).unwrap();
    /// assert_eq!(s.ttl().unwrap(), 16);
    /// let err = s.set_ttl(256).unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    /// # }).unwrap();
    /// ```
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        let ttl = crate::ttl::checked_ttl(ttl)?;
        self.h
            .with_end("detsim::net::TcpStream::set_ttl", |e| e.ttl = ttl)
    }

    /// `IP_TTL` as last set (64 on a new stream, Linux's default); see
    /// [`set_ttl`](Self::set_ttl).
    ///
    /// # Errors
    ///
    /// `ConnectionAborted` once the connection is gone.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// # let l = detsim::net::TcpListener::bind("0.0.0.0:80").await.unwrap();
    /// let s = detsim::net::TcpStream::connect("main:80").await.unwrap();
    /// assert_eq!(s.ttl().unwrap(), 64);
    /// # }).unwrap();
    /// ```
    pub fn ttl(&self) -> io::Result<u32> {
        self.h.peek_conn("detsim::net::TcpStream::ttl", |c, end| {
            Ok(u32::from(c.ends[end].ttl))
        })
    }

    /// Takes the connection's pending error (`SO_ERROR`), as tokio's
    /// `take_error`: the reset, timeout or refusal that failed it, if no
    /// read, write or earlier `take_error` reported it yet. Taken, it is
    /// reported no more (reads then see the end of the stream and writes
    /// `BrokenPipe`, as after a read that reported it).
    ///
    /// # Errors
    ///
    /// `ConnectionAborted` once this stream's node was killed, or the
    /// connection is gone.
    ///
    /// ```
    /// use std::io::ErrorKind;
    /// use std::time::Duration;
    /// use futures::io::AsyncReadExt;
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let l = detsim::net::TcpListener::bind("0.0.0.0:80").await.unwrap();
    /// let mut client = detsim::net::TcpStream::connect("main:80").await.unwrap();
    /// let (server, _) = l.accept().await.unwrap();
    /// assert!(client.take_error().unwrap().is_none());
    /// server.set_zero_linger().unwrap();
    /// drop(server); // an RST
    /// detsim::time::sleep(Duration::from_millis(1)).await;
    /// let err = client.take_error().unwrap().unwrap();
    /// assert_eq!(err.kind(), ErrorKind::ConnectionReset);
    /// assert!(client.take_error().unwrap().is_none());
    /// assert_eq!(client.read(&mut [0; 8]).await.unwrap(), 0); // reported already
    /// # }).unwrap();
    /// ```
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.h
            .with_end("detsim::net::TcpStream::take_error", |e| match e.phase {
                Phase::Failed(io::ErrorKind::ConnectionAborted) => {
                    Err(error(io::ErrorKind::ConnectionAborted, e))
                }
                Phase::Failed(kind) if !std::mem::replace(&mut e.failure_reported, true) => {
                    Ok(Some(error(kind, e)))
                }
                _ => Ok(None),
            })?
    }
}

impl TcpSocket {
    /// Sets a linger time of zero, as tokio's: the stream this socket
    /// connects, or every stream its listener accepts, closes abortively
    /// (see [`TcpStream::set_zero_linger`]).
    ///
    /// # Errors
    ///
    /// `ConnectionAborted` once the socket's node was killed.
    ///
    /// ```
    /// use std::time::Duration;
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let socket = detsim::net::TcpSocket::new_v4().unwrap();
    /// socket.set_zero_linger().unwrap();
    /// let l = socket.listen(16).unwrap();
    /// let addr = l.local_addr().unwrap();
    /// let _c = detsim::net::TcpStream::connect(addr).await.unwrap();
    /// let (accepted, _) = l.accept().await.unwrap();
    /// assert_eq!(accepted.linger().unwrap(), Some(Duration::ZERO));
    /// # }).unwrap();
    /// ```
    pub fn set_zero_linger(&self) -> io::Result<()> {
        self.with("detsim::net::TcpSocket::set_zero_linger", |s| {
            s.opts.linger = Some(Duration::ZERO)
        })
    }

    /// Sets `SO_LINGER` (in whole seconds), passed on as
    /// [`set_zero_linger`](Self::set_zero_linger) is; see
    /// [`TcpStream::set_linger`] for what each value does (deprecated in
    /// tokio, as there).
    ///
    /// # Errors
    ///
    /// `ConnectionAborted` once the socket's node was killed.
    ///
    /// ```
    /// # #![allow(deprecated)]
    /// use std::time::Duration;
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let socket = detsim::net::TcpSocket::new_v4().unwrap();
    /// socket.set_linger(Some(Duration::from_secs(1))).unwrap();
    /// assert_eq!(socket.linger().unwrap(), Some(Duration::from_secs(1)));
    /// # }).unwrap();
    /// ```
    #[deprecated = "`SO_LINGER` with a non-zero time blocks the thread on a real socket's drop; use `set_zero_linger` for an abortive close"]
    pub fn set_linger(&self, dur: Option<Duration>) -> io::Result<()> {
        let dur = whole_seconds(dur);
        self.with("detsim::net::TcpSocket::set_linger", |s| {
            s.opts.linger = dur
        })
    }

    /// `SO_LINGER` as last set (`None` on a new socket).
    ///
    /// # Errors
    ///
    /// `ConnectionAborted` once the socket's node was killed.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// assert_eq!(detsim::net::TcpSocket::new_v4().unwrap().linger().unwrap(), None);
    /// # }).unwrap();
    /// ```
    pub fn linger(&self) -> io::Result<Option<Duration>> {
        self.with("detsim::net::TcpSocket::linger", |s| s.opts.linger)
    }
}

/// A linger time as Linux keeps it: whole seconds (`struct linger`'s
/// `l_linger`, which socket2 and so tokio fill with `as_secs()`).
fn whole_seconds(dur: Option<Duration>) -> Option<Duration> {
    dur.map(|d| Duration::from_secs(d.as_secs()))
}
