//! `UdpSocket`: tokio's UDP API over the simulated network. Broadcast
//! (`set_broadcast`, sends to `255.255.255.255`) is in [`broadcast`], the
//! non-blocking and readiness API (`try_send_to`, `readable`, `peek_from`
//! ...) in [`try_io`].

mod broadcast;
mod multicast;
mod options;
mod poll;
mod try_io;

use std::future::poll_fn;
use std::io;
use std::net::SocketAddr;
use std::task::{Context, Poll};

use sim_core::ext;
use sim_core::node::Node;

use crate::addr::{
    ToSocketAddrs, destination, family_mismatch, first_of_other_family, is_node_ip, no_address,
    source, try_each, v4_mapped,
};
use crate::state::{Key, Net, Socket, node_name};
use crate::waiters::{Owner, WaitSlot};
use broadcast::check_broadcast;
pub(crate) use multicast::Multicast;

/// The largest UDP payload over IPv4 (65,535 − 8 − 20 bytes: the IPv4
/// total length counts its 20-byte header and UDP's 8). A larger datagram
/// is refused with `InvalidInput` (Linux's `EMSGSIZE`). IPv6 sockets have
/// their own, larger limit: [`MAX_DATAGRAM_V6`].
///
/// ```
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// use detsim::net::{MAX_DATAGRAM, UdpSocket};
/// let s = UdpSocket::bind("127.0.0.1:0").await.unwrap();
/// let to = s.local_addr().unwrap();
/// assert!(s.send_to(&vec![0u8; MAX_DATAGRAM], to).await.is_ok());
/// let err = s.send_to(&vec![0u8; MAX_DATAGRAM + 1], to).await.unwrap_err();
/// assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
/// # }).unwrap();
/// ```
pub const MAX_DATAGRAM: usize = 65_507;

/// The largest UDP payload over IPv6 (65,535 − 8 bytes: the IPv6 payload
/// length does not count the IPv6 header; jumbograms are not simulated).
/// A larger datagram from an IPv6 socket is refused with `InvalidInput`
/// (Linux's `EMSGSIZE`). IPv4's limit is [`MAX_DATAGRAM`].
///
/// ```
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// use detsim::net::{MAX_DATAGRAM_V6, UdpSocket};
/// let s = UdpSocket::bind("[::1]:0").await.unwrap();
/// let to = s.local_addr().unwrap();
/// assert!(s.send_to(&vec![0u8; MAX_DATAGRAM_V6], to).await.is_ok());
/// let err = s.send_to(&vec![0u8; MAX_DATAGRAM_V6 + 1], to).await.unwrap_err();
/// assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
/// assert!(err.to_string().contains("65527 bytes over IPv6"));
/// # }).unwrap();
/// ```
pub const MAX_DATAGRAM_V6: usize = 65_527;

/// A UDP socket on the simulated network, with tokio's API.
///
/// A socket belongs to the node that binds it. Datagrams take the link's
/// latency and may be lost, duplicated or reordered, as the
/// [`Network`](crate::Network)'s configuration says. A datagram larger than
/// the receive buffer passed to `recv_from` is truncated, as UDP does. When
/// the socket's node is killed the socket closes: queued datagrams are
/// discarded and every operation fails with `ConnectionAborted`.
///
/// The handle is plain data (`Send`, `Sync`); share it with `Arc` as you
/// would tokio's. Dropping it closes the socket.
///
/// A socket queues up to 212,992 bytes of datagrams (Linux's
/// `rmem_default`); one arriving at a full queue is dropped, counted in
/// [`DropCounts::buffer_full`](crate::DropCounts::buffer_full). detsim
/// counts payload bytes, while Linux charges each datagram its kernel
/// buffer size (`truesize`: several hundred bytes more than a small
/// payload, depending on the driver), so a real socket holds fewer small
/// datagrams than a simulated one.
///
/// # What of tokio's API is here
///
/// `bind`, `connect`, `local_addr`, `peer_addr`; `send_to`, `send`,
/// `recv_from`, `recv`, `peek_from`, `peek_sender`; the non-blocking
/// `try_send_to`, `try_send`, `try_recv_from`, `try_recv`,
/// `try_peek_from`, `try_peek_sender` with the readiness waits
/// [`ready`](Self::ready), `readable` and `writable`; the poll functions
/// `poll_recv_from`, `poll_recv`, `poll_peek_from`, `poll_peek_sender`,
/// `poll_recv_ready`, `poll_send_to`, `poll_send` and `poll_send_ready`
/// (byte slices where tokio takes a `ReadBuf`); `take_error`;
/// `ttl`/`set_ttl`; `set_broadcast` / `broadcast` (see
/// [Broadcast](#broadcast)); and IPv4 multicast:
/// [`join_multicast_v4`](Self::join_multicast_v4),
/// `leave_multicast_v4`, `set_multicast_loop_v4`/`multicast_loop_v4`,
/// `set_multicast_ttl_v4`/`multicast_ttl_v4` (see
/// [Multicast](#multicast)). Sends never wait (the simulated socket's
/// send buffer never fills): `writable` is ready at once and
/// `try_send_to` never says `WouldBlock`. Not simulated: the `_buf`
/// variants, IPv6 multicast (`join_multicast_v6` is `Unsupported`), the
/// TOS option, and conversions to and from std or raw sockets.
///
/// # Broadcast
///
/// As on Linux, sending to (or connecting to) the broadcast address
/// `255.255.255.255` fails with `PermissionDenied` until
/// [`set_broadcast(true)`](Self::set_broadcast) (`SO_BROADCAST`). With
/// it, a broadcast sends a copy to every node, the sender's included, for
/// the node's socket bound to `0.0.0.0` on the destination port when the
/// copy arrives: see [`set_broadcast`](Self::set_broadcast).
///
/// # Multicast
///
/// A send to an IPv4 group address (`224.0.0.0/4`) sends a copy to each
/// node with a member socket (one that called
/// [`join_multicast_v4`](Self::join_multicast_v4)), each through its own
/// link's faults, and to the sender's own node if it is a member and
/// `IP_MULTICAST_LOOP` is on (the default). On arrival the node's socket
/// bound to the group address on the port (or else to `0.0.0.0`) takes
/// it, as on Linux, if the node is still a member. `IP_MULTICAST_TTL` 0 keeps a send on its node.
///
/// # Example
///
/// ```
/// use detsim::node::Node;
/// use detsim::net::UdpSocket;
///
/// let mut sim = detsim::Sim::builder().build();
/// sim.run(async {
///     Node::builder("echo").init(|| async {
///         let sock = UdpSocket::bind("0.0.0.0:7").await.unwrap();
///         let mut buf = [0u8; 1500];
///         loop {
///             let (n, from) = sock.recv_from(&mut buf).await.unwrap();
///             sock.send_to(&buf[..n], from).await.unwrap();
///         }
///     }).build();
///     let sock = UdpSocket::bind("0.0.0.0:0").await.unwrap();
///     sock.connect("echo:7").await.unwrap();
///     sock.send(b"ping").await.unwrap();
///     let mut buf = [0u8; 16];
///     let n = sock.recv(&mut buf).await.unwrap();
///     assert_eq!(&buf[..n], b"ping");
///     // Two hops of the default 1 ms latency.
///     assert_eq!(detsim::time::Instant::now().since_start().as_millis(), 2);
/// }).unwrap();
/// ```
pub struct UdpSocket {
    instance: u64,
    key: Key,
}

impl std::fmt::Debug for UdpSocket {
    /// Addresses and state (never the process-wide simulation instance).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("UdpSocket");
        let net = ext::try_get_for::<Net>(self.instance);
        let inner = net.as_ref().and_then(|n| n.inner.try_borrow().ok());
        match inner.as_ref().and_then(|i| i.socket(self.key)) {
            Some(s) => d
                .field("local", &s.local)
                .field("peer", &s.peer)
                .field("queued", &s.queue.len())
                .field("closed", &s.closed)
                .field("broadcast", &s.broadcast)
                .finish(),
            None => d.finish_non_exhaustive(),
        }
    }
}

impl UdpSocket {
    /// Binds a socket on the current node. The address may be `0.0.0.0`
    /// (every IPv4 address of the node), the node's own address or
    /// `127.0.0.1`; or, for an IPv6 socket, `[::]` (every IPv6 address of
    /// the node, IPv6 only), the node's IPv6 address or `[::1]`. Port 0
    /// picks an ephemeral port (from 49152, per node).
    ///
    /// As tokio's, it tries each address `addr` resolves to in turn until
    /// one binds: a host name binds the node's IPv4 address, or its IPv6
    /// one if that fails.
    ///
    /// # Errors
    ///
    /// Of the last address tried: `AddrNotAvailable` for an address the
    /// node does not own (an IPv4 group address binds, as on Linux: see
    /// [Multicast](Self#multicast)), `AddrInUse` for a taken port. Before any
    /// attempt: `NotFound`/`InvalidInput` for an address that does not
    /// resolve.
    ///
    /// # Panics
    ///
    /// Outside a simulation.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let a = detsim::net::UdpSocket::bind("0.0.0.0:0").await.unwrap();
    /// assert_eq!(a.local_addr().unwrap().to_string(), "0.0.0.0:49152");
    /// let err = detsim::net::UdpSocket::bind("0.0.0.0:49152").await.unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::AddrInUse);
    /// let b = detsim::net::UdpSocket::bind("[::]:0").await.unwrap();
    /// assert_eq!(b.local_addr().unwrap().to_string(), "[::]:49153");
    /// # }).unwrap();
    /// ```
    pub async fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<UdpSocket> {
        let net = Net::current("detsim::net::UdpSocket::bind");
        let node = Node::current().id().as_u32();
        let key = try_each(&addr, |a| net.inner.borrow_mut().bind(node, a))?;
        Ok(UdpSocket {
            instance: ext::instance("detsim::net::UdpSocket::bind"),
            key,
        })
    }

    /// Runs `f` on the open socket's state.
    #[track_caller]
    fn with<R>(&self, api: &str, f: impl FnOnce(&mut Socket) -> io::Result<R>) -> io::Result<R> {
        let net = Net::of(self.instance, api);
        let mut inner = net.inner.borrow_mut();
        let s = inner.socket_mut(self.key);
        if s.closed {
            return Err(closed(s.node));
        }
        f(s)
    }

    /// The address the socket is bound to. A socket bound to the
    /// unspecified address (`0.0.0.0`, `[::]`) reports the source address
    /// chosen by [`connect`](Self::connect) once connected, as on Linux:
    /// the node's address toward another node, the loopback address
    /// toward itself.
    ///
    /// # Errors
    ///
    /// `ConnectionAborted` once the socket's node was killed.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let s = detsim::net::UdpSocket::bind("10.0.0.1:9000").await.unwrap();
    /// assert_eq!(s.local_addr().unwrap().to_string(), "10.0.0.1:9000");
    /// detsim::node::Node::builder("db").build();
    /// let any = detsim::net::UdpSocket::bind("0.0.0.0:0").await.unwrap();
    /// assert_eq!(any.local_addr().unwrap().to_string(), "0.0.0.0:49152");
    /// any.connect("db:53").await.unwrap();
    /// assert_eq!(any.local_addr().unwrap().to_string(), "10.0.0.1:49152");
    /// # }).unwrap();
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.with("detsim::net::UdpSocket::local_addr", |s| Ok(s.local))
    }

    /// The connected peer.
    ///
    /// # Errors
    ///
    /// `NotConnected` if [`connect`](Self::connect) was not called.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let s = detsim::net::UdpSocket::bind("0.0.0.0:0").await.unwrap();
    /// assert_eq!(s.peer_addr().unwrap_err().kind(), std::io::ErrorKind::NotConnected);
    /// s.connect("127.0.0.1:5").await.unwrap();
    /// assert_eq!(s.peer_addr().unwrap().to_string(), "127.0.0.1:5");
    /// # }).unwrap();
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.with("detsim::net::UdpSocket::peer_addr", |s| {
            s.peer.ok_or_else(not_connected)
        })
    }

    /// Sets the default destination of [`send`](Self::send) and keeps only
    /// datagrams from that address (others are dropped on arrival).
    ///
    /// As tokio's, it tries each address `addr` resolves to in turn until
    /// one is accepted. A socket accepts only addresses of its own family,
    /// so a host name connects an IPv4 socket to the node's IPv4 address
    /// and an IPv6 socket to its IPv6 one.
    ///
    /// A socket bound to the unspecified address (`0.0.0.0`, `[::]`)
    /// takes the source address the peer is reached from, as Linux picks
    /// it: [`local_addr`](Self::local_addr) then reports the node's own
    /// address (or loopback, for a peer on the node), and keeps it if the
    /// socket connects again.
    ///
    /// # Errors
    ///
    /// As address resolution ([`lookup_host`](crate::lookup_host));
    /// then, of the last address tried: `InvalidInput` for an address of
    /// the other family than the socket's (Linux's `EAFNOSUPPORT`),
    /// `PermissionDenied` for the broadcast address without
    /// [`set_broadcast(true)`](Self::set_broadcast) (Linux's `EACCES`),
    /// `ConnectionAborted` once the socket's node was killed.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let s = detsim::net::UdpSocket::bind("0.0.0.0:0").await.unwrap();
    /// s.connect("main:53").await.unwrap();
    /// assert_eq!(s.peer_addr().unwrap().to_string(), "10.0.0.1:53");
    /// let s6 = detsim::net::UdpSocket::bind("[::]:0").await.unwrap();
    /// s6.connect("main:53").await.unwrap(); // the IPv4 address is refused
    /// assert_eq!(s6.peer_addr().unwrap().to_string(), "[fd00::1]:53");
    /// # }).unwrap();
    /// ```
    pub async fn connect<A: ToSocketAddrs>(&self, addr: A) -> io::Result<()> {
        let api = "detsim::net::UdpSocket::connect";
        try_each(&addr, |peer| {
            let peer = destination(peer);
            v4_mapped(peer)?;
            self.with(api, |s| {
                if s.local.is_ipv6() != peer.is_ipv6() {
                    return Err(family_mismatch(s.local, peer));
                }
                check_broadcast(s, peer, "connect to")?;
                if s.local.ip().is_unspecified() {
                    // Linux fixes the source address at connect.
                    s.local = source(s.node, s.local, peer);
                }
                s.peer = Some(peer);
                Ok(())
            })
        })
    }

    /// Sends a datagram to `target`; returns its length. Completes at once
    /// (UDP does not wait for the network).
    ///
    /// As tokio's, it sends to the first address `target` resolves to and
    /// no other: a host name means the node's IPv4 address, which an IPv6
    /// socket cannot reach. From an IPv6 socket, send to the IPv6 address
    /// (`"[fd00::2]:53"`, or [`lookup_host`](crate::lookup_host)'s second
    /// address), or [`connect`](Self::connect) by name (which tries each
    /// address) and [`send`](Self::send).
    ///
    /// # Errors
    ///
    /// `InvalidInput` for more than [`MAX_DATAGRAM`] bytes
    /// ([`MAX_DATAGRAM_V6`] from an IPv6 socket), port 0 (Linux's
    /// `EINVAL`; the unspecified address, though, is the node itself, as on
    /// Linux: `0.0.0.0:53` means `127.0.0.1:53`), a loopback
    /// socket sending to another node (its own node's address it reaches,
    /// as on Linux), or a target of the other family than
    /// the socket's (an IPv4 socket sending to an IPv6 address or the
    /// reverse, an IPv6 socket sending to a host name; Linux's
    /// `EAFNOSUPPORT`; the message names the address to use instead);
    /// resolution errors; `PermissionDenied` for the broadcast address
    /// `255.255.255.255` without [`set_broadcast(true)`](Self::set_broadcast)
    /// (Linux's `EACCES`); `NetworkUnreachable` for an IPv4-mapped IPv6
    /// address (`[::ffff:10.0.0.2]:53`: IPv6 sockets are IPv6-only here,
    /// as with `IPV6_V6ONLY`; the message names the IPv4 address);
    /// `ConnectionAborted` once the node was killed. A datagram the network
    /// loses is not an error.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let s = detsim::net::UdpSocket::bind("0.0.0.0:0").await.unwrap();
    /// assert_eq!(s.send_to(b"hi", "127.0.0.1:9").await.unwrap(), 2);
    /// let err = s.send_to(b"hi", "[::1]:9").await.unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    /// let s6 = detsim::net::UdpSocket::bind("[::]:0").await.unwrap();
    /// let err = s6.send_to(b"hi", "localhost:9").await.unwrap_err();
    /// assert!(err.to_string().contains("send to [::1]:9 instead"));
    /// # }).unwrap();
    /// ```
    pub async fn send_to<A: ToSocketAddrs>(&self, buf: &[u8], target: A) -> io::Result<usize> {
        self.send_to_now(buf, target)
    }

    /// [`send_to`](Self::send_to), which never waits.
    fn send_to_now<A: ToSocketAddrs>(&self, buf: &[u8], target: A) -> io::Result<usize> {
        let addrs = target.resolve()?;
        let &dst = addrs.first().ok_or_else(no_address)?;
        if dst.port() == 0 {
            // Linux's EINVAL: no socket can be bound to port 0.
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "invalid argument: cannot send to port 0 ({dst}); give the receiver's port"
                ),
            ));
        }
        if addrs.len() > 1 {
            // Only to say which address would have worked.
            let local = self.with("detsim::net::UdpSocket::send_to", |s| Ok(s.local))?;
            if local.is_ipv6() != dst.is_ipv6() {
                return Err(first_of_other_family(local, &addrs));
            }
        }
        self.send_checked(buf, dst)
    }

    /// Sends a datagram to the connected peer.
    ///
    /// # Errors
    ///
    /// `NotConnected` without [`connect`](Self::connect);
    /// `ConnectionRefused`, once, after an earlier datagram found no
    /// socket at the peer (ICMP port unreachable, as on Linux; not for a
    /// broadcast); otherwise as [`send_to`](Self::send_to).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let s = detsim::net::UdpSocket::bind("0.0.0.0:0").await.unwrap();
    /// assert!(s.send(b"x").await.is_err());
    /// s.connect("127.0.0.1:9").await.unwrap();
    /// assert_eq!(s.send(b"x").await.unwrap(), 1);
    /// # }).unwrap();
    /// ```
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.send_now(buf)
    }

    /// [`send`](Self::send), which never waits.
    fn send_now(&self, buf: &[u8]) -> io::Result<usize> {
        let peer = self.with("detsim::net::UdpSocket::send", |s| {
            s.peer.ok_or_else(not_connected)
        })?;
        self.send_checked(buf, peer)
    }

    /// Sends to `dst`, the target of `send_to` or the connected peer.
    fn send_checked(&self, buf: &[u8], dst: SocketAddr) -> io::Result<usize> {
        let dst = destination(dst);
        v4_mapped(dst)?;
        let (node, src, multicast_opts) = self.with("detsim::net::UdpSocket::send_to", |s| {
            take_refused(s)?;
            if s.local.is_ipv6() != dst.is_ipv6() {
                return Err(family_mismatch(s.local, dst));
            }
            if buf.len() > MAX_DATAGRAM {
                too_long(buf.len(), dst)?;
            }
            // A loopback socket reaches its own node's address too (on
            // Linux, the route to a host's own address is loopback).
            if s.local.ip().is_loopback()
                && !dst.ip().is_loopback()
                && !is_node_ip(s.node, dst.ip())
            {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "invalid argument: a socket bound to {} cannot send to {dst} off its node",
                        s.local
                    ),
                ));
            }
            check_broadcast(s, dst, "send to")?;
            let src = multicast::source(s.local);
            Ok((s.node, src, (s.multicast.loop_back, s.multicast.ttl)))
        })?;
        let net = Net::of(self.instance, "detsim::net::UdpSocket::send_to");
        if broadcast::is_broadcast(dst) {
            broadcast::deliver(&net, node, src, dst.port(), buf);
        } else if multicast::is_multicast(dst) {
            multicast::deliver(&net, (node, src), dst, multicast_opts, buf);
        } else {
            net.send(node, src, dst, buf);
        }
        Ok(buf.len())
    }

    /// Receives a datagram into `buf` (truncating it to `buf`'s length);
    /// returns the bytes copied and the sender.
    ///
    /// # Errors
    ///
    /// `ConnectionAborted` once the socket's node was killed.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let s = detsim::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// s.send_to(b"self", s.local_addr().unwrap()).await.unwrap();
    /// let mut buf = [0u8; 8];
    /// let (n, from) = s.recv_from(&mut buf).await.unwrap();
    /// assert_eq!((&buf[..n], from), (&b"self"[..], s.local_addr().unwrap()));
    /// # }).unwrap();
    /// ```
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        // Given back when this future completes or is dropped.
        let mut wait = WaitSlot::new(self.instance, Owner::Socket(self.key));
        let api = "detsim::net::UdpSocket::recv_from";
        poll_fn(|cx| self.poll_datagram(api, cx, buf, Some(&mut wait.slot), Take::Take)).await
    }

    /// Receives a datagram from the connected peer (or from anyone, on an
    /// unconnected socket).
    ///
    /// # Errors
    ///
    /// On a connected socket, `ConnectionRefused`, once (before any
    /// queued datagram), after a datagram it sent found no socket at the
    /// peer (ICMP port unreachable, as on Linux); otherwise as
    /// [`recv_from`](Self::recv_from).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let s = detsim::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// s.connect(s.local_addr().unwrap()).await.unwrap();
    /// s.send(b"loop").await.unwrap();
    /// let mut buf = [0u8; 8];
    /// assert_eq!(s.recv(&mut buf).await.unwrap(), 4);
    /// # }).unwrap();
    /// ```
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        Ok(self.recv_from(buf).await?.0)
    }

    /// Polls for a datagram, registering `cx`'s waker when none is queued
    /// (for hand-written futures). As with tokio, only the waker of the
    /// latest call is kept: tasks that wait on one socket together use
    /// [`recv_from`](Self::recv_from), which keeps one each.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let s = detsim::net::UdpSocket::bind("0.0.0.0:0").await.unwrap();
    /// let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    /// assert!(s.poll_recv_from(&mut cx, &mut [0u8; 4]).is_pending());
    /// # }).unwrap();
    /// ```
    pub fn poll_recv_from(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<(usize, SocketAddr)>> {
        let api = "detsim::net::UdpSocket::poll_recv_from";
        self.poll_datagram(api, cx, buf, None, Take::Take)
    }

    /// [`poll_recv_from`](Self::poll_recv_from) for the future owning
    /// `slot` (`None`: the poll function's caller), naming `api`
    /// outside a simulation; with [`Take::Peek`], the datagram stays
    /// queued (`peek_from`).
    fn poll_datagram(
        &self,
        api: &str,
        cx: &mut Context<'_>,
        buf: &mut [u8],
        slot: Option<&mut Option<u32>>,
        take: Take,
    ) -> Poll<io::Result<(usize, SocketAddr)>> {
        let mut replaced = None;
        let r = self.with(api, |s| {
            // A pending error comes before queued datagrams, as Linux's
            // `__skb_recv_udp` checks `sock_error` first (peeks too).
            take_refused(s)?;
            let Some((from, data)) = s.queue.front() else {
                replaced = s.waiters.park(slot, cx.waker());
                return Ok(None);
            };
            let (from, n) = (*from, data.len().min(buf.len()));
            buf[..n].copy_from_slice(&data[..n]);
            if let Take::Take = take {
                let (_, data) = s.queue.pop_front().expect("a datagram is queued");
                s.queued_bytes -= data.len();
            }
            Ok(Some((n, from)))
        });
        // A replaced waker is user code: dropped outside the borrow.
        drop(replaced);
        match r {
            Ok(None) => Poll::Pending,
            Ok(Some(got)) => Poll::Ready(Ok(got)),
            Err(e) => Poll::Ready(Err(e)),
        }
    }
}

impl Drop for UdpSocket {
    fn drop(&mut self) {
        let Some(net) = ext::try_get_for::<Net>(self.instance) else {
            return;
        };
        let socket = net.inner.borrow_mut().remove(self.key);
        drop(socket);
    }
}

/// Reports a connected socket's pending ICMP error once (see
/// `Socket::refused`): `ConnectionRefused`, as Linux's ECONNREFUSED.
pub(crate) fn take_refused(s: &mut crate::state::Socket) -> io::Result<()> {
    let Some(peer) = s.refused.take() else {
        return Ok(());
    };
    Err(io::Error::new(
        io::ErrorKind::ConnectionRefused,
        format!(
            "connection refused: a datagram from {} found no socket at {peer} (ICMP port \
             unreachable)",
            s.local
        ),
    ))
}

/// Linux's `EMSGSIZE` for a `len`-byte payload to `dst` (of the socket's
/// family), if it is over that family's limit.
fn too_long(len: usize, dst: SocketAddr) -> io::Result<()> {
    let (max, family) = if dst.is_ipv6() {
        (MAX_DATAGRAM_V6, "IPv6")
    } else {
        (MAX_DATAGRAM, "IPv4")
    };
    if len <= max {
        return Ok(());
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "message too long: a UDP datagram carries at most {max} bytes over {family}, got {len}"
        ),
    ))
}

/// Whether a receive takes the datagram or leaves it queued.
#[derive(Clone, Copy, Debug)]
enum Take {
    Take,
    Peek,
}

fn not_connected() -> io::Error {
    io::Error::new(io::ErrorKind::NotConnected, "the socket is not connected")
}

fn closed(node: u32) -> io::Error {
    io::Error::new(
        io::ErrorKind::ConnectionAborted,
        format!(
            "the socket was closed because its node {} was killed",
            node_name(node)
        ),
    )
}
