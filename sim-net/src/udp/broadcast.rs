//! UDP broadcast: the `SO_BROADCAST` option ([`UdpSocket::set_broadcast`])
//! and sends to the limited broadcast address `255.255.255.255`.
//!
//! # What is a broadcast address here
//!
//! Only `255.255.255.255`. The simulated network has no subnet: node
//! addresses count up from `10.0.0.1` with no netmask (node 254 is
//! `10.0.0.255`, node 255 `10.0.1.0`), so a directed broadcast address
//! such as `10.0.0.255` or `10.255.255.255` would be some node's own
//! address, and is one. IPv6 has no broadcast (its multicast is not
//! simulated).
//!
//! # Permission
//!
//! As on Linux, a socket without `SO_BROADCAST` that sends to or connects
//! to the broadcast address gets `PermissionDenied` (`EACCES`), checked at
//! every send (turning the option off again forbids a socket connected to
//! the broadcast address to send).
//!
//! # Delivery
//!
//! A broadcast is one copy per node of the simulation, the sender's node
//! included (a host receives its own broadcasts), sent in the order of
//! the nodes' ids as a datagram from the sender to `255.255.255.255` on
//! the port: each takes its link's latency and meets its link's fault
//! rules (loss, duplication, partitions, clogs: one verdict, drawn from
//! the run's choice source, per copy), is numbered, counted and traced
//! like any datagram, and the copy to the sender's own node arrives at
//! once. Which socket takes a copy is decided when it arrives, as a host
//! decides: the node's open socket bound to `0.0.0.0` on the port (Linux
//! delivers a broadcast to wildcard-bound sockets, not to sockets bound
//! to one address, nor to sockets connected to another peer). A socket
//! bound after the send but before the arrival gets it; a node with no
//! such socket drops it (counted as "no socket", as Linux counts a
//! datagram for a port nobody listens on), and a node that is down drops
//! it as "node down".

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use sim_core::ext;

use super::UdpSocket;
use crate::state::{Net, Socket};

/// Whether `dst` is the broadcast address (see the module docs).
pub(super) fn is_broadcast(dst: SocketAddr) -> bool {
    matches!(dst.ip(), IpAddr::V4(ip) if ip.is_broadcast())
}

impl UdpSocket {
    /// Sets `SO_BROADCAST`: whether this socket may send to (and connect
    /// to) the broadcast address `255.255.255.255`. Off by default; then
    /// such a send fails with `PermissionDenied`, as on Linux.
    ///
    /// With it on, a broadcast sends a copy to every node (the sender's
    /// included), in the order of the nodes' ids. Each copy travels like
    /// any datagram: its link's latency and fault rules (loss,
    /// duplication, partitions, clogs, one verdict per copy), counters and
    /// trace (which shows `255.255.255.255` as the destination). When it
    /// arrives, the node's socket bound to `0.0.0.0` on the destination
    /// port at that moment takes it (sockets bound to one address or
    /// connected to a peer do not, as on Linux); a node with none drops it
    /// ("no socket"). `255.255.255.255` is the only broadcast address: the
    /// simulated network has no subnet (`10.0.0.255` is node 254's own
    /// address).
    ///
    /// # Errors
    ///
    /// `ConnectionAborted` once the socket's node was killed.
    ///
    /// ```
    /// use detsim::net::{Network, UdpSocket};
    /// use detsim::node::Node;
    /// use std::time::Duration;
    ///
    /// let mut sim = detsim::Sim::builder().build();
    /// sim.run(async {
    ///     for name in ["a", "b"] {
    ///         Node::builder(name).init(|| async {
    ///             let sock = UdpSocket::bind("0.0.0.0:9999").await.unwrap();
    ///             let mut buf = [0u8; 16];
    ///             let (n, from) = sock.recv_from(&mut buf).await.unwrap();
    ///             assert_eq!(&buf[..n], b"hello, all");
    ///             assert_eq!(from.to_string(), "10.0.0.1:49152");
    ///         }).build();
    ///     }
    ///     detsim::time::sleep(Duration::from_millis(1)).await; // they bind
    ///     let sock = UdpSocket::bind("0.0.0.0:0").await.unwrap();
    ///     let err = sock.send_to(b"hello, all", "255.255.255.255:9999").await.unwrap_err();
    ///     assert_eq!(err.kind(), std::io::ErrorKind::PermissionDenied);
    ///     assert!(err.to_string().contains("set_broadcast(true)"));
    ///     sock.set_broadcast(true).unwrap();
    ///     sock.send_to(b"hello, all", "255.255.255.255:9999").await.unwrap();
    ///     detsim::time::sleep(Duration::from_millis(5)).await;
    ///     let stats = Network::current().stats();
    ///     assert_eq!(stats.total().delivered, 2); // a copy each
    ///     assert_eq!(stats.drops.no_socket, 1); // main has no socket on the port
    /// }).unwrap();
    /// ```
    pub fn set_broadcast(&self, on: bool) -> io::Result<()> {
        self.with("detsim::net::UdpSocket::set_broadcast", |s| {
            s.broadcast = on;
            Ok(())
        })
    }

    /// Whether `SO_BROADCAST` is set (see
    /// [`set_broadcast`](Self::set_broadcast)).
    ///
    /// # Errors
    ///
    /// `ConnectionAborted` once the socket's node was killed.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let sock = detsim::net::UdpSocket::bind("0.0.0.0:0").await.unwrap();
    /// assert!(!sock.broadcast().unwrap());
    /// sock.set_broadcast(true).unwrap();
    /// assert!(sock.broadcast().unwrap());
    /// # }).unwrap();
    /// ```
    pub fn broadcast(&self) -> io::Result<bool> {
        self.with("detsim::net::UdpSocket::broadcast", |s| Ok(s.broadcast))
    }
}

/// Linux's `EACCES` when socket `s`, without `SO_BROADCAST`, is to `what`
/// (`"send to"`, `"connect to"`) the broadcast address `dst`.
pub(super) fn check_broadcast(s: &Socket, dst: SocketAddr, what: &str) -> io::Result<()> {
    if !is_broadcast(dst) || s.broadcast {
        return Ok(());
    }
    Err(io::Error::new(
        io::ErrorKind::PermissionDenied,
        format!(
            "permission denied: cannot {what} the broadcast address {dst} without \
                 SO_BROADCAST; call set_broadcast(true) on the socket first"
        ),
    ))
}

/// Sends a copy of `buf` from `src` (a socket of node `from`) to
/// `255.255.255.255:port` on every node of the simulation, in node id
/// order; each node decides on arrival which socket, if any, gets it (see
/// the module docs).
pub(super) fn deliver(net: &Net, from: u32, src: SocketAddr, port: u16, buf: &[u8]) {
    let dst = SocketAddr::new(IpAddr::V4(Ipv4Addr::BROADCAST), port);
    // Node ids are dense, from 0.
    for node in (0..).take_while(|&id| ext::node(id).is_some()) {
        net.send_broadcast_copy(from, node, src, dst, buf);
    }
}
