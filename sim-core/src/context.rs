//! The simulation current on this thread.
//!
//! Every detsim handle (task, timer, node, waker) is plain data naming its
//! simulation; the simulation's state is found here, in a thread-local set
//! while the simulation runs (and while it is torn down). Outside that
//! window, APIs panic with a message naming the API and the fix; destructors
//! quietly do nothing.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use crate::foreign;
use crate::raw::Token;
use crate::runtime::Runtime;

thread_local! {
    static CURRENT: RefCell<Option<Rc<Runtime>>> = const { RefCell::new(None) };
    /// The current simulation's `instance` (0: none), kept beside
    /// `CURRENT` so that "is this handle's simulation current?" is one
    /// plain thread-local read (no destructor registration, no borrow).
    static INSTANCE: Cell<u64> = const { Cell::new(0) };
}

/// Makes a runtime (and its clock) current until dropped.
pub(crate) struct Enter {
    prev: Option<Option<Rc<Runtime>>>,
    prev_instance: u64,
    _clock: Option<sim_clock::EnterGuard>,
}

impl Drop for Enter {
    fn drop(&mut self) {
        if let Some(prev) = self.prev.take() {
            // The runtime left is dropped after the borrow (its destructor
            // is user code's, through the wakers and tasks it holds).
            let left = CURRENT.try_with(|c| c.replace(prev));
            drop(left);
            INSTANCE.set(self.prev_instance);
        }
    }
}

/// Makes `rt` current. During thread-local destruction (a `Sim` dropped
/// at thread exit) nothing can be made current; the guard then does
/// nothing, and destructors that look for the simulation find none.
pub(crate) fn enter(rt: &Rc<Runtime>) -> Enter {
    let clock = sim_clock::is_current_available().then(|| rt.clock.enter());
    let prev = CURRENT
        .try_with(|c| c.borrow_mut().replace(rt.clone()))
        .ok();
    let prev_instance = INSTANCE.get();
    if prev.is_some() {
        INSTANCE.set(rt.instance);
    }
    Enter {
        prev,
        prev_instance,
        _clock: clock,
    }
}

/// The current simulation's instance, if any (one thread-local read;
/// instances start at 1).
#[inline]
pub(crate) fn current_instance() -> Option<u64> {
    Some(INSTANCE.get()).filter(|&i| i != 0)
}

/// The current runtime, if any.
pub(crate) fn try_current() -> Option<Rc<Runtime>> {
    CURRENT.try_with(|c| c.borrow().clone()).ok().flatten()
}

/// The current runtime.
///
/// # Panics
///
/// Outside a simulation, naming `api`.
#[track_caller]
pub(crate) fn current(api: &str) -> Rc<Runtime> {
    match try_current() {
        Some(rt) => rt,
        None => outside(api),
    }
}

/// The current runtime, which must be simulation `instance`.
///
/// # Panics
///
/// Outside a simulation or in another one, naming `api`.
#[track_caller]
pub(crate) fn for_instance(instance: u64, api: &str) -> Rc<Runtime> {
    let rt = current(api);
    if rt.instance != instance {
        wrong_instance(api);
    }
    rt
}

/// The current runtime if it is simulation `instance` (for destructors).
/// Runs `f` on the current simulation's runtime, borrowed in place rather
/// than cloned out (no reference-count traffic): for short hot paths
/// (extension lookups, draws, events) that run no user code, since `f`
/// must not enter another simulation.
#[track_caller]
#[inline]
pub(crate) fn with_current<R>(api: &str, f: impl FnOnce(&Runtime) -> R) -> R {
    let out = CURRENT
        .try_with(|c| c.borrow().as_deref().map(f))
        .ok()
        .flatten();
    match out {
        Some(out) => out,
        None => outside(api),
    }
}

/// [`with_current`] for handles of simulation `instance`: `None` when no
/// simulation, or another one, is current.
#[inline]
pub(crate) fn with_instance<R>(instance: u64, f: impl FnOnce(&Runtime) -> R) -> Option<R> {
    CURRENT
        .try_with(|c| match c.borrow().as_deref() {
            Some(rt) if rt.instance == instance => Some(f(rt)),
            _ => None,
        })
        .ok()
        .flatten()
}

pub(crate) fn try_instance(instance: u64) -> Option<Rc<Runtime>> {
    try_current().filter(|rt| rt.instance == instance)
}

/// The panic of an API used with a handle of another simulation.
#[track_caller]
#[cold]
pub(crate) fn wrong_instance(api: &str) -> ! {
    panic!(
        "{api} was called in a different simulation from the one that created the handle: \
         detsim handles belong to one simulation; use them inside the `Sim::run` that made them"
    )
}

#[track_caller]
#[cold]
fn outside(api: &str) -> ! {
    panic!(
        "{api} was called outside a detsim simulation: call it from code running inside \
         `Sim::run` (or a `#[sim_test]`), on the simulation's thread"
    )
}

/// A task waker fired: wake the task if its simulation is current here,
/// else queue the wake for its simulation (see [`foreign`]).
#[inline]
pub(crate) fn wake(token: Token) {
    let delivered = CURRENT
        .try_with(|c| match &*c.borrow() {
            Some(rt) if rt.tag == token.tag() => {
                rt.wake_token(token);
                true
            }
            _ => false,
        })
        .unwrap_or(false);
    if !delivered {
        foreign::push(token);
    }
}
