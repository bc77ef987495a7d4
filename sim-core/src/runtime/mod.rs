//! The state of one simulation and the operations on it (spawn, wake,
//! cancel, join; nodes and teardown in `lifecycle`). The run loop is in
//! [`crate::executor`].
//!
//! # Borrow discipline
//!
//! State lives in separate `RefCell`s. No borrow is ever held while user
//! code runs (polling, dropping a future or an output, calling a waker):
//! every operation changes the tables first, releases them, and only then
//! drops, wakes or polls. That keeps re-entrant calls from user code (a
//! destructor that spawns, a waker that wakes another task) safe.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::panic::Location;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use sim_clock::{Clock, SystemTime};

use crate::builder::Builder;
use crate::choices::{Choices, DrawKind, Event, Finish};
use crate::failure::{Failure, FailureKind};
use crate::fingerprint::hash_str;
use crate::foreign;
use crate::node::{MAIN_NODE, NodeId, NodeTable};
use crate::panic::{self, PanicRecord};
use crate::raw::{self, Token};
use crate::report::{ForeignWake, Hygiene, SlowPoll};
use crate::sched::{Entry, Policy, Schedule};
use crate::task::cell::BoxTask;
use crate::task::table::{Cancel, Outcome, Slot, State, TaskTable};
use crate::task::{JoinError, RawHandle, TaskId, TaskInfo};
use crate::watchdog::Beacon;

mod lifecycle;

/// Process-unique simulation identities (never part of a schedule).
static NEXT_INSTANCE: AtomicU64 = AtomicU64::new(1);

/// 2020-01-01T00:00:00Z: the earliest drawn epoch.
const EPOCH_BASE_SECS: u64 = 1_577_836_800;
/// Drawn epochs fall within ten years of the base.
const EPOCH_SPAN_SECS: u64 = 10 * 365 * 24 * 3600;

/// The task being polled (or dropped).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Current {
    pub(crate) index: u32,
    pub(crate) id: TaskId,
    pub(crate) node: NodeId,
}

#[derive(Default)]
pub(crate) struct Diagnostics {
    pub(crate) hygiene: Hygiene,
    pub(crate) slow_polls: Vec<SlowPoll>,
    pub(crate) foreign_wakes: Vec<ForeignWake>,
}

pub(crate) struct Runtime {
    pub(crate) instance: u64,
    pub(crate) tag: u32,
    pub(crate) config: Builder,
    pub(crate) clock: Rc<Clock>,
    pub(crate) tasks: RefCell<TaskTable>,
    pub(crate) sched: RefCell<Policy>,
    /// Shared with the extensions' [`Recorder`](crate::ext::Recorder)s.
    pub(crate) choices: Rc<RefCell<Choices>>,
    pub(crate) nodes: RefCell<NodeTable>,
    pub(crate) current: Cell<Option<Current>>,
    /// The first failure of the running `run`, until it is returned.
    pub(crate) failure: RefCell<Option<Failure>>,
    /// Whether `failure` is set (checked every step).
    pub(crate) has_failure: Cell<bool>,
    /// Set once a failure has been returned: the simulation is poisoned.
    pub(crate) failed: RefCell<Option<(FailureKind, String)>>,
    pub(crate) steps: Cell<u64>,
    /// The step limit (`u64::MAX` for none).
    pub(crate) max_steps: u64,
    /// Scheduler entries whose task is no longer queued (aborted, killed
    /// or parked while queued); zero almost always.
    pub(crate) stale: Cell<u32>,
    pub(crate) paused_nodes: Cell<u32>,
    /// How many nodes are dead (killed and not restarted), changed with
    /// their `alive` flags; shared with extensions (see
    /// [`crate::ext::Liveness`]).
    pub(crate) dead_nodes: Rc<Cell<u32>>,
    /// Tearing down: new tasks are cancelled at once.
    pub(crate) closed: Cell<bool>,
    pub(crate) diag: RefCell<Diagnostics>,
    pub(crate) beacon: Option<Arc<Beacon>>,
    /// Task names by id, kept only when events are logged (for divergence
    /// reports).
    pub(crate) names: RefCell<Vec<(u64, Arc<str>)>>,
    /// Per-simulation state of extension crates (see [`crate::ext`]).
    pub(crate) ext: RefCell<crate::ext::Extensions>,
    /// Blocking tasks whose closure has run: abort leaves them alone.
    pub(crate) started_blocking: RefCell<Vec<TaskId>>,
    /// The last waiter id given to a future waiting on a node (see
    /// `node/waiters.rs`).
    pub(crate) waiter_ids: Cell<u64>,
}

impl Drop for Runtime {
    fn drop(&mut self) {
        foreign::unregister(self.tag);
    }
}

impl Runtime {
    pub(crate) fn new(config: Builder) -> Rc<Runtime> {
        let mut choices = Choices::new(config.seed, config.tape.clone(), config.log_limit());
        let clock = Clock::new();
        clock.set_auto_advance(config.auto_advance);
        clock.set_prefetcher(raw::prefetch);
        let epoch = config.epoch.unwrap_or_else(|| {
            let secs = choices.draw(DrawKind::Epoch, EPOCH_SPAN_SECS);
            SystemTime::UNIX_EPOCH + Duration::from_secs(EPOCH_BASE_SECS + secs)
        });
        clock.set_epoch(epoch);
        let sched = config.scheduler.build(config.pct_steps, &mut choices);
        let beacon = config
            .slow_poll
            .and_then(|threshold| Beacon::register(threshold, config.seed));
        let nodes = NodeTable::new();
        if let Some(b) = &beacon {
            b.node_created(MAIN_NODE, &nodes.name(MAIN_NODE));
        }
        let max_steps = config.max_steps.unwrap_or(u64::MAX);
        Rc::new(Runtime {
            // determinism: ok (identity only, never part of a schedule)
            instance: NEXT_INSTANCE.fetch_add(1, Ordering::Relaxed),
            tag: foreign::register(),
            config,
            clock,
            tasks: RefCell::default(),
            sched: RefCell::new(sched),
            choices: Rc::new(RefCell::new(choices)),
            nodes: RefCell::new(nodes),
            current: Cell::new(None),
            failure: RefCell::new(None),
            has_failure: Cell::new(false),
            failed: RefCell::new(None),
            steps: Cell::new(0),
            max_steps,
            stale: Cell::new(0),
            paused_nodes: Cell::new(0),
            dead_nodes: Rc::default(),
            closed: Cell::new(false),
            diag: RefCell::default(),
            beacon,
            names: RefCell::default(),
            ext: RefCell::default(),
            started_blocking: RefCell::default(),
            waiter_ids: Cell::new(0),
        })
    }

    // ---------------------------------------------------------------- info

    pub(crate) fn current_node(&self) -> NodeId {
        self.current.get().map_or(MAIN_NODE, |c| c.node)
    }

    /// What is known about the task in slot `index` of `tasks`.
    pub(crate) fn task_info_in(&self, tasks: &TaskTable, index: u32) -> TaskInfo {
        let (slot, cold) = (tasks.slot(index), tasks.cold(index));
        TaskInfo {
            id: slot.id,
            name: cold.name.clone(),
            node: slot.node,
            node_name: self.nodes.borrow().name(slot.node),
            spawned_at: cold.location,
        }
    }

    pub(crate) fn task_info(&self, index: u32) -> TaskInfo {
        let tasks = self.tasks.borrow();
        self.task_info_in(&tasks, index)
    }

    /// The main task (task 0 'main' on the main node), also after its slot
    /// is gone.
    pub(crate) fn main_task_info(&self) -> TaskInfo {
        TaskInfo {
            id: TaskId(0),
            name: Some(Arc::from("main")),
            node: MAIN_NODE,
            node_name: self.nodes.borrow().name(MAIN_NODE),
            spawned_at: Location::caller(),
        }
    }

    pub(crate) fn current_task_info(&self) -> Option<TaskInfo> {
        let cur = self.current.get()?;
        let tasks = self.tasks.borrow();
        let slot = tasks.slot(cur.index);
        if !slot.vacant && slot.id == cur.id {
            return Some(self.task_info_in(&tasks, cur.index));
        }
        // Being dropped after its slot was freed.
        Some(TaskInfo {
            id: cur.id,
            name: None,
            node: cur.node,
            node_name: self.nodes.borrow().name(cur.node),
            spawned_at: Location::caller(),
        })
    }

    /// The id of a node handle of this simulation.
    ///
    /// # Panics
    ///
    /// For a handle of another simulation, at the caller's location.
    #[track_caller]
    pub(crate) fn node_of_handle(&self, node: &crate::node::Node) -> NodeId {
        assert!(
            node.instance == self.instance,
            "a detsim Node handle was used in a different simulation from the one that created \
             it: detsim handles belong to one simulation; use them inside the `Sim::run` that \
             made them"
        );
        node.id
    }

    /// Records the run's first failure; the executor returns it after the
    /// current step.
    pub(crate) fn fail(&self, failure: Failure) {
        let mut slot = self.failure.borrow_mut();
        if slot.is_none() {
            *slot = Some(failure);
            self.has_failure.set(true);
        }
    }

    /// Takes the recorded failure, if any.
    pub(crate) fn take_failure(&self) -> Option<Failure> {
        self.has_failure.set(false);
        self.failure.borrow_mut().take()
    }

    /// A panic failure naming the task.
    pub(crate) fn panic_failure(task: TaskInfo, record: PanicRecord, what: &str) -> Failure {
        let mut headline = format!("{task} {what}");
        if let Some(loc) = &record.location {
            headline.push_str(&format!(" at {loc}"));
        }
        headline.push_str(&format!(": {}", record.message));
        let mut f = Failure::new(FailureKind::Panic, headline, record.message);
        let inner = f.inner_mut();
        inner.task = Some(task);
        inner.location = record.location;
        inner.backtrace = record.backtrace;
        f
    }

    fn event(&self, event: Event) {
        self.choices.borrow_mut().event(event);
    }

    // --------------------------------------------------------------- spawn

    pub(crate) fn spawn(
        &self,
        future: BoxTask,
        name: Option<Arc<str>>,
        node: Option<NodeId>,
        location: &'static Location<'static>,
    ) -> RawHandle {
        let node = node.unwrap_or_else(|| self.current_node());
        let up = !self.closed.get() && self.nodes.borrow().get(node).alive;
        let name_hash = name.as_deref().map_or(0, hash_str);
        if self.config.log_events {
            if let Some(n) = &name {
                let id = self.tasks.borrow().next_id();
                self.names.borrow_mut().push((id, n.clone()));
            }
        }
        let named = name.is_some();
        let (index, generation, id) =
            self.tasks
                .borrow_mut()
                .insert(Some(future), node, name, location, false);
        // For the watchdog's warning of a poll that does not return (an
        // unnamed task of the main node, the common spawn, needs no trace).
        if let Some(b) = &self.beacon {
            if named {
                self.trace_named_spawn(index, id, node);
            } else if node != MAIN_NODE {
                b.spawned(index, id, None, node);
            }
        }
        {
            let mut choices = self.choices.borrow_mut();
            self.sched.borrow_mut().spawned(index, &mut choices);
            choices.event(Event::Spawn {
                task: id.0,
                node: node.0,
                name: name_hash,
            });
        }
        let raw = RawHandle {
            instance: self.instance,
            index,
            generation,
            id,
        };
        if up {
            let mut tasks = self.tasks.borrow_mut();
            self.enqueue_slot(index, tasks.slot_mut(index));
        } else {
            let why = if self.closed.get() {
                Cancel::Shutdown
            } else {
                Cancel::NodeDown
            };
            self.cancel(index, generation, why);
        }
        raw
    }

    /// Tells the watchdog of the named task just spawned into slot
    /// `index`.
    #[cold]
    fn trace_named_spawn(&self, index: u32, id: TaskId, node: NodeId) {
        if let Some(b) = &self.beacon {
            b.spawned(
                index,
                id,
                self.tasks.borrow().cold(index).name.as_ref(),
                node,
            );
        }
    }

    /// Allocates the slot of a run's main future (which lives on the
    /// caller's stack) and makes it runnable.
    pub(crate) fn spawn_main(&self, location: &'static Location<'static>) -> u32 {
        let name: Arc<str> = Arc::from("main");
        let (index, _, id) =
            self.tasks
                .borrow_mut()
                .insert(None, MAIN_NODE, Some(name.clone()), location, true);
        if let Some(b) = &self.beacon {
            b.spawned(index, id, Some(&name), MAIN_NODE);
        }
        if self.config.log_events {
            self.names.borrow_mut().push((id.0, Arc::from("main")));
        }
        let mut choices = self.choices.borrow_mut();
        self.sched.borrow_mut().spawned(index, &mut choices);
        choices.event(Event::Spawn {
            task: id.0,
            node: MAIN_NODE.0,
            name: hash_str("main"),
        });
        drop(choices);
        let mut tasks = self.tasks.borrow_mut();
        self.enqueue_slot(index, tasks.slot_mut(index));
        index
    }

    /// Makes a task runnable (or parks it if its node is paused).
    #[inline]
    pub(crate) fn enqueue_slot(&self, index: u32, slot: &mut Slot) {
        if self.paused_nodes.get() > 0 && self.nodes.borrow().get(slot.node).paused {
            slot.state = State::Parked;
            return;
        }
        slot.state = State::Queued;
        slot.stamp = slot.stamp.wrapping_add(1);
        let hint = slot.future.as_ref().map_or(0, BoxTask::hint);
        self.sched.borrow_mut().push(Entry {
            index,
            stamp: slot.stamp,
            hint,
        });
    }

    // ---------------------------------------------------------------- wake

    /// A waker of this simulation fired on its thread.
    #[inline]
    pub(crate) fn wake_token(&self, token: Token) {
        let mut tasks = self.tasks.borrow_mut();
        let Some(slot) = tasks.get_by_token(token.index(), |g| token.matches(g)) else {
            return; // the task is gone: a stale waker
        };
        match slot.state {
            State::Idle => self.enqueue_slot(token.index(), slot),
            State::Running => slot.state = State::Notified,
            State::Queued | State::Notified | State::Parked | State::Done => {}
        }
    }

    /// Delivers wakes queued from outside the run, recording each.
    pub(crate) fn take_foreign_wakes(&self) {
        let queued = foreign::take(self.tag);
        for q in queued {
            let task = {
                let mut tasks = self.tasks.borrow_mut();
                let live = tasks
                    .get_by_token(q.token.index(), |g| q.token.matches(g))
                    .is_some();
                live.then(|| self.task_info_in(&tasks, q.token.index()))
            };
            let thread = q.thread_name.unwrap_or_else(|| format!("{:?}", q.thread));
            self.diag.borrow_mut().foreign_wakes.push(ForeignWake {
                task,
                thread,
                step: self.steps.get(),
            });
            self.wake_token(q.token);
        }
    }

    // -------------------------------------------------------------- cancel

    /// Cancels a pending task: now, or when its running poll returns.
    pub(crate) fn cancel(&self, index: u32, generation: u32, why: Cancel) {
        let future = {
            let mut tasks = self.tasks.borrow_mut();
            let Some(slot) = tasks.get_mut(index, generation) else {
                return;
            };
            if !slot.outcome.is_pending() {
                return;
            }
            if matches!(slot.state, State::Running | State::Notified) {
                slot.cancel.get_or_insert(why);
                return;
            }
            if slot.state == State::Queued {
                self.stale.set(self.stale.get() + 1);
            }
            slot.future.take()
        };
        self.finish_cancelled(index, why, future);
    }

    /// Records a cancellation, drops the future (its slot still holds the
    /// task's name and node), then frees a detached slot and wakes the
    /// joiner.
    pub(crate) fn finish_cancelled(&self, index: u32, why: Cancel, future: Option<BoxTask>) {
        let (cur, generation, name) = {
            let mut tasks = self.tasks.borrow_mut();
            let slot = tasks.slot_mut(index);
            slot.state = State::Done;
            slot.outcome = Outcome::Cancelled(why);
            slot.cancel = None;
            let cur = Current {
                index,
                id: slot.id,
                node: slot.node,
            };
            let generation = slot.generation;
            (cur, generation, tasks.cold(index).name.clone())
        };
        self.event(Event::Finish {
            task: cur.id.0,
            how: Finish::Cancelled,
        });
        if let Some(f) = future {
            self.drop_as(cur, name.clone(), f);
        }
        self.finished_on(cur.node);
        // The handle may have taken the result while the future dropped.
        let (waker, freed) = {
            let mut tasks = self.tasks.borrow_mut();
            match tasks.get_mut(index, generation) {
                Some(slot) => {
                    let waker = slot.join_waker.take();
                    let freed = slot.detached.then(|| tasks.remove(index));
                    (waker, freed)
                }
                None => (None, None),
            }
        };
        if let Some(freed) = freed {
            self.drop_as(cur, name, freed);
        }
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// Drops something owned by a task (its future, its output) with that
    /// task current, turning a panicking destructor into a run failure.
    /// `name` is the task's name, which its slot may no longer hold.
    pub(crate) fn drop_as<T>(&self, cur: Current, name: Option<Arc<str>>, value: T) {
        let prev = self.current.replace(Some(cur));
        // Timers a destructor arms are attributed to the task dropped.
        self.clock.set_owner(cur.id.0);
        let result = panic::catch(move || drop(value));
        self.current.set(prev);
        if let Err((_payload, record)) = result {
            let info = TaskInfo {
                id: cur.id,
                name,
                node: cur.node,
                node_name: self.nodes.borrow().name(cur.node),
                spawned_at: Location::caller(),
            };
            self.fail(Self::panic_failure(
                info,
                record,
                "panicked in a destructor while it was dropped",
            ));
        }
    }

    pub(crate) fn abort(&self, raw: RawHandle) {
        if crate::task::is_started_blocking(self, raw) {
            return; // tokio's blocking tasks cannot be stopped once started
        }
        self.cancel(raw.index, raw.generation, Cancel::Aborted);
    }

    // ---------------------------------------------------------------- join

    pub(crate) fn poll_join(
        &self,
        raw: RawHandle,
        cx: &mut Context<'_>,
        dst: &mut dyn Any,
    ) -> Poll<Result<(), JoinError>> {
        let (result, freed) = {
            let mut tasks = self.tasks.borrow_mut();
            let slot = tasks
                .get_mut(raw.index, raw.generation)
                .expect("detsim: a JoinHandle outlived its task's slot");
            if slot.outcome.is_pending() {
                let same = slot
                    .join_waker
                    .as_ref()
                    .is_some_and(|w| w.will_wake(cx.waker()));
                drop(tasks);
                if !same {
                    // Clone and drop wakers outside the borrow (user code).
                    let waker = cx.waker().clone();
                    let old = self
                        .tasks
                        .borrow_mut()
                        .slot_mut(raw.index)
                        .join_waker
                        .replace(waker);
                    drop(old);
                }
                return Poll::Pending;
            }
            let outcome = std::mem::replace(&mut slot.outcome, Outcome::Taken);
            let result = match outcome {
                Outcome::Returned => {
                    let took = slot.future.as_mut().is_some_and(|f| f.take_output(dst));
                    assert!(took, "detsim: a task's output had an unexpected type");
                    Ok(())
                }
                Outcome::Panicked => {
                    let info = self.task_info_in(&tasks, raw.index);
                    let (payload, record) = *tasks
                        .cold_mut(raw.index)
                        .panic
                        .take()
                        .expect("a panicked task keeps its payload");
                    Err(JoinError::panic(info, payload, record))
                }
                Outcome::Cancelled(why) => Err(JoinError::cancelled(
                    self.task_info_in(&tasks, raw.index),
                    why,
                )),
                Outcome::Pending | Outcome::Taken => unreachable!("checked above"),
            };
            (result, tasks.remove(raw.index))
        };
        drop(freed);
        Poll::Ready(result)
    }

    /// A `JoinHandle` was dropped without completing.
    pub(crate) fn detach(&self, raw: RawHandle) {
        let (cur, freed, failure) = {
            let mut tasks = self.tasks.borrow_mut();
            let Some(slot) = tasks.get_mut(raw.index, raw.generation) else {
                return;
            };
            slot.detached = true;
            if slot.outcome.is_pending() {
                return;
            }
            let cur = Current {
                index: raw.index,
                id: slot.id,
                node: slot.node,
            };
            let failure = match slot.outcome {
                Outcome::Panicked => {
                    let info = self.task_info_in(&tasks, raw.index);
                    let record = tasks.cold(raw.index).panic.as_ref().map(|b| b.1.clone());
                    let record = record.expect("a panicked task keeps its payload");
                    let mut f = Self::panic_failure(info, record, "panicked");
                    f.inner_mut().details.push(
                        "its JoinHandle was dropped without being awaited, so nobody saw the panic"
                            .to_owned(),
                    );
                    Some(f)
                }
                _ => None,
            };
            // The output or panic payload leaves with the slot.
            let name = tasks.cold(raw.index).name.clone();
            (cur, (name, tasks.remove(raw.index)), failure)
        };
        self.drop_as(cur, freed.0, freed.1);
        if let Some(f) = failure {
            self.fail(f);
        }
    }

    /// Makes `waker` the task's join waker without taking its result (a
    /// `JoinSet` watching a task it has not polled yet); `true` if the task
    /// has finished already (no waker is kept then).
    pub(crate) fn watch_join(&self, raw: RawHandle, waker: &std::task::Waker) -> bool {
        let waker = waker.clone();
        let old = {
            let mut tasks = self.tasks.borrow_mut();
            match tasks.get_mut(raw.index, raw.generation) {
                Some(slot) if slot.outcome.is_pending() => slot.join_waker.replace(waker),
                _ => return true,
            }
        };
        // Dropped outside the borrow: a waker's destructor is user code.
        drop(old);
        false
    }

    pub(crate) fn is_finished(&self, raw: RawHandle) -> bool {
        let mut tasks = self.tasks.borrow_mut();
        tasks
            .get_mut(raw.index, raw.generation)
            .is_none_or(|s| !s.outcome.is_pending())
    }
}
