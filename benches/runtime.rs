//! detsim vs tokio: executor overhead on three identical workloads.
//!
//! Each workload runs on detsim (a fresh [`detsim::Sim`] per repetition,
//! default `Random` scheduler, `.no_step_limit().no_time_limit()`, every
//! other setting default, slow-poll detection included) and on tokio's
//! `current_thread` runtime with a paused clock
//! (`Builder::new_current_thread().enable_time().start_paused(true)`), so
//! neither runtime waits on real time:
//!
//! | workload | what | target |
//! |---|---|---|
//! | `spawn_join` | spawn 100k trivial tasks, then await each handle in order | detsim ≥ 2× faster |
//! | `timers` | 100k tasks each sleep a seeded random `[0, 10 s)` (ns granularity), spawn all then join all | detsim ≥ 2× faster |
//! | `yield_pingpong` | 1M `u64`s from one task to another over a capacity-1 `tokio::sync::mpsc` | detsim ≥ 1.3× faster |
//!
//! Method: one warm-up, then the median of [`REPS`] repetitions, the
//! runtimes taking turns within each repetition; only the
//! `run` / `block_on` call is timed (building and dropping the runtime are
//! not). Every run returns a checksum that is compared with the expected
//! value, so no work can be optimised away. The sleep durations come from a
//! splitmix64 stream computed once, outside the timed region, and both
//! runtimes see the same durations. The ping-pong uses the very same
//! channel type (`tokio::sync::mpsc`) on both runtimes.
//!
//! Run it with:
//!
//! ```text
//! cargo bench --bench runtime
//! ```
//!
//! Options (for profiling): a positional argument keeps only the rows whose
//! label (`workload/runtime`) contains it, or equals it if it contains a
//! `/` (e.g. `timers/detsim`, `spawn_join/tokio`), and
//! `DETSIM_BENCH_SCALE=<divisor>` divides every workload size by the
//! divisor (and runs a single repetition without warm-up), e.g.
//! `DETSIM_BENCH_SCALE=10 target/release/deps/runtime-* timers/detsim`
//! under `valgrind --tool=callgrind`.
//!
//! Machine details and recorded results are in `BENCHMARKS.md`.

#[path = "common/rows.rs"]
mod rows;

use std::hint::black_box;
use std::time::{Duration, Instant};

use detsim::{Scheduler, Sim};

/// Timed repetitions per (workload, runtime); the median is reported.
const REPS: usize = 9;
/// Tasks in `spawn_join`.
const SPAWN_JOIN_TASKS: u64 = 100_000;
/// Tasks (one timer each) in `timers`.
const TIMER_TASKS: u64 = 100_000;
/// Messages in `yield_pingpong`.
const PINGPONG_MESSAGES: u64 = 1_000_000;
/// Seed of the splitmix64 stream the sleep durations are drawn from.
const DURATION_SEED: u64 = 0x5EED_0F71_AE00;
/// Sleep durations are drawn uniformly (in nanoseconds) below this bound.
const MAX_SLEEP_NANOS: u64 = 10_000_000_000;
/// detsim seed (for the scheduler's draws).
const SIM_SEED: u64 = 42;

/// The runtime a row measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Runtime {
    /// detsim with the given scheduler.
    Detsim(Scheduler),
    /// tokio `current_thread`, paused clock.
    Tokio,
}

impl Runtime {
    fn label(self) -> &'static str {
        match self {
            Runtime::Detsim(Scheduler::Fifo) => "detsim-fifo",
            Runtime::Detsim(_) => "detsim",
            Runtime::Tokio => "tokio",
        }
    }

    /// Runs `future` to completion on a freshly built runtime and returns
    /// its output and the time `run`/`block_on` took.
    fn time<F: Future>(self, future: F) -> (F::Output, Duration) {
        match self {
            Runtime::Detsim(scheduler) => {
                let mut sim = Sim::builder()
                    .seed(SIM_SEED)
                    .scheduler(scheduler)
                    .no_step_limit()
                    .no_time_limit()
                    .build();
                let start = Instant::now();
                let out = sim.run(future);
                let elapsed = start.elapsed();
                match out {
                    Ok(out) => (out, elapsed),
                    Err(failure) => panic!("detsim run failed: {failure}"),
                }
            }
            Runtime::Tokio => {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_time()
                    .start_paused(true)
                    .build()
                    .expect("tokio runtime");
                let start = Instant::now();
                let out = rt.block_on(future);
                (out, start.elapsed())
            }
        }
    }
}

/// Sizes of the three workloads.
#[derive(Clone, Copy, Debug)]
struct Sizes {
    spawn_join: u64,
    timers: u64,
    pingpong: u64,
}

/// The splitmix64 generator: a fixed, seeded source of sleep durations.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// `n` durations, uniform in `[0, 10 s)` at nanosecond granularity.
fn sleep_durations(n: u64) -> Vec<Duration> {
    let mut rng = SplitMix64(DURATION_SEED);
    (0..n)
        .map(|_| {
            // Multiply-shift: unbiased enough for a benchmark, no modulo.
            let nanos = ((u128::from(rng.next_u64()) * u128::from(MAX_SLEEP_NANOS)) >> 64) as u64;
            Duration::from_nanos(nanos)
        })
        .collect()
}

/// Spawns `n` tasks returning their index, then awaits each handle in
/// order; returns the sum of the outputs.
macro_rules! spawn_join {
    ($spawn:path, $n:expr) => {
        async move {
            let n: u64 = $n;
            let mut handles = Vec::with_capacity(n as usize);
            for i in 0..n {
                handles.push($spawn(async move { i }));
            }
            let mut sum = 0u64;
            for handle in handles {
                sum += handle.await.expect("task panicked");
            }
            sum
        }
    };
}

/// Spawns one task per duration (each sleeps it and returns it in
/// nanoseconds), then awaits each handle in order; returns the sum.
macro_rules! timers {
    ($spawn:path, $sleep:path, $durations:expr) => {
        async move {
            let durations: &[Duration] = $durations;
            let mut handles = Vec::with_capacity(durations.len());
            for &d in durations {
                handles.push($spawn(async move {
                    $sleep(d).await;
                    d.as_nanos() as u64
                }));
            }
            let mut sum = 0u64;
            for handle in handles {
                sum += handle.await.expect("task panicked");
            }
            sum
        }
    };
}

/// Sends `0..n` from one task to another over a capacity-1
/// `tokio::sync::mpsc` channel; returns the receiver's sum.
macro_rules! pingpong {
    ($spawn:path, $n:expr) => {
        async move {
            let n: u64 = $n;
            let (tx, mut rx) = tokio::sync::mpsc::channel::<u64>(1);
            let sender = $spawn(async move {
                for i in 0..n {
                    tx.send(i).await.expect("receiver alive");
                }
            });
            let receiver = $spawn(async move {
                let mut sum = 0u64;
                let mut count = 0u64;
                while let Some(v) = rx.recv().await {
                    sum += v;
                    count += 1;
                }
                assert_eq!(count, n, "lost messages");
                sum
            });
            sender.await.expect("sender panicked");
            receiver.await.expect("receiver panicked")
        }
    };
}

/// One workload: its name, size, target speed-up and how to run it once.
struct Workload {
    name: &'static str,
    unit: &'static str,
    ops: u64,
    /// Required `tokio ns/op ÷ detsim ns/op`.
    target: f64,
    expected: u64,
    run: Box<dyn Fn(Runtime) -> (u64, Duration)>,
}

fn workloads(sizes: Sizes) -> Vec<Workload> {
    let durations: &'static [Duration] = Vec::leak(sleep_durations(sizes.timers));
    let timers_expected: u64 = durations.iter().map(|d| d.as_nanos() as u64).sum();
    let n = sizes.spawn_join;
    let m = sizes.pingpong;
    vec![
        Workload {
            name: "spawn_join",
            unit: "task",
            ops: n,
            target: 2.0,
            expected: n * n.saturating_sub(1) / 2,
            run: Box::new(move |rt| match rt {
                Runtime::Detsim(_) => rt.time(spawn_join!(detsim::spawn, n)),
                Runtime::Tokio => rt.time(spawn_join!(tokio::spawn, n)),
            }),
        },
        Workload {
            name: "timers",
            unit: "timer",
            ops: sizes.timers,
            target: 2.0,
            expected: timers_expected,
            run: Box::new(move |rt| match rt {
                Runtime::Detsim(_) => {
                    rt.time(timers!(detsim::spawn, detsim::time::sleep, durations))
                }
                Runtime::Tokio => rt.time(timers!(tokio::spawn, tokio::time::sleep, durations)),
            }),
        },
        Workload {
            name: "yield_pingpong",
            unit: "msg",
            ops: m,
            target: 1.3,
            expected: m * m.saturating_sub(1) / 2,
            run: Box::new(move |rt| match rt {
                Runtime::Detsim(_) => rt.time(pingpong!(detsim::spawn, m)),
                Runtime::Tokio => rt.time(pingpong!(tokio::spawn, m)),
            }),
        },
    ]
}

/// Median, min and max wall time of one (workload, runtime) pair.
#[derive(Clone, Copy, Debug)]
struct Sample {
    median: Duration,
    min: Duration,
    max: Duration,
}

/// Runs `workload` once on `rt`, checks its checksum, returns the time.
fn run_once(workload: &Workload, rt: Runtime) -> Duration {
    let (sum, elapsed) = (workload.run)(rt);
    assert_eq!(
        black_box(sum),
        workload.expected,
        "{}/{}: wrong checksum",
        workload.name,
        rt.label()
    );
    elapsed
}

/// Measures `workload` on every runtime in `rts`. The runtimes take turns
/// within each repetition (detsim, tokio, detsim, tokio, ...), so a burst
/// of load on a shared machine hits all of them alike.
fn measure(
    workload: &Workload,
    rts: &[Runtime],
    warmup: bool,
    reps: usize,
) -> Vec<(Sample, Vec<Duration>)> {
    if warmup {
        for &rt in rts {
            run_once(workload, rt);
        }
    }
    let mut times: Vec<Vec<Duration>> = vec![Vec::with_capacity(reps); rts.len()];
    for _ in 0..reps {
        for (i, &rt) in rts.iter().enumerate() {
            times[i].push(run_once(workload, rt));
        }
    }
    times
        .into_iter()
        .map(|per_rep| {
            let mut t = per_rep.clone();
            t.sort();
            let sample = Sample {
                median: t[t.len() / 2],
                min: t[0],
                max: t[t.len() - 1],
            };
            (sample, per_rep)
        })
        .collect()
}

/// The median over repetitions of `tokio[r] / detsim[r]`: each pair ran
/// back to back, so a machine that speeds up or slows down between
/// repetitions (a shared VM does) affects both sides of each ratio alike.
fn paired_ratio(tokio: &[Duration], detsim: &[Duration]) -> f64 {
    let mut ratios: Vec<f64> = tokio
        .iter()
        .zip(detsim)
        .map(|(t, d)| t.as_secs_f64() / d.as_secs_f64())
        .collect();
    ratios.sort_by(f64::total_cmp);
    ratios[ratios.len() / 2]
}

fn ns_per_op(d: Duration, ops: u64) -> f64 {
    d.as_nanos() as f64 / ops.max(1) as f64
}

fn main() {
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let scale = rows::scale();
    let (warmup, reps) = if scale == 1 { (true, REPS) } else { (false, 1) };
    let sizes = Sizes {
        spawn_join: SPAWN_JOIN_TASKS / scale,
        timers: TIMER_TASKS / scale,
        pingpong: PINGPONG_MESSAGES / scale,
    };

    println!("detsim vs tokio (current_thread, paused clock)");
    println!("command: cargo bench --bench runtime   (machine: see BENCHMARKS.md)");
    println!(
        "method: {} warm-up + median of {reps} (min..max shown), runtimes alternating; detsim: \
         Random scheduler (Fifo for information), no step/time limit, other settings default",
        if warmup { "1" } else { "no" }
    );
    if scale != 1 {
        println!("DETSIM_BENCH_SCALE={scale}: sizes divided by {scale}");
    }
    println!();
    println!(
        "{:<15} {:<12} {:>10} {:>22} {:>8} {:>7}  result",
        "workload", "runtime", "ns/op", "min..max ns/op", "ratio", "target"
    );

    let runtimes = [
        Runtime::Detsim(Scheduler::Random),
        Runtime::Detsim(Scheduler::Fifo),
        Runtime::Tokio,
    ];
    let mut failed = Vec::new();
    let mut judged = 0;
    for workload in workloads(sizes) {
        let selected = |rt: Runtime| {
            filter
                .as_deref()
                .is_none_or(|f| rows::row_selected(f, workload.name, rt.label()))
        };
        let rts: Vec<Runtime> = runtimes
            .iter()
            .copied()
            .filter(|&rt| selected(rt))
            .collect();
        let samples: Vec<(Runtime, (Sample, Vec<Duration>))> = rts
            .iter()
            .copied()
            .zip(measure(&workload, &rts, warmup, reps))
            .collect();
        let tokio_reps = samples
            .iter()
            .find(|(rt, _)| *rt == Runtime::Tokio)
            .map(|(_, (_, reps))| reps.clone());
        for (rt, (s, per_rep)) in &samples {
            let ns = ns_per_op(s.median, workload.ops);
            let range = format!(
                "{:.1}..{:.1}",
                ns_per_op(s.min, workload.ops),
                ns_per_op(s.max, workload.ops)
            );
            let (ratio, target, verdict) = match (rt, &tokio_reps) {
                (Runtime::Detsim(sched), Some(t)) => {
                    let ratio = paired_ratio(t, per_rep);
                    let verdict = if *sched != Scheduler::Random {
                        "(info)"
                    } else if ratio >= workload.target {
                        judged += 1;
                        "PASS"
                    } else {
                        judged += 1;
                        failed.push(workload.name);
                        "FAIL"
                    };
                    (
                        format!("{ratio:.2}x"),
                        format!("{:.1}x", workload.target),
                        verdict,
                    )
                }
                _ => (String::from("-"), String::from("-"), ""),
            };
            println!(
                "{:<15} {:<12} {:>10.1} {:>22} {:>8} {:>7}  {verdict}",
                workload.name,
                rt.label(),
                ns,
                range,
                ratio,
                target
            );
        }
        println!("{:<15} ({} {}s per run)", "", workload.ops, workload.unit);
    }
    println!();
    println!(
        "ratio = median over repetitions of tokio time / detsim time, each pair run back to back \
         (how many times faster detsim is)"
    );
    if judged == 0 {
        println!("no target judged (need both a detsim and a tokio row)");
    } else if failed.is_empty() {
        println!("all {judged} judged targets met");
    } else {
        println!("targets NOT met: {}", failed.join(", "));
    }
}
