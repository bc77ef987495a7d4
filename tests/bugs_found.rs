//! The bug set (`tests/bugs/`) under `#[sim_test]`: every planted bug is
//! found by a portfolio sweep of seeds (the test fails with the bug's
//! message, which `should_panic` expects), and every fixed variant passes
//! the same sweep. Plain sweeps also check that each bug fires with
//! exactly its kind and message under PCT at the bug's depth, and that no
//! fix fails under Random, PCT or the portfolio.

mod bugs;

use detsim::{Scheduler, Sim, sim_test};

/// Sweeps `seeds` seeds of `bug` under `scheduler` and returns the number
/// of failing seeds, asserting that every failure is the bug itself.
fn failing_seeds(bug: &bugs::Bug, scheduler: Scheduler, seeds: u64, fixed: bool) -> u64 {
    failing_seeds_from(bug, scheduler, 0, seeds, fixed)
}

fn failing_seeds_from(
    bug: &bugs::Bug,
    scheduler: Scheduler,
    first: u64,
    seeds: u64,
    fixed: bool,
) -> u64 {
    let mut failing = 0;
    for seed in first..first + seeds {
        let mut sim = Sim::builder()
            .seed(seed)
            .scheduler(scheduler)
            .pct_steps(120)
            .build();
        if let Err(f) = sim.run(bug.run(fixed)) {
            assert!(
                bug.is_this(&f),
                "{}: seed {seed}: unexpected failure {f}",
                bug.name
            );
            failing += 1;
        }
    }
    failing
}

/// The first of `seeds` seeds on which `bug` fires (as itself).
fn first_failing_seed(bug: &bugs::Bug, scheduler: Scheduler, seeds: u64) -> Option<u64> {
    (0..seeds).find(|&seed| failing_seeds_from(bug, scheduler, seed, 1, false) == 1)
}

#[test]
fn every_bug_fires_under_pct_at_its_depth_and_no_fix_fails() {
    for bug in bugs::all() {
        let pct = Scheduler::Pct { depth: bug.depth };
        let found = first_failing_seed(&bug, pct, 2_000);
        assert!(found.is_some(), "{} never fired under {pct}", bug.name);
        for scheduler in [Scheduler::Random, pct, Scheduler::Portfolio] {
            let fixed = failing_seeds(&bug, scheduler, 300, true);
            assert_eq!(fixed, 0, "{}: the fix failed under {scheduler}", bug.name);
        }
    }
}

#[test]
fn random_scheduling_finds_the_symmetric_and_fault_driven_bugs() {
    // The depth-2 bugs with a slow path need one task to run ten steps
    // ahead of another: uniform random scheduling all but never does.
    for name in [
        "order_violation",
        "timeout_race",
        "message_reordering",
        "split_brain",
    ] {
        let bug = bugs::all().into_iter().find(|b| b.name == name).unwrap();
        assert!(
            first_failing_seed(&bug, Scheduler::Random, 300).is_some(),
            "{name}"
        );
    }
}

macro_rules! bug_tests {
    ($($bug:ident: $found:ident, $fixed:ident, $message:literal;)*) => {$(
        #[sim_test(seeds = 2000, scheduler = "portfolio")]
        #[should_panic(expected = $message)]
        async fn $found() {
            bugs::all().into_iter().find(|b| b.name == stringify!($bug)).unwrap().run(false).await;
        }

        #[sim_test(seeds = 300, scheduler = "portfolio")]
        async fn $fixed() {
            bugs::all().into_iter().find(|b| b.name == stringify!($bug)).unwrap().run(true).await;
        }
    )*};
}

bug_tests! {
    order_violation: order_violation_is_found, order_violation_fix_passes,
        "order violation: the config was read before it was published";
    atomicity_violation: atomicity_violation_is_found, atomicity_violation_fix_passes,
        "atomicity violation: withdrew 160 from an account of 100";
    lost_wakeup: lost_wakeup_is_found, lost_wakeup_fix_passes,
        "deadlock: the main task can never finish";
    lock_order_deadlock: lock_order_deadlock_is_found, lock_order_deadlock_fix_passes,
        "deadlock: the main task can never finish";
    timeout_race: timeout_race_is_found, timeout_race_fix_passes,
        "timeout race: the payment was charged twice";
    message_reordering: message_reordering_is_found, message_reordering_fix_passes,
        "message reordering: the replica kept the older value";
    split_brain: split_brain_is_found, split_brain_fix_passes,
        "split brain: two leaders at once";
    lost_write_after_crash: lost_write_after_crash_is_found, lost_write_after_crash_fix_passes,
        "lost write after crash: acknowledged key";
}
