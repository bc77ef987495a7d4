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
//! A broadcast is one copy per node that, at the moment of the send, has
//! an open socket bound to `0.0.0.0` on the destination port (Linux
//! delivers a broadcast to wildcard-bound sockets, not to sockets bound
//! to one address or connected to a peer), the sender's node included (a
//! host receives its own broadcasts). The copies are sent in the order of
//! the nodes' ids, each as a datagram from the sender to that node's
//! address: each takes its link's latency and meets its link's fault
//! rules (loss, duplication, partitions, clogs: one verdict, drawn from
//! the run's choice source, per copy), is numbered, counted and traced
//! like any datagram (the trace shows the node's address as its
//! destination), and the copy to the sender's own node arrives at once. A
//! node with no such socket gets no copy and counts no drop; a socket
//! bound after the send does not get it.

use std::collections::BTreeSet;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::Ordering;

use super::UdpSocket;
use crate::addr::node_ip;
use crate::state::Net;

/// Whether `dst` is the broadcast address (see the module docs).
pub(super) fn is_broadcast(dst: SocketAddr) -> bool {
    matches!(dst.ip(), IpAddr::V4(ip) if ip.is_broadcast())
}

impl UdpSocket {
    /// Sets `SO_BROADCAST`: whether this socket may send to (and connect
    /// to) the broadcast address `255.255.255.255`. Off by default; then
    /// such a send fails with `PermissionDenied`, as on Linux.
    ///
    /// With it on, a broadcast sends a copy to every node that has a
    /// socket bound to `0.0.0.0` on the destination port when the send
    /// happens (the sender's node included, sockets bound to one address
    /// or connected to a peer excluded, as on Linux), in the order of the
    /// nodes' ids. Each copy travels from the sender to that node's
    /// address like any datagram: its link's latency and fault rules
    /// (loss, duplication, partitions, clogs, one verdict per copy),
    /// counters and trace (which shows the node's address as the
    /// destination). `255.255.255.255` is the only broadcast address: the
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
    ///     assert_eq!(Network::current().stats().total().delivered, 2); // a copy each
    /// }).unwrap();
    /// ```
    pub fn set_broadcast(&self, on: bool) -> io::Result<()> {
        self.with("detsim::net::UdpSocket::set_broadcast", |_| Ok(()))?;
        self.broadcast.store(on, Ordering::Relaxed);
        Ok(())
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
        self.with("detsim::net::UdpSocket::broadcast", |_| Ok(()))?;
        Ok(self.broadcast.load(Ordering::Relaxed))
    }

    /// Linux's `EACCES` when this socket, without `SO_BROADCAST`, is to
    /// `what` (`"send to"`, `"connect to"`) the broadcast address `dst`.
    pub(super) fn check_broadcast(&self, dst: SocketAddr, what: &str) -> io::Result<()> {
        if !is_broadcast(dst) || self.broadcast.load(Ordering::Relaxed) {
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
}

/// Sends a copy of `buf` from `src` (a socket of node `from`) to each node
/// with an open socket bound to `0.0.0.0:port`, in node id order (see the
/// module docs).
pub(super) fn deliver(net: &Net, from: u32, src: SocketAddr, port: u16, buf: &[u8]) {
    let nodes: BTreeSet<u32> = net
        .inner
        .borrow()
        .sockets()
        .filter(|s| {
            !s.closed
                && s.local.port() == port
                && s.local.ip() == IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED)
        })
        .map(|s| s.node)
        .collect();
    for node in nodes {
        net.send(
            from,
            src,
            SocketAddr::new(IpAddr::V4(node_ip(node)), port),
            buf,
        );
    }
}
