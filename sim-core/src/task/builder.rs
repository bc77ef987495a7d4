//! `task::Builder`: spawning with a name or onto a node.

use std::future::Future;
use std::sync::Arc;

use super::JoinHandle;
use super::cell;
use crate::context;
use crate::node::Node;

/// Spawns a task with a name and/or onto a given node.
///
/// Names appear in failure reports, deadlock lists, hygiene reports and
/// traces; give long-lived tasks one.
///
/// # Example
///
/// ```
/// use detsim::task::Builder;
/// let mut sim = detsim::Sim::builder().build();
/// sim.run(async {
///     let h = Builder::new().name("ticker").spawn(async {
///         detsim::task::current().name().unwrap().to_owned()
///     });
///     assert_eq!(h.await.unwrap(), "ticker");
/// }).unwrap();
/// ```
#[derive(Debug, Default, Clone)]
#[must_use = "a task Builder does nothing until you call spawn"]
pub struct Builder {
    name: Option<Arc<str>>,
    node: Option<Node>,
}

impl Builder {
    /// A builder for an unnamed task on the current node.
    ///
    /// ```
    /// let b = detsim::task::Builder::new();
    /// # drop(b);
    /// ```
    pub fn new() -> Builder {
        Builder::default()
    }

    /// Names the task.
    ///
    /// ```
    /// let b = detsim::task::Builder::new().name("worker-1");
    /// # drop(b);
    /// ```
    pub fn name(mut self, name: impl Into<String>) -> Builder {
        self.name = Some(Arc::from(name.into()));
        self
    }

    /// Spawns onto `node` instead of the current task's node.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let n = detsim::node::Node::builder("db").build();
    /// let h = detsim::task::Builder::new().node(&n).spawn(async {
    ///     detsim::node::Node::current().name()
    /// });
    /// assert_eq!(h.await.unwrap(), "db");
    /// # }).unwrap();
    /// ```
    pub fn node(mut self, node: &Node) -> Builder {
        self.node = Some(*node);
        self
    }

    /// Spawns a `Send` future; see [`spawn`](crate::spawn).
    ///
    /// # Panics
    ///
    /// Outside a simulation.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let h = detsim::task::Builder::new().name("x").spawn(async { 1 });
    /// assert_eq!(h.await.unwrap(), 1);
    /// # }).unwrap();
    /// ```
    #[track_caller]
    #[inline(always)]
    pub fn spawn<F>(self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.spawn_named(future, "detsim::spawn")
    }

    /// Spawns a `!Send` future; see [`spawn_local`](crate::spawn_local).
    ///
    /// # Panics
    ///
    /// Outside a simulation.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let rc = std::rc::Rc::new(2);
    /// let h = detsim::task::Builder::new().spawn_local(async move { *rc });
    /// assert_eq!(h.await.unwrap(), 2);
    /// # }).unwrap();
    /// ```
    #[track_caller]
    #[inline(always)]
    pub fn spawn_local<F>(self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        self.spawn_named(future, "detsim::spawn_local")
    }

    /// Spawns `future`, naming `api` if called outside a simulation.
    #[track_caller]
    #[inline(always)]
    fn spawn_named<F>(self, future: F, api: &'static str) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let location = std::panic::Location::caller();
        // Boxed first: a large future then moves once, straight from the
        // caller into its cell (not held on the stack across the lookups).
        let task = cell::boxed(future);
        let rt = context::current(api);
        // Not `Option::map`: a closure would hide the caller's location
        // from a wrong-simulation panic.
        let mut node = None;
        if let Some(n) = &self.node {
            node = Some(rt.node_of_handle(n));
        }
        JoinHandle::new(rt.spawn(task, self.name, node, location))
    }

    /// Spawns a blocking closure; see [`spawn_blocking`](crate::spawn_blocking).
    ///
    /// # Panics
    ///
    /// Outside a simulation.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let h = detsim::task::Builder::new().name("hash").spawn_blocking(|| 3);
    /// assert_eq!(h.await.unwrap(), 3);
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn spawn_blocking<F, R>(self, f: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        let cost = context::current("detsim::spawn_blocking")
            .config
            .blocking_cost;
        self.spawn(async move {
            let out = f();
            if !cost.is_zero() {
                // The closure has run: from now on abort has no effect.
                let _started = super::blocking::Started::current();
                sim_clock::sleep(cost).await;
            }
            out
        })
    }
}
