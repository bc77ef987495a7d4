//! The timers of [`Alarm`](crate::Alarm)s: one slot per alarm, beside the
//! timer heap.
//!
//! # Algorithm
//!
//! An alarm is re-armed again and again (the network's delivery pump: once
//! per segment on the wire), so its timer does not go through the heap.
//! Each alarm owns a slot holding its heap-style entry
//! (`deadline << 64 | seq << 24`, 0 while not armed) and its [`Ring`],
//! given once when the slot is taken and kept until the alarm goes:
//! arming writes the entry alone, and firing hands out a counted
//! reference to the ring (no waker moves in or out per firing). Arming
//! takes one sequence number from the timer queue's counter, exactly as
//! arming a heap timer does, and writes the slot: no heap push, and no
//! stale heap entry left behind when the alarm moves. The earliest armed
//! slot is kept up to date on every change (a scan: a simulation has one
//! or two alarms), so the queue's earliest deadline is the earlier of the
//! heap's top and that slot without a search, and firing merges the due
//! slots with the heap's due entries by entry, so same-instant timers fire
//! in exactly the order they would if the alarms' timers were in the heap:
//! deadline, then arming order.

use std::rc::Rc;

use crate::alarm::Ring;

/// One alarm's timer.
#[derive(Default)]
struct Slot {
    /// `deadline << 64 | seq << 24` while armed, 0 otherwise (a sequence
    /// number is never 0).
    entry: u128,
    /// What firing rings; `None` while no alarm owns the slot.
    ring: Option<Rc<dyn Ring>>,
}

impl std::fmt::Debug for Slot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Slot")
            .field("entry", &self.entry)
            .field("used", &self.ring.is_some())
            .finish()
    }
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
    /// A new slot, not armed, for a new alarm, which `ring` serves.
    pub(crate) fn add(&mut self, ring: Rc<dyn Ring>) -> u32 {
        let idx = match self.slots.iter().position(|s| s.ring.is_none()) {
            Some(i) => i,
            None => {
                self.slots.push(Slot::default());
                self.slots.len() - 1
            }
        };
        self.slots[idx].ring = Some(ring);
        idx as u32
    }

    /// Arms slot `idx` with `entry` (moving it if armed).
    #[inline]
    pub(crate) fn arm(&mut self, idx: u32, entry: u128) {
        let slot = &mut self.slots[idx as usize];
        let was = std::mem::replace(&mut slot.entry, entry);
        if was == 0 {
            self.armed += 1;
            if self.armed == 1 {
                // The usual arming (the pump's, after it fired): alone.
                self.first = (entry, idx);
                return;
            }
        }
        if self.first.0 == 0 || entry < self.first.0 {
            self.first = (entry, idx);
        } else if self.first.1 == idx {
            // The earliest moved later: another may be earlier now.
            self.find_first();
        }
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
    /// serve a new one, and its ring is returned (to drop outside any
    /// borrow).
    pub(crate) fn disarm(&mut self, idx: u32, free: bool) -> Option<Rc<dyn Ring>> {
        let slot = &mut self.slots[idx as usize];
        let ring = if free { slot.ring.take() } else { None };
        if slot.entry != 0 {
            self.armed -= 1;
            slot.entry = 0;
            self.find_first();
        }
        ring
    }

    /// The earliest armed entry and its slot.
    #[inline]
    pub(crate) fn first(&self) -> Option<(u128, u32)> {
        (self.first.0 != 0).then_some(self.first)
    }

    /// Fires slot `idx` (armed): it is no longer armed, and its ring is
    /// returned, to ring outside the borrow.
    #[inline]
    pub(crate) fn fire(&mut self, idx: u32) -> Rc<dyn Ring> {
        let slot = &mut self.slots[idx as usize];
        debug_assert!(slot.entry != 0, "fired an alarm that is not armed");
        slot.entry = 0;
        let ring = Rc::clone(slot.ring.as_ref().expect("an armed alarm slot has a ring"));
        self.armed -= 1;
        if self.armed == 0 {
            self.first = (0, 0);
        } else {
            self.find_first();
        }
        ring
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
    /// the rings to drop outside any borrow.
    pub(crate) fn clear(&mut self) -> Vec<Rc<dyn Ring>> {
        self.armed = 0;
        self.first = (0, 0);
        self.slots.drain(..).filter_map(|s| s.ring).collect()
    }
}

#[cfg(test)]
mod tests {
    use std::task::Waker;

    use super::*;

    fn ring() -> Rc<dyn Ring> {
        Rc::new(Waker::noop().clone())
    }

    #[test]
    fn the_earliest_armed_slot_comes_first_and_fired_slots_leave() {
        let mut a = AlarmSlots::default();
        let (x, y) = (a.add(ring()), a.add(ring()));
        assert_eq!(a.first(), None);
        a.arm(x, 50);
        a.arm(y, 20);
        assert_eq!((a.first(), a.armed_count()), (Some((20, y)), 2));
        a.arm(y, 70); // moved later
        assert_eq!(a.first(), Some((50, x)));
        a.fire(x);
        assert_eq!((a.first(), a.armed_count()), (Some((70, y)), 1));
        assert!(a.disarm(x, false).is_none(), "a slot kept keeps its ring");
        assert!(a.disarm(y, true).is_some());
        assert_eq!((a.first(), a.armed_count()), (None, 0));
        assert_eq!(a.add(ring()), y, "a freed slot serves the next alarm");
        assert_eq!(a.armed().count(), 0);
        assert_eq!(a.clear().len(), 2);
    }
}
