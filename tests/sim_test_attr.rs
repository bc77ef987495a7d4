//! `#[detsim::sim_test]` used for real: every key is accepted, the test runs
//! inside the simulator (tasks, virtual time), and the function's own
//! attributes (`#[should_panic]`, docs, lints) still apply.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use detsim::sim_test;
use detsim::time::{self, Instant};

#[sim_test]
async fn unit_return() {}

#[detsim::sim_test]
async fn result_ok() -> Result<(), String> {
    Ok(())
}

#[sim_test]
async fn question_mark_in_the_body() -> Result<(), std::num::ParseIntError> {
    let n: u32 = "42".parse()?;
    assert_eq!(n, 42);
    Ok(())
}

#[sim_test]
async fn boxed_error() -> Result<(), Box<dyn std::error::Error>> {
    let _: u8 = "7".parse()?;
    Ok(())
}

#[sim_test]
async fn tasks_and_virtual_time() {
    let start = Instant::now();
    let done = Arc::new(AtomicU32::new(0));
    let tasks: Vec<_> = (1..=3)
        .map(|i| {
            let done = done.clone();
            detsim::spawn(async move {
                time::sleep(Duration::from_secs(i)).await;
                done.fetch_add(1, Ordering::Relaxed);
                i
            })
        })
        .collect();
    let mut total = 0;
    for task in tasks {
        total += task.await.unwrap();
    }
    assert_eq!(total, 6);
    assert_eq!(done.load(Ordering::Relaxed), 3);
    // Three virtual seconds, however long the test really took.
    assert_eq!(start.elapsed(), Duration::from_secs(3));
}

#[sim_test(seed = 7)]
async fn seed_decimal() {}

#[sim_test(seed = 0xdead_beef)]
async fn seed_hex_with_underscores() {}

#[sim_test(seed = 18_446_744_073_709_551_615)]
async fn seed_u64_max() {}

#[sim_test(seed = 3, seeds = 20)]
async fn seeds_count() {
    detsim::yield_now().await;
}

#[sim_test(scheduler = "random")]
async fn scheduler_random() {}

#[sim_test(scheduler = "fifo")]
async fn scheduler_fifo() {
    let order = Arc::new(std::sync::Mutex::new(Vec::new()));
    let tasks: Vec<_> = (0..3)
        .map(|i| {
            let order = order.clone();
            detsim::spawn(async move { order.lock().unwrap().push(i) })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(order.lock().unwrap().len(), 3);
}

#[sim_test(scheduler = "pct")]
async fn scheduler_pct_default_depth() {}

#[sim_test(scheduler = "pct", pct_depth = 5)]
async fn scheduler_pct_with_depth() {
    detsim::yield_now().await;
}

#[sim_test(pct_depth = 64, scheduler = "pct")]
async fn pct_depth_before_scheduler() {}

#[sim_test(time_limit = "90s")]
async fn time_limit_seconds() {
    time::sleep(Duration::from_secs(60)).await;
}

#[sim_test(time_limit = "1.5s")]
async fn time_limit_decimal() {
    time::sleep(Duration::from_secs(1)).await;
}

#[sim_test(time_limit = "250ms")]
async fn time_limit_millis() {}

#[sim_test(max_steps = 1_000_000)]
async fn max_steps() {
    detsim::yield_now().await;
}

#[sim_test(strict)]
async fn strict() {
    detsim::spawn(async {}).await.unwrap();
}

#[sim_test(check_determinism)]
async fn check_determinism() {
    let a = detsim::spawn(async { 1 });
    let b = detsim::spawn(async { 2 });
    assert_eq!(a.await.unwrap() + b.await.unwrap(), 3);
}

#[sim_test(
    seed = 1,
    seeds = 4,
    scheduler = "pct",
    pct_depth = 2,
    time_limit = "10m",
    max_steps = 100_000,
    strict,
    check_determinism
)]
async fn every_key_at_once() {
    time::sleep(Duration::from_secs(1)).await;
}

// A test-support module re-exporting detsim under another name, as a
// helper crate would.
mod reexport {
    pub(crate) use detsim as sim;
}

#[reexport::sim::sim_test(crate = "crate::reexport::sim", seed = 5)]
async fn crate_path_through_a_reexport() {
    time::sleep(Duration::from_millis(5)).await;
}

#[reexport::sim::sim_test(crate = "crate::reexport::sim")]
async fn crate_path_with_a_result() -> Result<(), String> {
    Ok(())
}

#[sim_test]
#[should_panic]
async fn should_panic_sees_the_body_panic() {
    detsim::yield_now().await;
    panic!("boom");
}

#[sim_test]
#[should_panic]
async fn should_panic_sees_an_err() -> Result<(), String> {
    Err("the test returned an error".to_string())
}

#[sim_test]
#[ignore = "ignored tests stay ignored (it passes under --include-ignored too)"]
async fn ignore_is_kept() {
    assert!(detsim::task::try_id().is_some(), "runs in a simulation");
}

/// Doc comments and lint attributes stay on the test.
#[sim_test]
#[allow(unused_variables)]
async fn other_attributes_are_kept() {
    let unused = 1;
}

/// A public test keeps its visibility.
#[sim_test]
pub async fn public_test() {}

#[sim_test]
async fn r#type() {}

mod nested {
    #[detsim::sim_test(seed = 2)]
    async fn in_a_module() {
        detsim::time::sleep(std::time::Duration::from_secs(1)).await;
    }
}

// The wrapped function is a plain `async fn` of the test's name inside it,
// so it may call helpers and other async fns of the module.
async fn helper() -> u32 {
    detsim::yield_now().await;
    5
}

#[sim_test]
async fn calls_a_helper() {
    assert_eq!(helper().await, 5);
}

macro_rules! sim_test_from_a_macro {
    ($name:ident, $seed:expr, $ret:ty) => {
        #[sim_test(seed = $seed, time_limit = "1s")]
        async fn $name() -> $ret {
            time::sleep(Duration::from_millis(1)).await;
            Ok(())
        }
    };
}

sim_test_from_a_macro!(generated_by_macro_rules, 11, Result<(), String>);
