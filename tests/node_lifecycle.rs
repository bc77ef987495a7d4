//! Nodes: tasks inherit their node; kill drops a node's tasks (destructors
//! run); restart runs the init closure again; pause/resume stop and resume
//! polling; ids are per simulation.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use detsim::node::Node;
use detsim::time::{self, Instant};
use detsim::{Sim, spawn, task};

struct DropFlag(Arc<AtomicU32>);
impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn tasks_inherit_the_node_of_the_task_that_spawns_them() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let n = Node::builder("web").build();
        let nested = n
            .spawn(async {
                let child = spawn(async { Node::current().name() });
                (Node::current().name(), child.await.unwrap())
            })
            .await
            .unwrap();
        assert_eq!(nested, ("web".to_owned(), "web".to_owned()));
        assert_eq!(Node::current().name(), "main");
        assert_eq!(Node::lookup("web"), Some(n));
    })
    .unwrap();
}

#[test]
fn kill_drops_every_task_of_the_node_and_runs_destructors() {
    let dropped = Arc::new(AtomicU32::new(0));
    let mut sim = Sim::builder().build();
    let d = dropped.clone();
    sim.run(async move {
        let n = Node::builder("n").build();
        let handles: Vec<_> = (0..3)
            .map(|_| {
                let flag = DropFlag(d.clone());
                n.spawn(async move {
                    let _flag = flag;
                    time::sleep(Duration::from_secs(60)).await;
                })
            })
            .collect();
        let survivor = spawn(async { time::sleep(Duration::from_secs(1)).await });
        time::sleep(Duration::from_millis(1)).await;
        n.kill();
        assert!(!n.is_alive());
        assert_eq!(d.load(Ordering::SeqCst), 3);
        for h in handles {
            let err = h.await.unwrap_err();
            assert!(err.is_cancelled());
            assert!(err.to_string().contains("its node was killed"), "{err}");
        }
        survivor.await.unwrap();
        // Spawning onto a dead node cancels at once.
        let late = n.spawn(async { 1 });
        assert!(late.await.unwrap_err().is_cancelled());
        // Killing again does nothing.
        n.kill();
    })
    .unwrap();
    // Their timers went with them: the run ends at 1 s, not 60 s.
    assert_eq!(sim.now().since_start(), Duration::from_secs(1));
}

#[test]
fn restart_runs_the_init_closure_again() {
    let boots = Arc::new(AtomicU32::new(0));
    let mut sim = Sim::builder().build();
    let b = boots.clone();
    sim.run(async move {
        let b2 = b.clone();
        let n = Node::builder("db")
            .init(move || {
                let b = b2.clone();
                async move {
                    b.fetch_add(1, Ordering::SeqCst);
                    assert_eq!(task::current().name(), Some("init"));
                    time::sleep(Duration::from_secs(3600)).await;
                }
            })
            .build();
        time::sleep(Duration::from_millis(1)).await;
        assert_eq!(b.load(Ordering::SeqCst), 1);
        n.restart(); // kill + boot
        time::sleep(Duration::from_millis(1)).await;
        assert_eq!(b.load(Ordering::SeqCst), 2);
        n.kill();
        n.restart();
        time::sleep(Duration::from_millis(1)).await;
        assert_eq!(b.load(Ordering::SeqCst), 3);
        assert_eq!(n.restarts(), 2);
        n.kill();
    })
    .unwrap();
}

#[test]
fn a_task_can_kill_its_own_node() {
    let dropped = Arc::new(AtomicU32::new(0));
    let mut sim = Sim::builder().build();
    let d = dropped.clone();
    sim.run(async move {
        let n = Node::builder("n").build();
        let flag = DropFlag(d.clone());
        let h = n.spawn(async move {
            let _flag = flag;
            Node::current().kill();
            // Still running until this poll returns.
            detsim::yield_now().await;
            unreachable!("killed");
        });
        assert!(h.await.unwrap_err().is_cancelled());
        assert_eq!(d.load(Ordering::SeqCst), 1);
    })
    .unwrap();
}

#[test]
fn pause_stops_polling_until_resume_while_timers_still_fire() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let n = Node::builder("n").build();
        let h = n.spawn(async {
            time::sleep(Duration::from_secs(1)).await;
            Instant::now()
        });
        time::sleep(Duration::from_millis(10)).await;
        n.pause();
        assert!(n.is_paused());
        time::sleep(Duration::from_secs(5)).await;
        assert!(!h.is_finished(), "a paused node's task does not run");
        n.resume();
        let finished_at = h.await.unwrap();
        // It resumed at 5.01 s, though its timer fired at 1 s.
        assert_eq!(finished_at.as_nanos(), 5_010_000_000);
    })
    .unwrap();
}

#[test]
fn the_main_node_cannot_be_killed_or_paused() {
    for action in ["kill", "pause", "restart"] {
        let mut sim = Sim::builder().build();
        let f = sim
            .run(async move {
                let main = Node::current();
                match action {
                    "kill" => main.kill(),
                    "pause" => main.pause(),
                    _ => main.restart(),
                }
            })
            .unwrap_err();
        assert!(
            f.message().starts_with("detsim: the main node cannot be"),
            "{f}"
        );
    }
}

#[test]
fn node_names_are_unique() {
    let mut sim = Sim::builder().build();
    let f = sim
        .run(async {
            Node::builder("a").build();
            Node::builder("a").build();
        })
        .unwrap_err();
    assert!(
        f.message().contains("a node named 'a' already exists"),
        "{f}"
    );
    assert!(
        f.location()
            .unwrap()
            .starts_with("tests/node_lifecycle.rs:")
    );
}

#[test]
fn task_and_node_ids_are_per_simulation() {
    let ids = || {
        let mut sim = Sim::builder().build();
        sim.run(async {
            let n = Node::builder("x").build();
            let t = n.spawn(async { task::id() }).await.unwrap();
            (task::id().as_u64(), t.as_u64(), n.id().as_u32())
        })
        .unwrap()
    };
    assert_eq!(ids(), (0, 1, 1));
    assert_eq!(
        ids(),
        (0, 1, 1),
        "a second simulation starts from zero again"
    );
}

#[test]
fn a_restart_from_a_destructor_during_a_restart_boots_once() {
    let boots = Arc::new(AtomicU32::new(0));
    let mut sim = Sim::builder().build();
    let b = boots.clone();
    sim.run(async move {
        struct RestartOnDrop(Node);
        impl Drop for RestartOnDrop {
            fn drop(&mut self) {
                self.0.restart();
            }
        }
        let b2 = b.clone();
        let n = Node::builder("n")
            .init(move || {
                let b = b2.clone();
                async move {
                    b.fetch_add(1, Ordering::SeqCst);
                    std::future::pending::<()>().await;
                }
            })
            .build();
        time::sleep(Duration::from_millis(1)).await;
        let guard = RestartOnDrop(n);
        n.spawn(async move {
            let _guard = guard;
            std::future::pending::<()>().await;
        });
        time::sleep(Duration::from_millis(1)).await;
        n.restart();
        time::sleep(Duration::from_millis(1)).await;
        assert_eq!(b.load(Ordering::SeqCst), 2, "booted once more, not twice");
        assert_eq!(n.restarts(), 1);
        n.kill();
    })
    .unwrap();
}
