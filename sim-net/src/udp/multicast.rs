//! IPv4 multicast: group membership (`join_multicast_v4`,
//! `leave_multicast_v4`), the `IP_MULTICAST_LOOP` and `IP_MULTICAST_TTL`
//! options, and sends to a group address (`224.0.0.0/4`).
//!
//! # The model
//!
//! The simulated network is one flat segment behind a switch that knows
//! which nodes joined which groups (IGMP snooping). A send to a group
//! sends one copy to each node with a member socket at that moment, in
//! the order of the nodes' ids: each copy takes its link's latency and
//! meets its link's fault rules (one verdict per copy, from the run's
//! choice source), and is numbered, counted and traced as a datagram to
//! the group address. The sender's own node gets a copy only with
//! `IP_MULTICAST_LOOP` on (the default, as on Linux); it arrives at once.
//! With `IP_MULTICAST_TTL` 0 the datagram stays on the sender's node; any
//! larger TTL (1 is the default) reaches every node, as there are no
//! routers to cross.
//!
//! On arrival, the node's socket bound to the group address on the
//! destination port, or else its socket bound to `0.0.0.0` there, takes
//! the copy if the node is still a member of the group: as with Linux's
//! default `IP_MULTICAST_ALL`, membership is the node's (any of its
//! sockets joined), not the receiving socket's. A socket bound to the
//! node's own address, or connected to another peer, takes none. A socket
//! bound to a group address takes only that group's datagrams; what it
//! sends comes from the node's address and its port, as on Linux (whose
//! bind keeps a group as the receive address only). A copy that
//! finds no such socket is dropped as "no socket" (Linux counts it as an
//! ignored multicast); no host answers a group with an ICMP error.
//!
//! Membership ends when the socket leaves the group, is dropped, or its
//! node is killed (a restarted node joins again, as a rebooted host must).
//!
//! IPv6 multicast is not simulated: `join_multicast_v6` and
//! `leave_multicast_v6` return `Unsupported`.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use sim_core::ext;

use super::UdpSocket;
use crate::addr::node_ip;
use crate::state::{Inner, Net, Socket};

/// Groups one socket may join (Linux's `igmp_max_memberships` default).
const MAX_MEMBERSHIPS: usize = 20;

/// A socket's multicast state.
#[derive(Clone, Debug)]
pub(crate) struct Multicast {
    /// The IPv4 groups it joined, in the order joined.
    groups: Vec<Ipv4Addr>,
    /// `IP_MULTICAST_LOOP` (`IPV6_MULTICAST_LOOP` on an IPv6 socket).
    pub(crate) loop_back: bool,
    /// `IP_MULTICAST_TTL`.
    pub(crate) ttl: u8,
}

impl Default for Multicast {
    fn default() -> Multicast {
        Multicast {
            groups: Vec::new(),
            loop_back: true,
            ttl: 1,
        }
    }
}

/// Whether `dst` is an IPv4 group address.
pub(super) fn is_multicast(dst: SocketAddr) -> bool {
    matches!(dst.ip(), IpAddr::V4(ip) if ip.is_multicast())
}

impl Inner {
    /// Whether node `node` has an open socket that joined `group`.
    pub(crate) fn joined(&self, node: u32, group: IpAddr) -> bool {
        let IpAddr::V4(group) = group else {
            return false;
        };
        self.sockets()
            .any(|s| s.node == node && !s.closed && s.multicast.groups.contains(&group))
    }
}

/// Sends a copy of `buf` from `src` (a socket of node `from`, whose
/// `IP_MULTICAST_LOOP` and `IP_MULTICAST_TTL` are `loop_back` and `ttl`)
/// to group `dst` on every member node (see the module docs).
pub(super) fn deliver(
    net: &Net,
    (from, src): (u32, SocketAddr),
    dst: SocketAddr,
    (loop_back, ttl): (bool, u8),
    buf: &[u8],
) {
    // Node ids are dense, from 0. Membership is read before each copy is
    // sent: a copy arriving at once (the sender's own node) wakes tasks,
    // but runs none.
    for node in (0..).take_while(|&id| ext::node(id).is_some()) {
        let wanted = if node == from { loop_back } else { ttl > 0 };
        if wanted && net.inner.borrow().joined(node, dst.ip()) {
            net.send_broadcast_copy(from, node, src, dst, buf);
        }
    }
}

/// The source to send from for a socket bound to `local`: for a group
/// address, the unspecified address on its port, which the fabric turns
/// into the node's address (Linux's `inet_bind` keeps a group as the
/// receive address only: "inet_saddr = 0; /* Use device */").
pub(super) fn source(local: SocketAddr) -> SocketAddr {
    if matches!(local.ip(), IpAddr::V4(ip) if ip.is_multicast()) {
        return SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), local.port());
    }
    local
}

/// The error of a group address that is not one.
fn not_a_group(group: Ipv4Addr) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("invalid argument: {group} is not a multicast group address (224.0.0.0/4)"),
    )
}

/// Checks the interface of a join or leave: the unspecified address
/// (the default interface) or `node`'s own address.
fn check_interface(node: u32, interface: Ipv4Addr) -> io::Result<()> {
    if interface.is_unspecified() || interface == node_ip(node) {
        return Ok(());
    }
    Err(io::Error::new(
        io::ErrorKind::AddrNotAvailable,
        format!(
            "no such device: node {} has no interface with address {interface} (Linux's \
             ENODEV); give 0.0.0.0 or the node's address {}",
            crate::state::node_name(node),
            node_ip(node)
        ),
    ))
}

/// The error of an IPv4 multicast option on an IPv6 socket.
fn ipv4_only(s: &Socket, what: &str) -> io::Result<()> {
    if s.local.is_ipv4() {
        return Ok(());
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "invalid argument: {what} is an IPv4 option and {} is an IPv6 socket",
            s.local
        ),
    ))
}

/// The error of an IPv6 multicast option on an IPv4 socket.
fn ipv6_only(s: &Socket, what: &str) -> io::Result<()> {
    if s.local.is_ipv6() {
        return Ok(());
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "invalid argument: {what} is an IPv6 option and {} is an IPv4 socket",
            s.local
        ),
    ))
}

impl UdpSocket {
    /// Joins IPv4 multicast group `multiaddr` on `interface`
    /// (`0.0.0.0` for the default one, or the node's own address): tokio's
    /// `join_multicast_v4`. From then on, the node receives what is sent
    /// to the group, on its socket bound to `0.0.0.0` on the destination
    /// port (see [Multicast](Self#multicast)). The membership ends with
    /// [`leave_multicast_v4`](Self::leave_multicast_v4), the socket's drop
    /// or its node's kill.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for an address outside `224.0.0.0/4` (Linux's
    /// `EINVAL`) or an IPv6 socket; `AddrNotAvailable` for an interface
    /// address the node does not have (Linux's `ENODEV`); `AddrInUse` if
    /// this socket joined the group already (Linux's `EADDRINUSE`);
    /// `Other` for a socket that is a member of 20 groups already
    /// (Linux's `ENOBUFS`: `igmp_max_memberships`, whose default is 20);
    /// `ConnectionAborted` once the socket's node was killed.
    ///
    /// ```
    /// use std::net::Ipv4Addr;
    /// use detsim::net::UdpSocket;
    /// use detsim::node::Node;
    ///
    /// let group = Ipv4Addr::new(239, 1, 2, 3);
    /// let mut sim = detsim::Sim::builder().build();
    /// sim.run(async move {
    ///     for name in ["a", "b"] {
    ///         Node::builder(name).init(move || async move {
    ///             let sock = UdpSocket::bind("0.0.0.0:5000").await.unwrap();
    ///             sock.join_multicast_v4(group, Ipv4Addr::UNSPECIFIED).unwrap();
    ///             let mut buf = [0u8; 16];
    ///             let (n, from) = sock.recv_from(&mut buf).await.unwrap();
    ///             assert_eq!(&buf[..n], b"to the group");
    ///             assert_eq!(from.to_string(), "10.0.0.1:49152");
    ///         }).build();
    ///     }
    ///     detsim::time::sleep(std::time::Duration::from_millis(1)).await; // they join
    ///     let sock = UdpSocket::bind("0.0.0.0:0").await.unwrap();
    ///     sock.send_to(b"to the group", (group, 5000)).await.unwrap();
    ///     detsim::time::sleep(std::time::Duration::from_millis(5)).await;
    ///     assert_eq!(detsim::net::Network::current().stats().total().delivered, 2);
    /// }).unwrap();
    /// ```
    pub fn join_multicast_v4(&self, multiaddr: Ipv4Addr, interface: Ipv4Addr) -> io::Result<()> {
        self.with("detsim::net::UdpSocket::join_multicast_v4", |s| {
            ipv4_only(s, "join_multicast_v4")?;
            if !multiaddr.is_multicast() {
                return Err(not_a_group(multiaddr));
            }
            check_interface(s.node, interface)?;
            if s.multicast.groups.contains(&multiaddr) {
                return Err(io::Error::new(
                    io::ErrorKind::AddrInUse,
                    format!(
                        "address in use: {} joined group {multiaddr} already",
                        s.local
                    ),
                ));
            }
            if s.multicast.groups.len() >= MAX_MEMBERSHIPS {
                return Err(io::Error::other(format!(
                    "no buffer space available: {} is a member of {MAX_MEMBERSHIPS} groups \
                     already (Linux's ENOBUFS, igmp_max_memberships); leave one first",
                    s.local
                )));
            }
            s.multicast.groups.push(multiaddr);
            Ok(())
        })
    }

    /// Leaves IPv4 multicast group `multiaddr` (joined on `interface`):
    /// tokio's `leave_multicast_v4`. A copy already on its way when the
    /// node stops being a member is dropped on arrival.
    ///
    /// # Errors
    ///
    /// `AddrNotAvailable` if this socket is not a member (Linux's
    /// `EADDRNOTAVAIL`) or for an interface address the node does not
    /// have; `InvalidInput` for an address outside `224.0.0.0/4` or an
    /// IPv6 socket; `ConnectionAborted` once the socket's node was killed.
    ///
    /// ```
    /// use std::net::Ipv4Addr;
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let sock = detsim::net::UdpSocket::bind("0.0.0.0:5000").await.unwrap();
    /// let group = Ipv4Addr::new(239, 0, 0, 1);
    /// sock.join_multicast_v4(group, Ipv4Addr::UNSPECIFIED).unwrap();
    /// sock.leave_multicast_v4(group, Ipv4Addr::UNSPECIFIED).unwrap();
    /// let err = sock.leave_multicast_v4(group, Ipv4Addr::UNSPECIFIED).unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::AddrNotAvailable);
    /// # }).unwrap();
    /// ```
    pub fn leave_multicast_v4(&self, multiaddr: Ipv4Addr, interface: Ipv4Addr) -> io::Result<()> {
        self.with("detsim::net::UdpSocket::leave_multicast_v4", |s| {
            ipv4_only(s, "leave_multicast_v4")?;
            if !multiaddr.is_multicast() {
                return Err(not_a_group(multiaddr));
            }
            check_interface(s.node, interface)?;
            let Some(i) = s.multicast.groups.iter().position(|&g| g == multiaddr) else {
                return Err(io::Error::new(
                    io::ErrorKind::AddrNotAvailable,
                    format!(
                        "address not available: {} is not a member of group {multiaddr}",
                        s.local
                    ),
                ));
            };
            s.multicast.groups.remove(i);
            Ok(())
        })
    }

    /// IPv6 multicast is not simulated: always `Unsupported` (tokio's
    /// `join_multicast_v6`). Use an IPv4 group.
    ///
    /// # Errors
    ///
    /// `Unsupported`, naming the IPv4 alternative.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let sock = detsim::net::UdpSocket::bind("[::]:5000").await.unwrap();
    /// let err = sock.join_multicast_v6(&"ff02::fb".parse().unwrap(), 0).unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::Unsupported);
    /// # }).unwrap();
    /// ```
    pub fn join_multicast_v6(&self, multiaddr: &Ipv6Addr, interface: u32) -> io::Result<()> {
        Err(no_v6_multicast("join", multiaddr, interface))
    }

    /// IPv6 multicast is not simulated: always `Unsupported` (tokio's
    /// `leave_multicast_v6`).
    ///
    /// # Errors
    ///
    /// `Unsupported`.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let sock = detsim::net::UdpSocket::bind("[::]:5000").await.unwrap();
    /// assert!(sock.leave_multicast_v6(&"ff02::fb".parse().unwrap(), 0).is_err());
    /// # }).unwrap();
    /// ```
    pub fn leave_multicast_v6(&self, multiaddr: &Ipv6Addr, interface: u32) -> io::Result<()> {
        Err(no_v6_multicast("leave", multiaddr, interface))
    }

    /// Sets `IP_MULTICAST_LOOP`: whether this socket's sends to a group
    /// also reach its own node's members (on by default, as on Linux).
    ///
    /// # Errors
    ///
    /// `InvalidInput` on an IPv6 socket (use
    /// [`set_multicast_loop_v6`](Self::set_multicast_loop_v6));
    /// `ConnectionAborted` once the socket's node was killed.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let sock = detsim::net::UdpSocket::bind("0.0.0.0:0").await.unwrap();
    /// assert!(sock.multicast_loop_v4().unwrap());
    /// sock.set_multicast_loop_v4(false).unwrap();
    /// assert!(!sock.multicast_loop_v4().unwrap());
    /// # }).unwrap();
    /// ```
    pub fn set_multicast_loop_v4(&self, on: bool) -> io::Result<()> {
        self.with("detsim::net::UdpSocket::set_multicast_loop_v4", |s| {
            ipv4_only(s, "set_multicast_loop_v4")?;
            s.multicast.loop_back = on;
            Ok(())
        })
    }

    /// `IP_MULTICAST_LOOP`; see
    /// [`set_multicast_loop_v4`](Self::set_multicast_loop_v4).
    ///
    /// # Errors
    ///
    /// `InvalidInput` on an IPv6 socket; `ConnectionAborted` once the
    /// socket's node was killed.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let sock = detsim::net::UdpSocket::bind("0.0.0.0:0").await.unwrap();
    /// assert!(sock.multicast_loop_v4().unwrap());
    /// # }).unwrap();
    /// ```
    pub fn multicast_loop_v4(&self) -> io::Result<bool> {
        self.with("detsim::net::UdpSocket::multicast_loop_v4", |s| {
            ipv4_only(s, "multicast_loop_v4")?;
            Ok(s.multicast.loop_back)
        })
    }

    /// Sets `IP_MULTICAST_TTL`: 0 keeps this socket's group sends on its
    /// own node; 1 (the default, as on Linux) and above reach every
    /// member node (the simulated network has no routers to cross).
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a value above 255 or on an IPv6 socket;
    /// `ConnectionAborted` once the socket's node was killed.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let sock = detsim::net::UdpSocket::bind("0.0.0.0:0").await.unwrap();
    /// assert_eq!(sock.multicast_ttl_v4().unwrap(), 1);
    /// sock.set_multicast_ttl_v4(0).unwrap();
    /// assert_eq!(sock.multicast_ttl_v4().unwrap(), 0);
    /// assert!(sock.set_multicast_ttl_v4(256).is_err());
    /// # }).unwrap();
    /// ```
    pub fn set_multicast_ttl_v4(&self, ttl: u32) -> io::Result<()> {
        let ttl = u8::try_from(ttl).map_err(|_| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("invalid TTL {ttl}: IP_MULTICAST_TTL must be 0 to 255"),
            )
        })?;
        self.with("detsim::net::UdpSocket::set_multicast_ttl_v4", |s| {
            ipv4_only(s, "set_multicast_ttl_v4")?;
            s.multicast.ttl = ttl;
            Ok(())
        })
    }

    /// `IP_MULTICAST_TTL`; see
    /// [`set_multicast_ttl_v4`](Self::set_multicast_ttl_v4).
    ///
    /// # Errors
    ///
    /// `InvalidInput` on an IPv6 socket; `ConnectionAborted` once the
    /// socket's node was killed.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let sock = detsim::net::UdpSocket::bind("0.0.0.0:0").await.unwrap();
    /// assert_eq!(sock.multicast_ttl_v4().unwrap(), 1);
    /// # }).unwrap();
    /// ```
    pub fn multicast_ttl_v4(&self) -> io::Result<u32> {
        self.with("detsim::net::UdpSocket::multicast_ttl_v4", |s| {
            ipv4_only(s, "multicast_ttl_v4")?;
            Ok(u32::from(s.multicast.ttl))
        })
    }

    /// Sets `IPV6_MULTICAST_LOOP`, kept and read back (IPv6 multicast is
    /// not simulated).
    ///
    /// # Errors
    ///
    /// `InvalidInput` on an IPv4 socket; `ConnectionAborted` once the
    /// socket's node was killed.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let sock = detsim::net::UdpSocket::bind("[::]:0").await.unwrap();
    /// sock.set_multicast_loop_v6(false).unwrap();
    /// assert!(!sock.multicast_loop_v6().unwrap());
    /// # }).unwrap();
    /// ```
    pub fn set_multicast_loop_v6(&self, on: bool) -> io::Result<()> {
        self.with("detsim::net::UdpSocket::set_multicast_loop_v6", |s| {
            ipv6_only(s, "set_multicast_loop_v6")?;
            s.multicast.loop_back = on;
            Ok(())
        })
    }

    /// `IPV6_MULTICAST_LOOP` (on by default); see
    /// [`set_multicast_loop_v6`](Self::set_multicast_loop_v6).
    ///
    /// # Errors
    ///
    /// `InvalidInput` on an IPv4 socket; `ConnectionAborted` once the
    /// socket's node was killed.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let sock = detsim::net::UdpSocket::bind("[::]:0").await.unwrap();
    /// assert!(sock.multicast_loop_v6().unwrap());
    /// # }).unwrap();
    /// ```
    pub fn multicast_loop_v6(&self) -> io::Result<bool> {
        self.with("detsim::net::UdpSocket::multicast_loop_v6", |s| {
            ipv6_only(s, "multicast_loop_v6")?;
            Ok(s.multicast.loop_back)
        })
    }
}

/// The `Unsupported` of an IPv6 group operation.
fn no_v6_multicast(what: &str, group: &Ipv6Addr, interface: u32) -> io::Error {
    io::Error::new(
        io::ErrorKind::Unsupported,
        format!(
            "cannot {what} IPv6 group {group} (interface {interface}): IPv6 multicast is not \
             simulated; use an IPv4 group (join_multicast_v4) on an IPv4 socket"
        ),
    )
}
