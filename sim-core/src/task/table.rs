//! The task table: a slab of task slots with generations.

use std::any::Any;
use std::panic::Location;
use std::sync::Arc;
use std::task::Waker;

use super::TaskId;
use super::cell::BoxTask;
use crate::node::NodeId;
use crate::panic::PanicRecord;
use crate::waker::MAX_TASKS;

/// Where a task is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum State {
    /// Pending, waiting for a wake.
    Idle,
    /// Runnable, held by the scheduler.
    Queued,
    /// Being polled.
    Running,
    /// Woken while being polled: runnable again once the poll returns.
    Notified,
    /// Runnable, but its node is paused.
    Parked,
    /// Finished (returned, panicked or cancelled).
    Done,
}

/// Why a task was cancelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cancel {
    /// `JoinHandle::abort` / `AbortHandle::abort` / `JoinSet`.
    Aborted,
    /// Its node was killed.
    NodeKilled,
    /// Spawned onto a node that was down.
    NodeDown,
    /// The simulation was being torn down.
    Shutdown,
}

/// How a task ended, until its `JoinHandle` takes it.
pub(crate) enum Outcome {
    Pending,
    /// Returned; the output is inside the task's future box.
    Returned,
    Panicked(Box<(Box<dyn Any + Send>, PanicRecord)>),
    Cancelled(Cancel),
    /// The `JoinHandle` took the result.
    Taken,
}

impl Outcome {
    pub(crate) fn is_pending(&self) -> bool {
        matches!(self, Outcome::Pending)
    }
}

/// Fixed facts about a task.
#[derive(Clone, Debug)]
pub(crate) struct Meta {
    pub(crate) id: TaskId,
    pub(crate) node: NodeId,
    pub(crate) name: Option<Arc<str>>,
    pub(crate) location: &'static Location<'static>,
    pub(crate) main: bool,
}

pub(crate) struct Slot {
    pub(crate) generation: u32,
    /// Bumped at each enqueue; a scheduler entry is live only with the
    /// current stamp. Never reset, so entries survive slot reuse safely.
    pub(crate) stamp: u32,
    pub(crate) vacant: bool,
    pub(crate) state: State,
    pub(crate) future: Option<BoxTask>,
    pub(crate) outcome: Outcome,
    /// The `JoinHandle` was dropped.
    pub(crate) detached: bool,
    /// Cancellation requested while the task was running.
    pub(crate) cancel: Option<Cancel>,
    pub(crate) join_waker: Option<Waker>,
    pub(crate) meta: Meta,
}

/// What a freed slot still held (a future or output, a joiner's waker, a
/// panic payload): user values, dropped by the caller outside the table's
/// borrow because their destructors may call back into the runtime.
#[must_use = "drop it outside the task table's borrow"]
pub(crate) struct Held {
    _future: Option<BoxTask>,
    _waker: Option<Waker>,
    _outcome: Outcome,
}

#[derive(Default)]
pub(crate) struct TaskTable {
    slots: Vec<Slot>,
    free: Vec<u32>,
    next_id: u64,
}

impl TaskTable {
    /// Takes a slot for a new task (state `Idle`); returns (index, generation).
    #[track_caller]
    pub(crate) fn insert(
        &mut self,
        future: Option<BoxTask>,
        node: NodeId,
        name: Option<Arc<str>>,
        location: &'static Location<'static>,
        main: bool,
    ) -> (u32, u32, TaskId) {
        let id = TaskId(self.next_id);
        self.next_id += 1;
        let meta = Meta {
            id,
            node,
            name,
            location,
            main,
        };
        let index = match self.free.pop() {
            Some(i) => i,
            None => {
                let i = self.slots.len() as u32;
                assert!(
                    i < MAX_TASKS,
                    "detsim: more than {MAX_TASKS} tasks alive in one simulation"
                );
                self.slots.push(Slot {
                    generation: 0,
                    stamp: 0,
                    vacant: true,
                    state: State::Done,
                    future: None,
                    outcome: Outcome::Taken,
                    detached: false,
                    cancel: None,
                    join_waker: None,
                    meta: meta.clone(),
                });
                i
            }
        };
        let slot = &mut self.slots[index as usize];
        slot.vacant = false;
        slot.state = State::Idle;
        slot.future = future;
        slot.outcome = Outcome::Pending;
        slot.detached = false;
        slot.cancel = None;
        slot.join_waker = None;
        slot.meta = meta;
        (index, slot.generation, id)
    }

    /// The id the next task will get.
    pub(crate) fn next_id(&self) -> u64 {
        self.next_id
    }

    /// The slot at `index` if it holds the task of generation `generation`.
    pub(crate) fn get_mut(&mut self, index: u32, generation: u32) -> Option<&mut Slot> {
        self.slots
            .get_mut(index as usize)
            .filter(|s| !s.vacant && s.generation == generation)
    }

    /// The occupied slot at `index`.
    pub(crate) fn slot_mut(&mut self, index: u32) -> &mut Slot {
        let s = &mut self.slots[index as usize];
        debug_assert!(!s.vacant);
        s
    }

    pub(crate) fn slot(&self, index: u32) -> &Slot {
        &self.slots[index as usize]
    }

    /// Whether `index` holds a live task (for waker tokens, which carry only
    /// the low 24 bits of the generation).
    pub(crate) fn get_by_token(
        &mut self,
        index: u32,
        matches: impl FnOnce(u32) -> bool,
    ) -> Option<&mut Slot> {
        self.slots
            .get_mut(index as usize)
            .filter(|s| !s.vacant && matches(s.generation))
    }

    /// Frees a slot; returns what it still held so the caller can drop it
    /// outside the table's borrow.
    pub(crate) fn remove(&mut self, index: u32) -> Held {
        let s = &mut self.slots[index as usize];
        debug_assert!(!s.vacant);
        s.vacant = true;
        s.generation = s.generation.wrapping_add(1);
        s.state = State::Done;
        s.meta.name = None;
        self.free.push(index);
        Held {
            _future: s.future.take(),
            _waker: s.join_waker.take(),
            _outcome: std::mem::replace(&mut s.outcome, Outcome::Taken),
        }
    }

    /// Indices of occupied slots, in index order.
    pub(crate) fn occupied(&self) -> impl Iterator<Item = (u32, &Slot)> {
        self.slots
            .iter()
            .enumerate()
            .filter(|(_, s)| !s.vacant)
            .map(|(i, s)| (i as u32, s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::NodeId;

    #[test]
    fn slots_are_reused_with_a_new_generation() {
        let mut t = TaskTable::default();
        let (i, g, id0) = t.insert(None, NodeId(0), None, Location::caller(), false);
        drop(t.remove(i));
        let (j, h, id1) = t.insert(None, NodeId(0), None, Location::caller(), false);
        assert_eq!(i, j);
        assert_ne!(g, h);
        assert_ne!(id0, id1, "task ids are never reused");
        assert!(t.get_mut(i, g).is_none());
        assert!(t.get_mut(j, h).is_some());
        assert_eq!(t.occupied().count(), 1);
    }
}
