//! Replay artifacts: the versioned JSON a failing `#[sim_test]` writes, with
//! everything needed to run the failing schedule again.

use std::fmt;
use std::io;
use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::features;
use crate::{Builder, Failure, Fingerprint, Scheduler, Tape};

/// What the `format` field of every artifact says.
const FORMAT: &str = "detsim-failure";
/// The artifact format this detsim writes and reads.
pub const ARTIFACT_VERSION: u32 = 1;

/// A failing run, recorded for replay: the test, its package and target,
/// the cargo feature flags it was built with (if `cargo detsim` gave any),
/// the seed, the scheduler and limits, the tape of draws, the fingerprint
/// and the failure's message.
///
/// Written by `#[sim_test]` under `<target dir>/detsim/failures/`; read by
/// `DETSIM_REPLAY=<file>` and `cargo detsim replay <file>`.
///
/// The feature flags are an optional field (`"cargo_features":
/// ["--features", "x"]`, absent when there are none), so artifacts of
/// format version 1 without it load as they are.
///
/// ```
/// use sim_core::harness::Artifact;
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
    pub(crate) seed: u64,
    seed_hex: String,
    pub(crate) config: Config,
    pub(crate) failure: Recorded,
    tape: Vec<u64>,
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
            time_limit_ns: builder.time_limit.map(|d| d.as_nanos() as u64),
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
            seed: failure.seed(),
            seed_hex: format!("{:#x}", failure.seed()),
            config,
            failure: Recorded::of(failure),
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

    /// Parses an artifact, refusing anything that is not a complete
    /// artifact of this format version.
    ///
    /// ```
    /// let err = sim_core::harness::Artifact::from_json("{\"format\": \"detsim-fail").unwrap_err();
    /// assert!(err.is_truncated());
    /// ```
    pub fn from_json(json: &str) -> Result<Artifact, ArtifactError> {
        let value: serde_json::Value = serde_json::from_str(json).map_err(|e| {
            if e.is_eof() {
                ArtifactError::new(
                    Problem::Truncated,
                    format!("it ends early (line {}, column {})", e.line(), e.column()),
                )
            } else {
                ArtifactError::new(Problem::Corrupt, format!("it is not valid JSON ({e})"))
            }
        })?;
        match value.get("format").and_then(|f| f.as_str()) {
            Some(FORMAT) => {}
            _ => {
                return Err(ArtifactError::new(
                    Problem::Corrupt,
                    format!("it is not a detsim failure artifact (no \"format\": \"{FORMAT}\")"),
                ));
            }
        }
        match value.get("version").and_then(|v| v.as_u64()) {
            Some(v) if v == u64::from(ARTIFACT_VERSION) => {}
            Some(v) => {
                return Err(ArtifactError::new(
                    Problem::Version,
                    format!(
                        "it has format version {v}, and this detsim ({}) reads version \
                         {ARTIFACT_VERSION}",
                        env!("CARGO_PKG_VERSION")
                    ),
                ));
            }
            None => {
                return Err(ArtifactError::new(
                    Problem::Corrupt,
                    "it has no numeric \"version\" field".into(),
                ));
            }
        }
        let newer = value
            .get("detsim_version")
            .and_then(|v| v.as_str())
            .filter(|v| is_newer(v, env!("CARGO_PKG_VERSION")))
            .map(str::to_owned);
        let artifact: Artifact = serde_json::from_value(value).map_err(|e| match newer {
            // A field added in a later detsim (within one format version,
            // fields are only ever added): not damage.
            Some(writer) if e.to_string().starts_with("unknown field") => ArtifactError::new(
                Problem::Version,
                format!(
                    "it was written by detsim {writer}, newer than this detsim ({}), and has \
                     a field this one does not know ({e})",
                    env!("CARGO_PKG_VERSION")
                ),
            ),
            _ => ArtifactError::new(Problem::Corrupt, format!("it is damaged: {e}")),
        })?;
        artifact.validate()?;
        Ok(artifact)
    }

    /// Reads and parses an artifact file.
    ///
    /// ```
    /// let err = sim_core::harness::Artifact::read("no/such/file.json").unwrap_err();
    /// assert!(err.is_io());
    /// assert!(err.to_string().contains("no/such/file.json"));
    /// ```
    pub fn read(path: impl AsRef<Path>) -> Result<Artifact, ArtifactError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| {
            ArtifactError::new(Problem::Io, format!("it cannot be read ({e})")).at(path)
        })?;
        let text = String::from_utf8(bytes).map_err(|_| {
            ArtifactError::new(Problem::Corrupt, "it is not UTF-8 text".into()).at(path)
        })?;
        Artifact::from_json(&text).map_err(|e| e.at(path))
    }

    /// The artifact as pretty-printed JSON.
    ///
    /// ```
    /// # let mut sim = sim_core::Sim::builder().seed(5).build();
    /// # let failure = sim.run(async { panic!("boom") }).unwrap_err();
    /// # let artifact = sim_core::harness::Artifact::example(&failure);
    /// let json = artifact.to_json();
    /// assert_eq!(sim_core::harness::Artifact::from_json(&json).unwrap(), artifact);
    /// ```
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("an artifact is always JSON");
        s.push('\n');
        s
    }

    /// Writes the artifact to `path` (creating its directory), replacing
    /// the file in one step so a reader never sees half of it.
    ///
    /// ```no_run
    /// # let artifact: sim_core::harness::Artifact = unimplemented!();
    /// artifact.write("target/detsim/failures/x.json").unwrap();
    /// ```
    pub fn write(&self, path: impl AsRef<Path>) -> io::Result<()> {
        let path = path.as_ref();
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = path.with_extension(format!("json.tmp{}", std::process::id()));
        std::fs::write(&tmp, self.to_json())?;
        std::fs::rename(&tmp, path)
    }

    /// This artifact with the shrunk run in place of the original one:
    /// its tape (every draw the shrunk run consumed, so the artifact
    /// replays exactly), fingerprint, message, time and steps. The test,
    /// seed and settings stay.
    ///
    /// ```
    /// use sim_core::{Sim, harness::Artifact, shrink};
    /// let test = || async {
    ///     let n = sim_core::rand::gen_range(0..100u32);
    ///     sim_core::yield_now().await;
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
    /// // Replaying the shrunk artifact gives the shrunk run, draw for draw.
    /// let again = artifact.builder().build().run(test()).unwrap_err();
    /// assert_eq!(artifact.fingerprint(), Some(again.fingerprint()));
    /// ```
    pub fn shrunk(&self, shrunk: &crate::shrink::Shrunk) -> Artifact {
        let mut a = self.clone();
        a.failure = Recorded::of(shrunk.failure());
        a.tape = shrunk.tape().as_slice().to_vec();
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

    fn validate(&self) -> Result<(), ArtifactError> {
        let bad = |what: String| Err(ArtifactError::new(Problem::Corrupt, what));
        if self.fingerprint().is_none() {
            return bad(format!(
                "its fingerprint {:?} is not 0x-hex",
                self.failure.fingerprint
            ));
        }
        if self.recorded_scheduler().is_none() {
            return bad(format!(
                "its scheduler {:?} (depth {:?}) is not random, fifo or pct with a depth",
                self.config.scheduler, self.config.pct_depth
            ));
        }
        if self.seed_hex != format!("{:#x}", self.seed) {
            return bad(format!(
                "its seed {} and seed_hex {} disagree",
                self.seed, self.seed_hex
            ));
        }
        if let Err(why) = features::normalize(self.cargo_features.iter().map(String::as_str)) {
            return bad(format!(
                "its cargo_features {:?} are not cargo's feature flags: {why}",
                self.cargo_features
            ));
        }
        if self.builder().try_build().is_err() {
            return bad("its limits are impossible (a zero time or step limit)".into());
        }
        Ok(())
    }

    /// The libtest name of the failing test (`tests::it_works`).
    ///
    /// ```
    /// # let mut sim = sim_core::Sim::builder().build();
    /// # let f = sim.run(async { panic!("x") }).unwrap_err();
    /// let a = sim_core::harness::Artifact::example(&f);
    /// assert_eq!(a.test(), "example");
    /// ```
    pub fn test(&self) -> &str {
        &self.test
    }

    /// The package the test belongs to.
    ///
    /// ```
    /// # let mut sim = sim_core::Sim::builder().build();
    /// # let f = sim.run(async { panic!("x") }).unwrap_err();
    /// # let a = sim_core::harness::Artifact::example(&f);
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
    /// # let mut sim = sim_core::Sim::builder().build();
    /// # let f = sim.run(async { panic!("x") }).unwrap_err();
    /// let a = sim_core::harness::Artifact::example(&f);
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
    /// # let mut sim = sim_core::Sim::builder().build();
    /// # let f = sim.run(async { panic!("x") }).unwrap_err();
    /// let a = sim_core::harness::Artifact::example(&f);
    /// assert!(a.cargo_features().is_empty());
    /// let json = a.to_json().replace(
    ///     "\"seed\":",
    ///     "\"cargo_features\": [\"--features\", \"x y\"],\n  \"seed\":",
    /// );
    /// let b = sim_core::harness::Artifact::from_json(&json).unwrap();
    /// assert_eq!(b.cargo_features(), ["--features", "x y"]);
    /// ```
    pub fn cargo_features(&self) -> &[String] {
        &self.cargo_features
    }

    /// The number of draws on the tape (what shrinking makes smaller).
    ///
    /// ```
    /// # let mut sim = sim_core::Sim::builder().build();
    /// # let f = sim.run(async { panic!("x") }).unwrap_err();
    /// let a = sim_core::harness::Artifact::example(&f);
    /// assert_eq!(a.tape_len(), f.tape().as_slice().len());
    /// ```
    pub fn tape_len(&self) -> usize {
        self.tape.len()
    }

    /// The seed of the failing run.
    ///
    /// ```
    /// # let mut sim = sim_core::Sim::builder().seed(12).build();
    /// # let f = sim.run(async { panic!("x") }).unwrap_err();
    /// let a = sim_core::harness::Artifact::example(&f);
    /// assert_eq!(a.seed(), 12);
    /// ```
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The failure's kind as the report names it (`panic`, `deadlock`, ...).
    ///
    /// ```
    /// # let mut sim = sim_core::Sim::builder().build();
    /// # let f = sim.run(async { panic!("x") }).unwrap_err();
    /// let a = sim_core::harness::Artifact::example(&f);
    /// assert_eq!(a.kind(), "panic");
    /// ```
    pub fn kind(&self) -> &str {
        &self.failure.kind
    }

    /// The failure's message (a panic's payload, or the headline).
    ///
    /// ```
    /// # let mut sim = sim_core::Sim::builder().build();
    /// # let f = sim.run(async { panic!("x") }).unwrap_err();
    /// let a = sim_core::harness::Artifact::example(&f);
    /// assert_eq!(a.message(), "x");
    /// ```
    pub fn message(&self) -> &str {
        &self.failure.message
    }

    /// The fingerprint of the failing run; a replay must match it.
    ///
    /// ```
    /// # let mut sim = sim_core::Sim::builder().build();
    /// # let f = sim.run(async { panic!("x") }).unwrap_err();
    /// let a = sim_core::harness::Artifact::example(&f);
    /// assert_eq!(a.fingerprint(), Some(f.fingerprint()));
    /// ```
    pub fn fingerprint(&self) -> Option<Fingerprint> {
        let hex = self.failure.fingerprint.strip_prefix("0x")?;
        u64::from_str_radix(hex, 16).ok().map(Fingerprint::from_u64)
    }

    /// The recorded draws.
    ///
    /// ```
    /// # let mut sim = sim_core::Sim::builder().build();
    /// # let f = sim.run(async { panic!("x") }).unwrap_err();
    /// let a = sim_core::harness::Artifact::example(&f);
    /// assert_eq!(&a.tape(), f.tape());
    /// ```
    pub fn tape(&self) -> Tape {
        Tape::new(self.tape.clone())
    }

    /// Whether the failing run checked determinism (ran each seed twice).
    ///
    /// ```
    /// # let mut sim = sim_core::Sim::builder().build();
    /// # let f = sim.run(async { panic!("x") }).unwrap_err();
    /// assert!(!sim_core::harness::Artifact::example(&f).checks_determinism());
    /// ```
    pub fn checks_determinism(&self) -> bool {
        self.config.check_determinism
    }

    /// The scheduler the failing run used (for a portfolio sweep, the
    /// seed's own pick).
    ///
    /// ```
    /// # let mut sim = sim_core::Sim::builder().seed(6).scheduler(sim_core::Scheduler::Portfolio).build();
    /// # let f = sim.run(async { panic!("x") }).unwrap_err();
    /// let a = sim_core::harness::Artifact::example(&f);
    /// assert_eq!(a.scheduler(), f.scheduler());
    /// ```
    pub fn scheduler(&self) -> Scheduler {
        self.recorded_scheduler().unwrap_or_default()
    }

    /// The PCT step estimate `k` of the failing run's settings.
    ///
    /// ```
    /// # let mut sim = sim_core::Sim::builder().build();
    /// # let f = sim.run(async { panic!("x") }).unwrap_err();
    /// let a = sim_core::harness::Artifact::example(&f);
    /// assert_eq!(a.pct_steps(), sim_core::DEFAULT_PCT_STEPS);
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
    /// # let mut sim = sim_core::Sim::builder().seed(4).build();
    /// # let f = sim.run(async { panic!("x") }).unwrap_err();
    /// let a = sim_core::harness::Artifact::example(&f);
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

/// Whether version `a` (`major.minor.patch`, any pre-release suffix
/// ignored) is later than `b`; `false` when either does not parse.
fn is_newer(a: &str, b: &str) -> bool {
    fn parse(v: &str) -> Option<[u64; 3]> {
        let core = v.split(['-', '+']).next()?;
        let mut parts = core.split('.').map(|p| p.parse::<u64>().ok());
        let out = [parts.next()??, parts.next()??, parts.next()??];
        parts.next().is_none().then_some(out)
    }
    matches!((parse(a), parse(b)), (Some(a), Some(b)) if a > b)
}

/// Why an artifact could not be used: unreadable, truncated, corrupt, or of
/// another format version. The message names the file and the fix.
///
/// ```
/// let err = sim_core::harness::Artifact::from_json("[1, 2").unwrap_err();
/// assert!(err.is_truncated());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArtifactError {
    problem: Problem,
    detail: String,
    path: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Problem {
    Io,
    Truncated,
    Corrupt,
    Version,
}

impl ArtifactError {
    fn new(problem: Problem, detail: String) -> ArtifactError {
        ArtifactError {
            problem,
            detail,
            path: None,
        }
    }

    fn at(mut self, path: &Path) -> ArtifactError {
        self.path = Some(path.display().to_string());
        self
    }

    /// The file could not be read.
    ///
    /// ```
    /// assert!(sim_core::harness::Artifact::read("/nonexistent.json").unwrap_err().is_io());
    /// ```
    pub fn is_io(&self) -> bool {
        self.problem == Problem::Io
    }

    /// The file ends early (an interrupted write or copy).
    ///
    /// ```
    /// assert!(sim_core::harness::Artifact::from_json("{").unwrap_err().is_truncated());
    /// ```
    pub fn is_truncated(&self) -> bool {
        self.problem == Problem::Truncated
    }

    /// The file is not a well-formed detsim artifact.
    ///
    /// ```
    /// assert!(sim_core::harness::Artifact::from_json("{}").unwrap_err().is_corrupt());
    /// ```
    pub fn is_corrupt(&self) -> bool {
        self.problem == Problem::Corrupt
    }

    /// The artifact was written in another format version.
    ///
    /// ```
    /// let json = r#"{"format":"detsim-failure","version":99}"#;
    /// assert!(sim_core::harness::Artifact::from_json(json).unwrap_err().is_wrong_version());
    /// ```
    pub fn is_wrong_version(&self) -> bool {
        self.problem == Problem::Version
    }
}

impl fmt::Display for ArtifactError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = match &self.path {
            Some(p) => format!("replay artifact {p}"),
            None => "replay artifact".into(),
        };
        let fix = match self.problem {
            Problem::Io => "check the path (artifacts are under <target dir>/detsim/failures/)",
            Problem::Truncated | Problem::Corrupt => {
                "re-run the failing test (with its DETSIM_SEED) to write a fresh artifact"
            }
            Problem::Version => {
                "replay it with the detsim version that wrote it, or re-run the failing \
                 test (with its DETSIM_SEED) to write a fresh artifact"
            }
        };
        write!(f, "detsim: cannot use {file}: {}; {fix}", self.detail)
    }
}

impl std::error::Error for ArtifactError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Artifact {
        let mut sim = Builder::new()
            .seed(0x2a)
            .scheduler(Scheduler::Pct { depth: 2 })
            .build();
        let failure = sim
            .run(async {
                let a = crate::spawn(async { 1 });
                a.await.unwrap();
                panic!("boom")
            })
            .unwrap_err();
        let config = Config::of(&Builder::new().scheduler(Scheduler::Pct { depth: 2 }), true);
        let target = Target {
            kind: "test".into(),
            name: "t".into(),
        };
        Artifact::new("a::b", "t::a::b", "pkg", target, config, &failure)
    }

    #[test]
    fn round_trips_through_json() {
        let a = sample();
        let json = a.to_json();
        assert!(json.contains("\"seed_hex\": \"0x2a\""));
        assert_eq!(Artifact::from_json(&json), Ok(a.clone()));
        assert_eq!(a.builder().scheduler, Scheduler::Pct { depth: 2 });
    }

    /// An artifact as detsim wrote it before artifacts recorded cargo
    /// feature flags.
    const WITHOUT_FEATURES: &str = r#"{
  "format": "detsim-failure",
  "version": 1,
  "detsim_version": "0.1.0",
  "test": "finds_its_bug",
  "module_path": "expected::finds_its_bug",
  "package": "detsim-cli-fixture",
  "target": {
    "kind": "test",
    "name": "expected"
  },
  "seed": 0,
  "seed_hex": "0x0",
  "config": {
    "scheduler": "random",
    "pct_depth": null,
    "pct_steps": 1000,
    "time_limit_ns": 3600000000000,
    "max_steps": 10000000,
    "strict": false,
    "check_determinism": false
  },
  "failure": {
    "kind": "panic",
    "headline": "task 0 'main' on node 'main' panicked at tests/expected.rs:13:9: found the planted bug",
    "message": "found the planted bug",
    "task": "task 0 'main' on node 'main'",
    "location": "tests/expected.rs:13:9",
    "virtual_time_ns": 0,
    "steps": 2,
    "fingerprint": "0x1bd8a57844237996"
  },
  "tape": [
    219243557,
    0
  ]
}
"#;

    #[test]
    fn an_artifact_without_feature_flags_loads_and_is_written_the_same() {
        let a = Artifact::from_json(WITHOUT_FEATURES).unwrap();
        assert!(a.cargo_features().is_empty());
        assert_eq!(a.to_json(), WITHOUT_FEATURES);
    }

    #[test]
    fn feature_flags_are_recorded_and_read_back() {
        let flags = ["--features", "a b", "--no-default-features"].map(String::from);
        let a = sample().built_with(&flags);
        let json = a.to_json();
        assert!(
            json.contains("\"cargo_features\": [\n    \"--features\",\n    \"a b\","),
            "{json}"
        );
        assert_eq!(Artifact::from_json(&json).unwrap().cargo_features(), flags);
        // Other arguments for cargo, or no list at all, are damage.
        let err = |from: &str, to: &str| {
            let bad = json.replacen(from, to, 1);
            assert_ne!(bad, json);
            let e = Artifact::from_json(&bad).unwrap_err();
            assert!(e.is_corrupt(), "{e}");
            e.to_string()
        };
        let release = err("\"--no-default-features\"", "\"--release\"");
        assert!(
            release.contains(
                "its cargo_features [\"--features\", \"a b\", \"--release\"] are not cargo's \
                 feature flags: `--release` is not one of --features LIST"
            ),
            "{release}"
        );
        assert!(err("\"a b\",", "").contains("`--features` has no feature list"));
        let text = err(
            "\"cargo_features\": [",
            "\"cargo_features\": \"x\", \"_\": [",
        );
        assert!(text.contains("it is damaged"), "{text}");
    }

    #[test]
    fn every_cut_of_the_file_is_refused() {
        let json = sample().to_json();
        let body = json.trim_end();
        for cut in 0..body.len() {
            if !body.is_char_boundary(cut) {
                continue;
            }
            let err = Artifact::from_json(&body[..cut]).unwrap_err();
            assert!(
                err.is_truncated() || err.is_corrupt(),
                "cut at {cut}: {err}"
            );
        }
    }

    #[test]
    fn damage_is_named() {
        let json = sample().to_json();
        let err = |from: &str, to: &str| {
            Artifact::from_json(&json.replacen(from, to, 1))
                .unwrap_err()
                .to_string()
        };
        assert!(err("\"version\": 1", "\"version\": 7").contains("format version 7"));
        assert!(err("detsim-failure", "something").contains("not a detsim failure artifact"));
        assert!(err("\"tape\"", "\"tap\"").contains("unknown field `tap`"));
        assert!(err("\"fingerprint\": \"0x", "\"fingerprint\": \"").contains("not 0x-hex"));
        assert!(err("\"scheduler\": \"pct\"", "\"scheduler\": \"lifo\"").contains("lifo"));
        assert!(err("\"seed\": 42", "\"seed\": 43").contains("disagree"));
        assert!(err("\"seed\": 42", "\"seed\": -1").contains("damaged"));
    }

    #[test]
    fn a_field_from_a_newer_detsim_asks_for_that_version() {
        let json = sample().to_json();
        let ours = env!("CARGO_PKG_VERSION");
        let with = |version: &str| {
            json.replacen(
                &format!("\"detsim_version\": \"{ours}\""),
                &format!("\"detsim_version\": \"{version}\", \"added_later\": true"),
                1,
            )
        };
        let err = Artifact::from_json(&with("99.0.0")).unwrap_err();
        assert!(err.is_wrong_version(), "{err}");
        let msg = err.to_string();
        assert!(
            msg.contains("written by detsim 99.0.0, newer than this detsim"),
            "{msg}"
        );
        assert!(msg.contains("unknown field `added_later`"), "{msg}");
        assert!(
            msg.contains("replay it with the detsim version that wrote it"),
            "{msg}"
        );
        // From this version or an older one, an unknown field is damage.
        for version in [ours, "0.0.1", "not-a-version"] {
            let err = Artifact::from_json(&with(version)).unwrap_err();
            assert!(err.is_corrupt(), "{version}: {err}");
        }
    }

    #[test]
    fn versions_compare_numerically() {
        assert!(is_newer("0.10.0", "0.9.9"));
        assert!(is_newer("1.0.0-rc.1", "0.99.0"));
        assert!(!is_newer("0.1.0", "0.1.0"));
        assert!(!is_newer("0.1", "0.0.1"));
        assert!(!is_newer("x.y.z", "0.0.1"));
    }
}
