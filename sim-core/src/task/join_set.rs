//! `JoinSet`: an owned group of tasks, joined in completion order.
//!
//! # How completion order is kept
//!
//! Every task's join waker is set when it enters the set (not when the
//! set is first polled), to a small waker that records the task's key in
//! the set's `finished` list: `join_next` hands results out in that list's
//! order, the order in which the tasks finished, even for tasks that
//! finished before anyone called `join_next`.
//!
//! # Why it also keeps a queue it does not need
//!
//! The set used to be a `futures::stream::FuturesUnordered` of
//! `JoinHandle`s, whose wakes of the joining task (including the one it
//! makes to itself after polling every member without finding a finished
//! one) are part of every run's schedule and fingerprint. `queue` models
//! that structure's ready-to-run queue (members not yet examined, and
//! examined ones whose task finished since) so that the set wakes its
//! joiner exactly when it did before: runs whose results came out in
//! completion order keep their fingerprints; only the runs that got the
//! wrong order change.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Wake, Waker};

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
/// use detsim::task::JoinSet;
/// let mut sim = detsim::Sim::builder().seed(4).build();
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
    /// The members by key (keys count up from 0 and are never reused).
    members: BTreeMap<u64, Member<T>>,
    next_key: u64,
    shared: Arc<Shared>,
}

struct Member<T> {
    handle: JoinHandle<T>,
    /// The task's join waker: records its key when it finishes.
    waker: Waker,
}

/// What the members' wakers and the set share.
#[derive(Default)]
struct Shared(Mutex<State>);

#[derive(Default)]
struct State {
    /// Finished members not yet joined, in the order they finished.
    finished: VecDeque<u64>,
    /// The keys in `finished`.
    done: BTreeSet<u64>,
    /// The former `FuturesUnordered`'s ready-to-run queue (see the module
    /// docs): members not examined since they joined or last finished.
    queue: VecDeque<u64>,
    /// The keys in `queue`.
    queued: BTreeSet<u64>,
    /// The task waiting in `join_next`.
    joiner: Option<Waker>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A member's join waker.
struct Finished {
    key: u64,
    shared: Arc<Shared>,
}

impl Wake for Finished {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let joiner = {
            let mut state = self.shared.lock();
            if !state.done.insert(self.key) {
                return;
            }
            state.finished.push_back(self.key);
            // A member already examined goes back in the queue and wakes
            // the joiner; one still queued was never looked at, and its
            // finishing woke nobody.
            if state.queued.insert(self.key) {
                state.queue.push_back(self.key);
                state.joiner.take()
            } else {
                None
            }
        };
        if let Some(w) = joiner {
            w.wake();
        }
    }
}

impl<T: 'static> JoinSet<T> {
    /// An empty set.
    ///
    /// ```
    /// let set: detsim::task::JoinSet<()> = detsim::task::JoinSet::new();
    /// assert!(set.is_empty());
    /// ```
    pub fn new() -> JoinSet<T> {
        JoinSet {
            members: BTreeMap::new(),
            next_key: 0,
            shared: Arc::default(),
        }
    }

    /// Number of tasks in the set (finished ones not yet joined included).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let mut set = detsim::task::JoinSet::new();
    /// set.spawn(async {});
    /// assert_eq!(set.len(), 1);
    /// # }).unwrap();
    /// ```
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether the set holds no task.
    ///
    /// ```
    /// assert!(detsim::task::JoinSet::<u8>::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Spawns a task into the set, on the current node.
    ///
    /// # Panics
    ///
    /// Outside a simulation, or in another simulation from the one of the
    /// set's tasks.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let mut set = detsim::task::JoinSet::new();
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
    /// Outside a simulation, or in another simulation from the one of the
    /// set's tasks.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let mut set = detsim::task::JoinSet::new();
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
    /// Outside a simulation, or in another simulation from the one of the
    /// set's tasks.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let node = detsim::node::Node::builder("n1").build();
    /// let mut set = detsim::task::JoinSet::new();
    /// set.spawn_on(async { detsim::node::Node::current().name() }, &node);
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

    /// Runs a blocking closure as a task of the set, as
    /// [`spawn_blocking`](crate::spawn_blocking) does (tokio's
    /// `JoinSet::spawn_blocking`).
    ///
    /// # Panics
    ///
    /// Outside a simulation, or in another simulation from the one of the
    /// set's tasks.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let mut set = detsim::task::JoinSet::new();
    /// set.spawn_blocking(|| 6 * 7);
    /// assert_eq!(set.join_next().await.unwrap().unwrap(), 42);
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn spawn_blocking<F>(&mut self, f: F) -> AbortHandle
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send,
    {
        self.insert(Builder::new().spawn_blocking(f))
    }

    /// The simulation of the set's tasks (`None` while it is empty: an
    /// empty set may move to another simulation).
    fn instance(&self) -> Option<u64> {
        self.members
            .first_key_value()
            .map(|(_, m)| m.handle.raw_instance())
    }

    #[track_caller]
    fn insert(&mut self, handle: JoinHandle<T>) -> AbortHandle {
        if let Some(instance) = self.instance() {
            if instance != handle.raw_instance() {
                crate::context::wrong_instance("detsim::task::JoinSet::spawn");
            }
        }
        let abort = handle.abort_handle();
        let key = self.next_key;
        self.next_key += 1;
        let waker = Waker::from(Arc::new(Finished {
            key,
            shared: self.shared.clone(),
        }));
        let finished = handle.watch(&waker);
        {
            let mut state = self.shared.lock();
            state.queue.push_back(key);
            state.queued.insert(key);
            if finished {
                state.done.insert(key);
                state.finished.push_back(key);
            }
        }
        self.members.insert(key, Member { handle, waker });
        abort
    }

    /// Waits for the next task to finish; `None` once the set is empty.
    ///
    /// # Panics
    ///
    /// Outside the simulation of the set's tasks (an empty set may be
    /// used anywhere).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let mut set = detsim::task::JoinSet::<()>::new();
    /// assert!(set.join_next().await.is_none());
    /// # }).unwrap();
    /// ```
    pub async fn join_next(&mut self) -> Option<Result<T, JoinError>> {
        poll_fn(|cx| self.poll_join_next(cx)).await
    }

    /// The earliest finished task's result, if one has finished, without
    /// waiting (tokio's `JoinSet::try_join_next`); `None` when none has
    /// (or the set is empty).
    ///
    /// # Panics
    ///
    /// As [`join_next`](JoinSet::join_next).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let mut set = detsim::task::JoinSet::new();
    /// set.spawn(async { 1 });
    /// assert!(set.try_join_next().is_none()); // not run yet
    /// detsim::time::sleep(std::time::Duration::from_millis(1)).await;
    /// assert_eq!(set.try_join_next().unwrap().unwrap(), 1);
    /// assert!(set.try_join_next().is_none());
    /// # }).unwrap();
    /// ```
    pub fn try_join_next(&mut self) -> Option<Result<T, JoinError>> {
        if let Some(instance) = self.instance() {
            if crate::context::current_instance() != Some(instance) {
                crate::context::for_instance(instance, "detsim::task::JoinSet::try_join_next");
            }
        }
        let key = {
            let mut state = self.shared.lock();
            let first = state.finished.pop_front()?;
            // It leaves the set as `poll_join_next` hands it out.
            state.done.remove(&first);
            state.queue.retain(|&k| k != first);
            state.queued.remove(&first);
            first
        };
        let mut member = self
            .members
            .remove(&key)
            .expect("a finished key is a member");
        let mut cx = Context::from_waker(&member.waker);
        match Pin::new(&mut member.handle).poll(&mut cx) {
            Poll::Ready(result) => Some(result),
            Poll::Pending => unreachable!("detsim: a JoinSet member woke before it finished"),
        }
    }

    /// Polls for the next finished task (for manual future impls).
    ///
    /// # Panics
    ///
    /// As [`join_next`](JoinSet::join_next).
    ///
    /// ```
    /// let mut set = detsim::task::JoinSet::<()>::new();
    /// let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    /// assert!(set.poll_join_next(&mut cx).is_ready());
    /// ```
    pub fn poll_join_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, JoinError>>> {
        // A set of another simulation's tasks would wait for ever here:
        // refuse it as its handles would (one thread-local read).
        if let Some(instance) = self.instance() {
            if crate::context::current_instance() != Some(instance) {
                crate::context::for_instance(instance, "detsim::task::JoinSet::join_next");
            }
        }
        let len = self.members.len();
        let joiner = cx.waker().clone();
        let old = self.shared.lock().joiner.replace(joiner);
        drop(old);
        // Walk the queue as `FuturesUnordered` did (module docs): the
        // first finished member met means a result now, and it is the
        // earliest finished one that is handed out.
        let mut examined = 0;
        loop {
            let key = {
                let mut state = self.shared.lock();
                let Some(key) = state.queue.pop_front() else {
                    return match len {
                        0 => Poll::Ready(None),
                        _ => Poll::Pending,
                    };
                };
                examined += 1;
                if !state.done.contains(&key) {
                    state.queued.remove(&key);
                    if examined == len {
                        // Every member examined, none finished: the old
                        // structure yielded with a wake to itself.
                        drop(state);
                        cx.waker().wake_by_ref();
                        return Poll::Pending;
                    }
                    continue;
                }
                let first = state
                    .finished
                    .pop_front()
                    .expect("a finished member is listed");
                state.done.remove(&first);
                if first == key {
                    state.queued.remove(&key);
                } else {
                    // `key` finished later than `first`: it stays queued,
                    // in front, and `first` leaves the queue.
                    state.queue.push_front(key);
                    state.queue.retain(|&k| k != first);
                    state.queued.remove(&first);
                }
                first
            };
            let member = self
                .members
                .get_mut(&key)
                .expect("a queued key is a member");
            let mut cx = Context::from_waker(&member.waker);
            if let Poll::Ready(result) = Pin::new(&mut member.handle).poll(&mut cx) {
                self.members.remove(&key);
                return Poll::Ready(Some(result));
            }
            debug_assert!(false, "detsim: a JoinSet member woke before it finished");
        }
    }

    /// Waits for every task and returns their outputs in completion order.
    ///
    /// # Panics
    ///
    /// Re-raises the first task panic it meets (like tokio's `join_all`);
    /// cancelled tasks are skipped.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let mut set = detsim::task::JoinSet::new();
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
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let mut set = detsim::task::JoinSet::new();
    /// set.spawn(std::future::pending::<()>());
    /// set.abort_all();
    /// assert!(set.join_next().await.unwrap().unwrap_err().is_cancelled());
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn abort_all(&mut self) {
        // Newest first, the order the schedule has always seen.
        for m in self.members.values().rev() {
            m.handle.abort();
        }
    }

    /// Aborts every task and waits until all are gone.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let mut set = detsim::task::JoinSet::new();
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
        // Newest first, the order the schedule has always seen.
        for m in self.members.values().rev() {
            // Quietly skip when the simulation is gone (dropped elsewhere).
            if let Some(rt) = crate::context::try_instance(m.handle.raw_instance()) {
                rt.abort(m.handle.raw());
            }
        }
        // The handles are dropped (their tasks detached) newest first too.
        while let Some((_, member)) = self.members.pop_last() {
            drop(member);
        }
    }
}

impl<T> fmt::Debug for JoinSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinSet")
            .field("len", &self.members.len())
            .finish()
    }
}
