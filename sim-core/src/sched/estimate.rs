//! Estimating `k`, the number of steps of a run, for PCT.
//!
//! PCT (Burckhardt et al. 2010) places its `d - 1` priority change points
//! uniformly over the `k` steps of a run; its guarantee, a bug of depth `d`
//! found with probability at least `1/(n·k^(d-1))`, holds when `k` is the
//! run's real step count. A `k` far above it puts most change points past
//! the end of the run (PCT then degrades to depth 1); far below, it never
//! puts one in the run's later part. So `k` is measured: a few calibration
//! runs of the same test under the Random scheduler, and the largest step
//! count among them.
//!
//! The calibration uses fixed seeds (`0..CALIBRATION_RUNS`), not the
//! sweep's: the estimate, and so every seed's PCT schedule, is the same
//! whichever seed a sweep starts from, and `DETSIM_SEED=<a failing seed>`
//! reruns exactly the schedule the sweep saw. Artifacts record the `k`
//! used, so a replay does not depend on the estimate at all.

use std::future::Future;

use crate::{Builder, Scheduler};

/// How many calibration runs [`estimate_pct_steps`] makes.
///
/// ```
/// assert_eq!(detsim::CALIBRATION_RUNS, 3);
/// ```
pub const CALIBRATION_RUNS: u64 = 3;

/// The number of steps (polls) a run of `make()`'s future takes: the
/// largest count among [`CALIBRATION_RUNS`] runs under the Random scheduler
/// with seeds `0`, `1`, `2`, and `builder`'s other settings (limits,
/// auto-advance, epoch). A run that fails counts the steps it took. Use the
/// result with [`Builder::pct_steps`].
///
/// ```
/// use detsim::{Builder, Scheduler, Sim, estimate_pct_steps};
/// let test = || async {
///     let tasks: Vec<_> = (0..4)
///         .map(|_| detsim::spawn(async { for _ in 0..10 { detsim::yield_now().await } }))
///         .collect();
///     for t in tasks { t.await.unwrap(); }
/// };
/// let k = estimate_pct_steps(&Builder::new(), test);
/// assert!((44..=50).contains(&k), "{k}"); // 4 tasks x 11 polls, plus main's
/// let mut sim = Sim::builder().scheduler(Scheduler::Pct { depth: 2 }).pct_steps(k).build();
/// sim.run(test()).unwrap();
/// ```
pub fn estimate_pct_steps<M, F>(builder: &Builder, mut make: M) -> u64
where
    M: FnMut() -> F,
    F: Future,
{
    (0..CALIBRATION_RUNS)
        .map(|seed| {
            let mut b = builder.clone().seed(seed).scheduler(Scheduler::Random);
            b.tape = None;
            let mut sim = b.build();
            match sim.run(make()) {
                Ok(_) => sim.steps(),
                Err(f) => f.steps(),
            }
        })
        .max()
        .unwrap_or(1)
        .max(1)
}
