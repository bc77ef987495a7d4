//! A `spawn_blocking` task cannot be aborted once its closure has run, as
//! in tokio: abort has no effect and the `JoinHandle` yields the output
//! after the task's virtual cost. Before the closure runs, abort still
//! cancels it (the closure never runs). Killing its node still drops it:
//! that is a crash, not an abort.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use detsim::node::Node;
use detsim::time::{self, Instant};
use detsim::{Sim, spawn_blocking, yield_now};

const COST: Duration = Duration::from_millis(7);

fn sim() -> Sim {
    Sim::builder().blocking_cost(COST).build()
}

/// A blocking closure that counts its runs and returns 42.
fn counted(runs: &Arc<AtomicU32>) -> impl FnOnce() -> u32 + Send + 'static {
    let runs = runs.clone();
    move || {
        runs.fetch_add(1, Ordering::SeqCst);
        42
    }
}

/// Yields until the closure has run (it runs when the task is first polled).
async fn until_ran(runs: &AtomicU32) {
    while runs.load(Ordering::SeqCst) == 0 {
        yield_now().await;
    }
}

#[test]
fn abort_after_the_closure_ran_has_no_effect_and_the_output_arrives() {
    sim()
        .run(async {
            let runs = Arc::new(AtomicU32::new(0));
            let h = spawn_blocking(counted(&runs));
            until_ran(&runs).await;
            assert!(!h.is_finished(), "still paying its virtual cost");
            h.abort();
            h.abort_handle().abort();
            assert_eq!(h.await.unwrap(), 42);
            assert_eq!(Instant::now().since_start(), COST);
            assert_eq!(runs.load(Ordering::SeqCst), 1);
        })
        .unwrap();
}

#[test]
fn an_abort_handle_after_the_closure_ran_has_no_effect_either() {
    sim()
        .run(async {
            let runs = Arc::new(AtomicU32::new(0));
            let h = spawn_blocking(counted(&runs));
            let abort = h.abort_handle();
            until_ran(&runs).await;
            time::sleep(COST / 2).await;
            abort.abort();
            assert_eq!(h.await.unwrap(), 42);
            assert_eq!(Instant::now().since_start(), COST);
        })
        .unwrap();
}

#[test]
fn abort_before_the_closure_runs_cancels_it() {
    sim()
        .run(async {
            let runs = Arc::new(AtomicU32::new(0));
            let h = spawn_blocking(counted(&runs));
            h.abort();
            assert!(h.await.unwrap_err().is_cancelled());
            time::sleep(COST * 2).await;
            assert_eq!(runs.load(Ordering::SeqCst), 0);
        })
        .unwrap();
}

#[test]
fn a_detached_blocking_task_keeps_running_after_abort() {
    sim()
        .run(async {
            let runs = Arc::new(AtomicU32::new(0));
            let h = spawn_blocking(counted(&runs));
            until_ran(&runs).await;
            let abort = h.abort_handle();
            drop(h);
            abort.abort();
            assert!(
                !abort.is_finished(),
                "abort stopped a blocking task that ran"
            );
            time::sleep(COST * 2).await;
            assert!(abort.is_finished());
        })
        .unwrap();
}

#[test]
fn killing_the_node_still_drops_a_blocking_task_that_ran() {
    sim()
        .run(async {
            let runs = Arc::new(AtomicU32::new(0));
            let n = Node::builder("worker").build();
            let r = runs.clone();
            let h = n.spawn(async move { spawn_blocking(counted(&r)).await });
            until_ran(&runs).await;
            n.kill();
            let err = h.await.unwrap_err();
            assert!(err.is_cancelled(), "{err}");
        })
        .unwrap();
}

#[test]
fn aborting_blocking_tasks_is_deterministic() {
    let run = |seed: u64| {
        let mut sim = Sim::builder().seed(seed).blocking_cost(COST).build();
        let out = sim.run(async {
            let runs = Arc::new(AtomicU32::new(0));
            let hs: Vec<_> = (0..4).map(|_| spawn_blocking(counted(&runs))).collect();
            yield_now().await;
            let mut outputs = Vec::new();
            for h in hs {
                h.abort();
                outputs.push(h.await.ok());
            }
            (outputs, runs.load(Ordering::SeqCst))
        });
        (out.unwrap(), sim.fingerprint(), sim.tape())
    };
    for seed in 0..40 {
        assert_eq!(run(seed), run(seed), "seed {seed}");
    }
}
