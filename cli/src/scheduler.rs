//! The scheduler that `cargo detsim sweep` and `replay --seed` run tests
//! with: `--scheduler`, else `DETSIM_SCHEDULER` of the CLI's environment
//! (as `cargo test` would take it), else none (each test's own). Both,
//! naming different schedulers, is an error, as is a value the harness
//! would refuse; either is found before anything is built. An artifact's
//! replay and shrink run the scheduler the artifact recorded instead (and
//! `DETSIM_SCHEDULER` gets a warning line, see `discover::ignored_env`).

use std::ffi::OsString;

use crate::error::CliError;

/// A scheduler named for the tests' runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Scheduler {
    /// As `DETSIM_SCHEDULER` takes it (`pct:3`).
    pub(crate) name: String,
    /// Named by `DETSIM_SCHEDULER` in the environment, not `--scheduler`.
    pub(crate) from_env: bool,
}

/// The command that runs the tests with the scheduler, for its errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Runner {
    Sweep,
    ReplaySeed,
}

impl Runner {
    /// What the command does with `DETSIM_SCHEDULER`.
    fn passes_it_on(self) -> &'static str {
        match self {
            Runner::Sweep => "cargo detsim sweep passes it on to the tests",
            Runner::ReplaySeed => "cargo detsim replay --seed passes it on to the test",
        }
    }
}

/// The scheduler `runner` runs with: `flag` (`--scheduler`, as
/// [`crate::args::parse_scheduler`] gave it), else `DETSIM_SCHEDULER` of
/// the environment, else none.
pub(crate) fn named(runner: Runner, flag: Option<&str>) -> Result<Option<Scheduler>, CliError> {
    named_in(runner, flag, std::env::var_os("DETSIM_SCHEDULER"))
}

/// [`named`], with `env` the value of `DETSIM_SCHEDULER`, checked as the
/// harness reads it.
fn named_in(
    runner: Runner,
    flag: Option<&str>,
    env: Option<OsString>,
) -> Result<Option<Scheduler>, CliError> {
    // Empty is unset, as the harness reads it.
    let env = env.filter(|v| !v.to_string_lossy().trim().is_empty());
    let env = match env {
        None => None,
        Some(value) => {
            sim_core::harness::check_env(&[("DETSIM_SCHEDULER", value.clone())]).map_err(|e| {
                let e = e.strip_prefix("detsim: ").unwrap_or(&e);
                CliError::new(format!(
                    "{e} ({}, as it would --scheduler; fix or unset it)",
                    runner.passes_it_on()
                ))
            })?;
            let text = value.to_string_lossy().trim().to_owned();
            Some(crate::args::parse_scheduler(&text).unwrap_or(text))
        }
    };
    match (flag, env) {
        (Some(flag), Some(env)) if !crate::args::same_scheduler(flag, &env) => {
            Err(CliError::new(format!(
                "--scheduler {flag} and DETSIM_SCHEDULER={env} in the environment name different \
                 schedulers: give one (drop --scheduler, or unset DETSIM_SCHEDULER)"
            )))
        }
        (Some(flag), _) => Ok(Some(Scheduler {
            name: flag.to_owned(),
            from_env: false,
        })),
        (None, Some(env)) => Ok(Some(Scheduler {
            name: env,
            from_env: true,
        })),
        (None, None) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(s: &str) -> Option<OsString> {
        Some(OsString::from(s))
    }

    fn named(name: &str, from_env: bool) -> Option<Scheduler> {
        Some(Scheduler {
            name: name.to_owned(),
            from_env,
        })
    }

    #[test]
    fn the_flag_or_the_environment_names_the_scheduler() {
        for runner in [Runner::Sweep, Runner::ReplaySeed] {
            let of = |flag, env| named_in(runner, flag, env);
            assert_eq!(of(None, None).unwrap(), None);
            assert_eq!(of(None, os(" ")).unwrap(), None);
            assert_eq!(of(Some("pct:2"), None).unwrap(), named("pct:2", false));
            assert_eq!(of(None, os(" PCT:2 ")).unwrap(), named("pct:2", true));
            // Both, naming the same scheduler: the flag's spelling.
            assert_eq!(of(Some("pct"), os("pct:3")).unwrap(), named("pct", false));
            assert_eq!(of(Some("fifo"), os("FIFO")).unwrap(), named("fifo", false));
            let e = of(Some("pct:2"), os("fifo")).unwrap_err().to_string();
            assert_eq!(
                e,
                "--scheduler pct:2 and DETSIM_SCHEDULER=fifo in the environment name different \
                 schedulers: give one (drop --scheduler, or unset DETSIM_SCHEDULER)"
            );
            // A value the harness would refuse, refused as it would be,
            // whether or not the flag is given.
            for flag in [None, Some("pct:2")] {
                let e = of(flag, os("lifo")).unwrap_err().to_string();
                assert!(
                    e.starts_with("DETSIM_SCHEDULER=\"lifo\" is not valid: it is not a scheduler"),
                    "{e}"
                );
                assert!(e.ends_with("; fix or unset it)"), "{e}");
            }
        }
    }

    #[test]
    fn a_bad_value_says_which_command_passes_it_on() {
        let e = |runner| named_in(runner, None, os("pct:0")).unwrap_err().to_string();
        assert!(
            e(Runner::Sweep).ends_with(
                " (cargo detsim sweep passes it on to the tests, as it would --scheduler; fix \
                 or unset it)"
            ),
            "{}",
            e(Runner::Sweep)
        );
        assert!(
            e(Runner::ReplaySeed).ends_with(
                " (cargo detsim replay --seed passes it on to the test, as it would \
                 --scheduler; fix or unset it)"
            ),
            "{}",
            e(Runner::ReplaySeed)
        );
    }
}
