//! `cargo detsim shrink`: runs the artifact's test with `DETSIM_SHRINK`,
//! so the test binary shrinks the failing run in-process (the shrinker
//! replays ever simpler tapes and keeps those that fail the same way) and
//! writes `<artifact stem>.shrunk.json` beside it (the file its
//! `DETSIM_REPORT` names); then replays the shrunk
//! artifact once, showing what the test prints in that run as it prints
//! it (not what it prints in each of the shrinker's attempts), and prints
//! the sizes before and after. Both runs build with the artifact's
//! recorded cargo feature flags and profile unless the command line gives
//! its own (see `replay::build_for`). A shrunk artifact of an earlier
//! shrink stays until the test has written the new one (the harness
//! replaces it in one step, and says so in its `DETSIM_REPORT`), so a
//! shrink that fails loses nothing. Exit status 0 when a shrunk artifact
//! was written.

use std::path::{Path, PathBuf};

use serde_json::Value;
use sim_core::harness::{Artifact, quote_failure, shell_word};

use crate::args::Build;
use crate::discover;
use crate::error::{CliError, Outcome};
use crate::out::{self, say, tell};
use crate::replay::{binary_for, build_flags, build_for, read_artifact};
use crate::run_one::{self, Show};
use crate::scratch::Scratch;

pub(crate) fn run(path: &Path, build: &Build) -> Result<Outcome, CliError> {
    let (abs, art) = read_artifact(path)?;
    let build = &build_for(&abs, &art, build)?;
    let binary = binary_for(&art, build)?;
    let scratch = Scratch::new()?;
    let report = scratch.path("shrink.jsonl");
    let mut cmd = binary.command();
    cmd.args([art.test(), "--exact", "--nocapture", "--include-ignored"])
        .env("DETSIM_SHRINK", &abs)
        .env("DETSIM_REPORT", &report);
    discover::with_features(&mut cmd, &build.feature_flags());
    // Every attempt of the shrinker runs the test, which prints each
    // time: that output stays in the scratch file unless the shrink fails.
    let output = run_one::run(
        cmd,
        &scratch.path("shrink.out"),
        &binary,
        art.test(),
        Show::Later,
    )?
    .output;
    // The harness says when it wrote the shrunk artifact, and where (it
    // names the file); a file there without that line is an earlier
    // shrink's.
    let wrote = std::fs::read_to_string(&report)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|v| v["event"] == "shrunk")
        .and_then(|v| v["artifact"].as_str().map(PathBuf::from));
    let Some(out_path) = wrote else {
        return Err(failed(&output, &abs));
    };
    let shrunk = Artifact::read(&out_path).map_err(|e| CliError::new(e.to_string()))?;
    // The shrinker's summary line, then the shrunk run replayed: what the
    // test prints in it, in order, and the harness's report of it.
    let headline = format!("detsim: {} shrunk in ", abs.display());
    if let Some(line) = output.lines().find(|l| l.starts_with(&headline)) {
        tell!("{line}");
    }
    let mut cmd = binary.command();
    cmd.args([art.test(), "--exact", "--nocapture", "--include-ignored"])
        .env("DETSIM_REPLAY", &out_path);
    discover::with_features(&mut cmd, &build.feature_flags());
    run_one::run(
        cmd,
        &scratch.path("shrunk.out"),
        &binary,
        art.test(),
        Show::Live,
    )?;
    let nonzero = |a: &Artifact| a.tape().as_slice().iter().filter(|&&d| d != 0).count();
    say!(
        "shrunk {}:\n  before: {} draws, {} non-zero ({})\n  after:  {} draws, {} non-zero \
         ({})\n  written: {}\n  replay: cargo detsim replay {}{}",
        abs.display(),
        art.tape_len(),
        nonzero(&art),
        quote_failure(art.kind(), art.message()),
        shrunk.tape_len(),
        nonzero(&shrunk),
        quote_failure(shrunk.kind(), shrunk.message()),
        out_path.display(),
        shell_word(&out_path.to_string_lossy()),
        build_flags(build),
    );
    Ok(Outcome::Passed)
}

/// The error of a shrink that wrote no shrunk artifact. The test's
/// output (what it printed in the shrinker's attempts) is shown first,
/// but for the harness's `detsim:` line that says why: that line is the
/// error (`error: cannot shrink ...`), so it is said once.
fn failed(output: &str, abs: &Path) -> CliError {
    let Some(at) = output.lines().position(|l| l.starts_with("detsim:")) else {
        out::tell_text(format_args!("{output}"));
        return CliError::new(format!(
            "cannot shrink {}: the test wrote no shrunk artifact (its output is above)",
            abs.display()
        ));
    };
    let mut why = "";
    for (i, line) in output.lines().enumerate() {
        if i == at {
            why = line.strip_prefix("detsim: ").unwrap_or(line);
        } else {
            tell!("{line}");
        }
    }
    CliError::new(if why.starts_with("cannot shrink") {
        why.to_owned()
    } else {
        format!("cannot shrink {}: {why}", abs.display())
    })
}
