//! `TcpSocket`: tokio's socket builder (options, bind, then connect or
//! listen) over the simulated network. Its table side is in
//! [`bound`](super::bound).

use std::future::poll_fn;
use std::io;
use std::net::SocketAddr;

use sim_core::ext;
use sim_core::node::Node;

use super::Key;
use super::bound::{SOMAXCONN, Sock};
use super::listener::TcpListener;
use super::stream::TcpStream;
use crate::state::Net;

/// The smallest send or receive buffer a socket takes: smaller sizes are
/// raised to it, as Linux raises them to its own floor.
const MIN_BUFFER: u32 = 4096;

/// A TCP socket not yet connected or listening, with tokio's API: set
/// options, [`bind`](Self::bind) to choose the local address and port,
/// then [`connect`](Self::connect) or [`listen`](Self::listen). Code
/// written for `tokio::net::TcpSocket` needs only its `tokio::net` prefix
/// changed.
///
/// The socket belongs to the node that makes it. A bound port stays
/// reserved until the socket connects (the connection keeps it), listens
/// (the listener keeps it) or is dropped (the port is free again); when
/// its node is killed the socket closes, its port is freed, and every
/// call fails with `ConnectionAborted`.
///
/// # Options
///
/// | option | in detsim |
/// |---|---|
/// | [`set_reuseaddr`](Self::set_reuseaddr) | simulated: Linux's bind rule (see there) |
/// | [`set_reuseport`](Self::set_reuseport) | unsupported: `true` is an `Unsupported` error |
/// | [`set_send_buffer_size`](Self::set_send_buffer_size) | simulated: the connection's send buffer |
/// | [`set_recv_buffer_size`](Self::set_recv_buffer_size) | simulated: the connection's receive window |
/// | [`set_nodelay`](Self::set_nodelay) | recorded and passed on; segments are never delayed either way |
/// | [`set_zero_linger`](Self::set_zero_linger), `set_linger` | passed on: a zero linger time makes the close abortive (an RST) |
/// | `listen(backlog)` | simulated: the accept queue's limit |
///
/// Not here: `set_keepalive`/`keepalive`, `tos`, `tclass_v6`,
/// `bind_device`, `take_error`, and conversions to and from std or raw
/// sockets.
///
/// # Example
///
/// A client that connects from a port it chose:
///
/// ```
/// use detsim::net::{TcpListener, TcpSocket};
///
/// let mut sim = detsim::Sim::builder().build();
/// sim.run(async {
///     let listener = TcpListener::bind("127.0.0.1:80").await.unwrap();
///     let socket = TcpSocket::new_v4().unwrap();
///     socket.bind("127.0.0.1:4000".parse().unwrap()).unwrap();
///     let stream = socket.connect("127.0.0.1:80".parse().unwrap()).await.unwrap();
///     assert_eq!(stream.local_addr().unwrap().to_string(), "127.0.0.1:4000");
///     let (_server, peer) = listener.accept().await.unwrap();
///     assert_eq!(peer.to_string(), "127.0.0.1:4000");
/// }).unwrap();
/// ```
pub struct TcpSocket {
    instance: u64,
    key: Key,
}

impl TcpSocket {
    /// A new IPv4 socket on the current node.
    ///
    /// # Errors
    ///
    /// Never (tokio's can fail to create an OS socket).
    ///
    /// # Panics
    ///
    /// Outside a simulation.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let socket = detsim::net::TcpSocket::new_v4().unwrap();
    /// assert_eq!(socket.local_addr().unwrap().to_string(), "0.0.0.0:0");
    /// # }).unwrap();
    /// ```
    pub fn new_v4() -> io::Result<TcpSocket> {
        TcpSocket::new(false, "detsim::net::TcpSocket::new_v4")
    }

    /// A new IPv6 socket on the current node. It is IPv6-only, as every
    /// IPv6 socket in detsim (`IPV6_V6ONLY`).
    ///
    /// # Errors
    ///
    /// Never.
    ///
    /// # Panics
    ///
    /// Outside a simulation.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let socket = detsim::net::TcpSocket::new_v6().unwrap();
    /// assert_eq!(socket.local_addr().unwrap().to_string(), "[::]:0");
    /// # }).unwrap();
    /// ```
    pub fn new_v6() -> io::Result<TcpSocket> {
        TcpSocket::new(true, "detsim::net::TcpSocket::new_v6")
    }

    fn new(v6: bool, api: &str) -> io::Result<TcpSocket> {
        let net = Net::current(api);
        let node = Node::current().id().as_u32();
        let key = net.inner.borrow_mut().tcp.socket_new(node, v6);
        Ok(TcpSocket {
            instance: ext::instance(api),
            key,
        })
    }

    /// Runs `f` on the socket's state.
    pub(super) fn with<R>(&self, api: &str, f: impl FnOnce(&mut Sock) -> R) -> io::Result<R> {
        let net = Net::of(self.instance, api);
        let mut inner = net.inner.borrow_mut();
        inner.tcp.socket(self.key).map(f)
    }

    /// Sets `SO_REUSEADDR`, with Linux's rule for binds: two sockets may
    /// share an address and port when both set it and the one bound first
    /// is not listening. So a server restarted in the same process can
    /// listen again on its port while connections the old listener
    /// accepted are still open (tokio's `TcpListener::bind`, like
    /// detsim's, sets it), but two listeners never share a port. Without
    /// it, those connections keep the port: binding it fails with
    /// `AddrInUse` until they are closed. detsim has no `TIME_WAIT`, so a
    /// closed connection holds nothing (on Linux it would, for a minute,
    /// without this option).
    ///
    /// # Errors
    ///
    /// `ConnectionAborted` once the socket's node was killed.
    ///
    /// ```
    /// use detsim::net::{TcpListener, TcpSocket, TcpStream};
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let old = TcpSocket::new_v4().unwrap();
    /// old.bind("0.0.0.0:80".parse().unwrap()).unwrap();
    /// let old = old.listen(16).unwrap();
    /// let _client = TcpStream::connect("127.0.0.1:80").await.unwrap();
    /// let (_accepted, _) = old.accept().await.unwrap();
    /// drop(old);
    /// // The accepted connection still holds port 80.
    /// let new = TcpSocket::new_v4().unwrap();
    /// let err = new.bind("0.0.0.0:80".parse().unwrap()).unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::AddrInUse);
    /// // Had the old listener set SO_REUSEADDR, a new one that sets it
    /// // too could bind; with TcpListener::bind (which sets it) as well.
    /// # }).unwrap();
    /// ```
    pub fn set_reuseaddr(&self, reuseaddr: bool) -> io::Result<()> {
        let api = "detsim::net::TcpSocket::set_reuseaddr";
        let net = Net::of(self.instance, api);
        net.inner
            .borrow_mut()
            .tcp
            .socket_set_reuse(self.key, reuseaddr)
    }

    /// Whether `SO_REUSEADDR` is set (it is not by default).
    ///
    /// # Errors
    ///
    /// `ConnectionAborted` once the socket's node was killed.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let socket = detsim::net::TcpSocket::new_v4().unwrap();
    /// assert!(!socket.reuseaddr().unwrap());
    /// socket.set_reuseaddr(true).unwrap();
    /// assert!(socket.reuseaddr().unwrap());
    /// # }).unwrap();
    /// ```
    pub fn reuseaddr(&self) -> io::Result<bool> {
        self.with("detsim::net::TcpSocket::reuseaddr", |s| s.opts.reuse)
    }

    /// `SO_REUSEPORT` (several listeners on one port, the kernel spreading
    /// connections among them) is not simulated: `true` is an
    /// `Unsupported` error rather than an option silently ignored (which
    /// would make a second listener's bind fail with `AddrInUse`, unlike
    /// Linux). `false`, the default, is accepted.
    ///
    /// # Errors
    ///
    /// `Unsupported` for `true`; `ConnectionAborted` once the socket's
    /// node was killed.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let socket = detsim::net::TcpSocket::new_v4().unwrap();
    /// socket.set_reuseport(false).unwrap();
    /// let err = socket.set_reuseport(true).unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::Unsupported);
    /// # }).unwrap();
    /// ```
    pub fn set_reuseport(&self, reuseport: bool) -> io::Result<()> {
        self.with("detsim::net::TcpSocket::set_reuseport", |_| ())?;
        if !reuseport {
            return Ok(());
        }
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "SO_REUSEPORT is not simulated by detsim: listeners cannot share a port; \
             use one listener and hand its connections to several tasks instead",
        ))
    }

    /// Always `false`: `SO_REUSEPORT` cannot be set (see
    /// [`set_reuseport`](Self::set_reuseport)).
    ///
    /// # Errors
    ///
    /// `ConnectionAborted` once the socket's node was killed.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let socket = detsim::net::TcpSocket::new_v4().unwrap();
    /// assert!(!socket.reuseport().unwrap());
    /// # }).unwrap();
    /// ```
    pub fn reuseport(&self) -> io::Result<bool> {
        self.with("detsim::net::TcpSocket::reuseport", |_| false)
    }

    /// Sets the send buffer size: how many written bytes wait for the
    /// peer's window before `write` blocks, on the connection this socket
    /// makes, or on each one its listener accepts ([`SEND_BUFFER`]
    /// by default). Sizes below 4096 bytes are raised to 4096. Unlike
    /// Linux, the size is not doubled (Linux reports twice the size set,
    /// counting its bookkeeping).
    ///
    /// [`SEND_BUFFER`]: crate::SEND_BUFFER
    ///
    /// # Errors
    ///
    /// `ConnectionAborted` once the socket's node was killed.
    ///
    /// ```
    /// use futures::FutureExt;
    /// use futures::io::AsyncWriteExt;
    /// use detsim::net::{RECV_WINDOW, TcpListener, TcpSocket};
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let l = TcpListener::bind("127.0.0.1:80").await.unwrap();
    /// let socket = TcpSocket::new_v4().unwrap();
    /// socket.set_send_buffer_size(8192).unwrap();
    /// assert_eq!(socket.send_buffer_size().unwrap(), 8192);
    /// let mut c = socket.connect("127.0.0.1:80".parse().unwrap()).await.unwrap();
    /// let (_unread, _) = l.accept().await.unwrap();
    /// let mut accepted = 0;
    /// while let Some(n) = c.write(&[0u8; 4096]).now_or_never() {
    ///     accepted += n.unwrap();
    /// }
    /// assert_eq!(accepted, RECV_WINDOW + 8192);
    /// # }).unwrap();
    /// ```
    pub fn set_send_buffer_size(&self, size: u32) -> io::Result<()> {
        self.with("detsim::net::TcpSocket::set_send_buffer_size", |s| {
            s.opts.send_buffer = size.max(MIN_BUFFER) as usize;
        })
    }

    /// The send buffer size (see
    /// [`set_send_buffer_size`](Self::set_send_buffer_size)).
    ///
    /// # Errors
    ///
    /// `ConnectionAborted` once the socket's node was killed.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let socket = detsim::net::TcpSocket::new_v4().unwrap();
    /// assert_eq!(socket.send_buffer_size().unwrap() as usize, detsim::net::SEND_BUFFER);
    /// socket.set_send_buffer_size(1).unwrap();
    /// assert_eq!(socket.send_buffer_size().unwrap(), 4096);
    /// # }).unwrap();
    /// ```
    pub fn send_buffer_size(&self) -> io::Result<u32> {
        self.with("detsim::net::TcpSocket::send_buffer_size", |s| {
            u32::try_from(s.opts.send_buffer).unwrap_or(u32::MAX)
        })
    }

    /// Sets the receive buffer size: the receive window of the connection
    /// this socket makes, or of each one its listener accepts, so how many
    /// bytes the peer may have sent that this end has not read
    /// ([`RECV_WINDOW`] by default). Sizes below 4096 bytes are raised to
    /// 4096; the size is not doubled as Linux's is.
    ///
    /// [`RECV_WINDOW`]: crate::RECV_WINDOW
    ///
    /// # Errors
    ///
    /// `ConnectionAborted` once the socket's node was killed.
    ///
    /// ```
    /// use futures::FutureExt;
    /// use futures::io::AsyncWriteExt;
    /// use detsim::net::{SEND_BUFFER, TcpSocket, TcpStream};
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let socket = TcpSocket::new_v4().unwrap();
    /// socket.set_recv_buffer_size(16384).unwrap();
    /// let l = socket.listen(8).unwrap();
    /// let mut c = TcpStream::connect(l.local_addr().unwrap()).await.unwrap();
    /// let (_unread, _) = l.accept().await.unwrap();
    /// let mut accepted = 0;
    /// while let Some(n) = c.write(&[0u8; 4096]).now_or_never() {
    ///     accepted += n.unwrap();
    /// }
    /// assert_eq!(accepted, 16384 + SEND_BUFFER);
    /// # }).unwrap();
    /// ```
    pub fn set_recv_buffer_size(&self, size: u32) -> io::Result<()> {
        self.with("detsim::net::TcpSocket::set_recv_buffer_size", |s| {
            s.opts.recv_buffer = size.max(MIN_BUFFER) as usize;
        })
    }

    /// The receive buffer size (see
    /// [`set_recv_buffer_size`](Self::set_recv_buffer_size)).
    ///
    /// # Errors
    ///
    /// `ConnectionAborted` once the socket's node was killed.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let socket = detsim::net::TcpSocket::new_v4().unwrap();
    /// assert_eq!(socket.recv_buffer_size().unwrap() as usize, detsim::net::RECV_WINDOW);
    /// # }).unwrap();
    /// ```
    pub fn recv_buffer_size(&self) -> io::Result<u32> {
        self.with("detsim::net::TcpSocket::recv_buffer_size", |s| {
            u32::try_from(s.opts.recv_buffer).unwrap_or(u32::MAX)
        })
    }

    /// Records `TCP_NODELAY`, reported by [`nodelay`](Self::nodelay) and
    /// passed on to the stream it connects, or to the streams its
    /// listener accepts ([`TcpStream::nodelay`](crate::TcpStream::nodelay)).
    /// detsim never delays segments to coalesce writes (there is no Nagle
    /// algorithm to turn off), so it changes nothing else.
    ///
    /// # Errors
    ///
    /// `ConnectionAborted` once the socket's node was killed.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let socket = detsim::net::TcpSocket::new_v4().unwrap();
    /// socket.set_nodelay(true).unwrap();
    /// assert!(socket.nodelay().unwrap());
    /// # }).unwrap();
    /// ```
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.with("detsim::net::TcpSocket::set_nodelay", |s| {
            s.opts.nodelay = nodelay;
        })
    }

    /// The `TCP_NODELAY` last set (`false` by default, as on Linux).
    ///
    /// # Errors
    ///
    /// `ConnectionAborted` once the socket's node was killed.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let socket = detsim::net::TcpSocket::new_v4().unwrap();
    /// assert!(!socket.nodelay().unwrap());
    /// # }).unwrap();
    /// ```
    pub fn nodelay(&self) -> io::Result<bool> {
        self.with("detsim::net::TcpSocket::nodelay", |s| s.opts.nodelay)
    }

    /// The address the socket is bound to; before [`bind`](Self::bind),
    /// the unspecified address of its family with port 0, as Linux's
    /// `getsockname` (and so tokio's) answers.
    ///
    /// # Errors
    ///
    /// `ConnectionAborted` once the socket's node was killed.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let socket = detsim::net::TcpSocket::new_v4().unwrap();
    /// socket.bind("0.0.0.0:0".parse().unwrap()).unwrap();
    /// assert_eq!(socket.local_addr().unwrap().to_string(), "0.0.0.0:49152");
    /// # }).unwrap();
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.with("detsim::net::TcpSocket::local_addr", |s| {
            s.local.unwrap_or(if s.v6 {
                SocketAddr::from(([0u16; 8], 0))
            } else {
                SocketAddr::from(([0u8; 4], 0))
            })
        })
    }

    /// Binds the socket to `addr` on its node: `0.0.0.0` (or `[::]`), the
    /// node's own address, or loopback, as
    /// [`TcpListener::bind`](crate::TcpListener::bind) takes. Port 0 picks
    /// an ephemeral port. The port is reserved from now on (see the
    /// [type's docs](Self)).
    ///
    /// # Errors
    ///
    /// `AddrNotAvailable` for an address the node does not own;
    /// `AddrInUse` for a port taken (see
    /// [`set_reuseaddr`](Self::set_reuseaddr) for when sharing is
    /// allowed); `InvalidInput` when the socket is bound already, or for
    /// an address of the other family; `ConnectionAborted` once the
    /// socket's node was killed.
    ///
    /// ```
    /// use std::io::ErrorKind;
    /// use detsim::net::TcpSocket;
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let a = TcpSocket::new_v4().unwrap();
    /// a.bind("10.0.0.1:7000".parse().unwrap()).unwrap();
    /// let b = TcpSocket::new_v4().unwrap();
    /// assert_eq!(b.bind("0.0.0.0:7000".parse().unwrap()).unwrap_err().kind(), ErrorKind::AddrInUse);
    /// assert_eq!(b.bind("10.0.0.9:7000".parse().unwrap()).unwrap_err().kind(), ErrorKind::AddrNotAvailable);
    /// assert_eq!(b.bind("[::]:7000".parse().unwrap()).unwrap_err().kind(), ErrorKind::InvalidInput);
    /// drop(a); // frees the port
    /// b.bind("0.0.0.0:7000".parse().unwrap()).unwrap();
    /// # }).unwrap();
    /// ```
    pub fn bind(&self, addr: SocketAddr) -> io::Result<()> {
        let net = Net::of(self.instance, "detsim::net::TcpSocket::bind");
        let mut inner = net.inner.borrow_mut();
        inner.tcp.socket_bind(self.key, addr)
    }

    /// Connects to `addr`, as [`TcpStream::connect`] does for one address,
    /// from the bound address if the socket is bound: the stream's
    /// `local_addr` is it (a wildcard address becomes the node's address
    /// toward `addr`, or loopback), and the peer sees it as its
    /// `peer_addr`. Unbound, the socket gets an ephemeral port. The
    /// connection keeps the socket's send and receive buffer sizes.
    ///
    /// # Errors
    ///
    /// Those of [`TcpStream::connect`] (`ConnectionRefused`, `TimedOut`,
    /// ...); `InvalidInput` for an address of the other family, or when
    /// the socket is bound to loopback and `addr` is on another node (as
    /// Linux's `EINVAL`); `AddrNotAvailable` when a connection with the
    /// same local address and peer exists already; `ConnectionAborted`
    /// once the socket's node was killed. The socket is consumed either
    /// way, so its port is free again after an error.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let l = detsim::net::TcpListener::bind("0.0.0.0:80").await.unwrap();
    /// let socket = detsim::net::TcpSocket::new_v4().unwrap();
    /// socket.bind("0.0.0.0:5000".parse().unwrap()).unwrap();
    /// let s = socket.connect("10.0.0.1:80".parse().unwrap()).await.unwrap();
    /// assert_eq!(s.local_addr().unwrap().to_string(), "10.0.0.1:5000");
    /// # drop(l);
    /// # }).unwrap();
    /// ```
    ///
    /// [`TcpStream::connect`]: crate::TcpStream::connect
    pub async fn connect(self, addr: SocketAddr) -> io::Result<TcpStream> {
        let api = "detsim::net::TcpSocket::connect";
        let (instance, key) = (self.instance, self.key);
        // The socket's state is gone whatever happens: its drop is a no-op.
        let conn = Net::of(instance, api).act(|inner, _| inner.tcp.socket_connect(key, addr));
        drop(self);
        let stream = TcpStream::from_parts(instance, conn?, 0);
        poll_fn(|cx| stream.h.poll_connected(cx)).await?;
        Ok(stream)
    }

    /// Turns the socket into a listener on its bound address; an unbound
    /// socket is bound first to the unspecified address of its family and
    /// an ephemeral port, as Linux's `listen` does. The listener's accept
    /// queue holds at most `backlog + 1` connections (Linux's count;
    /// `backlog` is cut to 4096, Linux's `somaxconn`): a SYN that finds it
    /// full is dropped, and its client sends it again after its
    /// retransmission timeout ([`RTO_MIN`](crate::RTO_MIN), doubling), so
    /// a server that stops accepting makes new clients wait, then time
    /// out. The drops are counted in
    /// [`DropCounts::accept_queue_full`](crate::DropCounts::accept_queue_full).
    ///
    /// # Errors
    ///
    /// `AddrInUse` when another socket listens on the address meanwhile
    /// (two sockets bound with `SO_REUSEADDR`, see
    /// [`set_reuseaddr`](Self::set_reuseaddr)), or no ephemeral port is
    /// left; `ConnectionAborted` once the socket's node was killed.
    ///
    /// ```
    /// use std::time::Duration;
    /// use detsim::net::{TcpSocket, TcpStream};
    /// use detsim::time::Instant;
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let socket = TcpSocket::new_v4().unwrap();
    /// let l = socket.listen(0).unwrap(); // room for one connection
    /// let addr = l.local_addr().unwrap();
    /// assert_eq!(addr.to_string(), "0.0.0.0:49152");
    /// let _first = TcpStream::connect(addr).await.unwrap();
    /// // The queue is full: the second SYN is dropped.
    /// let start = Instant::now();
    /// let second = detsim::spawn(TcpStream::connect(addr));
    /// detsim::time::sleep(Duration::from_millis(50)).await;
    /// let _ = l.accept().await.unwrap(); // room again
    /// second.await.unwrap().unwrap();
    /// // It connected with its retransmitted SYN (over loopback, at once).
    /// assert_eq!(Instant::now() - start, detsim::net::RTO_MIN);
    /// assert_eq!(detsim::net::Network::current().stats().drops.accept_queue_full, 1);
    /// # }).unwrap();
    /// ```
    pub fn listen(self, backlog: u32) -> io::Result<TcpListener> {
        let net = Net::of(self.instance, "detsim::net::TcpSocket::listen");
        let key = net.act(|inner, _| inner.tcp.socket_listen(self.key, backlog.min(SOMAXCONN)))?;
        Ok(TcpListener::from_key(self.instance, key))
    }
}

impl std::fmt::Debug for TcpSocket {
    /// The bound address and options (never the process-wide simulation
    /// instance).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("TcpSocket");
        let net = ext::try_get_for::<Net>(self.instance);
        let inner = net.as_ref().and_then(|n| n.inner.try_borrow().ok());
        match inner.as_ref().and_then(|i| i.tcp.sockets.get(self.key)) {
            Some(s) => d
                .field("local", &s.local)
                .field("reuseaddr", &s.opts.reuse)
                .field("send_buffer", &s.opts.send_buffer)
                .field("recv_buffer", &s.opts.recv_buffer)
                .field("nodelay", &s.opts.nodelay)
                .field("closed", &s.closed)
                .finish(),
            None => d.finish_non_exhaustive(),
        }
    }
}

impl Drop for TcpSocket {
    /// Frees the socket's port, if it is bound and has not connected or
    /// listened.
    fn drop(&mut self) {
        let Some(net) = ext::try_get_for::<Net>(self.instance) else {
            return;
        };
        net.act(|inner, _| inner.tcp.socket_close(self.key));
    }
}
