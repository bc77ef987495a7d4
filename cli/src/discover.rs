//! Finding simulation tests, as nextest does: build the test binaries with
//! `cargo test --no-run --message-format=json`, find the `#[sim_test]`
//! markers in each binary's bytes (the macro leaves
//! `"\0detsim-sim-test:v1:<module path>::<fn>\0"` in every test it makes),
//! keep those `<bin> --list --format terse` lists, and ask the binary for
//! their attributes (`DETSIM_LIST=<file>`: each test writes one JSON line
//! and returns without running a seed). No other test runs.

use std::collections::BTreeSet;
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::args::Build;
use crate::error::CliError;
use crate::scratch::Scratch;

const MARKER: &[u8] = b"\0detsim-sim-test:v1:";

/// A test executable cargo built.
#[derive(Clone, Debug)]
pub(crate) struct Binary {
    pub(crate) exe: PathBuf,
    pub(crate) package: String,
    /// `lib`, `test`, `bin`, `example` or `bench`.
    pub(crate) kind: String,
    pub(crate) name: String,
    /// The package's directory: where cargo runs its tests.
    pub(crate) dir: PathBuf,
}

impl Binary {
    /// `--lib`, `--test net`, ...: how `cargo test` selects it.
    pub(crate) fn selector(&self) -> String {
        match self.kind.as_str() {
            "lib" => "--lib".into(),
            kind => format!("--{kind} {}", self.name),
        }
    }

    /// A command running this binary the way cargo does, without any
    /// `DETSIM_*` variable of the user's shell (the CLI sets its own).
    pub(crate) fn command(&self) -> Command {
        let mut cmd = Command::new(&self.exe);
        cmd.current_dir(&self.dir);
        for (key, _) in std::env::vars_os() {
            let name = key.to_string_lossy();
            // DETSIM_TRACE_LIMIT changes nothing about a run but how much
            // of its trace replay --log/--trace keeps: it passes through.
            if name.starts_with("DETSIM_") && name != "DETSIM_TRACE_LIMIT" {
                cmd.env_remove(key);
            }
        }
        cmd
    }
}

/// Tells the test `cmd` runs the feature flags it was built with
/// (`Build::feature_flags`), so the commands its report prints carry them.
pub(crate) fn with_features(cmd: &mut Command, features: &str) {
    if !features.is_empty() {
        cmd.env("DETSIM_CARGO_FEATURES", features.trim());
    }
}

/// A `#[sim_test]` of a binary, with what its attribute says.
#[derive(Clone, Debug)]
pub(crate) struct SimTest {
    pub(crate) binary: Binary,
    pub(crate) test: String,
    /// The binary's `DETSIM_LIST` line (seeds, scheduler, ...).
    pub(crate) info: Value,
}

/// `cargo test --no-run` with the user's selection (and `extra` cargo
/// arguments, such as a target selector), returning the test binaries.
pub(crate) fn build(sel: &Build, extra: &[String]) -> Result<Vec<Binary>, CliError> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args([
        "test",
        "--no-run",
        "--message-format=json-render-diagnostics",
    ]);
    for p in &sel.packages {
        cmd.args(["-p", p]);
    }
    if sel.workspace {
        cmd.arg("--workspace");
    }
    if sel.release {
        cmd.arg("--release");
    }
    cmd.args(&sel.targets);
    cmd.args(&sel.features);
    cmd.args(extra);
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| CliError::new(format!("cannot run cargo ({e}): is cargo on the PATH?")))?;
    // Cargo's progress and diagnostics pass through as they come; the one
    // line of a mistake we explain better is held back for our error.
    let held = child.stderr.take().map(|err| {
        std::thread::spawn(move || {
            let mut held = None;
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                if held.is_none() && setup_mistake(&line).is_some() {
                    held = Some(line);
                } else {
                    eprintln!("{line}");
                }
            }
            held
        })
    });
    let mut binaries = Vec::new();
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if let Some(b) = binary_of(&line) {
                binaries.push(b);
            }
        }
    }
    let status = child
        .wait()
        .map_err(|e| CliError::new(format!("cargo did not finish: {e}")))?;
    let held = held.and_then(|t| t.join().ok()).flatten();
    if let Some(fix) = held.as_deref().and_then(setup_mistake) {
        let cargo_said = held.as_deref().unwrap_or_default();
        let cargo_said = cargo_said.strip_prefix("error: ").unwrap_or(cargo_said);
        return Err(CliError::new(format!("cargo: {cargo_said}: {fix}")));
    }
    // Cargo reports binaries as their builds finish: sort them, so lists
    // and errors come in the same order every time.
    binaries.sort_by(|a, b| (&a.package, &a.kind, &a.name).cmp(&(&b.package, &b.kind, &b.name)));
    if !status.success() {
        return Err(CliError::new(format!(
            "`cargo test --no-run{}` failed ({status}): fix the build errors above, or check the \
             -p/--workspace selection",
            sel.targets
                .iter()
                .chain(&sel.features)
                .chain(extra)
                .map(|a| format!(" {a}"))
                .collect::<String>()
        )));
    }
    Ok(binaries)
}

/// The fix for a line of cargo's stderr that says the command ran in the
/// wrong place or named a package that is not there.
fn setup_mistake(line: &str) -> Option<&'static str> {
    let line = line.strip_prefix("error: ")?;
    if line.starts_with("could not find `Cargo.toml`") {
        Some("run cargo detsim in your cargo project (the directory of its Cargo.toml or below)")
    } else if line.starts_with("package ID specification") && line.contains("did not match") {
        Some(
            "the package is not in this workspace: check the -p name, or, to replay or shrink an \
             artifact, run cargo detsim in the workspace the artifact came from",
        )
    } else {
        None
    }
}

/// A test executable from one line of cargo's JSON messages.
fn binary_of(line: &str) -> Option<Binary> {
    let v: Value = serde_json::from_str(line).ok()?;
    if v["reason"] != "compiler-artifact" || v["profile"]["test"] != true {
        return None;
    }
    let exe = PathBuf::from(v["executable"].as_str()?);
    let manifest = PathBuf::from(v["manifest_path"].as_str()?);
    let kind = v["target"]["kind"][0].as_str()?;
    let kind = match kind {
        "lib" | "rlib" | "dylib" | "cdylib" | "staticlib" | "proc-macro" => "lib",
        other => other,
    };
    Some(Binary {
        exe,
        package: package_name(v["package_id"].as_str()?, &manifest),
        kind: kind.to_owned(),
        name: v["target"]["name"].as_str()?.to_owned(),
        dir: manifest.parent()?.to_path_buf(),
    })
}

/// The package name in a package id: `path+file:///w/kv#kv-store@0.1.0`,
/// `path+file:///w/kv-store#0.1.0` (the directory's name) or the older
/// `kv-store 0.1.0 (path+file:///w/kv)`.
fn package_name(id: &str, manifest: &Path) -> String {
    if let Some((url, rest)) = id.rsplit_once('#') {
        return match rest.split_once('@') {
            Some((name, _)) => name.to_owned(),
            None => url
                .rsplit('/')
                .next()
                .map(str::to_owned)
                .or_else(|| Some(manifest.parent()?.file_name()?.to_string_lossy().into()))
                .unwrap_or_default(),
        };
    }
    id.split_whitespace().next().unwrap_or_default().to_owned()
}

/// The `#[sim_test]` names (libtest's, without the crate) marked in `exe`.
fn marked_tests(exe: &Path) -> Result<BTreeSet<String>, CliError> {
    let bytes = std::fs::read(exe).map_err(|e| {
        CliError::new(format!(
            "cannot read the test binary {}: {e}; rebuild it with cargo test --no-run",
            exe.display()
        ))
    })?;
    let mut found = BTreeSet::new();
    let mut at = 0;
    while let Some(i) = find(&bytes[at..], MARKER) {
        let start = at + i + MARKER.len();
        let len = bytes[start..].iter().position(|&b| b == 0).unwrap_or(0);
        if let Ok(path) = std::str::from_utf8(&bytes[start..start + len]) {
            if let Some((_, name)) = path.split_once("::") {
                found.insert(name.to_owned());
            }
        }
        at = start + len;
    }
    Ok(found)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// What `<exe> --list --format terse` lists as tests.
fn listed_tests(b: &Binary) -> Result<BTreeSet<String>, CliError> {
    let out = b
        .command()
        .args(["--list", "--format", "terse"])
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| CliError::new(format!("cannot run {}: {e}", b.exe.display())))?;
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.strip_suffix(": test"))
        .map(str::to_owned)
        .collect())
}

/// The simulation tests of the binaries, in binary then name order.
pub(crate) fn sim_tests(binaries: &[Binary]) -> Result<Vec<SimTest>, CliError> {
    let scratch = Scratch::new()?;
    let mut tests = Vec::new();
    for (n, b) in binaries.iter().enumerate() {
        let marked = marked_tests(&b.exe)?;
        if marked.is_empty() {
            continue;
        }
        let listed = listed_tests(b)?;
        let names: Vec<&String> = marked.intersection(&listed).collect();
        if names.is_empty() {
            continue;
        }
        let file = scratch.path(&format!("list-{n}.jsonl"));
        let status = b
            .command()
            .args(["--exact", "--test-threads=1", "--include-ignored", "-q"])
            .args(&names)
            .env("DETSIM_LIST", &file)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .status()
            .map_err(|e| CliError::new(format!("cannot run {}: {e}", b.exe.display())))?;
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        if text.is_empty() {
            return Err(CliError::new(format!(
                "{} did not describe its simulation tests ({status}): build it against a \
                 detsim with the same version as cargo-detsim",
                b.exe.display()
            )));
        }
        let mut found: Vec<SimTest> = text
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|v| v["event"] == "test")
            .map(|info| SimTest {
                binary: b.clone(),
                test: info["test"].as_str().unwrap_or_default().to_owned(),
                info,
            })
            .collect();
        found.sort_by(|a, b| a.test.cmp(&b.test));
        tests.extend(found);
    }
    Ok(tests)
}

/// Every test (simulation or not) that `<exe> --list` shows, for telling
/// "not a simulation test" from "no such test".
pub(crate) fn all_tests(binaries: &[Binary]) -> Result<BTreeSet<String>, CliError> {
    let mut all = BTreeSet::new();
    for b in binaries {
        all.extend(listed_tests(b)?);
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_names_from_ids() {
        let m = Path::new("/w/kv/Cargo.toml");
        assert_eq!(
            package_name("path+file:///w/kv#kv-store@0.1.0", m),
            "kv-store"
        );
        assert_eq!(package_name("path+file:///w/kv-store#0.1.0", m), "kv-store");
        assert_eq!(
            package_name("kv-store 0.1.0 (path+file:///w/kv)", m),
            "kv-store"
        );
    }

    #[test]
    fn artifacts_of_test_profile_only() {
        let line = r#"{"reason":"compiler-artifact","package_id":"path+file:///w/kv#0.1.0",
            "manifest_path":"/w/kv/Cargo.toml","target":{"kind":["test"],"name":"net"},
            "profile":{"test":true},"executable":"/w/target/debug/deps/net-1"}"#
            .replace('\n', "");
        let b = binary_of(&line).unwrap();
        assert_eq!((b.kind.as_str(), b.name.as_str()), ("test", "net"));
        assert_eq!(b.selector(), "--test net");
        assert_eq!(b.dir, Path::new("/w/kv"));
        assert!(binary_of(&line.replace("\"test\":true", "\"test\":false")).is_none());
    }
}
