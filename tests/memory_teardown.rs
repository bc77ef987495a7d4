//! Dropping a simulation frees everything it held: 10,000 simulations, each
//! ending with 100 pending tasks and 100 armed timers, do not grow resident
//! memory (after the 10,000th within 5% of after the 1,000th).

use std::time::Duration;

use detsim::{Sim, spawn, time};

fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

fn one_simulation(seed: u64) {
    // Slow-poll detection reacts to real time (a loaded CI machine can
    // flag polls and keep diagnostics), which is noise for a memory test.
    let mut sim = Sim::builder().seed(seed).no_slow_poll_detection().build();
    sim.run(async {
        for i in 0..100u64 {
            // Each task arms a timer and stays pending at the end.
            spawn(async move {
                time::sleep(Duration::from_secs(60 + i)).await;
            });
        }
        time::sleep(Duration::from_millis(1)).await;
    })
    .unwrap();
    let report = sim.report();
    assert_eq!(report.hygiene().live_tasks().len(), 100);
    assert_eq!(report.hygiene().armed_timers().len(), 100);
}

#[test]
fn ten_thousand_simulations_do_not_grow_memory() {
    let Some(_) = resident_bytes() else {
        eprintln!("no /proc/self/statm here: memory check skipped");
        return;
    };
    for seed in 0..1_000 {
        one_simulation(seed);
    }
    let after_1000 = resident_bytes().unwrap();
    for seed in 1_000..10_000 {
        one_simulation(seed);
    }
    let after_10000 = resident_bytes().unwrap();
    let growth = after_10000 as f64 / after_1000 as f64;
    eprintln!(
        "resident: {after_1000} B after 1,000 runs, {after_10000} B after 10,000 ({growth:.3}x)"
    );
    assert!(
        growth <= 1.05,
        "resident memory grew from {after_1000} to {after_10000} bytes"
    );
}
