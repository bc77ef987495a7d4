//! Nodes: named groups of tasks that crash, restart and pause together.
//!
//! A node stands for one machine or process of the system under test. Every
//! task belongs to exactly one node; tasks spawned from a task inherit its
//! node. The main future runs on the node `main`, which cannot be killed or
//! paused. [`Node::kill`] drops every task of the node (their destructors
//! run, their `JoinHandle`s report cancellation); [`Node::restart`] brings
//! the node back and runs its init closure again, as a rebooted process
//! would; [`Node::pause`] stops polling its tasks until [`Node::resume`]
//! (timers still fire; woken tasks wait).
//!
//! # Graceful shutdown
//!
//! [`Node::kill`] is a crash: every task of the node is dropped where it
//! stands (and its disk loses what was not synced). A server that drains
//! its connections, flushes its log or hands over its leases on SIGTERM
//! needs the other signal: [`Node::shutdown`]
//! raises the node's shutdown signal and cancels nothing. The node's tasks
//! learn of it in [`shutdown_signal`] (a future, usually raced against
//! their work; with `futures::select_biased!`, as detsim cannot seed the
//! random branch order of `futures::select!`), finish what they do and
//! return; [`Node::stopped`] resolves once no task of the node is left. A
//! grace period that ends in a kill is a
//! [`timeout`](crate::time::timeout) around `stopped`:
//!
//! ```
//! use std::time::Duration;
//! use detsim::node::{Node, shutdown_signal};
//! use futures::FutureExt;
//!
//! let mut sim = detsim::Sim::builder().build();
//! sim.run(async {
//!     let server = Node::builder("server")
//!         .init(|| async {
//!             let mut signal = shutdown_signal().fuse();
//!             loop {
//!                 futures::select_biased! {
//!                     _ = signal => break,
//!                     _ = detsim::time::sleep(Duration::from_millis(10)).fuse() => { /* serve */ }
//!                 }
//!             }
//!             // Draining takes 50 ms of virtual time.
//!             detsim::time::sleep(Duration::from_millis(50)).await;
//!         })
//!         .build();
//!     detsim::time::sleep(Duration::from_secs(1)).await;
//!     server.shutdown();
//!     let grace = Duration::from_secs(5);
//!     if detsim::time::timeout(grace, server.stopped()).await.is_err() {
//!         server.kill(); // SIGKILL after the grace period
//!     }
//!     assert!(server.is_alive(), "it stopped in time: no kill");
//!     assert_eq!(detsim::time::Instant::now().as_nanos(), 1_050_000_000);
//! })
//! .unwrap();
//! ```
//!
//! The signal belongs to one incarnation of the node:
//! [`restart`](Node::restart) starts the next one with it lowered. Raising
//! it is an event of the run (in its fingerprint and trace), like a kill.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;

use crate::context;
use crate::task::{Builder, JoinHandle};

mod name;
mod shutdown;
mod waiters;

pub(crate) use waiters::Waiters;

pub use shutdown::{ShutdownSignal, Stopped, shutdown_signal};

/// A node's id: unique within its simulation, counted from 0 (`main`).
///
/// ```
/// let mut sim = detsim::Sim::builder().build();
/// sim.run(async {
///     assert_eq!(detsim::node::Node::current().id().as_u32(), 0);
///     let n = detsim::node::Node::builder("a").build();
///     assert_eq!(n.id().as_u32(), 1);
/// }).unwrap();
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(pub(crate) u32);

impl NodeId {
    /// The id as a number.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// assert_eq!(detsim::node::Node::current().id().as_u32(), 0);
    /// # }).unwrap();
    /// ```
    pub fn as_u32(self) -> u32 {
        self.0
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

pub(crate) type InitFn = Rc<dyn Fn() -> Pin<Box<dyn Future<Output = ()>>>>;

/// A handle to a node of the running simulation. Plain data: `Copy`,
/// `Send`, comparable.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use detsim::node::Node;
/// let mut sim = detsim::Sim::builder().build();
/// sim.run(async {
///     let server = Node::builder("server")
///         .init(|| async {
///             loop {
///                 detsim::time::sleep(Duration::from_secs(1)).await;
///             }
///         })
///         .build();
///     detsim::time::sleep(Duration::from_secs(5)).await;
///     server.kill();
///     assert!(!server.is_alive());
///     server.restart();
///     assert!(server.is_alive());
///     server.kill();
/// }).unwrap();
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Node {
    pub(crate) instance: u64,
    pub(crate) id: NodeId,
}

impl Node {
    /// Starts building a node named `name` (unique in the simulation).
    ///
    /// The name is the node's hostname on the simulated network, so it
    /// must be one the network resolves to the node: not an IP literal
    /// (`10.0.0.1`, `::1`, `[::1]`) nor `localhost` (in any case, with or
    /// without a trailing dot), which the network reads as an address
    /// before it looks for a node; [`build`](NodeBuilder::build) refuses
    /// those. Any other name resolves to its node (`"replica-1"`, `"Db"`,
    /// even `"db:80"`, looked up as `("db:80", 7)` or `"db:80:7"`), by the
    /// network's rules for names that differ only in case or a trailing
    /// dot.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let n = detsim::node::Node::builder("replica-1").build();
    /// assert_eq!(n.name(), "replica-1");
    /// # }).unwrap();
    /// ```
    pub fn builder(name: impl Into<String>) -> NodeBuilder {
        NodeBuilder {
            name: name.into(),
            init: None,
        }
    }

    /// The node of the running task.
    ///
    /// # Panics
    ///
    /// Outside a simulation.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// assert_eq!(detsim::node::Node::current().name(), "main");
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn current() -> Node {
        let rt = context::current("detsim::node::Node::current");
        Node {
            instance: rt.instance,
            id: rt.current_node(),
        }
    }

    /// The node named `name`, if there is one.
    ///
    /// # Panics
    ///
    /// Outside a simulation.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let n = detsim::node::Node::builder("db").build();
    /// assert_eq!(detsim::node::Node::lookup("db"), Some(n));
    /// assert_eq!(detsim::node::Node::lookup("nope"), None);
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn lookup(name: &str) -> Option<Node> {
        let rt = context::current("detsim::node::Node::lookup");
        let id = rt.nodes.borrow().by_name(name)?;
        Some(Node {
            instance: rt.instance,
            id,
        })
    }

    /// The node's id.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// assert_eq!(detsim::node::Node::current().id().as_u32(), 0);
    /// # }).unwrap();
    /// ```
    pub fn id(&self) -> NodeId {
        self.id
    }

    /// The node's name.
    ///
    /// # Panics
    ///
    /// Outside the node's simulation.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// assert_eq!(detsim::node::Node::builder("x").build().name(), "x");
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn name(&self) -> String {
        let rt = context::for_instance(self.instance, "detsim::node::Node::name");
        rt.nodes.borrow().get(self.id).name.to_string()
    }

    /// Spawns a `Send` future on this node.
    ///
    /// # Panics
    ///
    /// Outside the node's simulation.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let n = detsim::node::Node::builder("w").build();
    /// let h = n.spawn(async { detsim::node::Node::current().name() });
    /// assert_eq!(h.await.unwrap(), "w");
    /// # }).unwrap();
    /// ```
    #[track_caller]
    #[inline(always)]
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        Builder::new().node(self).spawn(future)
    }

    /// Spawns a `!Send` future on this node.
    ///
    /// # Panics
    ///
    /// Outside the node's simulation.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let n = detsim::node::Node::builder("w").build();
    /// let rc = std::rc::Rc::new(3);
    /// assert_eq!(n.spawn_local(async move { *rc }).await.unwrap(), 3);
    /// # }).unwrap();
    /// ```
    #[track_caller]
    #[inline(always)]
    pub fn spawn_local<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        Builder::new().node(self).spawn_local(future)
    }

    /// Crashes the node: every task on it is dropped (destructors run) and
    /// its `JoinHandle`s report cancellation; the node stays down until
    /// [`restart`](Node::restart). Tasks spawned onto a down node are
    /// cancelled at once. A task killing its own node is dropped when its
    /// current poll returns. Killing a down node does nothing.
    ///
    /// What the node's disk did not sync is lost (`detsim::fs`), and its
    /// sockets close: each TCP peer is reset at once, or, with
    /// `detsim::net::Network::set_kill_resets_peers(false)`, learns
    /// nothing, as when a machine loses power.
    ///
    /// # Panics
    ///
    /// On the `main` node, or outside the node's simulation.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let n = detsim::node::Node::builder("n").build();
    /// let h = n.spawn(std::future::pending::<()>());
    /// n.kill();
    /// assert!(h.await.unwrap_err().is_cancelled());
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn kill(&self) {
        context::for_instance(self.instance, "detsim::node::Node::kill").kill_node(self.id);
    }

    /// Restarts the node: kills it if it is up, brings it up and spawns its
    /// init closure (if it has one) as a fresh task named `init`; as at
    /// build, a panic in that task fails the run at once.
    ///
    /// # Panics
    ///
    /// On the `main` node, or outside the node's simulation.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let n = detsim::node::Node::builder("n").init(|| async {}).build();
    /// n.kill();
    /// n.restart();
    /// assert!(n.is_alive());
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn restart(&self) {
        context::for_instance(self.instance, "detsim::node::Node::restart").restart_node(self.id);
    }

    /// Stops polling the node's tasks until [`resume`](Node::resume). Its
    /// timers still fire; tasks they wake run after the resume.
    ///
    /// # Panics
    ///
    /// On the `main` node, or outside the node's simulation.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let n = detsim::node::Node::builder("n").build();
    /// n.pause();
    /// assert!(n.is_paused());
    /// n.resume();
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn pause(&self) {
        context::for_instance(self.instance, "detsim::node::Node::pause").pause_node(self.id, true);
    }

    /// Resumes a paused node.
    ///
    /// # Panics
    ///
    /// Outside the node's simulation.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let n = detsim::node::Node::builder("n").build();
    /// n.pause();
    /// n.resume();
    /// assert!(!n.is_paused());
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn resume(&self) {
        context::for_instance(self.instance, "detsim::node::Node::resume")
            .pause_node(self.id, false);
    }

    /// Whether the node is up (not killed).
    ///
    /// # Panics
    ///
    /// Outside the node's simulation.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// assert!(detsim::node::Node::builder("n").build().is_alive());
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn is_alive(&self) -> bool {
        let rt = context::for_instance(self.instance, "detsim::node::Node::is_alive");
        rt.nodes.borrow().get(self.id).alive
    }

    /// Whether the node is paused.
    ///
    /// # Panics
    ///
    /// Outside the node's simulation.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// assert!(!detsim::node::Node::builder("n").build().is_paused());
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn is_paused(&self) -> bool {
        let rt = context::for_instance(self.instance, "detsim::node::Node::is_paused");
        rt.nodes.borrow().get(self.id).paused
    }

    /// How many times the node has been restarted.
    ///
    /// # Panics
    ///
    /// Outside the node's simulation.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let n = detsim::node::Node::builder("n").build();
    /// n.restart();
    /// assert_eq!(n.restarts(), 1);
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn restarts(&self) -> u32 {
        let rt = context::for_instance(self.instance, "detsim::node::Node::restarts");
        rt.nodes.borrow().get(self.id).restarts
    }
}

/// Builds a [`Node`]; see [`Node::builder`].
///
/// ```
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// let n = detsim::node::Node::builder("n").init(|| async { /* serve */ }).build();
/// # let _ = n;
/// # }).unwrap();
/// ```
#[must_use = "a NodeBuilder does nothing until you call build"]
pub struct NodeBuilder {
    name: String,
    init: Option<InitFn>,
}

impl NodeBuilder {
    /// The node's init closure, run as a task named `init` on the node when
    /// it is built and again at every restart (a process's `main`).
    ///
    /// The init task has no `JoinHandle`, so, as for a task whose handle
    /// was dropped, a panic in it fails the run at once (kind panic, naming
    /// the task `init` and the node), instead of leaving the rest of the
    /// system to wait for a node that is gone. Catch what may fail inside
    /// the closure's future if the node should survive it.
    ///
    /// ```
    /// let mut sim = detsim::Sim::builder().build();
    /// let failure = sim.run(async {
    ///     let _db = detsim::node::Node::builder("db")
    ///         .init(|| async { panic!("cannot open the data file") })
    ///         .build();
    ///     std::future::pending::<()>().await // would wait for the db forever
    /// }).unwrap_err();
    /// assert!(failure.is_panic());
    /// assert_eq!(failure.task().unwrap().node_name(), "db");
    /// ```
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let n = detsim::node::Node::builder("n")
    ///     .init(|| async { assert_eq!(detsim::task::current().name(), Some("init")) })
    ///     .build();
    /// # let _ = n;
    /// # detsim::yield_now().await;
    /// # }).unwrap();
    /// ```
    pub fn init<F, Fut>(mut self, init: F) -> NodeBuilder
    where
        F: Fn() -> Fut + 'static,
        Fut: Future<Output = ()> + 'static,
    {
        self.init = Some(Rc::new(move || Box::pin(init())));
        self
    }

    /// Creates the node (and spawns its init task).
    ///
    /// # Panics
    ///
    /// If a node of that name exists, if the network would never resolve
    /// the name to the node (an IP literal such as `10.0.0.1`, `::1` or
    /// `[::1]`, or `localhost` in any case, with or without a trailing dot:
    /// see [`Node::builder`]), or outside a simulation. Inside a simulation
    /// the panic fails the run, with a message that names the problem and
    /// the caller's location:
    ///
    /// ```
    /// let mut sim = detsim::Sim::builder().build();
    /// let failure = sim.run(async {
    ///     detsim::node::Node::builder("localhost").build();
    /// }).unwrap_err();
    /// assert!(failure.message().starts_with("detsim: a node cannot be named 'localhost': "));
    /// ```
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let n = detsim::node::Node::builder("n").build();
    /// assert!(n.is_alive());
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn build(self) -> Node {
        let rt = context::current("detsim::node::NodeBuilder::build");
        if let Some(why) = name::bad_name(&self.name) {
            panic!("detsim: a node cannot be named '{}': {why}", self.name);
        }
        let id = rt.create_node(self.name, self.init);
        Node {
            instance: rt.instance,
            id,
        }
    }
}

impl fmt::Debug for NodeBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NodeBuilder")
            .field("name", &self.name)
            .field("init", &self.init.is_some())
            .finish()
    }
}

/// A node's state inside the runtime.
pub(crate) struct NodeState {
    pub(crate) name: Arc<str>,
    /// Where the node was built: the spawn location of its init tasks.
    pub(crate) location: &'static std::panic::Location<'static>,
    pub(crate) alive: bool,
    pub(crate) paused: bool,
    pub(crate) restarts: u32,
    pub(crate) init: Option<InitFn>,
    /// Whether [`Node::shutdown`] asked this incarnation to shut down.
    pub(crate) shutdown: bool,
    /// Tasks waiting in [`shutdown_signal`] for it.
    pub(crate) shutdown_waiters: Waiters,
    /// Tasks waiting in [`Node::stopped`] for its tasks to finish.
    pub(crate) stop_waiters: Waiters,
}

pub(crate) const MAIN_NODE: NodeId = NodeId(0);

pub(crate) struct NodeTable {
    nodes: Vec<NodeState>,
}

impl NodeTable {
    pub(crate) fn new() -> NodeTable {
        NodeTable {
            nodes: vec![NodeState {
                name: Arc::from("main"),
                location: std::panic::Location::caller(),
                alive: true,
                paused: false,
                restarts: 0,
                init: None,
                shutdown: false,
                shutdown_waiters: Waiters::default(),
                stop_waiters: Waiters::default(),
            }],
        }
    }

    pub(crate) fn get(&self, id: NodeId) -> &NodeState {
        &self.nodes[id.0 as usize]
    }

    pub(crate) fn get_mut(&mut self, id: NodeId) -> &mut NodeState {
        &mut self.nodes[id.0 as usize]
    }

    pub(crate) fn by_name(&self, name: &str) -> Option<NodeId> {
        self.nodes
            .iter()
            .position(|n| &*n.name == name)
            .map(|i| NodeId(i as u32))
    }

    pub(crate) fn push(
        &mut self,
        name: Arc<str>,
        init: Option<InitFn>,
        location: &'static std::panic::Location<'static>,
    ) -> NodeId {
        self.nodes.push(NodeState {
            name,
            location,
            alive: true,
            paused: false,
            restarts: 0,
            init,
            shutdown: false,
            shutdown_waiters: Waiters::default(),
            stop_waiters: Waiters::default(),
        });
        NodeId(self.nodes.len() as u32 - 1)
    }

    pub(crate) fn len(&self) -> usize {
        self.nodes.len()
    }

    pub(crate) fn name(&self, id: NodeId) -> Arc<str> {
        self.get(id).name.clone()
    }

    /// Every waiter's waker, the lists emptied (at teardown: to drop
    /// after the borrow).
    pub(crate) fn take_waiters(&mut self) -> Vec<std::task::Waker> {
        let mut all = Vec::new();
        for n in &mut self.nodes {
            for list in [&mut n.shutdown_waiters, &mut n.stop_waiters] {
                if !list.is_empty() {
                    all.extend(list.take());
                }
            }
        }
        all
    }

    /// Drops every init closure (at teardown; they may own user state).
    pub(crate) fn take_inits(&mut self) -> Vec<InitFn> {
        self.nodes
            .iter_mut()
            .filter_map(|n| n.init.take())
            .collect()
    }
}
