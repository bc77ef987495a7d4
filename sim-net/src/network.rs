//! `Network`: the handle that configures faults and reads counters.

use std::net::IpAddr;
use std::time::Duration;

use sim_clock::Instant;
use sim_core::ext;
use sim_core::node::Node;

use crate::addr::checked_id;
use crate::config::{LinkConfig, NetConfigError};
use crate::state::Net;
use crate::stats::{NetStats, Netstat, SocketRow};

/// The running simulation's network: fault configuration (changeable at
/// any moment of the run, from any task) and counters.
///
/// Plain data (`Copy`, `Send`); every method acts on the simulation that
/// made it and panics outside it, or when given a [`Node`] of another
/// simulation (a handle kept from an earlier run). Changes apply to datagrams sent from then
/// on (a partition or loss rate does not reach datagrams already on the
/// wire; a clog does, holding them until it ends).
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use detsim::node::Node;
/// use detsim::net::{Latency, LinkConfig, Network};
///
/// let mut sim = detsim::Sim::builder().build();
/// sim.run(async {
///     let net = Network::current();
///     net.set_default(
///         LinkConfig::new()
///             .latency(Latency::uniform(Duration::from_millis(1), Duration::from_millis(9)))
///             .loss(0.01),
///     ).unwrap();
///     let (a, b) = (Node::builder("a").build(), Node::builder("b").build());
///     net.partition(&a, &b);
///     assert!(net.is_partitioned(&a, &b));
///     net.heal(&a, &b);
///     net.clog_node(&b, Duration::from_secs(1));
///     println!("{}", net.netstat());
/// }).unwrap();
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Network {
    instance: u64,
}

impl std::fmt::Debug for Network {
    /// `Network { .. }`: the handle's simulation instance is process-wide
    /// and would make debug output depend on which tests ran before (see
    /// [`netstat`](Network::netstat) for the state).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Network").finish_non_exhaustive()
    }
}

/// A fault applied through the handle (partition, heal, clog): in the
/// fingerprint and, rendered by `events.rs`, in the trace.
static FAULT: ext::EventKind = ext::EventKind {
    code: 0x4e30,
    name: "net fault (op | from << 8 | to << 36, clog duration ns)",
};

/// The fault codes `events.rs` renders.
#[derive(Clone, Copy)]
pub(crate) enum FaultOp {
    Partition = 1,
    PartitionOneway = 2,
    Heal = 3,
    HealAll = 4,
    ClogNode = 5,
    UnclogNode = 6,
    ClogLink = 7,
    UnclogLink = 8,
}

fn fault_event(op: FaultOp, from: u32, to: u32, duration: Duration) {
    let a = op as u64 | (u64::from(from) << 8) | (u64::from(to) << 36);
    let b = u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX);
    ext::event(&FAULT, a, b);
}

/// The ids of `nodes`, checked to be nodes of the running simulation
/// (see [`checked_id`]).
#[track_caller]
fn ids<const N: usize>(api: &str, nodes: [&Node; N]) -> [u32; N] {
    nodes.map(|n| checked_id(n, api))
}

impl Network {
    /// The network of the running simulation.
    ///
    /// # Panics
    ///
    /// Outside a simulation.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let net = detsim::net::Network::current();
    /// # let _ = net;
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn current() -> Network {
        Network {
            instance: ext::instance("detsim::net::Network::current"),
        }
    }

    #[track_caller]
    pub(crate) fn net(&self, api: &str) -> std::rc::Rc<Net> {
        Net::of(self.instance, api)
    }

    /// Sets the behaviour of every link without its own configuration.
    ///
    /// # Errors
    ///
    /// A [`NetConfigError`] for a rate outside `[0, 1]` or an inverted
    /// latency range; nothing changes then.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let net = detsim::net::Network::current();
    /// assert!(net.set_default(detsim::net::LinkConfig::new().loss(2.0)).is_err());
    /// net.set_default(detsim::net::LinkConfig::new().duplicate(0.1)).unwrap();
    /// assert_eq!(net.default_config().duplicate_rate(), 0.1);
    /// # }).unwrap();
    /// ```
    pub fn set_default(&self, config: LinkConfig) -> Result<(), NetConfigError> {
        config.validate()?;
        self.net("detsim::net::Network::set_default")
            .inner
            .borrow_mut()
            .rules
            .set_default(config);
        Ok(())
    }

    /// The default link behaviour.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let c = detsim::net::Network::current().default_config();
    /// assert_eq!(c, detsim::net::LinkConfig::new());
    /// # }).unwrap();
    /// ```
    pub fn default_config(&self) -> LinkConfig {
        let net = self.net("detsim::net::Network::default_config");
        net.inner.borrow().rules.default_config().clone()
    }

    /// Sets the behaviour of the link between `a` and `b` (both
    /// directions), overriding the default.
    ///
    /// # Errors
    ///
    /// As [`set_default`](Self::set_default).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// use detsim::node::Node;
    /// let (a, b) = (Node::builder("a").build(), Node::builder("b").build());
    /// let net = detsim::net::Network::current();
    /// net.set_link(&a, &b, detsim::net::LinkConfig::new().loss(0.5)).unwrap();
    /// assert_eq!(net.link_config(&b, &a).loss_rate(), 0.5);
    /// net.reset_link(&a, &b);
    /// assert_eq!(net.link_config(&a, &b).loss_rate(), 0.0);
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn set_link(&self, a: &Node, b: &Node, config: LinkConfig) -> Result<(), NetConfigError> {
        let [a, b] = ids("detsim::net::Network::set_link", [a, b]);
        config.validate()?;
        let net = self.net("detsim::net::Network::set_link");
        net.inner.borrow_mut().rules.set_link(a, b, Some(config));
        Ok(())
    }

    /// Removes the link's own configuration (back to the default).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// # let a = detsim::node::Node::current();
    /// detsim::net::Network::current().reset_link(&a, &a);
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn reset_link(&self, a: &Node, b: &Node) {
        let [a, b] = ids("detsim::net::Network::reset_link", [a, b]);
        let net = self.net("detsim::net::Network::reset_link");
        net.inner.borrow_mut().rules.set_link(a, b, None);
    }

    /// The behaviour of the link `from → to`.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// # let a = detsim::node::Node::current();
    /// let c = detsim::net::Network::current().link_config(&a, &a);
    /// assert_eq!(c.loss_rate(), 0.0);
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn link_config(&self, from: &Node, to: &Node) -> LinkConfig {
        let [from, to] = ids("detsim::net::Network::link_config", [from, to]);
        let net = self.net("detsim::net::Network::link_config");
        net.inner.borrow().rules.link(from, to).clone()
    }

    /// Cuts both directions between `a` and `b`: datagrams sent either way
    /// are dropped until [`heal`](Self::heal).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// # use detsim::node::Node;
    /// let (a, b) = (Node::builder("a").build(), Node::builder("b").build());
    /// let net = detsim::net::Network::current();
    /// net.partition(&a, &b);
    /// assert!(net.is_partitioned(&a, &b) && net.is_partitioned(&b, &a));
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn partition(&self, a: &Node, b: &Node) {
        let [a, b] = ids("detsim::net::Network::partition", [a, b]);
        let net = self.net("detsim::net::Network::partition");
        let mut inner = net.inner.borrow_mut();
        inner.rules.cut(a, b);
        inner.rules.cut(b, a);
        fault_event(FaultOp::Partition, a, b, Duration::ZERO);
    }

    /// Cuts `from → to` only: `to` still reaches `from`.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// # use detsim::node::Node;
    /// let (a, b) = (Node::builder("a").build(), Node::builder("b").build());
    /// let net = detsim::net::Network::current();
    /// net.partition_oneway(&a, &b);
    /// assert!(net.is_partitioned(&a, &b) && !net.is_partitioned(&b, &a));
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn partition_oneway(&self, from: &Node, to: &Node) {
        let [from, to] = ids("detsim::net::Network::partition_oneway", [from, to]);
        let net = self.net("detsim::net::Network::partition_oneway");
        net.inner.borrow_mut().rules.cut(from, to);
        fault_event(FaultOp::PartitionOneway, from, to, Duration::ZERO);
    }

    /// Repairs both directions between `a` and `b`.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// # use detsim::node::Node;
    /// # let (a, b) = (Node::builder("a").build(), Node::builder("b").build());
    /// let net = detsim::net::Network::current();
    /// net.partition_oneway(&b, &a);
    /// net.heal(&a, &b);
    /// assert!(!net.is_partitioned(&b, &a));
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn heal(&self, a: &Node, b: &Node) {
        let [a, b] = ids("detsim::net::Network::heal", [a, b]);
        let net = self.net("detsim::net::Network::heal");
        net.inner.borrow_mut().rules.heal(a, b);
        fault_event(FaultOp::Heal, a, b, Duration::ZERO);
    }

    /// Repairs every partition.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// # use detsim::node::Node;
    /// # let (a, b) = (Node::builder("a").build(), Node::builder("b").build());
    /// let net = detsim::net::Network::current();
    /// net.partition(&a, &b);
    /// net.heal_all();
    /// assert!(!net.is_partitioned(&a, &b));
    /// # }).unwrap();
    /// ```
    pub fn heal_all(&self) {
        let net = self.net("detsim::net::Network::heal_all");
        net.inner.borrow_mut().rules.heal_all();
        fault_event(FaultOp::HealAll, 0, 0, Duration::ZERO);
    }

    /// Whether `from → to` is cut.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// # let a = detsim::node::Node::current();
    /// assert!(!detsim::net::Network::current().is_partitioned(&a, &a));
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn is_partitioned(&self, from: &Node, to: &Node) -> bool {
        let [from, to] = ids("detsim::net::Network::is_partitioned", [from, to]);
        let net = self.net("detsim::net::Network::is_partitioned");
        net.inner.borrow().rules.is_cut(from, to)
    }

    /// Clogs everything in and out of `node` for `duration` of virtual
    /// time: datagrams are held (not lost) and arrive when the clog ends
    /// (FoundationDB's clogging). A longer existing clog is kept. A
    /// duration that reaches past the end of time (`Duration::MAX`) clogs
    /// until [`unclog_node`](Self::unclog_node): what it holds arms no
    /// timer, so a run in which only such datagrams are awaited is a
    /// deadlock, reported at once, rather than a jump of the clock.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// # let n = detsim::node::Node::builder("n").build();
    /// detsim::net::Network::current().clog_node(&n, std::time::Duration::from_millis(50));
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn clog_node(&self, node: &Node, duration: Duration) {
        let [node] = ids("detsim::net::Network::clog_node", [node]);
        let until = Instant::now().saturating_add(duration).as_nanos(); // determinism: ok (virtual clock)
        let net = self.net("detsim::net::Network::clog_node");
        net.inner.borrow_mut().rules.clog_node(node, until);
        fault_event(FaultOp::ClogNode, node, 0, duration);
    }

    /// Ends a node's clog now: held datagrams go out (those whose latency
    /// has passed arrive at once, in send order).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// # let n = detsim::node::Node::builder("n").build();
    /// let net = detsim::net::Network::current();
    /// net.clog_node(&n, std::time::Duration::from_secs(1));
    /// net.unclog_node(&n);
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn unclog_node(&self, node: &Node) {
        let [node] = ids("detsim::net::Network::unclog_node", [node]);
        let net = self.net("detsim::net::Network::unclog_node");
        net.inner.borrow_mut().rules.unclog_node(node);
        net.unclogged();
        fault_event(FaultOp::UnclogNode, node, 0, Duration::ZERO);
    }

    /// Clogs the link `from → to` for `duration`.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// # use detsim::node::Node;
    /// # let (a, b) = (Node::builder("a").build(), Node::builder("b").build());
    /// detsim::net::Network::current().clog_link(&a, &b, std::time::Duration::from_millis(5));
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn clog_link(&self, from: &Node, to: &Node, duration: Duration) {
        let [from, to] = ids("detsim::net::Network::clog_link", [from, to]);
        let until = Instant::now().saturating_add(duration).as_nanos(); // determinism: ok (virtual clock)
        let net = self.net("detsim::net::Network::clog_link");
        net.inner.borrow_mut().rules.clog_link(from, to, until);
        fault_event(FaultOp::ClogLink, from, to, duration);
    }

    /// Ends the clog of the link `from → to`.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// # use detsim::node::Node;
    /// # let (a, b) = (Node::builder("a").build(), Node::builder("b").build());
    /// detsim::net::Network::current().unclog_link(&a, &b);
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn unclog_link(&self, from: &Node, to: &Node) {
        let [from, to] = ids("detsim::net::Network::unclog_link", [from, to]);
        let net = self.net("detsim::net::Network::unclog_link");
        net.inner.borrow_mut().rules.unclog_link(from, to);
        net.unclogged();
        fault_event(FaultOp::UnclogLink, from, to, Duration::ZERO);
    }

    /// Sets the TCP stall timeout: a segment that cannot be delivered for
    /// `timeout` since it was first sent (a partition, a node that is
    /// down) fails its sender's end with `TimedOut` (a `connect` too),
    /// alone and silently, as the retry limit does (see
    /// [`set_tcp_retries`](Self::set_tcp_retries)): the peer stays open
    /// until its next segment draws an RST. `None` (the default): no such timeout; the
    /// retransmission limits ([`set_tcp_retries`](Self::set_tcp_retries),
    /// [`set_tcp_syn_retries`](Self::set_tcp_syn_retries)) still end a
    /// stall. Whichever comes first applies. Applies to segments waiting
    /// from then on. On a connection with keepalive on, it also replaces
    /// the probe count, as Linux's `TCP_USER_TIMEOUT` does: the end fails
    /// once a probe is out and nothing arrived from the peer for
    /// `timeout` (see [`TcpStream::set_keepalive`](crate::TcpStream::set_keepalive)).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// use std::time::Duration;
    /// let net = detsim::net::Network::current();
    /// assert_eq!(net.tcp_timeout(), None);
    /// net.set_tcp_timeout(Some(Duration::from_secs(5)));
    /// assert_eq!(net.tcp_timeout(), Some(Duration::from_secs(5)));
    /// # }).unwrap();
    /// ```
    pub fn set_tcp_timeout(&self, timeout: Option<Duration>) {
        let net = self.net("detsim::net::Network::set_tcp_timeout");
        net.inner.borrow_mut().tcp.timeout =
            timeout.map(|d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
    }

    /// The TCP stall timeout (see [`set_tcp_timeout`](Self::set_tcp_timeout)).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// assert_eq!(detsim::net::Network::current().tcp_timeout(), None);
    /// # }).unwrap();
    /// ```
    pub fn tcp_timeout(&self) -> Option<Duration> {
        let net = self.net("detsim::net::Network::tcp_timeout");
        let t = net.inner.borrow().tcp.timeout;
        t.map(Duration::from_nanos)
    }

    /// Chooses what a node's kill ([`Node::kill`]) does to the TCP
    /// connections of its peers.
    ///
    /// - `true` (the default): each peer gets an RST at once, and its next
    ///   read or write fails with `ConnectionReset`, as when the node's
    ///   process dies with input it never read.
    /// - `false`: the peers learn nothing, as when the machine loses power
    ///   or its network: their connections stay open (half-open). A peer
    ///   that only waits to read waits forever, unless it has a timeout of
    ///   its own. Its segments meet a node that is down and are sent again
    ///   until the retransmission limit or the stall timeout fails the
    ///   connection ([`set_tcp_retries`](Self::set_tcp_retries),
    ///   [`set_tcp_timeout`](Self::set_tcp_timeout)). Once the node is
    ///   [restarted](Node::restart), the next one is answered with an RST,
    ///   since its new incarnation has no such socket.
    ///
    /// Failure detectors, heartbeats and request timeouts are tested with
    /// `false`; a kill is recorded in the run either way. Applies to kills
    /// from then on.
    ///
    /// ```
    /// use std::time::Duration;
    /// use futures::io::{AsyncReadExt, AsyncWriteExt};
    /// use detsim::net::{Network, TcpListener, TcpStream};
    /// use detsim::node::Node;
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let net = Network::current();
    /// net.set_kill_resets_peers(false);
    /// assert!(!net.kill_resets_peers());
    /// let server = Node::builder("server").build();
    /// let l = server.spawn(async { TcpListener::bind("0.0.0.0:80").await.unwrap() }).await.unwrap();
    /// let mut s = TcpStream::connect("server:80").await.unwrap();
    /// server.spawn(async move { let _conn = l.accept().await; std::future::pending::<()>().await });
    /// detsim::time::sleep(Duration::from_millis(5)).await;
    /// server.kill();
    /// // Nothing tells the client: its read only ends by its own timeout.
    /// let read = detsim::time::timeout(Duration::from_secs(1), s.read(&mut [0; 8])).await;
    /// assert!(read.is_err());
    /// // Back up, the server answers the next segment with an RST.
    /// server.restart();
    /// s.write_all(b"hello?").await.unwrap();
    /// let err = s.read(&mut [0; 8]).await.unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::ConnectionReset);
    /// # }).unwrap();
    /// ```
    pub fn set_kill_resets_peers(&self, resets: bool) {
        let net = self.net("detsim::net::Network::set_kill_resets_peers");
        net.inner.borrow_mut().tcp.kill_resets = resets;
    }

    /// Whether a node's kill resets its peers' connections at once (see
    /// [`set_kill_resets_peers`](Self::set_kill_resets_peers)).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// assert!(detsim::net::Network::current().kill_resets_peers());
    /// # }).unwrap();
    /// ```
    pub fn kill_resets_peers(&self) -> bool {
        let net = self.net("detsim::net::Network::kill_resets_peers");
        net.inner.borrow().tcp.kill_resets
    }

    /// Sets how many times a SYN is retransmitted before `connect` fails
    /// with `TimedOut` (Linux's `tcp_syn_retries`; the default is
    /// [`DEFAULT_TCP_SYN_RETRIES`](crate::DEFAULT_TCP_SYN_RETRIES), giving
    /// up 7.8 s after a SYN lost to a partition). `None`: no limit (the
    /// stall timeout, if set, still applies). Applies to SYNs lost from
    /// then on.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let net = detsim::net::Network::current();
    /// assert_eq!(net.tcp_syn_retries(), Some(6));
    /// net.set_tcp_syn_retries(Some(2)); // gives up after 0.2 + 0.4 + 0.8 s
    /// assert_eq!(net.tcp_syn_retries(), Some(2));
    /// # }).unwrap();
    /// ```
    pub fn set_tcp_syn_retries(&self, retries: Option<u32>) {
        let net = self.net("detsim::net::Network::set_tcp_syn_retries");
        net.inner.borrow_mut().tcp.syn_retries = retries;
    }

    /// The SYN retransmission limit (see
    /// [`set_tcp_syn_retries`](Self::set_tcp_syn_retries)).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// assert_eq!(detsim::net::Network::current().tcp_syn_retries(), Some(6));
    /// # }).unwrap();
    /// ```
    pub fn tcp_syn_retries(&self) -> Option<u32> {
        let net = self.net("detsim::net::Network::tcp_syn_retries");
        net.inner.borrow().tcp.syn_retries
    }

    /// Sets how many times any other segment (data, FIN, SYN-ACK, window
    /// update) is retransmitted before its sender's end fails with
    /// `TimedOut` (Linux's `tcp_retries2`; the default is
    /// [`DEFAULT_TCP_RETRIES`](crate::DEFAULT_TCP_RETRIES), giving up
    /// 22.2 s after a segment lost to a partition). `None`: no limit.
    /// Applies to segments lost from then on. The end fails alone, as
    /// Linux's `tcp_write_err` does, without telling the peer (no RST):
    /// the peer stays open until its next segment (data, a FIN, a
    /// keepalive or zero-window probe, a retransmission after a heal)
    /// draws an RST, `ConnectionReset`; a peer that only reads, with no
    /// keepalive or timeout of its own, waits forever, as on Linux.
    /// During the handshake (a SYN-ACK that never gets through) both
    /// ends fail: the client's `connect` waits for nothing else.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let net = detsim::net::Network::current();
    /// assert_eq!(net.tcp_retries(), Some(15));
    /// net.set_tcp_retries(None); // stall until the network heals
    /// assert_eq!(net.tcp_retries(), None);
    /// # }).unwrap();
    /// ```
    pub fn set_tcp_retries(&self, retries: Option<u32>) {
        let net = self.net("detsim::net::Network::set_tcp_retries");
        net.inner.borrow_mut().tcp.retries = retries;
    }

    /// The data retransmission limit (see
    /// [`set_tcp_retries`](Self::set_tcp_retries)).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// assert_eq!(detsim::net::Network::current().tcp_retries(), Some(15));
    /// # }).unwrap();
    /// ```
    pub fn tcp_retries(&self) -> Option<u32> {
        let net = self.net("detsim::net::Network::tcp_retries");
        net.inner.borrow().tcp.retries
    }

    /// The address of `node` (see [`node_addr`](crate::node_addr)).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let me = detsim::node::Node::current();
    /// assert_eq!(detsim::net::Network::current().addr_of(&me).to_string(), "10.0.0.1");
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn addr_of(&self, node: &Node) -> IpAddr {
        let [node] = ids("detsim::net::Network::addr_of", [node]);
        IpAddr::V4(crate::addr::node_ip(node))
    }

    /// The counters: per directed link, drops by reason, in flight.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// assert_eq!(detsim::net::Network::current().stats().in_flight, 0);
    /// # }).unwrap();
    /// ```
    pub fn stats(&self) -> NetStats {
        let net = self.net("detsim::net::Network::stats");
        let inner = net.inner.borrow();
        let names = ext::node_names();
        let name = |n: u32| {
            names
                .get(n as usize)
                .cloned()
                .unwrap_or_else(|| "(no host)".to_owned())
        };
        NetStats {
            links: inner
                .links
                .iter()
                .map(|((f, t), s)| ((name(f), name(t)), *s))
                .collect(),
            drops: inner.drops,
            in_flight: inner.in_flight.len() as u64,
            tcp: inner.tcp.counts,
        }
    }

    /// A netstat-like snapshot: every open socket and the counters.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let table = detsim::net::Network::current().netstat();
    /// assert!(table.sockets.is_empty());
    /// # }).unwrap();
    /// ```
    pub fn netstat(&self) -> Netstat {
        let stats = self.stats();
        let names = ext::node_names();
        let net = self.net("detsim::net::Network::netstat");
        let inner = net.inner.borrow();
        let mut sockets: Vec<SocketRow> = inner
            .sockets()
            .filter(|s| !s.closed)
            .map(|s| SocketRow {
                proto: "udp",
                state: None,
                node: names[s.node as usize].clone(),
                local: s.local,
                peer: s.peer,
                recv_queue: s.queue.len(),
                recv_bytes: s.queued_bytes,
                send_bytes: 0,
                broadcast: s.broadcast,
            })
            .collect();
        sockets.extend(inner.tcp.netstat_rows(&names));
        Netstat { sockets, stats }
    }
}
