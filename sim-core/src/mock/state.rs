//! The state every clone of one mock shares, behind one mutex.
//!
//! The lock is only ever held for short, synchronous bookkeeping: never
//! across an await, never while user code (a side effect) runs, and never
//! while a waker is woken or a panic is raised, so a mock stays usable from
//! any executor and after a failed assertion.

use std::panic::Location;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use super::behaviour::Behaviour;
use super::gate::Gate;
use super::record::Records;
use super::wait::Waiters;

/// What the clones of one `AsyncMock` share.
pub(super) struct Shared<Args, Ret> {
    /// The name used in messages, if the mock has one.
    pub(super) name: Option<Arc<str>>,
    /// Where the test made the mock: failures with no better line (an
    /// await with no behaviour set) are reported there.
    pub(super) created_at: &'static Location<'static>,
    pub(super) state: Mutex<State<Args, Ret>>,
}

/// The mutable part: behaviour, records and who waits for what.
pub(super) struct State<Args, Ret> {
    pub(super) behaviour: Behaviour<Args, Ret>,
    /// Virtual time each await takes before it returns (zero: none).
    pub(super) delay: Duration,
    pub(super) gate: Gate,
    pub(super) records: Records<Args>,
    pub(super) waiters: Waiters,
}

impl<Args, Ret> Shared<Args, Ret> {
    pub(super) fn new(name: Option<Arc<str>>, created_at: &'static Location<'static>) -> Self {
        Shared {
            name,
            created_at,
            state: Mutex::new(State {
                behaviour: Behaviour::default(),
                delay: Duration::ZERO,
                gate: Gate::default(),
                records: Records::default(),
                waiters: Waiters::default(),
            }),
        }
    }

    /// Locks the state. A panic never happens under this lock in our code,
    /// but a user's `Clone` or `Debug` impl could panic under it: the state
    /// is still consistent then, so a poisoned lock is simply taken over.
    pub(super) fn lock(&self) -> MutexGuard<'_, State<Args, Ret>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How messages name the mock: "AsyncMock `fetch_user`".
    pub(super) fn label(&self) -> String {
        match &self.name {
            Some(name) => format!("AsyncMock `{name}`"),
            None => "AsyncMock (unnamed)".to_owned(),
        }
    }
}
