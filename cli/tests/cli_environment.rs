//! The `DETSIM_*` variables of `cargo detsim`'s environment: the settings
//! a user sets for `cargo test` (`DETSIM_TIME_LIMIT`,
//! `DETSIM_CHECK_DETERMINISM`) reach the tests of a sweep as they reach
//! `cargo test`'s, a bad value is one error line up front, and the
//! variables the CLI's flags replace are named in a warning line.
//! `DETSIM_SCHEDULER` is a sweep's `--scheduler` when the flag is not
//! given (and must agree with it when it is).

mod common;

use std::path::Path;

use common::{assert_exit, detsim_env, first_artifact, read_json, scratch, stderr, stdout};

#[test]
fn time_limit_and_determinism_check_reach_the_sweeps_tests() {
    let dir = scratch("environment");
    let json = dir.join("sweep.json");
    let env = [
        ("DETSIM_TIME_LIMIT", "500us"),
        ("DETSIM_CHECK_DETERMINISM", "1"),
    ];
    let args = [
        "sweep",
        "always_passes",
        "--test",
        "planted",
        "--seeds",
        "2",
        "--json",
        json.to_str().unwrap(),
    ];
    let out = detsim_env(&args, &env);
    // `always_passes` sleeps 1 ms of virtual time: past a 500 µs limit.
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert!(
        err.contains(
            ", with DETSIM_TIME_LIMIT=500us DETSIM_CHECK_DETERMINISM=1 from the environment"
        ),
        "{err}"
    );
    assert!(!err.contains("warning:"), "{err}");
    let failure = &read_json(&json)["tests"][0]["failures"][0];
    assert_eq!(failure["kind"], "time limit", "{failure}");
    // The artifact records both, so its replay runs the same way.
    let artifact = read_json(std::path::Path::new(failure["artifact"].as_str().unwrap()));
    assert_eq!(artifact["config"]["time_limit_ns"], 500_000, "{artifact}");
    assert_eq!(artifact["config"]["check_determinism"], true, "{artifact}");
}

#[test]
fn a_bad_value_is_one_error_and_replaced_variables_one_warning() {
    let mut all = String::new();
    for (what, env, args) in [
        (
            "a time limit without a unit",
            vec![("DETSIM_TIME_LIMIT", "90")],
            vec!["sweep", "planted_bug", "--seeds", "3"],
        ),
        (
            "a determinism check that is not a yes or no",
            vec![("DETSIM_CHECK_DETERMINISM", "sure")],
            vec!["list"],
        ),
    ] {
        let out = detsim_env(&args, &env);
        assert_exit(&out, 2);
        let err = stderr(&out);
        // Before anything is built.
        assert_eq!(err.lines().count(), 1, "{err}");
        all.push_str(&format!("{what}:\n  {}", err));
    }
    let env = [
        ("DETSIM_SEEDS", "100"),
        ("DETSIM_JOBS", "2"),
        ("DETSIM_SCHEDULER", "pct"),
    ];
    let out = detsim_env(
        &[
            "sweep",
            "always_passes",
            "--test",
            "planted",
            "--seeds",
            "2",
        ],
        &env,
    );
    assert_exit(&out, 0);
    let err = stderr(&out);
    let warnings: Vec<&str> = err.lines().filter(|l| l.starts_with("warning:")).collect();
    assert_eq!(warnings.len(), 1, "{err}");
    // The sweep ran the seeds of --seeds, not of DETSIM_SEEDS, and the
    // scheduler of DETSIM_SCHEDULER (no flag replaces it here).
    assert!(err.contains("seeds 0..2,"), "{err}");
    assert!(
        err.contains(", with DETSIM_SCHEDULER=pct from the environment"),
        "{err}"
    );
    all.push_str(&format!(
        "variables the flags replace:\n  {}\n",
        warnings[0]
    ));
    insta::assert_snapshot!(all);
}

/// `fails_only_under_pct` fails every seed under PCT at depth 1 and
/// passes under its own scheduler (Random).
const PCT_ONLY: &str = "fails_only_under_pct";

/// `sweep fails_only_under_pct --seeds 0..4 <args> --json <dir>/<name>`
/// with `env`: the output and the `--json` summary.
fn sweep_pct_only(
    dir: &Path,
    name: &str,
    args: &[&str],
    env: &[(&str, &str)],
) -> (std::process::Output, serde_json::Value) {
    let json = dir.join(name);
    let all = [
        &["sweep", PCT_ONLY, "--seeds", "0..4"][..],
        args,
        &["--json", json.to_str().unwrap()],
    ]
    .concat();
    let out = detsim_env(&all, env);
    let summary = read_json(&json);
    (out, summary)
}

#[test]
fn detsim_scheduler_alone_is_the_sweeps_scheduler() {
    let dir = scratch("environment_scheduler");
    // Without it, the test's own scheduler: every seed passes.
    let (out, summary) = sweep_pct_only(&dir, "own.json", &[], &[]);
    assert_exit(&out, 0);
    assert_eq!(summary["passed"], true, "{summary}");

    // With it, PCT at depth 1: the first seed fails, as under
    // `--scheduler pct:1`, and no warning says it is ignored.
    let (out, summary) = sweep_pct_only(&dir, "env.json", &[], &[("DETSIM_SCHEDULER", "PCT:1")]);
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert!(!err.contains("warning:"), "{err}");
    assert!(
        err.contains(", with DETSIM_SCHEDULER=pct:1 from the environment"),
        "{err}"
    );
    let failure = &summary["tests"][0]["failures"][0];
    assert_eq!(failure["seed"], 0, "{summary}");
    assert!(
        failure["message"]
            .as_str()
            .unwrap()
            .contains("one task took all its steps"),
        "{failure}"
    );
    // The artifact records PCT, so `cargo detsim replay <artifact>` (the
    // command the summary prints) runs it, whatever the environment then.
    let artifact = first_artifact(&summary);
    let replay = format!("replay:   cargo detsim replay {}", artifact.display());
    assert!(stdout(&out).contains(&replay), "{}", stdout(&out));
    let config = &read_json(&artifact)["config"];
    assert_eq!(config["scheduler"], "pct", "{config}");
    assert_eq!(config["pct_depth"], 1, "{config}");

    // The flag and the variable naming the same scheduler: the same sweep.
    let (out, flagged) = sweep_pct_only(
        &dir,
        "both.json",
        &["--scheduler", "pct:1"],
        &[("DETSIM_SCHEDULER", "pct:01")],
    );
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert!(!err.contains("warning:"), "{err}");
    // The flag names it: the first line does not credit the environment.
    assert!(!err.contains("from the environment"), "{err}");
    assert_eq!(
        flagged["tests"][0]["failures"][0]["fingerprint"],
        failure["fingerprint"]
    );
}

#[test]
fn a_bad_or_disagreeing_detsim_scheduler_is_one_error() {
    let dir = scratch("environment_scheduler_errors");
    let mut all = String::new();
    for (what, flag, env) in [
        (
            "the flag and the variable disagree",
            Some("pct:1"),
            "random",
        ),
        ("PCT at another depth", Some("pct"), "pct:2"),
        ("not a scheduler", None, "lifo"),
        ("not a scheduler, beside the flag", Some("pct:1"), "lifo"),
        ("a PCT depth out of range", None, "pct:0"),
    ] {
        let json = dir.join("never-written.json");
        let mut args = vec!["sweep", PCT_ONLY, "--seeds", "0..4"];
        if let Some(flag) = flag {
            args.extend(["--scheduler", flag]);
        }
        args.extend(["--json", json.to_str().unwrap()]);
        let out = detsim_env(&args, &[("DETSIM_SCHEDULER", env)]);
        assert_exit(&out, 2);
        let err = stderr(&out);
        // One line, before anything is built or swept, and no panic.
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(!json.exists(), "{}", json.display());
        all.push_str(&format!("{what}:\n  {err}"));
    }
    insta::assert_snapshot!(all);
}
