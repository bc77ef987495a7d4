//! `cargo detsim shrink` shows what the test prints in the shrunk run
//! only (its stdout and stderr, in order, once), not one copy per attempt
//! of the shrinker.

mod common;

use common::{assert_exit, detsim, first_artifact, scratch, stderr, stdout, sweep};

#[test]
fn a_shrink_shows_the_shrunk_runs_output_once_in_order() {
    let dir = scratch("shrink_output");
    let (out, summary) = sweep(&dir, "noisy.json", &["noisy_failure", "--seeds", "2"]);
    assert_exit(&out, 1);
    let artifact = first_artifact(&summary);
    let out = detsim(&["shrink", artifact.to_str().unwrap()]);
    assert_exit(&out, 0);
    let err = stderr(&out);
    let noisy: Vec<&str> = err.lines().filter(|l| l.starts_with("noisy: ")).collect();
    assert_eq!(
        noisy,
        [
            "noisy: a line on stdout",
            "noisy: a line on stderr",
            "noisy: a second line on stdout",
        ],
        "{err}"
    );
    // The shrinker's summary, then the shrunk run's report (which comes
    // after the test's own lines), without libtest's lines.
    let shrunk_in = err.find(" shrunk in ").unwrap_or_else(|| panic!("{err}"));
    let first_noisy = err.find("noisy: ").unwrap();
    let report = err
        .find("the same failure, the same fingerprint")
        .unwrap_or_else(|| panic!("{err}"));
    assert!(shrunk_in < first_noisy && first_noisy < report, "{err}");
    assert!(!err.contains("test result:"), "{err}");
    assert!(stdout(&out).contains("  after:  "), "{}", stdout(&out));
}
