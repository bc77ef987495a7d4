//! The commands a replay or a shrink suggests when an artifact's failure
//! does not come back: each runs what its text says, built as the
//! artifact's test was (its feature flags and cargo profile).

use std::path::Path;

use super::spec::TestSpec;
use super::{Artifact, profile, target};

/// How many seeds, from the recorded one, the sweep suggested after a
/// replay that passes runs (as `cargo detsim replay` suggests).
pub(crate) const SWEEP_AGAIN: u64 = 1000;

/// The cargo commands that run an artifact's test again.
pub(crate) struct Rerun<'a> {
    art: &'a Artifact,
    /// `cargo test -p ... -- <test> --exact`, with the recorded profile.
    test: String,
}

impl<'a> Rerun<'a> {
    pub(crate) fn new(spec: &TestSpec, art: &'a Artifact) -> Rerun<'a> {
        let test = target::cargo_test(
            spec.package,
            &target::target_of(spec),
            &target::cargo_features(spec),
            recorded_profile(art),
            spec.test_name(),
        );
        Rerun { art, test }
    }

    /// Runs the recorded seed alone (for a shrunk artifact, the run
    /// before shrinking), with the recorded scheduler and limits
    /// ([`Artifact::rerun_env`]), writing a fresh artifact if it fails.
    pub(crate) fn seed(&self) -> String {
        format!(
            "DETSIM_SEED={:#x} {}{}",
            self.art.seed(),
            self.art.rerun_env(),
            self.test
        )
    }

    /// Sweeps [`SWEEP_AGAIN`] seeds from the recorded one.
    pub(crate) fn sweep(&self) -> String {
        format!(
            "DETSIM_SEED={:#x} DETSIM_SEEDS={SWEEP_AGAIN} {}{}",
            self.art.seed(),
            self.art.rerun_env(),
            self.test
        )
    }

    /// Replays the artifact at `path`.
    pub(crate) fn replay(&self, path: &Path) -> String {
        format!(
            "DETSIM_REPLAY={} {}",
            target::shell_word(&path.to_string_lossy()),
            self.test
        )
    }
}

/// The profile the artifact's test was built with; for an artifact
/// written before detsim recorded it, this build's.
pub(crate) fn recorded_profile(art: &Artifact) -> &str {
    art.profile().unwrap_or(profile::current())
}

/// When the artifact recorded another cargo profile than this build's:
/// the line that says so, with the command that replays it in its own
/// (a debug build's failure often does not come back in a release build,
/// and the other way round).
pub(crate) fn profile_note(rerun: &Rerun<'_>, path: &Path) -> Option<String> {
    let recorded = rerun.art.profile()?;
    let now = profile::current();
    (recorded != now).then(|| {
        format!(
            "The artifact was recorded by {}, and this is {}: replay it with the same \
             profile: {}",
            profile::describe(recorded),
            profile::describe(now),
            rerun.replay(path)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Scheduler, Sim};

    #[test]
    fn the_seed_commands_run_the_recorded_scheduler() {
        let spec = TestSpec {
            path: "pct_bugs::lost_update",
            file: "tests/pct_bugs.rs",
            package: "app",
            crate_name: "pct_bugs",
            bin_name: None,
            target_tmpdir: Some("/w/target/tmp"),
            manifest_dir: env!("CARGO_MANIFEST_DIR"),
            features: crate::harness::CompiledFeatures::UNKNOWN,
        };
        let mut sim = Sim::builder()
            .seed(9)
            .scheduler(Scheduler::Pct { depth: 3 })
            .build();
        let f = sim.run(async { panic!("x") }).unwrap_err();
        let art = Artifact::example(&f);
        let rerun = Rerun::new(&spec, &art);
        let env = "DETSIM_SCHEDULER=pct:3 ";
        assert!(
            rerun
                .seed()
                .starts_with(&format!("DETSIM_SEED=0x9 {env}cargo test")),
            "{}",
            rerun.seed()
        );
        assert!(
            rerun.sweep().starts_with(&format!(
                "DETSIM_SEED=0x9 DETSIM_SEEDS=1000 {env}cargo test"
            )),
            "{}",
            rerun.sweep()
        );
    }
}
