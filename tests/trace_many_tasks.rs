//! A trace of a run with tens of thousands of named tasks renders in time
//! linear-ish in its length: looking up each line's task name does not scan
//! every task (that took minutes for a run with 100,000 tasks).

use std::time::{Duration, Instant};

use detsim::{Sim, task};

#[test]
fn a_trace_of_forty_thousand_named_tasks_renders_quickly() {
    let tasks = 40_000;
    let mut sim = Sim::builder().seed(1).trace(true).build();
    sim.run(async move {
        let mut handles = Vec::new();
        for i in 0..tasks {
            handles.push(task::Builder::new().name(format!("w{i}")).spawn(async {}));
        }
        for h in handles {
            h.await.unwrap();
        }
    })
    .unwrap();
    let started = Instant::now(); // determinism: ok (measures rendering, outside the run)
    let trace = sim.trace().unwrap();
    let took = started.elapsed();
    assert!(trace.len() > 4 * tasks);
    let last = trace
        .lines()
        .iter()
        .rev()
        .find(|l| l.task().is_some())
        .unwrap();
    assert_eq!(last.task_name(), Some("main"));
    let spawned = trace
        .lines()
        .iter()
        .find(|l| l.text().starts_with("spawn task 40000"))
        .unwrap();
    assert_eq!(spawned.text(), "spawn task 40000 'w39999' on node 'main'");
    // Quadratic lookups took over 20 s here (debug build); linear ones
    // well under 1 s. The bound leaves room for a loaded machine.
    assert!(took < Duration::from_secs(8), "rendering took {took:?}");
}
