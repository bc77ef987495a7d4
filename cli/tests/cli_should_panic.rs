//! Sweeping a `#[sim_test]` that is also `#[should_panic]`: a failing
//! seed (with the expected text) is the failure the test expects, so the
//! sweep passes and still shows the seed, its artifact and its replay; a
//! sweep where no seed fails, or the first fails with other text, fails
//! as `cargo test` would. Its artifact replays like any other (exit 1:
//! the failure came back), and the replay says that this is the failure
//! the test expects.

mod common;

use common::{assert_exit, detsim, first_artifact, line_starting, scratch, stderr, stdout, sweep};

#[test]
fn a_should_panic_test_passes_a_sweep_by_failing() {
    let dir = scratch("should_panic");
    let (out, summary) = sweep(&dir, "found.json", &["finds_its_bug", "--seeds", "40"]);
    assert_exit(&out, 0);
    let test = &summary["tests"][0];
    assert_eq!(test["should_panic"], true, "{summary}");
    assert_eq!(test["passed"], true, "{summary}");
    assert_eq!(summary["passed"], true, "{summary}");
    let text = stdout(&out);
    assert!(
        text.contains("failed as its #[should_panic] expects: panic: found the planted bug"),
        "{text}"
    );
    assert!(text.contains("  replay:   cargo detsim replay "), "{text}");
    assert!(!text.contains("FAILED"), "{text}");

    // The replay brings the failure back (exit 1, as README says of any
    // artifact), and says that it is the one #[should_panic] expects.
    let out = detsim(&["replay", first_artifact(&summary).to_str().unwrap()]);
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert!(
        err.contains("the same failure, the same fingerprint"),
        "{err}"
    );
    insta::assert_snapshot!(line_starting(&err, "detsim: this failure is"));

    let (out, summary) = sweep(
        &dir,
        "never.json",
        &["expects_a_panic_that_never_comes", "--seeds", "20"],
    );
    assert_exit(&out, 1);
    assert_eq!(summary["tests"][0]["passed"], false, "{summary}");
    assert!(
        stdout(&out).contains("it is #[should_panic], but none of the 20 seeds run failed"),
        "{}",
        stdout(&out)
    );

    let (out, _) = sweep(
        &dir,
        "wrong.json",
        &["panics_with_the_wrong_text", "--seeds", "3"],
    );
    assert_exit(&out, 1);
    assert!(
        stdout(&out).contains(
            "#[should_panic] expects a failure whose message contains \"some other message\""
        ),
        "{}",
        stdout(&out)
    );

    let out = detsim(&["list", "--test", "expected"]);
    assert_exit(&out, 0);
    assert!(
        stdout(&out).contains("should_panic(expected = \"found the planted bug\")"),
        "{}",
        stdout(&out)
    );
}
