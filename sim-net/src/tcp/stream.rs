//! `TcpStream`, implementing futures' `AsyncRead` and `AsyncWrite`, and
//! the macros its halves share with it (addresses, debug output). The
//! halves live in [`owned`](super::owned) and [`split`](super::split);
//! readiness and non-blocking io in [`ready`](super::ready).

use std::future::poll_fn;
use std::io;
use std::net::{Shutdown, SocketAddr};

use sim_core::ext;
use sim_core::node::Node;

use super::handle::Handle;
use super::{Key, OwnedReadHalf, OwnedWriteHalf, ReadHalf, WriteHalf};
use crate::addr::{ToSocketAddrs, no_address};
use crate::io_traits::{futures_read, futures_write};
use crate::state::Net;

/// A TCP connection on the simulated network: tokio's `TcpStream` API,
/// with futures' [`AsyncRead`](futures::io::AsyncRead) and
/// [`AsyncWrite`](futures::io::AsyncWrite) (use
/// `futures::io::AsyncReadExt`/`AsyncWriteExt` for `read`, `write_all`,
/// `close`...).
///
/// Bytes arrive complete and in order whatever the network does (see the
/// [module model](crate#tcp)): loss and partitions delay them, a node
/// crash resets the connection. `write` hands bytes to the network at
/// once; `flush` returns at once (as on a real socket: the bytes a `write`
/// accepted are already the network's to deliver), and so does `close`, a
/// half-close whose FIN follows the bytes still waiting for the window.
/// Dropping the stream closes it: the peer reads EOF after the buffered
/// bytes, or, if input arrived here that nobody read, the connection is
/// reset as Linux resets it (the bytes still waiting to be sent are
/// discarded, and the peer reads what had arrived, then
/// `ConnectionReset`).
///
/// # Example
///
/// ```
/// use futures::io::{AsyncReadExt, AsyncWriteExt};
/// use detsim::net::{TcpListener, TcpStream};
///
/// let mut sim = detsim::Sim::builder().build();
/// sim.run(async {
///     let listener = TcpListener::bind("127.0.0.1:9000").await.unwrap();
///     let client = detsim::spawn(async {
///         let mut s = TcpStream::connect("localhost:9000").await.unwrap();
///         s.write_all(b"hello").await.unwrap(); // no flush needed
///     });
///     let (mut server, _) = listener.accept().await.unwrap();
///     let mut got = String::new();
///     server.read_to_string(&mut got).await.unwrap(); // until the client's EOF
///     assert_eq!(got, "hello");
///     client.await.unwrap();
/// }).unwrap();
/// ```
///
/// # What of tokio's API is here
///
/// `connect`, `local_addr`, `peer_addr`, `into_split` (with
/// [`OwnedReadHalf::reunite`]) and `split`; the readiness and
/// non-blocking io: [`ready`](Self::ready) (with [`Interest`](crate::Interest)
/// and [`Ready`](crate::Ready)), [`readable`](Self::readable),
/// [`writable`](Self::writable), [`try_read`](Self::try_read),
/// [`try_write`](Self::try_write) and their `_vectored` forms,
/// [`peek`](Self::peek); the poll functions
/// [`poll_read_ready`](Self::poll_read_ready),
/// [`poll_write_ready`](Self::poll_write_ready) and
/// [`poll_peek`](Self::poll_peek) (a byte slice where tokio takes a
/// `ReadBuf`); the socket options: [`set_zero_linger`](Self::set_zero_linger) (an
/// abortive close), `linger`/`set_linger`, `nodelay`/`set_nodelay` and
/// `ttl`/`set_ttl`, and [`take_error`](Self::take_error). `shutdown` is
/// std's (`shutdown(how)`, see below). Not simulated: the `BufMut`
/// variants of `try_read`, `try_io`, and conversions to and from std or
/// raw sockets.
///
/// # tokio's io traits
///
/// With the cargo feature `tokio-io` (`detsim/tokio-io` through the
/// facade), the stream and its owned halves also implement
/// `tokio::io::AsyncRead`/`AsyncWrite`, so code written for tokio streams
/// (`tokio::io::split`, codecs, hyper-util's `TokioIo`) runs over it.
/// `poll_shutdown` is the half-close of `close`. The inherent
/// [`shutdown(how)`](Self::shutdown) (std's signature) shadows
/// `AsyncWriteExt::shutdown` on a `TcpStream`: call the trait's as
/// `AsyncWriteExt::shutdown(&mut s)` (the owned halves have no inherent one).
///
#[cfg_attr(feature = "tokio-io", doc = "```")]
#[cfg_attr(not(feature = "tokio-io"), doc = "```ignore")]
/// use tokio::io::{AsyncReadExt, AsyncWriteExt};
/// use detsim::net::{TcpListener, TcpStream};
///
/// let mut sim = detsim::Sim::builder().build();
/// sim.run(async {
///     let listener = TcpListener::bind("127.0.0.1:9000").await.unwrap();
///     detsim::spawn(async move {
///         let (s, _) = listener.accept().await.unwrap();
///         let (mut rd, mut wr) = tokio::io::split(s);
///         tokio::io::copy(&mut rd, &mut wr).await.unwrap(); // echo until EOF
///         wr.shutdown().await.unwrap();
///     });
///     let mut s = TcpStream::connect("localhost:9000").await.unwrap();
///     s.write_all(b"ping").await.unwrap();
///     AsyncWriteExt::shutdown(&mut s).await.unwrap(); // a half-close
///     let mut echoed = String::new();
///     s.read_to_string(&mut echoed).await.unwrap();
///     assert_eq!(echoed, "ping");
/// }).unwrap();
/// ```
pub struct TcpStream {
    pub(super) h: Handle,
}

impl TcpStream {
    pub(crate) fn from_parts(instance: u64, conn: Key, end: usize) -> TcpStream {
        TcpStream {
            h: Handle {
                instance,
                conn,
                end,
            },
        }
    }

    /// Connects from the current node to `addr`: one round trip of link
    /// latency (SYN, SYN-ACK), more if the network loses them. The
    /// connection is of the address's family: over IPv6 its ends are the
    /// nodes' IPv6 addresses (or `::1`).
    ///
    /// As tokio's, it tries each address `addr` resolves to in turn, each
    /// attempt taking its own virtual time, until one connects: a host
    /// name tries the node's IPv4 address, then its IPv6 one (so a server
    /// that listens only on `[::]` is reached after the IPv4 attempt is
    /// refused); `&[SocketAddr]` tries its addresses in order. When every
    /// attempt fails, the last one's error comes back.
    ///
    /// # Errors
    ///
    /// Of the last address tried: `ConnectionRefused` when nothing listens
    /// there; `HostUnreachable` for an address no node has (`0.0.0.0` and
    /// `[::]` are the node itself, over loopback, as on Linux);
    /// `NetworkUnreachable` at once for an IPv4-mapped IPv6 address
    /// (`[::ffff:10.0.0.2]`: IPv6 sockets are IPv6-only here); `TimedOut`
    /// when the handshake stalls past the TCP timeout
    /// ([`Network::set_tcp_timeout`](crate::Network::set_tcp_timeout));
    /// `AddrNotAvailable` when the node has no ephemeral port left (as Linux's `EADDRNOTAVAIL`). Before any
    /// attempt: `NotFound` for an unknown host name, `InvalidInput` for a
    /// malformed address or an empty slice.
    ///
    /// # Panics
    ///
    /// Outside a simulation.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// detsim::node::Node::builder("db").build();
    /// let err = detsim::net::TcpStream::connect("db:5432").await.unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused);
    /// // Refused over IPv4, then over IPv6: two round trips of the
    /// // default 1 ms latency.
    /// assert_eq!(detsim::time::Instant::now().since_start().as_millis(), 4);
    /// // An IPv6-only listener is reached by name after the IPv4 refusal.
    /// let l = detsim::net::TcpListener::bind("[::]:80").await.unwrap();
    /// let s = detsim::net::TcpStream::connect("main:80").await.unwrap();
    /// assert_eq!(s.peer_addr().unwrap().to_string(), "[fd00::1]:80");
    /// # drop(l);
    /// # }).unwrap();
    /// ```
    pub async fn connect<A: ToSocketAddrs>(addr: A) -> io::Result<TcpStream> {
        let mut last = None;
        // The same order as tokio's: each address in turn, the last error.
        for dst in addr.resolve()? {
            match TcpStream::connect_addr(dst).await {
                Ok(stream) => return Ok(stream),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(no_address))
    }

    /// One connection attempt, to `dst`.
    async fn connect_addr(dst: SocketAddr) -> io::Result<TcpStream> {
        let api = "detsim::net::TcpStream::connect";
        crate::addr::v4_mapped(dst)?;
        let node = Node::current().id().as_u32();
        // The Rc is not held across the await (the future stays Send).
        let conn = Net::current(api).act(|inner, _| inner.tcp.connect(node, dst))?;
        let stream = TcpStream::from_parts(ext::instance(api), conn, 0);
        poll_fn(|cx| stream.h.poll_connected(cx)).await?;
        Ok(stream)
    }

    /// This end's address.
    ///
    /// # Errors
    ///
    /// `ConnectionAborted` once the connection is gone.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let l = detsim::net::TcpListener::bind("0.0.0.0:80").await.unwrap();
    /// let s = detsim::net::TcpStream::connect("main:80").await.unwrap();
    /// assert_eq!(s.local_addr().unwrap().to_string(), "10.0.0.1:49152");
    /// # drop(l);
    /// # }).unwrap();
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.h.local_addr()
    }

    /// The peer's address.
    ///
    /// # Errors
    ///
    /// `NotConnected` once the connection was reset or timed out, or closed
    /// by both sides (this end's FIN arrived at the peer and the peer's FIN
    /// arrived here, whichever went first): Linux's `getpeername` on a
    /// socket in `TCP_CLOSE`. A half-closed connection still answers (after
    /// this end's `shutdown(Write)` only, or once the peer's FIN arrived
    /// but not yet this end's). [`local_addr`](Self::local_addr) always
    /// answers. `ConnectionAborted` once this end's node was killed or the
    /// connection is gone.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// use futures::io::AsyncWriteExt;
    /// use std::time::Duration;
    /// let l = detsim::net::TcpListener::bind("0.0.0.0:80").await.unwrap();
    /// let mut s = detsim::net::TcpStream::connect("main:80").await.unwrap();
    /// assert_eq!(s.peer_addr().unwrap().to_string(), "10.0.0.1:80");
    /// // The server closes with input it never read: an RST.
    /// let (server, _) = l.accept().await.unwrap();
    /// s.write_all(b"unread").await.unwrap();
    /// detsim::time::sleep(Duration::from_millis(5)).await;
    /// drop(server);
    /// detsim::time::sleep(Duration::from_millis(5)).await;
    /// let err = s.peer_addr().unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::NotConnected);
    /// assert!(s.local_addr().is_ok());
    /// # }).unwrap();
    /// ```
    ///
    /// A graceful close ends the same way once both FINs went through:
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// use futures::io::AsyncReadExt;
    /// use std::net::Shutdown;
    /// let l = detsim::net::TcpListener::bind("0.0.0.0:80").await.unwrap();
    /// let mut s = detsim::net::TcpStream::connect("main:80").await.unwrap();
    /// let (server, _) = l.accept().await.unwrap();
    /// drop(server); // its FIN
    /// assert_eq!(s.read(&mut [0; 8]).await.unwrap(), 0);
    /// assert!(s.peer_addr().is_ok()); // half-closed: CLOSE_WAIT
    /// s.shutdown(Shutdown::Write).unwrap(); // our FIN
    /// detsim::time::sleep(std::time::Duration::from_millis(5)).await;
    /// let err = s.peer_addr().unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::NotConnected);
    /// # }).unwrap();
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.h.peer_addr()
    }

    /// Shuts down one or both directions, as `std`'s: `Write` sends a FIN
    /// after the buffered bytes (the peer reads them, then EOF, and can
    /// still write back); `Read` makes reads that would wait return
    /// `Ok(0)` instead. As on Linux (checked live), bytes that had arrived,
    /// and bytes that still arrive, are read first: nothing is discarded,
    /// and the peer is not told (no segment is sent), so a peer that
    /// keeps writing fills the window as it would for a reader that does
    /// not read. Once both directions are shut (`Both`, or `Read` and
    /// `Write` one after the other), new bytes from the peer reset the
    /// connection instead, as Linux's FIN_WAIT states do after a read
    /// shutdown: this end fails with `ConnectionReset`, and the peer gets
    /// an RST.
    ///
    /// # Errors
    ///
    /// `NotConnected` once the socket is closed, as Linux's shutdown(2):
    /// the connection failed (its message names the reset, timeout or
    /// refusal), or both sides closed and each FIN arrived. tokio's
    /// `poll_shutdown` passes the same error on.
    ///
    /// ```
    /// use futures::io::AsyncReadExt;
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let l = detsim::net::TcpListener::bind("0.0.0.0:80").await.unwrap();
    /// let c = detsim::net::TcpStream::connect("main:80").await.unwrap();
    /// let (mut s, _) = l.accept().await.unwrap();
    /// c.shutdown(std::net::Shutdown::Write).unwrap();
    /// assert_eq!(s.read(&mut [0u8; 8]).await.unwrap(), 0);
    /// # }).unwrap();
    /// ```
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.h.shutdown(how)
    }

    /// Splits the stream into a read half and a write half that can move
    /// to different tasks. Dropping the write half shuts the writing side
    /// down (as tokio's); the connection closes when both are dropped.
    /// [`OwnedReadHalf::reunite`] puts the halves back together. To read
    /// and write at once within one task, [`split`](Self::split) borrows
    /// instead.
    ///
    /// ```
    /// use futures::io::{AsyncReadExt, AsyncWriteExt};
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let l = detsim::net::TcpListener::bind("0.0.0.0:80").await.unwrap();
    /// let c = detsim::net::TcpStream::connect("main:80").await.unwrap();
    /// let (mut s, _) = l.accept().await.unwrap();
    /// let (mut rd, mut wr) = c.into_split();
    /// wr.write_all(b"hi").await.unwrap();
    /// drop(wr);
    /// let mut got = Vec::new();
    /// s.read_to_end(&mut got).await.unwrap();
    /// assert_eq!(got, b"hi");
    /// s.write_all(b"back").await.unwrap();
    /// let mut buf = [0u8; 4];
    /// rd.read_exact(&mut buf).await.unwrap();
    /// assert_eq!(&buf, b"back");
    /// # }).unwrap();
    /// ```
    pub fn into_split(self) -> (OwnedReadHalf, OwnedWriteHalf) {
        let h = self.h;
        std::mem::forget(self);
        (OwnedReadHalf { h }, OwnedWriteHalf { h })
    }

    /// Splits the stream into a read half and a write half that borrow it,
    /// to read and write at once within one task: `tokio::io::copy` (or
    /// futures') in each direction of a proxy, a reader and a writer in
    /// one `join!`. Unlike [`into_split`](Self::into_split) the halves
    /// cannot move to other tasks, and dropping them changes nothing: no
    /// shutdown, the stream is whole again once they are gone.
    ///
    /// The halves implement futures' `AsyncRead`/`AsyncWrite` (and tokio's
    /// with the `tokio-io` feature), like the owned halves; closing the
    /// write half (`close`, tokio's `shutdown`) is the half-close of
    /// [`shutdown(Write)`](Self::shutdown).
    ///
    /// With `futures::io::AsyncReadExt` in scope, `stream.split()` is
    /// futures' `AsyncReadExt::split` instead (Rust's method lookup tries a
    /// trait method taking the stream by value before an inherent one
    /// taking `&mut self`), which moves the stream into a lock-shared pair:
    /// write `TcpStream::split(&mut stream)` to get these halves there.
    /// tokio's `AsyncReadExt` has no `split`, so with it `stream.split()`
    /// is this one.
    ///
    /// ```
    /// use detsim::net::{TcpListener, TcpStream};
    /// use futures::io::{AsyncReadExt, AsyncWriteExt};
    ///
    /// let mut sim = detsim::Sim::builder().build();
    /// sim.run(async {
    ///     let listener = TcpListener::bind("127.0.0.1:7").await.unwrap();
    ///     detsim::spawn(async move {
    ///         // An echo server: what it reads goes back until EOF.
    ///         let (mut stream, _) = listener.accept().await.unwrap();
    ///         let (mut rd, mut wr) = TcpStream::split(&mut stream);
    ///         futures::io::copy(&mut rd, &mut wr).await.unwrap();
    ///     });
    ///     let mut client = TcpStream::connect("127.0.0.1:7").await.unwrap();
    ///     client.write_all(b"hello").await.unwrap();
    ///     client.shutdown(std::net::Shutdown::Write).unwrap();
    ///     let mut echoed = String::new();
    ///     client.read_to_string(&mut echoed).await.unwrap();
    ///     assert_eq!(echoed, "hello");
    /// }).unwrap();
    /// ```
    pub fn split(&mut self) -> (ReadHalf<'_>, WriteHalf<'_>) {
        (ReadHalf { h: &self.h }, WriteHalf { h: &self.h })
    }
}

impl Drop for TcpStream {
    fn drop(&mut self) {
        self.h.release(2, false);
    }
}

/// `local_addr` and `peer_addr` for a half `$t`, whose doc examples get
/// the halves `rd` and `wr` of the stream `client` from `$split`
/// (`"client.into_split()"`, `"client.split()"`).
macro_rules! addrs {
    ($t:ty, $split:literal) => {
        impl $t {
            /// This end's address (the stream's).
            ///
            /// # Errors
            ///
            /// `ConnectionAborted` once the connection is gone.
            ///
            /// ```
            /// # let mut sim = detsim::Sim::builder().build();
            /// # sim.run(async {
            /// # let l = detsim::net::TcpListener::bind("0.0.0.0:80").await.unwrap();
            /// let mut client = detsim::net::TcpStream::connect("main:80").await.unwrap();
            /// let local = client.local_addr().unwrap();
            #[doc = concat!("let (rd, wr) = ", $split, ";")]
            /// assert_eq!(rd.local_addr().unwrap(), local);
            /// assert_eq!(wr.local_addr().unwrap(), local);
            /// # }).unwrap();
            /// ```
            pub fn local_addr(&self) -> io::Result<SocketAddr> {
                self.h.local_addr()
            }

            /// The peer's address.
            ///
            /// # Errors
            ///
            /// As [`TcpStream::peer_addr`](crate::TcpStream::peer_addr): `NotConnected` once the
            /// connection was reset, timed out or closed by both sides,
            /// `ConnectionAborted` once this end's node was killed or the
            /// connection is gone.
            ///
            /// ```
            /// # let mut sim = detsim::Sim::builder().build();
            /// # sim.run(async {
            /// # let l = detsim::net::TcpListener::bind("0.0.0.0:80").await.unwrap();
            /// let mut client = detsim::net::TcpStream::connect("main:80").await.unwrap();
            #[doc = concat!("let (rd, wr) = ", $split, ";")]
            /// assert_eq!(rd.peer_addr().unwrap().to_string(), "10.0.0.1:80");
            /// assert_eq!(wr.peer_addr().unwrap(), rd.peer_addr().unwrap());
            /// # }).unwrap();
            /// ```
            pub fn peer_addr(&self) -> io::Result<SocketAddr> {
                self.h.peer_addr()
            }
        }
    };
}

/// `Debug` for a handle type `$t` named `$name`.
macro_rules! debug_handle {
    ($t:ty, $name:literal) => {
        impl std::fmt::Debug for $t {
            /// Addresses and state (`local`, `peer`, `state`), read from
            /// the running simulation; `.. ` when it is not reachable.
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.h.debug($name, f)
            }
        }
    };
}

pub(super) use {addrs, debug_handle};

debug_handle!(TcpStream, "TcpStream");

futures_read!(TcpStream, h);
futures_write!(TcpStream, h);
