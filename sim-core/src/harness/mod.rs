//! The test harness behind `#[sim_test]`: seeds, environment overrides,
//! failure reports, replay artifacts and in-process seed sweeps.
//!
//! A `#[sim_test]` function becomes a `#[test]` that calls [`run_test`].
//! It runs the test's seeds (from the attribute, overridden by the
//! environment), one simulation per seed, on `DETSIM_JOBS` worker threads.
//! The first failing seed (the smallest, see below) fails the test with a
//! report of what happened and how to replay it, and leaves a replay
//! [`Artifact`] under `<cargo target dir>/detsim/failures/`. The commands
//! a report prints rebuild the test as it ran: with its cargo feature
//! flags and its profile (`--release` for a test binary cargo built into
//! `target/release`), which the artifact records too.
//!
//! | variable | meaning |
//! |---|---|
//! | `DETSIM_SEED` | the first seed (decimal or `0x` hex); alone, the only seed |
//! | `DETSIM_SEEDS` | how many consecutive seeds to run |
//! | `DETSIM_JOBS` | worker threads for a sweep (default: the cores) |
//! | `DETSIM_CHECK_DETERMINISM=1` | run each seed twice and compare |
//! | `DETSIM_REPLAY=<file>` | re-run an artifact's tape exactly |
//! | `DETSIM_TIME_LIMIT` | the virtual-time limit (`90s`, `10m`) |
//! | `DETSIM_SLOW_RUN` | the real time one seed's run may take before a live warning names it (default 10 s; see below) |
//! | `DETSIM_KEEP_GOING=1` | sweep every seed instead of stopping at a failure |
//! | `DETSIM_TRACE=1` | record each run's [`Trace`](crate::Trace); a failure report ends with its last events |
//! | `DETSIM_TRACE_LIMIT` | how many events a trace keeps, the last ones (default a million; see [`Builder::trace_limit`](crate::Builder::trace_limit)) |
//! | `DETSIM_SCHEDULER` | `random`, `fifo`, `pct` (depth 3), `pct:2` or `portfolio` |
//! | `DETSIM_SHRINK=<file>` | shrink an artifact's failing run; writes `<file stem>.shrunk.json` |
//! | `DETSIM_LIST`, `DETSIM_REPORT`, `DETSIM_TRACE_JSON` | files for `cargo detsim` (JSON lines, see `protocol.rs`) |
//! | `DETSIM_CARGO_FEATURES` | the feature flags `cargo detsim` built the test with (`--features x`): the printed commands carry them, artifacts record them |
//!
//! Under PCT or a portfolio, the harness first measures the steps of a run
//! ([`estimate_pct_steps`](crate::estimate_pct_steps)) and spreads PCT's
//! change points over that many; the failure report names the scheduler
//! each failing seed ran with, and its artifact records it with the step
//! estimate, so a replay runs the same schedule.
//!
//! Each seed's run is watched in real time by the watchdog thread that
//! also finds slow polls (never by the simulation, whose schedule real
//! time must not touch). A poll that holds the thread for 10 s and a run
//! whose polls keep returning but that has gone on past `DETSIM_SLOW_RUN`
//! (a livelock, a loop of timers, one seed doing far more work than the
//! others) each get one live line on stderr, while the test still runs,
//! naming the seed; the second also names the test, how long it has run
//! and its polls so far, and gives the command that runs the seed alone:
//!
//! ```text
//! detsim: seed 0x1f of test kv::elects_one_leader has run for 10s and goes on, its polls returning (81234 so far: ...); run it alone: DETSIM_SEED=0x1f cargo test -p kv --test raft -- elects_one_leader --exact
//! ```
//!
//! `cargo detsim sweep` shows these lines above its progress line and
//! names the seed in its notice of a chunk that runs long. At most one
//! such line a seed.
//!
//! With `RUST_LOG` set, the harness also turns on [`log`](crate::log), so
//! `tracing` events print stamped with virtual time, node and task.
//!
//! The environment is read once per process; a bad value fails every
//! `#[sim_test]` at once, naming the variable, the value and what is
//! accepted.

mod artifact;
mod env;
mod features;
mod profile;
mod protocol;
mod report;
mod rerun;
mod shrink;
mod spec;
mod sweep;
mod target;

pub use artifact::{ARTIFACT_VERSION, Artifact, ArtifactError};
#[doc(hidden)]
pub use env::format_duration;
#[doc(hidden)]
pub use features::CompiledFeatures;
pub(crate) use report::kind_failure;
#[doc(hidden)]
pub use report::{failure_headline, quote_failure};
#[doc(hidden)]
pub use spec::{TestAttrs, TestOutput, TestSpec};
#[doc(hidden)]
pub use target::shell_word;

use std::future::Future;
use std::io::Write as _;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::{Assertions, Builder, Failure};

/// Cap on the artifacts a keep-going sweep writes.
const MAX_ARTIFACTS: usize = 100;

/// Checks `DETSIM_*` variables (`vars`: names and values) as a test reads
/// them, for `cargo detsim`, which passes some of its environment on to
/// the tests it runs and reports a bad value once, up front. The error
/// names the variable, its value and the accepted forms.
#[doc(hidden)]
pub fn check_env(vars: &[(&str, std::ffi::OsString)]) -> Result<(), String> {
    env::parse(|name| {
        vars.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
    })
    .map(drop)
    .map_err(|e| e.to_string())
}

/// Runs a `#[sim_test]`: the macro's expansion calls this from the
/// generated `#[test]` function. Returns when every seed passed; otherwise
/// prints the failure report and fails the test (an unwind carrying the
/// report, without a backtrace from detsim's own frames).
///
/// ```no_run
/// use detsim::harness::{TestAttrs, TestSpec, run_test};
/// async fn it_works() {}
/// let spec = TestSpec {
///     path: "my_crate::it_works",
///     file: "src/lib.rs",
///     package: "my-crate",
///     crate_name: "my_crate",
///     bin_name: None,
///     target_tmpdir: None,
///     manifest_dir: ".",
///     features: detsim::harness::CompiledFeatures::UNKNOWN,
/// };
/// run_test(spec, TestAttrs::new().seed(7), it_works);
/// ```
#[doc(hidden)]
#[track_caller]
pub fn run_test<F, Fut>(spec: TestSpec, attrs: TestAttrs, test: F)
where
    F: Fn() -> Fut + Send + Sync + Copy + 'static,
    Fut: Future + 'static,
    Fut::Output: TestOutput,
{
    // The expansion's call, in the user's file: where the main task of
    // each run counts as spawned (a report names it, not this harness).
    let here = std::panic::Location::caller();
    crate::log::init_from_env();
    let env = match env::overrides() {
        Ok(env) => env,
        Err(e) => fail(e.to_string()),
    };
    if let Some(path) = &env.list {
        return protocol::list(path, &spec, &attrs, &target::target_of(&spec));
    }
    if let Some(path) = &env.replay {
        return replay(&spec, &resolve(path, &spec), env, test, here);
    }
    if let Some(path) = &env.shrink {
        return shrink::shrink(&spec, &resolve(path, &spec), test, here);
    }
    let mut builder = traced(Builder::new(), env.trace, env);
    builder.main_at = Some(here);
    if let Some(s) = env.scheduler.or(attrs.scheduler) {
        builder = builder.scheduler(s);
    }
    if let Some(limit) = env.time_limit.or(attrs.time_limit) {
        builder = builder.time_limit(limit);
    }
    if let Some(steps) = attrs.max_steps {
        builder = builder.max_steps(steps);
    }
    builder = builder.strict(attrs.strict);
    if let Err(e) = builder.clone().try_build() {
        fail(format!("detsim: test {} cannot run: {e}", spec.test_name()));
    }
    if builder.scheduler.uses_pct() {
        // PCT's change points are spread over the steps of a run: measure
        // them (see `estimate_pct_steps`). A calibration run that panics
        // past the simulation counts as one step; the sweep reports it.
        let k = std::panic::catch_unwind(AssertUnwindSafe(|| {
            crate::estimate_pct_steps(&builder, test)
        }))
        .unwrap_or(1);
        builder = builder.pct_steps(k);
    }
    let check = attrs.check_determinism || env.check_determinism;
    let count = env
        .seeds
        .or(env.seed.map(|_| 1))
        .or(attrs.seeds)
        .unwrap_or(1);
    let jobs = env.jobs.unwrap_or_else(|| {
        let cores = std::thread::available_parallelism(); // determinism: ok (jobs never change which seeds fail)
        cores.map_or(1, |n| n.get())
    });
    let plan = sweep::Plan {
        base: env.seed.or(attrs.seed).unwrap_or(0),
        count,
        jobs,
        keep_going: env.keep_going,
    };
    let mut extra_env = Vec::new();
    if let Some(limit) = env.time_limit {
        extra_env.push(("DETSIM_TIME_LIMIT", format_duration(limit)));
    }
    if env.check_determinism {
        extra_env.push(("DETSIM_CHECK_DETERMINISM", "1".to_owned()));
    }
    if let Some(s) = env.scheduler {
        extra_env.push(("DETSIM_SCHEDULER", env::scheduler_name(s)));
    }
    // The watchdog's line for a seed that runs long ends with the command
    // that runs it alone: `DETSIM_SEED=<seed> ` and this.
    let slow_run = env.slow_run.unwrap_or(crate::watchdog::DEFAULT_SLOW_RUN);
    let rerun: std::sync::Arc<str> = {
        let run = target::cargo_test(
            spec.package,
            &target::target_of(&spec),
            &target::cargo_features(&spec),
            profile::current(),
            spec.test_name(),
        );
        let env: String = extra_env.iter().map(|(k, v)| format!("{k}={v} ")).collect();
        format!("{env}{run}").into()
    };

    let started = std::time::Instant::now(); // determinism: ok (only for the summary's seeds/s)
    // Every run's assertions, merged (a sum: the same whatever the order
    // the workers finish in).
    let assertions = Mutex::new(Assertions::default());
    let outcome = sweep::sweep(plan, spec.test_name(), |seed| {
        let _watch = crate::watchdog::watch_run(spec.test_name(), seed, slow_run, rerun.clone());
        let builder = builder.clone().seed(seed);
        // A panic that escapes the simulation (say, in the Debug of a
        // returned error) still fails this seed, and stops the sweep.
        let run = AssertUnwindSafe(|| run_seed_with_assertions(builder.clone(), check, test));
        match std::panic::catch_unwind(run) {
            Ok((result, seen)) => {
                lock(&assertions).merge(&seen);
                result
            }
            Err(payload) => Err(Failure::escaped(&builder, payload.as_ref())),
        }
    });
    let mut assertions = assertions.into_inner().unwrap_or_else(|p| p.into_inner());
    assertions.declare(crate::assertions::declared_in(spec.path));
    let failing: Vec<u64> = outcome.failures.iter().map(|(s, _)| *s).collect();
    if let Some(path) = &env.report {
        let seeds = (plan.base, count, outcome.run);
        protocol::sweep(path, spec.test_name(), seeds, &failing, &assertions);
    }
    // One seed cannot show "sometimes": only sweeps enforce them (and
    // under `cargo detsim`, the CLI across its chunks).
    let unmet =
        (count > 1 && env.report.is_none() && (env.keep_going || outcome.failures.is_empty()))
            .then(|| report::unmet(spec.test_name(), &assertions))
            .flatten();
    let elapsed = started.elapsed();
    let jobs = plan
        .jobs
        .clamp(1, usize::try_from(count).unwrap_or(usize::MAX));
    let summary = report::summary(
        spec.test_name(),
        outcome.run,
        count,
        &failing,
        elapsed,
        jobs,
    );
    let Some((_, first)) = outcome.failures.first() else {
        if let Some(unmet) = unmet {
            fail(format!("{unmet}\n{summary}"));
        }
        if count > 1 {
            eprintln!("{summary}");
        }
        return;
    };
    let target = target::target_of(&spec);
    let mut written = Vec::new();
    for (_, failure) in outcome.failures.iter().take(MAX_ARTIFACTS) {
        // The seed's own scheduler (a portfolio picks one per seed).
        let config = artifact::Config::of(&builder.clone().seed(failure.seed()), check);
        let path =
            target::artifact_path(&spec, &target, failure.seed(), &config, profile::current());
        let art = Artifact::new(
            spec.test_name(),
            spec.path,
            spec.package,
            target.clone(),
            config,
            failure,
        )
        .built_with(&target::cargo_features(&spec));
        let result = art.write(&path).map(|()| path).map_err(|e| e.to_string());
        if let Some(report) = &env.report {
            let at = result.as_deref().ok();
            protocol::failure(report, spec.test_name(), failure, at);
        }
        written.push(result);
    }
    let first_path = written.remove(0);
    let mut text = report::render(
        first,
        &report::Context {
            test: spec.test_name(),
            package: spec.package,
            target: &target,
            artifact: first_path.as_deref().map_err(Clone::clone),
            extra_env: &extra_env,
            features: &target::cargo_features(&spec),
            profile: profile::current(),
            seed_replays: true,
            time_limit: builder.time_limit.map(|limit| {
                let from = if env.time_limit.is_some() {
                    report::LimitFrom::Env
                } else if attrs.time_limit.is_some() {
                    report::LimitFrom::Attribute
                } else {
                    report::LimitFrom::Default
                };
                (limit, from)
            }),
        },
    );
    if failing.len() > 1 {
        let list: Vec<String> = failing.iter().take(20).map(|s| format!("{s:#x}")).collect();
        let more = failing.len().saturating_sub(20);
        text.push_str(&format!(
            "\n  other failing seeds: {}{}\n",
            list[1..].join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        ));
    }
    if let Some(unmet) = unmet {
        text.push_str(&format!("\n{unmet}"));
    }
    if count > 1 {
        text.push_str(&format!("\n{summary}\n"));
    }
    fail(text)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Runs one seed, turning an `Err` returned by the test into a failure.
pub(crate) fn run_seed<F, Fut>(builder: Builder, check: bool, test: F) -> Result<(), Failure>
where
    F: Fn() -> Fut + Copy,
    Fut: Future,
    Fut::Output: TestOutput,
{
    run_seed_with_assertions(builder, check, test).0
}

/// [`run_seed`], with what the run's assertions saw.
fn run_seed_with_assertions<F, Fut>(
    builder: Builder,
    check: bool,
    test: F,
) -> (Result<(), Failure>, Assertions)
where
    F: Fn() -> Fut + Copy,
    Fut: Future,
    Fut::Output: TestOutput,
{
    if check {
        let (result, assertions) = crate::determinism::check_with_assertions(builder.clone(), test);
        match result.map(TestOutput::into_test_result) {
            Ok(Ok(())) => (Ok(()), assertions),
            Err(f) => (Err(f), assertions),
            // Both runs agreed; run once more for the tape and fingerprint.
            Ok(Err(_)) => run_seed_with_assertions(builder, false, test),
        }
    } else {
        let mut sim = builder.build();
        let result = match sim.run(test()) {
            Ok(out) => out
                .into_test_result()
                .map_err(|message| sim.error_failure(message)),
            Err(f) => Err(f),
        };
        (result, sim.assertions())
    }
}

/// The settings a proptest case's artifact records.
#[cfg(feature = "proptest")]
pub(crate) fn proptest_config(builder: &Builder) -> artifact::Config {
    artifact::Config::of(builder, false)
}

/// The artifact of a failed proptest case of the property `name` of
/// `package` (`"proptest"` when the caller did not say).
#[cfg(feature = "proptest")]
pub(crate) fn proptest_artifact(
    name: &str,
    package: &str,
    config: artifact::Config,
    f: &Failure,
) -> Artifact {
    let target = artifact::Target {
        kind: "proptest".into(),
        name: name.into(),
    };
    Artifact::new(name, name, package, target, config, f)
}

/// The `cargo test` command that runs the proptest property `name` of the
/// test `test` (libtest's name for it, when known), as `#[sim_test]`
/// failures print it: with the package and target of `spec` when the
/// caller captured them ([`proptest::check!`](crate::proptest::check!)).
#[cfg(feature = "proptest")]
pub(crate) fn proptest_command(spec: Option<&TestSpec>, name: &str, test: Option<&str>) -> String {
    match (spec, test) {
        (Some(spec), Some(test)) => target::cargo_test(
            spec.package,
            &target::target_of(spec),
            &target::cargo_features(spec),
            profile::current(),
            test,
        ),
        (Some(spec), None) => format!(
            "cargo test -p {} {}{}{} -- {name}",
            spec.package,
            target::selector(&target::target_of(spec)),
            target::feature_flags(&target::cargo_features(spec)),
            profile::flag(profile::current()),
        ),
        (None, Some(test)) => format!(
            "cargo test{} -- {test} --exact",
            profile::flag(profile::current())
        ),
        (None, None) => format!("cargo test{} -- {name}", profile::flag(profile::current())),
    }
}

/// `builder` with tracing `on`, keeping `DETSIM_TRACE_LIMIT` events.
fn traced(builder: Builder, on: bool, env: &env::Overrides) -> Builder {
    let builder = builder.trace(on);
    match env.trace_limit {
        Some(n) => builder.trace_limit(n),
        None => builder,
    }
}

/// Whether a replay's failure `f` is the one `art` recorded: the same
/// fingerprint (the same schedule) and the same kind and message (heap
/// addresses normalised, as the shrinker compares them). Not the location:
/// an edit above the failing line moves it without changing the failure.
fn same_as_recorded(art: &Artifact, f: &Failure) -> bool {
    use crate::shrink::same::normalize;
    Some(f.fingerprint()) == art.fingerprint()
        && f.kind().to_string() == art.failure.kind
        && normalize(f.message()) == normalize(&art.failure.message)
}

/// `DETSIM_REPLAY`: runs an artifact's tape and checks that the failure
/// comes back: the same fingerprint, kind and message.
fn replay<F, Fut>(
    spec: &TestSpec,
    path: &Path,
    env: &env::Overrides,
    test: F,
    here: &'static std::panic::Location<'static>,
) where
    F: Fn() -> Fut + Copy,
    Fut: Future,
    Fut::Output: TestOutput,
{
    let art = match Artifact::read(path) {
        Ok(a) => a,
        Err(e) => fail(e.to_string()),
    };
    let outcome = |what: &str, now: Option<&Failure>| {
        if let Some(report) = &env.report {
            protocol::replay(report, what, &art.failure.fingerprint, now);
        }
    };
    if !is_for(spec, &art, "DETSIM_REPLAY", path) {
        outcome("not-this-test", None);
        return;
    }
    let rerun = rerun::Rerun::new(spec, &art);
    // A replay in another profile than the recorded one: said first, as
    // the likely cause of a failure that does not come back.
    let note = rerun::profile_note(&rerun, path)
        .map(|n| format!("\n  {n}."))
        .unwrap_or_default();
    let recorded = format!(
        "{} (fingerprint {})",
        kind_failure(&art.failure.kind, &art.failure.message),
        art.failure.fingerprint
    );
    let changed = "The code or the build changed since the artifact was written";
    let trace = env.trace || env.trace_json.is_some();
    let mut builder = traced(art.builder(), trace, env);
    builder.main_at = Some(here);
    let result = run_seed(builder, art.checks_determinism(), test);
    if let (Some(out), Err(f)) = (&env.trace_json, &result) {
        protocol::trace(out, f.trace().unwrap_or(&crate::Trace::default()));
    }
    match &result {
        Ok(()) => outcome("passed", None),
        Err(f) if f.is_nondeterminism() && art.failure.kind == "nondeterminism" => {
            outcome("nondeterminism", Some(f));
        }
        Err(f) if !same_as_recorded(&art, f) => outcome("different", Some(f)),
        Err(f) => outcome("same", Some(f)),
    }
    match result {
        Ok(()) => fail(format!(
            "detsim: replay of {} passed, but it recorded {recorded}.{note}\n  {changed}: the \
             schedule no longer fails (fixed?). To look for the bug again, sweep {} seeds from \
             the recorded one: {}",
            path.display(),
            rerun::SWEEP_AGAIN,
            rerun.sweep(),
        )),
        // Nondeterminism has no fixed fingerprint: the runs differ by
        // definition. Finding it again is the reproduction.
        Err(f) if f.is_nondeterminism() && art.failure.kind == "nondeterminism" => fail(format!(
            "detsim: replayed {}: nondeterminism again (a nondeterministic run has no fixed \
                 fingerprint to compare)\n{f}",
            path.display()
        )),
        Err(f) if !same_as_recorded(&art, &f) => {
            let why = match Some(f.fingerprint()) == art.fingerprint() {
                // The same schedule, another failure: an edited assertion,
                // or a build profile that panics elsewhere (overflow checks).
                true => "the same schedule now fails another way",
                false => "so the recorded draws no longer mean the same choices",
            };
            fail(format!(
                "detsim: replay of {} failed differently: it recorded {recorded}, and now \
                 {} (fingerprint {}).{note}\n  {changed}: {why}. Re-run the seed for a \
                 fresh artifact{}: {}\n\n{f}",
                path.display(),
                quote_failure(&f.kind().to_string(), f.message()),
                f.fingerprint(),
                if art.is_shrunk() {
                    " (of the run before shrinking)"
                } else {
                    ""
                },
                rerun.seed(),
            ))
        }
        Err(f) => {
            let target = target::target_of(spec);
            let text = report::render(
                &f,
                &report::Context {
                    test: spec.test_name(),
                    package: spec.package,
                    target: &target,
                    artifact: Ok(path),
                    // The recorded scheduler and limits, or the seed
                    // would rerun with the attribute's.
                    extra_env: &art.rerun_vars(),
                    features: &target::cargo_features(spec),
                    profile: rerun::recorded_profile(&art),
                    // The seed of a shrunk artifact reruns the run before
                    // shrinking, not this one.
                    seed_replays: !art.is_shrunk(),
                    time_limit: art
                        .builder()
                        .time_limit
                        .map(|limit| (limit, report::LimitFrom::Recorded)),
                },
            );
            fail(format!(
                "detsim: replayed {}: the same failure, the same fingerprint {}\n{text}",
                path.display(),
                f.fingerprint()
            ))
        }
    }
}

/// Whether the artifact `var` names is one of this test's; if not, says
/// so on stderr (libtest shows a passing test's captured output to
/// nobody, and this must not pass unnoticed).
pub(crate) fn is_for(spec: &TestSpec, art: &Artifact, var: &str, path: &Path) -> bool {
    let verb = if var == "DETSIM_SHRINK" {
        "shrinks"
    } else {
        "replays"
    };
    let target = target::target_of(spec);
    if art.test == spec.test_name() && art.package == spec.package && art.target == target {
        return true;
    }
    let _ = writeln!(
        std::io::stderr(),
        "detsim: {var}={} {verb} {} ({} {}, package {}); {} ({} {}) does not run",
        path.display(),
        art.test,
        art.target.kind,
        art.target.name,
        art.package,
        spec.test_name(),
        target.kind,
        target.name,
    );
    false
}

/// `DETSIM_REPLAY` as given; a relative path that does not exist from the
/// test's working directory (its package) is also looked up from the
/// package's ancestors (the workspace root, where the user's shell
/// usually is).
pub(crate) fn resolve(path: &Path, spec: &TestSpec) -> PathBuf {
    if path.is_absolute() || path.exists() {
        return path.to_path_buf();
    }
    Path::new(spec.manifest_dir)
        .ancestors()
        .map(|dir| dir.join(path))
        .find(|p| p.exists())
        .unwrap_or_else(|| std::env::current_dir().map_or(path.to_path_buf(), |d| d.join(path)))
}

/// Fails the running test with `text`: prints it (into libtest's capture)
/// and unwinds with it as the payload, without running the panic hook, so
/// no backtrace of detsim's own frames follows the report.
pub(crate) fn fail(text: String) -> ! {
    eprintln!("{text}");
    std::panic::resume_unwind(Box::new(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_returned_error_is_a_failure_with_the_runs_tape() {
        let f = run_seed(Builder::new().seed(3), false, || async {
            crate::yield_now().await;
            Err::<(), _>("nope")
        })
        .unwrap_err();
        assert_eq!(f.kind(), crate::FailureKind::Error);
        assert_eq!(f.message(), "\"nope\"");
        assert_eq!(f.seed(), 3);
        assert_eq!(f.task().unwrap().name(), Some("main"));
        let again = run_seed(Builder::new().seed(3), true, || async {
            crate::yield_now().await;
            Err::<(), _>("nope")
        })
        .unwrap_err();
        assert_eq!(again.fingerprint(), f.fingerprint());
    }

    #[test]
    fn time_limit_env_is_forwarded_in_the_largest_exact_unit() {
        let d = Duration::from_millis(1500);
        assert_eq!(format_duration(d), "1500ms");
        assert_eq!(sim_clock::parse_duration(&format_duration(d)), Ok(d));
    }
}
