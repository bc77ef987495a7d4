//! `Random` and `Fifo`: one run queue, two ways of picking from it.

use std::collections::VecDeque;

use super::{Entry, Schedule};
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

impl Schedule for RunQueue {
    #[inline]
    fn len(&self) -> usize {
        self.queue.len()
    }

    #[inline]
    fn peek_ahead(&self, choices: &mut Choices) -> (Option<Entry>, usize) {
        // Predict the next three picks (0, 1, 2 pops ahead) by replaying
        // `swap_remove_front` on positions only: taking position `i` moves
        // the front into `i`, then the front goes.
        let len = self.queue.len();
        let mut moved: [(usize, usize); 3] = [(usize::MAX, 0); 3];
        let mut picks = [0usize; 3];
        // Positions shift down by one per pop: `ahead` is also the offset.
        for (ahead, pick) in picks.iter_mut().enumerate() {
            let offset = ahead;
            let remaining = len.saturating_sub(ahead);
            if remaining == 0 {
                return (None, 0);
            }
            let i = if self.random {
                choices.peek(ahead, remaining as u64) as usize
            } else {
                0
            };
            let at = |abs: usize| {
                moved
                    .iter()
                    .find(|&&(from, _)| from == abs)
                    .map_or(abs, |&(_, to)| to)
            };
            *pick = at(i + offset);
            moved[ahead] = (i + offset, at(offset));
        }
        let entry_addr = |p: usize| self.queue.get(p).map_or(0, |e| (e as *const Entry).addr());
        (self.queue.get(picks[1]).copied(), entry_addr(picks[2]))
    }

    #[inline]
    fn push(&mut self, entry: Entry) {
        self.queue.push_back(entry);
    }

    #[inline]
    fn pop(
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
    fn peek_ahead_predicts_the_picks_after_next() {
        for seed in 0..50 {
            let mut q = RunQueue::new(true);
            entries(300).for_each(|e| q.push(e));
            let mut c = Choices::new(seed, None, false);
            let (after_next, third_addr) = q.peek_ahead(&mut c);
            let third_predicted = q
                .queue
                .iter()
                .find(|e| (*e as *const Entry).addr() == third_addr)
                .copied();
            let picks: Vec<_> = (0..3).map(|_| q.pop(&mut c, None).unwrap()).collect();
            assert_eq!(after_next, Some(picks[1]), "seed {seed}");
            assert_eq!(third_predicted, Some(picks[2]), "seed {seed}");
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
