//! A closed standard error (its reader gone: `2>&1 | head -1`, a log
//! collector that died) neither panics cargo-detsim nor hangs it: the
//! command goes on without its diagnostics (its tests still run, cargo's
//! and the tests' output is still read, never through the closed stderr
//! itself, `--json` is still written) and exits with the status of its
//! outcome: 0 for a pass, 1 for a failure found, 2 for a mistake. With
//! standard output closed too, the closed output's rule holds (exit 0,
//! see `cli_closed_stdout.rs`), but for a mistake (2).

#![cfg(unix)]

mod common;

use std::io::Read as _;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{detsim_command, first_artifact, fixture, read_json, scratch, sweep_planted};

#[test]
fn cargos_output_is_still_read_when_stderr_is_closed() {
    let tmp = scratch("closed_stderr_cargo");
    // A cargo that says far more than a pipe holds (64 KiB on Linux),
    // and builds nothing: what it says must still be read (a pipe nobody
    // reads would hold it forever, one closed would fail it).
    let chatty = executable(
        &tmp.join("chatty-cargo"),
        b"#!/bin/sh\nyes 'warning: something cargo says' | head -n 20000 >&2\n",
    );
    let ended = list_with_stderr_closed(&chatty);
    // No test binary: nothing to list, which is no failure.
    assert_code(&ended, 0, "a list of no tests");
}

/// Writes an executable file at `path`.
fn executable(path: &std::path::Path, bytes: &[u8]) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::write(path, bytes).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.to_owned()
}

/// `cargo detsim list` with `cargo` as cargo, its stderr closed at once.
fn list_with_stderr_closed(cargo: &std::path::Path) -> Ended {
    let mut child = detsim_command(&fixture(), &["list"], &[("CARGO", cargo.to_str().unwrap())])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stderr.take());
    wait_within(child, "list", Duration::from_secs(60))
}

/// How `cargo detsim` ended: its exit status and its standard output.
struct Ended {
    code: Option<i32>,
    stdout: String,
}

/// Waits for `child`, reading its stdout if it is piped; kills it and
/// fails the test if it has not ended within `limit`.
fn wait_within(mut child: Child, what: &str, limit: Duration) -> Ended {
    let out = child.stdout.take();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut out) = out {
            let _ = out.read_to_string(&mut text);
        }
        text
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`cargo detsim {what}` hangs with its output closed");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Ended {
        code: status.code(),
        stdout: reader.join().unwrap(),
    }
}

#[test]
fn a_test_binary_that_writes_on_stderr_is_listed_when_stderr_is_closed() {
    let tmp = scratch("closed_stderr_binary");
    // A test binary with one #[sim_test] (its marker after the script's
    // end), which says something on stderr as it describes the test: a
    // closed stderr it inherited would kill it (SIGPIPE) before it does.
    let mut script = b"#!/bin/sh\n\
        if [ \"$1\" = --list ]; then echo 'speaks: test'; exit 0; fi\n\
        echo 'a word on stderr' >&2\n\
        echo '{\"event\":\"test\",\"test\":\"speaks\"}' > \"$DETSIM_LIST\"\n\
        exit 0\n"
        .to_vec();
    script.extend_from_slice(b"\0detsim-sim-test:v1:fake::speaks\0\n");
    let binary = executable(&tmp.join("fake-test"), &script);
    let artifact = serde_json::json!({
        "reason": "compiler-artifact",
        "profile": {"test": true},
        "executable": binary,
        "manifest_path": tmp.join("Cargo.toml"),
        "target": {"kind": ["test"], "name": "fake"},
        "package_id": format!("path+file://{}#fake@0.1.0", tmp.display()),
    });
    let cargo = executable(
        &tmp.join("fake-cargo"),
        format!("#!/bin/sh\necho '{artifact}'\n").as_bytes(),
    );
    let ended = list_with_stderr_closed(&cargo);
    assert_code(&ended, 0, "a list");
    assert!(ended.stdout.starts_with("speaks "), "{}", ended.stdout);
}

/// [`wait_within`] five minutes (the first command may build the fixture).
fn wait_for(child: Child, what: &str) -> Ended {
    wait_within(child, what, Duration::from_secs(300))
}

/// `cargo detsim <args>` with its standard error a pipe whose read end is
/// closed before it writes anything.
fn closed_stderr(args: &[&str]) -> Ended {
    let mut child = detsim_command(&fixture(), args, &[])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cargo-detsim runs");
    drop(child.stderr.take());
    wait_for(child, &args.join(" "))
}

/// `cargo detsim <args> 2>&1` into a pipe whose read end is closed before
/// it writes anything: both outputs closed.
fn both_closed(args: &[&str]) -> Ended {
    let cli = detsim_command(&fixture(), args, &[]);
    let mut sh = Command::new("sh");
    sh.args(["-c", r#"exec "$0" "$@" 2>&1"#])
        .arg(cli.get_program())
        .args(cli.get_args())
        .current_dir(fixture());
    for (key, value) in cli.get_envs() {
        match value {
            Some(v) => sh.env(key, v),
            None => sh.env_remove(key),
        };
    }
    let mut child = sh
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("sh runs");
    drop(child.stdout.take());
    wait_for(child, &args.join(" "))
}

/// The exit status `code`, not a panic's 101 (whose message the closed
/// stderr would have swallowed).
fn assert_code(ended: &Ended, code: i32, what: &str) {
    assert_eq!(
        ended.code,
        Some(code),
        "{what} (101 is a panic); stdout:\n{}",
        ended.stdout
    );
}

#[test]
fn a_sweep_with_its_stderr_closed_exits_with_its_outcome() {
    let dir = scratch("closed_stderr_sweep");
    let json = dir.join("sweep.json");
    let found = closed_stderr(&[
        "sweep",
        "planted_bug",
        "--seeds",
        "0..300",
        "--jobs",
        "2",
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_code(&found, 1, "a sweep that finds the bug");
    // Its summary on stdout, and its --json, are whole.
    assert!(
        found.stdout.contains("cargo detsim replay "),
        "{}",
        found.stdout
    );
    assert_eq!(read_json(&json)["passed"], false);

    let passes = closed_stderr(&[
        "sweep",
        "always_passes",
        "--test",
        "planted",
        "--seeds",
        "0..20",
    ]);
    assert_code(&passes, 0, "a sweep that passes");

    let mistake = closed_stderr(&["sweep", "zzz", "--seeds", "10"]);
    assert_code(&mistake, 2, "a sweep of no test");
}

#[test]
fn a_replay_with_its_stderr_closed_exits_with_its_outcome() {
    let dir = scratch("closed_stderr_replay");
    let artifact = first_artifact(&sweep_planted(&dir, "0..300"));
    let path = artifact.to_str().unwrap();
    // The test's output, shown live on stderr, goes nowhere.
    let again = closed_stderr(&["replay", path, "--log"]);
    assert_code(&again, 1, "a replay whose failure comes back");
    assert!(again.stdout.starts_with("trace of "), "{}", again.stdout);
    let listed = closed_stderr(&["list"]);
    assert_code(&listed, 0, "a list");
    assert!(listed.stdout.contains("planted_bug"), "{}", listed.stdout);
    let now_passes = detsim_command(&fixture(), &["replay", path], &[("FIXTURE_BUG_FIXED", "1")])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map(|mut c| {
            drop(c.stderr.take());
            wait_for(c, "replay (fixed)")
        })
        .unwrap();
    assert_code(&now_passes, 2, "a replay whose failure does not come back");
}

#[test]
fn both_outputs_closed_end_quietly_but_a_mistake() {
    let found = both_closed(&["sweep", "planted_bug", "--seeds", "0..300", "--jobs", "2"]);
    assert_code(&found, 0, "a sweep into `2>&1 | head -0`");
    let mistake = both_closed(&["sweep", "zzz", "--seeds", "10"]);
    assert_code(&mistake, 2, "a mistake into `2>&1 | head -0`");
}
