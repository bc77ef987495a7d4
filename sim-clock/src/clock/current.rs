//! The thread-local "current clock": entering and leaving it, and the
//! lookups every time API makes (with the error a call outside a
//! simulation gets).

use std::cell::RefCell;
use std::rc::Rc;

use super::Clock;

thread_local! {
    static CURRENT: RefCell<Option<Rc<Clock>>> = const { RefCell::new(None) };
}

/// Makes a clock current on this thread until dropped; see [`Clock::enter`].
///
/// ```
/// let clock = sim_clock::Clock::new();
/// let guard: sim_clock::EnterGuard = clock.enter();
/// assert!(sim_clock::is_current());
/// drop(guard);
/// assert!(!sim_clock::is_current());
/// ```
#[must_use = "the clock is current only while the guard lives"]
#[derive(Debug)]
pub struct EnterGuard {
    prev: Option<Rc<Clock>>,
}

impl Drop for EnterGuard {
    fn drop(&mut self) {
        let prev = self.prev.take();
        // The clock left (maybe the last handle to it, whose timers hold
        // user wakers) is dropped after the borrow: a waker's destructor
        // may look at the current clock.
        let left = CURRENT.try_with(|c| c.replace(prev));
        drop(left);
    }
}

impl Clock {
    /// Makes this clock the current one on this thread until the guard is
    /// dropped (the previous one, if any, is restored).
    ///
    /// ```
    /// let clock = sim_clock::Clock::new();
    /// {
    ///     let _guard = clock.enter();
    ///     assert!(sim_clock::is_current());
    /// }
    /// assert!(!sim_clock::is_current());
    /// ```
    pub fn enter(self: &Rc<Self>) -> EnterGuard {
        let prev = CURRENT.with(|c| c.borrow_mut().replace(self.clone()));
        EnterGuard { prev }
    }

    /// The clock of the simulation running on this thread, `None` outside
    /// one: for a simulator's own state that reads the time on every
    /// operation, to keep rather than look up each time.
    ///
    /// ```
    /// assert!(sim_clock::Clock::try_current().is_none());
    /// let clock = sim_clock::Clock::new();
    /// let _in_sim = clock.enter();
    /// let current = sim_clock::Clock::try_current().unwrap();
    /// assert!(std::rc::Rc::ptr_eq(&current, &clock));
    /// ```
    pub fn try_current() -> Option<Rc<Clock>> {
        try_with_current(Rc::clone)
    }
}

/// The owner id of timers armed by a simulation's own machinery (say, the
/// network's delivery timer) rather than by a task: reports of timers left
/// armed at the end of a run leave them out.
///
/// ```
/// assert_eq!(sim_clock::SYSTEM_OWNER, u64::MAX);
/// ```
pub const SYSTEM_OWNER: u64 = u64::MAX;

/// Runs `f` with [`SYSTEM_OWNER`] as the owner of the timers it arms, then
/// restores the running task as the owner.
///
/// # Panics
///
/// Outside a simulation, naming this function.
///
/// ```
/// let clock = sim_clock::Clock::new();
/// let _in_sim = clock.enter();
/// let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
/// let mut sleep = sim_clock::sleep(std::time::Duration::from_secs(1));
/// sim_clock::with_system_owner(|| { let _ = std::pin::Pin::new(&mut sleep).poll(&mut cx); });
/// assert_eq!(clock.armed_timers()[0].owner, sim_clock::SYSTEM_OWNER);
/// # use std::future::Future;
/// ```
#[track_caller]
pub fn with_system_owner<R>(f: impl FnOnce() -> R) -> R {
    with_current("sim_clock::with_system_owner", |clock| {
        let (owner, hint) = (clock.owner.get(), clock.owner_hint.get());
        clock.owner.set(SYSTEM_OWNER);
        let out = f();
        clock.owner.set(owner);
        clock.owner_hint.set(hint);
        out
    })
}

/// Whether a clock is current on this thread.
///
/// ```
/// assert!(!sim_clock::is_current());
/// ```
pub fn is_current() -> bool {
    CURRENT.try_with(|c| c.borrow().is_some()).unwrap_or(false)
}

/// Whether this thread can still make a clock current (false only while
/// its thread-locals are being destroyed).
///
/// ```
/// assert!(sim_clock::is_current_available());
/// ```
pub fn is_current_available() -> bool {
    CURRENT.try_with(|_| ()).is_ok()
}

/// Runs `f` with the current clock.
///
/// # Panics
///
/// Outside a simulation, naming `api` and the fix.
#[track_caller]
pub(crate) fn with_current<R>(api: &'static str, f: impl FnOnce(&Rc<Clock>) -> R) -> R {
    let clock = CURRENT.with(|c| c.borrow().clone());
    match clock {
        Some(c) => f(&c),
        None => outside_simulation(api),
    }
}

/// The current clock's instant, read in place (no reference-count traffic:
/// [`Instant::now`](crate::Instant::now) is on every hot path).
///
/// # Panics
///
/// Outside a simulation, naming `api` and the fix.
#[track_caller]
#[inline]
pub(crate) fn now_nanos(api: &'static str) -> u64 {
    match CURRENT.with(|c| c.borrow().as_ref().map(|c| c.now.get())) {
        Some(now) => now,
        None => outside_simulation(api),
    }
}

/// The current clock.
///
/// # Panics
///
/// Outside a simulation, naming `api` and the fix.
#[track_caller]
pub(crate) fn current(api: &'static str) -> Rc<Clock> {
    with_current(api, Rc::clone)
}

/// Runs `f` with the current clock, if any (for destructors, which must not
/// panic).
pub(crate) fn try_with_current<R>(f: impl FnOnce(&Rc<Clock>) -> R) -> Option<R> {
    let clock = CURRENT.try_with(|c| c.borrow().clone()).ok().flatten();
    clock.map(|c| f(&c))
}

#[track_caller]
#[cold]
fn outside_simulation(api: &str) -> ! {
    panic!(
        "{api} was called outside a detsim simulation: call it from code running \
         inside `Sim::run` (or a `#[sim_test]`), on the simulation's thread"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::AtomicUsize;
    use std::task::{Wake, Waker};

    /// Looks at the current clock when dropped.
    struct LooksOnDrop(Arc<AtomicUsize>);
    impl Wake for LooksOnDrop {
        fn wake(self: Arc<Self>) {}
    }
    impl Drop for LooksOnDrop {
        fn drop(&mut self) {
            let _ = is_current();
            self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// The guard held the last handle to the clock, whose timer holds the
    /// last reference to a waker that looks at the current clock when
    /// dropped: it is dropped after the guard's borrow ends.
    #[test]
    fn a_clock_dropped_with_its_guard_drops_its_wakers_outside_the_borrow() {
        let dropped = Arc::new(AtomicUsize::new(0));
        let guard = Clock::new().enter();
        let clock = current("test");
        let w = Waker::from(Arc::new(LooksOnDrop(dropped.clone())));
        clock.insert_timer(100, &w);
        drop((w, clock));
        drop(guard);
        assert_eq!(dropped.load(std::sync::atomic::Ordering::Relaxed), 1);
    }

    #[test]
    fn outside_a_simulation_the_error_names_the_api() {
        let err =
            std::panic::catch_unwind(|| with_current("detsim::time::sleep", |_| ())).unwrap_err();
        let msg = err.downcast_ref::<String>().unwrap();
        assert!(msg.starts_with("detsim::time::sleep was called outside a detsim simulation"));
    }
}
