//! Printing for the demos: [`say!`] is `println!` that ends the demo
//! quietly when its standard output is closed (piped into `head`, say),
//! where `println!` would panic with "failed printing to stdout".

/// `println!`, ending the process quietly (exit status 0) if the reader of
/// standard output has gone away.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::out::line(format_args!($($arg)*))
    };
}
pub(crate) use say;

/// Writes one line to standard output (see [`say!`]).
pub(crate) fn line(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    if let Err(e) = writeln!(std::io::stdout().lock(), "{args}") {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            // Whoever read the output has what it wanted.
            std::process::exit(0);
        }
        warn(format_args!("error: cannot write to standard output: {e}"));
        std::process::exit(2);
    }
}

/// Writes one line to standard error, ignoring a closed one (where
/// `eprintln!` would panic): the exit status still tells what happened.
pub(crate) fn warn(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{args}");
}
