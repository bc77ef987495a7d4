//! A `--keep-going` sweep's summary lists every failing seed (up to ten,
//! then how many more and where they are), not the first one alone.

mod common;

use common::{assert_exit, scratch, stdout, sweep};

#[test]
fn a_keep_going_sweep_lists_each_failing_seed_with_its_replay() {
    let dir = scratch("keep_going_summary");
    let (out, summary) = sweep(
        &dir,
        "sweep.json",
        &["planted_bug", "--seeds", "0..100", "--keep-going"],
    );
    assert_exit(&out, 1);
    let text = stdout(&out);
    let failures = summary["tests"][0]["failures"].as_array().unwrap();
    assert!(failures.len() > 10, "the fixture fails often: {text}");
    for f in &failures[..10] {
        let seed = f["seed"].as_u64().unwrap();
        let artifact = f["artifact"].as_str().unwrap();
        assert!(
            text.contains(&format!("seed {seed:#x}: panic: called `Result::unwrap()`")),
            "seed {seed:#x} is not listed:\n{text}"
        );
        assert!(
            text.contains(&format!("cargo detsim replay {artifact}\n")),
            "{artifact} is not listed:\n{text}"
        );
    }
    let replays = text.matches("cargo detsim replay ").count();
    assert_eq!(replays, 10, "{text}");
    let more = format!(
        "and {} more failing seeds, listed in {}",
        failures.len() - 10,
        dir.join("sweep.json").display()
    );
    assert!(text.contains(&more), "no `{more}` in:\n{text}");
}
