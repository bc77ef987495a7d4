//! The timer queue: timer slots plus a 4-ary min-heap of deadlines.
//!
//! # Algorithm
//!
//! Every armed timer owns a slot (stable index, reused through a free list)
//! and is armed under a unique sequence number. The heap holds 16-byte
//! `deadline << 64 | seq << 24 | slot` keys (one `u128` comparison orders
//! them), so timers with the same deadline
//! come out in the order they were armed: that is the "simplest" order which
//! a draw of zero keeps (see [`Clock::advance_to`](crate::Clock::advance_to)).
//!
//! Cancelling (dropping a `Sleep`) and re-arming (`Sleep::reset`) do not
//! search the heap: they clear or change the slot's armed key, which turns
//! the old heap entry stale. An entry is live only while its slot's armed key
//! equals the entry's key; stale entries are skipped when they reach the
//! top, and the heap is rebuilt from the live slots when stale entries
//! outnumber live ones, so a dropped sleep leaves neither a wakeup, nor a
//! clock jump, nor unbounded memory behind.
//!
//! # Memory layout
//!
//! Timers fire in deadline order, which has nothing to do with the order
//! they were armed in, so firing touches slots at random. What firing needs
//! (the armed key, the waker, the owner's prefetch hint) is kept in a
//! compact hot array apart from what only reports need (deadline, owner id),
//! and a 4-ary heap of 16-byte entries keeps the heap shallow and its
//! siblings on one cache line. [`TimerQueue::upcoming`] names the next two
//! timers so the runtime can prefetch ahead of firing them.

use std::cell::RefCell;
use std::rc::Rc;
use std::task::Waker;

use crate::alarm::{Fired, Ring};
use crate::alarm_slots::AlarmSlots;

/// Handle to a timer slot, held by the `Sleep` that armed it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TimerKey {
    idx: u32,
    generation: u32,
}

/// Bits of the heap key that hold the slot index.
const IDX_BITS: u32 = 24;
const IDX_MASK: u64 = (1 << IDX_BITS) - 1;

/// What firing reads.
#[derive(Debug)]
struct Hot {
    /// The key this slot is armed under (`seq << 24 | idx`), or 0.
    armed: u64,
    waker: Option<Waker>,
    /// The owner's prefetch hints (addresses the runtime chose).
    hint: [usize; 2],
}

/// What only reports and slot management read.
#[derive(Debug)]
struct Cold {
    generation: u32,
    state: SlotState,
    deadline: u64,
    owner: u64,
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

/// A timer about to fire, for prefetching.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Upcoming {
    /// The address of its hot record.
    pub(crate) hot_addr: usize,
    /// Its slot.
    pub(crate) idx: u32,
}

/// Most bytes of buffers a thread keeps from a dropped timer queue.
const SPARE_BYTES: usize = 32 << 20;

thread_local! {
    /// The emptied buffers of the last timer queue dropped on this thread.
    static SPARE: RefCell<Option<TimerQueue>> = const { RefCell::new(None) };
}

#[derive(Debug, Default)]
pub(crate) struct TimerQueue {
    hot: Vec<Hot>,
    cold: Vec<Cold>,
    free: Vec<u32>,
    heap: Vec<u128>,
    next_seq: u64,
    armed: usize,
    /// The alarms' timers, outside the heap (see [`AlarmSlots`]).
    alarms: AlarmSlots,
}

impl TimerQueue {
    /// Arms a new timer.
    pub(crate) fn insert(
        &mut self,
        deadline: u64,
        waker: Waker,
        owner: u64,
        hint: [usize; 2],
    ) -> TimerKey {
        let idx = match self.free.pop() {
            Some(idx) => idx,
            None => {
                let idx = self.hot.len() as u32;
                assert!(
                    u64::from(idx) <= IDX_MASK,
                    "detsim: more than {IDX_MASK} timers armed at once"
                );
                self.hot.push(Hot {
                    armed: 0,
                    waker: None,
                    hint: [0; 2],
                });
                self.cold.push(Cold {
                    generation: 0,
                    state: SlotState::Free,
                    deadline: 0,
                    owner: 0,
                });
                idx
            }
        };
        let key = self.next_key(idx);
        let hot = &mut self.hot[idx as usize];
        hot.armed = key;
        hot.waker = Some(waker);
        hot.hint = hint;
        let cold = &mut self.cold[idx as usize];
        cold.state = SlotState::Armed;
        cold.deadline = deadline;
        cold.owner = owner;
        let generation = cold.generation;
        self.armed += 1;
        self.push(entry(deadline, key));
        TimerKey { idx, generation }
    }

    #[inline]
    fn next_key(&mut self, idx: u32) -> u64 {
        self.next_seq += 1;
        assert!(
            self.next_seq < 1 << (64 - IDX_BITS),
            "detsim: 2^40 timers armed in one simulation"
        );
        (self.next_seq << IDX_BITS) | u64::from(idx)
    }

    /// A slot for a new alarm's timer, which rings `ring` (see
    /// [`AlarmSlots`]).
    pub(crate) fn add_alarm(&mut self, ring: Rc<dyn Ring>) -> u32 {
        self.alarms.add(ring)
    }

    /// Arms (or moves) alarm `idx` for `deadline` under a new sequence
    /// number, as arming a heap timer would.
    #[inline]
    pub(crate) fn arm_alarm(&mut self, idx: u32, deadline: u64) {
        let key = self.next_key(0);
        self.alarms.arm(idx, entry(deadline, key));
    }

    /// Disarms alarm `idx` (and frees its slot with `free`, returning its
    /// ring to drop outside any borrow).
    pub(crate) fn disarm_alarm(&mut self, idx: u32, free: bool) -> Option<Rc<dyn Ring>> {
        self.alarms.disarm(idx, free)
    }

    fn check(&self, key: TimerKey) -> usize {
        self.slot_of(key)
            .expect("detsim: stale timer key (a Sleep outlived its timer slot)")
    }

    /// The slot `key` names, if it still holds that key's timer (armed or
    /// fired); `None` once it was removed or the queue was cleared.
    #[inline]
    pub(crate) fn slot_of(&self, key: TimerKey) -> Option<usize> {
        let i = key.idx as usize;
        self.cold
            .get(i)
            .filter(|c| c.generation == key.generation && c.state != SlotState::Free)
            .map(|_| i)
    }

    /// Whether the timer's waker would wake the same task as `waker`.
    pub(crate) fn will_wake(&self, key: TimerKey, waker: &Waker) -> bool {
        let i = key.idx as usize;
        self.cold
            .get(i)
            .is_some_and(|c| c.generation == key.generation)
            && self.hot[i]
                .waker
                .as_ref()
                .is_some_and(|w| w.will_wake(waker))
    }

    /// Replaces a timer's waker; returns the old one (to drop outside any
    /// borrow: dropping a waker may run arbitrary code).
    pub(crate) fn set_waker(&mut self, key: TimerKey, waker: Waker) -> Option<Waker> {
        let i = self.check(key);
        self.hot[i].waker.replace(waker)
    }

    /// Re-arms a timer (armed or fired) for a new deadline, keeping its
    /// waker.
    pub(crate) fn reset(&mut self, key: TimerKey, deadline: u64) {
        let i = self.check(key);
        let new_key = self.next_key(key.idx);
        let cold = &mut self.cold[i];
        if cold.state != SlotState::Armed {
            self.armed += 1;
        }
        cold.state = SlotState::Armed;
        cold.deadline = deadline;
        self.hot[i].armed = new_key;
        self.push(entry(deadline, new_key));
        self.maybe_compact();
    }

    /// Frees a timer's slot; its heap entry (if armed) turns stale. Returns
    /// the waker it held, so the caller can drop it outside any borrow.
    #[cfg(test)]
    pub(crate) fn remove(&mut self, key: TimerKey) -> Option<Waker> {
        let i = self.check(key);
        self.remove_at(i)
    }

    fn remove_at(&mut self, i: usize) -> Option<Waker> {
        let cold = &mut self.cold[i];
        let was_armed = cold.state == SlotState::Armed;
        cold.state = SlotState::Free;
        cold.generation = cold.generation.wrapping_add(1);
        let hot = &mut self.hot[i];
        hot.armed = 0;
        let waker = hot.waker.take();
        self.free.push(i as u32);
        if was_armed {
            self.armed -= 1;
            self.maybe_compact();
        }
        waker
    }

    /// Re-arms the timer of `key` (armed or fired) for `deadline`,
    /// giving it `waker` if it has none (a fired timer gave its waker
    /// away); or `false` when the key is stale (the queue was cleared).
    #[cfg(test)]
    pub(crate) fn rearm(&mut self, key: TimerKey, deadline: u64, waker: &Waker) -> bool {
        let Some(i) = self.slot_of(key) else {
            return false;
        };
        if self.hot[i].waker.is_none() {
            self.hot[i].waker = Some(waker.clone());
        }
        self.reset(key, deadline);
        true
    }

    /// Frees the timer of `key`, as `remove` does, but ignores a stale key
    /// (the queue was cleared since), for owners that outlive a clear.
    pub(crate) fn remove_if_live(&mut self, key: TimerKey) -> Option<Waker> {
        self.slot_of(key).and_then(|i| self.remove_at(i))
    }

    fn is_live(&self, key: u64) -> bool {
        self.hot[(key & IDX_MASK) as usize].armed == key
    }

    /// Rebuilds the heap from live entries once stale ones outnumber them.
    #[inline]
    fn maybe_compact(&mut self) {
        if self.heap.len() > 1024 && self.heap.len() > 2 * self.armed {
            self.compact();
        }
    }

    #[cold]
    #[inline(never)]
    fn compact(&mut self) {
        let hot = &self.hot;
        self.heap.retain(|&e| {
            let key = key_of(e);
            hot[(key & IDX_MASK) as usize].armed == key
        });
        // Floyd's heap construction.
        for i in (0..self.heap.len() / 4 + 1).rev() {
            self.sift_down(i);
        }
    }

    /// The earliest deadline of an armed timer (alarms included).
    #[inline]
    pub(crate) fn next_deadline(&mut self) -> Option<u64> {
        let heap = self.heap_top();
        let alarm = self.alarms.first().map(|(e, _)| e);
        match (heap, alarm) {
            (Some(h), Some(a)) => Some(deadline_of(h.min(a))),
            (h, a) => h.or(a).map(deadline_of),
        }
    }

    /// The heap's earliest live entry (stale ones on top are dropped).
    #[inline]
    fn heap_top(&mut self) -> Option<u128> {
        while let Some(&e) = self.heap.first() {
            if self.is_live(key_of(e)) {
                return Some(e);
            }
            self.pop();
        }
        None
    }

    /// Fires every armed timer whose deadline is exactly `at` (alarms
    /// included, merged in by entry), appending their wakers and rings to
    /// `out` in arming order.
    #[inline]
    pub(crate) fn fire_at(&mut self, at: u64, out: &mut Vec<Fired>) -> usize {
        let mut fired = 0;
        loop {
            // An alarm due before the heap's next entry fires first.
            if let Some((a, idx)) = self.alarms.first() {
                let before_heap = self.heap.first().is_none_or(|&e| a < e);
                if deadline_of(a) <= at && before_heap {
                    debug_assert_eq!(deadline_of(a), at, "an alarm was left behind the clock");
                    fired += 1;
                    out.push(Fired::Alarm(self.alarms.fire(idx)));
                    continue;
                }
            }
            let Some(&e) = self.heap.first() else {
                break;
            };
            let (deadline, key) = (deadline_of(e), key_of(e));
            if deadline > at {
                break;
            }
            self.pop();
            if !self.is_live(key) {
                continue;
            }
            debug_assert_eq!(deadline, at, "a timer was left behind the clock");
            let i = (key & IDX_MASK) as usize;
            self.cold[i].state = SlotState::Fired;
            let hot = &mut self.hot[i];
            hot.armed = 0;
            self.armed -= 1;
            fired += 1;
            if let Some(w) = hot.waker.take() {
                out.push(Fired::Timer(w));
            }
        }
        fired
    }

    /// Fires the one alarm due at `at` when nothing else is (no other
    /// alarm, no heap timer): the usual firing of a network workload,
    /// whose delivery pump is the only timer. `Some` with the alarm's
    /// ring when it fired; `None`, having changed nothing, when
    /// a heap timer is due at `at` too, another alarm is armed at all, or
    /// no alarm is due, for [`fire_at`](Self::fire_at) to fire them in
    /// order.
    #[inline]
    pub(crate) fn fire_lone_alarm(&mut self, at: u64) -> Option<Rc<dyn Ring>> {
        self.fire_lone_alarm_if(|deadline| deadline == at)
            .map(|(_, ring)| ring)
    }

    /// Fires the earliest timer if it is an alarm alone (no other alarm
    /// armed, no heap timer due at its deadline or before) whose deadline
    /// passes `ok`: its deadline and its ring. `None`, having changed
    /// nothing, otherwise.
    #[inline]
    pub(crate) fn fire_lone_alarm_if(
        &mut self,
        ok: impl FnOnce(u64) -> bool,
    ) -> Option<(u64, Rc<dyn Ring>)> {
        // One alarm armed, first (a workload without alarms declines here).
        if self.alarms.armed_count() != 1 {
            return None;
        }
        let (a, idx) = self.alarms.first()?;
        let at = deadline_of(a);
        if !ok(at) {
            return None;
        }
        if self.heap_top().is_some_and(|e| deadline_of(e) <= at) {
            return None;
        }
        Some((at, self.alarms.fire(idx)))
    }

    /// The next two timers in firing order (stale ones possibly included):
    /// hints for prefetching, nothing more.
    pub(crate) fn upcoming(&self) -> (Option<Upcoming>, Option<Upcoming>) {
        let at = |i: usize| {
            self.heap.get(i).map(|&e| {
                let idx = (key_of(e) & IDX_MASK) as usize;
                Upcoming {
                    hot_addr: self.hot.as_ptr().wrapping_add(idx).addr(),
                    idx: idx as u32,
                }
            })
        };
        // The second smallest is the smallest child of the root.
        let second = (1..self.heap.len().min(5)).min_by_key(|&i| self.heap[i]);
        (at(0), second.and_then(at))
    }

    /// The owner hints of a slot, if armed (read to prefetch its owner).
    pub(crate) fn peek_owner(&self, idx: u32) -> Option<[usize; 2]> {
        let hot = self.hot.get(idx as usize)?;
        (hot.armed != 0).then_some(hot.hint)
    }

    /// Number of armed timers (alarms included).
    pub(crate) fn armed_count(&self) -> usize {
        self.armed + self.alarms.armed_count()
    }

    /// The armed timers, by deadline then arming order.
    pub(crate) fn armed(&self) -> Vec<ArmedTimer> {
        if self.armed_count() == 0 {
            // The usual end of a run: no need to scan every slot.
            return Vec::new();
        }
        let alarms = self
            .alarms
            .armed()
            .map(|e| (deadline_of(e), key_of(e), crate::SYSTEM_OWNER));
        let mut v: Vec<_> = self
            .cold
            .iter()
            .zip(&self.hot)
            .filter(|(c, _)| c.state == SlotState::Armed)
            .map(|(c, h)| (c.deadline, h.armed, c.owner))
            .chain(alarms)
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

    /// Disarms and frees every slot, returning the wakers (and alarms'
    /// rings) so the caller can drop them outside any borrow.
    ///
    /// The slots stay, each under a new generation: a key handed out before
    /// the clear (held by a `Sleep` that outlives it) is stale for good,
    /// instead of naming a slot of the same index armed after the clear.
    /// Alarm slots go (an alarm that outlives the clear sees the clock's
    /// clear count change and takes a new one).
    pub(crate) fn clear(&mut self) -> Vec<Fired> {
        let mut wakers: Vec<Fired> = self
            .hot
            .iter_mut()
            .filter_map(|h| {
                h.armed = 0;
                h.waker.take().map(Fired::Timer)
            })
            .collect();
        wakers.extend(self.alarms.clear().into_iter().map(Fired::Alarm));
        self.free.clear();
        // Reversed, so slots are reused from index 0 up, as in a new queue.
        for (i, c) in self.cold.iter_mut().enumerate().rev() {
            c.state = SlotState::Free;
            c.generation = c.generation.wrapping_add(1);
            self.free.push(i as u32);
        }
        self.heap.clear();
        self.armed = 0;
        wakers
    }

    /// An empty queue, with the buffers of the last one dropped on this
    /// thread (see [`recycle`](Self::recycle)) if there is one.
    pub(crate) fn new() -> TimerQueue {
        SPARE
            .try_with(|s| s.borrow_mut().take())
            .ok()
            .flatten()
            .unwrap_or_default()
    }

    /// Empties the queue (dropping its wakers) and keeps its buffers for the
    /// next queue made on this thread, unless they are larger than
    /// [`SPARE_BYTES`]. Simulations are usually run one after another (a
    /// sweep over seeds): the next one then grows no buffer, so it neither
    /// copies megabytes nor faults on fresh pages.
    pub(crate) fn recycle(mut self) {
        drop(self.clear());
        // A new clock shares no keys with this one: start from scratch.
        self.hot.clear();
        self.cold.clear();
        self.free.clear();
        self.next_seq = 0;
        let bytes = self.hot.capacity() * size_of::<Hot>()
            + self.cold.capacity() * size_of::<Cold>()
            + self.free.capacity() * size_of::<u32>()
            + self.heap.capacity() * size_of::<u128>();
        if bytes <= SPARE_BYTES {
            let _ = SPARE.try_with(|s| *s.borrow_mut() = Some(self));
        }
    }

    // ---- the 4-ary heap ----

    fn push(&mut self, entry: u128) {
        let heap = &mut self.heap;
        heap.push(entry);
        let mut i = heap.len() - 1;
        while i > 0 {
            let parent = (i - 1) / 4;
            if heap[parent] <= entry {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = entry;
    }

    /// Removes the smallest entry (bottom-up: the hole at the root sinks
    /// along smallest children to a leaf, then the last entry rises from
    /// there; it rarely rises, so this saves a comparison per level).
    fn pop(&mut self) -> Option<u128> {
        let last = self.heap.pop()?;
        let heap = &mut self.heap[..];
        let Some(&top) = heap.first() else {
            return Some(last);
        };
        let mut hole = 0;
        // Families of four children (all but the last): one bounds check.
        while let Some(family) = heap
            .get(4 * hole + 1..)
            .and_then(|rest| rest.first_chunk::<4>())
        {
            let (min, k) = min4(family);
            heap[hole] = min;
            hole = 4 * hole + 1 + k;
        }
        // The last family may be short.
        let first = 4 * hole + 1;
        if first < heap.len() {
            let child = first + min_child(&heap[first..]);
            heap[hole] = heap[child];
            hole = child;
        }
        while hole > 0 {
            let parent = (hole - 1) / 4;
            if heap[parent] <= last {
                break;
            }
            heap[hole] = heap[parent];
            hole = parent;
        }
        heap[hole] = last;
        Some(top)
    }

    fn sift_down(&mut self, mut i: usize) {
        let heap = &mut self.heap[..];
        let n = heap.len();
        if i >= n {
            return;
        }
        let entry = heap[i];
        loop {
            let first = 4 * i + 1;
            if first >= n {
                break;
            }
            let child = first + min_child(&heap[first..(first + 4).min(n)]);
            if heap[child] >= entry {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        heap[i] = entry;
    }
}

/// The smallest of four siblings and its index.
#[inline(always)]
fn min4(&[a, b, c, d]: &[u128; 4]) -> (u128, usize) {
    let (lo, ilo) = if b < a { (b, 1) } else { (a, 0) };
    let (hi, ihi) = if d < c { (d, 3) } else { (c, 2) };
    if hi < lo { (hi, ihi) } else { (lo, ilo) }
}

/// The index of the smallest of up to four siblings.
#[inline(always)]
fn min_child(c: &[u128]) -> usize {
    if let [a, b, c2, d] = *c {
        let (lo, ilo) = if b < a { (b, 1) } else { (a, 0) };
        let (hi, ihi) = if d < c2 { (d, 3) } else { (c2, 2) };
        return if hi < lo { ihi } else { ilo };
    }
    let mut min = 0;
    for k in 1..c.len() {
        if c[k] < c[min] {
            min = k;
        }
    }
    min
}

#[inline]
fn entry(deadline: u64, key: u64) -> u128 {
    (u128::from(deadline) << 64) | u128::from(key)
}

#[inline]
fn deadline_of(e: u128) -> u64 {
    (e >> 64) as u64
}

#[inline]
fn key_of(e: u128) -> u64 {
    e as u64
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
        q.insert(20, waker(), 1, [0; 2]);
        q.insert(10, waker(), 2, [0; 2]);
        q.insert(10, waker(), 3, [0; 2]);
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
    fn a_lone_alarm_fires_alone_and_declines_when_anything_else_is_due() {
        let mut q = TimerQueue::default();
        let (a, b) = (q.add_alarm(Rc::new(waker())), q.add_alarm(Rc::new(waker())));
        assert!(q.fire_lone_alarm(10).is_none(), "nothing armed");
        q.arm_alarm(a, 10);
        assert!(q.fire_lone_alarm(9).is_none(), "not due yet");
        // A heap timer due at the same instant: the ordered path fires both.
        q.insert(10, waker(), 1, [0; 2]);
        assert!(q.fire_lone_alarm(10).is_none());
        assert_eq!(q.armed_count(), 2, "declining changed nothing");
        let mut out = Vec::new();
        assert_eq!(q.fire_at(10, &mut out), 2);
        // A later heap timer does not stop it.
        q.insert(30, waker(), 2, [0; 2]);
        q.arm_alarm(a, 20);
        assert!(q.fire_lone_alarm(20).is_some());
        assert_eq!((q.armed_count(), q.next_deadline()), (1, Some(30)));
        // Another alarm armed, even for later: the ordered path decides.
        q.arm_alarm(a, 25);
        q.arm_alarm(b, 28);
        assert!(q.fire_lone_alarm(25).is_none());
        assert_eq!(q.armed_count(), 3);
    }

    #[test]
    fn the_heap_orders_many_random_deadlines() {
        let mut q = TimerQueue::default();
        let mut state = 7u64;
        let mut deadlines = Vec::new();
        for _ in 0..5_000 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let d = (state >> 33) % 1_000;
            deadlines.push(d);
            q.insert(d, waker(), 0, [0; 2]);
        }
        deadlines.sort_unstable();
        deadlines.dedup();
        let mut fired = 0;
        let mut out = Vec::new();
        for d in deadlines {
            assert_eq!(q.next_deadline(), Some(d));
            fired += q.fire_at(d, &mut out);
        }
        assert_eq!(fired, 5_000);
        assert_eq!(q.next_deadline(), None);
    }

    #[test]
    fn the_heap_pops_in_order_at_every_size() {
        use std::cmp::Reverse;
        use std::collections::BinaryHeap;
        let mut q = TimerQueue::default();
        let mut model = BinaryHeap::new();
        let mut state = 11u64;
        for step in 0..20_000 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            // Mostly pushes at first, then mostly pops: every heap size
            // and every shape of the last family is met.
            let push_bias = if step < 10_000 { 6 } else { 3 };
            if (state >> 60) < push_bias {
                let e = u128::from(state >> 20) << 40 | u128::from(step as u64);
                q.push(e);
                model.push(Reverse(e));
            } else {
                assert_eq!(q.pop(), model.pop().map(|r| r.0));
            }
        }
        while let Some(Reverse(e)) = model.pop() {
            assert_eq!(q.pop(), Some(e));
        }
        assert_eq!(q.pop(), None);
    }

    #[test]
    fn a_recycled_queue_is_empty_and_keeps_its_buffers() {
        let mut q = TimerQueue::new();
        for d in 0..5_000 {
            q.insert(d, waker(), 0, [0; 2]);
        }
        let cap = q.heap.capacity();
        q.recycle();
        let mut r = TimerQueue::new();
        assert_eq!(r.heap.capacity(), cap, "the buffers were reused");
        assert_eq!(r.armed_count(), 0);
        assert_eq!(r.next_deadline(), None);
        assert!(r.armed().is_empty());
        // It numbers and orders timers exactly as a new queue does.
        let mut fresh = TimerQueue::default();
        for q in [&mut r, &mut fresh] {
            q.insert(7, waker(), 1, [0; 2]);
            q.insert(7, waker(), 2, [0; 2]);
        }
        assert_eq!(r.heap, fresh.heap);
        assert_eq!(r.next_seq, fresh.next_seq);
        assert!(TimerQueue::new().heap.capacity() == 0, "one spare only");
    }

    #[test]
    fn removed_timer_leaves_no_deadline_behind() {
        let mut q = TimerQueue::default();
        let a = q.insert(5, waker(), 0, [0; 2]);
        q.insert(9, waker(), 0, [0; 2]);
        q.remove(a);
        assert_eq!(q.next_deadline(), Some(9));
        let mut out = Vec::new();
        assert_eq!(q.fire_at(5, &mut out), 0);
        assert!(out.is_empty());
    }

    #[test]
    fn reset_moves_the_deadline() {
        let mut q = TimerQueue::default();
        let a = q.insert(5, waker(), 0, [0; 2]);
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
    fn upcoming_names_the_next_two_timers() {
        let mut q = TimerQueue::default();
        for (i, d) in [40, 10, 30, 20].into_iter().enumerate() {
            q.insert(d, waker(), i as u64, [7, 8]);
        }
        let (first, second) = q.upcoming();
        assert_eq!(first.unwrap().idx, 1); // deadline 10
        assert_eq!(second.unwrap().idx, 3); // deadline 20
        assert_eq!(q.peek_owner(1), Some([7, 8]));
    }

    #[test]
    fn cancelled_timers_do_not_grow_the_heap_without_bound() {
        let mut q = TimerQueue::default();
        q.insert(u64::MAX, waker(), 0, [0; 2]);
        for i in 0..100_000 {
            let k = q.insert(1_000 + i, waker(), 0, [0; 2]);
            q.remove(k);
        }
        assert!(q.heap_len() <= 2048, "heap kept {} entries", q.heap_len());
        assert_eq!(q.armed_count(), 1);
        assert_eq!(q.next_deadline(), Some(u64::MAX));
    }

    #[test]
    fn keys_from_before_a_clear_never_name_a_timer_armed_after_it() {
        let mut q = TimerQueue::default();
        let old = q.insert(5, waker(), 0, [0; 2]);
        drop(q.clear());
        assert_eq!(q.armed_count(), 0);
        let new = q.insert(5, waker(), 0, [0; 2]);
        assert_eq!(new.idx, old.idx, "the slot is reused");
        assert_eq!(q.slot_of(old), None);
        assert!(q.remove_if_live(old).is_none());
        assert!(!q.rearm(old, 9, &waker()));
        assert!(!q.will_wake(old, &waker()));
        assert_eq!(q.next_deadline(), Some(5), "the new timer is untouched");
        assert!(q.remove_if_live(new).is_some());
    }

    #[test]
    #[should_panic(expected = "stale timer key")]
    fn a_freed_key_is_rejected() {
        let mut q = TimerQueue::default();
        let a = q.insert(5, waker(), 0, [0; 2]);
        q.remove(a);
        q.insert(6, waker(), 0, [0; 2]);
        q.remove(a);
    }
}
