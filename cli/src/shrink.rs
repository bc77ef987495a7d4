//! `cargo detsim shrink`: runs the artifact's test with `DETSIM_SHRINK`,
//! so the test binary shrinks the failing run in-process (the shrinker
//! replays ever simpler tapes and keeps those that fail the same way) and
//! writes `<artifact stem>.shrunk.json` beside it; then replays the shrunk
//! artifact once, showing what the test prints in that run as it prints
//! it (not what it prints in each of the shrinker's attempts), and prints
//! the sizes before and after. Both runs build with the artifact's
//! recorded cargo feature flags and profile unless the command line gives
//! its own (see `replay::build_for`).
//! Exit status 0 when a shrunk artifact was written.

use std::path::Path;

use sim_core::harness::{Artifact, shell_word};

use crate::args::Build;
use crate::discover;
use crate::error::{CliError, Outcome};
use crate::replay::{binary_for, build_flags, build_for, read_artifact};
use crate::run_one::{self, Show};
use crate::scratch::Scratch;

pub(crate) fn run(path: &Path, build: &Build) -> Result<Outcome, CliError> {
    let (abs, art) = read_artifact(path)?;
    let stem = abs
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let out_path = abs.with_file_name(format!("{stem}.shrunk.json"));
    let build = &build_for(&abs, &art, build)?;
    let binary = binary_for(&art, build)?;
    let _ = std::fs::remove_file(&out_path);
    let scratch = Scratch::new()?;
    let mut cmd = binary.command();
    cmd.args([art.test(), "--exact", "--nocapture", "--include-ignored"])
        .env("DETSIM_SHRINK", &abs);
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
    let shrunk = match Artifact::read(&out_path) {
        Ok(a) => a,
        Err(_) => {
            eprint!("{output}");
            let why = output
                .lines()
                .find(|l| l.starts_with("detsim:"))
                .unwrap_or("it wrote no shrunk artifact");
            let why = why.strip_prefix("detsim: ").unwrap_or(why);
            return Err(CliError::new(if why.starts_with("cannot shrink") {
                why.to_owned()
            } else {
                format!("cannot shrink {}: {why}", abs.display())
            }));
        }
    };
    // The shrinker's summary line, then the shrunk run replayed: what the
    // test prints in it, in order, and the harness's report of it.
    let headline = format!("detsim: {} shrunk in ", abs.display());
    if let Some(line) = output.lines().find(|l| l.starts_with(&headline)) {
        eprintln!("{line}");
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
    println!(
        "shrunk {}:\n  before: {} draws, {} non-zero ({} \"{}\")\n  after:  {} draws, {} \
         non-zero ({} \"{}\")\n  written: {}\n  replay: cargo detsim replay {}{}",
        abs.display(),
        art.tape_len(),
        nonzero(&art),
        art.kind(),
        first_line(art.message()),
        shrunk.tape_len(),
        nonzero(&shrunk),
        shrunk.kind(),
        first_line(shrunk.message()),
        out_path.display(),
        shell_word(&out_path.to_string_lossy()),
        build_flags(build),
    );
    Ok(Outcome::Passed)
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or_default()
}
