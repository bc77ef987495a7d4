//! Graceful shutdown: [`Node::shutdown`], [`shutdown_signal`] and
//! [`Node::stopped`]; see the [`node`](super) module's documentation.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::waiters::{Waiters, forget_waiter, poll_waiter};
use super::{MAIN_NODE, Node, NodeId, NodeState};
use crate::context;
use crate::runtime::Runtime;

impl Node {
    /// Asks the node to shut down, as SIGTERM asks a process: raises its
    /// shutdown signal, waking every task waiting in [`shutdown_signal`]
    /// on it. Nothing is cancelled; the node's tasks decide what to do
    /// (usually finish their work and return). Asking again, or asking a
    /// node that is down, does nothing; a [`restart`](Node::restart)
    /// lowers the signal. On a paused node the woken tasks run after its
    /// [`resume`](Node::resume). See the [module](super) example for a grace
    /// period that ends in a [`kill`](Node::kill).
    ///
    /// # Panics
    ///
    /// On the `main` node, or outside the node's simulation.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let n = detsim::node::Node::builder("n").build();
    /// let waiting = n.spawn(detsim::node::shutdown_signal());
    /// n.shutdown();
    /// waiting.await.unwrap();
    /// assert!(n.is_shutting_down());
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn shutdown(&self) {
        context::for_instance(self.instance, "detsim::node::Node::shutdown").shutdown_node(self.id);
    }

    /// Whether [`shutdown`](Node::shutdown) has asked the node to shut down
    /// since it last (re)started.
    ///
    /// # Panics
    ///
    /// Outside the node's simulation.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let n = detsim::node::Node::builder("n").build();
    /// assert!(!n.is_shutting_down());
    /// n.shutdown();
    /// assert!(n.is_shutting_down());
    /// n.restart();
    /// assert!(!n.is_shutting_down(), "a new incarnation");
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn is_shutting_down(&self) -> bool {
        let rt = context::for_instance(self.instance, "detsim::node::Node::is_shutting_down");
        rt.nodes.borrow().get(self.id).shutdown
    }

    /// Waits until no task of the node is left: every one returned,
    /// panicked, was aborted, or the node was killed. Ready at once for a
    /// node with no tasks, and when the node has restarted since the
    /// first poll (the incarnation it waited for is gone, though the new
    /// one runs its init task). A paused node's tasks do not run, so it
    /// stops only after its [`resume`](Node::resume). A task of the node
    /// itself waiting here waits forever (it is one of them): wait from
    /// another node, usually the test's `main`.
    ///
    /// A node that stopped is still up ([`is_alive`](Node::is_alive)):
    /// it keeps its name and addresses, and tasks spawned onto it run;
    /// [`kill`](Node::kill) takes it down.
    ///
    /// # Panics
    ///
    /// On the `main` node (the main future runs there, so it never
    /// stops), or when polled outside the node's simulation.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// use std::time::Duration;
    /// let n = detsim::node::Node::builder("n").build();
    /// n.spawn(detsim::time::sleep(Duration::from_secs(3)));
    /// n.stopped().await;
    /// assert_eq!(detsim::time::Instant::now().as_nanos(), 3_000_000_000);
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn stopped(&self) -> Stopped {
        assert!(
            self.id != MAIN_NODE,
            "detsim: Node::stopped was called on the main node, which never stops (the main \
             future runs on it); call it on a node made with Node::builder"
        );
        Stopped {
            node: *self,
            bound: None,
        }
    }
}

/// Waits until the node of the task awaiting it is asked to shut down
/// (see [`Node::shutdown`]); ready at once if it was already asked. The
/// node is the one whose task first polls it, so
/// `node.spawn(shutdown_signal())` listens on `node`. If the node is
/// killed first, its tasks waiting here are dropped with the rest of its
/// tasks; a `ShutdownSignal` moved to a task of another node is ready
/// then (woken by the kill), as the incarnation it listened to has ended.
///
/// # Panics
///
/// When polled outside a simulation, or on the `main` node, which cannot
/// be shut down: await it in a task of a node made with
/// [`Node::builder`](super::Node::builder).
///
/// ```
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// let n = detsim::node::Node::builder("n").build();
/// let served = n.spawn(async {
///     detsim::node::shutdown_signal().await;
///     "drained"
/// });
/// n.shutdown();
/// assert_eq!(served.await.unwrap(), "drained");
/// # }).unwrap();
/// ```
pub fn shutdown_signal() -> ShutdownSignal {
    ShutdownSignal { bound: None }
}

/// The future of [`shutdown_signal`].
///
/// ```
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// let n = detsim::node::Node::builder("n").build();
/// let signal: detsim::node::ShutdownSignal = detsim::node::shutdown_signal();
/// let waiting = n.spawn(signal);
/// n.shutdown();
/// waiting.await.unwrap();
/// # }).unwrap();
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct ShutdownSignal {
    /// From its first poll: what it waits on.
    bound: Option<Bound>,
}

/// What a waiting future waits on, from its first poll.
#[derive(Clone, Copy)]
struct Bound {
    node: Node,
    /// The node's restart count then: its incarnation.
    restarts: u32,
    /// Its entry in the node's waiters (see `waiters.rs`).
    waiter: u64,
}

impl Bound {
    fn new(rt: &Runtime, id: NodeId) -> Bound {
        Bound {
            node: Node {
                instance: rt.instance,
                id,
            },
            restarts: rt.nodes.borrow().get(id).restarts,
            waiter: rt.next_waiter_id(),
        }
    }
}

fn shutdown_list(n: &mut NodeState) -> &mut Waiters {
    &mut n.shutdown_waiters
}

fn stop_list(n: &mut NodeState) -> &mut Waiters {
    &mut n.stop_waiters
}

impl Future for ShutdownSignal {
    type Output = ();

    #[track_caller]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let bound = match self.bound {
            Some(bound) => bound,
            None => {
                let rt = context::current("detsim::node::shutdown_signal");
                let id = rt.current_node();
                assert!(
                    id != MAIN_NODE,
                    "detsim: shutdown_signal was awaited on the main node, which cannot be shut \
                     down; await it in a task of a node made with Node::builder (Node::shutdown \
                     raises that node's signal)"
                );
                let bound = Bound::new(&rt, id);
                self.bound = Some(bound);
                bound
            }
        };
        let rt = context::for_instance(bound.node.instance, "detsim::node::ShutdownSignal");
        let ready =
            |_: &Runtime, n: &NodeState| n.shutdown || !n.alive || n.restarts != bound.restarts;
        poll_waiter(&rt, bound.node.id, bound.waiter, cx, ready, shutdown_list)
    }
}

impl Drop for ShutdownSignal {
    fn drop(&mut self) {
        if let Some(b) = self.bound {
            forget_waiter(b.node.instance, b.node.id, b.waiter, shutdown_list);
        }
    }
}

impl fmt::Debug for ShutdownSignal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ShutdownSignal")
            .field("node", &self.bound.map(|b| b.node.id))
            .finish_non_exhaustive()
    }
}

/// The future of [`Node::stopped`].
///
/// ```
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// let n = detsim::node::Node::builder("n").build();
/// let stopped: detsim::node::Stopped = n.stopped();
/// stopped.await; // no task on it
/// # }).unwrap();
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct Stopped {
    node: Node,
    /// From its first poll.
    bound: Option<Bound>,
}

impl Future for Stopped {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let rt = context::for_instance(self.node.instance, "detsim::node::Stopped");
        let bound = match self.bound {
            Some(bound) => bound,
            None => {
                let bound = Bound::new(&rt, self.node.id);
                self.bound = Some(bound);
                bound
            }
        };
        let id = bound.node.id;
        let ready =
            |rt: &Runtime, n: &NodeState| n.restarts != bound.restarts || rt.node_stopped(id);
        poll_waiter(&rt, id, bound.waiter, cx, ready, stop_list)
    }
}

impl Drop for Stopped {
    fn drop(&mut self) {
        if let Some(b) = self.bound {
            forget_waiter(b.node.instance, b.node.id, b.waiter, stop_list);
        }
    }
}

impl fmt::Debug for Stopped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Stopped")
            .field("node", &self.node.id)
            .finish_non_exhaustive()
    }
}
