//! The virtual-time limit and the step limit each stop a run with their own
//! kind of failure and a message saying how to raise them.

#[macro_use]
mod common;

use std::time::Duration;

use detsim::{FailureKind, Sim, spawn, time, yield_now};

#[test]
fn the_time_limit_stops_a_livelock() {
    let mut sim = Sim::builder()
        .seed(1)
        .time_limit(Duration::from_secs(10))
        .build();
    let failure = sim
        .run(async {
            let (tx, rx) = futures::channel::oneshot::channel::<()>();
            // A heartbeat keeps timers busy; the answer never comes.
            let _heartbeat = spawn(async move {
                let _tx = tx;
                loop {
                    time::sleep(Duration::from_secs(1)).await;
                }
            });
            rx.await.ok();
        })
        .unwrap_err();
    assert_eq!(failure.kind(), FailureKind::TimeLimit);
    assert!(failure.is_time_limit());
    assert_eq!(failure.time().since_start(), Duration::from_secs(10));
    assert_eq!(failure.blocked_tasks().len(), 2);
    assert_report_snapshot!(failure.headline());
}

#[test]
fn the_default_time_limit_is_one_hour() {
    let mut sim = Sim::builder().build();
    let failure = sim.run(time::sleep(Duration::from_secs(3601))).unwrap_err();
    assert!(failure.is_time_limit());
    let mut sim = Sim::builder().build();
    sim.run(time::sleep(Duration::from_secs(3600))).unwrap();
}

#[test]
fn the_step_limit_stops_a_busy_loop() {
    let mut sim = Sim::builder().max_steps(1_000).build();
    let failure = sim
        .run(async {
            let _spinner = spawn(async {
                loop {
                    yield_now().await;
                }
            });
            loop {
                yield_now().await;
            }
        })
        .unwrap_err();
    assert_eq!(failure.kind(), FailureKind::StepLimit);
    assert_eq!(failure.steps(), 1_000);
    assert_eq!(failure.time(), detsim::time::Instant::ZERO);
    assert_report_snapshot!(failure.headline());
}

#[test]
fn without_limits_long_runs_finish() {
    let mut sim = Sim::builder().no_time_limit().no_step_limit().build();
    sim.run(time::sleep(Duration::from_secs(86_400 * 365)))
        .unwrap();
    assert_eq!(sim.now().since_start().as_secs(), 86_400 * 365);
}
