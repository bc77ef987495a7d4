//! PCT: Probabilistic Concurrency Testing (Burckhardt, Kothari, Musuvathi,
//! Nagarakatte, ASPLOS 2010).
//!
//! # Algorithm
//!
//! Each new task draws a random initial priority (at least `depth`, so it
//! ranks above every lowered priority); the runnable task with the highest
//! priority always runs, ties going to the task that became runnable first.
//! Before the run, `depth - 1` change points are drawn in `1..=k`. When step
//! `k_i` comes, the task about to run drops to priority `depth - i` (below
//! every initial priority and every earlier change) and the highest task is
//! picked again. A bug that needs `d` ordering constraints is then hit with
//! probability at least `1/(n·k^(d-1))` per run.
//!
//! Draws are shaped so zero is simplest: a zero priority draw ranks a task
//! below the tasks before it (so all-zero is FIFO), and a zero change-point
//! draw means "no change point".

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::{Entry, Lookahead, Schedule};
use crate::choices::{Choices, DrawKind};

pub(crate) struct Pct {
    depth: u32,
    /// Priority of the task in each slot.
    priority: Vec<u64>,
    /// (priority, earliest first, entry)
    heap: BinaryHeap<(u64, Reverse<u64>, u32, u32, usize)>,
    order: u64,
    /// Change points as (step, i), earliest first.
    changes: Vec<(u64, u32)>,
    step: u64,
}

impl Pct {
    pub(crate) fn new(depth: u32, steps: u64, choices: &mut Choices) -> Pct {
        let mut changes: Vec<(u64, u32)> = (1..depth)
            .filter_map(|i| {
                let at = choices.draw(DrawKind::PctChange, steps + 1);
                (at > 0).then_some((at, i))
            })
            .collect();
        changes.sort_unstable();
        changes.reverse(); // pop from the back
        Pct {
            depth,
            priority: Vec::new(),
            heap: BinaryHeap::new(),
            order: 0,
            changes,
            step: 0,
        }
    }
}

impl Pct {
    /// The highest-priority live entry; stale ones are dropped.
    fn pop_live(&mut self, live: Option<&dyn Fn(Entry) -> bool>) -> Option<Entry> {
        while let Some((_, _, index, stamp, hint)) = self.heap.pop() {
            let entry = Entry { index, stamp, hint };
            if live.is_none_or(|live| live(entry)) {
                return Some(entry);
            }
        }
        None
    }
}

impl Schedule for Pct {
    fn spawned(&mut self, index: u32, choices: &mut Choices) {
        let p = u64::from(self.depth) + choices.draw(DrawKind::PctPriority, 1 << 32);
        let i = index as usize;
        if self.priority.len() <= i {
            self.priority.resize(i + 1, 0);
        }
        self.priority[i] = p;
    }

    fn len(&self) -> usize {
        self.heap.len()
    }

    fn peek_ahead(&self, _choices: &mut Choices) -> Lookahead {
        let next = self
            .heap
            .peek()
            .map(|&(_, _, index, stamp, hint)| Entry { index, stamp, hint });
        Lookahead {
            next,
            ..Lookahead::default()
        }
    }

    fn push(&mut self, entry: Entry) {
        self.order += 1;
        let p = self.priority[entry.index as usize];
        self.heap
            .push((p, Reverse(self.order), entry.index, entry.stamp, entry.hint));
    }

    fn pop(
        &mut self,
        _choices: &mut Choices,
        live: Option<&dyn Fn(Entry) -> bool>,
    ) -> Option<Entry> {
        let mut entry = self.pop_live(live)?;
        self.step += 1;
        while let Some(&(at, i)) = self.changes.last() {
            if at > self.step {
                break;
            }
            self.changes.pop();
            if at == self.step {
                self.priority[entry.index as usize] = u64::from(self.depth - i);
                self.push(entry);
                entry = self.pop_live(live).expect("the demoted entry is live");
            }
        }
        Some(entry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::choices::Tape;

    #[test]
    fn all_zero_draws_are_fifo() {
        let mut c = Choices::new(0, Some(Tape::new(vec![0; 16])), None);
        let mut p = Pct::new(3, 100, &mut c);
        for i in 0..4 {
            p.spawned(i, &mut c);
            p.push(Entry {
                index: i,
                stamp: 0,
                hint: 0,
            });
        }
        let order: Vec<_> = std::iter::from_fn(|| p.pop(&mut c, None))
            .map(|e| e.index)
            .collect();
        assert_eq!(order, [0, 1, 2, 3]);
    }

    #[test]
    fn highest_priority_runs_and_a_change_point_demotes() {
        // change point at step 1 (draw 1 of 0..=10, depth 2), priorities 5, 9.
        let mut c = Choices::new(0, Some(Tape::new(vec![1, 5, 9])), None);
        let mut p = Pct::new(2, 10, &mut c);
        p.spawned(0, &mut c);
        p.spawned(1, &mut c);
        p.push(Entry {
            index: 0,
            stamp: 0,
            hint: 0,
        });
        p.push(Entry {
            index: 1,
            stamp: 0,
            hint: 0,
        });
        // Task 1 has the higher priority but is demoted at step 1.
        assert_eq!(p.pop(&mut c, None).unwrap().index, 0);
        assert_eq!(p.pop(&mut c, None).unwrap().index, 1);
        assert_eq!(p.priority[1], 1);
    }
}
