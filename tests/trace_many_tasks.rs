//! A trace of a run with tens of thousands of named tasks renders every
//! line with its task's name. Looking names up used to scan every task per
//! line (quadratic: 10.9 s for this run in a debug build, now about 0.5 s);
//! speed is not asserted here (no timed tests), but a regression would show
//! as this test taking seconds.

use detsim::{Sim, task};

#[test]
fn a_trace_of_forty_thousand_named_tasks_names_each_line_s_task() {
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
    let trace = sim.trace().unwrap();
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
}
