//! Seed sweeps scale with cores: seeds/s of a CPU-bound `#[sim_test]`
//! swept with `DETSIM_JOBS=1` and `DETSIM_JOBS=2`.
//!
//! Each measurement runs the real harness path a user gets
//! (`DETSIM_SEEDS=<n> DETSIM_JOBS=<j>`, reading the environment, one
//! simulation per seed on worker threads) in a child process of this
//! benchmark, and reads the seeds/s of the summary line the sweep prints.
//! The two settings take turns for [`REPS`] repetitions; the ratio reported
//! is the median of the paired ratios (this VM's speed drifts between
//! minutes). Target (issue 3): 2 jobs ≥ 1.7× the seeds/s of 1 job.
//!
//! ```text
//! cargo bench --bench sweep
//! ```
//!
//! The test body is CPU-bound: 16 tasks each hash a buffer in rounds,
//! yielding between rounds so the scheduler interleaves them (about a
//! millisecond per seed).

use std::process::Command;

/// Paired repetitions.
const REPS: usize = 7;
/// Seeds per sweep.
const SEEDS: u64 = 3_000;
/// The target ratio of 2 jobs over 1 job.
const TARGET: f64 = 1.7;

async fn cpu_bound() {
    let mut handles = Vec::new();
    for t in 0..16u64 {
        handles.push(detsim::spawn(async move {
            let mut h = t.wrapping_mul(0x9E37_79B9_7F4A_7C15);
            for _ in 0..8 {
                for i in 0..400u64 {
                    h = (h ^ i).wrapping_mul(0x1000_0000_01B3).rotate_left(7);
                }
                detsim::yield_now().await;
            }
            h
        }));
    }
    let mut sum = 0u64;
    for h in handles {
        sum = sum.wrapping_add(h.await.unwrap());
    }
    std::hint::black_box(sum);
}

fn child() {
    let spec = detsim::__private::TestSpec {
        path: "sweep::cpu_bound",
        file: file!(),
        package: env!("CARGO_PKG_NAME"),
        crate_name: env!("CARGO_CRATE_NAME"),
        bin_name: None,
        target_tmpdir: option_env!("CARGO_TARGET_TMPDIR"),
        manifest_dir: env!("CARGO_MANIFEST_DIR"),
        features: detsim::__private::CompiledFeatures::UNKNOWN,
    };
    detsim::__private::run_test(spec, detsim::__private::TestAttrs::new(), cpu_bound);
}

/// Seeds/s of one sweep with `jobs` workers, from its summary line.
fn measure(jobs: usize) -> f64 {
    let out = Command::new(std::env::current_exe().expect("the benchmark's own path"))
        .env("SWEEP_BENCH_CHILD", "1")
        .env("DETSIM_SEEDS", SEEDS.to_string())
        .env("DETSIM_JOBS", jobs.to_string())
        .env_remove("DETSIM_SEED")
        .env_remove("DETSIM_REPLAY")
        .output()
        .expect("cannot start the sweep child");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the sweep failed:\n{stderr}");
    let line = stderr
        .lines()
        .find(|l| l.contains(" seeds run, "))
        .unwrap_or_else(|| panic!("no summary line in:\n{stderr}"));
    let rate = line
        .rsplit(", ")
        .next()
        .and_then(|s| s.split_whitespace().next())
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or_else(|| panic!("no seeds/s in {line:?}"));
    assert!(
        line.contains(&format!("{SEEDS} of {SEEDS} seeds run")),
        "{line}"
    );
    rate
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    if std::env::var_os("SWEEP_BENCH_CHILD").is_some() {
        child();
        return;
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    measure(1); // warm-up
    let (mut one, mut two, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..REPS {
        let a = measure(1);
        let b = measure(2);
        one.push(a);
        two.push(b);
        ratios.push(b / a);
    }
    let (one, two, ratio) = (median(one), median(two), median(ratios));
    println!("sweep of {SEEDS} seeds of a CPU-bound test, {cores} cores, median of {REPS} pairs");
    println!(
        "{:<8} {:>12} {:>12} {:>8} {:>8}  result",
        "jobs", "seeds/s", "ns/seed", "ratio", "target"
    );
    println!(
        "{:<8} {:>12.0} {:>12.0} {:>8} {:>8}",
        1,
        one,
        1e9 / one,
        "-",
        "-"
    );
    let result = if ratio >= TARGET { "PASS" } else { "FAIL" };
    println!(
        "{:<8} {:>12.0} {:>12.0} {:>7.2}x {:>7.1}x  {result}",
        2,
        two,
        1e9 / two,
        ratio,
        TARGET
    );
}
