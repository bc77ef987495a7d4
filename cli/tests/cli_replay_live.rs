//! `cargo detsim replay` shows what the test prints as it prints it, not
//! when the test ends: a long or hung replay shows its progress, and an
//! interrupted one keeps what it printed. The fixture's
//! `waits_for_its_sentinel` prints a line, then waits for a file that
//! this test creates only once it has read that line from the CLI.

mod common;

use std::io::{BufRead as _, BufReader, Read as _};
use std::path::Path;
use std::process::{ExitStatus, Stdio};

use common::{detsim_command, fixture, line_starting, scratch};

/// Runs `cargo detsim <args>` with `FIXTURE_SENTINEL=<sentinel>`: reads
/// its stderr up to the test's `live: waiting` line, checks that the test
/// is still waiting, creates the sentinel and returns the stderr before
/// it, the stderr after it, and the exit status.
fn release_after_first_line(args: &[&str], sentinel: &Path) -> (String, String, ExitStatus) {
    let mut child = detsim_command(
        &fixture(),
        args,
        &[("FIXTURE_SENTINEL", sentinel.to_str().unwrap())],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .expect("cargo-detsim runs");
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut before = String::new();
    loop {
        let mut line = String::new();
        let n = err.read_line(&mut line).unwrap();
        assert!(
            n > 0,
            "cargo detsim ended without the test's first line:\n{before}"
        );
        before.push_str(&line);
        if line.trim_end() == "live: waiting" {
            break;
        }
    }
    // The test waits for the sentinel: nothing after its wait can have
    // been printed yet.
    assert!(!before.contains("live: released"), "{before}");
    std::fs::write(sentinel, "").unwrap();
    let mut after = String::new();
    err.read_to_string(&mut after).unwrap();
    let status = child.wait().unwrap();
    (before, after, status)
}

#[test]
fn a_replay_shows_the_tests_output_while_it_runs() {
    let dir = scratch("replay_live");

    // By seed: the seed's run is shown live; it fails and writes an
    // artifact.
    let (_, after, status) = release_after_first_line(
        &[
            "replay",
            "--seed",
            "0",
            "--test",
            "live",
            "waits_for_its_sentinel",
        ],
        &dir.join("seed.sentinel"),
    );
    assert_eq!(status.code(), Some(1), "{after}");
    assert!(!after.contains("never released"), "{after}");
    assert_eq!(after.matches("live: released").count(), 1, "{after}");
    assert!(
        after.contains("detsim: test waits_for_its_sentinel failed"),
        "{after}"
    );
    assert!(!after.contains("test result:"), "{after}");
    let artifact = line_starting(&after, "artifact:")
        .trim_start_matches("artifact:")
        .trim()
        .to_owned();

    // By artifact: the same, and the verdict after the test ends.
    let (before, after, status) =
        release_after_first_line(&["replay", &artifact], &dir.join("artifact.sentinel"));
    assert_eq!(status.code(), Some(1), "{after}");
    assert!(!after.contains("never released"), "{after}");
    assert!(after.starts_with("live: released\n"), "{after}");
    assert!(
        after.contains("the same failure, the same fingerprint"),
        "{after}"
    );
    assert!(!before.contains("running 1 test"), "{before}");
    assert!(!after.contains("test result:"), "{after}");
}
