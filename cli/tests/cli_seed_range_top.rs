//! The largest seed, 0xffffffffffffffff, can be swept (`--seeds S..=S`),
//! and every command printed about it is valid and runs it.

mod common;

use common::{assert_exit, detsim_env, first_artifact, paste, read_json, scratch, stderr, sweep};
use serde_json::Value;

const MAX: u64 = u64::MAX;

/// The `cargo detsim sweep ...` command at the end of an error line.
fn suggested_sweep(err: &str) -> String {
    let line = err
        .lines()
        .find(|l| l.starts_with("error:"))
        .unwrap_or_else(|| panic!("{err}"));
    let at = line
        .find("cargo detsim sweep ")
        .unwrap_or_else(|| panic!("{line}"));
    line[at..].to_owned()
}

#[test]
fn the_largest_seed_sweeps_and_its_suggestions_run_it() {
    let dir = scratch("seed_top");
    let (out, summary) = sweep(
        &dir,
        "top.json",
        &[
            "noisy_failure",
            "--seeds",
            "0xffffffffffffffff..=0xffffffffffffffff",
        ],
    );
    assert_exit(&out, 1);
    let test = &summary["tests"][0];
    assert_eq!(test["run"], 1, "{summary}");
    assert_eq!(test["failures"][0]["seed"].as_u64(), Some(MAX), "{summary}");
    assert_eq!(test["seeds"]["last"].as_u64(), Some(MAX), "{summary}");
    assert_eq!(test["seeds"]["end"], Value::Null, "{summary}");
    let artifact = first_artifact(&summary);

    // A replay that passes now suggests a sweep from the recorded seed;
    // one that fails differently, a sweep of that seed alone. Both are
    // valid commands that run seed u64::MAX.
    let passes = detsim_env(
        &["replay", artifact.to_str().unwrap()],
        &[("FIXTURE_NOISY_PASSES", "1")],
    );
    assert_exit(&passes, 2);
    let mut art = read_json(&artifact);
    art["failure"]["fingerprint"] = Value::from("0x0000000000000001");
    let changed = dir.join("changed.json");
    std::fs::write(&changed, art.to_string()).unwrap();
    let differs = detsim_env(&["replay", changed.to_str().unwrap()], &[]);
    assert_exit(&differs, 2);
    for out in [passes, differs] {
        let cmd = suggested_sweep(&stderr(&out));
        assert!(cmd.contains(&format!("--seeds {MAX}..={MAX}")), "{cmd}");
        let json = dir.join("suggested.json");
        let pasted = paste(&format!("{cmd} --json {}", json.display()));
        assert_exit(&pasted, 1);
        let s = read_json(&json);
        assert_eq!(s["tests"][0]["run"], 1, "{s}");
        assert_eq!(s["tests"][0]["failures"][0]["seed"].as_u64(), Some(MAX));
    }
}
