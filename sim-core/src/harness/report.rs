//! The failure block a `#[sim_test]` prints: what failed, where, with
//! which seed, and the exact commands that bring the failure back.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use super::artifact::Target;
use super::{profile, target};
use crate::{Assertions, Failure, FailureKind};

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
    /// The cargo profile that rebuilds the test (see `profile.rs`): the
    /// printed commands carry its flag (`--release`).
    pub(crate) profile: &'a str,
    /// Whether `DETSIM_SEED` reruns the run: not for a shrunk run, which
    /// only its artifact's tape replays.
    pub(crate) seed_replays: bool,
    /// The run's virtual-time limit and where it came from, for the hint
    /// of a time-limit failure.
    pub(crate) time_limit: Option<(Duration, LimitFrom)>,
}

/// Where a `#[sim_test]`'s virtual-time limit came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LimitFrom {
    /// `DETSIM_TIME_LIMIT`, which overrides the attribute.
    Env,
    /// The attribute's `time_limit = "..."`.
    Attribute,
    /// Neither: detsim's default.
    Default,
    /// A replayed or shrunk artifact's recorded settings.
    Recorded,
}

/// How to raise the time limit of a run that reached `limit`, set as
/// `from` says: both ways, the attribute and `DETSIM_TIME_LIMIT` (which
/// overrides it). The limit it suggests, twice `limit`, is spelled as
/// both read it, as is `limit` ([`format_duration`](super::format_duration):
/// `2h`, not `7200s`), the way the failure's message spells it too.
fn time_limit_hint(limit: Duration, from: LimitFrom) -> String {
    // Capped where DETSIM_TIME_LIMIT stops parsing (u64 nanoseconds).
    let twice = super::format_duration(limit.saturating_mul(2).min(Duration::from_nanos(u64::MAX)));
    let limit = super::format_duration(limit);
    let both = format!(
        "#[sim_test(time_limit = \"{twice}\")], or for one run with DETSIM_TIME_LIMIT={twice} \
         (which overrides the attribute)"
    );
    match from {
        LimitFrom::Env => format!(
            "the limit of {limit} came from DETSIM_TIME_LIMIT: raise it there \
             (DETSIM_TIME_LIMIT={twice}), or unset it for the test's own limit"
        ),
        LimitFrom::Attribute => format!(
            "the limit of {limit} came from the test's #[sim_test(time_limit = ...)]: raise \
             it with {both}"
        ),
        LimitFrom::Default => {
            format!("the limit of {limit} is detsim's default: raise it with {both}")
        }
        LimitFrom::Recorded => format!(
            "the artifact recorded a limit of {limit}: to run longer, raise the test's limit \
             with {both}, and run the seed again"
        ),
    }
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
    if let (FailureKind::TimeLimit, Some((limit, from))) = (failure.kind(), cx.time_limit) {
        let _ = writeln!(out, "    hint: {}", time_limit_hint(limit, from));
    }
    let run = target::cargo_test(cx.package, cx.target, cx.features, cx.profile, cx.test);
    let env: String = cx
        .extra_env
        .iter()
        .map(|(k, v)| format!("{k}={v} "))
        .collect();
    let _ = writeln!(out, "\n  replay it:");
    if cx.seed_replays {
        let _ = writeln!(out, "    DETSIM_SEED={seed:#x} {env}{run}");
    }
    if let Ok(path) = &cx.artifact {
        let path = target::shell_word(&path.to_string_lossy()).into_owned();
        let flags = target::feature_flags(cx.features) + &profile::flag(cx.profile);
        let _ = writeln!(out, "    cargo detsim replay {path}{flags}");
        let _ = writeln!(out, "    DETSIM_REPLAY={path} {run}");
    } else if !cx.seed_replays {
        let _ = writeln!(
            out,
            "    (no command: only the unwritten artifact replays this run)"
        );
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

/// A failure as one phrase that names its kind once, quoting the first
/// line of its message: `panic "boom"`, or the quoted line alone when it
/// starts with the kind already, as the messages of time limits, step
/// limits, deadlocks and strict hygiene do (`"time limit: virtual time
/// would pass ..."`, not `time limit "time limit: ..."`).
///
/// ```
/// use detsim::harness::quote_failure;
/// assert_eq!(quote_failure("panic", "boom\nmore"), r#"panic "boom""#);
/// assert_eq!(
///     quote_failure("time limit", "time limit: virtual time would pass 1s"),
///     r#""time limit: virtual time would pass 1s""#
/// );
/// assert_eq!(
///     quote_failure("hygiene", "hygiene (strict mode): 1 live task"),
///     r#""hygiene (strict mode): 1 live task""#
/// );
/// assert_eq!(quote_failure("error", "error budget spent"), r#"error "error budget spent""#);
/// ```
#[doc(hidden)]
pub fn quote_failure(kind: &str, message: &str) -> String {
    let first = message.lines().next().unwrap_or_default();
    if names_kind(kind, first) {
        format!("\"{first}\"")
    } else {
        format!("{kind} \"{first}\"")
    }
}

/// `text` (a failure's message, or part of it) as "the ... failure"
/// phrases name a failure: `panic failure "boom"`, or `failure "time
/// limit: ..."` when `text` starts with its kind already (see
/// [`quote_failure`]).
pub(crate) fn kind_failure(kind: &str, text: &str) -> String {
    if names_kind(kind, text) {
        format!("failure \"{text}\"")
    } else {
        format!("{kind} failure \"{text}\"")
    }
}

/// A failure as one unquoted line that names its kind once, for lists of
/// failures (`cargo detsim sweep`'s summary): the first line of its
/// message after the kind (`panic: boom`), or the line alone when it
/// starts with the kind already, by the rule of [`quote_failure`] (the
/// kind followed by `:` or ` (`): `time limit: virtual time would pass
/// ...`, `hygiene (strict mode): ...`, not `hygiene: hygiene (strict
/// mode): ...`.
///
/// ```
/// use detsim::harness::failure_headline;
/// assert_eq!(failure_headline("panic", "boom\nmore"), "panic: boom");
/// assert_eq!(
///     failure_headline("time limit", "time limit: virtual time would pass 1s"),
///     "time limit: virtual time would pass 1s"
/// );
/// assert_eq!(
///     failure_headline("hygiene", "hygiene (strict mode): 1 live task"),
///     "hygiene (strict mode): 1 live task"
/// );
/// // A message that only starts with the kind's letters is the message.
/// assert_eq!(failure_headline("error", "errors: 3"), "error: errors: 3");
/// ```
#[doc(hidden)]
pub fn failure_headline(kind: &str, message: &str) -> String {
    let first = message.lines().next().unwrap_or_default();
    if names_kind(kind, first) {
        first.to_owned()
    } else {
        format!("{kind}: {first}")
    }
}

/// Whether `text` begins by naming failure kind `kind`.
fn names_kind(kind: &str, text: &str) -> bool {
    text.strip_prefix(kind)
        .is_some_and(|rest| rest.starts_with(':') || rest.starts_with(" ("))
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

    #[test]
    fn a_failure_phrase_names_its_kind_once() {
        assert_eq!(
            super::kind_failure("panic", "boom"),
            r#"panic failure "boom""#
        );
        assert_eq!(
            super::kind_failure("time limit", "time limit: 1s passed"),
            r#"failure "time limit: 1s passed""#
        );
        assert_eq!(
            super::kind_failure("deadlock", "deadlock (2 tasks)"),
            r#"failure "deadlock (2 tasks)""#
        );
        assert_eq!(
            super::kind_failure("error", "error budget spent"),
            r#"error failure "error budget spent""#
        );
    }

    #[test]
    fn a_failure_headline_names_its_kind_once() {
        let line = super::failure_headline;
        assert_eq!(line("panic", "boom\nmore"), "panic: boom");
        assert_eq!(line("panic", ""), "panic: ");
        // The kind and ':' or ' (': the message names it already.
        assert_eq!(
            line("time limit", "time limit: 1s passed\nmore"),
            "time limit: 1s passed"
        );
        assert_eq!(line("time limit", "time limit:1s"), "time limit:1s");
        assert_eq!(line("deadlock", "deadlock (2 tasks)"), "deadlock (2 tasks)");
        assert_eq!(
            line("hygiene", "hygiene (strict mode): 1 live task"),
            "hygiene (strict mode): 1 live task"
        );
        // Anything else after the kind's letters: a message of its own.
        assert_eq!(
            line("error", "error budget spent"),
            "error: error budget spent"
        );
        assert_eq!(line("error", "errors: 3"), "error: errors: 3");
        assert_eq!(line("time limit", "time limit"), "time limit: time limit");
        assert_eq!(
            line("panic", "time limit: a panic's text"),
            "panic: time limit: a panic's text"
        );
    }
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
                profile: "dev",
                seed_replays: true,
                time_limit: None,
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

    /// The context of a report in `tests::t` of `kv`'s `--test net`, with
    /// its artifact at `a.json`.
    fn context<'a>(target: &'a Target, profile: &'a str) -> Context<'a> {
        Context {
            test: "tests::t",
            package: "kv",
            target,
            artifact: Ok(Path::new("a.json")),
            extra_env: &[],
            features: &[],
            profile,
            seed_replays: true,
            time_limit: None,
        }
    }

    /// The command lines under "replay it:".
    fn commands(text: &str) -> Vec<&str> {
        let (_, rest) = text.split_once("replay it:\n").unwrap();
        rest.lines()
            .take_while(|l| !l.is_empty())
            .map(str::trim)
            .collect()
    }

    #[test]
    fn every_command_of_a_release_build_builds_with_release() {
        let mut sim = crate::Builder::new().seed(3).build();
        let failure = sim.run(async { panic!("boom") }).unwrap_err();
        let target = Target {
            kind: "test".into(),
            name: "net".into(),
        };
        let text = render(&failure, &context(&target, "release"));
        let test = "cargo test -p kv --test net --release -- tests::t --exact";
        assert_eq!(
            commands(&text),
            [
                format!("DETSIM_SEED=0x3 {test}"),
                "cargo detsim replay a.json --release".to_owned(),
                format!("DETSIM_REPLAY=a.json {test}"),
            ],
            "{text}"
        );
        let text = render(&failure, &context(&target, "ci"));
        assert!(
            commands(&text).iter().all(|c| c.contains(" --profile ci")),
            "{text}"
        );
        let text = render(&failure, &context(&target, "dev"));
        assert!(
            commands(&text)
                .iter()
                .all(|c| !c.contains("--release") && !c.contains("--profile")),
            "{text}"
        );
    }

    /// A shrunk run's seed reruns the run before shrinking: only its
    /// artifact replays it.
    #[test]
    fn a_shrunk_runs_report_replays_it_by_its_artifact_only() {
        let mut sim = crate::Builder::new().seed(3).build();
        let failure = sim.run(async { panic!("boom") }).unwrap_err();
        let target = Target {
            kind: "test".into(),
            name: "net".into(),
        };
        let cx = Context {
            seed_replays: false,
            ..context(&target, "dev")
        };
        let text = render(&failure, &cx);
        assert_eq!(
            commands(&text),
            [
                "cargo detsim replay a.json",
                "DETSIM_REPLAY=a.json cargo test -p kv --test net -- tests::t --exact",
            ],
            "{text}"
        );
    }

    #[test]
    fn a_time_limit_failure_says_how_to_raise_the_limit_where_it_was_set() {
        let mut sim = crate::Builder::new()
            .time_limit(Duration::from_secs(10))
            .build();
        let failure = sim
            .run(sim_clock::sleep(Duration::from_secs(60)))
            .unwrap_err();
        assert_eq!(failure.kind(), FailureKind::TimeLimit);
        let target = Target {
            kind: "test".into(),
            name: "net".into(),
        };
        let hint = |from| {
            let cx = Context {
                time_limit: Some((Duration::from_secs(10), from)),
                ..context(&target, "dev")
            };
            let text = render(&failure, &cx);
            let line = text.lines().find(|l| l.trim().starts_with("hint: "));
            line.unwrap_or_else(|| panic!("no hint in:\n{text}"))
                .trim()
                .to_owned()
        };
        assert_eq!(
            hint(LimitFrom::Env),
            "hint: the limit of 10s came from DETSIM_TIME_LIMIT: raise it there \
             (DETSIM_TIME_LIMIT=20s), or unset it for the test's own limit"
        );
        for from in [
            LimitFrom::Attribute,
            LimitFrom::Default,
            LimitFrom::Recorded,
        ] {
            let text = hint(from);
            assert!(
                text.contains(
                    "#[sim_test(time_limit = \"20s\")], or for one run with \
                     DETSIM_TIME_LIMIT=20s (which overrides the attribute)"
                ),
                "{text}"
            );
        }
        // Another kind of failure has no such hint.
        let mut sim = crate::Builder::new().build();
        let panic = sim.run(async { panic!("boom") }).unwrap_err();
        let cx = Context {
            time_limit: Some((Duration::from_secs(10), LimitFrom::Env)),
            ..context(&target, "dev")
        };
        assert!(!render(&panic, &cx).contains("hint: "));
    }

    #[test]
    fn the_limit_a_hint_suggests_is_spelled_as_the_attribute_reads_it() {
        // detsim's default of an hour: raise it to 2h, not 7200s.
        let hint = time_limit_hint(crate::DEFAULT_TIME_LIMIT, LimitFrom::Default);
        assert_eq!(
            hint,
            "the limit of 1h is detsim's default: raise it with #[sim_test(time_limit = \"2h\")], \
             or for one run with DETSIM_TIME_LIMIT=2h (which overrides the attribute)"
        );
        let hint = time_limit_hint(Duration::from_micros(750), LimitFrom::Env);
        assert!(hint.contains("(DETSIM_TIME_LIMIT=1500us)"), "{hint}");
    }

    #[test]
    fn multi_line_messages_stay_aligned() {
        assert_eq!(indent_rest("a\nb"), "a\n                b");
    }
}
