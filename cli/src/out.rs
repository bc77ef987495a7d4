//! Standard output of the commands. [`say!`] is `println!` that does not
//! panic when the reader has gone away (`cargo detsim list | head -1`):
//! the command prints nothing more, finishes what it writes elsewhere (a
//! `--json` or `--trace` file), and ends quietly with exit status 0, as
//! the demos do (`examples/common/out.rs`). Another error writing it (a
//! full disk) is reported by `main` once the command has ended (exit
//! status 2).

use std::sync::Mutex;

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
    if let Err(e) = writeln!(out, "{args}").and_then(|()| out.flush()) {
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
