//! Counters and the netstat-like snapshot.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;

use crate::rules::DropReason;

/// What one directed link (or the whole network) carried.
///
/// `sent` counts what was handed to the network: UDP datagrams (a copy
/// per node for a broadcast or a group send), TCP segments, and the ICMP
/// port unreachable messages a host sends back for a datagram that found
/// no socket (on the link from that host to the datagram's sender). Each
/// ends `delivered` (into a socket's buffer, to its connection, or, for
/// an ICMP message, to the sender's host, whether or not a connected
/// socket keeps its error) or `dropped`, and `duplicated` counts the
/// extra copies (which are then delivered or dropped themselves).
///
/// ```
/// let s = detsim::net::LinkStats::default();
/// assert_eq!(s.sent + s.duplicated, s.delivered + s.dropped + 0);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LinkStats {
    /// Datagrams, segments and ICMP messages sent.
    pub sent: u64,
    /// Those (and copies) delivered at their destination.
    pub delivered: u64,
    /// Those (and copies) dropped, for any reason.
    pub dropped: u64,
    /// Extra copies made by duplication.
    pub duplicated: u64,
}

impl LinkStats {
    fn add(&mut self, o: &LinkStats) {
        self.sent += o.sent;
        self.delivered += o.delivered;
        self.dropped += o.dropped;
        self.duplicated += o.duplicated;
    }
}

/// Dropped datagrams by reason.
///
/// ```
/// assert_eq!(detsim::net::DropCounts::default().total(), 0);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DropCounts {
    /// Lost to the link's loss rate.
    pub loss: u64,
    /// Cut by a partition.
    pub partition: u64,
    /// Sent to an address no node has.
    pub no_host: u64,
    /// Arrived at a node that was down.
    pub node_down: u64,
    /// Arrived at a port nothing was bound to (or a connected socket's
    /// filter).
    pub no_socket: u64,
    /// Arrived at a socket whose receive buffer was full.
    pub buffer_full: u64,
    /// TCP SYNs that found their listener's accept queue full (a
    /// [`TcpSocket::listen`](crate::TcpSocket::listen) backlog): each is
    /// sent again after the client's retransmission timeout, as Linux
    /// drops them (its `ListenOverflows`).
    pub accept_queue_full: u64,
}

impl DropCounts {
    /// Every drop.
    ///
    /// ```
    /// let mut d = detsim::net::DropCounts::default();
    /// d.loss = 2;
    /// d.partition = 1;
    /// assert_eq!(d.total(), 3);
    /// ```
    pub fn total(&self) -> u64 {
        self.loss
            + self.partition
            + self.no_host
            + self.node_down
            + self.no_socket
            + self.buffer_full
            + self.accept_queue_full
    }

    pub(crate) fn count(&mut self, why: DropReason) {
        *match why {
            DropReason::Loss => &mut self.loss,
            DropReason::Partition => &mut self.partition,
            DropReason::NoHost => &mut self.no_host,
            DropReason::NodeDown => &mut self.node_down,
            DropReason::NoSocket => &mut self.no_socket,
            DropReason::BufferFull => &mut self.buffer_full,
            DropReason::AcceptQueueFull => &mut self.accept_queue_full,
        } += 1;
    }
}

/// TCP counters for the whole network.
///
/// ```
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// let l = detsim::net::TcpListener::bind("0.0.0.0:80").await.unwrap();
/// let _c = detsim::net::TcpStream::connect("127.0.0.1:80").await.unwrap();
/// let tcp = detsim::net::Network::current().stats().tcp;
/// assert_eq!((tcp.connects, tcp.established, tcp.accepted), (1, 1, 1));
/// # drop(l);
/// # }).unwrap();
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TcpStats {
    /// `connect` calls that sent a SYN.
    pub connects: u64,
    /// Connections the connecting side saw open (SYN-ACK arrived).
    pub established: u64,
    /// Connections queued at a listener (SYN arrived).
    pub accepted: u64,
    /// Connects refused (nobody listening).
    pub refused: u64,
    /// Connection ends reset by their peer (an RST arrived: the peer
    /// closed with unread input or after `set_zero_linger`, dropped its
    /// listener with the connection still waiting to be accepted, its
    /// node was killed, or its host forgot the connection, closed more
    /// than `tcp_fin_timeout` ago). The end that
    /// sends the RST is not counted.
    pub resets: u64,
    /// Connection ends failed by the stall timeout.
    pub timeouts: u64,
    /// Segments sent again after the network lost them.
    pub retransmits: u64,
    /// Keepalive probes sent (see
    /// [`TcpStream::set_keepalive`](crate::TcpStream::set_keepalive)).
    pub keepalive_probes: u64,
    /// Zero-window probes sent: a writer's bytes waited behind a shut
    /// window for a retransmission timeout (Linux's persist timer).
    pub window_probes: u64,
}

/// The network's counters at one moment: per directed link (by node
/// name), drops by reason, and datagrams in flight. `Display` prints a
/// table.
///
/// ```
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// let stats = detsim::net::Network::current().stats();
/// assert_eq!(stats.total().sent, 0);
/// assert_eq!(stats.link("main", "db"), detsim::net::LinkStats::default());
/// println!("{stats}");
/// # }).unwrap();
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct NetStats {
    /// Counters per directed link `(from, to)`, by node name.
    pub links: BTreeMap<(String, String), LinkStats>,
    /// Drops by reason.
    pub drops: DropCounts,
    /// Datagrams and segments on the wire, and lost segments waiting to
    /// be retransmitted.
    pub in_flight: u64,
    /// TCP counters.
    pub tcp: TcpStats,
}

impl NetStats {
    /// The counters of the link `from → to` (zero if it carried nothing).
    ///
    /// ```
    /// let s = detsim::net::NetStats::default();
    /// assert_eq!(s.link("a", "b").sent, 0);
    /// ```
    pub fn link(&self, from: &str, to: &str) -> LinkStats {
        self.links
            .get(&(from.to_owned(), to.to_owned()))
            .copied()
            .unwrap_or_default()
    }

    /// The sum over every link.
    ///
    /// ```
    /// assert_eq!(detsim::net::NetStats::default().total().delivered, 0);
    /// ```
    pub fn total(&self) -> LinkStats {
        let mut t = LinkStats::default();
        for s in self.links.values() {
            t.add(s);
        }
        t
    }
}

impl fmt::Display for NetStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<24} {:>9} {:>9} {:>9} {:>9}",
            "link", "sent", "delivered", "dropped", "dup"
        )?;
        let mut row = |name: &str, s: &LinkStats| {
            writeln!(
                f,
                "{:<24} {:>9} {:>9} {:>9} {:>9}",
                name, s.sent, s.delivered, s.dropped, s.duplicated
            )
        };
        for ((from, to), s) in &self.links {
            row(&format!("{from} -> {to}"), s)?;
        }
        row("total", &self.total())?;
        let d = &self.drops;
        write!(
            f,
            "in flight: {}; drops: loss {}, partition {}, no host {}, node down {}, no socket {}, buffer full {}",
            self.in_flight, d.loss, d.partition, d.no_host, d.node_down, d.no_socket, d.buffer_full
        )?;
        if d.accept_queue_full > 0 {
            write!(f, ", accept queue full {}", d.accept_queue_full)?;
        }
        let t = &self.tcp;
        write!(
            f,
            "\ntcp: connects {}, established {}, accepted {}, refused {}, resets {}, timeouts {}, retransmits {}",
            t.connects, t.established, t.accepted, t.refused, t.resets, t.timeouts, t.retransmits
        )?;
        if t.keepalive_probes > 0 {
            write!(f, ", keepalive probes {}", t.keepalive_probes)?;
        }
        if t.window_probes > 0 {
            write!(f, ", window probes {}", t.window_probes)?;
        }
        Ok(())
    }
}

/// One open socket in a [`Netstat`].
///
/// ```
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// let l = detsim::net::TcpListener::bind("0.0.0.0:80").await.unwrap();
/// let row = &detsim::net::Network::current().netstat().sockets[0];
/// assert_eq!((row.proto, row.state, row.node.as_str()), ("tcp", Some("LISTEN"), "main"));
/// assert_eq!((row.local.to_string(), row.peer), ("0.0.0.0:80".to_owned(), None));
/// # drop(l);
/// # }).unwrap();
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SocketRow {
    /// `"udp"` or `"tcp"`.
    pub proto: &'static str,
    /// A TCP state (`LISTEN`, `SYN_SENT`, `ESTABLISHED`, `FIN_WAIT`,
    /// `CLOSE_WAIT`, `CLOSING`, `CLOSED`); `None` for UDP. `CLOSING`: both
    /// ends shut down and this end's FIN is still on the wire; `CLOSED`:
    /// the connection was reset, timed out, or closed by both sides (both
    /// FINs arrived), while a handle is still open.
    pub state: Option<&'static str>,
    /// The node the socket belongs to.
    pub node: String,
    /// The bound address.
    pub local: SocketAddr,
    /// The connected peer, if any.
    pub peer: Option<SocketAddr>,
    /// Datagrams waiting in the receive buffer (UDP), or connections
    /// waiting to be accepted (a TCP listener).
    pub recv_queue: usize,
    /// Bytes waiting in the receive buffer.
    pub recv_bytes: usize,
    /// Bytes written and not yet sent (TCP).
    pub send_bytes: usize,
    /// Whether `SO_BROADCAST` is set
    /// ([`UdpSocket::set_broadcast`](crate::UdpSocket::set_broadcast));
    /// `false` for TCP. The table shows it as `SO_BROADCAST` after the
    /// row's last column.
    pub broadcast: bool,
}

/// A netstat-like snapshot: every open socket (UDP sockets, TCP listeners
/// and connection ends) and the counters.
///
/// ```
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// let sock = detsim::net::UdpSocket::bind("0.0.0.0:53").await.unwrap();
/// let table = detsim::net::Network::current().netstat();
/// assert_eq!(table.sockets.len(), 1);
/// assert!(table.to_string().contains("0.0.0.0:53"));
/// # drop(sock);
/// # }).unwrap();
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Netstat {
    /// Open sockets: UDP sockets, then TCP listeners, then TCP connection
    /// ends, each kind in the order of its table's slots (a closed
    /// socket's slot is reused, so this is not creation order).
    pub sockets: Vec<SocketRow>,
    /// The counters.
    pub stats: NetStats,
}

impl fmt::Display for Netstat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<5} {:<12} {:<22} {:<22} {:<11} {:>7} {:>9} {:>9}",
            "proto", "node", "local", "peer", "state", "recv-q", "bytes", "send-q"
        )?;
        for s in &self.sockets {
            let peer = s.peer.map_or_else(|| "*:*".to_owned(), |p| p.to_string());
            write!(
                f,
                "{:<5} {:<12} {:<22} {:<22} {:<11} {:>7} {:>9} {:>9}",
                s.proto,
                s.node,
                s.local.to_string(),
                peer,
                s.state.unwrap_or("-"),
                s.recv_queue,
                s.recv_bytes,
                s.send_bytes
            )?;
            if s.broadcast {
                write!(f, "  SO_BROADCAST")?;
            }
            writeln!(f)?;
        }
        write!(f, "{}", self.stats)
    }
}
