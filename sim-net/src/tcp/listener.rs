//! `TcpListener`: tokio's listener API over the simulated network.

use std::future::poll_fn;
use std::io;
use std::net::SocketAddr;
use std::task::{Context, Poll};

use sim_core::ext;
use sim_core::node::Node;

use super::Key;
use super::state::{Listener, aborted};
use super::stream::TcpStream;
use crate::addr::{ToSocketAddrs, try_each};
use crate::state::Net;
use crate::waiters::{Owner, WaitSlot};

/// A TCP listening socket on the simulated network, with tokio's API.
///
/// It belongs to the node that binds it. A connection is queued for
/// [`accept`](Self::accept) when the client's SYN arrives (half a round
/// trip after `connect`), a round trip earlier than on Linux, which
/// waits for the client's ACK; so an accepted connection may be reset
/// (an abortive close, a kill) before the client has its SYN-ACK. Its
/// `connect` then succeeds all the same, as it would have on Linux by
/// then, and its first read or write fails with `ConnectionReset`. Its
/// backlog is tokio's for `bind`, 1024: the
/// accept queue holds 1,025 connections, and a SYN that finds it full is
/// dropped (the client sends it again), as on Linux; choose another with
/// [`TcpSocket::listen`](crate::TcpSocket::listen). When the listener's
/// node is killed it closes and `accept` fails with `ConnectionAborted`;
/// dropping it resets the connections still waiting to be accepted.
///
/// # Example
///
/// An echo server and a client:
///
/// ```
/// use futures::io::{AsyncReadExt, AsyncWriteExt};
/// use detsim::node::Node;
/// use detsim::net::{TcpListener, TcpStream};
///
/// let mut sim = detsim::Sim::builder().build();
/// sim.run(async {
///     Node::builder("echo").init(|| async {
///         let listener = TcpListener::bind("0.0.0.0:7").await.unwrap();
///         loop {
///             let (mut stream, _) = listener.accept().await.unwrap();
///             detsim::spawn(async move {
///                 let mut buf = [0u8; 1024];
///                 loop {
///                     let n = stream.read(&mut buf).await.unwrap();
///                     if n == 0 { break; }
///                     stream.write_all(&buf[..n]).await.unwrap();
///                 }
///             });
///         }
///     }).build();
///     let mut stream = TcpStream::connect("echo:7").await.unwrap();
///     stream.write_all(b"ping").await.unwrap();
///     let mut buf = [0u8; 4];
///     stream.read_exact(&mut buf).await.unwrap();
///     assert_eq!(&buf, b"ping");
///     // The handshake and the echo: two round trips of the default 1 ms.
///     assert_eq!(detsim::time::Instant::now().since_start().as_millis(), 4);
/// }).unwrap();
/// ```
pub struct TcpListener {
    instance: u64,
    key: Key,
}

impl TcpListener {
    /// The handle of listener `key` (made by [`TcpSocket::listen`](super::TcpSocket::listen)).
    pub(super) fn from_key(instance: u64, key: Key) -> TcpListener {
        TcpListener { instance, key }
    }

    /// Binds a listener on the current node. The address may be `0.0.0.0`,
    /// the node's own address or `127.0.0.1`; or `[::]` (every IPv6
    /// address of the node, IPv6 connections only), the node's IPv6
    /// address or `[::1]`. Port 0 picks an ephemeral port. TCP ports are
    /// separate from UDP ports, as on a real host.
    ///
    /// As tokio's, it tries each address `addr` resolves to in turn until
    /// one binds: a host name binds the node's IPv4 address, or its IPv6
    /// one if that fails (the port is taken over IPv4, say).
    ///
    /// # Errors
    ///
    /// Of the last address tried: `AddrInUse` for a taken port,
    /// `AddrNotAvailable` for an address the node does not own. Before
    /// any attempt: `NotFound`/`InvalidInput` for an address that does
    /// not resolve.
    ///
    /// # Panics
    ///
    /// Outside a simulation.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let a = detsim::net::TcpListener::bind("0.0.0.0:8080").await.unwrap();
    /// let err = detsim::net::TcpListener::bind("127.0.0.1:8080").await.unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::AddrInUse);
    /// // IPv6-only: `[::]` does not clash with `0.0.0.0`.
    /// let b = detsim::net::TcpListener::bind("[::]:8080").await.unwrap();
    /// # drop((a, b));
    /// # }).unwrap();
    /// ```
    pub async fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<TcpListener> {
        let net = Net::current("detsim::net::TcpListener::bind");
        let node = Node::current().id().as_u32();
        let key = try_each(&addr, |a| net.inner.borrow_mut().tcp.listen(node, a))?;
        Ok(TcpListener {
            instance: ext::instance("detsim::net::TcpListener::bind"),
            key,
        })
    }

    /// Waits for the next connection; returns its stream and the peer's
    /// address. Connections come in the order their SYNs arrived.
    ///
    /// # Errors
    ///
    /// `ConnectionAborted` once the listener's node was killed (a handle
    /// that escaped its node), and on every call after: the listener is
    /// closed for good, so an accept loop must stop on this error (or use
    /// [`incoming`](Self::incoming), which ends).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let l = detsim::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// let addr = l.local_addr().unwrap();
    /// let c = detsim::spawn(async move { detsim::net::TcpStream::connect(addr).await });
    /// let (s, peer) = l.accept().await.unwrap();
    /// assert_eq!(Some(peer), c.await.unwrap().unwrap().local_addr().ok());
    /// # drop(s);
    /// # }).unwrap();
    /// ```
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        // Given back when this future completes or is dropped.
        let mut wait = WaitSlot::new(self.instance, Owner::Listener(self.key));
        poll_fn(|cx| self.poll_accept_as(cx, Some(&mut wait.slot))).await
    }

    /// Polls for a connection, registering `cx`'s waker when none is
    /// waiting (for hand-written futures and `Stream` adapters). As with
    /// tokio, only the waker of the latest call is kept: tasks that wait
    /// on one listener together use [`accept`](Self::accept) or
    /// [`incoming`](Self::incoming), which keep one each.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let l = detsim::net::TcpListener::bind("0.0.0.0:0").await.unwrap();
    /// let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    /// assert!(l.poll_accept(&mut cx).is_pending());
    /// # }).unwrap();
    /// ```
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(TcpStream, SocketAddr)>> {
        self.poll_accept_as(cx, None)
    }

    /// [`poll_accept`](Self::poll_accept) for the future or stream owning
    /// `slot` (`None`: the poll function's caller).
    fn poll_accept_as(
        &self,
        cx: &mut Context<'_>,
        slot: Option<&mut Option<u32>>,
    ) -> Poll<io::Result<(TcpStream, SocketAddr)>> {
        let net = Net::of(self.instance, "detsim::net::TcpListener::poll_accept");
        let (polled, trash) = {
            let mut inner = net.inner.borrow_mut();
            let polled = inner.tcp.poll_accept(self.key, cx, slot);
            (polled, std::mem::take(&mut inner.tcp.trash))
        };
        // A replaced waker is user code: dropped outside the borrow.
        drop(trash);
        let conn = match polled {
            Poll::Ready(Ok(conn)) => conn,
            Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
            Poll::Pending => return Poll::Pending,
        };
        let stream = TcpStream::from_parts(self.instance, conn, 1);
        let peer = stream.h.accepted_peer();
        Poll::Ready(peer.map(|p| (stream, p)))
    }

    /// The connections as a [`Stream`](futures::Stream), for an accept
    /// loop with stream combinators (`while let Some(s) = incoming.next()`).
    /// Each item is what [`accept`](Self::accept) returns, without the
    /// peer address. It ends after its first error: the only error is the
    /// listener's node having been killed, after which no connection can
    /// ever come, so an accept loop that logs errors and carries on stops
    /// instead of spinning. (tokio's `TcpListenerStream` never ends: a real
    /// listener cannot outlive its process.)
    ///
    /// ```
    /// use futures::StreamExt;
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let l = detsim::net::TcpListener::bind("127.0.0.1:80").await.unwrap();
    /// for _ in 0..3 {
    ///     detsim::spawn(async { detsim::net::TcpStream::connect("127.0.0.1:80").await.unwrap() });
    /// }
    /// let streams: Vec<_> = l.incoming().take(3).collect().await;
    /// assert!(streams.iter().all(|s| s.is_ok()));
    /// # }).unwrap();
    /// ```
    pub fn incoming(&self) -> Incoming<'_> {
        Incoming {
            listener: self,
            ended: false,
            wait: WaitSlot::new(self.instance, Owner::Listener(self.key)),
        }
    }

    /// The address the listener is bound to.
    ///
    /// # Errors
    ///
    /// `ConnectionAborted` once the listener's node was killed.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let l = detsim::net::TcpListener::bind("0.0.0.0:0").await.unwrap();
    /// assert_eq!(l.local_addr().unwrap().to_string(), "0.0.0.0:49152");
    /// # }).unwrap();
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.with("detsim::net::TcpListener::local_addr", |l| l.local)
    }

    /// Sets `IP_TTL`, kept and read back by [`ttl`](Self::ttl) and
    /// inherited by the connections accepted afterwards, as Linux's
    /// accepted sockets copy their listener's options. The simulated
    /// network has no hops, so it changes nothing else.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for 0 or a value above 255, as Linux's setsockopt;
    /// `ConnectionAborted` once the listener's node was killed.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// use detsim::net::{TcpListener, TcpStream};
    /// let l = TcpListener::bind("127.0.0.1:80").await.unwrap();
    /// assert_eq!(l.ttl().unwrap(), 64);
    /// l.set_ttl(7).unwrap();
    /// let _c = TcpStream::connect("127.0.0.1:80").await.unwrap();
    /// let (s, _) = l.accept().await.unwrap();
    /// assert_eq!(s.ttl().unwrap(), 7);
    /// assert_eq!(l.set_ttl(0).unwrap_err().kind(), std::io::ErrorKind::InvalidInput);
    /// # }).unwrap();
    /// ```
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        let ttl = crate::ttl::checked_ttl(ttl)?;
        self.with("detsim::net::TcpListener::set_ttl", |l| l.opts.ttl = ttl)
    }

    /// `IP_TTL` as last set (64 on a new listener, Linux's default); see
    /// [`set_ttl`](Self::set_ttl).
    ///
    /// # Errors
    ///
    /// `ConnectionAborted` once the listener's node was killed.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let l = detsim::net::TcpListener::bind("127.0.0.1:80").await.unwrap();
    /// assert_eq!(l.ttl().unwrap(), 64);
    /// # }).unwrap();
    /// ```
    pub fn ttl(&self) -> io::Result<u32> {
        self.with("detsim::net::TcpListener::ttl", |l| u32::from(l.opts.ttl))
    }

    /// Runs `f` on the listener (`api` names the caller outside a
    /// simulation): the killed-node error once its node was killed.
    fn with<R>(&self, api: &str, f: impl FnOnce(&mut Listener) -> R) -> io::Result<R> {
        let net = Net::of(self.instance, api);
        let mut inner = net.inner.borrow_mut();
        match inner.tcp.listeners.get_mut(self.key) {
            Some(l) if !l.closed => Ok(f(l)),
            Some(l) => Err(super::state::killed(l.node)),
            None => Err(aborted("listener")),
        }
    }
}

impl std::fmt::Debug for TcpListener {
    /// The bound address (never the process-wide simulation instance).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("TcpListener");
        let net = ext::try_get_for::<Net>(self.instance);
        let inner = net.as_ref().and_then(|n| n.inner.try_borrow().ok());
        match inner.as_ref().and_then(|i| i.tcp.listeners.get(self.key)) {
            Some(l) => d
                .field("local", &l.local)
                .field("queued", &l.queue.len())
                .field("closed", &l.closed)
                .finish(),
            None => d.finish_non_exhaustive(),
        }
    }
}

impl Drop for TcpListener {
    fn drop(&mut self) {
        let Some(net) = ext::try_get_for::<Net>(self.instance) else {
            return;
        };
        net.act(|inner, wakers| inner.tcp.close_listener(self.key, wakers));
    }
}

/// The connections of a [`TcpListener`], as a
/// [`Stream`](futures::Stream) ([`TcpListener::incoming`]) that ends only
/// after the error of a listener whose node was killed.
///
/// ```
/// use futures::StreamExt;
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// let l = detsim::net::TcpListener::bind("127.0.0.1:80").await.unwrap();
/// detsim::spawn(async { detsim::net::TcpStream::connect("127.0.0.1:80").await.unwrap() });
/// let mut incoming = l.incoming();
/// let s = incoming.next().await.unwrap().unwrap();
/// assert_eq!(s.local_addr().unwrap().port(), 80);
/// # }).unwrap();
/// ```
#[derive(Debug)]
#[must_use = "streams do nothing unless polled"]
pub struct Incoming<'a> {
    listener: &'a TcpListener,
    /// An error was given: the listener is closed for good.
    ended: bool,
    /// Its place among the listener's waiters, given back on drop.
    wait: WaitSlot,
}

impl futures::Stream for Incoming<'_> {
    type Item = io::Result<TcpStream>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<io::Result<TcpStream>>> {
        if self.ended {
            return Poll::Ready(None);
        }
        let this = &mut *self;
        let r = std::task::ready!(this.listener.poll_accept_as(cx, Some(&mut this.wait.slot)));
        self.ended = r.is_err();
        Poll::Ready(Some(r.map(|(s, _)| s)))
    }
}

impl futures::stream::FusedStream for Incoming<'_> {
    /// Whether the stream ended (after the error of a listener whose node
    /// was killed).
    fn is_terminated(&self) -> bool {
        self.ended
    }
}
