//! A deadlock fails the run and names the blocked tasks, their nodes and
//! where they were spawned, with the reason time cannot help.

#[macro_use]
mod common;

use std::time::Duration;

use detsim::node::Node;
use detsim::{FailureKind, Sim, task, time};
use futures::channel::oneshot;

#[test]
fn a_deadlock_names_the_blocked_tasks() {
    let mut sim = Sim::builder().seed(3).build();
    let failure = sim
        .run(async {
            let (tx_a, rx_a) = oneshot::channel::<()>();
            let (tx_b, rx_b) = oneshot::channel::<()>();
            // Each waits for the other before sending: a classic cycle.
            let a = task::Builder::new().name("alice").spawn(async move {
                rx_b.await.unwrap();
                tx_a.send(()).unwrap();
            });
            let server = Node::builder("server").build();
            let b = task::Builder::new()
                .name("bob")
                .node(&server)
                .spawn(async move {
                    rx_a.await.unwrap();
                    tx_b.send(()).unwrap();
                });
            a.await.unwrap();
            b.await.unwrap();
        })
        .unwrap_err();
    assert_eq!(failure.kind(), FailureKind::Deadlock);
    assert!(failure.is_deadlock());
    let names: Vec<_> = failure.blocked_tasks().iter().map(|t| t.name()).collect();
    assert_eq!(names, [Some("main"), Some("alice"), Some("bob")]);
    assert_eq!(failure.blocked_tasks()[2].node_name(), "server");
    assert_eq!(failure.task().unwrap().name(), Some("main"));
    assert_report_snapshot!(failure.to_string());
}

#[test]
fn a_paused_clock_with_armed_timers_is_a_deadlock_that_says_why() {
    let mut sim = Sim::builder().auto_advance(false).build();
    let failure = sim
        .run(async { time::sleep(Duration::from_secs(5)).await })
        .unwrap_err();
    assert!(failure.is_deadlock());
    assert!(
        failure
            .headline()
            .contains("auto-advance is off and no task is in time::advance(), so 1 armed timer"),
        "{failure}"
    );
    assert_report_snapshot!(failure.headline());
}

#[test]
fn tasks_waiting_on_a_paused_node_are_a_deadlock_that_says_why() {
    let mut sim = Sim::builder().build();
    let failure = sim
        .run(async {
            let n = Node::builder("paused").build();
            let h = n.spawn(async { 1 });
            n.pause();
            h.await.unwrap()
        })
        .unwrap_err();
    assert!(failure.is_deadlock());
    assert!(failure.headline().contains("on paused nodes"), "{failure}");
}

#[test]
fn waiting_for_a_timer_is_not_a_deadlock() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let (tx, rx) = oneshot::channel();
        detsim::spawn(async move {
            time::sleep(Duration::from_secs(30)).await;
            tx.send(5).unwrap();
        });
        assert_eq!(rx.await.unwrap(), 5);
    })
    .unwrap();
    assert_eq!(sim.now().since_start(), Duration::from_secs(30));
}

#[test]
fn a_deadlock_names_a_panic_whose_join_handle_was_never_awaited() {
    let mut sim = Sim::builder().seed(5).build();
    let failure = sim
        .run(async {
            // The writer panics; main holds its handle but waits for a
            // reply the writer would have sent: the panic is the cause.
            let (tx, rx) = oneshot::channel::<()>();
            let writer = task::Builder::new().name("writer").spawn(async move {
                time::sleep(Duration::from_millis(5)).await;
                std::mem::forget(tx); // the reply never comes, and never errors
                panic!("disk full");
            });
            rx.await.unwrap();
            writer.await.unwrap();
        })
        .unwrap_err();
    assert!(failure.is_deadlock());
    let report = failure.to_string();
    assert!(report.contains("'writer' "), "{report}");
    assert!(report.contains("panicked"), "{report}");
    assert!(report.contains("disk full"), "{report}");
    assert!(report.contains("nobody has awaited it yet"), "{report}");
}

#[test]
fn a_step_limit_names_a_panic_whose_join_handle_was_never_awaited() {
    let mut sim = Sim::builder().seed(5).max_steps(1_000).build();
    let failure = sim
        .run(async {
            let _writer = task::Builder::new()
                .name("writer")
                .spawn(async { panic!("lost the lease") });
            // Spins waiting for work the writer would have done.
            loop {
                detsim::yield_now().await;
            }
        })
        .unwrap_err();
    assert_eq!(failure.kind(), FailureKind::StepLimit);
    let report = failure.to_string();
    assert!(report.contains("'writer' "), "{report}");
    assert!(report.contains("lost the lease"), "{report}");
}
