//! Replay artifacts: the versioned JSON a failing `#[sim_test]` writes, with
//! everything needed to run the failing schedule again.
//!
//! This file holds the artifact itself (what it records, how it is made
//! from a failure, what it tells and the builder that replays it);
//! `json.rs` reads, validates and writes it, and `error.rs` says why a
//! file cannot be used.

mod error;
mod json;

pub use error::ArtifactError;

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::profile;
use crate::{Builder, Failure, Fingerprint, Scheduler, Tape};

/// What the `format` field of every artifact says.
const FORMAT: &str = "detsim-failure";
/// The artifact format this detsim writes and reads.
pub const ARTIFACT_VERSION: u32 = 1;

/// A failing run, recorded for replay: the test, its package and target,
/// the cargo feature flags and profile it was built with, the seed, the
/// scheduler and limits, the tape of draws, the fingerprint and the
/// failure's message.
///
/// Written by `#[sim_test]` under `<target dir>/detsim/failures/`; read by
/// `DETSIM_REPLAY=<file>` and `cargo detsim replay <file>`.
///
/// The feature flags (`"cargo_features": ["--features", "x"]`, absent
/// when there are none), the profile (`"profile": "release"`) and the mark
/// of a shrunk run (`"shrunk": true`, absent otherwise) are optional
/// fields, so artifacts of format version 1 written before them load as
/// they are.
///
/// ```
/// use detsim::harness::Artifact;
/// let json = r#"{"format":"detsim-failure","version":1}"#;
/// let err = Artifact::from_json(json).unwrap_err();
/// assert!(err.is_corrupt());
/// assert!(err.to_string().contains("missing field"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Artifact {
    format: String,
    version: u32,
    detsim_version: String,
    pub(crate) test: String,
    pub(crate) module_path: String,
    pub(crate) package: String,
    pub(crate) target: Target,
    /// `cargo detsim ... --features x`'s flags, as cargo's arguments.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    cargo_features: Vec<String>,
    /// The cargo profile the test binary was built with (`dev`,
    /// `release` or a custom profile's name; see `profile.rs`); absent
    /// in artifacts written before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    profile: Option<String>,
    pub(crate) seed: u64,
    seed_hex: String,
    pub(crate) config: Config,
    pub(crate) failure: Recorded,
    /// Whether the tape is a shrunk run's ([`Artifact::shrunk`]): then
    /// only the tape replays it, not the seed.
    #[serde(default, skip_serializing_if = "is_false")]
    shrunk: bool,
    tape: Vec<u64>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// The cargo target a test lives in, as `cargo test` selects it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Target {
    /// `lib`, `test`, `example`, `bin` or `bench`.
    pub(crate) kind: String,
    pub(crate) name: String,
}

/// The simulation settings of the failing run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Config {
    /// `random`, `fifo` or `pct`.
    pub(crate) scheduler: String,
    pub(crate) pct_depth: Option<u32>,
    pub(crate) pct_steps: u64,
    pub(crate) time_limit_ns: Option<u64>,
    pub(crate) max_steps: Option<u64>,
    pub(crate) strict: bool,
    pub(crate) check_determinism: bool,
}

/// What went wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Recorded {
    pub(crate) kind: String,
    pub(crate) headline: String,
    pub(crate) message: String,
    pub(crate) task: Option<String>,
    pub(crate) location: Option<String>,
    pub(crate) virtual_time_ns: u64,
    pub(crate) steps: u64,
    pub(crate) fingerprint: String,
}

impl Recorded {
    fn of(failure: &Failure) -> Recorded {
        Recorded {
            kind: failure.kind().to_string(),
            headline: failure.headline().into(),
            message: failure.message().into(),
            task: failure.task().map(ToString::to_string),
            location: failure.location().map(Into::into),
            virtual_time_ns: failure.time().as_nanos(),
            steps: failure.steps(),
            fingerprint: failure.fingerprint().to_string(),
        }
    }
}

impl Config {
    pub(crate) fn of(builder: &Builder, check_determinism: bool) -> Config {
        // The scheduler the run used: a portfolio's pick for the seed
        // (`for_seed` never returns `Portfolio` itself).
        let (scheduler, pct_depth) = match builder.scheduler.for_seed(builder.seed) {
            Scheduler::Random | Scheduler::Portfolio => ("random", None),
            Scheduler::Fifo => ("fifo", None),
            Scheduler::Pct { depth } => ("pct", Some(depth)),
        };
        Config {
            scheduler: scheduler.into(),
            pct_depth,
            pct_steps: builder.pct_steps,
            time_limit_ns: builder.time_limit.map(crate::latency::nanos),
            max_steps: builder.max_steps,
            strict: builder.strict,
            check_determinism,
        }
    }
}

impl Artifact {
    pub(crate) fn new(
        test: &str,
        module_path: &str,
        package: &str,
        target: Target,
        config: Config,
        failure: &Failure,
    ) -> Artifact {
        Artifact {
            format: FORMAT.into(),
            version: ARTIFACT_VERSION,
            detsim_version: env!("CARGO_PKG_VERSION").into(),
            test: test.into(),
            module_path: module_path.into(),
            package: package.into(),
            target,
            cargo_features: Vec::new(),
            profile: Some(profile::current().to_owned()),
            seed: failure.seed(),
            seed_hex: format!("{:#x}", failure.seed()),
            config,
            failure: Recorded::of(failure),
            shrunk: false,
            tape: failure.tape().as_slice().to_vec(),
        }
    }

    /// This artifact, recording that its test was built with the cargo
    /// feature flags `features` (cargo's arguments: `["--features",
    /// "x"]`).
    pub(crate) fn built_with(mut self, features: &[String]) -> Artifact {
        self.cargo_features = features.to_vec();
        self
    }

    /// This artifact with the shrunk run in place of the original one:
    /// its tape (every draw the shrunk run consumed, so the artifact
    /// replays exactly), fingerprint, message, time and steps, marked as
    /// shrunk ([`is_shrunk`](Self::is_shrunk)). The test, seed and
    /// settings stay; the seed alone reruns the run before shrinking.
    ///
    /// ```
    /// use detsim::{Sim, harness::Artifact, shrink};
    /// let test = || async {
    ///     let n = detsim::rand::gen_range(0..100u32);
    ///     detsim::yield_now().await;
    ///     assert!(n < 90, "too big");
    /// };
    /// let failure = (0..100)
    ///     .find_map(|s| Sim::builder().seed(s).build().run(test()).err())
    ///     .unwrap();
    /// let original = Artifact::example(&failure);
    /// let shrunk = shrink::shrink(&failure, |t| original.builder().tape(t).build().run(test()))
    ///     .unwrap();
    /// let artifact = original.shrunk(&shrunk);
    /// assert_eq!(artifact.tape(), *shrunk.tape());
    /// assert!(artifact.is_shrunk() && !original.is_shrunk());
    /// // Replaying the shrunk artifact gives the shrunk run, draw for draw.
    /// let again = artifact.builder().build().run(test()).unwrap_err();
    /// assert_eq!(artifact.fingerprint(), Some(again.fingerprint()));
    /// ```
    pub fn shrunk(&self, shrunk: &crate::shrink::Shrunk) -> Artifact {
        let mut a = self.clone();
        a.failure = Recorded::of(shrunk.failure());
        a.tape = shrunk.tape().as_slice().to_vec();
        a.shrunk = true;
        a
    }

    /// An artifact for a failure outside any test (for examples and tests
    /// of this type).
    #[doc(hidden)]
    pub fn example(failure: &Failure) -> Artifact {
        let builder = Builder::new()
            .seed(failure.seed())
            .scheduler(failure.scheduler());
        let config = Config::of(&builder, false);
        let target = Target {
            kind: "test".into(),
            name: "example".into(),
        };
        Artifact::new(
            "example",
            "example::example",
            "example",
            target,
            config,
            failure,
        )
    }

    /// The libtest name of the failing test (`tests::it_works`).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # let f = sim.run(async { panic!("x") }).unwrap_err();
    /// let a = detsim::harness::Artifact::example(&f);
    /// assert_eq!(a.test(), "example");
    /// ```
    pub fn test(&self) -> &str {
        &self.test
    }

    /// The package the test belongs to.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # let f = sim.run(async { panic!("x") }).unwrap_err();
    /// # let a = detsim::harness::Artifact::example(&f);
    /// assert_eq!(a.package(), "example");
    /// ```
    pub fn package(&self) -> &str {
        &self.package
    }

    /// The cargo target the test lives in, as its kind (`lib`, `test`,
    /// `example`, `bin` or `bench`) and name: what `cargo detsim replay`
    /// builds.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # let f = sim.run(async { panic!("x") }).unwrap_err();
    /// let a = detsim::harness::Artifact::example(&f);
    /// assert_eq!(a.cargo_target(), ("test", "example"));
    /// ```
    pub fn cargo_target(&self) -> (&str, &str) {
        (&self.target.kind, &self.target.name)
    }

    /// The cargo feature flags the test was built with, as cargo's
    /// arguments (`["--features", "x"]`): those `cargo detsim sweep
    /// --features x` gave it. `cargo detsim replay` builds with them.
    /// Empty when there were none (or the test ran under plain `cargo
    /// test`, which does not tell the test its features).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # let f = sim.run(async { panic!("x") }).unwrap_err();
    /// let a = detsim::harness::Artifact::example(&f);
    /// assert!(a.cargo_features().is_empty());
    /// let json = a.to_json().replace(
    ///     "\"seed\":",
    ///     "\"cargo_features\": [\"--features\", \"x y\"],\n  \"seed\":",
    /// );
    /// let b = detsim::harness::Artifact::from_json(&json).unwrap();
    /// assert_eq!(b.cargo_features(), ["--features", "x y"]);
    /// ```
    pub fn cargo_features(&self) -> &[String] {
        &self.cargo_features
    }

    /// The cargo profile the failing test was built with: `dev` (a plain
    /// `cargo test`), `release` (`--release`) or a custom profile's name
    /// (`--profile NAME`), read from the directory cargo built the test
    /// binary into (`target/debug`, `target/release`, ...), or from
    /// `cfg!(debug_assertions)` for a binary outside cargo's layout.
    /// `None` for an artifact written before detsim recorded it. The
    /// commands a failure prints, and `cargo detsim replay`, build with it.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # let f = sim.run(async { panic!("x") }).unwrap_err();
    /// let a = detsim::harness::Artifact::example(&f);
    /// assert_eq!(a.profile(), Some(if cfg!(debug_assertions) { "dev" } else { "release" }));
    /// ```
    pub fn profile(&self) -> Option<&str> {
        self.profile.as_deref()
    }

    /// Whether this is a shrunk run ([`shrunk`](Self::shrunk)): only its
    /// tape replays it (`DETSIM_REPLAY`), as its seed reruns the original.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # let f = sim.run(async { panic!("x") }).unwrap_err();
    /// assert!(!detsim::harness::Artifact::example(&f).is_shrunk());
    /// ```
    pub fn is_shrunk(&self) -> bool {
        self.shrunk
    }

    /// The number of draws on the tape (what shrinking makes smaller).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # let f = sim.run(async { panic!("x") }).unwrap_err();
    /// let a = detsim::harness::Artifact::example(&f);
    /// assert_eq!(a.tape_len(), f.tape().as_slice().len());
    /// ```
    pub fn tape_len(&self) -> usize {
        self.tape.len()
    }

    /// The seed of the failing run.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().seed(12).build();
    /// # let f = sim.run(async { panic!("x") }).unwrap_err();
    /// let a = detsim::harness::Artifact::example(&f);
    /// assert_eq!(a.seed(), 12);
    /// ```
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The failure's kind as the report names it (`panic`, `deadlock`, ...).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # let f = sim.run(async { panic!("x") }).unwrap_err();
    /// let a = detsim::harness::Artifact::example(&f);
    /// assert_eq!(a.kind(), "panic");
    /// ```
    pub fn kind(&self) -> &str {
        &self.failure.kind
    }

    /// The failure's message (a panic's payload, or the headline).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # let f = sim.run(async { panic!("x") }).unwrap_err();
    /// let a = detsim::harness::Artifact::example(&f);
    /// assert_eq!(a.message(), "x");
    /// ```
    pub fn message(&self) -> &str {
        &self.failure.message
    }

    /// The fingerprint of the failing run; a replay must match it.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # let f = sim.run(async { panic!("x") }).unwrap_err();
    /// let a = detsim::harness::Artifact::example(&f);
    /// assert_eq!(a.fingerprint(), Some(f.fingerprint()));
    /// ```
    pub fn fingerprint(&self) -> Option<Fingerprint> {
        let hex = self.failure.fingerprint.strip_prefix("0x")?;
        u64::from_str_radix(hex, 16).ok().map(Fingerprint::from_u64)
    }

    /// The recorded draws.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # let f = sim.run(async { panic!("x") }).unwrap_err();
    /// let a = detsim::harness::Artifact::example(&f);
    /// assert_eq!(&a.tape(), f.tape());
    /// ```
    pub fn tape(&self) -> Tape {
        Tape::new(self.tape.clone())
    }

    /// Whether the failing run checked determinism (ran each seed twice).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # let f = sim.run(async { panic!("x") }).unwrap_err();
    /// assert!(!detsim::harness::Artifact::example(&f).checks_determinism());
    /// ```
    pub fn checks_determinism(&self) -> bool {
        self.config.check_determinism
    }

    /// The scheduler the failing run used (for a portfolio sweep, the
    /// seed's own pick).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().seed(6).scheduler(detsim::Scheduler::Portfolio).build();
    /// # let f = sim.run(async { panic!("x") }).unwrap_err();
    /// let a = detsim::harness::Artifact::example(&f);
    /// assert_eq!(a.scheduler(), f.scheduler());
    /// ```
    pub fn scheduler(&self) -> Scheduler {
        self.recorded_scheduler().unwrap_or_default()
    }

    /// The `DETSIM_*` settings, as `NAME=value ` words (each followed by a
    /// space), that a `DETSIM_SEED` run of the test needs to run as the
    /// recorded one did: the scheduler when it was not Random, the time
    /// limit when it was not the default (or none), and the determinism check when
    /// it was on. Empty for a run with the defaults. (They may repeat what
    /// the test's attribute says; the variables win, so that is harmless.)
    ///
    /// ```
    /// # use detsim::{Scheduler, Sim};
    /// let mut sim = Sim::builder().seed(6).scheduler(Scheduler::Pct { depth: 2 }).build();
    /// let f = sim.run(async { panic!("x") }).unwrap_err();
    /// let a = detsim::harness::Artifact::example(&f);
    /// assert_eq!(a.rerun_env(), "DETSIM_SCHEDULER=pct:2 ");
    /// ```
    pub fn rerun_env(&self) -> String {
        self.rerun_vars()
            .iter()
            .map(|(name, value)| format!("{name}={value} "))
            .collect()
    }

    /// [`Artifact::rerun_env`] as `(name, value)` pairs.
    pub(crate) fn rerun_vars(&self) -> Vec<(&'static str, String)> {
        let mut vars = Vec::new();
        match self.scheduler() {
            Scheduler::Random => {}
            Scheduler::Pct { depth } => vars.push(("DETSIM_SCHEDULER", format!("pct:{depth}"))),
            other => vars.push(("DETSIM_SCHEDULER", other.to_string())),
        }
        let default = crate::DEFAULT_TIME_LIMIT.as_nanos() as u64;
        // No limit can only come from the test's own attribute (the
        // variable cannot lift it), which the rerun reads again.
        if let Some(ns) = self.config.time_limit_ns.filter(|&ns| ns != default) {
            let limit = Duration::from_nanos(ns);
            vars.push(("DETSIM_TIME_LIMIT", super::format_duration(limit)));
        }
        if self.config.check_determinism {
            vars.push(("DETSIM_CHECK_DETERMINISM", "1".to_owned()));
        }
        vars
    }

    /// The PCT step estimate `k` of the failing run's settings.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # let f = sim.run(async { panic!("x") }).unwrap_err();
    /// let a = detsim::harness::Artifact::example(&f);
    /// assert_eq!(a.pct_steps(), detsim::DEFAULT_PCT_STEPS);
    /// ```
    pub fn pct_steps(&self) -> u64 {
        self.config.pct_steps
    }

    fn recorded_scheduler(&self) -> Option<Scheduler> {
        match (self.config.scheduler.as_str(), self.config.pct_depth) {
            ("random", None) => Some(Scheduler::Random),
            ("fifo", None) => Some(Scheduler::Fifo),
            ("pct", Some(depth)) => Some(Scheduler::Pct { depth }),
            _ => None,
        }
    }

    /// A builder with the failing run's seed, scheduler, limits and tape:
    /// building it and running the test again replays the failure.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().seed(4).build();
    /// # let f = sim.run(async { panic!("x") }).unwrap_err();
    /// let a = detsim::harness::Artifact::example(&f);
    /// let mut again = a.builder().build();
    /// let g = again.run(async { panic!("x") }).unwrap_err();
    /// assert_eq!(g.fingerprint(), f.fingerprint());
    /// ```
    pub fn builder(&self) -> Builder {
        let c = &self.config;
        let mut b = Builder::new()
            .seed(self.seed)
            .scheduler(self.scheduler())
            .strict(c.strict)
            .tape(self.tape());
        b.pct_steps = c.pct_steps;
        b.time_limit = c.time_limit_ns.map(Duration::from_nanos);
        b.max_steps = c.max_steps;
        b
    }
}
