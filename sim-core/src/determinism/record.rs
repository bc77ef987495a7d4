//! What the determinism check keeps of each run, in memory bounded whatever
//! the run's length.
//!
//! Comparing two runs event by event would mean keeping every event of
//! both (a [`Checkpoint`] is 72 bytes: a long run would hold gigabytes).
//! Instead the events are cut into windows of `k` events ([`WINDOW`] in a
//! check), and the run's fingerprint, a rolling hash of its events so far,
//! is the summary of everything before a window boundary:
//!
//! 1. the first run ([`Role::Record`]) keeps its fingerprint at every
//!    boundary and at its end (a [`Reference`]: one word per `k` events),
//!    and its first `k` and last `k + 1` events;
//! 2. the second run ([`Role::Compare`]) compares its fingerprint with the
//!    reference at every boundary as it goes, keeping only its last
//!    `k + 1` events, and stops keeping at the first boundary that
//!    differs: the first differing event lies after the last boundary that
//!    matched and before that one, and the kept events cover it;
//! 3. if the first run's kept events do not cover that window, a third run
//!    ([`Role::Replay`]) keeps just the window's events, and checks at every
//!    boundary up to the window's end that it is repeating the first run
//!    (a program whose nondeterminism changes from run to run may not).
//!
//! Memory: about `events / k` words plus `3k + 1` events for the first
//! run, `k + 1` events for the others.

use std::collections::VecDeque;
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use crate::choices::Checkpoint;

/// Events per window of the determinism check: a run keeps at most about
/// three windows of events (about 900 KB) plus one word per window.
pub(crate) const WINDOW: u64 = 4096;

/// What the first run leaves for the others: its fingerprint after every
/// `k` events, and its length and fingerprint at its end.
pub(crate) struct Reference {
    k: u64,
    checkpoints: Vec<u64>,
    events: u64,
    end: u64,
}

impl Reference {
    /// How many events the first run had.
    pub(crate) fn events(&self) -> u64 {
        self.events
    }

    /// The first run's fingerprint after `count` events, if `count` is a
    /// boundary: a multiple of `k`, or the run's end.
    fn expected(&self, count: u64) -> Option<u64> {
        if count == self.events {
            Some(self.end)
        } else if count < self.events && count % self.k == 0 {
            Some(self.checkpoints[(count / self.k - 1) as usize])
        } else {
            None
        }
    }
}

impl fmt::Debug for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Reference({} events, {} checkpoints every {})",
            self.events,
            self.checkpoints.len(),
            self.k
        )
    }
}

/// Which run of the check a simulation is, and what it keeps.
#[derive(Clone, Debug)]
pub(crate) enum Role {
    /// The first run: windows of `k` events.
    Record { k: u64 },
    /// The second run: compares with the first as it goes.
    Compare(Arc<Reference>),
    /// A third run: keeps the first run's events in the range, checking that
    /// it repeats the first run.
    Replay(Arc<Reference>, Range<u64>),
}

/// Consecutive events of a run, the first of them at index `first`.
#[derive(Debug, Default)]
pub(crate) struct Kept {
    first: u64,
    events: VecDeque<Checkpoint>,
}

impl Kept {
    /// Event `index`, if kept.
    pub(crate) fn get(&self, index: u64) -> Option<&Checkpoint> {
        let i = index.checked_sub(self.first)?;
        self.events.get(usize::try_from(i).ok()?)
    }

    /// Whether every event of `range` is kept.
    pub(crate) fn covers(&self, range: &Range<u64>) -> bool {
        range.is_empty()
            || (self.first <= range.start && range.end <= self.first + self.events.len() as u64)
    }

    /// Keeps `cp` as the next event, dropping the oldest beyond `limit`.
    fn push_ring(&mut self, cp: Checkpoint, limit: usize) {
        if self.events.len() == limit {
            self.events.pop_front();
            self.first += 1;
        }
        self.events.push_back(cp);
    }

    fn len(&self) -> usize {
        self.events.len()
    }
}

/// What a later run found, compared with the reference.
#[derive(Debug)]
pub(crate) struct Followed {
    /// Events of the run.
    pub(crate) events: u64,
    /// The last boundary where it matched the reference (0 if none): every
    /// event before it is the same in both runs.
    pub(crate) matched: u64,
    /// The events it kept.
    pub(crate) kept: Kept,
}

/// What the first run kept.
pub(crate) struct Recorded {
    pub(crate) reference: Reference,
    pub(crate) head: Kept,
    pub(crate) tail: Kept,
}

enum State {
    Record {
        k: u64,
        checkpoints: Vec<u64>,
        head: Kept,
        tail: Kept,
    },
    Follow {
        reference: Arc<Reference>,
        /// `None`: the last `k + 1` events; else the events in the range.
        range: Option<Range<u64>>,
        matched: u64,
        /// Nothing more to keep or compare.
        done: bool,
        kept: Kept,
    },
}

/// The determinism check's bookkeeping for one run (see the module docs).
pub(crate) struct Recorder {
    count: u64,
    state: State,
}

impl Recorder {
    pub(crate) fn new(role: Role) -> Recorder {
        let state = match role {
            Role::Record { k } => State::Record {
                k: k.max(1),
                checkpoints: Vec::new(),
                head: Kept::default(),
                tail: Kept::default(),
            },
            Role::Compare(reference) => State::Follow {
                reference,
                range: None,
                matched: 0,
                done: false,
                kept: Kept::default(),
            },
            Role::Replay(reference, range) => State::Follow {
                kept: Kept {
                    first: range.start,
                    events: VecDeque::new(),
                },
                reference,
                range: Some(range),
                matched: 0,
                done: false,
            },
        };
        Recorder { count: 0, state }
    }

    /// One more event; `hash` is the run's fingerprint with it folded in.
    pub(crate) fn push(&mut self, cp: Checkpoint, hash: u64) {
        let index = self.count;
        self.count += 1;
        match &mut self.state {
            State::Record {
                k,
                checkpoints,
                head,
                tail,
            } => {
                if index < *k {
                    head.events.push_back(cp);
                }
                tail.push_ring(cp, *k as usize + 1);
                if self.count % *k == 0 {
                    checkpoints.push(hash);
                }
            }
            State::Follow {
                reference,
                range,
                matched,
                done,
                kept,
            } => {
                if *done {
                    return;
                }
                match range {
                    None => kept.push_ring(cp, reference.k as usize + 1),
                    Some(r) if r.contains(&index) => kept.events.push_back(cp),
                    Some(_) => {}
                }
                match reference.expected(self.count) {
                    Some(h) if h == hash => *matched = self.count,
                    // The first boundary that differs: the kept events
                    // cover the window before it.
                    Some(_) => *done = true,
                    // Past the reference's end: this event, the first one
                    // the reference does not have, is the last one needed.
                    None => *done = self.count > reference.events,
                }
                if let Some(r) = range {
                    // Repeating the reference through the range's end: what
                    // was kept is the reference's.
                    *done |= *matched >= r.end;
                }
            }
        }
    }

    /// How many events it holds now.
    pub(crate) fn retained(&self) -> usize {
        match &self.state {
            State::Record { head, tail, .. } => head.len() + tail.len(),
            State::Follow { kept, .. } => kept.len(),
        }
    }

    /// How many checkpoints (words) it holds now.
    pub(crate) fn checkpoints(&self) -> usize {
        match &self.state {
            State::Record { checkpoints, .. } => checkpoints.len(),
            State::Follow { .. } => 0,
        }
    }

    /// The first run's record; `end` is its final fingerprint.
    ///
    /// # Panics
    ///
    /// If this is not a [`Role::Record`] recorder (a bug in the check).
    pub(crate) fn into_recorded(self, end: u64) -> Recorded {
        match self.state {
            State::Record {
                k,
                checkpoints,
                head,
                tail,
            } => Recorded {
                reference: Reference {
                    k,
                    checkpoints,
                    events: self.count,
                    end,
                },
                head,
                tail,
            },
            State::Follow { .. } => unreachable!("detsim bug: the first run did not record"),
        }
    }

    /// A later run's findings.
    ///
    /// # Panics
    ///
    /// If this is a [`Role::Record`] recorder (a bug in the check).
    pub(crate) fn into_followed(self) -> Followed {
        match self.state {
            State::Follow { matched, kept, .. } => Followed {
                events: self.count,
                matched,
                kept,
            },
            State::Record { .. } => unreachable!("detsim bug: a later run recorded"),
        }
    }
}

/// One run's event at an index, as far as a check knows it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum At<'a> {
    Event(&'a Checkpoint),
    /// The run had fewer events.
    Ended,
    /// Not kept.
    Unknown,
}

impl<'a> At<'a> {
    /// Event `index` of a run of `events` events that kept `kept`.
    pub(crate) fn of(kept: &'a Kept, events: u64, index: u64) -> At<'a> {
        if index >= events {
            return At::Ended;
        }
        kept.get(index).map_or(At::Unknown, At::Event)
    }

    pub(crate) fn event(self) -> Option<&'a Checkpoint> {
        match self {
            At::Event(cp) => Some(cp),
            At::Ended | At::Unknown => None,
        }
    }
}

/// The first index from `from` (and within `k + 1` events of it) where two
/// runs' events differ, given what each kept and how many events each had.
/// `None` if the kept events show no difference there.
pub(crate) fn first_difference(
    (a, a_events): (&Kept, u64),
    (b, b_events): (&Kept, u64),
    from: u64,
    k: u64,
) -> Option<u64> {
    (from..=from + k).find_map(|i| match (At::of(a, a_events, i), At::of(b, b_events, i)) {
        (At::Unknown, _) | (_, At::Unknown) | (At::Ended, At::Ended) => Some(None),
        (At::Event(x), At::Event(y)) if x.event == y.event => None,
        _ => Some(Some(i)),
    })?
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::choices::{Ctx, Event};
    use crate::fingerprint::Fingerprint;

    fn cp(task: u64) -> Checkpoint {
        Checkpoint {
            draws_before: 0,
            ctx: Ctx::default(),
            event: Event::Poll { task },
        }
    }

    /// Feeds `events` to a recorder, folding them into a fingerprint.
    fn feed(role: Role, events: &[u64]) -> (Recorder, u64) {
        let mut r = Recorder::new(role);
        let mut f = Fingerprint::default();
        for &e in events {
            f.mix(e);
            r.push(cp(e), f.0);
        }
        (r, f.0)
    }

    /// The index where the windowed check locates the first difference,
    /// and how many runs it took.
    fn locate(a: &[u64], b: &[u64], k: u64) -> (Option<u64>, u32) {
        let (r1, end) = feed(Role::Record { k }, a);
        let rec = r1.into_recorded(end);
        let reference = Arc::new(rec.reference);
        let (r2, _) = feed(Role::Compare(reference.clone()), b);
        let second = r2.into_followed();
        let s = second.matched;
        let range = s.saturating_sub(1)..(s + k).min(reference.events());
        let (kept, runs) = if rec.head.covers(&range) {
            (rec.head, 2)
        } else if rec.tail.covers(&range) {
            (rec.tail, 2)
        } else {
            let (r3, _) = feed(Role::Replay(reference.clone(), range.clone()), a);
            let third = r3.into_followed();
            assert!(third.matched >= range.end, "a faithful third run");
            (third.kept, 3)
        };
        let found = first_difference(
            (&kept, reference.events()),
            (&second.kept, second.events),
            s,
            k,
        );
        (found, runs)
    }

    fn naive(a: &[u64], b: &[u64]) -> Option<u64> {
        let common = a.len().min(b.len());
        (0..common)
            .find(|&i| a[i] != b[i])
            .or((a.len() != b.len()).then_some(common))
            .map(|i| i as u64)
    }

    #[test]
    fn windows_locate_exactly_what_a_full_comparison_does() {
        let mut x = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut third_runs = 0;
        for case in 0..3000 {
            let k = 1 + next() % 9;
            let len = (next() % 60) as usize;
            let a: Vec<u64> = (0..len).map(|_| next() % 3).collect();
            let mut b = a.clone();
            match case % 4 {
                0 if len > 0 => b[(next() % len as u64) as usize] += 7,
                1 => b.truncate((next() % (len as u64 + 1)) as usize),
                2 => b.extend((0..1 + next() % 12).map(|_| next() % 3)),
                _ => {
                    let at = (next() % (len as u64 + 1)) as usize;
                    b.insert(at, 9);
                }
            }
            if a == b {
                continue;
            }
            let (found, runs) = locate(&a, &b, k);
            assert_eq!(found, naive(&a, &b), "k {k}\na {a:?}\nb {b:?}");
            third_runs += usize::from(runs == 3);
        }
        assert!(
            third_runs > 100,
            "the third run was exercised {third_runs} times"
        );
    }

    #[test]
    fn a_long_run_keeps_a_bounded_number_of_events() {
        let k = 100;
        let a: Vec<u64> = (0..100_000).map(|i| i % 5).collect();
        let mut b = a.clone();
        b[61_234] = 9;
        let (r1, end) = feed(Role::Record { k }, &a);
        assert_eq!(r1.retained(), 2 * k as usize + 1);
        assert_eq!(r1.checkpoints(), 1000);
        let reference = Arc::new(r1.into_recorded(end).reference);
        let (r2, _) = feed(Role::Compare(reference.clone()), &b);
        assert_eq!(r2.retained(), k as usize + 1);
        let second = r2.into_followed();
        assert_eq!(second.matched, 61_200);
        let (r3, _) = feed(Role::Replay(reference, 61_199..61_300), &a);
        assert_eq!(r3.retained(), 101);
        assert_eq!(locate(&a, &b, k), (Some(61_234), 3));
    }

    #[test]
    fn a_third_run_that_does_not_repeat_the_first_is_detected() {
        let k = 4;
        let a: Vec<u64> = (0..40).collect();
        let mut other = a.clone();
        other[21] = 99;
        let (r1, end) = feed(Role::Record { k }, &a);
        let reference = Arc::new(r1.into_recorded(end).reference);
        let (r3, _) = feed(Role::Replay(reference, 19..24), &other);
        let third = r3.into_followed();
        assert_eq!(
            third.matched, 20,
            "it matched up to the window, not through it"
        );
    }
}
