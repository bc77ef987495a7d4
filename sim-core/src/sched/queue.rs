//! `Random` and `Fifo`: one run queue, two ways of picking from it.

use std::collections::VecDeque;

use super::{Entry, Lookahead, Schedule};
use crate::choices::{Choices, DrawKind};

/// Runnable tasks in the order they became runnable.
///
/// `Random` draws an index `i` into the queue and takes that entry, moving
/// the front entry into its place (`swap_remove_front`): O(1), and a draw of
/// zero takes the front, so an all-zero tape is exactly FIFO order.
pub(crate) struct RunQueue {
    queue: VecDeque<Entry>,
    random: bool,
}

impl RunQueue {
    pub(crate) fn new(random: bool) -> RunQueue {
        RunQueue {
            queue: VecDeque::new(),
            random,
        }
    }
}

impl RunQueue {
    #[inline(never)]
    fn pop_slow(
        &mut self,
        choices: &mut Choices,
        live: Option<&dyn Fn(Entry) -> bool>,
    ) -> Option<Entry> {
        let mut purged = false;
        loop {
            let entry = if !self.random || self.queue.len() <= 1 {
                self.queue.pop_front()?
            } else {
                let i = choices.draw(DrawKind::Schedule, self.queue.len() as u64);
                self.queue.swap_remove_front(i as usize)?
            };
            let Some(live) = live else {
                return Some(entry);
            };
            if live(entry) {
                return Some(entry);
            }
            // A stale entry: purge them all at once (each is purged once),
            // so draws are made among live tasks only.
            if !purged {
                self.queue.retain(|&e| live(e));
                purged = true;
            }
        }
    }
}

impl Schedule for RunQueue {
    #[inline]
    fn len(&self) -> usize {
        self.queue.len()
    }

    #[inline]
    fn peek_ahead(&self, choices: &mut Choices) -> Lookahead {
        let len = self.queue.len();
        let addr = |pos: usize| {
            self.queue
                .get(pos)
                .map_or(0, |e| (e as *const Entry).addr())
        };
        if !self.random {
            return Lookahead {
                next: self.queue.front().copied(),
                after: self.queue.get(1).copied(),
                third: addr(2),
            };
        }
        let i = choices.peek(0, len as u64) as usize;
        let j = choices.peek(1, len.saturating_sub(1) as u64) as usize;
        let k = choices.peek(2, len.saturating_sub(2) as u64) as usize;
        // Taking `p` moves the front into `p`, then the front goes: the
        // entry then at `q` was at `q + 1`, or at the front if `q + 1 == p`.
        let before = |p: usize, q: usize| if q + 1 == p { 0 } else { q + 1 };
        Lookahead {
            next: self.queue.get(i).copied(),
            after: self.queue.get(before(i, j)).copied(),
            third: addr(before(i, before(j, k))),
        }
    }

    #[inline]
    fn push(&mut self, entry: Entry) {
        self.queue.push_back(entry);
    }

    #[inline(always)]
    fn pop(
        &mut self,
        choices: &mut Choices,
        live: Option<&dyn Fn(Entry) -> bool>,
    ) -> Option<Entry> {
        // The common case, small enough to inline: nothing to draw and
        // nothing stale.
        if live.is_none() && (!self.random || self.queue.len() <= 1) {
            return self.queue.pop_front();
        }
        self.pop_slow(choices, live)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::choices::Tape;

    fn entries(n: u32) -> impl Iterator<Item = Entry> {
        (0..n).map(|index| Entry {
            index,
            stamp: 0,
            hint: 0,
        })
    }

    fn drain(q: &mut RunQueue, c: &mut Choices) -> Vec<u32> {
        std::iter::from_fn(|| q.pop(c, None))
            .map(|e| e.index)
            .collect()
    }

    #[test]
    fn peek_ahead_predicts_the_next_three_picks() {
        for random in [true, false] {
            for seed in 0..200 {
                let mut q = RunQueue::new(random);
                // Small queues make the picks collide with the front often.
                entries(3 + seed as u32 % 40).for_each(|e| q.push(e));
                let mut c = Choices::new(seed, None, false);
                let ahead = q.peek_ahead(&mut c);
                let third = q
                    .queue
                    .iter()
                    .find(|e| (*e as *const Entry).addr() == ahead.third)
                    .copied();
                let picks: Vec<_> = (0..3).map(|_| q.pop(&mut c, None).unwrap()).collect();
                assert_eq!(ahead.next, Some(picks[0]), "seed {seed}");
                assert_eq!(ahead.after, Some(picks[1]), "seed {seed}");
                assert_eq!(third, Some(picks[2]), "seed {seed}");
            }
        }
    }

    #[test]
    fn stale_entries_are_skipped_and_purged() {
        let mut q = RunQueue::new(true);
        entries(6).for_each(|e| q.push(e));
        let mut c = Choices::new(1, Some(Tape::new(vec![0; 8])), false);
        let odd = |e: Entry| e.index % 2 == 1;
        let got: Vec<_> = std::iter::from_fn(|| q.pop(&mut c, Some(&odd)))
            .map(|e| e.index)
            .collect();
        assert_eq!(got, [1, 3, 5]);
        // One draw lands on a stale entry (which purges them all); then
        // draws are among the 3 live entries only.
        assert_eq!(c.draws(), 3);
    }

    #[test]
    fn fifo_ignores_the_tape() {
        let mut q = RunQueue::new(false);
        entries(4).for_each(|e| q.push(e));
        let mut c = Choices::new(1, None, false);
        assert_eq!(drain(&mut q, &mut c), [0, 1, 2, 3]);
        assert_eq!(c.draws(), 0);
    }

    #[test]
    fn random_with_zero_draws_is_fifo() {
        let mut q = RunQueue::new(true);
        entries(4).for_each(|e| q.push(e));
        let mut c = Choices::new(1, Some(Tape::new(vec![0; 8])), false);
        assert_eq!(drain(&mut q, &mut c), [0, 1, 2, 3]);
        assert_eq!(c.draws(), 3, "the last pick has one candidate: no draw");
    }

    #[test]
    fn random_picks_by_index() {
        let mut q = RunQueue::new(true);
        entries(4).for_each(|e| q.push(e));
        let mut c = Choices::new(1, Some(Tape::new(vec![2, 0, 1])), false);
        // [0,1,2,3] take #2, the front fills its place: [1,0,3]; take #0:
        // [0,3]; take #1: [0].
        assert_eq!(drain(&mut q, &mut c), [2, 1, 3, 0]);
    }
}
