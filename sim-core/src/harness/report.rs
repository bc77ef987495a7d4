//! The failure block a `#[sim_test]` prints: what failed, where, with
//! which seed, and the exact commands that bring the failure back.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use super::artifact::Target;
use super::target;
use crate::{Assertions, Failure};

/// Everything the block shows besides the failure itself.
pub(crate) struct Context<'a> {
    pub(crate) test: &'a str,
    pub(crate) package: &'a str,
    pub(crate) target: &'a Target,
    /// Where the artifact went, or why it could not be written.
    pub(crate) artifact: Result<&'a Path, String>,
    /// `DETSIM_*` settings that the replay needs besides the seed.
    pub(crate) extra_env: &'a [(&'static str, String)],
    /// Cargo's feature flags that rebuild the test
    /// ([`target::cargo_features`]).
    pub(crate) features: &'a [String],
}

/// Renders the report of one failing seed.
pub(crate) fn render(failure: &Failure, cx: &Context<'_>) -> String {
    let mut out = String::new();
    let seed = failure.seed();
    let _ = writeln!(
        out,
        "detsim: test {} failed (package {}, {})",
        cx.test,
        cx.package,
        target::selector(cx.target)
    );
    let field = |out: &mut String, name: &str, value: &dyn std::fmt::Display| {
        let _ = writeln!(out, "  {:<13} {value}", format!("{name}:"));
    };
    field(&mut out, "seed", &format_args!("{seed:#x} ({seed})"));
    field(&mut out, "kind", &failure.kind());
    field(&mut out, "scheduler", &failure.scheduler());
    if let Some(task) = failure.task() {
        field(&mut out, "task", task);
    }
    field(&mut out, "virtual time", &failure.time());
    field(&mut out, "steps", &failure.steps());
    field(&mut out, "fingerprint", &failure.fingerprint());
    field(&mut out, "message", &indent_rest(failure.message()));
    if let Some(at) = failure.location() {
        field(&mut out, "at", &at);
    }
    match &cx.artifact {
        Ok(path) => field(&mut out, "artifact", &path.display()),
        Err(why) => field(&mut out, "artifact", &format_args!("not written: {why}")),
    }
    let _ = writeln!(out, "\n  what happened:");
    let mut body = String::new();
    let _ = failure.write_body(&mut body);
    for line in body.lines() {
        let _ = writeln!(out, "    {line}");
    }
    let run = target::cargo_test(cx.package, cx.target, cx.features, cx.test);
    let env: String = cx
        .extra_env
        .iter()
        .map(|(k, v)| format!("{k}={v} "))
        .collect();
    let _ = writeln!(out, "\n  replay it:");
    let _ = writeln!(out, "    DETSIM_SEED={seed:#x} {env}{run}");
    if let Ok(path) = &cx.artifact {
        let path = target::shell_word(&path.to_string_lossy()).into_owned();
        let features = target::feature_flags(cx.features);
        let _ = writeln!(out, "    cargo detsim replay {path}{features}");
        let _ = writeln!(out, "    DETSIM_REPLAY={path} {run}");
    }
    if let Some(bt) = failure.backtrace() {
        let _ = writeln!(out, "\n  backtrace:\n{bt}");
    }
    if let Some(trace) = failure.trace() {
        let shown = trace.len().min(TRACE_TAIL);
        let _ = writeln!(
            out,
            "\n  trace (the last {shown} of {} events):",
            trace.len()
        );
        for line in trace.tail(TRACE_TAIL).to_string().lines() {
            let _ = writeln!(out, "    {line}");
        }
    }
    out
}

/// How many events of a traced failure's trace the report shows.
const TRACE_TAIL: usize = 60;

/// The block a sweep fails with when some `assert_sometimes!` never held
/// or some `assert_reachable!` was never reached (`None` if all were).
pub(crate) fn unmet(test: &str, assertions: &Assertions) -> Option<String> {
    let unmet = assertions.unmet();
    if unmet.is_empty() {
        return None;
    }
    let runs = assertions.runs();
    let mut out = format!(
        "detsim: test {test} failed: {} assertion{} never satisfied in {runs} run{}:\n",
        unmet.len(),
        if unmet.len() == 1 { "" } else { "s" },
        if runs == 1 { "" } else { "s" },
    );
    for s in unmet {
        let _ = writeln!(out, "  {s}");
    }
    out.push_str(
        "  an assert_sometimes! must be true, and an assert_reachable! reached, in at least one \
         run of a sweep: no seed brought the code there. Sweep more seeds (DETSIM_SEEDS), add \
         faults that reach it (buggify!, network faults, node kills), or fix the assertion\n",
    );
    Some(out)
}

/// Continuation lines of a multi-line message, aligned under the first.
fn indent_rest(message: &str) -> String {
    let mut lines = message.lines();
    let mut out = lines.next().unwrap_or_default().to_owned();
    for line in lines {
        out.push_str("\n                ");
        out.push_str(line);
    }
    out
}

/// The one line a sweep ends with.
pub(crate) fn summary(
    test: &str,
    run: u64,
    planned: u64,
    failed: &[u64],
    elapsed: Duration,
    jobs: usize,
) -> String {
    let rate = if elapsed.is_zero() {
        run as f64
    } else {
        run as f64 / elapsed.as_secs_f64()
    };
    let mut line = format!(
        "detsim: {test}: {run} of {planned} seeds run, {} failed",
        failed.len()
    );
    if let Some(first) = failed.iter().min() {
        let _ = write!(line, " (smallest failing seed {first:#x})");
    }
    let _ = write!(line, ", {rate:.0} seeds/s on {jobs} job");
    if jobs != 1 {
        line.push('s');
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_line() {
        let s = summary("t", 250, 1000, &[0x30, 0x2a], Duration::from_millis(500), 2);
        assert_eq!(
            s,
            "detsim: t: 250 of 1000 seeds run, 2 failed (smallest failing seed 0x2a), \
             500 seeds/s on 2 jobs"
        );
        let one = summary("t", 10, 10, &[], Duration::ZERO, 1);
        assert_eq!(
            one,
            "detsim: t: 10 of 10 seeds run, 0 failed, 10 seeds/s on 1 job"
        );
    }

    /// The printed commands paste into a shell as they are: a path with
    /// a space (a project under "My Projects") stays one word.
    #[test]
    fn replay_commands_quote_paths_for_the_shell() {
        let mut sim = crate::Builder::new().seed(3).build();
        let failure = sim.run(async { panic!("boom") }).unwrap_err();
        let target = Target {
            kind: "test".into(),
            name: "net".into(),
        };
        let path = Path::new("/home/me/My Projects/kv/target/detsim/failures/x's.json");
        let text = render(
            &failure,
            &Context {
                test: "tests::t",
                package: "kv",
                target: &target,
                artifact: Ok(path),
                extra_env: &[],
                features: &[],
            },
        );
        let quoted = r"'/home/me/My Projects/kv/target/detsim/failures/x'\''s.json'";
        assert!(
            text.contains(&format!("    cargo detsim replay {quoted}\n")),
            "{text}"
        );
        assert!(
            text.contains(&format!(
                "    DETSIM_REPLAY={quoted} cargo test -p kv --test net -- tests::t --exact\n"
            )),
            "{text}"
        );
        // The artifact line is a path to read, not a command: as it is.
        assert!(
            text.contains(&format!("artifact:     {}\n", path.display())),
            "{text}"
        );
    }

    #[test]
    fn multi_line_messages_stay_aligned() {
        assert_eq!(indent_rest("a\nb"), "a\n                b");
    }
}
