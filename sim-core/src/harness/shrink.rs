//! `DETSIM_SHRINK=<artifact>`: shrinks a failing `#[sim_test]` run
//! recorded in an artifact and writes the shrunk run beside it.
//!
//! The test replays the artifact (its seed, scheduler, PCT steps, limits
//! and tape), the [shrinker](crate::shrink) searches for the simplest tape
//! that fails the same way, and `<artifact stem>.shrunk.json` receives it:
//! an artifact like any other, which `DETSIM_REPLAY` replays exactly
//! (marked as shrunk: its seed alone reruns the run before shrinking, so
//! its reports print no `DETSIM_SEED` command). The file is replaced in
//! one step once the shrink succeeded: a shrink that fails leaves the
//! previous one in place. The test then fails with the shrunk failure's
//! report, so the command that shrinks is also the one that shows the
//! result; with `DETSIM_REPORT` set, a `shrink` line also names the file
//! written (for `cargo detsim shrink`).

use std::path::{Path, PathBuf};

use super::spec::{TestOutput, TestSpec};
use super::{Artifact, env, fail, is_for, protocol, report, rerun, run_seed, target};
use crate::shrink::Shrinker;

/// Where the shrunk artifact of `path` goes: `x.json` → `x.shrunk.json`;
/// shrinking `x.shrunk.json` again writes over it (not
/// `x.shrunk.shrunk.json`).
pub(crate) fn shrunk_path(path: &Path) -> PathBuf {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = stem.strip_suffix(".shrunk").unwrap_or(&stem);
    path.with_file_name(format!("{stem}.shrunk.json"))
}

pub(crate) fn shrink<F, Fut>(
    spec: &TestSpec,
    path: &Path,
    test: F,
    here: &'static std::panic::Location<'static>,
) where
    F: Fn() -> Fut + Copy,
    Fut: std::future::Future,
    Fut::Output: TestOutput,
{
    let art = match Artifact::read(path) {
        Ok(a) => a,
        Err(e) => fail(e.to_string()),
    };
    if !is_for(spec, &art, "DETSIM_SHRINK", path) {
        return;
    }
    let builder = || {
        let mut b = art.builder();
        b.main_at = Some(here);
        b
    };
    let rerun = rerun::Rerun::new(spec, &art);
    let failure = match run_seed(builder(), false, test) {
        Err(f) => f,
        Ok(()) => fail(format!(
            "detsim: cannot shrink {}: replayed, it passed (it recorded {} with seed {:#x}), \
             so the code or the build changed since the artifact was written{}; to look for \
             the bug again, sweep {} seeds from the recorded one: {}",
            path.display(),
            super::quote_failure(art.kind(), art.message()),
            art.seed(),
            rerun::profile_note(&rerun, path)
                .map(|n| format!(" ({n})"))
                .unwrap_or_default(),
            rerun::SWEEP_AGAIN,
            rerun.sweep(),
        )),
    };
    let shrunk = match Shrinker::new()
        .shrink(&failure, |tape| run_seed(builder().tape(tape), false, test))
    {
        Ok(s) => s,
        Err(e) => fail(e.to_string()),
    };
    let out = shrunk_path(path);
    let written = art.shrunk(&shrunk).write(&out).map_err(|e| e.to_string());
    if let (Ok(overrides), Ok(())) = (env::overrides(), &written) {
        if let Some(report) = &overrides.report {
            protocol::shrunk(report, &out);
        }
    }
    let target = target::target_of(spec);
    let text = report::render(
        shrunk.failure(),
        &report::Context {
            test: spec.test_name(),
            package: spec.package,
            target: &target,
            artifact: written
                .as_ref()
                .map(|()| out.as_path())
                .map_err(Clone::clone),
            extra_env: &[],
            features: &target::cargo_features(spec),
            profile: rerun::recorded_profile(&art),
            // The seed reruns the run before shrinking: only the shrunk
            // artifact replays this one.
            seed_replays: false,
            time_limit: art
                .builder()
                .time_limit
                .map(|limit| (limit, report::LimitFrom::Recorded)),
        },
    );
    fail(format!("detsim: {} {shrunk}\n{text}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shrunk_artifact_sits_beside_the_original() {
        assert_eq!(
            shrunk_path(Path::new("/t/detsim/failures/test-x.t.seed-0x2a.json")),
            Path::new("/t/detsim/failures/test-x.t.seed-0x2a.shrunk.json")
        );
        // Shrinking the shrunk artifact again writes over it.
        assert_eq!(
            shrunk_path(Path::new("/t/test-x.t.seed-0x2a.release.shrunk.json")),
            Path::new("/t/test-x.t.seed-0x2a.release.shrunk.json")
        );
    }
}
