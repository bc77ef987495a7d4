//! The end of a sweep: the summary table printed per test (with each
//! failure's replay commands) and the `--json` report.

use serde_json::{Value, json};
use sim_core::harness::shell_word;

use super::TestResult;
use crate::args::{Seeds, Sweep};
use crate::error::CliError;
use crate::out::say;

/// `flags`: the build's feature flags and `--release`, for the printed
/// replay commands.
pub(super) fn print_summary(results: &[TestResult], flags: &str) {
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
            let message = f["message"].as_str().unwrap_or_default();
            let (status, why) = match (r.should_panic(), r.failed_as_expected()) {
                (true, true) => ("PASSED", " failed as its #[should_panic] expects"),
                _ => ("FAILED", ""),
            };
            say!(
                "\n{status} {} (package {}, {}): seed {:#x}{why}: {}: {}",
                r.test.test,
                r.test.binary.package,
                r.test.binary.selector(),
                f["seed"].as_u64().unwrap_or(0),
                f["kind"].as_str().unwrap_or("failure"),
                message.lines().next().unwrap_or_default()
            );
            if let (true, false, Some(e)) = (r.should_panic(), r.failed_as_expected(), r.expected())
            {
                say!(
                    "  #[should_panic] expects a failure whose message contains {e:?}: fix the \
                     test or its expected text"
                );
            }
            match f["artifact"].as_str() {
                Some(a) => {
                    say!("  artifact: {a}");
                    say!("  replay:   cargo detsim replay {}{flags}", shell_word(a));
                }
                None => say!("  artifact: not written (see the test's output)"),
            }
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
