//! The fabric's in-flight queue: datagrams and segments on the wire,
//! ordered by `(due time, send order)`.
//!
//! # Algorithm
//!
//! Keys are unique (the send order is a per-simulation counter). With a
//! constant latency, which is the common case (and the default), each new
//! key is larger than every key already queued: things arrive in the
//! order they were sent. Such keys go to the back of a sorted `VecDeque`
//! (the *run*): a push and a pop are O(1), with no tree node to allocate
//! or rebalance. A key that would break the run's order (jitter, a
//! retransmission, a clog holding something back) goes to a `BTreeMap`
//! instead. The earliest entry is the smaller of the run's front and the
//! map's first key, so the queue as a whole pops in exactly the order a
//! single `BTreeMap` would: which structure holds an entry never changes
//! what is delivered when.

use std::collections::{BTreeMap, VecDeque};

/// An entry's key: due time in nanoseconds, then send order.
pub(crate) type WireKey = (u64, u64);

/// Values ordered by [`WireKey`]; see the module documentation.
#[derive(Debug)]
pub(crate) struct Wire<V> {
    /// Entries whose keys arrived in increasing order, smallest first.
    run: VecDeque<(WireKey, V)>,
    /// Every other entry.
    rest: BTreeMap<WireKey, V>,
    /// Whether the earliest key may have changed since
    /// [`take_changed`](Self::take_changed) was last called.
    changed: bool,
}

impl<V> Default for Wire<V> {
    fn default() -> Wire<V> {
        Wire {
            run: VecDeque::new(),
            rest: BTreeMap::new(),
            changed: false,
        }
    }
}

impl<V> Wire<V> {
    /// Queues `value` under `key` (which must not be queued already).
    #[inline(always)]
    pub(crate) fn push(&mut self, key: WireKey, value: V) {
        self.changed = true;
        match self.run.back() {
            Some((last, _)) if *last > key => {
                self.rest.insert(key, value);
            }
            _ => self.run.push_back((key, value)),
        }
    }

    /// The earliest key.
    #[inline(always)]
    pub(crate) fn first_key(&self) -> Option<WireKey> {
        let run = self.run.front().map(|(k, _)| *k);
        if self.rest.is_empty() {
            // The usual case (everything arrives in send order).
            return run;
        }
        let rest = self.rest.keys().next().copied();
        match (run, rest) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// When the pump is next due: the earliest key's due time, except the
    /// end of time (`u64::MAX`), at which nothing is due: what a clog with
    /// no end holds waits for its unclog, and arms no timer the clock
    /// would jump to.
    #[inline(always)]
    pub(crate) fn next_due(&self) -> Option<u64> {
        self.first_key().map(|k| k.0).filter(|&at| at != u64::MAX)
    }

    /// Removes and returns the earliest entry if it is due at or before
    /// `now`.
    #[inline]
    pub(crate) fn pop_due(&mut self, now: u64) -> Option<(WireKey, V)> {
        if self.rest.is_empty() {
            // The usual case: only the run holds entries.
            if self.run.front().is_some_and(|(k, _)| k.0 <= now) {
                self.changed = true;
                return self.run.pop_front();
            }
            return None;
        }
        let from_run = match (self.run.front(), self.rest.keys().next()) {
            (Some((a, _)), Some(b)) => a < b,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return None,
        };
        if from_run {
            if self.run.front().is_some_and(|(k, _)| k.0 <= now) {
                self.changed = true;
                return self.run.pop_front();
            }
            return None;
        }
        let entry = self.rest.first_entry()?;
        let due = entry.key().0 <= now;
        self.changed |= due;
        due.then(|| entry.remove_entry())
    }

    /// Whether the earliest key may have changed since the last call
    /// (every push, pop and removal counts as a change); clears the flag.
    pub(crate) fn take_changed(&mut self) -> bool {
        std::mem::take(&mut self.changed)
    }

    /// Clears the change flag (as [`take_changed`](Self::take_changed)
    /// does, for a caller that knows it is set).
    #[inline(always)]
    pub(crate) fn clear_changed(&mut self) {
        self.changed = false;
    }

    /// Removes and returns every entry for which `pick` is true, in key
    /// order.
    pub(crate) fn take_where(
        &mut self,
        mut pick: impl FnMut(&WireKey, &V) -> bool,
    ) -> Vec<(WireKey, V)> {
        self.changed = true;
        let mut taken = Vec::new();
        let mut kept = VecDeque::with_capacity(self.run.len());
        for (k, v) in self.run.drain(..) {
            if pick(&k, &v) {
                taken.push((k, v));
            } else {
                kept.push_back((k, v));
            }
        }
        self.run = kept;
        let keys: Vec<WireKey> = self
            .rest
            .iter()
            .filter(|(k, v)| pick(k, v))
            .map(|(k, _)| *k)
            .collect();
        for k in keys {
            let v = self.rest.remove(&k).expect("listed above");
            taken.push((k, v));
        }
        taken.sort_by_key(|(k, _)| *k);
        taken
    }

    /// How many entries are queued.
    pub(crate) fn len(&self) -> usize {
        self.run.len() + self.rest.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pops everything (as if `now` were the end of time).
    fn drain(w: &mut Wire<u32>) -> Vec<(WireKey, u32)> {
        std::iter::from_fn(|| w.pop_due(u64::MAX)).collect()
    }

    #[test]
    fn pops_in_key_order_whatever_the_push_order() {
        let mut w = Wire::default();
        let keys = [(5, 1), (7, 2), (3, 3), (7, 4), (6, 5), (9, 6), (1, 7)];
        for (i, k) in keys.iter().enumerate() {
            w.push(*k, i as u32);
        }
        assert_eq!(w.len(), keys.len());
        assert_eq!(w.first_key(), Some((1, 7)));
        let got: Vec<WireKey> = drain(&mut w).into_iter().map(|(k, _)| k).collect();
        let mut want = keys.to_vec();
        want.sort();
        assert_eq!(got, want);
        assert_eq!(w.len(), 0);
        assert_eq!(w.first_key(), None);
    }

    #[test]
    fn changes_are_reported_once() {
        let mut w = Wire::default();
        assert!(!w.take_changed());
        w.push((1, 1), 1);
        assert!(w.take_changed());
        assert!(!w.take_changed());
        assert_eq!(w.pop_due(0), None);
        assert!(!w.take_changed(), "nothing was due");
        assert_eq!(w.pop_due(1), Some(((1, 1), 1)));
        assert!(w.take_changed());
    }

    #[test]
    fn pop_due_stops_at_the_first_entry_not_due() {
        let mut w = Wire::default();
        w.push((10, 1), 1);
        w.push((20, 2), 2);
        w.push((15, 3), 3); // out of order: kept aside
        assert_eq!(w.pop_due(9), None);
        assert_eq!(w.pop_due(15), Some(((10, 1), 1)));
        assert_eq!(w.pop_due(15), Some(((15, 3), 3)));
        assert_eq!(w.pop_due(15), None);
        assert_eq!(w.first_key(), Some((20, 2)));
    }

    #[test]
    fn take_where_removes_the_picked_entries_in_key_order() {
        let mut w = Wire::default();
        for (k, v) in [((4, 1), 1), ((8, 2), 2), ((2, 3), 3), ((9, 4), 4)] {
            w.push(k, v);
        }
        let taken = w.take_where(|_, v| v % 2 == 1);
        assert_eq!(taken, [((2, 3), 3), ((4, 1), 1)]);
        assert_eq!(drain(&mut w), [((8, 2), 2), ((9, 4), 4)]);
    }
}
