//! Graceful shutdown: [`Node::shutdown`], [`shutdown_signal`] and
//! [`Node::stopped`]; see the [`node`](super) module's documentation.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::{MAIN_NODE, Node};
use crate::context;

impl Node {
    /// Asks the node to shut down, as SIGTERM asks a process: raises its
    /// shutdown signal, waking every task waiting in [`shutdown_signal`]
    /// on it. Nothing is cancelled; the node's tasks decide what to do
    /// (usually finish their work and return). Asking again, or asking a
    /// node that is down, does nothing; a [`restart`](Node::restart)
    /// lowers the signal. See the [module](super) example for a grace
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
    /// node with no tasks. A task of the node itself waiting here waits
    /// forever (it is one of them): wait from another node, usually the
    /// test's `main`.
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
        Stopped { node: *self }
    }
}

/// Waits until the node of the task awaiting it is asked to shut down
/// (see [`Node::shutdown`]); ready at once if it was already asked. The
/// node is the one whose task first polls it, so
/// `node.spawn(shutdown_signal())` listens on `node`. If the node is
/// killed first, its tasks waiting here are dropped with the rest of its
/// tasks; a `ShutdownSignal` then polled by a task of another node is
/// ready, as the incarnation it listened to has ended.
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
    /// The node it listens on and that node's restart count (its
    /// incarnation), from its first poll.
    bound: Option<(Node, u32)>,
}

impl Future for ShutdownSignal {
    type Output = ();

    #[track_caller]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let (node, restarts) = match self.bound {
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
                let restarts = rt.nodes.borrow().get(id).restarts;
                let node = Node {
                    instance: rt.instance,
                    id,
                };
                self.bound = Some((node, restarts));
                (node, restarts)
            }
        };
        let rt = context::for_instance(node.instance, "detsim::node::ShutdownSignal");
        let mut nodes = rt.nodes.borrow_mut();
        let n = nodes.get_mut(node.id);
        if n.shutdown || !n.alive || n.restarts != restarts {
            return Poll::Ready(());
        }
        if !n.shutdown_waiters.iter().any(|w| w.will_wake(cx.waker())) {
            n.shutdown_waiters.push(cx.waker().clone());
        }
        Poll::Pending
    }
}

impl fmt::Debug for ShutdownSignal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ShutdownSignal")
            .field("node", &self.bound.map(|(n, _)| n.id))
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
}

impl Future for Stopped {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let rt = context::for_instance(self.node.instance, "detsim::node::Stopped");
        let id = self.node.id;
        if rt.node_stopped(id) {
            return Poll::Ready(());
        }
        let mut waiters = rt.stop_waiters.borrow_mut();
        if !waiters
            .iter()
            .any(|(n, w)| *n == id && w.will_wake(cx.waker()))
        {
            waiters.push((id, cx.waker().clone()));
        }
        Poll::Pending
    }
}

impl fmt::Debug for Stopped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Stopped")
            .field("node", &self.node.id)
            .finish_non_exhaustive()
    }
}
