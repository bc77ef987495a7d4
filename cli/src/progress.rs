//! The sweep's progress on stderr: a line redrawn in place when stderr is
//! a terminal, else a plain line every ten seconds (CI logs).

use std::io::IsTerminal as _;
use std::time::{Duration, Instant};

use crate::out::{self, tell};

pub(crate) struct Progress {
    test: String,
    total: u64,
    done: u64,
    failed: u64,
    started: Instant,
    last: Instant,
    terminal: bool,
}

impl Progress {
    pub(crate) fn new(test: &str, total: u64) -> Progress {
        let now = Instant::now(); // determinism: ok (progress display only)
        Progress {
            test: test.to_owned(),
            total,
            done: 0,
            failed: 0,
            started: now,
            last: now,
            terminal: std::io::stderr().is_terminal(),
        }
    }

    pub(crate) fn add(&mut self, seeds: u64, failures: u64) {
        self.done += seeds;
        self.failed += failures;
    }

    /// Shows the progress if it is time to (always when `last`).
    pub(crate) fn tick(&mut self, last: bool) {
        let every = if self.terminal {
            Duration::from_millis(100)
        } else {
            Duration::from_secs(10)
        };
        if !last && self.last.elapsed() < every {
            return;
        }
        self.last = Instant::now(); // determinism: ok (progress display only)
        if !self.terminal && last {
            return;
        }
        let line = self.line();
        if self.terminal {
            let end = if last { "\n" } else { "" };
            out::tell_text(format_args!("\r\x1b[2K{line}{end}"));
        } else {
            tell!("{line}");
        }
    }

    /// Shows `text` on a line of its own, above the progress line (which
    /// a terminal then shows again, redrawn).
    pub(crate) fn note(&mut self, text: &str) {
        if self.terminal {
            out::tell_text(format_args!("\r\x1b[2K{text}\n{}", self.line()));
        } else {
            tell!("{text}");
        }
    }

    fn line(&self) -> String {
        let secs = self.started.elapsed().as_secs_f64();
        let rate = if secs > 0.0 {
            self.done as f64 / secs
        } else {
            0.0
        };
        let eta = if rate > 0.0 {
            let left = self.total.saturating_sub(self.done) as f64 / rate;
            format!("ETA {}", clock(left))
        } else {
            "ETA -".to_owned()
        };
        format!(
            "{}: {}/{} seeds ({:.0}%), {} failed, {rate:.0} seeds/s, {eta}",
            self.test,
            self.done,
            self.total,
            100.0 * self.done as f64 / self.total.max(1) as f64,
            self.failed
        )
    }
}

/// `1h02m03s`, `2m03s`, `3s`.
pub(crate) fn clock(secs: f64) -> String {
    let s = secs.round() as u64;
    match (s / 3600, s / 60 % 60, s % 60) {
        (0, 0, s) => format!("{s}s"),
        (0, m, s) => format!("{m}m{s:02}s"),
        (h, m, s) => format!("{h}h{m:02}m{s:02}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eta_clock() {
        assert_eq!(clock(3.2), "3s");
        assert_eq!(clock(123.0), "2m03s");
        assert_eq!(clock(3723.0), "1h02m03s");
    }
}
