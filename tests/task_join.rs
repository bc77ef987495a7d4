//! Tasks: JoinHandle (output, abort, is_finished), JoinSet, spawn_local,
//! spawn_blocking, yield_now, names, ids and the current task.

use std::rc::Rc;
use std::time::Duration;

use detsim::task::{self, JoinSet};
use detsim::time::{self, Instant};
use detsim::{Sim, spawn, spawn_blocking, spawn_local, yield_now};

#[test]
fn join_handles_give_outputs_and_report_finish() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let h = spawn(async {
            time::sleep(Duration::from_secs(1)).await;
            String::from("out")
        });
        assert!(!h.is_finished());
        let id = h.id();
        let abort = h.abort_handle();
        assert_eq!(abort.id(), id);
        assert_eq!(h.await.unwrap(), "out");
        assert!(abort.is_finished());
        abort.abort(); // no effect on a finished task
    })
    .unwrap();
}

#[test]
fn abort_cancels_and_drops_the_future() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let (tx, rx) = futures::channel::oneshot::channel::<()>();
        let h = spawn(async move {
            let _tx = tx; // dropped when the task is
            std::future::pending::<()>().await;
        });
        yield_now().await;
        h.abort();
        let err = h.await.unwrap_err();
        assert!(err.is_cancelled());
        assert!(err.to_string().contains("it was aborted"), "{err}");
        assert!(rx.await.is_err(), "the task's future was dropped");
    })
    .unwrap();
}

#[test]
fn a_task_can_abort_itself() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let (tx, rx) = futures::channel::oneshot::channel();
        let h = spawn(async move {
            let me: detsim::task::AbortHandle = rx.await.unwrap();
            me.abort();
            yield_now().await;
            unreachable!();
        });
        tx.send(h.abort_handle()).unwrap();
        assert!(h.await.unwrap_err().is_cancelled());
    })
    .unwrap();
}

#[test]
fn join_set_joins_in_completion_order_and_aborts_on_drop() {
    let mut sim = Sim::builder().seed(2).build();
    sim.run(async {
        let mut set = JoinSet::new();
        for ms in [30u64, 10, 20] {
            set.spawn(async move {
                time::sleep(Duration::from_millis(ms)).await;
                ms
            });
        }
        assert_eq!(set.len(), 3);
        let mut order = Vec::new();
        while let Some(r) = set.join_next().await {
            order.push(r.unwrap());
        }
        assert_eq!(order, [10, 20, 30]);
        assert!(set.is_empty());

        let (tx, rx) = futures::channel::oneshot::channel::<()>();
        let mut doomed = JoinSet::new();
        doomed.spawn(async move {
            let _tx = tx;
            std::future::pending::<()>().await
        });
        yield_now().await;
        drop(doomed);
        assert!(rx.await.is_err(), "dropping the set aborted its task");

        let mut all = JoinSet::new();
        for i in 0..5 {
            all.spawn(async move { i });
        }
        let mut v = all.join_all().await;
        v.sort();
        assert_eq!(v, [0, 1, 2, 3, 4]);
    })
    .unwrap();
}

#[test]
fn spawn_local_runs_non_send_futures() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let shared = Rc::new(std::cell::Cell::new(0));
        let s = shared.clone();
        spawn_local(async move { s.set(s.get() + 1) })
            .await
            .unwrap();
        assert_eq!(shared.get(), 1);
    })
    .unwrap();
}

#[test]
fn spawn_blocking_runs_on_the_simulation_thread_at_its_virtual_cost() {
    let mut sim = Sim::builder()
        .blocking_cost(Duration::from_millis(7))
        .build();
    let sim_thread = std::thread::current().id();
    sim.run(async move {
        let h = spawn_blocking(move || {
            assert_eq!(std::thread::current().id(), sim_thread);
            (1..=100u64).sum::<u64>()
        });
        let v = h.await.unwrap();
        assert_eq!(v, (1..=100u64).sum::<u64>());
        assert_eq!(Instant::now().since_start(), Duration::from_millis(7));
    })
    .unwrap();
}

#[test]
fn yield_now_lets_others_run() {
    let mut sim = Sim::builder().scheduler(detsim::Scheduler::Fifo).build();
    sim.run(async {
        let h = spawn(async { 1 });
        assert!(!h.is_finished());
        yield_now().await;
        assert!(h.is_finished());
    })
    .unwrap();
}

#[test]
fn names_ids_and_the_current_task() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let me = task::current();
        assert_eq!(me.id(), task::id());
        assert_eq!(me.name(), Some("main"));
        assert_eq!(task::try_id(), Some(me.id()));
        let h = task::Builder::new().name("named").spawn(async {
            let t = task::current();
            (
                t.name().map(str::to_owned),
                t.id(),
                t.node_name().to_owned(),
            )
        });
        let id = h.id();
        let (name, tid, node) = h.await.unwrap();
        assert_eq!(
            (name.as_deref(), tid, node.as_str()),
            (Some("named"), id, "main")
        );
        assert_eq!(
            task::current().to_string(),
            format!("task {} 'main' on node 'main'", me.id())
        );
    })
    .unwrap();
}

#[test]
fn a_sim_can_be_run_again_and_continues() {
    let mut sim = Sim::builder().build();
    let (bg,) = sim
        .run(async {
            let h = spawn(async {
                time::sleep(Duration::from_secs(5)).await;
                "late"
            });
            (h,)
        })
        .unwrap();
    assert!(!sim.report().hygiene().is_clean());
    let v = sim.run(bg).unwrap().unwrap();
    assert_eq!(v, "late");
    assert_eq!(sim.now().since_start(), Duration::from_secs(5));
}
