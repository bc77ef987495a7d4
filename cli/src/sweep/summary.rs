//! The end of a sweep: the summary table printed per test (with each
//! failure's replay commands) and the `--json` report.

use std::path::Path;

use serde_json::{Value, json};
use sim_core::harness::{failure_headline, shell_word};

use super::TestResult;
use crate::args::{Seeds, Sweep};
use crate::error::CliError;
use crate::out::say;

/// The most failing seeds of a test the summary lists; the `--json`
/// report has them all.
const MAX_LISTED: usize = 10;

/// `flags`: the build's feature flags and `--release`, for the printed
/// replay commands; `json`: the `--json` report, which lists every
/// failing seed.
pub(super) fn print_summary(results: &[TestResult], flags: &str, json: Option<&Path>) {
    let width = results
        .iter()
        .map(|r| r.test.test.len())
        .max()
        .unwrap_or(4)
        .max(4);
    say!(
        "\n{:<width$}  {:<18}  {:>15}  {:>6}  {:>14}  {:>8}",
        "test",
        "target",
        "seeds run",
        "failed",
        "first failing",
        "seeds/s"
    );
    for r in results {
        let first = r
            .failures
            .first()
            .and_then(|f| f["seed"].as_u64())
            .map_or("-".to_owned(), |s| format!("{s:#x}"));
        let rate = r.run() as f64 / r.elapsed.as_secs_f64().max(1e-9);
        say!(
            "{:<width$}  {:<18}  {:>15}  {:>6}  {:>14}  {:>8.0}",
            r.test.test,
            r.test.binary.selector(),
            format!("{}/{}", r.run(), r.seeds.len()),
            r.failures.len(),
            first,
            rate
        );
    }
    for r in results {
        if let Some(f) = r.failures.first() {
            let (status, why) = match (r.should_panic(), r.failed_as_expected()) {
                (true, true) => ("PASSED", " failed as its #[should_panic] expects"),
                _ => ("FAILED", ""),
            };
            say!(
                "\n{status} {} (package {}, {}): seed {:#x}{why}: {}",
                r.test.test,
                r.test.binary.package,
                r.test.binary.selector(),
                f["seed"].as_u64().unwrap_or(0),
                headline(f),
            );
            if let (true, false, Some(e)) = (r.should_panic(), r.failed_as_expected(), r.expected())
            {
                say!(
                    "  #[should_panic] expects a failure whose message contains {e:?}: fix the \
                     test or its expected text"
                );
            }
            print_artifact(f, "  ", flags);
            print_more(&r.failures[1..], flags, json);
        } else if r.should_panic() {
            say!(
                "\nFAILED {} (package {}, {}): it is #[should_panic], but none of the {} seeds \
                 run failed: sweep more seeds, or remove #[should_panic] if the bug is fixed",
                r.test.test,
                r.test.binary.package,
                r.test.binary.selector(),
                r.run(),
            );
            continue;
        }
        // A #[should_panic] test is judged by its failure alone.
        if !r.unmet.is_empty() && !r.should_panic() {
            say!(
                "\nFAILED {}: never satisfied in {} runs: {}",
                r.test.test,
                r.run(),
                r.unmet.join("; ")
            );
        }
    }
}

/// A failure's kind and the first line of its message: `panic: x`, or
/// `time limit: virtual time would pass ...` (whose message starts with
/// its kind already), by the harness's rule for a message that names its
/// kind ([`failure_headline`]), which the replay and shrink lines follow
/// too.
fn headline(f: &Value) -> String {
    let kind = f["kind"].as_str().unwrap_or("failure");
    failure_headline(kind, f["message"].as_str().unwrap_or_default())
}

/// A failure's artifact and the command that replays it, each line
/// starting with `indent`.
fn print_artifact(f: &Value, indent: &str, flags: &str) {
    match f["artifact"].as_str() {
        Some(a) => {
            say!("{indent}artifact: {a}");
            say!(
                "{indent}replay:   cargo detsim replay {}{flags}",
                shell_word(a)
            );
        }
        None => say!("{indent}artifact: not written (see the test's output)"),
    }
}

/// The failing seeds after a test's first (a `--keep-going` sweep's):
/// each with its failure, artifact and replay, up to [`MAX_LISTED`] in
/// all, then how many more and where they are listed.
fn print_more(more: &[Value], flags: &str, json: Option<&Path>) {
    if more.is_empty() {
        return;
    }
    say!(
        "  and {} more failing seed{}:",
        more.len(),
        if more.len() == 1 { "" } else { "s" }
    );
    let shown = more.len().min(MAX_LISTED - 1);
    for f in &more[..shown] {
        say!(
            "  seed {:#x}: {}",
            f["seed"].as_u64().unwrap_or(0),
            headline(f)
        );
        print_artifact(f, "    ", flags);
    }
    let rest = more.len() - shown;
    if rest > 0 {
        say!(
            "  and {rest} more failing seed{}, {}",
            if rest == 1 { "" } else { "s" },
            match json {
                Some(path) => format!("listed in {} (its failures)", path.display()),
                None => "not listed here: give --json FILE to list them all".to_owned(),
            }
        );
    }
}

pub(super) fn write_json(
    path: &std::path::Path,
    args: &Sweep,
    results: &[TestResult],
) -> Result<(), CliError> {
    let tests: Vec<Value> = results
        .iter()
        .map(|r| {
            json!({
                "test": r.test.test,
                "package": r.test.binary.package,
                "target": { "kind": r.test.binary.kind, "name": r.test.binary.name },
                "seeds": seeds_json(r.seeds),
                "run": r.run(),
                "chunks": r.chunks.iter().map(|c| json!({
                    "base": c.base, "count": c.count, "run": c.run,
                })).collect::<Vec<_>>(),
                "failures": r.failures,
                "unmet": r.unmet,
                "should_panic": r.should_panic(),
                "passed": !r.failed(),
                "elapsed_ms": r.elapsed.as_millis() as u64,
            })
        })
        .collect();
    let value = json!({
        "format": "detsim-sweep",
        "version": 1,
        "seeds": seeds_json(args.seeds),
        "shard": args.shard.map(|s| json!({ "index": s.index, "count": s.count })),
        "keep_going": args.keep_going,
        "passed": !results.iter().any(TestResult::failed),
        "tests": tests,
    });
    let text = serde_json::to_string_pretty(&value).unwrap_or_default();
    std::fs::write(path, text + "\n").map_err(|e| {
        CliError::new(format!(
            "cannot write --json {}: {e}; give a path in a writable directory",
            path.display()
        ))
    })
}

/// `{"start","end","last"}`: `end` (excluded) is null for a range that
/// ends at u64::MAX, `last` (included) for an empty one.
fn seeds_json(seeds: Seeds) -> Value {
    json!({ "start": seeds.start, "end": seeds.end(), "last": seeds.last() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failures_headline_says_its_kind_once() {
        let f = json!({
            "kind": "time limit",
            "message": "time limit: virtual time would pass the limit of 10s\nmore",
        });
        assert_eq!(
            headline(&f),
            "time limit: virtual time would pass the limit of 10s"
        );
        let f = json!({ "kind": "panic", "message": "time limit: a panic's own text" });
        assert_eq!(headline(&f), "panic: time limit: a panic's own text");
        assert_eq!(headline(&json!({})), "failure: ");
        // A strict hygiene failure's message names its kind with " (",
        // not ": ": once, as in the test's own report.
        let f = json!({
            "kind": "hygiene",
            "message": "hygiene (strict mode): the run ended with 1 live task and 0 armed timers",
        });
        assert_eq!(
            headline(&f),
            "hygiene (strict mode): the run ended with 1 live task and 0 armed timers"
        );
        let f = json!({ "kind": "error", "message": "errors: 3" });
        assert_eq!(headline(&f), "error: errors: 3");
    }
}
