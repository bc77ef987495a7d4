//! Blocking tasks cannot be aborted once their closure has run, as in
//! tokio: the closure cannot be stopped halfway, so abort has no effect
//! and the `JoinHandle` yields the output. A [`Started`] guard, alive
//! while such a task pays its virtual cost, lists the task in its
//! simulation; [`is_started`] is what `abort` checks. Killing the node
//! still drops the task (a crash, not an abort).

use crate::context;
use crate::runtime::Runtime;
use crate::task::{RawHandle, TaskId};

/// Keeps the current task listed as a started blocking task while alive.
pub(crate) struct Started {
    instance: u64,
    task: TaskId,
}

impl Started {
    /// Lists the current task.
    ///
    /// # Panics
    ///
    /// Outside a task of a simulation (a blocking task always has one).
    pub(crate) fn current() -> Started {
        context::with_current("detsim::spawn_blocking", |rt| {
            let task = rt.current.get().expect("a blocking task runs as a task").id;
            rt.started_blocking.borrow_mut().push(task);
            Started {
                instance: rt.instance,
                task,
            }
        })
    }
}

impl Drop for Started {
    fn drop(&mut self) {
        // Not current: the simulation is being torn down, its list too.
        context::with_instance(self.instance, |rt| {
            rt.started_blocking.borrow_mut().retain(|&t| t != self.task);
        });
    }
}

/// Whether the task behind `raw` is a blocking task whose closure has run.
/// Free in the common case (no such task in the simulation).
pub(crate) fn is_started(rt: &Runtime, raw: RawHandle) -> bool {
    let started = rt.started_blocking.borrow();
    if started.is_empty() {
        return false;
    }
    let mut tasks = rt.tasks.borrow_mut();
    tasks
        .get_mut(raw.index, raw.generation)
        .is_some_and(|slot| started.contains(&slot.id))
}
