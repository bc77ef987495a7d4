//! The determinism check's report names what differed between the two
//! runs, in the user's terms: the names of the tasks spawned, how a run
//! that ended early ended, and whether the runs made different decisions
//! or the same decisions with a different ending.

use std::cell::Cell;
use std::time::Duration;

use detsim::{Sim, task, time};

thread_local! {
    /// A per-thread counter: the planted nondeterminism (each run of the
    /// check sees the next value).
    static RUNS: Cell<u64> = const { Cell::new(0) };
}

fn next_run() -> u64 {
    RUNS.with(|c| {
        c.set(c.get() + 1);
        c.get()
    })
}

#[test]
fn a_spawn_that_differs_only_in_its_task_name_names_both_tasks() {
    let failure = Sim::builder()
        .seed(1)
        .check_determinism(|| async {
            let n = next_run();
            let db = detsim::node::Node::builder("db").build();
            let h = task::Builder::new()
                .name(format!("worker-{n}"))
                .node(&db)
                .spawn(async {});
            h.await.unwrap();
        })
        .unwrap_err();
    let d = failure.divergence().unwrap();
    assert_ne!(d.first(), d.second(), "{failure}");
    insta::assert_snapshot!(failure.to_string());
}

#[test]
fn same_decisions_with_a_different_ending_is_not_called_different_decisions() {
    let failure = Sim::builder()
        .seed(1)
        .check_determinism(|| async {
            let n = next_run();
            time::sleep(Duration::from_millis(3)).await;
            panic!("run number {n}");
        })
        .unwrap_err();
    assert!(failure.is_nondeterminism());
    let text = failure.to_string();
    assert!(!text.contains("different decisions"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn a_run_that_ended_early_says_how_it_ended() {
    let failure = Sim::builder()
        .seed(1)
        .check_determinism(|| async {
            if next_run() == 2 {
                panic!("the second run gives up");
            }
        })
        .unwrap_err();
    let d = failure.divergence().unwrap();
    assert!(d.second().contains("the second run gives up"), "{failure}");
    insta::assert_snapshot!(failure.to_string());
}
