//! An impossible configuration is a clear error when the simulation is
//! built: the setting, the problem and the fix.

#[macro_use]
mod common;

use std::time::Duration;

use detsim::{Scheduler, Sim};

#[test]
fn impossible_configurations_are_refused_with_the_fix() {
    let cases = [
        Sim::builder().time_limit(Duration::ZERO),
        Sim::builder().max_steps(0),
        Sim::builder().scheduler(Scheduler::Pct { depth: 0 }),
        Sim::builder().scheduler(Scheduler::Pct { depth: 65 }),
        Sim::builder()
            .scheduler(Scheduler::Pct { depth: 2 })
            .pct_steps(0),
        Sim::builder().slow_poll_threshold(Duration::ZERO),
        Sim::builder().trace(true).trace_limit(0),
    ];
    let messages: Vec<String> = cases
        .into_iter()
        .map(|b| b.try_build().unwrap_err().to_string())
        .collect();
    assert_report_snapshot!(messages.join("\n"));
}

#[test]
fn build_panics_with_the_same_message() {
    let err = std::panic::catch_unwind(|| {
        Sim::builder()
            .scheduler(Scheduler::Pct { depth: 0 })
            .build()
    })
    .unwrap_err();
    let msg = err.downcast_ref::<String>().unwrap();
    assert!(
        msg.starts_with("invalid detsim configuration: scheduler (PCT depth 0"),
        "{msg}"
    );
}

#[test]
fn the_error_names_its_setting() {
    let err = Sim::builder().max_steps(0).try_build().unwrap_err();
    assert_eq!(err.setting(), "max_steps");
    let _: &dyn std::error::Error = &err;
}
