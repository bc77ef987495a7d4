//! Assertions across seeds: `assert_always!`/`assert_unreachable!` fail a
//! run at once; a sweep fails listing every `assert_sometimes!` that never
//! held and every `assert_reachable!` never reached (also one written in
//! the test that no run reached); a single seed does not enforce them;
//! merged results do not depend on the order runs finish in (the jobs).
//!
//! This file forbids unsafe code: the macros must compile in such crates.
#![forbid(unsafe_code)]

mod common;

use detsim::harness::{TestAttrs, TestSpec, run_test};
use detsim::{
    AssertKind, Assertions, FailureKind, Sim, assert_always, assert_reachable, assert_sometimes,
    assert_unreachable, rand, sim_test, spawn,
};

use common::panic_message;

/// A `TestSpec` for a fixture of this file, as `#[sim_test]` would build it.
fn spec(path: &'static str) -> TestSpec {
    TestSpec {
        path,
        file: file!(),
        package: env!("CARGO_PKG_NAME"),
        crate_name: env!("CARGO_CRATE_NAME"),
        bin_name: None,
        target_tmpdir: option_env!("CARGO_TARGET_TMPDIR"),
        manifest_dir: env!("CARGO_MANIFEST_DIR"),
        features: detsim::__private::CompiledFeatures::UNKNOWN,
    }
}

/// The sweep's failure text without the timing of its summary line.
fn sweep_failure(path: &'static str, seeds: u64, test: fn() -> Fixture) -> String {
    let text = panic_message(|| run_test(spec(path), TestAttrs::new().seeds(seeds), test));
    text.lines()
        .filter(|l| !l.contains("seeds/s"))
        .collect::<Vec<_>>()
        .join("\n")
}

type Fixture = std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>;

// ----------------------------------------------------------- within one run

#[test]
fn always_false_fails_the_run_with_the_message_even_in_a_joined_task() {
    let mut sim = Sim::builder().build();
    let f = sim
        .run(async {
            let t = spawn(async {
                let balance = -3;
                assert_always!(balance >= 0, "balance never negative");
                "not here"
            });
            // The join sees a panic, and the run fails anyway.
            assert!(t.await.unwrap_err().is_panic());
        })
        .unwrap_err();
    assert_eq!(f.kind(), FailureKind::Assertion);
    assert_eq!(f.task().unwrap().id().as_u64(), 1);
    assert_report_snapshot!(f.headline());
}

#[test]
fn always_true_is_recorded_and_passes() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        for i in 0..3 {
            assert_always!(i < 3, "in range");
        }
    })
    .unwrap();
    let stats = sim.assertions().get("in range").unwrap().clone();
    assert_eq!((stats.hits(), stats.times_true()), (3, 3));
    assert!(stats.is_met());
}

#[test]
fn unreachable_reached_fails_naming_it() {
    let mut sim = Sim::builder().build();
    let f = sim
        .run(async {
            if rand::random::<u8>() < 255 || rand::random::<u8>() < 255 {
                assert_unreachable!("both coins at 255");
            }
        })
        .unwrap_err();
    assert!(f.is_assertion());
    assert_eq!(
        f.message(),
        "assert_unreachable!(\"both coins at 255\") was reached"
    );
    assert!(f.location().unwrap().starts_with("tests/assert_sweep.rs:"));
}

#[test]
fn outside_a_simulation_assertions_do_nothing() {
    assert_always!(1 > 2, "not checked outside a simulation");
    assert_unreachable!("not checked outside a simulation either");
    assert_sometimes!(false, "nor recorded");
    assert_reachable!("anywhere");
}

// ------------------------------------------------------------- over a sweep

async fn value_never_high() {
    let v = rand::random::<u8>() % 100;
    assert_sometimes!(v > 200, "the value went above 200");
    assert_sometimes!(v > 50, "the value went above 50");
    if v > 250 {
        assert_reachable!("the overflow branch");
    }
    assert_reachable!("the end of the test");
}

fn value_never_high_boxed() -> Fixture {
    Box::pin(value_never_high())
}

#[test]
fn a_sweep_lists_every_sometimes_never_true_and_reachable_never_reached() {
    let text = sweep_failure(
        concat!(module_path!(), "::value_never_high"),
        40,
        value_never_high_boxed,
    );
    assert_report_snapshot!(text);
}

#[test]
fn merging_runs_in_any_order_gives_the_same_report() {
    let by_jobs = |jobs: usize| {
        let mut total = Assertions::default();
        // Merging per-run reports in any order gives the same report.
        let mut runs: Vec<Assertions> = (0..40)
            .map(|seed| {
                let mut sim = Sim::builder().seed(seed).build();
                sim.run(value_never_high()).unwrap();
                sim.assertions()
            })
            .collect();
        if jobs > 1 {
            runs.reverse();
        }
        for r in &runs {
            total.merge(r);
        }
        total
    };
    assert_eq!(by_jobs(1), by_jobs(2));
    let total = by_jobs(1);
    assert_eq!(total.runs(), 40);
    let unmet: Vec<_> = total.unmet().iter().map(|s| s.message()).collect();
    // The overflow branch was never reached, so this report (of reached
    // sites only) does not know it; the sweep above does.
    assert_eq!(unmet, ["the value went above 200"]);
    assert_eq!(
        total.get("the end of the test").unwrap().kind(),
        AssertKind::Reachable
    );
}

#[test]
fn a_single_seed_does_not_enforce_sometimes() {
    run_test(
        spec(concat!(module_path!(), "::value_never_high")),
        TestAttrs::new().seed(3),
        value_never_high_boxed,
    );
}

/// Holds on some seeds (about one in four), so the sweep passes.
#[sim_test(seeds = 40)]
async fn a_sweep_where_sometimes_holds_on_some_seed_passes() {
    let coin = rand::random::<u8>() % 4;
    assert_sometimes!(coin == 0, "a quarter of the time");
    if coin == 1 {
        assert_reachable!("one in four");
    }
}

#[test]
fn a_single_run_report_lists_what_it_saw() {
    let mut sim = Sim::builder().seed(9).build();
    sim.run(async {
        for i in 0..5u32 {
            assert_sometimes!(i % 2 == 0, "even");
        }
        assert_reachable!("done");
    })
    .unwrap();
    assert_report_snapshot!(sim.assertions().to_string());
}

#[test]
fn assertions_repeat_exactly_and_are_in_the_fingerprint() {
    let run = |seed: u64, assert: bool| {
        let mut sim = Sim::builder().seed(seed).build();
        sim.run(async move {
            let v = rand::random::<u8>();
            if assert {
                assert_sometimes!(v > 128, "high");
            }
        })
        .unwrap();
        (sim.fingerprint(), sim.assertions())
    };
    for seed in 0..100 {
        assert_eq!(run(seed, true), run(seed, true), "seed {seed}");
        assert_ne!(run(seed, true).0, run(seed, false).0, "seed {seed}");
    }
}
