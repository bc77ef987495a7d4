//! PCT done right and the portfolio: the step estimate `k`, its effect on
//! PCT's hit rate, the portfolio's per-seed scheduler (deterministic,
//! reported, recorded in artifacts, replayed), and `DETSIM_SCHEDULER`.
//!
//! The `#[sim_test]` fixtures do their work only in a child process of
//! this test binary (`DETSIM_TEST_CHILD=1`); in the parent they return at
//! once.

mod bugs;
mod common;

use std::path::Path;

use common::is_child;
use detsim::harness::Artifact;
use detsim::{Builder, DEFAULT_PCT_STEPS, Scheduler, Sim, estimate_pct_steps, sim_test};

#[test]
fn portfolio_runs_are_a_pure_function_of_the_seed() {
    for bug in bugs::all() {
        for seed in 0..60 {
            for fixed in [false, true] {
                let run = || {
                    let mut sim = Sim::builder()
                        .seed(seed)
                        .scheduler(Scheduler::Portfolio)
                        .pct_steps(120)
                        .build();
                    match sim.run(bug.run(fixed)) {
                        Ok(()) => (sim.fingerprint(), sim.tape()),
                        Err(f) => (f.fingerprint(), f.tape().clone()),
                    }
                };
                assert_eq!(run(), run(), "{} seed {seed} fixed {fixed}", bug.name);
            }
        }
    }
}

#[test]
fn a_portfolio_seed_runs_and_reports_its_own_scheduler() {
    let bug = bugs::sched::LOST_WAKEUP;
    for seed in 0..40u64 {
        let expect = match seed % 4 {
            0 => Scheduler::Random,
            d => Scheduler::Pct { depth: d as u32 },
        };
        assert_eq!(Scheduler::Portfolio.for_seed(seed), expect);
        let run = |s: Scheduler| {
            let mut sim = Sim::builder()
                .seed(seed)
                .scheduler(s)
                .pct_steps(120)
                .build();
            let out = sim.run(bug.run(false));
            let fingerprint = match &out {
                Ok(()) => sim.fingerprint(),
                Err(f) => {
                    assert_eq!(f.scheduler(), expect);
                    f.fingerprint()
                }
            };
            (fingerprint, sim.report().scheduler())
        };
        assert_eq!(run(Scheduler::Portfolio), run(expect), "seed {seed}");
        assert_eq!(run(Scheduler::Portfolio).1, expect);
    }
}

#[test]
fn the_step_estimate_is_the_longest_calibration_run() {
    let bug = bugs::sched::ATOMICITY_VIOLATION;
    let k = estimate_pct_steps(&Builder::new(), || bug.run(true));
    let longest = (0..detsim::CALIBRATION_RUNS)
        .map(|seed| {
            let mut sim = Sim::builder().seed(seed).build();
            sim.run(bug.run(true)).unwrap();
            sim.steps()
        })
        .max()
        .unwrap();
    assert_eq!(k, longest);
    // Independent of the builder's seed and scheduler.
    let other = Builder::new().seed(99).scheduler(Scheduler::Fifo);
    assert_eq!(estimate_pct_steps(&other, || bug.run(true)), k);
}

#[test]
fn pct_with_the_estimated_k_finds_a_depth_2_bug_far_more_often_than_with_a_fixed_k() {
    let bug = bugs::sched::LOCK_ORDER_DEADLOCK;
    let k = estimate_pct_steps(&Builder::new(), || bug.run(false));
    let hits = |steps: u64| {
        (0..1_000)
            .filter(|&seed| {
                let mut sim = Sim::builder()
                    .seed(seed)
                    .scheduler(Scheduler::Pct { depth: 2 })
                    .pct_steps(steps)
                    .build();
                sim.run(bug.run(false)).is_err()
            })
            .count()
    };
    let (estimated, fixed) = (hits(k), hits(DEFAULT_PCT_STEPS));
    assert!(
        estimated >= 3 * fixed.max(1),
        "k = {k}: {estimated} hits; k = {DEFAULT_PCT_STEPS}: {fixed} hits"
    );
}

// ------------------------------------------------------------------ fixtures

/// The lock-order deadlock of the bug set under a portfolio sweep.
#[sim_test(seeds = 2000, scheduler = "portfolio")]
async fn portfolio_lock_order() {
    if !is_child() {
        return;
    }
    bugs::sched::LOCK_ORDER_DEADLOCK.run(false).await;
}

/// The atomicity violation under the default scheduler (Random), for
/// `DETSIM_SCHEDULER` to override.
#[sim_test(seeds = 2000)]
async fn attr_random_atomicity() {
    if !is_child() {
        return;
    }
    bugs::sched::ATOMICITY_VIOLATION.run(false).await;
}

// ------------------------------------------------------------------- helpers

fn child(test: &str, env: &[(&str, &str)]) -> (bool, String) {
    common::child_with_env(test, env, &[])
}

use common::report_field as field;

// --------------------------------------------------------------------- tests

#[test]
fn a_portfolio_failure_records_its_scheduler_and_k_and_replays() {
    let (ok, sweep) = child("portfolio_lock_order", &[("DETSIM_JOBS", "1")]);
    assert!(!ok, "the portfolio missed the deadlock:\n{sweep}");
    let seed = field(&sweep, "seed")
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let seed_n = u64::from_str_radix(seed.trim_start_matches("0x"), 16).unwrap();
    let scheduler = Scheduler::Portfolio.for_seed(seed_n);
    assert_eq!(field(&sweep, "scheduler"), scheduler.to_string());
    let artifact = field(&sweep, "artifact").to_owned();
    let art = Artifact::read(Path::new(&artifact)).unwrap();
    assert_eq!(art.scheduler(), scheduler);
    let k = estimate_pct_steps(&Builder::new(), || {
        bugs::sched::LOCK_ORDER_DEADLOCK.run(false)
    });
    assert_eq!(art.pct_steps(), k);
    let fingerprint = field(&sweep, "fingerprint").to_owned();

    let (ok, replay) = child("portfolio_lock_order", &[("DETSIM_REPLAY", &artifact)]);
    assert!(!ok);
    assert!(
        replay.contains(&format!(
            "the same failure, the same fingerprint {fingerprint}"
        )),
        "{replay}"
    );
    // The seed alone brings the same schedule back: its scheduler is the
    // portfolio's pick for it, and k does not depend on the first seed.
    let (ok, by_seed) = child("portfolio_lock_order", &[("DETSIM_SEED", &seed)]);
    assert!(!ok);
    assert_eq!(field(&by_seed, "fingerprint"), fingerprint);
}

#[test]
fn detsim_scheduler_overrides_the_attribute_and_is_in_the_replay_command() {
    let (ok, sweep) = child(
        "attr_random_atomicity",
        &[("DETSIM_SCHEDULER", "pct:2"), ("DETSIM_JOBS", "1")],
    );
    assert!(!ok, "PCT missed the atomicity violation:\n{sweep}");
    assert_eq!(field(&sweep, "scheduler"), "pct(depth=2)");
    let seed = field(&sweep, "seed")
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    assert!(
        sweep.contains(&format!(
            "DETSIM_SEED={seed} DETSIM_SCHEDULER=pct:2 cargo test"
        )),
        "{sweep}"
    );
    let (ok, bad) = child("attr_random_atomicity", &[("DETSIM_SCHEDULER", "dfs")]);
    assert!(!ok);
    assert!(
        bad.contains(
            "detsim: DETSIM_SCHEDULER=\"dfs\" is not valid: it is not a scheduler detsim \
             knows; accepted: random, fifo, pct (depth 3), pct:N (depth N from 1 to 64) or \
             portfolio"
        ),
        "{bad}"
    );
}
