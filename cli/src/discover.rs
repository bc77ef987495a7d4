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
use sim_core::harness::shell_word;

use crate::args::Build;
use crate::error::CliError;
use crate::out::tell;
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

    /// A command running this binary the way cargo does, without the
    /// `DETSIM_*` variables of the user's shell that the CLI sets itself
    /// or that its flags replace ([`IGNORED`]); the others
    /// (`DETSIM_TIME_LIMIT`, `DETSIM_CHECK_DETERMINISM`,
    /// `DETSIM_TRACE_LIMIT`, `DETSIM_SLOW_RUN`) pass through, as they do
    /// under `cargo test`.
    pub(crate) fn command(&self) -> Command {
        let mut cmd = Command::new(&self.exe);
        cmd.current_dir(&self.dir);
        for (key, _) in std::env::vars_os() {
            if IGNORED.iter().any(|(name, _)| key == *name) {
                cmd.env_remove(key);
            }
        }
        cmd
    }
}

/// The harness's variables that `cargo detsim` does not pass on from its
/// environment, with what to use instead: it sets them itself for each
/// test process, from its flags (`DETSIM_SCHEDULER`, from `--scheduler`
/// or from the environment's, see `crate::scheduler`).
const IGNORED: &[(&str, &str)] = &[
    ("DETSIM_SEED", "--seeds, or replay --seed"),
    ("DETSIM_SEEDS", "--seeds"),
    ("DETSIM_JOBS", "--jobs"),
    ("DETSIM_KEEP_GOING", "--keep-going"),
    // Honoured by `sweep` and `replay --seed` (as `--scheduler`), and the
    // recorded one holds for an artifact (see `ignored_env_in`).
    ("DETSIM_SCHEDULER", "--scheduler"),
    ("DETSIM_REPLAY", "cargo detsim replay <artifact>"),
    ("DETSIM_SHRINK", "cargo detsim shrink <artifact>"),
    ("DETSIM_TRACE", "replay --log or --trace"),
    ("DETSIM_CARGO_FEATURES", "--features"),
    ("DETSIM_LIST", "cargo detsim list"),
    ("DETSIM_REPORT", "--json"),
    ("DETSIM_TRACE_JSON", "replay --trace"),
];

/// The harness's variables that pass from the CLI's environment to the
/// tests and change how a run goes (so a sweep says it uses them).
const PASSED_ON: &[&str] = &["DETSIM_TIME_LIMIT", "DETSIM_CHECK_DETERMINISM"];

/// The variables of [`PASSED_ON`] set (not empty) in the CLI's
/// environment, as `NAME=value` words for a shell (`DETSIM_TIME_LIMIT=10m`).
pub(crate) fn passed_on() -> Vec<String> {
    passed_on_in(|name| std::env::var_os(name))
}

fn passed_on_in(get: impl Fn(&str) -> Option<std::ffi::OsString>) -> Vec<String> {
    PASSED_ON
        .iter()
        .filter_map(|name| {
            let value = get(name)?;
            let value = value.to_string_lossy();
            (!value.trim().is_empty()).then(|| format!("{name}={}", shell_word(&value)))
        })
        .collect()
}

/// Checks the `DETSIM_*` variables the tests will read from the CLI's
/// environment, as the harness reads them: a bad value would fail every
/// test process (the listing first), so it is one error up front.
pub(crate) fn check_env() -> Result<(), CliError> {
    check_env_in(|name| std::env::var_os(name))
}

fn check_env_in(get: impl Fn(&str) -> Option<std::ffi::OsString>) -> Result<(), CliError> {
    let vars: Vec<(&str, std::ffi::OsString)> = PASSED_ON
        .iter()
        .chain(&["DETSIM_TRACE_LIMIT", "DETSIM_SLOW_RUN"])
        .filter_map(|&name| Some((name, get(name)?)))
        .collect();
    sim_core::harness::check_env(&vars).map_err(|e| {
        let e = e.strip_prefix("detsim: ").unwrap_or(&e);
        CliError::new(format!(
            "{e} (cargo detsim passes it on to the tests; fix or unset it)"
        ))
    })
}

/// One line saying which `DETSIM_*` variables of the CLI's environment
/// `cargo detsim <command>` does not use, and what to use instead; `None`
/// when there are none. `artifact`: the command runs an artifact (replay
/// or shrink of one), whose recorded time limit and determinism check
/// hold whatever the environment says.
pub(crate) fn ignored_env(command: &str, artifact: bool) -> Option<String> {
    ignored_env_in(command, artifact, std::env::vars_os().map(|(k, _)| k))
}

fn ignored_env_in(
    command: &str,
    artifact: bool,
    names: impl Iterator<Item = std::ffi::OsString>,
) -> Option<String> {
    let set: BTreeSet<String> = names
        .map(|k| k.to_string_lossy().into_owned())
        .filter(|k| k.starts_with("DETSIM_"))
        .collect();
    let mut words: Vec<String> = IGNORED
        .iter()
        .filter(|(name, _)| set.contains(*name))
        // `sweep` and `replay --seed` run with it, as with `--scheduler`
        // (`crate::scheduler`); only an artifact's replay and shrink do not.
        .filter(|(name, _)| artifact || *name != "DETSIM_SCHEDULER")
        .map(|(name, instead)| {
            if *name == "DETSIM_SCHEDULER" && artifact {
                return format!("{name} (the artifact's recorded scheduler holds)");
            }
            // `sweep --scheduler` is `--scheduler` to a sweep.
            let prefix = format!("{command} ");
            let instead = instead.strip_prefix(prefix.as_str()).unwrap_or(instead);
            format!("{name} (use {instead})")
        })
        .collect();
    if artifact {
        words.extend(
            PASSED_ON
                .iter()
                .filter(|name| set.contains(**name))
                .map(|name| format!("{name} (the artifact's recorded setting holds)")),
        );
    }
    let last = words.pop()?;
    let list = match words.is_empty() {
        true => last,
        false => format!("{} and {last}", words.join(", ")),
    };
    Some(format!(
        "cargo detsim {command} ignores {list} from the environment"
    ))
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
    // Registered, so that an interrupt stops the build too (an orphaned
    // cargo would keep the target directory locked).
    let child = crate::scratch::spawn(&mut cmd)
        .map_err(|e| CliError::new(format!("cannot run cargo ({e}): is cargo on the PATH?")))?;
    let (stdout, stderr) = child.take_pipes();
    // Cargo's progress and diagnostics pass through as they come; the one
    // line of a mistake we explain better is held back for our error.
    let held = stderr.map(|err| {
        std::thread::spawn(move || {
            // The mistake's line, and the `help:` lines after a missing
            // target's (the targets there are).
            let mut held: Vec<String> = Vec::new();
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                if held.is_empty() && setup_mistake(&line).is_some() || continues(&held, &line) {
                    held.push(line);
                } else {
                    tell!("{line}");
                }
            }
            held
        })
    });
    let mut binaries = Vec::new();
    if let Some(out) = stdout {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if let Some(b) = binary_of(&line) {
                binaries.push(b);
            }
        }
    }
    let status = child
        .wait()
        .map_err(|e| CliError::new(format!("cargo did not finish: {e}")))?;
    if !status.success() {
        // Cargo stopped by the user's Ctrl-C: not a build error.
        crate::scratch::wait_if_interrupted();
    }
    let held = held.and_then(|t| t.join().ok()).unwrap_or_default();
    if let Some(first) = held.first() {
        let cargo_said = first.strip_prefix("error: ").unwrap_or(first);
        let fix = match missing_target(first) {
            Some((kind, _)) => target_fix(kind, &held[1..]),
            None => setup_mistake(first).unwrap_or_default().to_owned(),
        };
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
    } else if missing_target(&format!("error: {line}")).is_some() {
        // The fix names the targets there are: see `target_fix`.
        Some("")
    } else if line.starts_with("package ID specification") && line.contains("did not match") {
        Some(
            "the package is not in this workspace: check the -p name, or, to replay or shrink an \
             artifact, run cargo detsim in the workspace the artifact came from",
        )
    } else {
        None
    }
}

/// The kind and name of the target that cargo's error line `error: no
/// test target named `x` in default-run packages` says is not there.
fn missing_target(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix("error: no ")?;
    let (kind, rest) = rest.split_once(" target named `")?;
    let (name, _) = rest.split_once('`')?;
    Some((kind, name))
}

/// Whether a line of cargo's stderr belongs to a held error about a
/// missing target (its `help: available test targets:` and the names
/// after it).
fn continues(held: &[String], line: &str) -> bool {
    held.first()
        .is_some_and(|first| missing_target(first).is_some())
        && (line.starts_with("help: ")
            || line.is_empty()
            || (line.starts_with(char::is_whitespace) && !line.trim().contains(' ')))
}

/// The fix for a missing target of `kind`: the targets of that kind that
/// cargo's `help` lines name (or what they say instead).
fn target_fix(kind: &str, help: &[String]) -> String {
    let names: Vec<&str> = help
        .iter()
        .filter(|l| l.starts_with(char::is_whitespace))
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
        .collect();
    let flag = match kind {
        "bin" | "test" | "example" | "bench" => format!("--{kind}"),
        other => format!("the {other} selection"),
    };
    if names.is_empty() {
        let said: Vec<&str> = help
            .iter()
            .map(|l| l.strip_prefix("help: ").unwrap_or(l).trim())
            .filter(|l| !l.is_empty())
            .collect();
        return match said.is_empty() {
            true => format!("check the name given to {flag} (cargo lists no {kind} targets)"),
            false => format!("check the name given to {flag} ({})", said.join("; ")),
        };
    }
    format!(
        "give {flag} one of the {kind} targets there are ({}), or leave {flag} out to build them \
         all",
        names.join(", ")
    )
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
    // memchr's substring search: a debug build's test binaries are tens
    // of MB each, and a byte-by-byte window scan took over a minute for a
    // package's ~80 of them in a debug build of this CLI.
    for i in memchr::memmem::find_iter(&bytes, MARKER) {
        let start = i + MARKER.len();
        let len = memchr::memchr(0, &bytes[start..]).unwrap_or(0);
        if let Ok(path) = std::str::from_utf8(&bytes[start..start + len]) {
            if let Some((_, name)) = path.split_once("::") {
                found.insert(name.to_owned());
            }
        }
    }
    Ok(found)
}

/// Shows what a test binary wrote on its stderr (read through a pipe,
/// not inherited: a closed stderr of ours must not fail the binary's
/// writes; see `out`).
fn pass_on(stderr: &[u8]) {
    if !stderr.is_empty() {
        crate::out::tell_text(format_args!("{}", String::from_utf8_lossy(stderr)));
    }
}

/// What `<exe> --list --format terse` lists as tests.
fn listed_tests(b: &Binary) -> Result<BTreeSet<String>, CliError> {
    let out = b
        .command()
        .args(["--list", "--format", "terse"])
        .output()
        .map_err(|e| CliError::new(format!("cannot run {}: {e}", b.exe.display())))?;
    pass_on(&out.stderr);
    if !out.status.success() {
        // Killed by the user's Ctrl-C: not an empty list.
        crate::scratch::wait_if_interrupted();
    }
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
        let out = b
            .command()
            .args(["--exact", "--test-threads=1", "--include-ignored", "-q"])
            .args(&names)
            .env("DETSIM_LIST", &file)
            .stdout(Stdio::null())
            .output()
            .map_err(|e| CliError::new(format!("cannot run {}: {e}", b.exe.display())))?;
        pass_on(&out.stderr);
        let status = out.status;
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        if text.is_empty() {
            // Killed by the user's Ctrl-C: the clean-up ends the process.
            crate::scratch::wait_if_interrupted();
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

    fn os(names: &[&str]) -> impl Iterator<Item = std::ffi::OsString> {
        names
            .iter()
            .map(std::ffi::OsString::from)
            .collect::<Vec<_>>()
            .into_iter()
    }

    #[test]
    fn the_variables_the_flags_replace_are_named_with_the_flag() {
        let set = ["PATH", "DETSIM_SEED", "DETSIM_TIME_LIMIT", "DETSIM_MY_OWN"];
        assert_eq!(
            ignored_env_in("sweep", false, os(&set)).as_deref(),
            Some(
                "cargo detsim sweep ignores DETSIM_SEED (use --seeds, or replay --seed) from the \
             environment"
            )
        );
        assert_eq!(
            ignored_env_in("replay", true, os(&set)).as_deref(),
            Some(
                "cargo detsim replay ignores DETSIM_SEED (use --seeds, or replay --seed) and \
                 DETSIM_TIME_LIMIT (the artifact's recorded setting holds) from the environment"
            )
        );
        let trace = ["DETSIM_TRACE", "DETSIM_SCHEDULER"];
        // `replay --seed` and `sweep` run with DETSIM_SCHEDULER (see
        // scheduler.rs).
        assert_eq!(
            ignored_env_in("replay", false, os(&trace)).as_deref(),
            Some(
                "cargo detsim replay ignores DETSIM_TRACE (use --log or --trace) from the environment"
            )
        );
        assert_eq!(
            ignored_env_in("replay", true, os(&trace)).as_deref(),
            Some(
                "cargo detsim replay ignores DETSIM_SCHEDULER (the artifact's recorded scheduler \
                 holds) and DETSIM_TRACE (use --log or --trace) from the environment"
            )
        );
        assert_eq!(
            ignored_env_in("sweep", false, os(&["DETSIM_SCHEDULER"])),
            None
        );
        assert_eq!(
            ignored_env_in("sweep", false, os(&trace)).as_deref(),
            Some(
                "cargo detsim sweep ignores DETSIM_TRACE (use replay --log or --trace) from the \
                 environment"
            )
        );
        assert_eq!(
            ignored_env_in("shrink", true, os(&["DETSIM_SCHEDULER"])).as_deref(),
            Some(
                "cargo detsim shrink ignores DETSIM_SCHEDULER (the artifact's recorded scheduler \
                 holds) from the environment"
            )
        );
        // Passed on, or not the harness's: nothing to say.
        let passed = [
            "DETSIM_TIME_LIMIT",
            "DETSIM_CHECK_DETERMINISM",
            "DETSIM_MY_OWN",
        ];
        assert_eq!(ignored_env_in("sweep", false, os(&passed)), None);
    }

    #[test]
    fn settings_pass_on_as_shell_words() {
        let env = |name: &str| match name {
            "DETSIM_TIME_LIMIT" => Some("1 m".into()),
            "DETSIM_CHECK_DETERMINISM" => Some(" ".into()),
            _ => None,
        };
        assert_eq!(passed_on_in(env), ["DETSIM_TIME_LIMIT='1 m'"]);
        assert!(check_env_in(env).is_ok());
        let bad = |name: &str| (name == "DETSIM_TRACE_LIMIT").then(|| "0".into());
        let e = check_env_in(bad).unwrap_err().to_string();
        assert!(
            e.starts_with("DETSIM_TRACE_LIMIT=\"0\" is not valid"),
            "{e}"
        );
        let bad = |name: &str| (name == "DETSIM_SLOW_RUN").then(|| "soon".into());
        let e = check_env_in(bad).unwrap_err().to_string();
        assert!(
            e.starts_with("DETSIM_SLOW_RUN=\"soon\" is not valid"),
            "{e}"
        );
    }

    #[test]
    fn a_missing_target_is_said_with_the_targets_there_are() {
        let first = "error: no test target named `nosuch` in default-run packages";
        assert_eq!(missing_target(first), Some(("test", "nosuch")));
        assert!(setup_mistake(first).is_some());
        let held = vec![first.to_owned()];
        assert!(continues(&held, "help: available test targets:"));
        assert!(continues(&held, "    planted"));
        assert!(!continues(&held, "   Compiling x v0.1.0"));
        assert!(!continues(
            &["error: could not find `Cargo.toml`".to_owned()],
            "    x"
        ));
        let help = ["help: available test targets:", "    live", "    planted"].map(String::from);
        assert_eq!(
            target_fix("test", &help),
            "give --test one of the test targets there are (live, planted), or leave --test out \
             to build them all"
        );
        assert_eq!(
            target_fix("bin", &[]),
            "check the name given to --bin (cargo lists no bin targets)"
        );
    }

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
