//! The standalone shrinker on the bug set (`tests/bugs/`): failing Random
//! tapes shrink by 5x or more in non-zero draws (median), every shrunk
//! tape still fails the same way and replays exactly, the search is
//! deterministic and keeps to its budget, and a shrunk artifact is written,
//! read back and replayed; `DETSIM_SHRINK=<artifact>` does it for a
//! `#[sim_test]` (its fixture works only in a child process of this test
//! binary, `DETSIM_TEST_CHILD=1`).

mod bugs;
mod common;

use bugs::Bug;
use common::{child_with_env, is_child, report_field};
use detsim::harness::Artifact;
use detsim::shrink::{self, Shrinker};
use detsim::{Failure, Sim, Tape, sim_test};

/// The first failing run of `bug` under Random from `base << 32`.
fn first_failure(bug: &Bug, base: u64) -> Failure {
    (0..5_000)
        .find_map(|i| {
            let mut sim = Sim::builder().seed((base << 32) + i).build();
            sim.run(bug.run(false)).err()
        })
        .unwrap_or_else(|| panic!("{} never failed from base {base}", bug.name))
}

fn shrink_with(bug: &Bug, f: &Failure, shrinker: Shrinker) -> shrink::Shrunk {
    shrinker
        .shrink(f, |tape: Tape| {
            Sim::builder()
                .seed(f.seed())
                .tape(tape)
                .build()
                .run(bug.run(false))
        })
        .unwrap()
}

#[test]
fn the_bug_sets_failing_tapes_shrink_five_times_and_still_fail_the_same_way() {
    let mut ratios = Vec::new();
    for bug in bugs::all() {
        for base in 0..3 {
            let f = first_failure(&bug, base);
            assert!(bug.is_this(&f), "{}: {f}", bug.name);
            let s = shrink_with(&bug, &f, Shrinker::new());
            assert_eq!(s.failure().kind(), f.kind(), "{}", bug.name);
            assert_eq!(s.failure().message(), f.message(), "{}", bug.name);
            assert!(s.replays_exactly(), "{}", bug.name);
            assert!(s.nonzero_after() <= s.nonzero_before());
            // The shrunk tape replays draw for draw, whatever the seed.
            let again = Sim::builder()
                .seed(0xdead)
                .tape(s.tape().clone())
                .build()
                .run(bug.run(false))
                .unwrap_err();
            assert_eq!(
                again.fingerprint(),
                s.failure().fingerprint(),
                "{}",
                bug.name
            );
            assert_eq!(again.tape(), s.tape());
            ratios.push(s.nonzero_before() as f64 / s.nonzero_after().max(1) as f64);
        }
    }
    ratios.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let median = ratios[ratios.len() / 2];
    assert!(
        median >= 5.0,
        "median shrink ratio {median:.1}x: {ratios:?}"
    );
}

#[test]
fn the_same_failure_shrinks_to_the_same_tape_in_the_same_runs() {
    let bug = bugs::sched::LOCK_ORDER_DEADLOCK;
    let f = first_failure(&bug, 1);
    let a = shrink_with(&bug, &f, Shrinker::new());
    let b = shrink_with(&bug, &f, Shrinker::new());
    assert_eq!(a.tape(), b.tape());
    assert_eq!(a.runs(), b.runs());
    assert_eq!(a.failure().fingerprint(), b.failure().fingerprint());
}

#[test]
fn the_budget_bounds_the_runs_and_the_result_still_fails() {
    let bug = bugs::sched::ATOMICITY_VIOLATION;
    let f = first_failure(&bug, 0);
    let s = shrink_with(&bug, &f, Shrinker::new().max_runs(10));
    assert_eq!(s.runs(), 10);
    assert!(s.exhausted());
    assert!(s.replays_exactly());
    assert_eq!(s.failure().message(), f.message());
    let full = shrink_with(&bug, &f, Shrinker::new());
    assert!(!full.exhausted());
    assert!(full.nonzero_after() <= s.nonzero_after());
}

/// Fails "too big" for a draw of 50 or more and "medium" from 10.
async fn sized() {
    let n = detsim::rand::gen_range(0..100u32);
    assert!(n < 50, "too big");
    assert!(n < 10, "medium");
}

#[test]
fn a_candidate_that_fails_another_way_is_not_kept() {
    let f = (0..100)
        .find_map(|s| {
            let f = Sim::builder().seed(s).build().run(sized()).err()?;
            (f.message() == "too big").then_some(f)
        })
        .unwrap();
    let s = shrink::shrink(&f, |t| Sim::builder().tape(t).build().run(sized())).unwrap();
    assert_eq!(s.failure().message(), "too big");
    assert_eq!(s.nonzero_after(), 1);
    let drawn = *s.tape().as_slice().iter().find(|&&d| d != 0).unwrap();
    assert!((50..100).contains(&drawn), "{drawn}");
}

#[test]
fn a_shrunk_artifact_is_written_read_and_replayed() {
    let bug = bugs::faults::LOST_WRITE_AFTER_CRASH;
    let f = first_failure(&bug, 2);
    let original = Artifact::example(&f);
    let s = shrink::shrink(&f, |t| {
        original.builder().tape(t).build().run(bug.run(false))
    })
    .unwrap();
    let shrunk = original.shrunk(&s);
    let path = std::env::temp_dir().join(format!("detsim-shrunk-{}.json", std::process::id()));
    shrunk.write(&path).unwrap();
    let read = Artifact::read(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(read, shrunk);
    assert_eq!(read.tape(), *s.tape());
    assert_eq!(read.seed(), f.seed());
    let replayed = read.builder().build().run(bug.run(false)).unwrap_err();
    assert_eq!(Some(replayed.fingerprint()), read.fingerprint());
    assert_eq!(replayed.message(), f.message());
}

#[test]
fn a_tape_that_no_longer_fails_is_a_clear_error() {
    let mut sim = Sim::builder().seed(3).build();
    let f = sim.run(async { panic!("boom") }).unwrap_err();
    let passed = shrink::shrink(&f, |_| Ok(())).unwrap_err();
    let other = shrink::shrink(&f, |t| {
        Sim::builder().tape(t).build().run(async { panic!("bang") })
    })
    .unwrap_err();
    assert_report_snapshot!(format!("{passed}\n\n{other}"));
}

/// The lock-order deadlock under a portfolio sweep (child process only).
#[sim_test(seeds = 2000, scheduler = "portfolio")]
async fn deadlock_fixture() {
    if !is_child() {
        return;
    }
    bugs::sched::LOCK_ORDER_DEADLOCK.run(false).await;
}

#[test]
fn detsim_shrink_writes_a_shrunk_artifact_that_replays_exactly() {
    let (ok, sweep) = child_with_env("deadlock_fixture", &[("DETSIM_JOBS", "1")], &[]);
    assert!(!ok, "{sweep}");
    let original = report_field(&sweep, "artifact").to_owned();
    let (ok, shrink) = child_with_env("deadlock_fixture", &[("DETSIM_SHRINK", &original)], &[]);
    assert!(!ok, "{shrink}");
    assert!(shrink.contains("non-zero draws"), "{shrink}");
    let shrunk = report_field(&shrink, "artifact").to_owned();
    assert_eq!(shrunk, original.replace(".json", ".shrunk.json"));
    let (before, after) = (
        Artifact::read(&original).unwrap(),
        Artifact::read(&shrunk).unwrap(),
    );
    assert_eq!(after.scheduler(), before.scheduler());
    assert_eq!(after.kind(), "deadlock");
    assert!(after.tape().nonzero() < before.tape().nonzero());
    let fingerprint = report_field(&shrink, "fingerprint").to_owned();
    assert_eq!(after.fingerprint().unwrap().to_string(), fingerprint);
    assert!(after.is_shrunk() && !before.is_shrunk());
    // Every `cargo test` command the shrink's report prints, run with its
    // variables, brings back the shrunk run (the seed alone would rerun
    // the original one).
    let commands = replay_commands(&shrink);
    assert!(!commands.is_empty(), "{shrink}");
    for command in &commands {
        let (ok, out) = child_with_env("deadlock_fixture", &leading_env(command), &[]);
        assert!(!ok);
        assert_eq!(report_field(&out, "fingerprint"), fingerprint, "{command}");
    }
    let (ok, replay) = child_with_env("deadlock_fixture", &[("DETSIM_REPLAY", &shrunk)], &[]);
    assert!(!ok);
    assert!(
        replay.contains(&format!(
            "the same failure, the same fingerprint {fingerprint}"
        )),
        "{replay}"
    );
    // So does the report of its replay.
    assert_eq!(replay_commands(&replay), commands, "{replay}");
    let (ok, clash) = child_with_env(
        "deadlock_fixture",
        &[("DETSIM_SHRINK", &original), ("DETSIM_SEED", "1")],
        &[],
    );
    assert!(!ok);
    assert!(clash.contains("DETSIM_SEED is set too"), "{clash}");
}

/// The `cargo test` commands under a report's "replay it:" (those that
/// start with `DETSIM_` variables).
fn replay_commands(report: &str) -> Vec<String> {
    let (_, rest) = report
        .split_once("replay it:\n")
        .unwrap_or_else(|| panic!("{report}"));
    rest.lines()
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim)
        .filter(|l| l.starts_with("DETSIM_"))
        .map(str::to_owned)
        .collect()
}

/// The `VAR=value` words a printed command starts with.
fn leading_env(command: &str) -> Vec<(&str, &str)> {
    command
        .split_whitespace()
        .map_while(|w| w.split_once('=').filter(|(k, _)| k.starts_with("DETSIM_")))
        .collect()
}
