//! `JoinSet`: an owned group of tasks, joined in completion order.

use std::fmt;
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::stream::{FuturesUnordered, Stream};

use super::{AbortHandle, Builder, JoinError, JoinHandle};
use crate::node::Node;

/// A set of tasks that finish in any order; asyncio's `TaskGroup`, tokio's
/// `JoinSet`.
///
/// [`join_next`](JoinSet::join_next) returns results in completion order
/// (which the schedule decides, deterministically). Dropping the set aborts
/// every task still in it.
///
/// # Example
///
/// ```
/// use sim_core::task::JoinSet;
/// let mut sim = sim_core::Sim::builder().seed(4).build();
/// let total = sim.run(async {
///     let mut set = JoinSet::new();
///     for i in 1..=4u32 {
///         set.spawn(async move { i * 10 });
///     }
///     let mut total = 0;
///     while let Some(res) = set.join_next().await {
///         total += res.unwrap();
///     }
///     total
/// }).unwrap();
/// assert_eq!(total, 100);
/// ```
pub struct JoinSet<T> {
    tasks: FuturesUnordered<JoinHandle<T>>,
}

impl<T: 'static> JoinSet<T> {
    /// An empty set.
    ///
    /// ```
    /// let set: sim_core::task::JoinSet<()> = sim_core::task::JoinSet::new();
    /// assert!(set.is_empty());
    /// ```
    pub fn new() -> JoinSet<T> {
        JoinSet {
            tasks: FuturesUnordered::new(),
        }
    }

    /// Number of tasks in the set (finished ones not yet joined included).
    ///
    /// ```
    /// # let mut sim = sim_core::Sim::builder().build();
    /// # sim.run(async {
    /// let mut set = sim_core::task::JoinSet::new();
    /// set.spawn(async {});
    /// assert_eq!(set.len(), 1);
    /// # }).unwrap();
    /// ```
    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    /// Whether the set holds no task.
    ///
    /// ```
    /// assert!(sim_core::task::JoinSet::<u8>::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }

    /// Spawns a task into the set, on the current node.
    ///
    /// # Panics
    ///
    /// Outside a simulation.
    ///
    /// ```
    /// # let mut sim = sim_core::Sim::builder().build();
    /// # sim.run(async {
    /// let mut set = sim_core::task::JoinSet::new();
    /// let abort = set.spawn(std::future::pending::<()>());
    /// abort.abort();
    /// assert!(set.join_next().await.unwrap().unwrap_err().is_cancelled());
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn spawn<F>(&mut self, future: F) -> AbortHandle
    where
        F: Future<Output = T> + Send + 'static,
        T: Send,
    {
        self.insert(Builder::new().spawn(future))
    }

    /// Spawns a `!Send` task into the set.
    ///
    /// # Panics
    ///
    /// Outside a simulation.
    ///
    /// ```
    /// # let mut sim = sim_core::Sim::builder().build();
    /// # sim.run(async {
    /// let mut set = sim_core::task::JoinSet::new();
    /// let rc = std::rc::Rc::new(1);
    /// set.spawn_local(async move { *rc });
    /// assert_eq!(set.join_next().await.unwrap().unwrap(), 1);
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn spawn_local<F>(&mut self, future: F) -> AbortHandle
    where
        F: Future<Output = T> + 'static,
    {
        self.insert(Builder::new().spawn_local(future))
    }

    /// Spawns a task into the set, on `node`.
    ///
    /// # Panics
    ///
    /// Outside a simulation.
    ///
    /// ```
    /// # let mut sim = sim_core::Sim::builder().build();
    /// # sim.run(async {
    /// let node = sim_core::node::Node::builder("n1").build();
    /// let mut set = sim_core::task::JoinSet::new();
    /// set.spawn_on(async { sim_core::node::Node::current().name() }, &node);
    /// assert_eq!(set.join_next().await.unwrap().unwrap(), "n1");
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn spawn_on<F>(&mut self, future: F, node: &Node) -> AbortHandle
    where
        F: Future<Output = T> + Send + 'static,
        T: Send,
    {
        self.insert(Builder::new().node(node).spawn(future))
    }

    fn insert(&mut self, handle: JoinHandle<T>) -> AbortHandle {
        let abort = handle.abort_handle();
        self.tasks.push(handle);
        abort
    }

    /// Waits for the next task to finish; `None` once the set is empty.
    ///
    /// ```
    /// # let mut sim = sim_core::Sim::builder().build();
    /// # sim.run(async {
    /// let mut set = sim_core::task::JoinSet::<()>::new();
    /// assert!(set.join_next().await.is_none());
    /// # }).unwrap();
    /// ```
    pub async fn join_next(&mut self) -> Option<Result<T, JoinError>> {
        poll_fn(|cx| self.poll_join_next(cx)).await
    }

    /// Polls for the next finished task (for manual future impls).
    ///
    /// ```
    /// let mut set = sim_core::task::JoinSet::<()>::new();
    /// let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    /// assert!(set.poll_join_next(&mut cx).is_ready());
    /// ```
    pub fn poll_join_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, JoinError>>> {
        Pin::new(&mut self.tasks).poll_next(cx)
    }

    /// Waits for every task and returns their outputs in completion order.
    ///
    /// # Panics
    ///
    /// Re-raises the first task panic it meets (like tokio's `join_all`);
    /// cancelled tasks are skipped.
    ///
    /// ```
    /// # let mut sim = sim_core::Sim::builder().build();
    /// # sim.run(async {
    /// let mut set = sim_core::task::JoinSet::new();
    /// set.spawn(async { 1 });
    /// set.spawn(async { 2 });
    /// let mut all = set.join_all().await;
    /// all.sort();
    /// assert_eq!(all, [1, 2]);
    /// # }).unwrap();
    /// ```
    pub async fn join_all(mut self) -> Vec<T> {
        let mut out = Vec::with_capacity(self.len());
        while let Some(res) = self.join_next().await {
            match res {
                Ok(v) => out.push(v),
                Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                Err(_) => {}
            }
        }
        out
    }

    /// Aborts every task in the set; they stay in the set until joined.
    ///
    /// # Panics
    ///
    /// Outside the tasks' simulation.
    ///
    /// ```
    /// # let mut sim = sim_core::Sim::builder().build();
    /// # sim.run(async {
    /// let mut set = sim_core::task::JoinSet::new();
    /// set.spawn(std::future::pending::<()>());
    /// set.abort_all();
    /// assert!(set.join_next().await.unwrap().unwrap_err().is_cancelled());
    /// # }).unwrap();
    /// ```
    pub fn abort_all(&mut self) {
        for h in self.tasks.iter() {
            h.abort();
        }
    }

    /// Aborts every task and waits until all are gone.
    ///
    /// ```
    /// # let mut sim = sim_core::Sim::builder().build();
    /// # sim.run(async {
    /// let mut set = sim_core::task::JoinSet::new();
    /// set.spawn(std::future::pending::<()>());
    /// set.shutdown().await;
    /// assert!(set.is_empty());
    /// # }).unwrap();
    /// ```
    pub async fn shutdown(&mut self) {
        self.abort_all();
        while self.join_next().await.is_some() {}
    }
}

impl<T: 'static> Default for JoinSet<T> {
    fn default() -> Self {
        JoinSet::new()
    }
}

impl<T> Drop for JoinSet<T> {
    fn drop(&mut self) {
        for h in self.tasks.iter() {
            // Quietly skip when the simulation is gone (dropped elsewhere).
            if let Some(rt) = crate::context::try_instance(h.raw_instance()) {
                rt.abort(h.raw());
            }
        }
    }
}

impl<T> fmt::Debug for JoinSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinSet")
            .field("len", &self.tasks.len())
            .finish()
    }
}
