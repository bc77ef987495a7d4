//! The clock driver: virtual now, the timer queue and advancers; the
//! thread-local "current clock" is in `current`.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::Waker;
use std::time::Duration;

use crate::alarm::Fired;
use crate::alarm::Ring;
use crate::timers::{TimerKey, TimerQueue};
use crate::{Instant, SystemTime};

mod current;

pub use current::{EnterGuard, SYSTEM_OWNER, is_current, is_current_available, with_system_owner};
pub(crate) use current::{current, now_nanos, try_with_current, with_current};

/// Process-unique clock identities, so a `Sleep` from one simulation is never
/// mistaken for a timer of another. Identity only: never part of a schedule.
static NEXT_CLOCK_ID: AtomicU64 = AtomicU64::new(1);

/// The virtual clock of one simulation: the current instant, the armed timers
/// and the tasks blocked in [`advance`](fn@crate::advance).
///
/// A runtime (detsim's executor) owns one `Clock`, makes it current on its
/// thread with [`Clock::enter`] while it runs, and, whenever nothing is
/// runnable, asks [`Clock::next_wakeup`] where time goes next and calls
/// [`Clock::advance_to`] to move there. Tests do not use `Clock` directly;
/// they use [`sleep`](fn@crate::sleep), [`advance`](fn@crate::advance) and friends.
///
/// # Idle algorithm
///
/// When the executor is idle, the next wakeup is the earlier of the next
/// timer deadline and the smallest target of a pending `advance`. With
/// auto-advance off (asynctest's `ClockedTestCase` mode) timers alone never
/// move time: only an `advance` does, and timers due inside its window fire
/// at their exact deadlines, in order, with woken tasks running in between.
/// Timers due at the same instant fire in an order drawn by the runtime
/// (zero keeps arming order), and fire before an `advance` ending at that
/// instant returns.
///
/// # Example
///
/// Driving a clock by hand (what the executor does):
///
/// ```
/// use std::time::Duration;
/// use sim_clock::{Clock, Instant};
///
/// let clock = Clock::new();
/// let _guard = clock.enter();
/// let mut sleep = Box::pin(sim_clock::sleep(Duration::from_millis(5)));
/// let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
/// assert!(sleep.as_mut().poll(&mut cx).is_pending());
///
/// let at = clock.next_wakeup().unwrap();
/// assert_eq!(at, Instant::ZERO + Duration::from_millis(5));
/// let wakeup = clock.advance_to(at, &mut |_bound| 0);
/// assert_eq!(wakeup.timers_fired, 1);
/// assert!(sleep.as_mut().poll(&mut cx).is_ready());
/// # use std::future::Future;
/// ```
#[derive(Debug)]
pub struct Clock {
    id: u64,
    now: Cell<u64>,
    epoch: Cell<std::time::SystemTime>,
    auto_advance: Cell<bool>,
    owner: Cell<u64>,
    owner_hint: Cell<[usize; 2]>,
    prefetcher: Cell<Prefetcher>,
    timers: RefCell<TimerQueue>,
    advancers: RefCell<Vec<Advancer>>,
    next_advancer: Cell<u64>,
    scratch: RefCell<Vec<Fired>>,
    /// How many times [`Clock::clear`] ran: timer keys from before a clear
    /// name nothing (slots are reused from scratch after it).
    clears: Cell<u64>,
}

#[derive(Debug)]
struct Advancer {
    id: u64,
    target: u64,
    waker: Option<Waker>,
}

/// What [`Clock::advance_to`] did.
///
/// ```
/// # use sim_clock::{Clock, Instant};
/// let clock = Clock::new();
/// let w = clock.advance_to(Instant::from_nanos(10), &mut |_| 0);
/// assert_eq!((w.time, w.timers_fired, w.advancers_released), (Instant::from_nanos(10), 0, 0));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Wakeup {
    /// The new current instant.
    pub time: Instant,
    /// Timers that fired at `time`.
    pub timers_fired: usize,
    /// `advance` calls that completed at `time`.
    pub advancers_released: usize,
}

/// An armed timer, as listed in end-of-run hygiene reports.
///
/// ```
/// # use std::time::Duration;
/// # use std::future::Future;
/// let clock = sim_clock::Clock::new();
/// let _guard = clock.enter();
/// clock.set_owner(7);
/// let mut sleep = Box::pin(sim_clock::sleep(Duration::from_secs(1)));
/// let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
/// let _ = sleep.as_mut().poll(&mut cx);
/// let armed = clock.armed_timers();
/// assert_eq!(armed[0].owner, 7);
/// assert_eq!(armed[0].deadline.since_start(), Duration::from_secs(1));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TimerInfo {
    /// When the timer would fire.
    pub deadline: Instant,
    /// The owner id that was current (see [`Clock::set_owner`]) when it was
    /// armed: detsim stores the task id there.
    pub owner: u64,
}

impl Drop for Clock {
    fn drop(&mut self) {
        // Its buffers serve the next clock made on this thread.
        std::mem::take(self.timers.get_mut()).recycle();
    }
}

impl Clock {
    /// A clock at [`Instant::ZERO`] with auto-advance on and the epoch at
    /// 2020-01-01T00:00:00Z.
    ///
    /// ```
    /// let clock = sim_clock::Clock::new();
    /// assert_eq!(clock.now(), sim_clock::Instant::ZERO);
    /// assert!(clock.auto_advance());
    /// ```
    pub fn new() -> Rc<Clock> {
        Rc::new(Clock {
            // determinism: ok (identity only, never part of a schedule)
            id: NEXT_CLOCK_ID.fetch_add(1, Ordering::Relaxed),
            now: Cell::new(0),
            epoch: Cell::new(std::time::UNIX_EPOCH + Duration::from_secs(DEFAULT_EPOCH_SECS)),
            auto_advance: Cell::new(true),
            owner: Cell::new(0),
            owner_hint: Cell::new([0; 2]),
            prefetcher: Cell::new(no_prefetch),
            timers: RefCell::new(TimerQueue::new()),
            advancers: RefCell::default(),
            next_advancer: Cell::new(0),
            scratch: RefCell::default(),
            clears: Cell::new(0),
        })
    }

    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    /// The current virtual instant.
    ///
    /// ```
    /// let clock = sim_clock::Clock::new();
    /// assert_eq!(clock.now().as_nanos(), 0);
    /// ```
    #[inline]
    pub fn now(&self) -> Instant {
        Instant::from_nanos(self.now.get())
    }

    /// The current virtual wall-clock time (epoch + elapsed).
    ///
    /// ```
    /// let clock = sim_clock::Clock::new();
    /// assert_eq!(clock.system_now(), clock.epoch());
    /// ```
    pub fn system_now(&self) -> SystemTime {
        SystemTime::from_std(self.epoch.get()) + self.now().since_start()
    }

    /// The wall-clock time at [`Instant::ZERO`].
    ///
    /// ```
    /// # use std::time::Duration;
    /// let clock = sim_clock::Clock::new();
    /// let since = clock.epoch().duration_since(sim_clock::SystemTime::UNIX_EPOCH).unwrap();
    /// assert_eq!(since, Duration::from_secs(1_577_836_800)); // 2020-01-01
    /// ```
    pub fn epoch(&self) -> SystemTime {
        SystemTime::from_std(self.epoch.get())
    }

    /// Sets the wall-clock time at [`Instant::ZERO`].
    ///
    /// ```
    /// let clock = sim_clock::Clock::new();
    /// clock.set_epoch(sim_clock::SystemTime::UNIX_EPOCH);
    /// assert_eq!(clock.system_now(), sim_clock::SystemTime::UNIX_EPOCH);
    /// ```
    pub fn set_epoch(&self, epoch: SystemTime) {
        self.epoch.set(epoch.into_std());
    }

    /// Whether time jumps to the next timer when the executor is idle.
    ///
    /// ```
    /// assert!(sim_clock::Clock::new().auto_advance());
    /// ```
    pub fn auto_advance(&self) -> bool {
        self.auto_advance.get()
    }

    /// Turns auto-advance on or off. Off is asynctest's `ClockedTestCase`:
    /// time moves only through [`advance`](fn@crate::advance).
    ///
    /// ```
    /// let clock = sim_clock::Clock::new();
    /// clock.set_auto_advance(false);
    /// assert!(!clock.auto_advance());
    /// ```
    pub fn set_auto_advance(&self, on: bool) {
        self.auto_advance.set(on);
    }

    /// Sets the owner id recorded with timers armed from now on (detsim sets
    /// the running task's id before each poll).
    ///
    /// ```
    /// let clock = sim_clock::Clock::new();
    /// clock.set_owner(3);
    /// ```
    pub fn set_owner(&self, owner: u64) {
        self.owner.set(owner);
    }

    /// Sets the owner id and two opaque prefetch hints (addresses the
    /// runtime will want warm when this owner's timer fires) recorded with
    /// timers armed from now on.
    ///
    /// ```
    /// let clock = sim_clock::Clock::new();
    /// clock.set_owner_with_hint(3, [0, 0]);
    /// ```
    pub fn set_owner_with_hint(&self, owner: u64, hint: [usize; 2]) {
        self.owner.set(owner);
        self.owner_hint.set(hint);
    }

    /// Installs the runtime's prefetcher. After each firing the clock calls
    /// it with addresses the next firings will touch: its own record of the
    /// timer after next, and the owner hints of the next timer, so the
    /// runtime can warm the task that timer will wake. The clock never
    /// dereferences them; the calls change nothing observable.
    ///
    /// ```
    /// fn prefetch(_addr: usize) {}
    /// let clock = sim_clock::Clock::new();
    /// clock.set_prefetcher(prefetch);
    /// ```
    pub fn set_prefetcher(&self, prefetcher: Prefetcher) {
        self.prefetcher.set(prefetcher);
    }

    /// Number of armed timers.
    ///
    /// ```
    /// assert_eq!(sim_clock::Clock::new().armed_count(), 0);
    /// ```
    pub fn armed_count(&self) -> usize {
        self.timers.borrow().armed_count()
    }

    /// The armed timers, earliest first.
    ///
    /// ```
    /// assert!(sim_clock::Clock::new().armed_timers().is_empty());
    /// ```
    pub fn armed_timers(&self) -> Vec<TimerInfo> {
        self.timers
            .borrow()
            .armed()
            .into_iter()
            .map(|t| TimerInfo {
                deadline: Instant::from_nanos(t.deadline),
                owner: t.owner,
            })
            .collect()
    }

    /// Number of tasks blocked in [`advance`](fn@crate::advance).
    ///
    /// ```
    /// assert_eq!(sim_clock::Clock::new().pending_advances(), 0);
    /// ```
    pub fn pending_advances(&self) -> usize {
        self.advancers.borrow().len()
    }

    /// Where time goes next when the executor is idle, or `None` if nothing
    /// can move it (no timers and no `advance`, or auto-advance off and no
    /// `advance`). See the idle algorithm on [`Clock`].
    ///
    /// ```
    /// assert_eq!(sim_clock::Clock::new().next_wakeup(), None);
    /// ```
    pub fn next_wakeup(&self) -> Option<Instant> {
        let timer = self.timers.borrow_mut().next_deadline();
        let adv = self.advancers.borrow().iter().map(|a| a.target).min();
        let at = match (timer, adv) {
            (Some(t), Some(a)) => t.min(a),
            (Some(t), None) if self.auto_advance.get() => t,
            (Some(_), None) => return None,
            (None, a) => a?,
        };
        Some(Instant::from_nanos(at))
    }

    /// Moves time to `at` and wakes what is due there: every timer whose
    /// deadline is `at` (in an order drawn with `draw`), or, if no timer is
    /// due, every `advance` whose window ends at or before `at`.
    ///
    /// `draw(n)` must return a value in `0..n`; a draw of zero keeps arming
    /// order, so an all-zero draw sequence fires same-instant timers first in,
    /// first out. Wakers are called after the clock's state is released.
    ///
    /// # Panics
    ///
    /// If `at` is before now or after an armed timer's deadline (time would
    /// skip a timer).
    ///
    /// ```
    /// # use sim_clock::{Clock, Instant};
    /// let clock = Clock::new();
    /// clock.advance_to(Instant::from_nanos(42), &mut |_| 0);
    /// assert_eq!(clock.now(), Instant::from_nanos(42));
    /// ```
    pub fn advance_to(&self, at: Instant, draw: &mut dyn FnMut(u64) -> u64) -> Wakeup {
        let at = at.as_nanos();
        assert!(
            at >= self.now.get(),
            "detsim: the clock cannot go backwards ({at}ns < {}ns)",
            self.now.get()
        );
        let mut timers = self.timers.borrow_mut();
        if let Some(next) = timers.next_deadline() {
            assert!(
                next >= at,
                "detsim: advancing the clock to {at}ns would skip a timer due at {next}ns"
            );
        }
        self.now.set(at);
        // The usual firing of a network workload: the delivery pump's
        // alarm alone. One ring has no order to draw and no advance is
        // released (a timer fired), as below.
        if let Some(ring) = timers.fire_lone_alarm(at) {
            drop(timers);
            ring.ring();
            return Wakeup {
                time: Instant::from_nanos(at),
                timers_fired: 1,
                advancers_released: 0,
            };
        }
        let mut wakers = std::mem::take(&mut *self.scratch.borrow_mut());
        let (timers_fired, advancers_released) = {
            let fired = timers.fire_at(at, &mut wakers);
            // Warm what the next firings will touch: the record of the
            // timer after next, and the task the next timer will wake.
            let prefetch = self.prefetcher.get();
            let (next, after) = timers.upcoming();
            if let Some(after) = after {
                prefetch(after.hot_addr);
            }
            if let Some(hints) = next.and_then(|n| timers.peek_owner(n.idx)) {
                hints.into_iter().for_each(prefetch);
            }
            drop(timers);
            if fired > 0 {
                // Orders only matter between different tasks: timers that
                // all wake one task (`join!(sleep(a), sleep(a))`) draw nothing.
                // One waker (the usual firing) has no order to draw.
                if wakers.len() > 1 && !wakers[1..].iter().all(|w| w.will_wake(&wakers[0])) {
                    shuffle(&mut wakers, draw);
                }
                (fired, 0)
            } else {
                let mut advancers = self.advancers.borrow_mut();
                let before = advancers.len();
                advancers.retain_mut(|a| {
                    if a.target <= at {
                        wakers.extend(a.waker.take().map(Fired::Timer));
                        false
                    } else {
                        true
                    }
                });
                (0, before - advancers.len())
            }
        };
        for w in wakers.drain(..) {
            w.fire();
        }
        *self.scratch.borrow_mut() = wakers;
        Wakeup {
            time: Instant::from_nanos(at),
            timers_fired,
            advancers_released,
        }
    }

    /// The usual idle step of a network workload in one call: when what
    /// comes next is one [`Alarm`](crate::Alarm) alone (no other alarm
    /// armed, no other timer due at its deadline or before, no
    /// [`advance`](fn@crate::advance) waiting, auto-advance on) and its
    /// deadline is not after `not_after`, moves time to that deadline and
    /// returns it with the alarm's [`Ring`], for the caller to ring. `None`,
    /// having changed nothing, otherwise: [`next_wakeup`](Self::next_wakeup)
    /// and [`advance_to`](Self::advance_to) then take the step.
    ///
    /// It is exactly their step: `advance_to` fires a lone alarm the same
    /// way (one timer fired, no order drawn, no advance released).
    ///
    /// ```
    /// # use sim_clock::{Clock, Instant};
    /// let clock = Clock::new();
    /// let _in_sim = clock.enter();
    /// let ring = std::rc::Rc::new(std::task::Waker::noop().clone());
    /// let mut alarm = sim_clock::Alarm::new(ring);
    /// alarm.arm(Instant::from_nanos(5));
    /// assert!(clock.advance_to_lone_alarm(4).is_none(), "past the limit");
    /// let (at, ring) = clock.advance_to_lone_alarm(u64::MAX).unwrap();
    /// assert_eq!((at, clock.now(), clock.armed_count()), (Instant::from_nanos(5), at, 0));
    /// ring.ring();
    /// ```
    #[inline]
    pub fn advance_to_lone_alarm(&self, not_after: u64) -> Option<(Instant, Rc<dyn Ring>)> {
        if !self.auto_advance.get() || !self.advancers.borrow().is_empty() {
            return None;
        }
        let now = self.now.get();
        let (at, ring) = self
            .timers
            .borrow_mut()
            .fire_lone_alarm_if(|at| now <= at && at <= not_after)?;
        self.now.set(at);
        Some((Instant::from_nanos(at), ring))
    }

    /// Drops every timer and pending advance (used when a simulation is torn
    /// down). Wakers are dropped after the clock's state is released.
    ///
    /// A `Sleep` (or `Timeout`, `Interval`, `Alarm`) that outlives the clear
    /// may still be dropped, polled or reset: its old timer is gone for
    /// good (it never names a timer armed after the clear), and a poll arms
    /// a new one.
    ///
    /// ```
    /// let clock = sim_clock::Clock::new();
    /// clock.clear();
    /// assert_eq!(clock.armed_count(), 0);
    /// ```
    pub fn clear(&self) {
        self.clears.set(self.clears.get() + 1);
        let wakers = self.timers.borrow_mut().clear();
        let advancers = std::mem::take(&mut *self.advancers.borrow_mut());
        drop(wakers);
        drop(advancers);
    }

    // ---- used by Sleep / Advance ----

    pub(crate) fn insert_timer(&self, deadline: u64, waker: &Waker) -> TimerKey {
        let waker = waker.clone();
        self.timers
            .borrow_mut()
            .insert(deadline, waker, self.owner.get(), self.owner_hint.get())
    }

    /// A timer slot for a new [`crate::Alarm`], not armed, that rings
    /// `ring` when it fires.
    pub(crate) fn add_alarm(&self, ring: Rc<dyn Ring>) -> u32 {
        self.timers.borrow_mut().add_alarm(ring)
    }

    /// How many times the clock was cleared (see [`crate::Alarm`]).
    pub(crate) fn clears(&self) -> u64 {
        self.clears.get()
    }

    /// Arms (or moves) alarm `idx` for `deadline`.
    #[inline]
    pub(crate) fn arm_alarm(&self, idx: u32, deadline: u64) {
        self.timers.borrow_mut().arm_alarm(idx, deadline);
    }

    /// Disarms alarm `idx` (freeing its slot with `free`, whose ring is
    /// returned, to drop outside the clock's borrow).
    pub(crate) fn disarm_alarm(&self, idx: u32, free: bool) -> Option<Rc<dyn Ring>> {
        self.timers.borrow_mut().disarm_alarm(idx, free)
    }

    /// Frees a timer slot unless the clock was cleared since, returning
    /// the waker it held (to wake or drop outside the clock's borrow).
    pub(crate) fn remove_timer_if_live(&self, key: TimerKey) -> Option<Waker> {
        self.timers.borrow_mut().remove_if_live(key)
    }

    /// Gives a timer a new waker; `false` if the clock was cleared since
    /// (the timer is gone: arm a new one).
    pub(crate) fn update_timer_waker(&self, key: TimerKey, waker: &Waker) -> bool {
        {
            let timers = self.timers.borrow();
            if timers.will_wake(key, waker) {
                return true;
            }
            if timers.slot_of(key).is_none() {
                return false;
            }
        }
        // Clone and drop wakers outside the borrow: both may run user code.
        let waker = waker.clone();
        let old = self.timers.borrow_mut().set_waker(key, waker);
        drop(old);
        true
    }

    /// Moves a timer's deadline; `false` if the clock was cleared since.
    pub(crate) fn reset_timer(&self, key: TimerKey, deadline: u64) -> bool {
        let mut timers = self.timers.borrow_mut();
        let live = timers.slot_of(key).is_some();
        if live {
            timers.reset(key, deadline);
        }
        live
    }

    pub(crate) fn add_advancer(&self, target: u64, waker: &Waker) -> u64 {
        let id = self.next_advancer.get();
        self.next_advancer.set(id + 1);
        let waker = Some(waker.clone());
        self.advancers
            .borrow_mut()
            .push(Advancer { id, target, waker });
        id
    }

    /// Updates a pending advancer's waker; `false` if it was released.
    pub(crate) fn poll_advancer(&self, id: u64, waker: &Waker) -> bool {
        let same = {
            let advancers = self.advancers.borrow();
            match advancers.iter().find(|a| a.id == id) {
                None => return false,
                Some(a) => a.waker.as_ref().is_some_and(|w| w.will_wake(waker)),
            }
        };
        if !same {
            let waker = waker.clone();
            let old = self
                .advancers
                .borrow_mut()
                .iter_mut()
                .find(|a| a.id == id)
                .and_then(|a| a.waker.replace(waker));
            drop(old);
        }
        true
    }

    pub(crate) fn remove_advancer(&self, id: u64) {
        let removed = {
            let mut advancers = self.advancers.borrow_mut();
            advancers
                .iter()
                .position(|a| a.id == id)
                .map(|i| advancers.remove(i))
        };
        drop(removed);
    }
}

/// A runtime's prefetch hook; see [`Clock::set_prefetcher`].
///
/// ```
/// fn warm(_addr: usize) {}
/// let hook: sim_clock::Prefetcher = warm;
/// sim_clock::Clock::new().set_prefetcher(hook);
/// ```
pub type Prefetcher = fn(usize);

fn no_prefetch(_: usize) {}

/// 2020-01-01T00:00:00Z, the epoch of a clock nobody configured.
const DEFAULT_EPOCH_SECS: u64 = 1_577_836_800;

/// Fisher-Yates driven by `draw`, where a draw of 0 leaves an element in place.
fn shuffle(v: &mut [Fired], draw: &mut dyn FnMut(u64) -> u64) {
    let n = v.len();
    for i in 0..n.saturating_sub(1) {
        let j = i + draw((n - i) as u64) as usize;
        v.swap(i, j);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::AtomicUsize;
    use std::task::Wake;

    struct Tagged(usize, Arc<std::sync::Mutex<Vec<usize>>>);
    impl Wake for Tagged {
        fn wake(self: Arc<Self>) {
            self.1.lock().unwrap().push(self.0);
        }
    }

    #[test]
    fn zero_draws_fire_same_instant_timers_in_arming_order() {
        let clock = Clock::new();
        let log = Arc::new(std::sync::Mutex::new(Vec::new()));
        for i in 0..5 {
            let w = Waker::from(Arc::new(Tagged(i, log.clone())));
            clock.insert_timer(100, &w);
        }
        let w = clock.advance_to(Instant::from_nanos(100), &mut |_| 0);
        assert_eq!(w.timers_fired, 5);
        assert_eq!(*log.lock().unwrap(), [0, 1, 2, 3, 4]);
    }

    #[test]
    fn draws_permute_same_instant_timers() {
        let clock = Clock::new();
        let log = Arc::new(std::sync::Mutex::new(Vec::new()));
        for i in 0..3 {
            let w = Waker::from(Arc::new(Tagged(i, log.clone())));
            clock.insert_timer(100, &w);
        }
        let mut bounds = Vec::new();
        // Always pick the last remaining candidate: slot 0 gets timer 2, then
        // slot 1 picks between [1, 0] -> 0.
        clock.advance_to(Instant::from_nanos(100), &mut |n| {
            bounds.push(n);
            n - 1
        });
        assert_eq!(bounds, [3, 2]);
        assert_eq!(*log.lock().unwrap(), [2, 0, 1]);
    }

    #[test]
    fn next_wakeup_respects_auto_advance_and_advancers() {
        let clock = Clock::new();
        let w = Waker::from(Arc::new(Tagged(0, Default::default())));
        clock.insert_timer(50, &w);
        assert_eq!(clock.next_wakeup(), Some(Instant::from_nanos(50)));
        clock.set_auto_advance(false);
        assert_eq!(clock.next_wakeup(), None);
        let id = clock.add_advancer(30, &w);
        assert_eq!(clock.next_wakeup(), Some(Instant::from_nanos(30)));
        let wake = clock.advance_to(Instant::from_nanos(30), &mut |_| 0);
        assert_eq!(wake.advancers_released, 1);
        assert!(!clock.poll_advancer(id, &w));
    }

    #[test]
    fn the_lone_alarm_step_declines_whenever_advance_to_would_do_more() {
        let clock = Clock::new();
        let log = Arc::new(std::sync::Mutex::new(Vec::new()));
        let w = Waker::from(Arc::new(Tagged(7, log.clone())));
        assert!(
            clock.advance_to_lone_alarm(u64::MAX).is_none(),
            "nothing armed"
        );
        let alarm = clock.add_alarm(Rc::new(w.clone()));
        clock.arm_alarm(alarm, 100);
        // Each decline changes nothing: time stays, the alarm stays armed.
        let unchanged = |clock: &Clock| (clock.now(), clock.armed_count());
        assert!(clock.advance_to_lone_alarm(99).is_none(), "past the limit");
        clock.insert_timer(100, &w);
        assert!(
            clock.advance_to_lone_alarm(u64::MAX).is_none(),
            "a timer due then too"
        );
        assert_eq!(unchanged(&clock), (Instant::ZERO, 2));
        clock.advance_to(Instant::from_nanos(100), &mut |_| 0);
        clock.arm_alarm(alarm, 200);
        let other = clock.add_alarm(Rc::new(w.clone()));
        clock.arm_alarm(other, 300);
        assert!(
            clock.advance_to_lone_alarm(u64::MAX).is_none(),
            "another alarm"
        );
        clock.disarm_alarm(other, true);
        let id = clock.add_advancer(150, &w);
        assert!(
            clock.advance_to_lone_alarm(u64::MAX).is_none(),
            "an advance waits"
        );
        clock.advance_to(Instant::from_nanos(150), &mut |_| 0);
        assert!(!clock.poll_advancer(id, &w));
        clock.set_auto_advance(false);
        assert!(
            clock.advance_to_lone_alarm(u64::MAX).is_none(),
            "auto-advance off"
        );
        assert_eq!(unchanged(&clock), (Instant::from_nanos(150), 1));
        clock.set_auto_advance(true);
        log.lock().unwrap().clear();
        // Alone: time moves to it and its ring comes back, not rung.
        let (at, ring) = clock.advance_to_lone_alarm(200).unwrap();
        assert_eq!((at, clock.now()), (Instant::from_nanos(200), at));
        assert_eq!(clock.armed_count(), 0);
        assert!(log.lock().unwrap().is_empty());
        ring.ring();
        assert_eq!(*log.lock().unwrap(), [7]);
    }

    #[test]
    fn timers_due_with_an_advance_target_fire_first() {
        let clock = Clock::new();
        let count = Arc::new(AtomicUsize::new(0));
        struct C(Arc<AtomicUsize>);
        impl Wake for C {
            fn wake(self: Arc<Self>) {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }
        let w = Waker::from(Arc::new(C(count.clone())));
        clock.insert_timer(30, &w);
        clock.add_advancer(30, &w);
        let first = clock.advance_to(clock.next_wakeup().unwrap(), &mut |_| 0);
        assert_eq!((first.timers_fired, first.advancers_released), (1, 0));
        let second = clock.advance_to(clock.next_wakeup().unwrap(), &mut |_| 0);
        assert_eq!((second.timers_fired, second.advancers_released), (0, 1));
    }

    #[test]
    #[should_panic(expected = "would skip a timer")]
    fn skipping_a_timer_is_refused() {
        let clock = Clock::new();
        clock.insert_timer(10, Waker::noop());
        clock.advance_to(Instant::from_nanos(11), &mut |_| 0);
    }
}
