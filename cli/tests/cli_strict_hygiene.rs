//! A strict-mode test that returns with a task still waiting fails its
//! sweep with the hygiene headline (the kind named once), its artifact
//! records strict mode, and `replay` brings back the same failure.

mod common;

use common::{assert_exit, detsim, first_artifact, read_json, scratch, stderr, stdout, sweep};

const HEADLINE: &str = "hygiene (strict mode): the run ended with 1 live task and 0 armed timers";

#[test]
fn a_strict_hygiene_failure_is_found_named_once_and_replayed() {
    let dir = scratch("strict_hygiene");
    let (out, summary) = sweep(
        &dir,
        "sweep.json",
        &["leaves_a_task_behind", "--seeds", "0..3", "--jobs", "1"],
    );
    assert_exit(&out, 1);
    let text = stdout(&out);
    let failed = format!(
        "FAILED leaves_a_task_behind (package detsim-cli-fixture, --test strict): seed 0x0: {HEADLINE}"
    );
    assert!(text.contains(&failed), "no `{failed}` in:\n{text}");
    assert!(!text.contains("hygiene: hygiene"), "{text}");
    let failure = &summary["tests"][0]["failures"][0];
    assert_eq!(failure["kind"], "hygiene");
    assert_eq!(failure["seed"], 0);
    let fingerprint = failure["fingerprint"].as_str().unwrap().to_owned();

    let artifact = first_artifact(&summary);
    let recorded = read_json(&artifact);
    assert_eq!(recorded["config"]["strict"], true, "{recorded}");

    let out = detsim(&["replay", artifact.to_str().unwrap()]);
    assert_exit(&out, 1);
    let text = stderr(&out);
    let same = format!("the same failure, the same fingerprint {fingerprint}");
    assert!(text.contains(&same), "no `{same}` in:\n{text}");
    assert!(
        text.contains(&format!("message:      {HEADLINE}")),
        "{text}"
    );
    assert!(
        text.contains("task 1 on node 'main', spawned at tests/strict.rs:9:5"),
        "{text}"
    );
}
