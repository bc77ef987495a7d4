//! detsim::fs vs tokio::fs: the cost a user saves by simulating the disk.
//!
//! One workload (issue 5, "Speed"): open a file in append mode, append
//! 100k blocks of 4 KiB, `sync_data` after every 100th, on
//!
//! * detsim: `detsim::fs` in a fresh [`detsim::Sim`] per repetition
//!   (default disk: no faults, no latency, strict namespace);
//! * tokio: `tokio::fs` on a `current_thread` runtime against a real
//!   directory under `std::env::temp_dir()` (a unique name, removed after
//!   each repetition).
//!
//! Targets: detsim ≥ 10× faster than tokio, and ≥ 1M simulated 4 KiB
//! writes per second on one core.
//!
//! Method: one warm-up (whose detsim time is also printed: the first
//! simulation on a thread stores its blocks in fresh memory, later ones
//! reuse the blocks the previous one freed), then the median of [`REPS`]
//! repetitions with the two sides alternating; the ratio is the median of per-repetition
//! `tokio / detsim` ratios (pairs run back to back, so machine drift hits
//! both). Only the run is timed (not building the runtime, not removing
//! the directory). Each run returns the file's final length, checked, so
//! nothing is optimised away.
//!
//! ```text
//! cargo bench --bench fs
//! ```
//!
//! `DETSIM_BENCH_SCALE=<divisor>` divides the number of writes (one
//! repetition, no warm-up), and a positional `detsim` or `tokio` runs
//! that side alone, for profilers. Results are in `BENCHMARKS.md`.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Timed repetitions per side; the median is reported.
const REPS: usize = 5;
const WRITES: u64 = 100_000;
const BLOCK: usize = 4096;
const SYNC_EVERY: u64 = 100;

/// The workload, the same source on both sides: open `path` for appending
/// (creating it) with `options`, append `block` `writes` times with a
/// `sync_data` every [`SYNC_EVERY`]; the file's final length.
macro_rules! appends {
    ($options:expr, $path:expr, $block:expr, $writes:expr) => {{
        let mut f = $options
            .append(true)
            .create(true)
            .open($path)
            .await
            .unwrap();
        for i in 1..=$writes {
            f.write_all($block).await.unwrap();
            if i % SYNC_EVERY == 0 {
                f.sync_data().await.unwrap();
            }
        }
        f.metadata().await.unwrap().len()
    }};
}

/// CPU time this thread has run (Linux's `/proc/thread-self/schedstat`,
/// nanoseconds), to see past other processes' load on a shared machine.
fn thread_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// The detsim side: the file's length, the wall time and (on Linux) the
/// CPU time of the run.
fn detsim_run(writes: u64) -> (u64, Duration, Option<Duration>) {
    let mut sim = detsim::Sim::builder()
        .seed(1)
        .no_step_limit()
        .no_time_limit()
        .build();
    let block = vec![0xA5u8; BLOCK];
    let cpu = thread_cpu();
    let start = Instant::now();
    let len = sim
        .run(async move {
            let mut options = detsim::fs::OpenOptions::new();
            appends!(&mut options, "/bench", &block, writes)
        })
        .unwrap();
    let elapsed = start.elapsed();
    let cpu = thread_cpu().zip(cpu).map(|(after, before)| after - before);
    drop(sim); // frees the simulated disk outside the timed region
    (len, elapsed, cpu)
}

fn tokio_run(writes: u64, rep: usize) -> (u64, Duration) {
    use tokio::io::AsyncWriteExt;
    let dir: PathBuf =
        std::env::temp_dir().join(format!("detsim-bench-fs-{}-{rep}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let block = vec![0xA5u8; BLOCK];
    let path = dir.join("bench");
    let start = Instant::now();
    let len = rt.block_on(async {
        let mut options = tokio::fs::OpenOptions::new();
        appends!(&mut options, &path, &block, writes)
    });
    let elapsed = start.elapsed();
    drop(rt);
    std::fs::remove_dir_all(&dir).unwrap();
    (len, elapsed)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let scale: u64 = std::env::var("DETSIM_BENCH_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|&s| s > 0)
        .unwrap_or(1);
    let (warmup, reps) = if scale == 1 { (true, REPS) } else { (false, 1) };
    let writes = WRITES / scale;
    let expected = writes * BLOCK as u64;
    if let Some(side) = std::env::args().skip(1).find(|a| !a.starts_with('-')) {
        // Profiling: one side only (a warm-up run, then a timed one; CPU
        // time for detsim where the platform gives it).
        let run = |rep| match side.as_str() {
            "detsim" => {
                let (len, t, cpu) = detsim_run(writes);
                (len, cpu.unwrap_or(t))
            }
            "tokio" => tokio_run(writes, rep),
            other => panic!("unknown side {other:?}: give detsim or tokio"),
        };
        run(0);
        let (len, t) = run(1);
        assert_eq!(len, expected);
        println!(
            "{side}: {:.0} ns/write",
            t.as_secs_f64() * 1e9 / writes as f64
        );
        return;
    }

    println!(
        "detsim::fs vs tokio::fs (current_thread, on {})",
        std::env::temp_dir().display()
    );
    println!(
        "workload: {writes} appends of {BLOCK} B, sync_data every {SYNC_EVERY}; {} warm-up + median of {reps}, sides alternating",
        if warmup { "1" } else { "no" }
    );
    // The warm-up's detsim run is also reported: the first simulation on
    // a thread stores every block in fresh memory (a page fault each);
    // later ones reuse the blocks the previous one freed.
    let cold = warmup.then(|| {
        let (len, d, _) = detsim_run(writes);
        assert_eq!(black_box(len), expected, "detsim: wrong length");
        tokio_run(writes, 0);
        d.as_secs_f64()
    });
    let (mut d, mut t, mut cpu) = (Vec::new(), Vec::new(), Vec::new());
    for rep in 0..reps {
        let (len, dt, dcpu) = detsim_run(writes);
        cpu.extend(dcpu.map(|c| c.as_secs_f64()));
        assert_eq!(black_box(len), expected, "detsim: wrong length");
        let (len, tt) = tokio_run(writes, rep + 1);
        assert_eq!(black_box(len), expected, "tokio: wrong length");
        d.push(dt.as_secs_f64());
        t.push(tt.as_secs_f64());
    }
    let ratio = median(t.iter().zip(&d).map(|(t, d)| t / d).collect());
    let (dm, tm) = (median(d.clone()), median(t.clone()));
    let per_op = |s: f64| s * 1e9 / writes as f64;
    let writes_per_s = writes as f64 / dm;
    println!();
    println!(
        "{:<8} {:>10} {:>14} {:>22}",
        "side", "ns/write", "writes/s", "min..max ns/write"
    );
    let minmax = |v: &[f64]| {
        let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = v.iter().copied().fold(0.0, f64::max);
        format!("{:.0}..{:.0}", per_op(lo), per_op(hi))
    };
    println!(
        "{:<8} {:>10.0} {:>14.0} {:>22}",
        "detsim",
        per_op(dm),
        writes_per_s,
        minmax(&d)
    );
    println!(
        "{:<8} {:>10.0} {:>14.0} {:>22}",
        "tokio",
        per_op(tm),
        writes as f64 / tm,
        minmax(&t)
    );
    if let Some(c) = cold {
        println!(
            "(detsim's first run on this thread, fresh memory: {:.0} ns/write, {:.0} writes/s)",
            per_op(c),
            writes as f64 / c
        );
    }
    let cpu_rate = (cpu.len() == reps).then(|| writes as f64 / median(cpu.clone()));
    if let Some(r) = cpu_rate {
        println!(
            "(detsim CPU time, median: {:.0} ns/write, {r:.0} writes/s on one core)",
            1e9 / r
        );
    }
    println!();
    let speedup_ok = ratio >= 10.0;
    let rate_ok = writes_per_s >= 1_000_000.0;
    println!(
        "ratio (median of paired tokio/detsim): {ratio:.1}x  target >= 10x  {}",
        if speedup_ok { "PASS" } else { "FAIL" }
    );
    println!(
        "detsim writes/s (wall): {writes_per_s:.0}  target >= 1000000  {}",
        if rate_ok { "PASS" } else { "FAIL" }
    );
    if let Some(r) = cpu_rate {
        println!(
            "detsim writes/s (CPU time): {r:.0}  target >= 1000000  {}",
            if r >= 1_000_000.0 { "PASS" } else { "FAIL" }
        );
    }
}
