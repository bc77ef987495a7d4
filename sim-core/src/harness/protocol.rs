//! The machine-readable side of `#[sim_test]`, for `cargo detsim`: JSON
//! lines a test binary appends to files the CLI names in the environment,
//! so the CLI never parses the human report.
//!
//! | variable | what the harness writes there |
//! |---|---|
//! | `DETSIM_LIST=<file>` | one `{"event":"test",...}` line per `#[sim_test]` run, which then returns without running a seed |
//! | `DETSIM_REPORT=<file>` | after a sweep: one `{"event":"failure",...}` line per failing seed and one `{"event":"sweep",...}` line; after a replay: one `{"event":"replay",...}` line; after a shrink that wrote its artifact: one `{"event":"shrunk","artifact":...}` line |
//! | `DETSIM_TRACE_JSON=<file>` | with `DETSIM_REPLAY`: the failing run's trace, one `{"event":"trace",...}` line per event |
//!
//! Every line is one JSON object with an `"event"` field; the CLI ignores
//! fields it does not know, so lines can grow. With `DETSIM_REPORT` set, a
//! sweep does not fail for an `assert_sometimes!` it never saw hold: one
//! chunk of a sweep cannot judge that, so the line lists the unmet
//! assertions and the CLI fails when every chunk missed one.

use std::io::Write as _;
use std::path::Path;

use serde_json::{Value, json};

use super::artifact::Target;
use super::spec::{TestAttrs, TestSpec};
use crate::{Assertions, Failure, Trace};

/// Appends `value` as one line to `path` (created if missing). A file the
/// CLI cannot get is a broken protocol: say so on stderr, where the CLI
/// shows it.
fn append(path: &Path, value: &Value) {
    let line = format!("{value}\n");
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| f.write_all(line.as_bytes()));
    if let Err(e) = written {
        eprintln!("detsim: cannot write to {}: {e}", path.display());
    }
}

fn target_json(target: &Target) -> Value {
    json!({ "kind": target.kind, "name": target.name })
}

/// `DETSIM_LIST`: what the test is and what its attribute asked for.
pub(crate) fn list(path: &Path, spec: &TestSpec, attrs: &TestAttrs, target: &Target) {
    let scheduler = attrs.scheduler.map(super::env::scheduler_name);
    append(
        path,
        &json!({
            "event": "test",
            "test": spec.test_name(),
            "package": spec.package,
            "target": target_json(target),
            "seed": attrs.seed,
            "seeds": attrs.seeds,
            "scheduler": scheduler,
            "time_limit_ns": attrs.time_limit.map(crate::latency::nanos),
            "max_steps": attrs.max_steps,
            "strict": attrs.strict,
            "check_determinism": attrs.check_determinism,
            "should_panic": attrs.should_panic.is_some(),
            "expected": attrs.should_panic.flatten(),
        }),
    );
}

/// The fields of a failure the CLI shows and aggregates.
fn failure_json(failure: &Failure) -> Value {
    json!({
        "seed": failure.seed(),
        "kind": failure.kind().to_string(),
        "message": failure.message(),
        "fingerprint": failure.fingerprint().to_string(),
        "steps": failure.steps(),
        "virtual_time_ns": failure.time().as_nanos(),
    })
}

/// One failing seed of a sweep, with where its artifact went.
pub(crate) fn failure(path: &Path, test: &str, failure: &Failure, artifact: Option<&Path>) {
    let mut value = failure_json(failure);
    value["event"] = json!("failure");
    value["test"] = json!(test);
    value["artifact"] = json!(artifact.map(|p| p.display().to_string()));
    append(path, &value);
}

/// The end of a sweep: which seeds it was given, how many ran, which
/// failed, and the `sometimes`/`reachable` assertions it never satisfied.
pub(crate) fn sweep(
    path: &Path,
    test: &str,
    (base, count, run): (u64, u64, u64),
    failed: &[u64],
    assertions: &Assertions,
) {
    let unmet: Vec<String> = assertions
        .unmet()
        .iter()
        .map(|s| format!("{} {:?} at {}", s.kind(), s.message(), s.location()))
        .collect();
    append(
        path,
        &json!({
            "event": "sweep",
            "test": test,
            "base": base,
            "count": count,
            "run": run,
            "failed": failed,
            "unmet": unmet,
        }),
    );
}

/// `DETSIM_SHRINK` succeeded: the shrunk artifact was written at
/// `artifact` (until this line, a file there may be an earlier shrink's).
pub(crate) fn shrunk(path: &Path, artifact: &Path) {
    append(
        path,
        &json!({
            "event": "shrunk",
            "artifact": artifact.display().to_string(),
        }),
    );
}

/// How a replay went: `same` (the recorded failure, the same fingerprint),
/// `different` (another failure or fingerprint: the code or the build
/// changed), `passed`, `nondeterminism` (found again), or `not-this-test`
/// (the artifact belongs to another test).
pub(crate) fn replay(path: &Path, outcome: &str, recorded: &str, now: Option<&Failure>) {
    append(
        path,
        &json!({
            "event": "replay",
            "outcome": outcome,
            "recorded_fingerprint": recorded,
            "now": now.map(failure_json),
        }),
    );
}

/// `DETSIM_TRACE_JSON`: every line of a trace, with its fields; first, if
/// the trace limit dropped earlier events, a `{"event":"trace-dropped",
/// "dropped":N,"line":"... N earlier events dropped; raise trace_limit"}`.
pub(crate) fn trace(path: &Path, trace: &Trace) {
    let mut out = String::new();
    if let Some(notice) = trace.dropped_notice() {
        let value = json!({
            "event": "trace-dropped",
            "dropped": trace.dropped(),
            "line": notice,
        });
        out.push_str(&value.to_string());
        out.push('\n');
    }
    for line in trace.lines() {
        let value = json!({
            "event": "trace",
            "time_ns": line.time().as_nanos(),
            "node": line.node(),
            "task": line.task(),
            "task_name": line.task_name(),
            "kind": line.kind().to_string(),
            "text": line.text(),
            "line": line.to_string().trim_end(),
        });
        out.push_str(&value.to_string());
        out.push('\n');
    }
    if let Err(e) = std::fs::write(path, out) {
        eprintln!("detsim: cannot write the trace to {}: {e}", path.display());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(path: &Path) -> Vec<Value> {
        let text = std::fs::read_to_string(path).unwrap();
        text.lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    fn scratch(name: &str) -> std::path::PathBuf {
        let p = std::env::temp_dir().join(format!("detsim-protocol-{}-{name}", std::process::id()));
        let _ = std::fs::remove_file(&p);
        p
    }

    #[test]
    fn a_failure_and_its_trace_as_json_lines() {
        let mut sim = crate::Sim::builder().seed(4).trace(true).build();
        let f = sim.run(async { panic!("boom") }).unwrap_err();
        let report = scratch("report");
        failure(&report, "t", &f, Some(Path::new("a.json")));
        failure(&report, "t", &f, None);
        let got = lines(&report);
        assert_eq!(got.len(), 2, "appended, one line each");
        assert_eq!(got[0]["event"], "failure");
        assert_eq!(got[0]["seed"], 4);
        assert_eq!(got[0]["kind"], "panic");
        assert_eq!(got[0]["message"], "boom");
        assert_eq!(got[0]["fingerprint"], f.fingerprint().to_string());
        assert_eq!(got[0]["artifact"], "a.json");
        assert!(got[1]["artifact"].is_null());

        let out = scratch("trace");
        let t = f.trace().unwrap();
        trace(&out, t);
        let got = lines(&out);
        assert_eq!(got.len(), t.len());
        // The run ends in the main task's poll, which panicked.
        let last = got.last().unwrap();
        assert_eq!(last["kind"], "poll");
        assert_eq!(last["task"], 0);
        assert_eq!(last["task_name"], "main");
        assert_eq!(last["node"], "main");
        assert_eq!(last["time_ns"], 0);
        assert_eq!(
            last["line"],
            t.lines().last().unwrap().to_string().trim_end()
        );
        let _ = std::fs::remove_file(report);
        let _ = std::fs::remove_file(out);
    }

    #[test]
    fn a_trace_that_dropped_events_says_so_on_its_first_line() {
        let mut sim = crate::Sim::builder().trace(true).trace_limit(4).build();
        sim.run(async { crate::yield_now().await }).unwrap();
        let t = sim.trace().unwrap();
        let out = scratch("dropped");
        trace(&out, &t);
        let got = lines(&out);
        assert_eq!(got.len(), 5);
        assert_eq!(got[0]["event"], "trace-dropped");
        assert_eq!(got[0]["dropped"], t.dropped());
        assert_eq!(
            got[0]["line"].as_str(),
            t.to_string().lines().next(),
            "the rendered trace's first line"
        );
        assert!(got[1..].iter().all(|l| l["event"] == "trace"));
        let _ = std::fs::remove_file(out);
    }

    #[test]
    fn a_sweep_line_lists_what_ran_and_the_unmet_assertions() {
        let path = scratch("sweep");
        sweep(&path, "t", (10, 5, 3), &[11], &Assertions::default());
        let got = lines(&path);
        assert_eq!(got[0]["event"], "sweep");
        assert_eq!(
            (got[0]["base"].as_u64(), got[0]["count"].as_u64()),
            (Some(10), Some(5))
        );
        assert_eq!(got[0]["run"], 3);
        assert_eq!(got[0]["failed"], json!([11]));
        assert_eq!(got[0]["unmet"], json!([]));
        let _ = std::fs::remove_file(path);
    }
}
