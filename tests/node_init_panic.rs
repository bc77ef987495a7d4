//! A node's init task has no `JoinHandle` anybody could await, so a panic
//! in it fails the run at once (kind panic, naming the task and node) —
//! when the node is built and after every restart — instead of surfacing
//! later as a deadlock or a time limit.

#[macro_use]
mod common;

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use detsim::node::Node;
use detsim::{Sim, time};

#[test]
fn an_init_panic_at_once_fails_the_run_as_a_panic_not_a_deadlock() {
    let mut sim = Sim::builder().build();
    let failure = sim
        .run(async {
            let _server = Node::builder("server")
                .init(|| async { panic!("server crashed on startup") })
                .build();
            // Waits for something the server would have provided.
            std::future::pending::<()>().await;
        })
        .unwrap_err();
    assert!(failure.is_panic(), "{failure}");
    let task = failure.task().unwrap();
    assert_eq!((task.name(), task.node_name()), (Some("init"), "server"));
    assert_eq!(failure.message(), "server crashed on startup");
    assert_eq!(failure.time(), time::Instant::ZERO);
    assert_report_snapshot!(failure.to_string());
}

#[test]
fn an_init_panic_after_a_sleep_fails_the_run_when_it_happens() {
    let mut sim = Sim::builder().seed(5).build();
    let failure = sim
        .run(async {
            let _n = Node::builder("n2")
                .init(|| async {
                    time::sleep(Duration::from_millis(50)).await;
                    let disk: Result<(), &str> = std::hint::black_box(Err("disk error"));
                    disk.unwrap();
                })
                .build();
            // Busy with other work for far longer than the init task lives.
            loop {
                time::sleep(Duration::from_millis(1)).await;
            }
        })
        .unwrap_err();
    assert!(failure.is_panic(), "{failure}");
    let task = failure.task().unwrap();
    assert_eq!((task.name(), task.node_name()), (Some("init"), "n2"));
    assert_eq!(failure.time().since_start(), Duration::from_millis(50));
    assert!(failure.message().contains("disk error"), "{failure}");
}

#[test]
fn an_init_panic_after_a_restart_fails_the_run() {
    let mut sim = Sim::builder().build();
    let failure = sim
        .run(async {
            let boots = Rc::new(Cell::new(0u32));
            let b = boots.clone();
            let n = Node::builder("db")
                .init(move || {
                    let boot = b.get() + 1;
                    b.set(boot);
                    async move {
                        time::sleep(Duration::from_millis(10)).await;
                        assert!(boot < 2, "recovery failed on boot {boot}");
                        std::future::pending::<()>().await;
                    }
                })
                .build();
            time::sleep(Duration::from_secs(1)).await;
            n.restart();
            time::sleep(Duration::from_secs(1)).await;
            unreachable!("the run stops at the restarted init's panic");
        })
        .unwrap_err();
    assert!(failure.is_panic(), "{failure}");
    let task = failure.task().unwrap();
    assert_eq!((task.name(), task.node_name()), (Some("init"), "db"));
    assert_eq!(failure.message(), "recovery failed on boot 2");
    assert_eq!(
        failure.time().since_start(),
        Duration::from_secs(1) + Duration::from_millis(10)
    );
}

#[test]
fn an_init_task_that_returns_or_is_killed_fails_nothing() {
    let mut sim = Sim::builder().strict(true).build();
    sim.run(async {
        let quick = Node::builder("quick").init(|| async {}).build();
        let slow = Node::builder("slow")
            .init(|| async {
                time::sleep(Duration::from_secs(10)).await;
                panic!("never reached: the node is killed first");
            })
            .build();
        time::sleep(Duration::from_secs(1)).await;
        quick.restart();
        slow.kill();
        time::sleep(Duration::from_secs(20)).await;
    })
    .unwrap();
}

#[test]
fn an_init_panic_is_the_same_failure_for_every_run_of_a_seed() {
    let run = |seed: u64| {
        let mut sim = Sim::builder().seed(seed).build();
        let failure = sim
            .run(async {
                for i in 0..3u64 {
                    Node::builder(format!("n{i}"))
                        .init(move || async move {
                            time::sleep(Duration::from_millis(i)).await;
                            detsim::yield_now().await;
                            panic!("boom on n{i}");
                        })
                        .build();
                }
                std::future::pending::<()>().await;
            })
            .unwrap_err();
        (failure.fingerprint(), failure.to_string())
    };
    for seed in 0..50 {
        assert_eq!(run(seed), run(seed), "seed {seed}");
    }
}
