//! The one error type of the CLI: a single line saying what is wrong and
//! how to fix it, printed by `main` with exit status 2.

use std::fmt;

/// A usage or setup error (exit status 2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CliError {
    text: String,
}

impl CliError {
    pub(crate) fn new(text: impl Into<String>) -> CliError {
        CliError { text: text.into() }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// How a command ended when it did not hit an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Everything passed (exit 0).
    Passed,
    /// A test failed (exit 1).
    Failed,
}
