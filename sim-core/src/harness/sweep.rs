//! Seed sweeps on worker threads.
//!
//! Workers take seed indices from one counter in increasing order. When a
//! seed fails (and the sweep does not keep going), workers stop taking new
//! seeds but finish the ones they hold; since every smaller index was taken
//! before the failing one, all of them complete, so the smallest failing
//! seed reported is the smallest failing seed up to the first failure found
//! — the same answer whatever the number of jobs or the thread timing.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Which seeds to run and how.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Plan {
    pub(crate) base: u64,
    pub(crate) count: u64,
    pub(crate) jobs: usize,
    pub(crate) keep_going: bool,
}

/// What a sweep found.
#[derive(Debug)]
pub(crate) struct Outcome<E> {
    /// Seeds that ran to completion.
    pub(crate) run: u64,
    /// Failing seeds with their errors, smallest seed index first.
    pub(crate) failures: Vec<(u64, E)>,
}

/// Runs `plan.count` seeds from `plan.base` (wrapping) with `plan.jobs`
/// workers; `job` runs one seed. One job runs on the calling thread.
pub(crate) fn sweep<E, J>(plan: Plan, thread_name: &str, job: J) -> Outcome<E>
where
    E: Send,
    J: Fn(u64) -> Result<(), E> + Sync,
{
    let next = AtomicU64::new(0);
    let done = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let failures = Mutex::new(Vec::new());
    let work = || {
        while !stop.load(Ordering::Relaxed) {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= plan.count {
                break;
            }
            let result = job(plan.base.wrapping_add(i));
            done.fetch_add(1, Ordering::Relaxed);
            if let Err(e) = result {
                failures
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push((i, e));
                if !plan.keep_going {
                    stop.store(true, Ordering::Relaxed);
                }
            }
        }
    };
    let jobs = plan
        .jobs
        .clamp(1, usize::try_from(plan.count).unwrap_or(usize::MAX).max(1));
    if jobs == 1 {
        work();
    } else {
        std::thread::scope(|s| {
            let workers: Vec<_> = (0..jobs)
                .map(|n| {
                    std::thread::Builder::new()
                        .name(format!("{thread_name}#{n}"))
                        .spawn_scoped(s, work)
                        .expect("detsim: cannot start a sweep worker thread")
                })
                .collect();
            for w in workers {
                if let Err(payload) = w.join() {
                    std::panic::resume_unwind(payload);
                }
            }
        });
    }
    let mut failures = failures.into_inner().unwrap_or_else(|p| p.into_inner());
    failures.sort_by_key(|(i, _)| *i);
    Outcome {
        run: done.into_inner(),
        failures: failures
            .into_iter()
            .map(|(i, e)| (plan.base.wrapping_add(i), e))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(count: u64, jobs: usize, keep_going: bool) -> Plan {
        Plan {
            base: 100,
            count,
            jobs,
            keep_going,
        }
    }

    #[test]
    fn runs_every_seed_once() {
        let seen = Mutex::new(Vec::new());
        let out = sweep::<(), _>(plan(50, 2, false), "t", |s| {
            seen.lock().unwrap().push(s);
            Ok(())
        });
        assert_eq!(out.run, 50);
        let mut seen = seen.into_inner().unwrap();
        seen.sort();
        assert_eq!(seen, (100..150).collect::<Vec<_>>());
    }

    #[test]
    fn stops_at_the_smallest_failing_seed_whatever_the_jobs() {
        for jobs in 1..=4 {
            let out = sweep(plan(1000, jobs, false), "t", |s| {
                if s % 37 == 0 || s == 140 {
                    Err(s)
                } else {
                    Ok(())
                }
            });
            assert_eq!(out.failures[0], (111, 111), "jobs {jobs}");
            assert!(out.run < 1000);
        }
    }

    #[test]
    fn keep_going_collects_every_failure_in_order() {
        let out = sweep(plan(100, 3, true), "t", |s| {
            if s % 10 == 0 { Err(()) } else { Ok(()) }
        });
        assert_eq!(out.run, 100);
        let seeds: Vec<u64> = out.failures.iter().map(|(s, _)| *s).collect();
        assert_eq!(seeds, (100..200).step_by(10).collect::<Vec<_>>());
    }

    #[test]
    fn seeds_wrap_around() {
        let p = Plan {
            base: u64::MAX,
            count: 2,
            jobs: 1,
            keep_going: true,
        };
        let out = sweep(p, "t", Err);
        let seeds: Vec<u64> = out.failures.iter().map(|(s, _)| *s).collect();
        assert_eq!(seeds, [u64::MAX, 0]);
    }
}
