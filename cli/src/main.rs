//! `cargo detsim`: list, sweep, replay (with trace export) and shrink
//! detsim simulation tests (`#[sim_test]`).
//!
//! Installed (`cargo install --path cli`), it runs as `cargo detsim ...`;
//! from the detsim repository, `cargo run -p cargo-detsim -- detsim ...`.
//!
//! It talks to test binaries as nextest does: `cargo test --no-run
//! --message-format=json` builds them, markers the `#[sim_test]` macro
//! leaves in each binary say which tests are simulation tests, and the
//! binaries run with `DETSIM_*` variables that make the harness write JSON
//! lines for the CLI (`DETSIM_LIST`, `DETSIM_REPORT`, `DETSIM_TRACE_JSON`;
//! see `sim_core::harness`).
//!
//! Every mistake (a bad flag, an unknown test, a corrupt artifact, an
//! artifact the code no longer reproduces) is one line on stderr naming
//! the fix, with exit status 2; a failing test exits 1; a pass exits 0.
//! A closed standard output (piped into `head`) ends the printing
//! quietly, with exit status 0, as the demos do; a closed standard error
//! silences the diagnostics but not the exit status (see `out`).

#![forbid(unsafe_code)]

mod args;
mod discover;
mod error;
mod list;
mod out;
mod perfetto;
mod progress;
mod replay;
mod run_one;
mod scheduler;
mod scratch;
mod select;
mod shrink;
mod sweep;

use std::process::ExitCode;

use args::Command;
use error::Outcome;
use out::{Stopped, say, tell};

fn main() -> ExitCode {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    let result = args::parse(&raw).and_then(|args| match &args.command {
        Command::Help => {
            say!("{}", args::USAGE);
            Ok(Outcome::Passed)
        }
        command => {
            environment(command)?;
            scratch::clean_up_on_signals();
            run(&args)
        }
    });
    match (result, out::stopped()) {
        (Err(e), _) => {
            tell!("error: {e}");
            ExitCode::from(2)
        }
        // Its reader went away (`| head -1`): it has what it wanted.
        (Ok(_), Some(Stopped::Closed)) => ExitCode::SUCCESS,
        (Ok(_), Some(Stopped::Failed(e))) => {
            tell!(
                "error: cannot write to standard output ({e}); what was not printed is lost: \
                 free the space or fix the file it goes to, and run the command again"
            );
            ExitCode::from(2)
        }
        (Ok(Outcome::Passed), None) => ExitCode::SUCCESS,
        (Ok(Outcome::Failed), None) => ExitCode::from(1),
    }
}

/// The `DETSIM_*` variables of the environment: a bad value of one the
/// tests will read is an error now; one the command does not pass on
/// (its flags replace it) is a warning line.
fn environment(command: &Command) -> Result<(), error::CliError> {
    discover::check_env()?;
    let (name, artifact) = match command {
        Command::Help | Command::List => return Ok(()),
        Command::Sweep(_) => ("sweep", false),
        Command::Replay(r) => ("replay", matches!(r.of, args::ReplayOf::Artifact(_))),
        Command::Shrink(_) => ("shrink", true),
    };
    if let Some(warning) = discover::ignored_env(name, artifact) {
        tell!("warning: {warning}");
    }
    Ok(())
}

fn run(args: &args::Args) -> Result<Outcome, error::CliError> {
    match &args.command {
        Command::Help => Ok(Outcome::Passed),
        Command::List => list::run(&args.build),
        Command::Sweep(s) => sweep::run(s, &args.build),
        Command::Replay(r) => {
            // Before the build and the replay, not after them.
            if let Some(path) = &r.trace {
                args::check_output("--trace", path)?;
            }
            replay::run(r, &args.build)
        }
        Command::Shrink(path) => shrink::run(path, &args.build),
    }
}
