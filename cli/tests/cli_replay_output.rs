//! What a test prints reaches the user of `cargo detsim replay`: its
//! stdout and stderr lines, in the order it wrote them, whatever the
//! replay's outcome; and a name that two targets share can be replayed
//! by choosing the target.

mod common;

use common::{assert_exit, detsim, detsim_env, first_artifact, scratch, stderr, sweep};

/// The `noisy:` lines of a command's stderr, in order.
fn noisy_lines(out: &std::process::Output) -> Vec<String> {
    stderr(out)
        .lines()
        .filter(|l| l.starts_with("noisy: "))
        .map(str::to_owned)
        .collect()
}

const NOISY: [&str; 3] = [
    "noisy: a line on stdout",
    "noisy: a line on stderr",
    "noisy: a second line on stdout",
];

#[test]
fn a_replay_shows_the_tests_own_output_in_order() {
    let dir = scratch("replay_output");
    let (out, summary) = sweep(&dir, "noisy.json", &["noisy_failure", "--seeds", "2"]);
    assert_exit(&out, 1);
    let artifact = first_artifact(&summary);
    let path = artifact.to_str().unwrap();

    // The same failure: the output comes before the report, once.
    let out = detsim(&["replay", path]);
    assert_exit(&out, 1);
    assert_eq!(noisy_lines(&out), NOISY, "{}", stderr(&out));
    // libtest's own lines around the test are not the test's output.
    assert!(!stderr(&out).contains("test result:"), "{}", stderr(&out));

    // By seed: the same lines, once (the seed's run, then its replay).
    let out = detsim(&["replay", "--seed", "0", "noisy_failure"]);
    assert_exit(&out, 1);
    assert_eq!(noisy_lines(&out), NOISY, "{}", stderr(&out));

    // An artifact the code no longer reproduces: the output still shows,
    // above the one error line.
    let out = detsim_env(&["replay", path], &[("FIXTURE_NOISY_PASSES", "1")]);
    assert_exit(&out, 2);
    assert_eq!(noisy_lines(&out), NOISY, "{}", stderr(&out));

    // A seed that passes.
    let out = detsim_env(
        &["replay", "--seed", "0", "noisy_failure"],
        &[("FIXTURE_NOISY_PASSES", "1")],
    );
    assert_exit(&out, 0);
    assert_eq!(noisy_lines(&out), NOISY, "{}", stderr(&out));
}

/// `always_passes` is a test of `--test planted` and of `--test noisy`:
/// the target picks one (the name alone is an error, see cli_errors.rs).
#[test]
fn a_name_two_targets_share_replays_with_its_target() {
    let out = detsim(&[
        "replay",
        "--seed",
        "3",
        "--test",
        "noisy",
        "always_passes",
        "--log",
    ]);
    assert_exit(&out, 0);
    assert!(
        stderr(&out).contains("always_passes passes with seed 0x3"),
        "{}",
        stderr(&out)
    );
    // A passing seed has no failure to trace: --log says so.
    assert!(
        stderr(&out).contains("nothing was traced"),
        "{}",
        stderr(&out)
    );
    let (out, summary) = sweep(
        &scratch("two_targets"),
        "one.json",
        &["always_passes", "--seeds", "4", "--test", "planted"],
    );
    assert_exit(&out, 0);
    let tests = summary["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 1, "{summary}");
    assert_eq!(tests[0]["target"]["name"], "planted");
}
