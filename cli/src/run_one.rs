//! Running one test of a test binary (`<bin> <test> --exact --nocapture`)
//! for `replay` and `shrink`: its stdout and stderr go to one file, so
//! they keep the order the test wrote them in, and the CLI reads that file
//! as it grows, showing each line as soon as it is complete, without
//! libtest's own lines around the test's output (`running 1 test`, the
//! verdict `test x ... FAILED`, `failures:`, `test result:`).
//!
//! A file rather than a pipe: std has no pipe for both streams before
//! Rust 1.87 (the MSRV is 1.85), and a pipe would also keep the CLI
//! waiting for any process the test started and left running, where a
//! file ends with the test.

use std::fs::File;
use std::io::Read as _;
use std::path::Path;
use std::process::{Command, ExitStatus};
use std::time::Duration;

use crate::discover::Binary;
use crate::error::CliError;
use crate::out::tell;

/// How often the CLI looks for new output while the test runs.
const POLL: Duration = Duration::from_millis(20);

/// Whether the test's output is shown as it comes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Show {
    /// Each line on stderr as soon as the test has written it.
    Live,
    /// Nothing: the caller shows [`Ran::output`] if it needs to.
    Later,
}

/// How the test's process ended, and what it printed.
#[derive(Clone, Debug)]
pub(crate) struct Ran {
    pub(crate) status: ExitStatus,
    /// The test's output, without libtest's lines.
    pub(crate) output: String,
    /// libtest's verdict line (`test x ... FAILED`), if it printed one.
    verdict: Option<String>,
    test: String,
}

impl Ran {
    /// Whether libtest passed the test because it is `#[should_panic]`
    /// and failed as that expects (`test x - should panic ... ok`): what
    /// `cargo test` says of it.
    pub(crate) fn passed_as_should_panic(&self) -> bool {
        let ok = format!("test {} - should panic ... ok", self.test);
        self.verdict.as_deref().is_some_and(|v| v.starts_with(&ok))
    }
}

/// Runs `cmd` (the test `test` of `binary`, with `--nocapture`), its
/// stdout and stderr into the file `log`, showing its output as `show`
/// says while it runs.
pub(crate) fn run(
    mut cmd: Command,
    log: &Path,
    binary: &Binary,
    test: &str,
    show: Show,
) -> Result<Ran, CliError> {
    let cannot =
        |e: std::io::Error| CliError::new(format!("cannot run {}: {e}", binary.exe.display()));
    let file = File::create(log).map_err(cannot)?;
    // libtest prints `test x ... ` before the test's output when it runs
    // one thread (one core, or RUST_TEST_THREADS=1), and after it
    // otherwise: with two, the verdict comes after the output, whole.
    cmd.arg("--test-threads=2")
        .stdout(file.try_clone().map_err(cannot)?)
        .stderr(file);
    let child = Started(crate::scratch::spawn(&mut cmd).map_err(cannot)?);
    let mut reader = File::open(log).map_err(cannot)?;
    let mut filter = Libtest::new(test);
    let mut output = String::new();
    let mut pending = Vec::new();
    let emit = |line: &str, output: &mut String| {
        output.push_str(line);
        output.push('\n');
        if show == Show::Live {
            tell!("{line}");
        }
    };
    let status = loop {
        // Whether it ended, before reading: once it has, this read gets
        // everything it wrote.
        let ended = child.0.try_wait().map_err(cannot)?;
        let read = reader.read_to_end(&mut pending).map_err(cannot)?;
        while let Some(end) = pending.iter().position(|&b| b == b'\n') {
            let line = String::from_utf8_lossy(&pending[..end]).into_owned();
            pending.drain(..=end);
            if let Some(shown) = filter.line(&line) {
                emit(shown, &mut output);
            }
        }
        if let Some(status) = ended {
            // A test that died of the user's Ctrl-C: nothing to report.
            crate::scratch::wait_if_interrupted();
            break status;
        }
        if read == 0 {
            std::thread::sleep(POLL);
        }
    };
    // A last line without its newline.
    let last = String::from_utf8_lossy(&pending).into_owned();
    if let Some(shown) = filter.line(&last).filter(|s| !s.is_empty()) {
        emit(shown, &mut output);
    }
    Ok(Ran {
        status,
        output,
        verdict: filter.verdict,
        test: test.to_owned(),
    })
}

/// The test's process, killed if `run` returns before it has ended (an
/// error reading its output): not left running on its own.
struct Started(crate::scratch::Proc);

impl Drop for Started {
    fn drop(&mut self) {
        self.0.stop();
    }
}

/// Where a line of the one test's run is: libtest's lines before the
/// test's output, the output, libtest's lines after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    Before,
    Output,
    After,
}

/// Tells the output of the one test `test` that libtest runs with
/// `--nocapture` from libtest's own lines, one line at a time.
#[derive(Clone, Debug)]
struct Libtest<'a> {
    test: &'a str,
    part: Part,
    verdict: Option<String>,
}

impl<'a> Libtest<'a> {
    fn new(test: &'a str) -> Libtest<'a> {
        Libtest {
            test,
            part: Part::Before,
            verdict: None,
        }
    }

    /// What of `line` (without its newline) is the test's output.
    fn line<'l>(&mut self, line: &'l str) -> Option<&'l str> {
        match self.part {
            Part::After => return None,
            Part::Before if line.is_empty() => return None,
            Part::Before => {
                self.part = Part::Output;
                if line.starts_with("running ") && line.trim_end_matches('s').ends_with(" test") {
                    return None;
                }
            }
            Part::Output => {}
        }
        match self.verdict_at(line) {
            Some(at) => {
                self.verdict = Some(line[at..].to_owned());
                self.part = Part::After;
                // Output without a newline at its end, then the verdict.
                (at > 0).then(|| &line[..at])
            }
            None => Some(line),
        }
    }

    /// Where libtest's verdict starts in `line`: `test x ... ok`, or for
    /// a `#[should_panic]` test `test x - should panic ... ok` (after the
    /// test's last output when that has no newline at its end).
    fn verdict_at(&self, line: &str) -> Option<usize> {
        [
            format!("test {} ... ", self.test),
            format!("test {} - should panic ... ", self.test),
        ]
        .iter()
        .filter_map(|start| {
            let at = line.rfind(start.as_str())?;
            let result = &line[at + start.len()..];
            ["ok", "FAILED", "ignored"]
                .iter()
                .any(|r| result.starts_with(r))
                .then_some(at)
        })
        .max()
    }
}

#[cfg(test)]
mod tests {
    use super::Libtest;

    /// What a run's text shows, fed line by line, and libtest's verdict.
    fn shown(run: &str, test: &str) -> (String, Option<String>) {
        let mut filter = Libtest::new(test);
        let mut out = String::new();
        for line in run.split('\n') {
            if let Some(s) = filter.line(line) {
                out.push_str(s);
                out.push('\n');
            }
        }
        (out, filter.verdict)
    }

    #[test]
    fn libtests_lines_around_the_output_are_left_out() {
        let run = "\nrunning 1 test\nhello\n\nworld\ntest t ... FAILED\n\nfailures:\n";
        let (out, verdict) = shown(run, "t");
        assert_eq!(out, "hello\n\nworld\n");
        assert_eq!(verdict.as_deref(), Some("test t ... FAILED"));
    }

    #[test]
    fn a_should_panic_verdict_line_is_left_out_too() {
        let run =
            "running 1 test\nreport\ntest t - should panic ... ok\n\ntest result: ok. 1 passed\n";
        let (out, verdict) = shown(run, "t");
        assert_eq!(out, "report\n");
        assert_eq!(verdict.as_deref(), Some("test t - should panic ... ok"));
    }

    #[test]
    fn output_without_a_last_newline_keeps_its_end() {
        let run = "running 1 test\nfirst\nno newlinetest a::t ... ok\ntest result: ok.\n";
        let (out, _) = shown(run, "a::t");
        assert_eq!(out, "first\nno newline\n");
    }

    #[test]
    fn the_tests_name_in_its_own_output_is_not_a_verdict() {
        let run = "running 1 test\nsee test t ... for details\ntest t ... ok\n";
        assert_eq!(shown(run, "t").0, "see test t ... for details\n");
    }

    #[test]
    fn output_without_libtests_lines_is_kept_whole() {
        assert_eq!(shown("just this", "t"), ("just this\n".to_owned(), None));
    }
}
