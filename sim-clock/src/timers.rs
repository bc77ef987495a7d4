//! The timer queue: a slab of timer slots plus a min-heap of deadlines.
//!
//! # Algorithm
//!
//! Every armed timer owns a slot (stable index, reused through a free list)
//! holding its deadline, the waker to call, the task that armed it and a
//! unique arming sequence number. The heap holds `(deadline, seq, slot)`
//! entries ordered by deadline then by `seq`, so timers with the same deadline
//! come out in the order they were armed: that is the "simplest" order which a
//! draw of zero keeps (see [`Clock::advance_to`](crate::Clock::advance_to)).
//!
//! Cancelling (dropping a `Sleep`) and re-arming (`Sleep::reset`) do not
//! search the heap: they free or re-sequence the slot, which turns the old
//! heap entry stale. A heap entry is live only while its slot is armed with the
//! same `seq`; stale entries are skipped when they reach the top, and the heap
//! is rebuilt from the live slots when stale entries outnumber live ones, so a
//! dropped sleep leaves neither a wakeup, nor a clock jump, nor unbounded
//! memory behind.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::task::Waker;

/// Handle to a timer slot, held by the `Sleep` that armed it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TimerKey {
    idx: u32,
    generation: u32,
}

#[derive(Debug)]
struct Slot {
    generation: u32,
    state: SlotState,
    deadline: u64,
    seq: u64,
    owner: u64,
    waker: Option<Waker>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SlotState {
    Free,
    Armed,
    /// Fired: the waker was called; the slot stays with its `Sleep` until the
    /// `Sleep` completes or is dropped.
    Fired,
}

/// One armed timer as reported by [`TimerQueue::armed`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ArmedTimer {
    pub(crate) deadline: u64,
    pub(crate) owner: u64,
}

#[derive(Debug, Default)]
pub(crate) struct TimerQueue {
    slots: Vec<Slot>,
    free: Vec<u32>,
    heap: BinaryHeap<Reverse<(u64, u64, u32)>>,
    next_seq: u64,
    armed: usize,
}

impl TimerQueue {
    /// Arms a new timer.
    pub(crate) fn insert(&mut self, deadline: u64, waker: Waker, owner: u64) -> TimerKey {
        let seq = self.bump_seq();
        let idx = match self.free.pop() {
            Some(idx) => {
                let slot = &mut self.slots[idx as usize];
                slot.state = SlotState::Armed;
                slot.deadline = deadline;
                slot.seq = seq;
                slot.owner = owner;
                slot.waker = Some(waker);
                idx
            }
            None => {
                let idx = u32::try_from(self.slots.len()).expect("more than 2^32 timers armed");
                self.slots.push(Slot {
                    generation: 0,
                    state: SlotState::Armed,
                    deadline,
                    seq,
                    owner,
                    waker: Some(waker),
                });
                idx
            }
        };
        self.armed += 1;
        self.heap.push(Reverse((deadline, seq, idx)));
        TimerKey {
            idx,
            generation: self.slots[idx as usize].generation,
        }
    }

    fn bump_seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    fn slot_mut(&mut self, key: TimerKey) -> &mut Slot {
        let slot = &mut self.slots[key.idx as usize];
        assert!(
            slot.generation == key.generation && slot.state != SlotState::Free,
            "detsim: stale timer key (a Sleep outlived its timer slot)"
        );
        slot
    }

    /// Whether the timer's waker would wake the same task as `waker`.
    pub(crate) fn will_wake(&self, key: TimerKey, waker: &Waker) -> bool {
        let slot = &self.slots[key.idx as usize];
        slot.generation == key.generation && slot.waker.as_ref().is_some_and(|w| w.will_wake(waker))
    }

    /// Replaces a timer's waker; returns the old one (to drop outside any
    /// borrow: dropping a waker may run arbitrary code).
    pub(crate) fn set_waker(&mut self, key: TimerKey, waker: Waker) -> Option<Waker> {
        self.slot_mut(key).waker.replace(waker)
    }

    /// Re-arms a timer (armed or fired) for a new deadline, keeping its
    /// waker.
    pub(crate) fn reset(&mut self, key: TimerKey, deadline: u64) {
        let seq = self.bump_seq();
        let slot = self.slot_mut(key);
        let was_armed = slot.state == SlotState::Armed;
        slot.state = SlotState::Armed;
        slot.deadline = deadline;
        slot.seq = seq;
        if !was_armed {
            self.armed += 1;
        }
        self.heap.push(Reverse((deadline, seq, key.idx)));
        self.maybe_compact();
    }

    /// Frees a timer's slot; its heap entry (if armed) turns stale. Returns
    /// the waker it held, so the caller can drop it outside any borrow.
    pub(crate) fn remove(&mut self, key: TimerKey) -> Option<Waker> {
        let slot = self.slot_mut(key);
        let was_armed = slot.state == SlotState::Armed;
        slot.state = SlotState::Free;
        slot.generation = slot.generation.wrapping_add(1);
        let waker = slot.waker.take();
        self.free.push(key.idx);
        if was_armed {
            self.armed -= 1;
            self.maybe_compact();
        }
        waker
    }

    /// Rebuilds the heap from live entries once stale ones outnumber them.
    fn maybe_compact(&mut self) {
        if self.heap.len() <= 1024 || self.heap.len() <= 2 * self.armed {
            return;
        }
        let slots = &self.slots;
        let live: Vec<_> = std::mem::take(&mut self.heap)
            .into_vec()
            .into_iter()
            .filter(|Reverse((_, seq, idx))| {
                let s = &slots[*idx as usize];
                s.state == SlotState::Armed && s.seq == *seq
            })
            .collect();
        self.heap = BinaryHeap::from(live);
    }

    fn is_live(&self, seq: u64, idx: u32) -> bool {
        let s = &self.slots[idx as usize];
        s.state == SlotState::Armed && s.seq == seq
    }

    /// The earliest deadline of an armed timer.
    pub(crate) fn next_deadline(&mut self) -> Option<u64> {
        while let Some(&Reverse((deadline, seq, idx))) = self.heap.peek() {
            if self.is_live(seq, idx) {
                return Some(deadline);
            }
            self.heap.pop();
        }
        None
    }

    /// Fires every armed timer whose deadline is exactly `at`, appending their
    /// wakers to `out` in arming order.
    pub(crate) fn fire_at(&mut self, at: u64, out: &mut Vec<Waker>) -> usize {
        let mut fired = 0;
        while let Some(&Reverse((deadline, seq, idx))) = self.heap.peek() {
            if deadline > at {
                break;
            }
            self.heap.pop();
            if !self.is_live(seq, idx) {
                continue;
            }
            debug_assert_eq!(deadline, at, "a timer was left behind the clock");
            let slot = &mut self.slots[idx as usize];
            slot.state = SlotState::Fired;
            self.armed -= 1;
            fired += 1;
            if let Some(w) = slot.waker.take() {
                out.push(w);
            }
        }
        fired
    }

    /// Number of armed timers.
    pub(crate) fn armed_count(&self) -> usize {
        self.armed
    }

    /// The armed timers, by deadline then arming order.
    pub(crate) fn armed(&self) -> Vec<ArmedTimer> {
        let mut v: Vec<_> = self
            .slots
            .iter()
            .filter(|s| s.state == SlotState::Armed)
            .map(|s| (s.deadline, s.seq, s.owner))
            .collect();
        v.sort_unstable();
        v.into_iter()
            .map(|(deadline, _, owner)| ArmedTimer { deadline, owner })
            .collect()
    }

    /// Heap entries, live and stale (for tests of the no-leak property).
    #[cfg(test)]
    fn heap_len(&self) -> usize {
        self.heap.len()
    }

    /// Drops every slot, returning the wakers so the caller can drop them
    /// outside any borrow.
    pub(crate) fn clear(&mut self) -> Vec<Waker> {
        let wakers = self
            .slots
            .iter_mut()
            .filter_map(|s| s.waker.take())
            .collect();
        *self = TimerQueue::default();
        wakers
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::Wake;

    struct Count(AtomicUsize);
    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn waker() -> Waker {
        Waker::from(Arc::new(Count(AtomicUsize::new(0))))
    }

    #[test]
    fn fires_in_deadline_then_arming_order() {
        let mut q = TimerQueue::default();
        q.insert(20, waker(), 1);
        q.insert(10, waker(), 2);
        q.insert(10, waker(), 3);
        assert_eq!(q.next_deadline(), Some(10));
        let owners: Vec<_> = q.armed().iter().map(|t| t.owner).collect();
        assert_eq!(owners, [2, 3, 1]);
        let mut out = Vec::new();
        assert_eq!(q.fire_at(10, &mut out), 2);
        assert_eq!(out.len(), 2);
        assert_eq!(q.next_deadline(), Some(20));
        assert_eq!(q.armed_count(), 1);
    }

    #[test]
    fn removed_timer_leaves_no_deadline_behind() {
        let mut q = TimerQueue::default();
        let a = q.insert(5, waker(), 0);
        q.insert(9, waker(), 0);
        q.remove(a);
        assert_eq!(q.next_deadline(), Some(9));
        let mut out = Vec::new();
        assert_eq!(q.fire_at(5, &mut out), 0);
        assert!(out.is_empty());
    }

    #[test]
    fn reset_moves_the_deadline() {
        let mut q = TimerQueue::default();
        let a = q.insert(5, waker(), 0);
        q.reset(a, 50);
        assert_eq!(q.armed_count(), 1);
        assert_eq!(q.next_deadline(), Some(50));
        let mut out = Vec::new();
        q.fire_at(50, &mut out);
        assert_eq!(out.len(), 1);
        // A fired timer can be re-armed by its Sleep.
        q.set_waker(a, waker());
        q.reset(a, 60);
        assert_eq!(q.next_deadline(), Some(60));
    }

    #[test]
    fn cancelled_timers_do_not_grow_the_heap_without_bound() {
        let mut q = TimerQueue::default();
        q.insert(u64::MAX, waker(), 0);
        for i in 0..100_000 {
            let k = q.insert(1_000 + i, waker(), 0);
            q.remove(k);
        }
        assert!(q.heap_len() <= 2048, "heap kept {} entries", q.heap_len());
        assert_eq!(q.armed_count(), 1);
        assert_eq!(q.next_deadline(), Some(u64::MAX));
    }

    #[test]
    #[should_panic(expected = "stale timer key")]
    fn a_freed_key_is_rejected() {
        let mut q = TimerQueue::default();
        let a = q.insert(5, waker(), 0);
        q.remove(a);
        q.insert(6, waker(), 0);
        q.remove(a);
    }
}
