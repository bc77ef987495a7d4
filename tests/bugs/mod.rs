//! The bug set: small concurrent programs, each with one planted bug of
//! known depth, and a fixed variant. Shared by `tests/bugs_found.rs` (each
//! bug is found by a `#[sim_test]` sweep; each fix passes) and
//! `benches/bugs.rs` (runs to first failure under Random and PCT, tape
//! sizes before and after shrinking).
//!
//! **Depth** is Burckhardt et al.'s (ASPLOS 2010): the least number of
//! ordering constraints between steps of different tasks that suffice for
//! the bug to fire. PCT with depth `d` finds a bug of depth at most `d` in a
//! run of `n` tasks and `k` steps with probability at least
//! `1/(n·k^(d-1))`. Every program also runs [`background`] tasks (other
//! concurrent work that does not touch the bug's state), as real programs
//! do; they count in `n` and do not change the depth.
//!
//! Three bugs are driven by faults rather than by task order (message
//! reordering by the network's latency draws, split brain by a partition's
//! timing, the lost write by a crash's timing); their depth counts the
//! ordering constraint between the fault and the program's events, and
//! PCT's bound (a statement about scheduling) does not apply to them.
//!
//! Where a bug needs one task to get far ahead of another (a slow path
//! racing a fast one: a fraud check, a validation, a computation), the
//! program has that asymmetry: it is the case where uniform random
//! scheduling is weak and PCT's depth guarantee is not.

#![allow(dead_code, unreachable_pub)]

pub mod faults;
pub mod sched;

use std::future::Future;
use std::pin::Pin;

use detsim::FailureKind;

/// A boxed, local future of one run of a bug program.
pub type Run = Pin<Box<dyn Future<Output = ()>>>;

/// One program of the set.
#[derive(Clone, Copy)]
pub struct Bug {
    /// Short name (a test and bench label).
    pub name: &'static str,
    /// Burckhardt depth of the planted bug.
    pub depth: u32,
    /// Tasks in a run (the main task included): `n` in PCT's bound.
    pub tasks: u32,
    /// How the run fails when the bug fires.
    pub kind: FailureKind,
    /// Text the failure message contains when the bug fires.
    pub message: &'static str,
    /// Whether faults (network draws, a partition's or a crash's timing)
    /// bring the bug out rather than the order of tasks: PCT's bound,
    /// which is about scheduling, does not apply to those.
    pub fault_driven: bool,
    /// The program: `fixed = false` has the bug, `true` the fix.
    pub program: fn(bool) -> Run,
}

impl Bug {
    /// A run of the buggy (or fixed) program.
    pub fn run(&self, fixed: bool) -> Run {
        (self.program)(fixed)
    }

    /// Whether `failure` is this bug firing.
    pub fn is_this(&self, failure: &detsim::Failure) -> bool {
        failure.kind() == self.kind && failure.message().contains(self.message)
    }
}

/// Every bug of the set.
pub fn all() -> Vec<Bug> {
    vec![
        sched::ORDER_VIOLATION,
        sched::ATOMICITY_VIOLATION,
        sched::LOST_WAKEUP,
        sched::LOCK_ORDER_DEADLOCK,
        sched::TIMEOUT_RACE,
        faults::MESSAGE_REORDERING,
        faults::SPLIT_BRAIN,
        faults::LOST_WRITE_AFTER_CRASH,
    ]
}

/// Background tasks beside each bug: four tasks of 25 steps each that
/// touch nothing the bug uses (other requests being served, a metrics
/// loop), as a real program has. They make failing Random tapes long,
/// which is what shrinking is for, and they do not change a bug's depth.
pub const BACKGROUND_TASKS: u32 = 4;
/// Steps of each background task.
pub const BACKGROUND_STEPS: u32 = 25;

/// Spawns the [`BACKGROUND_TASKS`].
pub fn background() -> Vec<detsim::JoinHandle<()>> {
    (0..BACKGROUND_TASKS)
        .map(|_| {
            detsim::spawn(async move {
                for _ in 0..BACKGROUND_STEPS {
                    detsim::yield_now().await;
                }
            })
        })
        .collect()
}

/// Awaits every handle (a panic in one fails the run).
pub async fn join(handles: Vec<detsim::JoinHandle<()>>) {
    for h in handles {
        h.await.unwrap();
    }
}
