//! Nodes and the end of a simulation: creating, killing, restarting,
//! pausing and shutting down nodes, and the teardown that drops every task
//! and timer.

use std::panic::Location;
use std::sync::Arc;

use crate::choices::{Event, NodeEvent};
use crate::node::{InitFn, MAIN_NODE, NodeId};
use crate::panic;
use crate::task::cell;
use crate::task::table::{Cancel, Held, State};
use crate::task::{TaskId, TaskInfo};

use super::{Current, Runtime};

impl Runtime {
    // --------------------------------------------------------------- nodes

    #[track_caller]
    pub(crate) fn create_node(&self, name: String, init: Option<InitFn>) -> NodeId {
        let location = Location::caller();
        assert!(
            self.nodes.borrow().by_name(&name).is_none(),
            "detsim: a node named '{name}' already exists in this simulation; node names must be unique"
        );
        let id = self
            .nodes
            .borrow_mut()
            .push(Arc::from(name), init.clone(), location);
        if let Some(b) = &self.beacon {
            b.node_created(id, &self.nodes.borrow().name(id));
        }
        self.event(Event::Node {
            node: id.0,
            what: NodeEvent::Created,
        });
        if let Some(init) = init {
            self.spawn_init(id, init);
        }
        id
    }

    /// Spawns a node's init task. Nobody gets its `JoinHandle` (`build`
    /// and `restart` return none), so it is marked `init`: a panic in it
    /// fails the run at once, as a dropped handle's task does, instead of
    /// sitting unseen until a deadlock or a limit. (Its slot is otherwise
    /// kept as a joinable task's is, until teardown: freeing it early
    /// would let later tasks reuse it and change the order in which a
    /// kill cancels a node's tasks, and so existing fingerprints.)
    fn spawn_init(&self, node: NodeId, init: InitFn) {
        let location = self.nodes.borrow().get(node).location;
        let future = init();
        let raw = self.spawn(
            cell::boxed(future),
            Some(Arc::from("init")),
            Some(node),
            location,
        );
        let mut tasks = self.tasks.borrow_mut();
        // The slot is still the task's: nothing ran since the spawn.
        if tasks.get_mut(raw.index, raw.generation).is_some() {
            tasks.cold_mut(raw.index).init = true;
        }
    }

    #[track_caller]
    fn assert_not_main(&self, node: NodeId, what: &str) {
        assert!(
            node != MAIN_NODE,
            "detsim: the main node cannot be {what}; create nodes with Node::builder and {what} those"
        );
    }

    #[track_caller]
    pub(crate) fn kill_node(&self, node: NodeId) {
        self.assert_not_main(node, "killed");
        let waiters = {
            let mut nodes = self.nodes.borrow_mut();
            let n = nodes.get_mut(node);
            if !n.alive {
                return;
            }
            n.alive = false;
            self.dead_nodes.set(self.dead_nodes.get() + 1);
            if n.paused {
                n.paused = false;
                self.paused_nodes.set(self.paused_nodes.get() - 1);
            }
            // Mostly the node's own tasks, cancelled below; a signal
            // moved to another node's task is ready now (its incarnation
            // ended). Woken after the cancellations, outside the borrow.
            n.shutdown_waiters.take()
        };
        self.event(Event::Node {
            node: node.0,
            what: NodeEvent::Killed,
        });
        let victims = self.tasks_on(node);
        for (index, generation) in victims {
            self.cancel(index, generation, Cancel::NodeKilled);
        }
        for w in waiters {
            w.wake();
        }
        self.ext_node_hook(node, false);
    }

    /// Raises the node's shutdown signal (see
    /// [`Node::shutdown`](crate::node::Node::shutdown)): once per
    /// incarnation, and not on a node that is down.
    #[track_caller]
    pub(crate) fn shutdown_node(&self, node: NodeId) {
        self.assert_not_main(node, "shut down");
        let waiters = {
            let mut nodes = self.nodes.borrow_mut();
            let n = nodes.get_mut(node);
            if !n.alive || n.shutdown {
                return;
            }
            n.shutdown = true;
            n.shutdown_waiters.take()
        };
        self.event(Event::Node {
            node: node.0,
            what: NodeEvent::ShutdownRequested,
        });
        for w in waiters {
            w.wake();
        }
    }

    /// Whether no task of `node` is still pending (the main task aside).
    pub(crate) fn node_stopped(&self, node: NodeId) -> bool {
        !self
            .tasks
            .borrow()
            .occupied()
            .any(|(_, s)| s.node == node && s.outcome.is_pending() && !s.main)
    }

    /// A task of `node` finished: wakes the tasks waiting for the node to
    /// stop (they look again).
    #[inline]
    pub(crate) fn finished_on(&self, node: NodeId) {
        let woken = {
            let mut nodes = self.nodes.borrow_mut();
            let waiters = &mut nodes.get_mut(node).stop_waiters;
            if waiters.is_empty() {
                return;
            }
            waiters.take()
        };
        for w in woken {
            w.wake();
        }
    }

    /// A fresh id for a future waiting on a node.
    pub(crate) fn next_waiter_id(&self) -> u64 {
        let id = self.waiter_ids.get() + 1;
        self.waiter_ids.set(id);
        id
    }

    /// Pending tasks of a node, in slot order.
    fn tasks_on(&self, node: NodeId) -> Vec<(u32, u32)> {
        self.tasks
            .borrow()
            .occupied()
            .filter(|(_, s)| s.node == node && s.outcome.is_pending() && !s.main)
            .map(|(i, s)| (i, s.generation))
            .collect()
    }

    #[track_caller]
    pub(crate) fn restart_node(&self, node: NodeId) {
        self.assert_not_main(node, "restarted");
        self.kill_node(node);
        let init = {
            let mut nodes = self.nodes.borrow_mut();
            let n = nodes.get_mut(node);
            if n.alive {
                // A destructor run by the kill restarted it already.
                return;
            }
            n.alive = true;
            self.dead_nodes.set(self.dead_nodes.get() - 1);
            n.restarts += 1;
            n.shutdown = false;
            n.init.clone()
        };
        self.event(Event::Node {
            node: node.0,
            what: NodeEvent::Restarted,
        });
        self.ext_node_hook(node, true);
        if let Some(init) = init {
            self.spawn_init(node, init);
        }
    }

    #[track_caller]
    pub(crate) fn pause_node(&self, node: NodeId, pause: bool) {
        if pause {
            self.assert_not_main(node, "paused");
        }
        {
            let mut nodes = self.nodes.borrow_mut();
            let n = nodes.get_mut(node);
            if n.paused == pause || (pause && !n.alive) {
                return;
            }
            n.paused = pause;
        }
        let paused = self.paused_nodes.get();
        self.paused_nodes
            .set(if pause { paused + 1 } else { paused - 1 });
        self.event(Event::Node {
            node: node.0,
            what: if pause {
                NodeEvent::Paused
            } else {
                NodeEvent::Resumed
            },
        });
        let on_node = self.tasks_on(node);
        let mut tasks = self.tasks.borrow_mut();
        for (index, _) in on_node {
            let slot = tasks.slot_mut(index);
            match (pause, slot.state) {
                // The scheduler's entry turns stale; the task waits here.
                (true, State::Queued) => {
                    slot.state = State::Parked;
                    self.stale.set(self.stale.get() + 1);
                }
                (false, State::Parked) => self.enqueue_slot(index, slot),
                _ => {}
            }
        }
    }

    // ------------------------------------------------------------ teardown

    /// Drops every task (destructors run with the simulation current) and
    /// every timer. New tasks spawned meanwhile are cancelled at once.
    pub(crate) fn teardown(&self) {
        self.closed.set(true);
        loop {
            let victims: Vec<(u32, u32)> = self
                .tasks
                .borrow()
                .occupied()
                .filter(|(_, s)| s.outcome.is_pending() && !s.main)
                .map(|(i, s)| (i, s.generation))
                .collect();
            if victims.is_empty() {
                break;
            }
            for (index, generation) in victims {
                self.cancel(index, generation, Cancel::Shutdown);
            }
        }
        let rest: Vec<(Current, Option<Arc<str>>, Held)> = {
            let mut tasks = self.tasks.borrow_mut();
            let indices: Vec<_> = tasks.occupied().map(|(i, s)| (i, s.id, s.node)).collect();
            let indices: Vec<_> = indices
                .into_iter()
                .map(|(i, id, node)| (i, id, node, tasks.cold(i).name.clone()))
                .collect();
            indices
                .into_iter()
                .map(|(index, id, node, name)| {
                    (Current { index, id, node }, name, tasks.remove(index))
                })
                .collect()
        };
        for (cur, name, held) in rest {
            self.drop_as(cur, name, held);
        }
        // Futures still waiting on a node (held by the main future's
        // output, or leaked) find nothing to remove later.
        let waiters = self.nodes.borrow_mut().take_waiters();
        drop(waiters);
        self.ext_teardown();
        self.clock.clear();
        let inits = self.nodes.borrow_mut().take_inits();
        if let Err((_, record)) = panic::catch(move || drop(inits)) {
            let info = TaskInfo {
                id: TaskId(u64::MAX),
                name: Some(Arc::from("init closure")),
                node: MAIN_NODE,
                node_name: Arc::from("-"),
                spawned_at: Location::caller(),
            };
            self.fail(Self::panic_failure(info, record, "panicked while dropped"));
        }
        // Nobody can receive an error from a drop: say it on stderr rather
        // than lose it.
        if let Some(f) = self.take_failure() {
            let f = self.stamp(f);
            eprintln!("detsim: while the simulation was being dropped:\n{f}");
        }
    }
}
