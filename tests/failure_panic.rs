//! Panics: a task's panic comes out of its JoinHandle; a panic in the main
//! future, or in a task nobody joins, fails the run naming task and node.

#[macro_use]
mod common;

use std::time::Duration;

use detsim::node::Node;
use detsim::{Sim, spawn, task, time};

#[test]
fn a_joined_task_panic_is_a_join_error_and_the_run_goes_on() {
    let mut sim = Sim::builder().build();
    let out = sim
        .run(async {
            let h = task::Builder::new()
                .name("worker")
                .spawn(async { panic!("worker failed: {}", 42) });
            let err = h.await.unwrap_err();
            assert!(err.is_panic());
            assert!(!err.is_cancelled());
            assert_eq!(err.panic_message(), Some("worker failed: 42"));
            assert_eq!(err.task().name(), Some("worker"));
            let payload = err.into_panic();
            let text = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied());
            assert_eq!(text, Some("worker failed: 42"));
            "survived"
        })
        .unwrap();
    assert_eq!(out, "survived");
}

#[test]
fn a_panic_in_the_main_future_fails_the_run_with_its_location() {
    let mut sim = Sim::builder().seed(11).build();
    let failure = sim
        .run(async {
            time::sleep(Duration::from_millis(3)).await;
            assert_eq!(1 + 1, 3, "arithmetic is broken");
        })
        .unwrap_err();
    assert!(failure.is_panic());
    let task = failure.task().unwrap();
    assert_eq!((task.name(), task.node_name()), (Some("main"), "main"));
    assert!(failure.message().contains("arithmetic is broken"));
    assert!(
        failure
            .location()
            .unwrap()
            .starts_with("tests/failure_panic.rs:")
    );
    assert_eq!(failure.seed(), 11);
    assert_eq!(failure.time().since_start(), Duration::from_millis(3));
    assert_report_snapshot!(failure.to_string());
}

#[test]
fn a_detached_task_panic_fails_the_run_naming_task_and_node() {
    let mut sim = Sim::builder().build();
    let failure = sim
        .run(async {
            let db = Node::builder("db").build();
            task::Builder::new()
                .name("compactor")
                .node(&db)
                .spawn(async { panic!("corrupt page") });
            time::sleep(Duration::from_secs(1)).await;
            unreachable!("the run stops at the panic");
        })
        .unwrap_err();
    assert!(failure.is_panic());
    let task = failure.task().unwrap();
    assert_eq!((task.name(), task.node_name()), (Some("compactor"), "db"));
    assert_eq!(failure.time(), detsim::time::Instant::ZERO);
    assert_report_snapshot!(failure.to_string());
}

#[test]
fn a_handle_dropped_after_the_panic_fails_the_run() {
    let mut sim = Sim::builder().build();
    let failure = sim
        .run(async {
            let h = spawn(async { panic!("late") });
            time::sleep(Duration::from_secs(1)).await;
            drop(h);
            time::sleep(Duration::from_secs(1)).await;
        })
        .unwrap_err();
    assert!(failure.is_panic());
    assert!(
        failure
            .to_string()
            .contains("dropped without being awaited")
    );
    assert_eq!(failure.time().since_start(), Duration::from_secs(1));
}

#[test]
fn a_panic_never_retrieved_before_the_run_ends_fails_it() {
    let mut sim = Sim::builder().build();
    let failure = sim
        .run(async {
            let h = spawn(async { panic!("unseen") });
            time::sleep(Duration::from_secs(1)).await;
            std::mem::forget(h); // kept alive, never awaited
        })
        .unwrap_err();
    assert!(failure.is_panic());
    assert!(
        failure
            .to_string()
            .contains("the run ended before anyone awaited")
    );
}

#[test]
fn a_destructor_panicking_during_a_kill_fails_the_run() {
    struct Bomb;
    impl Drop for Bomb {
        fn drop(&mut self) {
            panic!("bomb in drop");
        }
    }
    let mut sim = Sim::builder().build();
    let failure = sim
        .run(async {
            let n = Node::builder("n").build();
            let _h = n.spawn(async {
                let _bomb = Bomb;
                std::future::pending::<()>().await;
            });
            detsim::yield_now().await;
            detsim::yield_now().await;
            n.kill();
            time::sleep(Duration::from_secs(1)).await;
        })
        .unwrap_err();
    assert!(failure.is_panic());
    assert_eq!(failure.message(), "bomb in drop");
    assert!(failure.headline().contains("in a destructor"), "{failure}");
}

#[test]
fn a_failed_simulation_refuses_further_runs() {
    let mut sim = Sim::builder().build();
    assert!(sim.run(async { panic!("first") }).is_err());
    let again = sim.run(async { 1 }).unwrap_err();
    assert!(again.is_panic());
    assert!(again.message().contains("already failed"), "{again}");
}

#[test]
fn a_panic_payload_with_a_waker_inside_is_dropped_safely() {
    // The payload owns a oneshot sender; dropping it wakes the receiver's
    // task, which must not happen inside the runtime's bookkeeping.
    let mut sim = Sim::builder().build();
    let failure = sim
        .run(async {
            let (tx, rx) = futures::channel::oneshot::channel::<()>();
            let waiter = spawn(async move { rx.await.is_err() });
            let h = spawn(async move { std::panic::panic_any(tx) });
            while !h.is_finished() {
                detsim::yield_now().await;
            }
            drop(h);
            waiter.await.unwrap()
        })
        .unwrap_err();
    assert!(failure.is_panic(), "{failure}");
    assert!(
        failure
            .to_string()
            .contains("dropped without being awaited")
    );
}

#[test]
fn a_resumed_panic_keeps_its_own_message() {
    let mut sim = Sim::builder().build();
    let failure = sim
        .run(async {
            let e = spawn(async { panic!("the real bug") }).await.unwrap_err();
            let _ = std::panic::catch_unwind(|| panic!("expected, swallowed"));
            std::panic::resume_unwind(e.into_panic());
        })
        .unwrap_err();
    assert_eq!(failure.message(), "the real bug");
}

#[test]
fn a_double_panic_prints_both_messages_before_the_abort() {
    if common::is_child() {
        struct Bomb;
        impl Drop for Bomb {
            fn drop(&mut self) {
                panic!("second: a destructor panicked while unwinding");
            }
        }
        let mut sim = Sim::builder().build();
        let _ = sim.run(async {
            let _bomb = Bomb;
            panic!("first: the main future panicked");
        });
        return;
    }
    let (ok, stderr) = common::run_child("a_double_panic_prints_both_messages_before_the_abort");
    assert!(!ok, "the process aborts");
    assert!(
        stderr.contains("first: the main future panicked"),
        "{stderr}"
    );
    assert!(stderr.contains("second: a destructor panicked"), "{stderr}");
}

#[test]
fn a_destructor_panicking_when_the_sim_is_dropped_is_reported() {
    if common::is_child() {
        struct Bomb;
        impl Drop for Bomb {
            fn drop(&mut self) {
                panic!("guard exploded at teardown");
            }
        }
        let mut sim = Sim::builder().build();
        sim.run(async {
            task::Builder::new().name("holder").spawn(async {
                let _bomb = Bomb;
                std::future::pending::<()>().await;
            });
            detsim::yield_now().await;
        })
        .unwrap();
        drop(sim);
        return;
    }
    let (ok, stderr) =
        common::run_child("a_destructor_panicking_when_the_sim_is_dropped_is_reported");
    assert!(ok, "{stderr}");
    assert!(
        stderr.contains("while the simulation was being dropped"),
        "{stderr}"
    );
    assert!(stderr.contains("guard exploded at teardown"), "{stderr}");
    assert!(stderr.contains("'holder'"), "{stderr}");
}
