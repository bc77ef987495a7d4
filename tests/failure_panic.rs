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
