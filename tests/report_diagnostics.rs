//! End-of-run hygiene (live tasks, armed timers; a failure in strict mode)
//! and slow-poll reports.

#[macro_use]
mod common;

use std::time::Duration;

use detsim::{Sim, spawn, task, time};

#[test]
fn hygiene_lists_live_tasks_and_armed_timers() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        task::Builder::new().name("heartbeat").spawn(async {
            loop {
                time::sleep(Duration::from_secs(1)).await;
            }
        });
        time::sleep(Duration::from_millis(1500)).await;
    })
    .unwrap();
    let report = sim.report();
    let hygiene = report.hygiene();
    assert!(!hygiene.is_clean());
    assert_eq!(hygiene.live_tasks().len(), 1);
    assert_eq!(hygiene.live_tasks()[0].name(), Some("heartbeat"));
    assert_eq!(hygiene.armed_timers().len(), 1);
    let timer = &hygiene.armed_timers()[0];
    assert_eq!(timer.deadline().since_start(), Duration::from_secs(2));
    assert_eq!(timer.task().unwrap().name(), Some("heartbeat"));
    assert_report_snapshot!(hygiene.to_string());
}

#[test]
fn strict_mode_fails_a_run_that_leaves_work_behind() {
    let mut sim = Sim::builder().strict(true).build();
    let failure = sim
        .run(async {
            spawn(time::sleep(Duration::from_secs(9)));
            detsim::yield_now().await;
        })
        .unwrap_err();
    assert!(failure.is_hygiene());
    let h = failure.hygiene().unwrap();
    assert_eq!((h.live_tasks().len(), h.armed_timers().len()), (1, 1));
    assert_report_snapshot!(failure.to_string());
}

#[test]
fn strict_mode_passes_a_clean_run() {
    let mut sim = Sim::builder().strict(true).build();
    sim.run(async {
        let h = spawn(time::sleep(Duration::from_secs(9)));
        h.abort();
        let _ = h.await;
    })
    .unwrap();
    assert!(sim.report().hygiene().is_clean());
}

#[test]
fn a_poll_that_blocks_the_thread_is_reported_but_changes_nothing() {
    let run = |threshold: Option<Duration>| {
        let mut b = Sim::builder().seed(5);
        b = match threshold {
            Some(t) => b.slow_poll_threshold(t),
            None => b.no_slow_poll_detection(),
        };
        let mut sim = b.build();
        sim.run(async {
            let h = task::Builder::new().name("hog").spawn(async {
                std::thread::sleep(Duration::from_millis(150));
            });
            h.await.unwrap();
        })
        .unwrap();
        sim
    };
    let watched = run(Some(Duration::from_millis(20)));
    let report = watched.report();
    let slow = report.slow_polls();
    assert_eq!(slow.len(), 1, "{report}");
    assert_eq!(slow[0].task().name(), Some("hog"));
    assert!(slow[0].real_duration() >= Duration::from_millis(20));
    assert!(
        slow[0]
            .to_string()
            .contains("blocked the simulation thread")
    );
    let unwatched = run(None);
    assert!(unwatched.report().slow_polls().is_empty());
    assert_eq!(watched.fingerprint(), unwatched.fingerprint());
}
