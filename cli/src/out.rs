//! Standard output and standard error of the commands.
//!
//! [`say!`] is `println!` to standard output that does not panic when
//! the reader has gone away (`cargo detsim list | head -1`): the command
//! prints nothing more, finishes what it writes elsewhere (a `--json` or
//! `--trace` file), and ends quietly with exit status 0, as the demos do
//! (`examples/common/out.rs`): its reader has what it wanted. Another
//! error writing it (a full disk) is reported by `main` once the command
//! has ended (exit status 2).
//!
//! [`tell!`] is `eprintln!` to standard error (and [`tell_text`]
//! `eprint!`) that does not panic either. Standard error carries the
//! diagnostics: the progress line, warnings, the tests' and cargo's
//! output, the error line. When it cannot be written (its reader has gone
//! away: `2>&1 | head -1`, a log collector that died; or a full disk)
//! the command writes nothing more there and goes on without it: it still
//! runs the tests, reads cargo's and the tests' output as before (so no
//! process waits on a full pipe), writes its files and its standard
//! output, and exits with the status of its outcome: 0 for a pass, 1 for
//! a failure found, 2 for a mistake. Unlike a closed standard output, a
//! closed standard error does not make that 0: the status is then the
//! only word the command has left. (With both closed, `2>&1 | head -1`,
//! the standard output's rule gives 0, but a mistake is still 2.)

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// `println!` to standard output; see the module's documentation.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::out::line(format_args!($($arg)*))
    };
}
pub(crate) use say;

/// What stopped the writing to standard output, if anything did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Stopped {
    /// The reader went away (a broken pipe): the command ends quietly.
    Closed,
    /// Another error, which `main` reports.
    Failed(String),
}

static STOPPED: Mutex<Option<Stopped>> = Mutex::new(None);

/// Writes one line to standard output, unless an earlier write stopped it
/// (see the module's documentation).
pub(crate) fn line(args: std::fmt::Arguments<'_>) {
    write_line(&mut std::io::stdout().lock(), args);
}

fn write_line(out: &mut impl std::io::Write, args: std::fmt::Arguments<'_>) {
    let mut stopped = STOPPED.lock().unwrap_or_else(|p| p.into_inner());
    if stopped.is_some() {
        return;
    }
    if let Err(e) = write_text(out, format_args!("{args}\n")) {
        *stopped = Some(stopped_by(&e));
    }
}

fn stopped_by(e: &std::io::Error) -> Stopped {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Stopped::Closed
    } else {
        Stopped::Failed(e.to_string())
    }
}

/// What stopped the writing to standard output, if anything did.
pub(crate) fn stopped() -> Option<Stopped> {
    STOPPED.lock().unwrap_or_else(|p| p.into_inner()).clone()
}

/// `eprintln!` to standard error; see the module's documentation.
macro_rules! tell {
    () => {
        $crate::out::tell_text(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::out::tell_text(format_args!("{}\n", format_args!($($arg)*)))
    };
}
pub(crate) use tell;

/// Whether a write to standard error failed: nothing more is written
/// there.
static ERR_STOPPED: AtomicBool = AtomicBool::new(false);

/// `eprint!`: writes `args` to standard error as they are (a line, or a
/// progress line redrawn in place), unless an earlier write failed (see
/// the module's documentation).
pub(crate) fn tell_text(args: std::fmt::Arguments<'_>) {
    if ERR_STOPPED.load(Ordering::Relaxed) {
        return;
    }
    if write_text(&mut std::io::stderr().lock(), args).is_err() {
        ERR_STOPPED.store(true, Ordering::Relaxed);
    }
}

fn write_text(out: &mut impl std::io::Write, args: std::fmt::Arguments<'_>) -> std::io::Result<()> {
    out.write_fmt(args)?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_pipe_is_a_closed_output_and_other_errors_are_failures() {
        use std::io::{Error, ErrorKind};
        assert_eq!(
            stopped_by(&Error::from(ErrorKind::BrokenPipe)),
            Stopped::Closed
        );
        assert!(matches!(
            stopped_by(&Error::other("no space left on device")),
            Stopped::Failed(e) if e.contains("no space")
        ));
    }
}
