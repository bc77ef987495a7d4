//! The task table: a slab of task slots with generations.
//!
//! # Layout
//!
//! A scheduler picking uniformly among many runnable tasks touches slots in
//! random order, so every slot access is likely a cache miss. Each slot is
//! therefore split: the hot part ([`Slot`], exactly one 64-byte cache line)
//! holds what every poll, wake and join reads (state, future, joiner, id,
//! node), and the cold part ([`Cold`], a parallel table) holds what only
//! reports read (name, spawn location) and a panic's payload.
//!
//! Both live in fixed-size chunks that are never moved or reallocated: a
//! simulation that grows to a million tasks never copies its table.

use std::any::Any;
use std::panic::Location;
use std::sync::Arc;
use std::task::Waker;

use super::TaskId;
use super::cell::BoxTask;
use crate::node::NodeId;
use crate::panic::PanicRecord;
use crate::raw::MAX_TASKS;

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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    Pending,
    /// Returned; the output is inside the task's future box.
    Returned,
    /// Panicked; the payload is in the cold part.
    Panicked,
    Cancelled(Cancel),
    /// The `JoinHandle` took the result.
    Taken,
}

impl Outcome {
    pub(crate) fn is_pending(self) -> bool {
        self == Outcome::Pending
    }
}

pub(crate) type PanicBox = Box<(Box<dyn Any + Send>, PanicRecord)>;

/// The hot part of a task slot: one cache line.
#[repr(align(64))]
pub(crate) struct Slot {
    pub(crate) future: Option<BoxTask>,
    pub(crate) join_waker: Option<Waker>,
    pub(crate) id: TaskId,
    pub(crate) generation: u32,
    /// Bumped at each enqueue; a scheduler entry is live only with the
    /// current stamp. Never reset, so entries survive slot reuse safely.
    pub(crate) stamp: u32,
    pub(crate) node: NodeId,
    pub(crate) state: State,
    pub(crate) outcome: Outcome,
    /// Cancellation requested while the task was running.
    pub(crate) cancel: Option<Cancel>,
    pub(crate) vacant: bool,
    /// The `JoinHandle` was dropped.
    pub(crate) detached: bool,
    /// The main future of a run (polled in place, not from `future`).
    pub(crate) main: bool,
}

/// The cold part of a task slot.
pub(crate) struct Cold {
    pub(crate) name: Option<Arc<str>>,
    pub(crate) location: &'static Location<'static>,
    pub(crate) panic: Option<PanicBox>,
    /// A node's init task: it has no `JoinHandle` anybody could await, so
    /// its panic fails the run at once, as a detached task's does.
    pub(crate) init: bool,
}

/// What a freed slot still held (a future or output, a joiner's waker, a
/// panic payload): user values, dropped by the caller outside the table's
/// borrow because their destructors may call back into the runtime.
#[must_use = "drop it outside the task table's borrow"]
pub(crate) struct Held {
    _future: Option<BoxTask>,
    _waker: Option<Waker>,
    _panic: Option<PanicBox>,
}

/// Slots per chunk (a power of two).
const CHUNK: usize = 1024;

/// A growable array of fixed-size chunks: each chunk is allocated with
/// room for `CHUNK` elements and never grows, so growth never moves or
/// copies existing elements.
struct Chunked<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T> Default for Chunked<T> {
    fn default() -> Self {
        Chunked {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<T> Chunked<T> {
    fn push(&mut self, value: T) {
        if self.len % CHUNK == 0 {
            self.chunks.push(Vec::with_capacity(CHUNK));
        }
        self.chunks[self.len / CHUNK].push(value);
        self.len += 1;
    }

    #[inline]
    fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        self.chunks.get_mut(i / CHUNK)?.get_mut(i % CHUNK)
    }

    fn iter(&self) -> impl Iterator<Item = &T> {
        self.chunks.iter().flatten()
    }
}

impl<T> std::ops::Index<usize> for Chunked<T> {
    type Output = T;

    #[inline]
    fn index(&self, i: usize) -> &T {
        &self.chunks[i / CHUNK][i % CHUNK]
    }
}

impl<T> std::ops::IndexMut<usize> for Chunked<T> {
    #[inline]
    fn index_mut(&mut self, i: usize) -> &mut T {
        &mut self.chunks[i / CHUNK][i % CHUNK]
    }
}

#[derive(Default)]
pub(crate) struct TaskTable {
    slots: Chunked<Slot>,
    cold: Chunked<Cold>,
    free: Vec<u32>,
    next_id: u64,
    /// Occupied slots, so scans over them (end-of-run checks, node kills)
    /// stop as soon as they have seen them all.
    occupied: usize,
}

impl TaskTable {
    /// Takes a slot for a new task (state `Idle`); returns (index,
    /// generation, id).
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
        self.occupied += 1;
        let cold = Cold {
            name,
            location,
            panic: None,
            init: false,
        };
        match self.free.pop() {
            Some(index) => {
                let slot = &mut self.slots[index as usize];
                let generation = slot.generation;
                let stamp = slot.stamp;
                *slot = Slot::new(future, id, generation, stamp, node, main);
                self.cold[index as usize] = cold;
                (index, generation, id)
            }
            None => {
                let index = self.slots.len as u32;
                assert!(
                    index < MAX_TASKS,
                    "detsim: more than {MAX_TASKS} tasks alive in one simulation"
                );
                self.slots.push(Slot::new(future, id, 0, 0, node, main));
                self.cold.push(cold);
                (index, 0, id)
            }
        }
    }

    /// The id the next task will get.
    pub(crate) fn next_id(&self) -> u64 {
        self.next_id
    }

    /// The slot at `index` if it holds the task of generation `generation`.
    #[inline]
    pub(crate) fn get_mut(&mut self, index: u32, generation: u32) -> Option<&mut Slot> {
        self.slots
            .get_mut(index as usize)
            .filter(|s| !s.vacant && s.generation == generation)
    }

    /// The occupied slot at `index`.
    #[inline]
    pub(crate) fn slot_mut(&mut self, index: u32) -> &mut Slot {
        let s = &mut self.slots[index as usize];
        debug_assert!(!s.vacant);
        s
    }

    #[inline]
    pub(crate) fn slot(&self, index: u32) -> &Slot {
        &self.slots[index as usize]
    }

    /// The address of a slot (for prefetching; nothing is read).
    #[inline]
    pub(crate) fn slot_addr(&self, index: u32) -> usize {
        let i = index as usize;
        self.slots
            .chunks
            .get(i / CHUNK)
            .map_or(0, |c| c.as_ptr().wrapping_add(i % CHUNK).addr())
    }

    pub(crate) fn cold(&self, index: u32) -> &Cold {
        &self.cold[index as usize]
    }

    pub(crate) fn cold_mut(&mut self, index: u32) -> &mut Cold {
        &mut self.cold[index as usize]
    }

    /// The live slot at `index` whose generation `matches` (waker tokens
    /// carry only the low bits of the generation).
    #[inline]
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
        self.occupied -= 1;
        s.generation = s.generation.wrapping_add(1);
        s.state = State::Done;
        s.outcome = Outcome::Taken;
        let cold = &mut self.cold[index as usize];
        cold.name = None;
        self.free.push(index);
        Held {
            _future: s.future.take(),
            _waker: s.join_waker.take(),
            _panic: cold.panic.take(),
        }
    }

    /// Occupied slots, in index order. Stops after the last occupied one
    /// (at once when there is none).
    pub(crate) fn occupied(&self) -> impl Iterator<Item = (u32, &Slot)> {
        let mut left = self.occupied;
        self.slots
            .iter()
            .enumerate()
            .take_while(move |(_, s)| {
                if left == 0 {
                    return false;
                }
                left -= usize::from(!s.vacant);
                true
            })
            .filter(|(_, s)| !s.vacant)
            .map(|(i, s)| (i as u32, s))
    }
}

impl Slot {
    fn new(
        future: Option<BoxTask>,
        id: TaskId,
        generation: u32,
        stamp: u32,
        node: NodeId,
        main: bool,
    ) -> Slot {
        Slot {
            future,
            join_waker: None,
            id,
            generation,
            stamp,
            node,
            state: State::Idle,
            outcome: Outcome::Pending,
            cancel: None,
            vacant: false,
            detached: false,
            main,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::NodeId;

    #[test]
    fn a_hot_slot_is_one_cache_line() {
        assert_eq!(std::mem::size_of::<Slot>(), 64);
    }

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

    #[test]
    fn occupied_skips_holes_and_stops_after_the_last() {
        let mut t = TaskTable::default();
        let here = Location::caller();
        let idx: Vec<u32> = (0..6)
            .map(|_| t.insert(None, NodeId(0), None, here, false).0)
            .collect();
        for i in [0, 2, 5] {
            drop(t.remove(idx[i]));
        }
        let seen: Vec<u32> = t.occupied().map(|(i, _)| i).collect();
        assert_eq!(seen, [idx[1], idx[3], idx[4]]);
        for i in [1, 3, 4] {
            drop(t.remove(idx[i]));
        }
        assert_eq!(t.occupied().count(), 0);
    }
}
