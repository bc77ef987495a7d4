//! Scheduling policies: which runnable task runs next.
//!
//! The executor keeps task state; a policy only orders runnable tasks. It
//! sees each task as an [`Entry`] (slot index plus an enqueue stamp, so an
//! entry left behind by an aborted or parked task is recognised as stale by
//! the executor and skipped), and it makes every choice through the one
//! choice source, where a draw of zero is the simplest outcome.

mod estimate;
mod pct;
mod queue;

use std::fmt;

use crate::choices::Choices;

pub use estimate::{CALIBRATION_RUNS, estimate_pct_steps};
pub(crate) use pct::Pct;
pub(crate) use queue::RunQueue;

/// Runnable tasks from which the executor prefetches ahead of the
/// scheduler (below, their data is likely cached anyway).
pub(crate) const LOOKAHEAD_MIN: usize = 64;

/// A runnable task as the scheduler sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) index: u32,
    pub(crate) stamp: u32,
    /// Where the task's future is, to prefetch once the task is picked (a
    /// `raw::prefetch` hint, 0 for none). Never dereferenced.
    pub(crate) hint: usize,
}

/// What the next pops will most likely return (see
/// [`Schedule::peek_ahead`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Lookahead {
    /// The next pop's entry.
    pub(crate) next: Option<Entry>,
    /// The entry of the pop after it.
    pub(crate) after: Option<Entry>,
    /// The address of the entry the third pop will return (0 for none).
    pub(crate) third: usize,
}

/// A scheduling policy.
pub(crate) trait Schedule {
    /// A task was created in slot `index` (PCT draws its priority here).
    fn spawned(&mut self, _index: u32, _choices: &mut Choices) {}
    /// A task became runnable.
    fn push(&mut self, entry: Entry);
    /// Removes and returns the task to run next. With `live`, only entries
    /// it accepts: stale entries (aborted, killed or parked tasks) are
    /// discarded and never count as a scheduling step. Without it (the
    /// executor knows no entry is stale), every entry is live.
    fn pop(&mut self, choices: &mut Choices, live: Option<&dyn Fn(Entry) -> bool>)
    -> Option<Entry>;
    /// Prefetch hints, changing nothing: the entries the next pops will
    /// most likely return if nothing becomes runnable meanwhile.
    fn peek_ahead(&self, _choices: &mut Choices) -> Lookahead {
        Lookahead::default()
    }
    /// Entries held (stale ones included).
    fn len(&self) -> usize;
}

/// The scheduling policy of a simulation.
///
/// # Example
///
/// ```
/// use detsim::{Scheduler, Sim};
/// let sim = Sim::builder().scheduler(Scheduler::Pct { depth: 3 }).build();
/// # drop(sim);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Scheduler {
    /// Each step picks uniformly among the runnable tasks (a draw of zero
    /// picks the one runnable longest). The default.
    #[default]
    Random,
    /// Runs tasks in the order they became runnable; makes no scheduling
    /// draws (timers due at the same instant are still ordered by draws).
    Fifo,
    /// Probabilistic Concurrency Testing (Burckhardt et al., ASPLOS 2010):
    /// every task gets a random priority, the highest-priority runnable task
    /// always runs, and at `depth - 1` random steps the running task drops to
    /// the lowest priority. Finds a bug of depth `d` in a run of `n` tasks and
    /// `k` steps with probability at least `1/(n·k^(d-1))`; set `k` with
    /// [`Builder::pct_steps`](crate::Builder::pct_steps), ideally to the
    /// step count of a typical run ([`estimate_pct_steps`] measures it;
    /// `#[sim_test]` does so for every PCT sweep).
    Pct {
        /// The bug depth targeted: the number of ordering constraints that
        /// must line up (1 or more).
        depth: u32,
    },
    /// A portfolio for sweeps: each seed runs under one of Random, PCT
    /// depth 1, PCT depth 2 and PCT depth 3, chosen by `seed % 4` (in that
    /// order), so a sweep tries each in turn and a seed alone says which
    /// one it ran ([`Scheduler::for_seed`]). A simulation built with it
    /// runs, and reports, the seed's scheduler.
    ///
    /// ```
    /// use detsim::{Scheduler, Sim};
    /// let mut sim = Sim::builder().seed(6).scheduler(Scheduler::Portfolio).build();
    /// sim.run(async {}).unwrap();
    /// assert_eq!(sim.report().scheduler(), Scheduler::Pct { depth: 2 });
    /// ```
    Portfolio,
}

impl fmt::Display for Scheduler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scheduler::Random => f.write_str("random"),
            Scheduler::Fifo => f.write_str("fifo"),
            Scheduler::Pct { depth } => write!(f, "pct(depth={depth})"),
            Scheduler::Portfolio => f.write_str("portfolio"),
        }
    }
}

impl Scheduler {
    /// The scheduler a run of `seed` uses: [`Scheduler::Portfolio`]'s
    /// pick for the seed, any other scheduler itself.
    ///
    /// ```
    /// use detsim::Scheduler;
    /// let picks: Vec<_> = (8..12).map(|s| Scheduler::Portfolio.for_seed(s)).collect();
    /// assert_eq!(picks, [
    ///     Scheduler::Random,
    ///     Scheduler::Pct { depth: 1 },
    ///     Scheduler::Pct { depth: 2 },
    ///     Scheduler::Pct { depth: 3 },
    /// ]);
    /// assert_eq!(Scheduler::Fifo.for_seed(9), Scheduler::Fifo);
    /// ```
    pub fn for_seed(self, seed: u64) -> Scheduler {
        match (self, seed % 4) {
            (Scheduler::Portfolio, 0) => Scheduler::Random,
            (Scheduler::Portfolio, d) => Scheduler::Pct { depth: d as u32 },
            (other, _) => other,
        }
    }

    /// Whether runs under this scheduler (some runs, for a portfolio) use
    /// PCT, whose change points want an estimate of the steps of a run.
    ///
    /// ```
    /// assert!(detsim::Scheduler::Portfolio.uses_pct());
    /// assert!(!detsim::Scheduler::Random.uses_pct());
    /// ```
    pub fn uses_pct(self) -> bool {
        matches!(self, Scheduler::Pct { .. } | Scheduler::Portfolio)
    }

    pub(crate) fn build(self, pct_steps: u64, choices: &mut Choices) -> Policy {
        match self {
            Scheduler::Portfolio => unreachable!("a portfolio is resolved by seed before building"),
            Scheduler::Random => Policy::Queue(RunQueue::new(true)),
            Scheduler::Fifo => Policy::Queue(RunQueue::new(false)),
            Scheduler::Pct { depth } => Policy::Pct(Pct::new(depth, pct_steps, choices)),
        }
    }
}

/// The built-in policies, dispatched statically so the executor's hot path
/// inlines them (a `Box<dyn Schedule>` would cost an indirect call per
/// step).
pub(crate) enum Policy {
    Queue(RunQueue),
    Pct(Pct),
}

impl Policy {
    /// Pops the next entry if that takes no draw and no lookahead is
    /// worth making (a Random queue of at most one entry, a small Fifo
    /// queue); `None` when [`Schedule::pop`] must decide. The executor
    /// knows no entry is stale.
    #[inline(always)]
    pub(crate) fn pop_without_draw(&mut self) -> Option<Option<Entry>> {
        match self {
            Policy::Queue(q) => q.pop_without_draw(),
            Policy::Pct(_) => None,
        }
    }
}

impl Schedule for Policy {
    #[inline]
    fn spawned(&mut self, index: u32, choices: &mut Choices) {
        if let Policy::Pct(p) = self {
            p.spawned(index, choices);
        }
    }

    #[inline]
    fn push(&mut self, entry: Entry) {
        match self {
            Policy::Queue(q) => q.push(entry),
            Policy::Pct(p) => p.push(entry),
        }
    }

    #[inline]
    fn pop(
        &mut self,
        choices: &mut Choices,
        live: Option<&dyn Fn(Entry) -> bool>,
    ) -> Option<Entry> {
        match self {
            Policy::Queue(q) => q.pop(choices, live),
            Policy::Pct(p) => p.pop(choices, live),
        }
    }

    #[inline]
    fn len(&self) -> usize {
        match self {
            Policy::Queue(q) => q.len(),
            Policy::Pct(p) => p.len(),
        }
    }

    #[inline]
    fn peek_ahead(&self, choices: &mut Choices) -> Lookahead {
        match self {
            Policy::Queue(q) => q.peek_ahead(choices),
            Policy::Pct(p) => p.peek_ahead(choices),
        }
    }
}
