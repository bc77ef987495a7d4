//! The `DETSIM_*` variables of `cargo detsim`'s environment: the settings
//! a user sets for `cargo test` (`DETSIM_TIME_LIMIT`,
//! `DETSIM_CHECK_DETERMINISM`) reach the tests of a sweep as they reach
//! `cargo test`'s, a bad value is one error line up front, and the
//! variables the CLI's flags replace are named in a warning line.

mod common;

use common::{assert_exit, detsim_env, read_json, scratch, stderr};

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
    // The sweep ran the seeds of --seeds, not of DETSIM_SEEDS.
    assert!(err.contains("seeds 0..2,"), "{err}");
    all.push_str(&format!(
        "variables the flags replace:\n  {}\n",
        warnings[0]
    ));
    insta::assert_snapshot!(all);
}
