//! `#[sim_test(scheduler = "pct:N")]` — the spelling `DETSIM_SCHEDULER` and
//! `cargo detsim --scheduler` use — runs exactly the schedules of
//! `scheduler = "pct", pct_depth = N`.

use std::collections::BTreeSet;
use std::sync::Mutex;

use detsim::sim_test;

/// What one run saw: its first random draw (a function of the seed and the
/// scheduler, so it tells the seeds apart) and the order in which racing
/// tasks finished.
type Seen = BTreeSet<(u64, Vec<u32>)>;

static PCT_COLON_2: Mutex<Seen> = Mutex::new(BTreeSet::new());
static PCT_DEPTH_2: Mutex<Seen> = Mutex::new(BTreeSet::new());
static PCT_DEFAULT: Mutex<Seen> = Mutex::new(BTreeSet::new());

/// Races five tasks that yield a few times each, and records the order in
/// which they finish. A run is a pure function of its seed and scheduler,
/// so recording it twice (this test binary runs each test function both
/// alone and from the comparison below) adds nothing new.
async fn race(into: &Mutex<Seen>) {
    let key: u64 = detsim::rand::random();
    let order = std::sync::Arc::new(Mutex::new(Vec::new()));
    let tasks: Vec<_> = (0..5u32)
        .map(|i| {
            let order = order.clone();
            detsim::spawn(async move {
                for _ in 0..=i % 3 {
                    detsim::yield_now().await;
                }
                order.lock().unwrap().push(i);
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let order = order.lock().unwrap().clone();
    into.lock().unwrap().insert((key, order));
}

#[sim_test(seeds = 40, scheduler = "pct:2")]
async fn scheduler_pct_colon_depth() {
    race(&PCT_COLON_2).await;
}

#[sim_test(seeds = 40, scheduler = "pct", pct_depth = 2)]
async fn scheduler_pct_with_pct_depth() {
    race(&PCT_DEPTH_2).await;
}

#[sim_test(seeds = 40, scheduler = "pct")]
async fn scheduler_pct_default_depth_three() {
    race(&PCT_DEFAULT).await;
}

#[test]
fn pct_colon_n_runs_the_same_schedules_as_pct_depth_n() {
    if std::env::var_os("DETSIM_SCHEDULER").is_some() {
        return; // the variable overrides both attributes alike
    }
    scheduler_pct_colon_depth();
    scheduler_pct_with_pct_depth();
    scheduler_pct_default_depth_three();
    let colon = PCT_COLON_2.lock().unwrap().clone();
    let depth = PCT_DEPTH_2.lock().unwrap().clone();
    let default = PCT_DEFAULT.lock().unwrap().clone();
    // At least one record per seed (the harness also runs the test once
    // to estimate PCT's step count, the same way for both spellings).
    assert!(colon.len() >= 40, "{}", colon.len());
    assert_eq!(colon, depth);
    // And the depth is not ignored: depth 3 runs other schedules.
    assert_ne!(colon, default);
}
