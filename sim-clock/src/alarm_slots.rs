//! The timers of [`Alarm`](crate::Alarm)s: one slot per alarm, beside the
//! timer heap.
//!
//! # Algorithm
//!
//! An alarm is re-armed again and again (the network's delivery pump: once
//! per segment on the wire), so its timer does not go through the heap.
//! Each alarm owns a slot holding its heap-style entry
//! (`deadline << 64 | seq << 24`, 0 while not armed) and its waker. Arming
//! takes one sequence number from the timer queue's counter, exactly as
//! arming a heap timer does, and writes the slot: no heap push, and no
//! stale heap entry left behind when the alarm moves. The earliest armed
//! slot is kept up to date on every change (a scan: a simulation has one
//! or two alarms), so the queue's earliest deadline is the earlier of the
//! heap's top and that slot without a search, and firing merges the due
//! slots with the heap's due entries by entry, so same-instant timers fire
//! in exactly the order they would if the alarms' timers were in the heap:
//! deadline, then arming order.

use std::task::Waker;

/// One alarm's timer.
#[derive(Debug, Default)]
struct Slot {
    /// `deadline << 64 | seq << 24` while armed, 0 otherwise (a sequence
    /// number is never 0).
    entry: u128,
    waker: Option<Waker>,
    /// An alarm owns it.
    used: bool,
}

/// Every alarm's timer; see the module documentation.
#[derive(Debug, Default)]
pub(crate) struct AlarmSlots {
    slots: Vec<Slot>,
    /// Slots armed now.
    armed: usize,
    /// The earliest armed entry and its slot (`(0, 0)`: none armed).
    first: (u128, u32),
}

impl AlarmSlots {
    /// A new slot, not armed, for a new alarm.
    pub(crate) fn add(&mut self) -> u32 {
        let idx = match self.slots.iter().position(|s| !s.used) {
            Some(i) => i,
            None => {
                self.slots.push(Slot::default());
                self.slots.len() - 1
            }
        };
        self.slots[idx].used = true;
        idx as u32
    }

    /// Arms slot `idx` with `entry` (moving it if armed), giving it
    /// `waker` if it has none (a fired slot gave its waker away); returns
    /// `waker` when the slot kept its own, to drop outside any borrow.
    #[inline]
    pub(crate) fn arm(&mut self, idx: u32, entry: u128, waker: Waker) -> Option<Waker> {
        let slot = &mut self.slots[idx as usize];
        if slot.entry == 0 {
            self.armed += 1;
        }
        slot.entry = entry;
        let unused = match slot.waker {
            None => {
                slot.waker = Some(waker);
                None
            }
            Some(_) => Some(waker),
        };
        if self.first.0 == 0 || entry < self.first.0 {
            self.first = (entry, idx);
        } else if self.first.1 == idx {
            // The earliest moved later: another may be earlier now.
            self.find_first();
        }
        unused
    }

    /// Finds the earliest armed slot again.
    fn find_first(&mut self) {
        let mut best = (0, 0);
        for (i, s) in self.slots.iter().enumerate() {
            if s.entry != 0 && (best.0 == 0 || s.entry < best.0) {
                best = (s.entry, i as u32);
            }
        }
        self.first = best;
    }

    /// Disarms slot `idx`; with `free`, the alarm is gone and the slot can
    /// serve a new one. Returns its waker (to drop outside any borrow).
    pub(crate) fn disarm(&mut self, idx: u32, free: bool) -> Option<Waker> {
        let slot = &mut self.slots[idx as usize];
        let waker = slot.waker.take();
        slot.used &= !free;
        if slot.entry != 0 {
            self.armed -= 1;
            slot.entry = 0;
            self.find_first();
        }
        waker
    }

    /// The earliest armed entry and its slot.
    #[inline]
    pub(crate) fn first(&self) -> Option<(u128, u32)> {
        (self.first.0 != 0).then_some(self.first)
    }

    /// Fires slot `idx` (armed): it is no longer armed, and its waker is
    /// returned to be woken.
    #[inline]
    pub(crate) fn fire(&mut self, idx: u32) -> Option<Waker> {
        let slot = &mut self.slots[idx as usize];
        debug_assert!(slot.entry != 0, "fired an alarm that is not armed");
        slot.entry = 0;
        let waker = slot.waker.take();
        self.armed -= 1;
        if self.armed == 0 {
            self.first = (0, 0);
        } else {
            self.find_first();
        }
        waker
    }

    /// How many slots are armed.
    pub(crate) fn armed_count(&self) -> usize {
        self.armed
    }

    /// The armed entries, in slot order.
    pub(crate) fn armed(&self) -> impl Iterator<Item = u128> + '_ {
        self.slots.iter().map(|s| s.entry).filter(|&e| e != 0)
    }

    /// Removes every slot (alarms from before are stale for good; see
    /// [`TimerQueue::clear`](crate::timers::TimerQueue::clear)), returning
    /// the wakers to drop outside any borrow.
    pub(crate) fn clear(&mut self) -> Vec<Waker> {
        self.armed = 0;
        self.first = (0, 0);
        self.slots.drain(..).filter_map(|s| s.waker).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_earliest_armed_slot_comes_first_and_fired_slots_leave() {
        let mut a = AlarmSlots::default();
        let (x, y) = (a.add(), a.add());
        assert_eq!(a.first(), None);
        a.arm(x, 50, Waker::noop().clone());
        a.arm(y, 20, Waker::noop().clone());
        assert_eq!((a.first(), a.armed_count()), (Some((20, y)), 2));
        a.arm(y, 70, Waker::noop().clone()); // moved later
        assert_eq!(a.first(), Some((50, x)));
        assert!(a.fire(x).is_some());
        assert_eq!((a.first(), a.armed_count()), (Some((70, y)), 1));
        assert!(a.disarm(y, true).is_some());
        assert_eq!((a.first(), a.armed_count()), (None, 0));
        assert_eq!(a.add(), y, "a freed slot serves the next alarm");
        assert_eq!(a.armed().count(), 0);
        assert!(a.clear().is_empty());
    }
}
