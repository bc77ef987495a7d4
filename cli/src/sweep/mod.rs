//! `cargo detsim sweep`: a seed range split into chunks, each run by one
//! child process (`<bin> <test> --exact` with `DETSIM_SEED`,
//! `DETSIM_SEEDS`, `DETSIM_JOBS=1` and `DETSIM_REPORT`, and
//! `DETSIM_SCHEDULER` for the scheduler `--scheduler` or the environment's
//! `DETSIM_SCHEDULER` names: see [`crate::scheduler`]), `--jobs` of them
//! at once. Chunks start in seed order; after a failure (without
//! `--keep-going`) no new chunk starts and the running ones finish, so the
//! smallest failing seed found does not depend on timing. While chunks
//! run, the harness's live warnings in their output (a blocked poll, a
//! seed whose run goes on past `DETSIM_SLOW_RUN`) and a chunk that runs
//! far longer than the others are shown above the progress line, with the
//! chunk's seeds; the notice of a long chunk names the seed the watchdog
//! last named in it, with the command that runs that seed alone.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::Value;
use sim_core::harness::shell_word;

use crate::args::{Build, Seeds, Sweep};
use crate::discover::{self, SimTest};
use crate::error::{CliError, Outcome};
use crate::out::{self, tell};
use crate::progress::Progress;
use crate::scheduler::{self, Runner};
use crate::scratch::Scratch;
use crate::select::select;

mod summary;

use summary::{print_summary, write_json};

/// One chunk's report.
#[derive(Debug)]
struct Chunk {
    base: u64,
    count: u64,
    run: u64,
    unmet: Vec<String>,
}

/// What the sweep of one test found.
#[derive(Debug)]
pub(crate) struct TestResult {
    test: SimTest,
    seeds: Seeds,
    chunks: Vec<Chunk>,
    failures: Vec<Value>,
    unmet: Vec<String>,
    elapsed: Duration,
}

impl TestResult {
    fn run(&self) -> u64 {
        self.chunks.iter().map(|c| c.run).sum()
    }

    /// Whether the test is `#[should_panic]`: a failing seed is the
    /// failure it expects.
    fn should_panic(&self) -> bool {
        self.test.info["should_panic"] == true
    }

    /// The `expected = "..."` text of its `#[should_panic]`.
    fn expected(&self) -> Option<&str> {
        self.test.info["expected"].as_str()
    }

    /// For a `#[should_panic]` test: the smallest failing seed failed
    /// with the expected text (the check libtest makes on its panic).
    fn failed_as_expected(&self) -> bool {
        self.failures.first().is_some_and(|f| {
            let message = f["message"].as_str().unwrap_or_default();
            self.expected().is_none_or(|e| message.contains(e))
        })
    }

    fn failed(&self) -> bool {
        if self.should_panic() {
            !self.failed_as_expected()
        } else {
            !self.failures.is_empty() || !self.unmet.is_empty()
        }
    }
}

pub(crate) fn run(args: &Sweep, build: &Build) -> Result<Outcome, CliError> {
    // Before the build and the sweep, not after them.
    let scheduler = scheduler::named(Runner::Sweep, args.scheduler.as_deref())?;
    if let Some(path) = &args.json {
        crate::args::check_output("--json", path)?;
    }
    let binaries = discover::build(build, &[])?;
    let tests = discover::sim_tests(&binaries)?;
    let selected = select(&tests, &args.filter, &binaries)?;
    let seeds = args.shard.map_or(args.seeds, |s| s.of(args.seeds));
    let jobs = args.jobs.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, |n| n.get()) // determinism: ok (jobs never change which seeds fail)
    });
    let chunk = args
        .chunk
        .unwrap_or_else(|| (seeds.len() / (jobs as u64 * 16)).clamp(1, 10_000));
    let shard = args
        .shard
        .map(|s| format!(" (shard {}/{} of {})", s.index, s.count, args.seeds))
        .unwrap_or_default();
    // DETSIM_TIME_LIMIT and DETSIM_CHECK_DETERMINISM reach every chunk,
    // as they reach `cargo test`: say so, they change what a seed does.
    let passed_on = discover::passed_on();
    let env: String = passed_on.iter().map(|w| format!("{w} ")).collect();
    // So does DETSIM_SCHEDULER, in place of --scheduler (the commands the
    // sweep prints name it with the scheduler, not with `env`).
    let mut from_env = passed_on;
    if let Some(s) = scheduler.as_ref().filter(|s| s.from_env) {
        from_env.push(format!("DETSIM_SCHEDULER={}", s.name));
    }
    tell!(
        "detsim sweep: {} test{}, seeds {seeds}{shard}, {jobs} job{}, {chunk} seed{} a process{}",
        selected.len(),
        plural(selected.len() as u64),
        plural(jobs as u64),
        plural(chunk),
        match from_env.is_empty() {
            true => String::new(),
            false => format!(", with {} from the environment", from_env.join(" ")),
        }
    );
    let scratch = Scratch::new()?;
    let features = build.feature_flags();
    let flags = crate::replay::build_flags(build);
    let mut results = Vec::new();
    for (n, test) in selected.into_iter().enumerate() {
        let plan = Plan {
            seeds,
            jobs,
            chunk,
            keep_going: args.keep_going,
            scheduler: scheduler.as_ref().map(|s| s.name.as_str()),
            features: &features,
            flags: &flags,
            env: &env,
        };
        results.push(sweep_test(test, plan, &scratch, n)?);
    }
    print_summary(&results, &flags, args.json.as_deref());
    if let Some(path) = &args.json {
        write_json(path, args, &results)?;
    }
    Ok(if results.iter().any(TestResult::failed) {
        Outcome::Failed
    } else {
        Outcome::Passed
    })
}

#[derive(Clone, Copy)]
struct Plan<'a> {
    seeds: Seeds,
    jobs: usize,
    chunk: u64,
    keep_going: bool,
    /// `--scheduler`, else `DETSIM_SCHEDULER` of the environment: set as
    /// `DETSIM_SCHEDULER` for every chunk and in the commands printed.
    scheduler: Option<&'a str>,
    /// The feature flags of the build, for the test (which prints them).
    features: &'a str,
    /// The feature flags and `--release` of the build, for the commands
    /// the sweep prints.
    flags: &'a str,
    /// The `DETSIM_*` settings the chunks get from the environment, as
    /// `NAME=value ` words, for the commands the sweep prints.
    env: &'a str,
}

struct Running {
    child: crate::scratch::Proc,
    base: u64,
    count: u64,
    report: PathBuf,
    stderr: PathBuf,
    started: Instant,
    /// What of its output has been looked at for the harness's warnings.
    output: Lines,
    /// How many of its lines were shown (see [`MAX_SHOWN`]).
    shown: usize,
    /// Whether it was said to run for long.
    slow: bool,
    /// The seed the harness's watchdog last named as running long (see
    /// [`long_run_seed`]).
    long_seed: Option<u64>,
    /// Whether a notice of this chunk gave the command for `long_seed`.
    named: bool,
}

impl Running {
    fn seeds(&self) -> Seeds {
        Seeds {
            start: self.base,
            len: self.count,
        }
    }
}

/// How often the output of running chunks is read for the harness's
/// warnings (and their run time checked).
const WATCH_EVERY: Duration = Duration::from_millis(250);

/// The most lines of one chunk's output that are shown during a sweep.
const MAX_SHOWN: usize = 5;

/// The part of a line of a chunk's output that the user should see while
/// the sweep runs, if any: the harness's live warnings (`detsim: a poll
/// of task 3 (seed 0xfa3) has held simulation thread ... for 10s`, a run over a
/// real-time budget, a panic while panicking), which would otherwise wait
/// in a scratch file while the progress line shows only a growing ETA. Not its failure reports
/// (`detsim: test x failed`, `detsim: panicked at`) nor its summary line
/// (`detsim: x: 10 of 10 seeds run`): the sweep's own summary has those.
fn warning<'l>(line: &'l str, test: &str) -> Option<&'l str> {
    // libtest's `test x ... ` comes first when it runs one thread, and
    // the test's output follows it on the same line.
    let line = line
        .strip_prefix(&format!("test {test} ... "))
        .unwrap_or(line);
    is_warning(line, test).then_some(line)
}

/// The seed a warning line of the harness's watchdog names as running
/// long (`detsim: seed 0x1f of test t has run for 10s and goes on, ...`),
/// if it is one.
fn long_run_seed(line: &str) -> Option<u64> {
    let rest = line.strip_prefix("detsim: seed 0x")?;
    let (hex, rest) = rest.split_once(' ')?;
    if !rest.starts_with("of test ") || !rest.contains(" has run for ") {
        return None;
    }
    u64::from_str_radix(hex, 16).ok()
}

fn is_warning(line: &str, test: &str) -> bool {
    line.starts_with("detsim: ")
        && !line.starts_with("detsim: test ")
        && !line.starts_with("detsim: panicked at ")
        && !line.starts_with(&format!("detsim: {test}: "))
}

/// How long a chunk may run before the sweep says so: five times the
/// slowest chunk that finished (at least 30 s), or 2 minutes while none
/// has finished.
fn slow_after(slowest: Option<Duration>) -> Duration {
    match slowest {
        Some(d) => (d * 5).max(Duration::from_secs(30)),
        None => Duration::from_secs(120),
    }
}

/// Reads a growing file line by line: each call returns the lines
/// completed since the last one.
#[derive(Default)]
struct Lines {
    offset: u64,
    pending: Vec<u8>,
    /// In a line too long to keep, until its end.
    skipping: bool,
}

/// The longest line kept; the rest of a longer one is skipped.
const MAX_LINE: usize = 64 * 1024;

impl Lines {
    /// The complete lines written to `path` since the last call; with
    /// `end`, a last line without its newline too.
    fn read(&mut self, path: &std::path::Path, end: bool) -> Vec<String> {
        use std::io::{Read as _, Seek as _, SeekFrom};
        let mut bytes = Vec::new();
        if let Ok(mut file) = std::fs::File::open(path) {
            if file.seek(SeekFrom::Start(self.offset)).is_ok() {
                let _ = file.read_to_end(&mut bytes);
            }
        }
        self.offset += bytes.len() as u64;
        let mut lines = Vec::new();
        for &b in &bytes {
            if b == b'\n' {
                if !std::mem::take(&mut self.skipping) {
                    lines.push(String::from_utf8_lossy(&self.pending).into_owned());
                }
                self.pending.clear();
            } else if !self.skipping {
                self.pending.push(b);
                if self.pending.len() > MAX_LINE {
                    self.pending.clear();
                    self.skipping = true;
                }
            }
        }
        if end && !self.pending.is_empty() && !self.skipping {
            lines.push(String::from_utf8_lossy(&self.pending).into_owned());
            self.pending.clear();
        }
        lines
    }
}

/// A chunk still running when the sweep stops early (another chunk
/// crashed, or its report could not be read) is killed and reaped, not
/// left running after `cargo detsim` exits (its scratch files are about to
/// go). For a chunk that finished, this is a no-op.
impl Drop for Running {
    fn drop(&mut self) {
        self.child.stop();
    }
}

fn sweep_test(
    test: SimTest,
    plan: Plan<'_>,
    scratch: &Scratch,
    n: usize,
) -> Result<TestResult, CliError> {
    let started = Instant::now(); // determinism: ok (progress and seeds/s only)
    // Seeds handed out so far, counted from the start (the range may end
    // at u64::MAX, where an end seed would not fit).
    let mut handed = 0u64;
    let mut running: Vec<Running> = Vec::new();
    let mut chunks = Vec::new();
    let mut failures: Vec<Value> = Vec::new();
    let mut progress = Progress::new(&test.test, plan.seeds.len());
    let mut id = 0u64;
    let mut watched = Instant::now(); // determinism: ok (progress display only)
    // The longest a finished chunk took, and whether the sweep said that
    // none has finished for long.
    let mut slowest: Option<Duration> = None;
    let mut said_none_finished = false;
    loop {
        let stop = !plan.keep_going && !failures.is_empty();
        while running.len() < plan.jobs && handed < plan.seeds.len() && !stop {
            let count = plan.chunk.min(plan.seeds.len() - handed);
            let base = plan.seeds.start + handed;
            running.push(spawn(&test, (base, count), plan, scratch, (n, id))?);
            id += 1;
            handed += count;
        }
        if running.is_empty() {
            break;
        }
        let mut finished = false;
        let mut i = 0;
        while i < running.len() {
            let status = running[i]
                .child
                .try_wait()
                .map_err(|e| CliError::new(format!("cannot wait for a test process: {e}")))?;
            let Some(status) = status else {
                i += 1;
                continue;
            };
            let mut done = running.swap_remove(i);
            show_warnings(&test.test, &mut done, &mut progress, true);
            let took = done.started.elapsed();
            slowest = Some(slowest.map_or(took, |s| s.max(took)));
            let (chunk, found) = read_report(&test, &done, status, plan)?;
            progress.add(chunk.run, found.len() as u64);
            chunks.push(chunk);
            failures.extend(found);
            finished = true;
        }
        if watched.elapsed() >= WATCH_EVERY {
            watched = Instant::now(); // determinism: ok (progress display only)
            for r in &mut running {
                show_warnings(&test.test, r, &mut progress, false);
            }
            let limit = slow_after(slowest);
            if slowest.is_none() {
                // Every chunk runs long, and none has finished to compare:
                // one line for them all.
                let oldest = running
                    .iter_mut()
                    .max_by_key(|r| r.started.elapsed())
                    .filter(|r| r.started.elapsed() >= limit);
                if let Some(r) = oldest {
                    if !std::mem::replace(&mut said_none_finished, true) {
                        r.named = r.long_seed.is_some();
                        progress.note(&format!(
                            "detsim sweep: {}: no chunk has finished in {} (the longest \
                             running: seeds {}); {}",
                            test.test,
                            crate::progress::clock(r.started.elapsed().as_secs_f64()),
                            r.seeds(),
                            run_alone(&test, r, plan)
                        ));
                    }
                }
            } else {
                for r in running.iter_mut().filter(|r| !r.slow) {
                    if r.started.elapsed() >= limit {
                        r.slow = true;
                        r.named = r.long_seed.is_some();
                        progress.note(&format!(
                            "detsim sweep: {} seeds {} have run for {}, the other chunks {} at \
                             most; {}",
                            test.test,
                            r.seeds(),
                            crate::progress::clock(r.started.elapsed().as_secs_f64()),
                            crate::progress::clock(slowest.unwrap_or_default().as_secs_f64()),
                            run_alone(&test, r, plan)
                        ));
                    }
                }
            }
            // A chunk said to be long before the watchdog named a seed of
            // it: the seed's command, once.
            for r in running.iter_mut().filter(|r| r.slow && !r.named) {
                if let Some(seed) = r.long_seed {
                    r.named = true;
                    progress.note(&format!(
                        "detsim sweep: {} seeds {}: seed {seed:#x} is the one running long; run \
                         it alone: {}",
                        test.test,
                        r.seeds(),
                        alone_seed(&test, seed, plan)
                    ));
                }
            }
        }
        progress.tick(false);
        if !finished {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    progress.tick(true);
    chunks.sort_by_key(|c| c.base);
    failures.sort_by_key(|f| f["seed"].as_u64());
    let total = plan.seeds.len();
    let unmet = if total > 1 && (plan.keep_going || failures.is_empty()) && !chunks.is_empty() {
        let mut sets = chunks
            .iter()
            .map(|c| c.unmet.iter().cloned().collect::<BTreeSet<_>>());
        let first = sets.next().unwrap_or_default();
        sets.fold(first, |acc, s| acc.intersection(&s).cloned().collect())
            .into_iter()
            .collect()
    } else {
        Vec::new()
    };
    Ok(TestResult {
        test,
        seeds: plan.seeds,
        chunks,
        failures,
        unmet,
        elapsed: started.elapsed(),
    })
}

/// Shows the harness's warnings among the lines `r` wrote since the last
/// look (see [`warning`]), each prefixed with the test and the chunk's
/// seeds, at most [`MAX_SHOWN`] of them a chunk. `end`: the chunk ended.
fn show_warnings(test: &str, r: &mut Running, progress: &mut Progress, end: bool) {
    for line in r.output.read(&r.stderr, end) {
        let Some(line) = warning(&line, test) else {
            continue;
        };
        // Kept past the lines shown: the latest seed is the one to name.
        if let Some(seed) = long_run_seed(line) {
            r.long_seed = Some(seed);
        }
        if r.shown > MAX_SHOWN {
            continue;
        }
        r.shown += 1;
        let seeds = r.seeds();
        progress.note(&if r.shown > MAX_SHOWN {
            format!(
                "{test} seeds {seeds}: more lines start with `detsim:`; run them alone to see \
                 all"
            )
        } else {
            format!("{test} seeds {seeds}: {line}")
        });
    }
}

/// The end of the notice of a chunk `r` that runs long: the command that
/// runs the seed the watchdog named in it, if it named one, or else its
/// seeds.
fn run_alone(test: &SimTest, r: &Running, plan: Plan<'_>) -> String {
    match r.long_seed {
        Some(seed) => format!(
            "the watchdog named seed {seed:#x} there as running long; run it alone: {}",
            alone_seed(test, seed, plan)
        ),
        None => format!(
            "if a seed there hangs, run them alone: {}",
            alone(test, r.seeds(), plan)
        ),
    }
}

/// The command that runs `seeds` of `test` alone, as one chunk does.
fn alone(test: &SimTest, seeds: Seeds, plan: Plan<'_>) -> String {
    command(
        test,
        &format!("DETSIM_SEED={} DETSIM_SEEDS={}", seeds.start, seeds.len),
        plan,
    )
}

/// The command that runs the one seed `seed` of `test`, as a chunk does.
fn alone_seed(test: &SimTest, seed: u64, plan: Plan<'_>) -> String {
    command(test, &format!("DETSIM_SEED={seed:#x}"), plan)
}

/// `cargo test` of `test` with the `seeds` variables, and the settings
/// the chunks run with (the environment's, `--scheduler`, the build's
/// flags).
fn command(test: &SimTest, seeds: &str, plan: Plan<'_>) -> String {
    let scheduler = plan
        .scheduler
        .map(|s| format!("DETSIM_SCHEDULER={s} "))
        .unwrap_or_default();
    format!(
        "{}{seeds} {scheduler}cargo test -p {} {}{} -- {} --exact --include-ignored",
        plan.env,
        shell_word(&test.binary.package),
        test.binary.selector(),
        plan.flags,
        shell_word(&test.test),
    )
}

fn spawn(
    test: &SimTest,
    (base, count): (u64, u64),
    plan: Plan<'_>,
    scratch: &Scratch,
    (n, id): (usize, u64),
) -> Result<Running, CliError> {
    let report = scratch.path(&format!("sweep-{n}-{id}.jsonl"));
    let stderr = scratch.path(&format!("sweep-{n}-{id}.stderr"));
    let err_file = std::fs::File::create(&stderr)
        .map_err(|e| CliError::new(format!("cannot create {}: {e}", stderr.display())))?;
    let out_file = err_file
        .try_clone()
        .map_err(|e| CliError::new(format!("cannot create {}: {e}", stderr.display())))?;
    let mut cmd = test.binary.command();
    cmd.args([
        &test.test,
        "--exact",
        "--nocapture",
        "--include-ignored",
        "--test-threads=1",
    ])
    .env("DETSIM_SEED", base.to_string())
    .env("DETSIM_SEEDS", count.to_string())
    .env("DETSIM_JOBS", "1")
    .env("DETSIM_REPORT", &report)
    // The test's stdout joins its stderr: a chunk that crashes shows both.
    .stdout(out_file)
    .stderr(err_file);
    if plan.keep_going {
        cmd.env("DETSIM_KEEP_GOING", "1");
    }
    if let Some(s) = plan.scheduler {
        cmd.env("DETSIM_SCHEDULER", s);
    }
    discover::with_features(&mut cmd, plan.features);
    let child = crate::scratch::spawn(&mut cmd)
        .map_err(|e| CliError::new(format!("cannot run {}: {e}", test.binary.exe.display())))?;
    Ok(Running {
        child,
        base,
        count,
        report,
        stderr,
        started: Instant::now(), // determinism: ok (progress display only)
        output: Lines::default(),
        shown: 0,
        slow: false,
        long_seed: None,
        named: false,
    })
}

/// The chunk's `sweep` line and its `failure` lines; a chunk that ended
/// without a `sweep` line crashed, and its output says why.
fn read_report(
    test: &SimTest,
    done: &Running,
    status: std::process::ExitStatus,
    plan: Plan<'_>,
) -> Result<(Chunk, Vec<Value>), CliError> {
    let text = std::fs::read_to_string(&done.report).unwrap_or_default();
    let lines: Vec<Value> = text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let Some(sweep) = lines.iter().find(|v| v["event"] == "sweep") else {
        // Ctrl-C reaches the chunks too: not a crash to report, the
        // clean-up of the interrupt ends the process.
        crate::scratch::wait_if_interrupted();
        let output = std::fs::read_to_string(&done.stderr).unwrap_or_default();
        out::tell_text(format_args!("{output}"));
        // A crash mid-line (libtest's "test x ... ") must not swallow the
        // error's first words.
        if !output.is_empty() && !output.ends_with('\n') {
            tell!();
        }
        return Err(CliError::new(format!(
            "{} ({}) ended ({status}) without a report for seeds {}: its output is above; \
             run it alone with {}",
            test.test,
            test.binary.selector(),
            done.seeds(),
            alone(test, done.seeds(), plan),
        )));
    };
    let chunk = Chunk {
        base: done.base,
        count: done.count,
        run: sweep["run"].as_u64().unwrap_or(0),
        unmet: sweep["unmet"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
    };
    let failures = lines
        .into_iter()
        .filter(|v| v["event"] == "failure")
        .collect();
    Ok((chunk, failures))
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_harnesss_warnings_are_shown_not_its_reports() {
        let poll = "detsim: a poll of task 3 (seed 0x7) has held simulation thread w for 10s and not returned";
        assert_eq!(warning(poll, "t"), Some(poll));
        // After libtest's `test t ... ` on the same line.
        assert_eq!(warning(&format!("test t ... {poll}"), "t"), Some(poll));
        assert_eq!(
            warning("detsim: a simulated task panicked at x.rs:1:1:", "t"),
            Some("detsim: a simulated task panicked at x.rs:1:1:")
        );
        for not in [
            "detsim: test t failed (package p, --test x)",
            "detsim: t: 10 of 10 seeds run, 0 failed, 5 seeds/s on 1 job",
            "detsim: panicked at x.rs:1:1:",
            "  detsim: task 0 'main' on node 'main' panicked",
            "the test's own line",
            "test t ... ok",
        ] {
            assert_eq!(warning(not, "t"), None, "{not}");
        }
    }

    #[test]
    fn the_seed_a_watchdogs_line_names_as_running_long() {
        let line = "detsim: seed 0x1f of test kv::t has run for 10s and goes on, its polls \
                    returning (812 so far: ...); run it alone: DETSIM_SEED=0x1f cargo test";
        assert_eq!(warning(line, "kv::t"), Some(line));
        assert_eq!(long_run_seed(line), Some(0x1f));
        assert_eq!(
            long_run_seed(&line.replace("0x1f", "0xffffffffffffffff")),
            Some(u64::MAX)
        );
        for not in [
            "detsim: a poll of task 3 (seed 0x7) has held simulation thread w for 10s and not \
             returned",
            "detsim: seed 0x1f of test kv::t passed",
            "detsim: seed 0xzz of test kv::t has run for 10s",
            "detsim: seed 0x1f",
        ] {
            assert_eq!(long_run_seed(not), None, "{not}");
        }
    }

    #[test]
    fn a_long_chunks_notice_gives_the_named_seeds_command() {
        let test = SimTest {
            binary: crate::discover::Binary {
                exe: PathBuf::from("/t/noisy-1"),
                package: "fixture".into(),
                kind: "test".into(),
                name: "noisy".into(),
                dir: PathBuf::from("/t"),
            },
            test: "t".into(),
            info: Value::Null,
        };
        let plan = Plan {
            seeds: Seeds { start: 0, len: 10 },
            jobs: 2,
            chunk: 5,
            keep_going: false,
            scheduler: Some("pct:2"),
            features: "",
            flags: " --release",
            env: "DETSIM_TIME_LIMIT=1m ",
        };
        assert_eq!(
            alone_seed(&test, 7, plan),
            "DETSIM_TIME_LIMIT=1m DETSIM_SEED=0x7 DETSIM_SCHEDULER=pct:2 cargo test -p fixture \
             --test noisy --release -- t --exact --include-ignored"
        );
        assert_eq!(
            alone(&test, Seeds { start: 5, len: 5 }, plan),
            "DETSIM_TIME_LIMIT=1m DETSIM_SEED=5 DETSIM_SEEDS=5 DETSIM_SCHEDULER=pct:2 cargo test \
             -p fixture --test noisy --release -- t --exact --include-ignored"
        );
    }

    #[test]
    fn a_chunk_is_slow_at_five_times_the_slowest_finished_one() {
        assert_eq!(slow_after(None), Duration::from_secs(120));
        assert_eq!(
            slow_after(Some(Duration::from_secs(1))),
            Duration::from_secs(30)
        );
        assert_eq!(
            slow_after(Some(Duration::from_secs(60))),
            Duration::from_secs(300)
        );
    }

    #[test]
    fn a_growing_file_is_read_a_complete_line_at_a_time() {
        use std::io::Write as _;
        let dir = std::env::temp_dir().join(format!("detsim-lines-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("out");
        let mut file = std::fs::File::create(&path).unwrap();
        let mut lines = Lines::default();
        assert!(lines.read(&path, false).is_empty());
        write!(file, "one\ntw").unwrap();
        assert_eq!(lines.read(&path, false), ["one"]);
        write!(file, "o\n{}\nthree\nfour", "x".repeat(MAX_LINE + 1)).unwrap();
        // The line too long to keep is left out, not the ones around it.
        assert_eq!(lines.read(&path, false), ["two", "three"]);
        assert_eq!(lines.read(&path, true), ["four"]);
        assert!(lines.read(&path, true).is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
