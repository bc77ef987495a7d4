//! Reading, validating and writing replay artifacts: a file is refused,
//! with the fix, unless it is a complete artifact of this format version.

use std::io;
use std::path::Path;

use super::error::Problem;
use super::{ARTIFACT_VERSION, Artifact, ArtifactError, FORMAT};
use crate::harness::features;

impl Artifact {
    /// Parses an artifact, refusing anything that is not a complete
    /// artifact of this format version.
    ///
    /// ```
    /// let err = detsim::harness::Artifact::from_json("{\"format\": \"detsim-fail").unwrap_err();
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
    /// let err = detsim::harness::Artifact::read("no/such/file.json").unwrap_err();
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
    /// # let mut sim = detsim::Sim::builder().seed(5).build();
    /// # let failure = sim.run(async { panic!("boom") }).unwrap_err();
    /// # let artifact = detsim::harness::Artifact::example(&failure);
    /// let json = artifact.to_json();
    /// assert_eq!(detsim::harness::Artifact::from_json(&json).unwrap(), artifact);
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
    /// # let artifact: detsim::harness::Artifact = unimplemented!();
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
        if let Some(p) = &self.profile {
            let name = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
            if p.is_empty() || !p.chars().all(name) {
                return bad(format!("its profile {p:?} is not a cargo profile's name"));
            }
        }
        if let Some(why) = self.impossible_config() {
            return bad(format!("its config is impossible: {why}"));
        }
        Ok(())
    }

    /// What makes the recorded settings impossible to run, if anything,
    /// named by the artifact's own fields.
    fn impossible_config(&self) -> Option<String> {
        let c = &self.config;
        match c.pct_depth {
            Some(0) => {
                return Some(
                    "pct_depth is 0, and PCT at depth 0 targets no bug (a run's depth is 1 \
                     to 64)"
                        .into(),
                );
            }
            Some(d) if d > 64 => {
                return Some(format!("pct_depth is {d}, above PCT's largest depth, 64"));
            }
            _ => {}
        }
        if c.time_limit_ns == Some(0) {
            return Some(
                "time_limit_ns is 0, a time limit no run could keep (null is none)".into(),
            );
        }
        if c.max_steps == Some(0) {
            return Some("max_steps is 0, a step limit no run could keep (null is none)".into());
        }
        if c.pct_steps == 0 {
            return Some("pct_steps is 0, and PCT's step estimate is 1 or more".into());
        }
        // Anything else the builder refuses, in its words.
        self.builder().try_build().err().map(|e| e.to_string())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::artifact::{Config, Target};
    use crate::{Builder, Scheduler};

    /// A failing PCT run's artifact.
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
    fn a_time_limit_beyond_u64_nanoseconds_is_recorded_as_the_largest() {
        // 2^64 ns + 1 s would wrap to 1 s with a plain cast.
        let limit = std::time::Duration::from_nanos(u64::MAX) + std::time::Duration::from_secs(2);
        let config = Config::of(&Builder::new().time_limit(limit), false);
        assert_eq!(config.time_limit_ns, Some(u64::MAX));
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
        let depth = err("\"pct_depth\": 2", "\"pct_depth\": 0");
        assert!(
            depth.contains("its config is impossible: pct_depth is 0, and PCT at depth 0"),
            "{depth}"
        );
        assert!(err("\"pct_depth\": 2", "\"pct_depth\": 65").contains("pct_depth is 65"));
        assert!(err("\"max_steps\": 10000000", "\"max_steps\": 0").contains("max_steps is 0"));
        let time = err("\"time_limit_ns\": 3600000000000", "\"time_limit_ns\": 0");
        assert!(time.contains("time_limit_ns is 0"), "{time}");
        assert!(err("\"pct_steps\": 1000", "\"pct_steps\": 0").contains("pct_steps is 0"));
        let profile = err("\"profile\": \"", "\"profile\": \"my profile");
        assert!(
            profile.contains("is not a cargo profile's name"),
            "{profile}"
        );
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
