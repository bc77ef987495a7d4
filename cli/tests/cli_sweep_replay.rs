//! `cargo detsim list`, `sweep`, `replay` (with `--log` and `--trace`)
//! and `shrink` on the fixture crate's planted bug.

mod common;

use std::collections::BTreeSet;

use common::{
    assert_exit, detsim, detsim_env, first_artifact, read_json, scratch, stderr, stdout, sweep,
    sweep_planted,
};
use serde_json::Value;

#[test]
fn list_shows_the_simulation_tests_and_their_attributes() {
    let out = detsim(&["list"]);
    assert_exit(&out, 0);
    // The plain #[test] is not listed.
    insta::assert_snapshot!(stdout(&out), @r#"
    expects_a_panic_that_never_comes  detsim-cli-fixture --test expected  seeds=5 should_panic
    finds_its_bug                     detsim-cli-fixture --test expected  seeds=40 should_panic(expected = "found the planted bug")
    panics_with_the_wrong_text        detsim-cli-fixture --test expected  seeds=5 should_panic(expected = "some other message")
    waits_for_its_sentinel            detsim-cli-fixture --test live
    always_passes                     detsim-cli-fixture --test noisy
    crashes_or_sleeps                 detsim-cli-fixture --test noisy
    noisy_failure                     detsim-cli-fixture --test noisy
    one_seed_runs_long                detsim-cli-fixture --test noisy
    always_passes                     detsim-cli-fixture --test planted  seeds=5
    fails_only_under_pct              detsim-cli-fixture --test planted
    planted_bug                       detsim-cli-fixture --test planted
    times_out                         detsim-cli-fixture --test planted  time_limit=1s
    names_its_profile                 detsim-cli-fixture --test profile
    leaves_a_task_behind              detsim-cli-fixture --test strict  seeds=3 strict
    "#);
}

#[test]
fn sweep_finds_the_planted_bug_whatever_the_jobs_and_replay_brings_it_back() {
    let dir = scratch("sweep_replay");
    let summary = sweep_planted(&dir, "0..300");
    let test = &summary["tests"][0];
    assert_eq!(test["test"], "planted_bug");
    assert_eq!(summary["passed"], false);
    let seed = test["failures"][0]["seed"].as_u64().unwrap();
    let artifact = first_artifact(&summary);
    assert!(artifact.is_file(), "{}", artifact.display());

    // The smallest failing seed does not depend on jobs or chunk size.
    let args = [
        "planted_bug",
        "--seeds",
        "0..300",
        "--jobs",
        "1",
        "--chunk",
        "7",
    ];
    let (out, one_job) = sweep(&dir, "one-job.json", &args);
    assert_exit(&out, 1);
    assert!(stdout(&out).contains(&format!(
        "replay:   cargo detsim replay {}",
        artifact.display()
    )));
    assert_eq!(one_job["tests"][0]["failures"][0]["seed"], seed);

    // Replay: the same failure and fingerprint; exit 1 (it still fails).
    let trace = dir.join("trace.json");
    let out = detsim(&[
        "replay",
        artifact.to_str().unwrap(),
        "--log",
        "--trace",
        trace.to_str().unwrap(),
    ]);
    assert_same_failure(&out);
    let log = stdout(&out);
    assert!(
        log.contains("net: send 10.0.0.4:49152 -> 10.0.0.2:9 (1 bytes, datagram 2)"),
        "{log}"
    );
    assert!(
        log.contains("leader   task 1             panicked"),
        "{log}"
    );

    // The trace opens as Chrome trace-event JSON: a process per node, a
    // thread per task, polls as slices, and a flow from a replica's send
    // to the leader's network track.
    let doc = read_json(&trace);
    let events = doc["traceEvents"].as_array().unwrap();
    let named = |what: &str| -> BTreeSet<String> {
        events
            .iter()
            .filter(|e| e["ph"] == "M" && e["name"] == what)
            .map(|e| e["args"]["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let processes = named("process_name");
    for node in ["node main", "node leader", "node a", "node b"] {
        assert!(processes.contains(node), "{processes:?}");
    }
    let threads = named("thread_name");
    for thread in ["main", "task", "network"] {
        assert!(threads.contains(thread), "{threads:?}");
    }
    // Named by the task's name ("task" without one), tid = task id: Perfetto
    // titles it "task 2".
    assert!(
        events.iter().any(|e| e["ph"] == "M"
            && e["name"] == "thread_name"
            && e["args"]["name"] == "task"
            && e["tid"] == 2),
        "{events:?}"
    );
    assert!(events.iter().any(|e| e["ph"] == "X" && e["name"] == "poll"));
    let pid_of = |name: &str| -> Value {
        let m = events.iter().find(|e| e["args"]["name"] == name).unwrap();
        m["pid"].clone()
    };
    let end = events.iter().find(|e| e["ph"] == "f").expect("a flow end");
    let start = events
        .iter()
        .find(|e| e["ph"] == "s" && e["id"] == end["id"])
        .expect("its flow start");
    assert_eq!(end["pid"], pid_of("node leader"));
    assert!([pid_of("node a"), pid_of("node b")].contains(&start["pid"]));

    // The same seed by number.
    let out = detsim(&["replay", "--seed", &seed.to_string(), "planted_bug"]);
    assert_same_failure(&out);
}

#[test]
fn a_replay_over_the_trace_limit_says_what_it_dropped_first() {
    let dir = scratch("trace_limit");
    let summary = sweep_planted(&dir, "0..300");
    let artifact = first_artifact(&summary);
    let trace = dir.join("trace.json");
    let args = [
        "replay",
        artifact.to_str().unwrap(),
        "--log",
        "--trace",
        trace.to_str().unwrap(),
    ];
    let out = detsim_env(&args, &[("DETSIM_TRACE_LIMIT", "20")]);
    assert_same_failure(&out);
    let log = stdout(&out);
    let mut lines = log.lines();
    assert!(lines.next().unwrap().ends_with("(20 events):"), "{log}");
    let notice = lines.next().unwrap().trim();
    assert!(
        notice.starts_with("... ")
            && notice.ends_with(" earlier events dropped; raise trace_limit"),
        "{log}"
    );
    assert_eq!(lines.count(), 20, "{log}");
    let doc = read_json(&trace);
    let first = doc["traceEvents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["ph"] != "M")
        .unwrap();
    assert_eq!(first["name"], notice);
    assert!(doc["otherData"]["dropped_events"].as_u64().unwrap() > 0);
}

/// A seed that fails only under PCT: `replay --seed S --scheduler pct:1`
/// brings back the failure `sweep --scheduler pct:1` found, with the same
/// fingerprint; under the test's own scheduler the seed passes.
#[test]
fn replay_seed_runs_the_scheduler_the_sweep_found_it_with() {
    let dir = scratch("replay_scheduler");
    let test = "fails_only_under_pct";
    let (out, summary) = sweep(
        &dir,
        "pct.json",
        &[test, "--seeds", "0..4", "--scheduler", "pct:1"],
    );
    assert_exit(&out, 1);
    let failure = &summary["tests"][0]["failures"][0];
    let seed = failure["seed"].as_u64().unwrap();
    let fingerprint = failure["fingerprint"].as_str().unwrap();
    let seed_text = seed.to_string();
    let by_seed = ["replay", "--seed", &seed_text, test];
    let same = format!("the same failure, the same fingerprint {fingerprint}");

    // The test's own scheduler (Random): the seed passes.
    let out = detsim(&by_seed);
    assert_exit(&out, 0);

    // The sweep's: its failure, its fingerprint.
    let with_pct = [&by_seed[..], &["--scheduler", "pct:1"]].concat();
    let out = detsim(&with_pct);
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert!(err.contains(&same), "{err}");
    assert!(err.contains("one task took all its steps"), "{err}");
    // The commands its report prints run the seed under PCT too.
    assert!(
        err.contains(&format!(
            "DETSIM_SEED={seed:#x} DETSIM_SCHEDULER=pct:1 cargo test -p detsim-cli-fixture"
        )),
        "{err}"
    );

    // DETSIM_SCHEDULER in the environment does what the flag does, and
    // says so; both, naming different schedulers, is an error.
    let out = detsim_env(&by_seed, &[("DETSIM_SCHEDULER", "pct:1")]);
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert!(err.contains(&same), "{err}");
    assert!(
        err.contains("runs with DETSIM_SCHEDULER=pct:1 from the environment"),
        "{err}"
    );
    let out = detsim_env(&with_pct, &[("DETSIM_SCHEDULER", "random")]);
    assert_exit(&out, 2);
    let err = stderr(&out);
    assert!(
        err.contains(
            "error: --scheduler pct:1 and DETSIM_SCHEDULER=random in the environment name \
             different schedulers"
        ),
        "{err}"
    );

    // The artifact records the scheduler its replay runs: another one
    // beside it is refused, naming the recorded one.
    let artifact = first_artifact(&summary);
    let artifact = artifact.to_str().unwrap();
    let out = detsim(&["replay", artifact, "--scheduler", "random"]);
    assert_exit(&out, 2);
    let err = stderr(&out);
    assert!(
        err.contains("recorded the scheduler of its run (pct:1)"),
        "{err}"
    );
    let out = detsim(&["replay", artifact]);
    assert_exit(&out, 1);
    assert!(stderr(&out).contains(&same), "{}", stderr(&out));
}

/// A replay that brought the planted bug back: exit 1, the harness's
/// "same failure" report.
fn assert_same_failure(out: &std::process::Output) {
    assert_exit(out, 1);
    let err = stderr(out);
    assert!(
        err.contains("the same failure, the same fingerprint"),
        "{err}"
    );
    assert!(err.contains("replica b reported before replica a"), "{err}");
}

/// Non-zero draws of an artifact's tape.
fn nonzero(artifact: &Value) -> usize {
    let tape = artifact["tape"].as_array().unwrap();
    tape.iter().filter(|d| d.as_u64() != Some(0)).count()
}

#[test]
fn shrink_writes_a_smaller_artifact_that_still_fails() {
    let dir = scratch("shrink");
    let summary = sweep_planted(&dir, "0..300");
    let artifact = first_artifact(&summary);
    let out = detsim(&["shrink", artifact.to_str().unwrap()]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(
        text.contains("before:") && text.contains("after:"),
        "{text}"
    );
    let shrunk = artifact.with_file_name(format!(
        "{}.shrunk.json",
        artifact.file_stem().unwrap().to_string_lossy()
    ));
    let (before, after) = (read_json(&artifact), read_json(&shrunk));
    assert!(nonzero(&after) < nonzero(&before), "{text}");
    assert!(after["tape"].as_array().unwrap().len() <= before["tape"].as_array().unwrap().len());
    let out = detsim(&["replay", shrunk.to_str().unwrap()]);
    assert_same_failure(&out);
}

#[test]
fn a_passing_test_sweeps_clean() {
    let dir = scratch("pass");
    let (out, summary) = sweep(&dir, "pass.json", &["always_passes", "--seeds", "40"]);
    assert_exit(&out, 0);
    assert_eq!(summary["passed"], true);
    assert_eq!(summary["tests"][0]["run"], 40);
    assert!(stdout(&out).contains("always_passes"));
}
