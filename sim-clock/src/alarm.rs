//! [`Alarm`]: a re-armable timer for a simulator's own machinery, and
//! [`Ring`], what it does when it fires.

use std::cell::Cell;
use std::rc::Rc;
use std::task::Waker;

use crate::clock::{self, Clock};
use crate::instant::Instant;

/// What an [`Alarm`] does when it fires, called on the clock's thread
/// outside the clock's borrow (it may use the clock).
///
/// A [`Waker`] is a ring (it wakes by reference). The simulator's own
/// machinery (the network's delivery pump) rings its code directly: no
/// waker, so no lookup of whom to wake.
///
/// ```
/// use std::rc::Rc;
/// use sim_clock::Ring;
/// struct Hello;
/// impl Ring for Hello {
///     fn ring(&self) {}
/// }
/// let ring: Rc<dyn Ring> = Rc::new(Hello);
/// ring.ring();
/// assert!(ring.waker().is_none());
/// ```
pub trait Ring: 'static {
    /// The alarm fired.
    fn ring(&self);

    /// The waker this ring is, if it is one: timers due at one instant
    /// whose wakers all wake one task draw no order (see
    /// [`Clock::advance_to`]), and a ring that is not a waker counts as a
    /// task of its own.
    fn waker(&self) -> Option<&Waker> {
        None
    }
}

impl Ring for Waker {
    fn ring(&self) {
        self.wake_by_ref();
    }

    fn waker(&self) -> Option<&Waker> {
        Some(self)
    }
}

/// Whether `a` and `b` ring the same thing, in the sense of
/// [`Waker::will_wake`]: two wakers that wake one task, or one ring.
fn same_ring(a: &Rc<dyn Ring>, b: &Rc<dyn Ring>) -> bool {
    match (a.waker(), b.waker()) {
        (Some(x), Some(y)) => x.will_wake(y),
        (None, None) => std::ptr::addr_eq(Rc::as_ptr(a), Rc::as_ptr(b)),
        _ => false,
    }
}

/// A timer that fired: a heap timer's waker, or an alarm's ring.
pub(crate) enum Fired {
    Timer(Waker),
    Alarm(Rc<dyn Ring>),
}

impl std::fmt::Debug for Fired {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Fired::Timer(w) => f.debug_tuple("Timer").field(w).finish(),
            Fired::Alarm(_) => f.write_str("Alarm"),
        }
    }
}

impl Fired {
    /// Wakes the timer's task, or rings the alarm.
    pub(crate) fn fire(self) {
        match self {
            Fired::Timer(w) => w.wake(),
            Fired::Alarm(r) => r.ring(),
        }
    }

    /// Whether both wake the same task (see [`Waker::will_wake`]; a ring
    /// that is not a waker is a task of its own).
    pub(crate) fn will_wake(&self, other: &Fired) -> bool {
        match (self, other) {
            (Fired::Timer(a), Fired::Timer(b)) => a.will_wake(b),
            (Fired::Alarm(a), Fired::Alarm(b)) => same_ring(a, b),
            (Fired::Timer(w), Fired::Alarm(r)) | (Fired::Alarm(r), Fired::Timer(w)) => {
                r.waker().is_some_and(|x| w.will_wake(x))
            }
        }
    }
}

/// A timer that the simulator's machinery (say, the network's delivery
/// pump) arms, moves and re-arms again and again, on one timer slot.
///
/// Unlike a [`Sleep`](crate::Sleep) it is not a future: it is made with
/// its [`Ring`], which the clock rings whenever an armed deadline comes
/// (then the alarm stays in place, fired, until armed again), and
/// [`arm`](Self::arm) gives it a deadline. It keeps its clock, so it
/// reaches it from anywhere and needs no lookup per use, and its timers
/// belong to [`SYSTEM_OWNER`](crate::SYSTEM_OWNER): end-of-run reports of
/// timers left armed leave them out. Arming consumes one arming sequence
/// number, exactly like arming a new `Sleep`, so same-instant timers fire
/// in the same order whichever of the two armed them. Its timer lives in
/// a slot of its own beside the clock's timer heap, which keeps its ring:
/// re-arming it is a write of the deadline to that slot (no heap work, no
/// waker handed over), through a shared reference (its owner needs no
/// `RefCell` around it). Dropping it disarms it.
///
/// ```
/// use std::rc::Rc;
/// use std::task::Waker;
/// use sim_clock::{Alarm, Clock, Instant};
///
/// let clock = Clock::new();
/// let _in_sim = clock.enter();
/// let alarm = Alarm::new(Rc::new(Waker::noop().clone()));
/// alarm.arm(Instant::from_nanos(50));
/// alarm.arm(Instant::from_nanos(20)); // moved earlier
/// assert_eq!(alarm.deadline(), Some(Instant::from_nanos(20)));
/// assert_eq!(clock.next_wakeup(), Some(Instant::from_nanos(20)));
/// assert_eq!(clock.advance_to(Instant::from_nanos(20), &mut |_| 0).timers_fired, 1);
/// assert_eq!(alarm.deadline(), None); // fired
/// assert!(clock.armed_timers().is_empty());
/// ```
pub struct Alarm {
    clock: Rc<Clock>,
    ring: Rc<dyn Ring>,
    /// Its alarm slot, and the clock's clear count when it was taken (a
    /// cleared clock drops its alarm slots, so the slot is then stale and
    /// the next arming takes a new one).
    key: Cell<(u32, u64)>,
    /// The deadline armed (nanoseconds), until it fires or is disarmed.
    armed: Cell<Option<u64>>,
}

impl std::fmt::Debug for Alarm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Alarm")
            .field("key", &self.key)
            .field("armed", &self.armed)
            .finish_non_exhaustive()
    }
}

impl Alarm {
    /// An alarm on the current clock, not armed, that rings `ring` each
    /// time it fires.
    ///
    /// # Panics
    ///
    /// Outside a simulation.
    ///
    /// ```
    /// let clock = sim_clock::Clock::new();
    /// let _in_sim = clock.enter();
    /// let ring = std::rc::Rc::new(std::task::Waker::noop().clone());
    /// assert_eq!(sim_clock::Alarm::new(ring).deadline(), None);
    /// ```
    #[track_caller]
    pub fn new(ring: Rc<dyn Ring>) -> Alarm {
        let clock = clock::current("sim_clock::Alarm::new");
        let key = (clock.add_alarm(Rc::clone(&ring)), clock.clears());
        Alarm {
            clock,
            ring,
            key: Cell::new(key),
            armed: Cell::new(None),
        }
    }

    /// Arms the alarm for `at` (moving it if it was armed): when the clock
    /// reaches `at`, its ring rings.
    ///
    /// ```
    /// # let clock = sim_clock::Clock::new();
    /// # let _in_sim = clock.enter();
    /// let ring = std::rc::Rc::new(std::task::Waker::noop().clone());
    /// let alarm = sim_clock::Alarm::new(ring);
    /// alarm.arm(sim_clock::Instant::from_nanos(5));
    /// assert_eq!(clock.armed_count(), 1);
    /// ```
    #[inline]
    pub fn arm(&self, at: Instant) {
        let at = at.as_nanos();
        let (mut idx, clears) = self.key.get();
        if clears != self.clock.clears() {
            idx = self.renew();
        }
        self.clock.arm_alarm(idx, at);
        self.armed.set(Some(at));
    }

    /// Takes a new slot after the clock was cleared; returns it.
    #[cold]
    #[inline(never)]
    fn renew(&self) -> u32 {
        let idx = self.clock.add_alarm(Rc::clone(&self.ring));
        self.key.set((idx, self.clock.clears()));
        idx
    }

    /// The deadline the alarm is armed for: `None` if it was never armed,
    /// was disarmed, or fired since it was last armed.
    ///
    /// ```
    /// # let clock = sim_clock::Clock::new();
    /// # let _in_sim = clock.enter();
    /// let alarm = sim_clock::Alarm::new(std::rc::Rc::new(std::task::Waker::noop().clone()));
    /// assert_eq!(alarm.deadline(), None);
    /// ```
    pub fn deadline(&self) -> Option<Instant> {
        let at = self.armed.get()?;
        // Fired once the clock reached it (a timer fires when time gets
        // to its deadline).
        (self.clock.now().as_nanos() < at).then_some(Instant::from_nanos(at))
    }

    /// Disarms the alarm (nothing happens at its deadline).
    ///
    /// ```
    /// # let clock = sim_clock::Clock::new();
    /// # let _in_sim = clock.enter();
    /// let ring = std::rc::Rc::new(std::task::Waker::noop().clone());
    /// let alarm = sim_clock::Alarm::new(ring);
    /// alarm.arm(sim_clock::Instant::from_nanos(5));
    /// alarm.disarm();
    /// assert_eq!(clock.armed_count(), 0);
    /// ```
    pub fn disarm(&self) {
        self.release(false);
    }

    /// Disarms the alarm's timer, and gives its slot back with `free`.
    fn release(&self, free: bool) {
        self.armed.set(None);
        let (idx, clears) = self.key.get();
        if clears == self.clock.clears() {
            let ring = self.clock.disarm_alarm(idx, free);
            drop(ring);
        }
    }
}

impl Drop for Alarm {
    fn drop(&mut self) {
        self.release(true);
    }
}

#[cfg(test)]
mod tests {
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::{Arc, Mutex};
    use std::task::{Context, Wake, Waker};

    use super::*;

    /// A waker that logs its id when woken.
    struct Logger(u32, Arc<Mutex<Vec<u32>>>);

    impl Wake for Logger {
        fn wake(self: Arc<Self>) {
            self.1.lock().unwrap().push(self.0);
        }
    }

    fn logger(id: u32, log: &Arc<Mutex<Vec<u32>>>) -> Waker {
        Waker::from(Arc::new(Logger(id, log.clone())))
    }

    fn arm_sleep(at: u64, waker: &Waker) -> Pin<Box<crate::Sleep>> {
        let mut s = Box::pin(crate::sleep_until(Instant::from_nanos(at)));
        assert!(
            s.as_mut()
                .poll(&mut Context::from_waker(waker))
                .is_pending()
        );
        s
    }

    #[test]
    fn same_instant_timers_fire_in_arming_order_as_with_sleeps() {
        let clock = Clock::new();
        let _in_sim = clock.enter();
        let log = Arc::new(Mutex::new(Vec::new()));
        let alarm = Alarm::new(Rc::new(logger(2, &log)));
        let _a = arm_sleep(10, &logger(1, &log));
        alarm.arm(Instant::from_nanos(10));
        let _b = arm_sleep(10, &logger(3, &log));
        clock.advance_to(Instant::from_nanos(10), &mut |_| 0);
        assert_eq!(*log.lock().unwrap(), [1, 2, 3]);

        // Re-armed after firing, it takes its place among timers armed
        // around it, as a new sleep armed then would.
        log.lock().unwrap().clear();
        let _c = arm_sleep(20, &logger(4, &log));
        alarm.arm(Instant::from_nanos(20));
        let _d = arm_sleep(20, &logger(6, &log));
        clock.advance_to(Instant::from_nanos(20), &mut |_| 0);
        assert_eq!(*log.lock().unwrap(), [4, 2, 6]);
    }

    #[test]
    fn alarms_are_listed_and_fire_among_heap_timers_by_arming_order() {
        let clock = Clock::new();
        let _in_sim = clock.enter();
        let log = Arc::new(Mutex::new(Vec::new()));
        let a = arm_sleep(10, &logger(1, &log));
        let alarm = Alarm::new(Rc::new(logger(2, &log)));
        alarm.arm(Instant::from_nanos(10));
        let _b = arm_sleep(10, &logger(3, &log));
        let _c = arm_sleep(5, &logger(4, &log));
        drop(a); // leaves a stale heap entry ahead of the alarm
        assert_eq!(clock.armed_count(), 3);
        let owners: Vec<u64> = clock.armed_timers().iter().map(|t| t.owner).collect();
        assert_eq!(owners, [0, crate::SYSTEM_OWNER, 0]);
        assert_eq!(clock.next_wakeup(), Some(Instant::from_nanos(5)));
        clock.advance_to(Instant::from_nanos(5), &mut |_| 0);
        assert_eq!(clock.next_wakeup(), Some(Instant::from_nanos(10)));
        let fired = clock.advance_to(Instant::from_nanos(10), &mut |_| 0);
        assert_eq!(fired.timers_fired, 2);
        assert_eq!(*log.lock().unwrap(), [4, 2, 3]);
        assert_eq!(clock.armed_count(), 0);
    }

    #[test]
    fn a_ring_wakes_the_same_task_as_its_waker_and_a_plain_ring_only_as_itself() {
        struct Plain;
        impl Ring for Plain {
            fn ring(&self) {}
        }
        let log = Arc::new(Mutex::new(Vec::new()));
        let w = logger(1, &log);
        let (plain, other): (Rc<dyn Ring>, Rc<dyn Ring>) = (Rc::new(Plain), Rc::new(Plain));
        let timer = Fired::Timer(w.clone());
        let as_ring = Fired::Alarm(Rc::new(w.clone()));
        assert!(timer.will_wake(&as_ring) && as_ring.will_wake(&timer));
        assert!(as_ring.will_wake(&Fired::Alarm(Rc::new(w))));
        let p = Fired::Alarm(plain.clone());
        assert!(p.will_wake(&Fired::Alarm(plain)));
        assert!(!p.will_wake(&Fired::Alarm(other)));
        assert!(!p.will_wake(&timer) && !timer.will_wake(&p));
        as_ring.fire();
        assert_eq!(*log.lock().unwrap(), [1]);
    }

    #[test]
    fn moving_keeps_one_timer_and_dropping_disarms() {
        let clock = Clock::new();
        let _in_sim = clock.enter();
        let log = Arc::new(Mutex::new(Vec::new()));
        let alarm = Alarm::new(Rc::new(logger(1, &log)));
        alarm.arm(Instant::from_nanos(30));
        alarm.arm(Instant::from_nanos(40));
        assert_eq!(clock.armed_count(), 1);
        assert_eq!(clock.next_wakeup(), Some(Instant::from_nanos(40)));
        drop(alarm);
        assert_eq!(clock.armed_count(), 0);
        assert_eq!(clock.next_wakeup(), None);
        assert!(log.lock().unwrap().is_empty());
    }

    #[test]
    fn an_alarm_outliving_a_clear_leaves_the_slots_reused_since_alone() {
        let clock = Clock::new();
        let _in_sim = clock.enter();
        let alarm = Alarm::new(Rc::new(Waker::noop().clone()));
        alarm.arm(Instant::from_nanos(5));
        clock.clear();
        // This sleep takes the slot the alarm had before the clear.
        let log = Arc::new(Mutex::new(Vec::new()));
        let s = arm_sleep(50, &logger(1, &log));
        drop(alarm);
        assert_eq!(clock.armed_count(), 1, "the sleep's timer stays armed");
        clock.advance_to(Instant::from_nanos(50), &mut |_| 0);
        assert_eq!(*log.lock().unwrap(), [1]);
        drop(s);

        // Re-armed after a clear, it takes a slot of its own.
        let alarm = Alarm::new(Rc::new(Waker::noop().clone()));
        alarm.arm(Instant::from_nanos(60));
        clock.clear();
        let _t = arm_sleep(70, &logger(2, &log));
        alarm.arm(Instant::from_nanos(80));
        assert_eq!(clock.armed_count(), 2);
        assert_eq!(clock.next_wakeup(), Some(Instant::from_nanos(70)));
    }
}
