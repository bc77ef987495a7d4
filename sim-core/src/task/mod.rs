//! Tasks: spawning, joining, names, ids and the current task.
//!
//! Every task belongs to a node (the spawning task's node unless a
//! [`Builder`] says otherwise) and has a per-simulation [`TaskId`]. Spawned
//! tasks start runnable; the scheduler decides when they first run.

mod blocking;
mod builder;
pub(crate) mod cell;
mod join;
mod join_set;
pub(crate) mod table;
mod yield_now;

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::sync::Arc;

pub(crate) use blocking::is_started as is_started_blocking;
pub use builder::Builder;
pub(crate) use join::RawHandle;
pub use join::{AbortHandle, JoinError, JoinHandle};
pub use join_set::JoinSet;
pub use yield_now::{YieldNow, yield_now};

use crate::context;
use crate::node::NodeId;

/// A task's id: unique within its simulation, counted from 0 in spawn order
/// (the main future of the first `run` is task 0). Ids are never reused.
///
/// # Example
///
/// ```
/// let mut sim = detsim::Sim::builder().build();
/// sim.run(async {
///     assert_eq!(detsim::task::id().as_u64(), 0);
///     let h = detsim::spawn(async { detsim::task::id() });
///     assert_eq!(h.await.unwrap().as_u64(), 1);
/// }).unwrap();
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TaskId(pub(crate) u64);

impl TaskId {
    /// The id as a number.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let n: u64 = detsim::task::id().as_u64();
    /// # let _ = n; }).unwrap();
    /// ```
    pub fn as_u64(self) -> u64 {
        self.0
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What is known about a task: id, name, node and where it was spawned.
/// Used in failure reports, deadlock lists and hygiene reports.
///
/// # Example
///
/// ```
/// let mut sim = detsim::Sim::builder().build();
/// sim.run(async {
///     let me = detsim::task::current();
///     assert_eq!(me.name(), Some("main"));
///     assert_eq!(me.node_name(), "main");
/// }).unwrap();
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskInfo {
    pub(crate) id: TaskId,
    pub(crate) name: Option<Arc<str>>,
    pub(crate) node: NodeId,
    pub(crate) node_name: Arc<str>,
    pub(crate) spawned_at: &'static Location<'static>,
}

impl TaskInfo {
    /// The task's id.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// assert_eq!(detsim::task::current().id(), detsim::task::id());
    /// # }).unwrap();
    /// ```
    pub fn id(&self) -> TaskId {
        self.id
    }

    /// The task's name, if it was given one.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let h = detsim::task::Builder::new().name("worker").spawn(async {
    ///     detsim::task::current().name().map(str::to_owned)
    /// });
    /// assert_eq!(h.await.unwrap().as_deref(), Some("worker"));
    /// # }).unwrap();
    /// ```
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The id of the task's node.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// assert_eq!(detsim::task::current().node(), detsim::node::Node::current().id());
    /// # }).unwrap();
    /// ```
    pub fn node(&self) -> NodeId {
        self.node
    }

    /// The name of the task's node.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// assert_eq!(detsim::task::current().node_name(), "main");
    /// # }).unwrap();
    /// ```
    pub fn node_name(&self) -> &str {
        &self.node_name
    }

    /// Where the task was spawned (the caller of `spawn`).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let h = detsim::spawn(async { detsim::task::current().spawned_at().line() });
    /// assert_eq!(h.await.unwrap(), line!() - 1);
    /// # }).unwrap();
    /// ```
    pub fn spawned_at(&self) -> &'static Location<'static> {
        self.spawned_at
    }
}

impl fmt::Display for TaskInfo {
    /// `task 3 'worker' on node 'server'`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "task {}", self.id)?;
        if let Some(name) = &self.name {
            write!(f, " '{name}'")?;
        }
        write!(f, " on node '{}'", self.node_name)
    }
}

/// Spawns a `Send` future as a new task on the current node.
///
/// The task is runnable at once; when it first runs is the scheduler's
/// choice. Await the [`JoinHandle`] for its output, or a [`JoinError`] if it
/// panicked or was cancelled. If nobody awaits it and it panics, the run
/// fails naming the task.
///
/// # Panics
///
/// Outside a simulation, with a message naming this function.
///
/// # Example
///
/// ```
/// let mut sim = detsim::Sim::builder().seed(1).build();
/// let v = sim.run(async {
///     let h = detsim::spawn(async { 6 * 7 });
///     h.await.unwrap()
/// }).unwrap();
/// assert_eq!(v, 42);
/// ```
#[track_caller]
#[inline(always)]
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    Builder::new().spawn(future)
}

/// Spawns a `!Send` future (one holding an `Rc`, say) on the current node.
///
/// The simulation runs on one thread, so `spawn` and `spawn_local` tasks are
/// scheduled alike; `spawn` only adds the `Send` bound code written for
/// multi-threaded runtimes expects.
///
/// # Panics
///
/// Outside a simulation.
///
/// # Example
///
/// ```
/// use std::rc::Rc;
/// let mut sim = detsim::Sim::builder().build();
/// sim.run(async {
///     let shared = Rc::new(5);
///     let h = detsim::spawn_local({
///         let shared = shared.clone();
///         async move { *shared + 1 }
///     });
///     assert_eq!(h.await.unwrap(), 6);
/// }).unwrap();
/// ```
#[track_caller]
#[inline(always)]
pub fn spawn_local<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    Builder::new().spawn_local(future)
}

/// Runs a blocking closure as a task: asyncio's `run_in_executor`.
///
/// The closure runs on the simulation thread when the scheduler first picks
/// the task, deterministically, then the task takes the configured virtual
/// cost ([`Builder::blocking_cost`](crate::Builder::blocking_cost), zero by
/// default) before its result is ready. A closure that blocks for real
/// blocks the whole simulation and is reported as a slow poll.
///
/// As in tokio, the task cannot be aborted once its closure has run:
/// [`JoinHandle::abort`] then has no effect and the handle still yields
/// the output after the cost. An abort before the task is first polled
/// cancels it, and the closure never runs. Killing the task's node drops
/// it like any task (its output is lost, as in a crash).
///
/// # Panics
///
/// Outside a simulation.
///
/// # Example
///
/// ```
/// let mut sim = detsim::Sim::builder().build();
/// let n = sim.run(async {
///     detsim::spawn_blocking(|| (1..=10).sum::<u32>()).await.unwrap()
/// }).unwrap();
/// assert_eq!(n, 55);
///
/// // Once the closure has run, abort has no effect.
/// let mut sim = detsim::Sim::builder()
///     .blocking_cost(std::time::Duration::from_millis(5))
///     .build();
/// sim.run(async {
///     let h = detsim::spawn_blocking(|| 7);
///     detsim::yield_now().await; // the closure runs
///     h.abort();
///     assert_eq!(h.await.unwrap(), 7);
/// }).unwrap();
/// ```
#[track_caller]
pub fn spawn_blocking<F, R>(f: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    Builder::new().spawn_blocking(f)
}

/// The id of the running task.
///
/// # Panics
///
/// Outside a simulation, or outside a task (in a waker, for instance).
///
/// # Example
///
/// ```
/// let mut sim = detsim::Sim::builder().build();
/// sim.run(async { println!("I am task {}", detsim::task::id()) }).unwrap();
/// ```
#[track_caller]
pub fn id() -> TaskId {
    current_named("detsim::task::id").id
}

/// The id of the running task, or `None` outside a simulation's task.
///
/// ```
/// assert_eq!(detsim::task::try_id(), None);
/// ```
pub fn try_id() -> Option<TaskId> {
    context::try_current().and_then(|rt| rt.current_task_info().map(|t| t.id))
}

/// The running task's [`TaskInfo`].
///
/// # Panics
///
/// Outside a simulation, or outside a task.
///
/// ```
/// let mut sim = detsim::Sim::builder().build();
/// sim.run(async { assert_eq!(detsim::task::current().id().as_u64(), 0) }).unwrap();
/// ```
#[track_caller]
pub fn current() -> TaskInfo {
    current_named("detsim::task::current")
}

/// [`current`], naming `api` in its panics.
#[track_caller]
fn current_named(api: &str) -> TaskInfo {
    let rt = context::current(api);
    match rt.current_task_info() {
        Some(info) => info,
        None => panic!("{api} was called outside a task (no task is being polled)"),
    }
}
