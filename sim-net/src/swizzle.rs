//! [`Network::swizzle_clog`]: FoundationDB's swizzle-clog.

use std::future::Future;
use std::time::Duration;

use sim_core::ext::{self, EventKind};
use sim_core::node::Node;

use crate::network::Network;

static CLOG: EventKind = EventKind {
    code: 0x4e20,
    name: "net: swizzle clogs a node (node, step)",
};
static UNCLOG: EventKind = EventKind {
    code: 0x4e21,
    name: "net: swizzle unclogs a node (node, step)",
};

/// What a [`Network::swizzle_clog`] did: the swizzled nodes in the order
/// they were clogged, and in the order they were unclogged (the same
/// nodes).
///
/// ```
/// # let mut sim = detsim::Sim::builder().seed(1).build();
/// # sim.run(async {
/// let nodes: Vec<_> = (0..3).map(|i| detsim::node::Node::builder(format!("n{i}")).build()).collect();
/// let s: detsim::net::Swizzled = detsim::net::Network::current()
///     .swizzle_clog(nodes, std::time::Duration::from_millis(10))
///     .await;
/// assert_eq!(s.clogged.len(), s.unclogged.len());
/// assert!(s.unclogged.iter().all(|n| s.clogged.contains(n)));
/// # }).unwrap();
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Swizzled {
    /// The swizzled nodes in clog order (the order they were given in).
    pub clogged: Vec<Node>,
    /// The same nodes in the (drawn) order they were unclogged.
    pub unclogged: Vec<Node>,
}

/// Waits a drawn time in `0..=max` (a draw of 0: no wait at all).
async fn pause(max: Duration) {
    let max = u64::try_from(max.as_nanos()).unwrap_or(u64::MAX - 1);
    let nanos = ext::draw(max.saturating_add(1));
    if nanos > 0 {
        sim_clock::sleep(Duration::from_nanos(nanos)).await;
    }
}

impl Network {
    /// FoundationDB's *swizzle-clog*: picks a random subset of `nodes`,
    /// clogs them one at a time at random intervals, then unclogs them one
    /// at a time in a random order, at random intervals. Returns which
    /// nodes it clogged and in which orders ([`Swizzled`]).
    ///
    /// A clog holds (does not lose) everything in and out of the node (see
    /// [`clog_node`](Self::clog_node)), so the pattern stalls different
    /// overlapping parts of a cluster for different spans and releases them
    /// out of order: it finds bugs that a clean partition does not, such as
    /// a leader that is unreachable for a while yet still believes it leads,
    /// or messages of one node overtaking another's.
    ///
    /// Every decision is a network draw from the choice source, 0 being the
    /// simplest: each node is swizzled on a draw of 1 (0: left alone, so an
    /// all-zero tape swizzles nothing); each interval is a draw in
    /// `0..=max_interval` (0: none); the next node to unclog is a draw
    /// among those still clogged (0: the earliest clogged). Clogs and
    /// unclogs are part of the run's fingerprint.
    ///
    /// The returned future is `Send + 'static`: await it from the test, or
    /// [`spawn`](sim_core::spawn) it as a chaos task. It takes at most
    /// `2 × swizzled × max_interval` of virtual time. A swizzled node stays
    /// clogged until the swizzle unclogs it (unclogging also ends a clog
    /// set by someone else on that node); if the future is dropped early
    /// (aborted, or its node killed), the nodes it clogged stay clogged
    /// until [`unclog_node`](Self::unclog_node).
    ///
    /// # Panics
    ///
    /// When polled outside a simulation.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use detsim::node::Node;
    /// use detsim::net::{Network, UdpSocket};
    ///
    /// let mut sim = detsim::Sim::builder().seed(3).build();
    /// sim.run(async {
    ///     let nodes: Vec<Node> = (0..5)
    ///         .map(|i| Node::builder(format!("n{i}")).init(|| async {
    ///             // A UDP echo server on every node.
    ///             let sock = UdpSocket::bind("0.0.0.0:7").await.unwrap();
    ///             let mut buf = [0u8; 16];
    ///             loop {
    ///                 let (n, from) = sock.recv_from(&mut buf).await.unwrap();
    ///                 sock.send_to(&buf[..n], from).await.unwrap();
    ///             }
    ///         }).build())
    ///         .collect();
    ///     let net = Network::current();
    ///     let chaos = detsim::spawn(net.swizzle_clog(nodes, Duration::from_millis(100)));
    ///     let swizzled = chaos.await.unwrap();
    ///     let names = |v: &[Node]| v.iter().map(|n| n.name().to_owned()).collect::<Vec<_>>();
    ///     println!("clogged {:?}, unclogged {:?}", names(&swizzled.clogged), names(&swizzled.unclogged));
    ///     // Afterwards every node answers again.
    ///     let sock = UdpSocket::bind("0.0.0.0:0").await.unwrap();
    ///     for i in 0..5 {
    ///         sock.send_to(b"ping", format!("n{i}:7")).await.unwrap();
    ///         let mut buf = [0u8; 16];
    ///         assert_eq!(sock.recv_from(&mut buf).await.unwrap().0, 4);
    ///     }
    /// }).unwrap();
    /// ```
    pub fn swizzle_clog(
        &self,
        nodes: impl IntoIterator<Item = Node>,
        max_interval: Duration,
    ) -> impl Future<Output = Swizzled> + Send + 'static {
        let net = *self;
        let nodes: Vec<Node> = nodes.into_iter().collect();
        async move {
            let swizzled: Vec<Node> = nodes.into_iter().filter(|_| ext::draw(2) == 1).collect();
            for (step, node) in swizzled.iter().enumerate() {
                net.clog_node(node, Duration::MAX);
                ext::event(&CLOG, u64::from(node.id().as_u32()), step as u64);
                pause(max_interval).await;
            }
            let mut clogged = swizzled.clone();
            let mut unclogged = Vec::with_capacity(swizzled.len());
            while !clogged.is_empty() {
                let i = ext::draw(clogged.len() as u64) as usize;
                let node = clogged.remove(i);
                net.unclog_node(&node);
                ext::event(
                    &UNCLOG,
                    u64::from(node.id().as_u32()),
                    unclogged.len() as u64,
                );
                unclogged.push(node);
                if !clogged.is_empty() {
                    pause(max_interval).await;
                }
            }
            Swizzled {
                clogged: swizzled,
                unclogged,
            }
        }
    }
}
