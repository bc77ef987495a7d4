//! Finding bugs: for each program of the bug set (`tests/bugs/`), the runs
//! to the first failure under Random and PCT at depths 1–3 (with `k`
//! estimated from calibration runs), PCT's hit rate against its bound
//! `1/(n·k^(d-1))`, and the size of the first failing tape before and after
//! shrinking. Prints a table with PASS/FAIL for the three claims of
//! BENCHMARKS.md's "Finding bugs" section:
//!
//! 1. PCT at depth `d` finds every scheduling bug of depth at most
//!    `d <= 3` at least as often as its bound promises (the bound is about
//!    task order; the fault-driven bugs are listed as n/a);
//! 2. PCT beats Random on the median over the bug set of the median runs
//!    to first failure;
//! 3. shrinking cuts the non-zero draws of a failing tape by at least 5x
//!    (median over every shrunk tape).
//!
//! `cargo bench --bench bugs` (a few minutes on one core). Everything is
//! deterministic: the same numbers on every machine.

#[path = "../tests/bugs/mod.rs"]
mod bugs;

use std::time::Instant;

use bugs::Bug;
use detsim::shrink::Shrinker;
use detsim::{Builder, Scheduler, Sim, estimate_pct_steps};

/// Base seeds: each starts a sequence of seeds run until the first failure.
const BASES: u64 = 20;
/// Runs per base before giving up (counted as CAP when nothing fails).
const CAP: u64 = 2_000;
/// Runs per PCT depth for the hit rate.
const RATE_RUNS: u64 = 500;

fn builder(scheduler: Scheduler, k: u64) -> Builder {
    Sim::builder().scheduler(scheduler).pct_steps(k)
}

/// Whether the run of `seed` fires the bug (any other failure is a defect
/// of the bug set and aborts the bench).
fn fires(bug: &Bug, b: Builder) -> Option<detsim::Failure> {
    let mut sim = b.build();
    match sim.run(bug.run(false)) {
        Ok(()) => None,
        Err(f) if bug.is_this(&f) => Some(f),
        Err(f) => panic!("{}: unexpected failure {f}", bug.name),
    }
}

/// Runs to the first failure from `base`, and that failure.
fn first_failure(bug: &Bug, s: Scheduler, k: u64, base: u64) -> (u64, Option<detsim::Failure>) {
    for i in 0..CAP {
        if let Some(f) = fires(bug, builder(s, k).seed((base << 32) + i)) {
            return (i + 1, Some(f));
        }
    }
    (CAP, None)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn verdict(ok: bool) -> &'static str {
    if ok { "PASS" } else { "FAIL" }
}

struct Row {
    random: f64,
    pct: [f64; 3],
    portfolio: f64,
}

fn main() {
    let started = Instant::now(); // determinism: ok (the bench's own timing)
    let mut rows = Vec::new();
    let mut all_ratios = Vec::new();
    let mut bound_ok = true;
    println!("Finding bugs: runs to first failure (median over {BASES} base seeds, cap {CAP})");
    println!(
        "{:<24} {:>5} {:>3} {:>5} | {:>8} {:>8} {:>8} {:>8} {:>9} | {:>22} | {:>28}",
        "bug",
        "depth",
        "n",
        "k",
        "random",
        "pct d=1",
        "pct d=2",
        "pct d=3",
        "portfolio",
        "pct hit rate vs bound",
        "shrink: len, non-zero (med)"
    );
    for bug in bugs::all() {
        let k = estimate_pct_steps(&Sim::builder(), || bug.run(false));
        let mut random = Vec::new();
        let mut pct: [Vec<f64>; 3] = Default::default();
        let mut shrink = Vec::new();
        let mut portfolio = Vec::new();
        for base in 0..BASES {
            let (runs, _) = first_failure(&bug, Scheduler::Portfolio, k, base);
            portfolio.push(runs as f64);
            let (runs, failure) = first_failure(&bug, Scheduler::Random, k, base);
            random.push(runs as f64);
            if let Some(f) = failure {
                let shrunk = Shrinker::new()
                    .shrink(&f, |tape| {
                        builder(Scheduler::Random, k)
                            .seed(f.seed())
                            .tape(tape)
                            .build()
                            .run(bug.run(false))
                    })
                    .expect("a failing tape replays");
                assert!(
                    shrunk.replays_exactly(),
                    "{}: shrunk tape replays",
                    bug.name
                );
                let ratio = shrunk.nonzero_before() as f64 / shrunk.nonzero_after().max(1) as f64;
                all_ratios.push(ratio);
                shrink.push(shrunk);
            }
            for d in 1..=3u32 {
                let (runs, _) = first_failure(&bug, Scheduler::Pct { depth: d }, k, base);
                pct[d as usize - 1].push(runs as f64);
            }
        }
        // PCT's hit rate at each depth d >= the bug's depth, against the bound.
        let mut rates = Vec::new();
        if bug.fault_driven {
            rates.push("n/a (fault-driven)".to_owned());
        }
        for d in (bug.depth.max(1)..=3).filter(|_| !bug.fault_driven) {
            let hits = (0..RATE_RUNS)
                .filter(|&s| fires(&bug, builder(Scheduler::Pct { depth: d }, k).seed(s)).is_some())
                .count() as f64;
            let rate = hits / RATE_RUNS as f64;
            let bound = 1.0 / (f64::from(bug.tasks) * (k as f64).powi(d as i32 - 1));
            let ok = rate >= bound;
            bound_ok &= ok;
            rates.push(format!("d{d} {rate:.3}>={bound:.1e} {}", verdict(ok)));
        }
        let med = |f: fn(&detsim::shrink::Shrunk) -> usize| {
            median(shrink.iter().map(|s| f(s) as f64).collect())
        };
        let row = Row {
            random: median(random),
            pct: pct.map(median),
            portfolio: median(portfolio),
        };
        println!(
            "{:<24} {:>5} {:>3} {:>5} | {:>8.1} {:>8.1} {:>8.1} {:>8.1} {:>9.1} | {} | {:>5.0}->{:<5.0} {:>5.0}->{:<5.0}",
            bug.name,
            bug.depth,
            bug.tasks,
            k,
            row.random,
            row.pct[0],
            row.pct[1],
            row.pct[2],
            row.portfolio,
            rates.join(", "),
            med(|s| s.len_before()),
            med(|s| s.len_after()),
            med(|s| s.nonzero_before()),
            med(|s| s.nonzero_after()),
        );
        rows.push((bug, row));
    }
    let random = median(rows.iter().map(|(_, r)| r.random).collect());
    let at_depth = median(
        rows.iter()
            .map(|(b, r)| r.pct[b.depth.clamp(1, 3) as usize - 1])
            .collect(),
    );
    let d3 = median(rows.iter().map(|(_, r)| r.pct[2]).collect());
    let portfolio = median(rows.iter().map(|(_, r)| r.portfolio).collect());
    let ratio = median(all_ratios.clone());
    println!();
    println!(
        "median over the bug set of the median runs to first failure: random {random:.1}, \
         pct at the bug's depth {at_depth:.1}, pct depth 3 {d3:.1}, portfolio {portfolio:.1}"
    );
    println!(
        "[{}] PCT finds every depth<=3 bug at least as often as 1/(n*k^(d-1))",
        verdict(bound_ok)
    );
    println!(
        "[{}] PCT (at the bug's depth) beats Random on the median of the bug set ({at_depth:.1} < {random:.1})",
        verdict(at_depth < random)
    );
    println!(
        "[{}] shrinking cuts non-zero draws by >= 5x: median {ratio:.1}x over {} tapes",
        verdict(ratio >= 5.0),
        all_ratios.len()
    );
    println!("(took {:.1?})", started.elapsed());
}
