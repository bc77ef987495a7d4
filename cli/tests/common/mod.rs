//! Running `cargo detsim` on the fixture crate (tests/fixture): a
//! workspace of its own, built into `<target>/cli-fixture` so that every
//! test after the first builds incrementally.

#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

pub fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixture")
}

/// `<workspace target>/cli-fixture`.
pub fn fixture_target() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target tmp dir is inside the target dir")
        .join("cli-fixture")
}

/// A scratch directory of this test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("cli")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `cargo detsim <args>` in the fixture crate.
pub fn detsim(args: &[&str]) -> Output {
    detsim_env(args, &[])
}

/// `cargo detsim <args>` in the fixture crate, with extra environment
/// (which the fixture's test binaries inherit).
pub fn detsim_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    detsim_at(&fixture(), args, env)
}

/// `cargo detsim <args>` in `dir`, with extra environment.
pub fn detsim_at(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    detsim_command(dir, args, env)
        .output()
        .expect("cargo-detsim runs")
}

/// The command `cargo detsim <args>` in `dir`, with extra environment,
/// for a test that reads its output as it comes.
pub fn detsim_command(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cargo-detsim"));
    cmd.arg("detsim")
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", fixture_target())
        .env("CARGO_TERM_COLOR", "never");
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("DETSIM_") {
            cmd.env_remove(key);
        }
    }
    cmd.envs(env.iter().copied());
    cmd
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The exit status, with the output on a mismatch.
pub fn assert_exit(o: &Output, code: i32) {
    assert_eq!(
        o.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        stdout(o),
        stderr(o)
    );
}

pub fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// `cargo detsim sweep <args> --json <dir>/<name>`: the output and the
/// `--json` summary.
pub fn sweep(dir: &Path, name: &str, args: &[&str]) -> (Output, Value) {
    let json = dir.join(name);
    let mut all = vec!["sweep"];
    all.extend(args);
    all.extend(["--json", json.to_str().unwrap()]);
    let out = detsim(&all);
    let summary = read_json(&json);
    (out, summary)
}

/// Sweeps `planted_bug` over `seeds` (a fail-fast sweep), returning the
/// `--json` summary; the sweep must find the bug.
pub fn sweep_planted(dir: &Path, seeds: &str) -> Value {
    let (out, summary) = sweep(
        dir,
        "sweep.json",
        &["planted_bug", "--seeds", seeds, "--jobs", "2"],
    );
    assert_exit(&out, 1);
    summary
}

/// The artifact of the first failure of a sweep's summary.
pub fn first_artifact(summary: &Value) -> PathBuf {
    let failure = &summary["tests"][0]["failures"][0];
    PathBuf::from(
        failure["artifact"]
            .as_str()
            .expect("an artifact was written"),
    )
}

/// The first line of `text` that starts with `prefix` (once trimmed),
/// trimmed.
pub fn line_starting<'a>(text: &'a str, prefix: &str) -> &'a str {
    text.lines()
        .map(str::trim)
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line starting with `{prefix}` in:\n{text}"))
}

/// Runs `line` with `sh -c` in the fixture crate, as a user pasting it
/// into a shell there: `cargo detsim` finds this build of cargo-detsim
/// first on the PATH.
pub fn paste(line: &str) -> Output {
    let exe = Path::new(env!("CARGO_BIN_EXE_cargo-detsim"));
    let mut path = std::ffi::OsString::from(exe.parent().unwrap());
    if let Some(old) = std::env::var_os("PATH") {
        path.push(":");
        path.push(old);
    }
    let mut cmd = Command::new("sh");
    cmd.args(["-c", line])
        .current_dir(fixture())
        .env("PATH", path)
        .env("CARGO_TARGET_DIR", fixture_target())
        .env("CARGO_TERM_COLOR", "never");
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("DETSIM_") {
            cmd.env_remove(key);
        }
    }
    cmd.output().expect("sh runs")
}
