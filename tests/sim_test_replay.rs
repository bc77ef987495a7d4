//! `#[sim_test]` end to end, as a user meets it: a sweep finds a planted
//! bug, the report's seed and artifact bring back the same failure (same
//! message, same fingerprint), a changed program is told apart from a
//! replay, and bad environment values or artifacts get clear errors.
//!
//! The fixtures below do their work only in a child process of this test
//! binary (`DETSIM_TEST_CHILD=1`), started with the `DETSIM_*` variables of
//! each scenario; in the parent they return at once.

mod common;

use std::cell::Cell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use common::is_child;
use detsim::{sim_test, spawn, task, yield_now};

// ------------------------------------------------------------------ fixtures

/// Two tasks increment a shared counter with a read, an await, and a
/// write: a lost update under some interleavings. `PLANTED_FIXED=1` removes
/// the await (the "fixed" program).
#[sim_test(seeds = 2)]
async fn planted_lost_update() {
    if !is_child() {
        return;
    }
    let fixed = std::env::var_os("PLANTED_FIXED").is_some();
    let counter = Rc::new(Cell::new(0u32));
    let mut handles = Vec::new();
    for i in 0..2 {
        let c = counter.clone();
        handles.push(
            task::Builder::new()
                .name(format!("writer-{i}"))
                .spawn_local(async move {
                    let v = c.get();
                    if !fixed {
                        yield_now().await;
                    }
                    c.set(v + 1);
                }),
        );
    }
    for h in handles {
        h.await.unwrap();
    }
    assert_eq!(counter.get(), 2, "lost update: two increments, one counted");
}

/// Passes on every seed; for summaries and bad environments.
#[sim_test]
async fn always_passes() {
    if !is_child() {
        return;
    }
    let a = spawn(async { 1 });
    assert_eq!(a.await.unwrap(), 1);
}

/// Spawns in a std HashMap's iteration order: nondeterministic.
#[sim_test(check_determinism)]
async fn hashmap_order() {
    if !is_child() {
        return;
    }
    let peers: HashMap<String, u64> = (0..16).map(|i| (format!("peer-{i}"), i)).collect();
    let mut handles = Vec::new();
    for (name, _) in peers {
        handles.push(task::Builder::new().name(name).spawn(async {}));
    }
    for h in handles {
        h.await.unwrap();
    }
}

/// Returns an error on odd seeds' schedules (a `Result` test).
#[sim_test(seed = 5)]
async fn returns_an_error() -> Result<(), String> {
    if !is_child() {
        return Ok(());
    }
    Err("the quorum was never reached".to_owned())
}

/// Sleeps past its own time limit (a `time_limit` failure).
#[sim_test(time_limit = "1s")]
async fn sleeps_past_its_limit() {
    if !is_child() {
        return;
    }
    detsim::time::sleep(std::time::Duration::from_secs(2)).await;
}

/// The main task waits for what never comes: a deadlock, whose report
/// names where each blocked task was spawned. The next line is the
/// main task's (the call of `run_test` in the expansion, on the
/// attribute).
const DEADLOCK_LINE: u32 = line!() + 1;
#[sim_test]
async fn main_deadlocks() {
    if !is_child() {
        return;
    }
    std::future::pending::<()>().await;
}

/// A `Debug` that panics: the returned error's report panics outside the
/// simulation.
struct Explosive;

impl std::fmt::Debug for Explosive {
    fn fmt(&self, _: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        panic!("Debug exploded")
    }
}

/// Fails on about one seed in four, with an error whose `Debug` panics.
#[sim_test]
async fn error_debug_panics() -> Result<(), Explosive> {
    if !is_child() || detsim::rand::gen_range(0..4) != 3 {
        return Ok(());
    }
    Err(Explosive)
}

// ------------------------------------------------------------------- helpers

/// The `VAR=value` words a printed command starts with.
fn leading_env(command: &str) -> Vec<(&str, &str)> {
    command
        .split_whitespace()
        .map_while(|w| w.split_once('=').filter(|(k, _)| k.starts_with("DETSIM_")))
        .collect()
}

/// Runs one fixture in a child with `env` (and no inherited `DETSIM_*`).
/// Returns (passed, stdout + stderr).
fn child(test: &str, env: &[(&str, &str)]) -> (bool, String) {
    common::child_with_env(test, env, &["PLANTED_FIXED"])
}

use common::report_field as field;

fn failures_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let target = exe
        .ancestors()
        .find(|d| d.join("CACHEDIR.TAG").is_file())
        .expect("the test binary lives in a cargo target dir")
        .to_path_buf();
    target.join("detsim").join("failures")
}

/// Redacts what changes between machines and builds.
fn redact(text: &str) -> String {
    let dir = failures_dir().display().to_string();
    text.replace(&dir, "[failures]")
        .lines()
        .filter(|l| !l.starts_with("running ") && !l.starts_with("test ") && !l.is_empty())
        .filter(|l| !l.starts_with("test result:") && !l.starts_with("failures:"))
        .collect::<Vec<_>>()
        .join("\n")
}

// --------------------------------------------------------------------- tests

#[test]
fn a_sweep_finds_the_bug_and_its_seed_and_artifact_replay_it_exactly() {
    let (ok, sweep) = child(
        "planted_lost_update",
        &[("DETSIM_SEEDS", "200"), ("DETSIM_JOBS", "2")],
    );
    assert!(!ok, "the sweep missed the planted bug:\n{sweep}");
    assert!(
        sweep.contains("lost update: two increments, one counted"),
        "{sweep}"
    );
    assert!(sweep.contains("seeds run, "), "no summary line:\n{sweep}");
    let seed = field(&sweep, "seed")
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let fingerprint = field(&sweep, "fingerprint").to_owned();
    let message = field(&sweep, "message").to_owned();
    let artifact = field(&sweep, "artifact").to_owned();
    assert!(Path::new(&artifact).is_file(), "{artifact}");
    assert!(
        sweep.contains(&format!(
            "DETSIM_SEED={seed} cargo test -p detsim --test sim_test_replay -- \
             planted_lost_update --exact"
        )),
        "{sweep}"
    );
    assert!(
        sweep.contains(&format!("cargo detsim replay {artifact}")),
        "{sweep}"
    );

    // The printed seed, fed back: the same failure.
    let (ok, by_seed) = child("planted_lost_update", &[("DETSIM_SEED", &seed)]);
    assert!(!ok);
    assert_eq!(field(&by_seed, "fingerprint"), fingerprint, "{by_seed}");
    assert_eq!(field(&by_seed, "message"), message);
    assert!(
        !by_seed.contains("seeds run"),
        "one seed has no summary:\n{by_seed}"
    );

    // The artifact, fed back: the same failure, checked.
    let (ok, by_artifact) = child("planted_lost_update", &[("DETSIM_REPLAY", &artifact)]);
    assert!(!ok);
    assert!(
        by_artifact.contains("the same failure, the same fingerprint"),
        "{by_artifact}"
    );
    assert_eq!(field(&by_artifact, "fingerprint"), fingerprint);
    assert_eq!(field(&by_artifact, "message"), message);
    assert_eq!(
        field(&by_artifact, "seed").split_whitespace().next(),
        Some(&*seed)
    );
}

#[test]
fn a_replays_seed_command_runs_the_recorded_scheduler() {
    let (ok, sweep) = child(
        "planted_lost_update",
        &[("DETSIM_SEEDS", "200"), ("DETSIM_SCHEDULER", "pct:2")],
    );
    assert!(!ok, "the PCT sweep missed the planted bug:\n{sweep}");
    let artifact = field(&sweep, "artifact").to_owned();
    let fingerprint = field(&sweep, "fingerprint").to_owned();
    let (ok, replayed) = child("planted_lost_update", &[("DETSIM_REPLAY", &artifact)]);
    assert!(!ok, "{replayed}");
    // The report's "replay it:" seed command, pasted: the same run.
    let line = replayed
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("DETSIM_SEED="))
        .unwrap_or_else(|| panic!("no seed command:\n{replayed}"));
    let env = leading_env(line);
    assert!(env.contains(&("DETSIM_SCHEDULER", "pct:2")), "{line}");
    let (ok, rerun) = child("planted_lost_update", &env);
    assert!(!ok, "`{line}` passed:\n{rerun}");
    assert_eq!(field(&rerun, "fingerprint"), fingerprint, "{rerun}");
}

#[test]
fn a_sweep_stops_at_the_smallest_failing_seed_whatever_the_jobs() {
    let seed_with = |jobs: &str| {
        let (ok, out) = child(
            "planted_lost_update",
            &[("DETSIM_SEEDS", "300"), ("DETSIM_JOBS", jobs)],
        );
        assert!(!ok);
        field(&out, "seed").to_owned()
    };
    assert_eq!(seed_with("1"), seed_with("2"));
}

#[test]
fn keep_going_runs_every_seed_and_lists_the_failures() {
    let (ok, out) = child(
        "planted_lost_update",
        &[
            ("DETSIM_SEEDS", "40"),
            ("DETSIM_KEEP_GOING", "1"),
            ("DETSIM_JOBS", "2"),
        ],
    );
    assert!(!ok);
    assert!(out.contains("40 of 40 seeds run"), "{out}");
    assert!(out.contains("other failing seeds: "), "{out}");
}

#[test]
fn a_passing_sweep_prints_one_summary_line() {
    let (ok, out) = child(
        "always_passes",
        &[("DETSIM_SEEDS", "64"), ("DETSIM_JOBS", "2")],
    );
    assert!(ok, "{out}");
    let lines: Vec<&str> = out.lines().filter(|l| l.starts_with("detsim:")).collect();
    assert_eq!(lines.len(), 1, "{out}");
    assert!(lines[0].starts_with("detsim: always_passes: 64 of 64 seeds run, 0 failed, "));
    assert!(lines[0].ends_with(" seeds/s on 2 jobs"), "{}", lines[0]);
}

#[test]
fn a_changed_program_is_told_apart_from_a_replay() {
    let (_, sweep) = child("planted_lost_update", &[("DETSIM_SEEDS", "100")]);
    let artifact = field(&sweep, "artifact").to_owned();
    let fingerprint = field(&sweep, "fingerprint").to_owned();

    // The bug was fixed: the recorded schedule passes.
    let (ok, fixed) = child(
        "planted_lost_update",
        &[("DETSIM_REPLAY", &artifact), ("PLANTED_FIXED", "1")],
    );
    assert!(!ok);
    assert!(
        fixed.contains("passed, but it recorded panic failure"),
        "{fixed}"
    );
    assert!(
        fixed.contains("lost update: two increments, one counted"),
        "{fixed}"
    );
    assert!(fixed.contains("The code or the build changed"), "{fixed}");
    // The command it gives sweeps seeds from the recorded one: run as
    // printed (its variables, on the fixed program), it runs 1000 seeds.
    let command = fixed
        .split_once("sweep 1000 seeds from the recorded one: ")
        .unwrap_or_else(|| panic!("{fixed}"))
        .1
        .lines()
        .next()
        .unwrap();
    let env = leading_env(command);
    assert!(
        command.contains(" -- planted_lost_update --exact"),
        "{command}"
    );
    assert_eq!(
        env[0],
        (
            "DETSIM_SEED",
            field(&sweep, "seed").split_whitespace().next().unwrap()
        ),
        "{command}"
    );
    let mut env = env;
    env.push(("PLANTED_FIXED", "1"));
    let (ok, swept) = child("planted_lost_update", &env);
    assert!(ok, "{swept}");
    assert!(
        swept.contains("planted_lost_update: 1000 of 1000 seeds run, 0 failed"),
        "{command}:\n{swept}"
    );

    // The same failure with another fingerprint: the schedule changed.
    let json = std::fs::read_to_string(&artifact).unwrap();
    let recorded = json
        .lines()
        .find(|l| l.trim_start().starts_with("\"fingerprint\""))
        .unwrap();
    let other = Path::new(&artifact).with_extension("edited.json");
    std::fs::write(
        &other,
        json.replace(
            recorded,
            &recorded.replace(&fingerprint, "0x0000000000000001"),
        ),
    )
    .unwrap();
    let (ok, differs) = child(
        "planted_lost_update",
        &[("DETSIM_REPLAY", other.to_str().unwrap())],
    );
    assert!(!ok);
    assert!(differs.contains("failed differently"), "{differs}");
    assert!(
        differs.contains("The code or the build changed"),
        "{differs}"
    );

    // The same fingerprint, another message: an edited assertion (or a
    // build profile that panics elsewhere) is not "the same failure".
    let message = json
        .lines()
        .find(|l| l.trim_start().starts_with("\"message\""))
        .unwrap();
    let reworded = Path::new(&artifact).with_extension("reworded.json");
    std::fs::write(
        &reworded,
        json.replace(message, &message.replace("lost update", "lost updates")),
    )
    .unwrap();
    let (ok, differs) = child(
        "planted_lost_update",
        &[("DETSIM_REPLAY", reworded.to_str().unwrap())],
    );
    assert!(!ok);
    assert!(differs.contains("failed differently"), "{differs}");
    assert!(
        differs.contains("the same schedule now fails another way"),
        "{differs}"
    );
}

#[test]
fn a_replay_of_another_test_leaves_this_one_alone() {
    let (_, sweep) = child("planted_lost_update", &[("DETSIM_SEEDS", "100")]);
    let artifact = field(&sweep, "artifact").to_owned();
    let (ok, out) = child("always_passes", &[("DETSIM_REPLAY", &artifact)]);
    assert!(ok, "{out}");
    assert!(out.contains("replays planted_lost_update"), "{out}");
}

#[test]
fn the_determinism_check_names_where_the_runs_diverged() {
    let (ok, out) = child("hashmap_order", &[("DETSIM_SEEDS", "5")]);
    assert!(!ok, "{out}");
    assert_eq!(field(&out, "kind"), "nondeterminism");
    assert!(out.contains("spawned task "), "{out}");
    assert!(out.contains("DETSIM_SEED="), "{out}");
    // Also from the environment, on a test without the attribute key.
    let (ok, _) = child("always_passes", &[("DETSIM_CHECK_DETERMINISM", "1")]);
    assert!(ok);
}

#[test]
fn a_panic_outside_the_simulation_fails_its_seed_and_stops_the_sweep() {
    let (ok, out) = child(
        "error_debug_panics",
        &[("DETSIM_SEEDS", "2000"), ("DETSIM_JOBS", "2")],
    );
    assert!(!ok, "{out}");
    assert_eq!(field(&out, "kind"), "panic");
    assert_eq!(field(&out, "message"), "Debug exploded");
    assert!(field(&out, "seed").starts_with("0x"));
    let summary = out.lines().find(|l| l.contains(" seeds run, ")).unwrap();
    assert!(
        !summary.contains("2000 of 2000"),
        "the sweep went on: {summary}"
    );
}

#[test]
fn a_nondeterminism_failure_replays_as_nondeterminism() {
    let (_, out) = child("hashmap_order", &[("DETSIM_SEEDS", "5")]);
    let (ok, again) = child(
        "hashmap_order",
        &[("DETSIM_REPLAY", field(&out, "artifact"))],
    );
    assert!(!ok);
    assert!(again.contains("nondeterminism again"), "{again}");
}

#[test]
fn a_relative_artifact_path_is_found_from_the_workspace_root() {
    let (_, out) = child("returns_an_error", &[]);
    let artifact = PathBuf::from(field(&out, "artifact"));
    // Relative to the workspace root (where a user's shell is), with `..`
    // where the target dir lies outside it (CARGO_TARGET_DIR=/tmp/...).
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let common = root
        .ancestors()
        .find(|a| artifact.starts_with(a))
        .expect("a common ancestor");
    let ups = root.strip_prefix(common).unwrap().components().count();
    let mut relative = PathBuf::new();
    for _ in 0..ups {
        relative.push("..");
    }
    relative.push(artifact.strip_prefix(common).unwrap());
    let (ok, again) = child(
        "returns_an_error",
        &[("DETSIM_REPLAY", relative.to_str().unwrap())],
    );
    assert!(!ok);
    assert!(
        again.contains("the same failure, the same fingerprint"),
        "{again}"
    );
}

#[test]
fn a_returned_error_fails_with_its_debug_text_and_replays() {
    let (ok, out) = child("returns_an_error", &[]);
    assert!(!ok);
    assert_eq!(field(&out, "kind"), "error");
    assert_eq!(field(&out, "message"), "\"the quorum was never reached\"");
    assert_eq!(field(&out, "seed"), "0x5 (5)");
    let (ok, again) = child(
        "returns_an_error",
        &[("DETSIM_REPLAY", field(&out, "artifact"))],
    );
    assert!(!ok);
    assert!(
        again.contains("the same failure, the same fingerprint"),
        "{again}"
    );
}

#[test]
fn the_failure_report_reads_as_documented() {
    let (ok, out) = child("returns_an_error", &[]);
    assert!(!ok);
    let report: String = out
        .lines()
        .skip_while(|l| !l.starts_with("detsim: test"))
        .take_while(|l| !l.starts_with("test returns_an_error"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_report_snapshot!(redact(&report));
}

#[test]
fn bad_environment_values_fail_at_once_with_the_fix() {
    let cases = [
        ("DETSIM_SEED", "seven"),
        ("DETSIM_SEED", "ff"),
        ("DETSIM_SEEDS", "0"),
        ("DETSIM_SEEDS", "many"),
        ("DETSIM_JOBS", "-2"),
        ("DETSIM_CHECK_DETERMINISM", "sure"),
        ("DETSIM_KEEP_GOING", "2"),
        ("DETSIM_TIME_LIMIT", "90"),
        ("DETSIM_TIME_LIMIT", "0s"),
    ];
    let mut messages = Vec::new();
    for (var, value) in cases {
        let (ok, out) = child("always_passes", &[(var, value)]);
        assert!(!ok, "{var}={value} was accepted:\n{out}");
        assert!(
            !out.contains("panicked at"),
            "a panic, not an error:\n{out}"
        );
        let line = out.lines().find(|l| l.starts_with("detsim: ")).unwrap();
        messages.push(line.to_owned());
    }
    let (ok, out) = child(
        "always_passes",
        &[("DETSIM_SEED", "1"), ("DETSIM_REPLAY", "x.json")],
    );
    assert!(!ok);
    messages.push(
        out.lines()
            .find(|l| l.starts_with("detsim: "))
            .unwrap()
            .to_owned(),
    );
    insta::assert_snapshot!(messages.join("\n"));
}

#[test]
fn bad_artifacts_are_refused_with_the_fix() {
    let (_, sweep) = child("planted_lost_update", &[("DETSIM_SEEDS", "100")]);
    let good = std::fs::read_to_string(field(&sweep, "artifact")).unwrap();
    let dir = failures_dir().join("bad");
    std::fs::create_dir_all(&dir).unwrap();
    let cases = [
        ("truncated", good[..good.len() / 2].to_owned()),
        ("not-json", "fingerprint = 3\n".to_owned()),
        ("not-ours", "{\"hello\": 1}".to_owned()),
        (
            "future",
            good.replacen("\"version\": 1", "\"version\": 9", 1),
        ),
        ("damaged", good.replacen("\"tape\"", "\"tapes\"", 1)),
    ];
    let mut messages = Vec::new();
    for (name, text) in cases {
        let path = dir.join(format!("{name}.json"));
        std::fs::write(&path, text).unwrap();
        let (ok, out) = child(
            "planted_lost_update",
            &[("DETSIM_REPLAY", path.to_str().unwrap())],
        );
        assert!(!ok, "{name} was accepted");
        assert!(!out.contains("panicked at"), "{out}");
        messages.push(redact(
            out.lines().find(|l| l.starts_with("detsim: ")).unwrap(),
        ));
    }
    let missing = dir.join("missing.json");
    let (ok, out) = child(
        "planted_lost_update",
        &[("DETSIM_REPLAY", missing.to_str().unwrap())],
    );
    assert!(!ok);
    let line = out.lines().find(|l| l.starts_with("detsim: ")).unwrap();
    messages.push(redact(
        &line.replace("No such file or directory (os error 2)", "[not found]"),
    ));
    insta::assert_snapshot!(messages.join("\n"));
}

/// An artifact of a release build replayed by a debug one: the message
/// says so and gives the replay in the recorded profile.
#[test]
fn a_replay_in_another_profile_says_which_to_use() {
    let (_, sweep) = child("planted_lost_update", &[("DETSIM_SEEDS", "100")]);
    let artifact = field(&sweep, "artifact").to_owned();
    let json = std::fs::read_to_string(&artifact).unwrap();
    // This test binary is a debug build: its artifacts say so.
    assert!(json.contains("\"profile\": \"dev\""), "{json}");
    let release = json.replace("\"profile\": \"dev\"", "\"profile\": \"release\"");
    let fingerprint = field(&sweep, "fingerprint");
    // As a release build's failure can be in a debug one: another
    // fingerprint, or a pass.
    let cases = [
        (
            "other-fingerprint",
            release.replace(fingerprint, "0x0000000000000001"),
            "failed differently",
        ),
        ("fixed", release.clone(), "passed, but it recorded"),
    ];
    for (name, text, verdict) in cases {
        let path = Path::new(&artifact).with_extension(format!("{name}.json"));
        std::fs::write(&path, text).unwrap();
        let path = path.to_str().unwrap();
        let mut env = vec![("DETSIM_REPLAY", path)];
        if name == "fixed" {
            env.push(("PLANTED_FIXED", "1"));
        }
        let (ok, out) = child("planted_lost_update", &env);
        assert!(!ok);
        assert!(out.contains(verdict), "{out}");
        let note = format!(
            "The artifact was recorded by a release build, and this is a dev build: replay it \
             with the same profile: DETSIM_REPLAY={path} cargo test -p detsim --test \
             sim_test_replay --release -- planted_lost_update --exact."
        );
        assert!(out.contains(&note), "{out}");
    }
}

/// A time-limit failure says how to raise the limit, naming the
/// environment variable when that set it.
#[test]
fn a_time_limit_failure_says_where_the_limit_came_from() {
    let (ok, out) = child("sleeps_past_its_limit", &[]);
    assert!(!ok);
    assert_eq!(field(&out, "kind"), "time limit");
    assert!(
        out.contains(
            "hint: the limit of 1s came from the test's #[sim_test(time_limit = ...)]: raise \
             it with #[sim_test(time_limit = \"2s\")], or for one run with DETSIM_TIME_LIMIT=2s"
        ),
        "{out}"
    );
    let (ok, out) = child("sleeps_past_its_limit", &[("DETSIM_TIME_LIMIT", "500ms")]);
    assert!(!ok);
    assert!(
        out.contains(
            "hint: the limit of 500ms came from DETSIM_TIME_LIMIT: raise it there \
             (DETSIM_TIME_LIMIT=1s), or unset it for the test's own limit"
        ),
        "{out}"
    );
}

/// The main task of a `#[sim_test]` counts as spawned by the test, not by
/// detsim's harness: a deadlock report points at the user's code.
#[test]
fn a_deadlock_names_the_tests_own_location_for_its_main_task() {
    let expected = format!("spawned at tests/sim_test_replay.rs:{DEADLOCK_LINE}:");
    let (ok, out) = child("main_deadlocks", &[]);
    assert!(!ok);
    assert_eq!(field(&out, "kind"), "deadlock");
    let line = out
        .lines()
        .find(|l| l.contains("task 0 'main'") && l.contains("spawned at"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(line.contains(&expected), "{line}\n{out}");
    // So does its replay.
    let (ok, again) = child(
        "main_deadlocks",
        &[("DETSIM_REPLAY", field(&out, "artifact"))],
    );
    assert!(!ok);
    assert!(
        again.contains("the same failure, the same fingerprint"),
        "{again}"
    );
    assert!(again.contains(&expected), "{again}");
}
