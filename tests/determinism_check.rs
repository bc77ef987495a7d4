//! `check_determinism` runs a seed twice; deterministic code passes, and
//! code whose schedule depends on something outside the choice source (a
//! std HashMap's random iteration order, `futures::select!`'s random
//! branch order) fails with a report of where the runs diverged.

use std::collections::HashMap;
use std::time::Duration;

use detsim::{Sim, spawn, task, time};

#[test]
fn deterministic_code_passes_and_returns_its_output() {
    for seed in 0..20 {
        let out = Sim::builder()
            .seed(seed)
            .check_determinism(|| async {
                let a = spawn(async {
                    time::sleep(Duration::from_millis(detsim::rand::gen_range(0..10))).await;
                    1
                });
                let b = spawn(async { 2 });
                a.await.unwrap() + b.await.unwrap()
            })
            .unwrap();
        assert_eq!(out, 3);
    }
}

/// Spawns one named task per map entry, in the map's iteration order.
async fn hashmap_driven() {
    let peers: HashMap<String, u64> = (0..16).map(|i| (format!("peer-{i}"), i)).collect();
    let mut handles = Vec::new();
    for (name, delay) in peers {
        handles.push(task::Builder::new().name(name).spawn(async move {
            time::sleep(Duration::from_millis(delay)).await;
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
}

#[test]
fn hashmap_iteration_order_is_caught_and_located() {
    // Two HashMaps get different random keys, so two runs almost surely
    // spawn the peers in different orders.
    let failure = (0..5)
        .find_map(|seed| {
            Sim::builder()
                .seed(seed)
                .check_determinism(hashmap_driven)
                .err()
        })
        .expect("the nondeterminism was not caught in 5 seeds");
    assert!(failure.is_nondeterminism());
    let d = failure.divergence().unwrap();
    // The runs part at the first spawn whose peer differs: task 1 unless
    // both maps happened to start with the same peer.
    let task_of = |event: &str| -> String {
        let rest = event
            .strip_prefix("spawned task ")
            .unwrap_or_else(|| panic!("{failure}"));
        rest.split_whitespace().next().unwrap().to_owned()
    };
    assert_eq!(task_of(d.first()), task_of(d.second()), "{failure}");
    assert_eq!(d.task_name(), Some("main"));
    assert_eq!(d.node(), "main");
    assert_eq!(d.time(), detsim::time::Instant::ZERO);
    let text = failure.to_string();
    assert!(text.contains("the runs diverged at event"), "{text}");
    assert!(text.contains("first run:  spawned task "), "{text}");
}

#[test]
fn a_failure_that_repeats_is_returned_as_it_is() {
    let failure = Sim::builder()
        .seed(1)
        .check_determinism(|| async { panic!("same every time") })
        .unwrap_err();
    assert!(failure.is_panic());
    assert_eq!(failure.message(), "same every time");
}

#[test]
fn real_time_in_the_run_is_caught() {
    // A decision made from the real clock: the sleep differs between runs.
    let failure = (0..5).find_map(|seed| {
        Sim::builder()
            .seed(seed)
            .check_determinism(|| async {
                // determinism: deliberately not ok (this test plants it)
                let nanos = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .subsec_nanos();
                time::sleep(Duration::from_nanos(u64::from(nanos))).await;
            })
            .err()
    });
    let failure = failure.expect("the real clock was not caught");
    let d = failure.divergence().unwrap();
    assert!(d.first().starts_with("moved the clock to"), "{failure}");
}

/// Races two ready futures many times with `futures::select!`, whose
/// branch order comes from futures' own generator, and records which won.
async fn unbiased_select() -> Vec<u8> {
    use futures::FutureExt;
    let mut winners = Vec::new();
    for _ in 0..32 {
        let mut a = std::future::ready(0u8).fuse();
        let mut b = std::future::ready(1u8).fuse();
        let won = futures::select! {
            x = a => x,
            y = b => y,
        };
        // The winner decides how long to sleep: the schedule follows it.
        time::sleep(Duration::from_millis(u64::from(won) + 1)).await;
        winners.push(won);
    }
    winners
}

#[test]
fn unbiased_select_is_caught_and_biased_select_passes() {
    // 32 fair coin flips from outside the choice source: two runs agree
    // on all of them once in 2^32.
    let failure = Sim::builder()
        .seed(1)
        .check_determinism(unbiased_select)
        .expect_err("futures::select! went unnoticed");
    assert!(failure.is_nondeterminism());
    let biased = Sim::builder()
        .seed(1)
        .check_determinism(|| async {
            use futures::FutureExt;
            let mut a = std::future::ready(0u8).fuse();
            let mut b = std::future::ready(1u8).fuse();
            futures::select_biased! {
                x = a => x,
                y = b => y,
            }
        })
        .unwrap();
    assert_eq!(biased, 0);
}
