//! Why a replay artifact cannot be used, and what to do about it.

use std::fmt;
use std::path::Path;

/// Why an artifact could not be used: unreadable, truncated, corrupt, or of
/// another format version. The message names the file and the fix.
///
/// ```
/// let err = detsim::harness::Artifact::from_json("[1, 2").unwrap_err();
/// assert!(err.is_truncated());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArtifactError {
    problem: Problem,
    detail: String,
    path: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Problem {
    Io,
    Truncated,
    Corrupt,
    Version,
}

impl ArtifactError {
    pub(super) fn new(problem: Problem, detail: String) -> ArtifactError {
        ArtifactError {
            problem,
            detail,
            path: None,
        }
    }

    pub(super) fn at(mut self, path: &Path) -> ArtifactError {
        self.path = Some(path.display().to_string());
        self
    }

    /// The file could not be read.
    ///
    /// ```
    /// assert!(detsim::harness::Artifact::read("/nonexistent.json").unwrap_err().is_io());
    /// ```
    pub fn is_io(&self) -> bool {
        self.problem == Problem::Io
    }

    /// The file ends early (an interrupted write or copy).
    ///
    /// ```
    /// assert!(detsim::harness::Artifact::from_json("{").unwrap_err().is_truncated());
    /// ```
    pub fn is_truncated(&self) -> bool {
        self.problem == Problem::Truncated
    }

    /// The file is not a well-formed detsim artifact.
    ///
    /// ```
    /// assert!(detsim::harness::Artifact::from_json("{}").unwrap_err().is_corrupt());
    /// ```
    pub fn is_corrupt(&self) -> bool {
        self.problem == Problem::Corrupt
    }

    /// The artifact was written in another format version.
    ///
    /// ```
    /// let json = r#"{"format":"detsim-failure","version":99}"#;
    /// assert!(detsim::harness::Artifact::from_json(json).unwrap_err().is_wrong_version());
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
