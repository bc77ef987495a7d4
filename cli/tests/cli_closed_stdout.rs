//! A closed standard output (`cargo detsim list | head -1`) ends each
//! command's printing quietly, exit status 0 as the demos do, without a
//! panic; what the command writes elsewhere (`--json`, `--trace`) is
//! still written.

mod common;

use std::process::{Output, Stdio};

use common::{detsim_command, first_artifact, fixture, read_json, scratch, sweep_planted};

/// `cargo detsim <args>` with its standard output closed before it
/// prints (as by `| head -0`, or a `head -1` that has its line).
fn closed_stdout(args: &[&str]) -> Output {
    let mut child = detsim_command(&fixture(), args, &[])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cargo-detsim runs");
    drop(child.stdout.take());
    child.wait_with_output().expect("cargo-detsim ends")
}

/// Exit status 0, and no panic of cargo-detsim on stderr (the fixture's
/// failing tests panic in their output).
fn assert_quiet(out: &Output) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !err.contains("thread 'main' panicked") && !err.contains("failed printing to stdout"),
        "{err}"
    );
    assert_eq!(out.status.code(), Some(0), "{err}");
}

#[test]
fn list_into_a_closed_pipe_ends_quietly() {
    assert_quiet(&closed_stdout(&["list"]));
}

#[test]
fn help_into_a_closed_pipe_ends_quietly() {
    assert_quiet(&closed_stdout(&["--help"]));
}

#[test]
fn a_sweeps_summary_into_a_closed_pipe_ends_quietly_and_writes_its_json() {
    let dir = scratch("closed_stdout_sweep");
    let json = dir.join("sweep.json");
    let out = closed_stdout(&[
        "sweep",
        "planted_bug",
        "--seeds",
        "0..100",
        "--keep-going",
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_quiet(&out);
    assert_eq!(read_json(&json)["passed"], false);
}

#[test]
fn a_replays_log_and_a_shrink_into_a_closed_pipe_end_quietly() {
    let dir = scratch("closed_stdout_replay");
    let summary = sweep_planted(&dir, "0..300");
    let artifact = first_artifact(&summary);
    let trace = dir.join("trace.json");
    let out = closed_stdout(&[
        "replay",
        artifact.to_str().unwrap(),
        "--log",
        "--trace",
        trace.to_str().unwrap(),
    ]);
    assert_quiet(&out);
    assert!(trace.is_file(), "the --trace file is still written");
    assert_quiet(&closed_stdout(&["shrink", artifact.to_str().unwrap()]));
}
