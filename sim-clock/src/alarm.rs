//! [`Alarm`]: a re-armable timer for a simulator's own machinery.

use std::rc::Rc;
use std::task::Waker;

use crate::clock::{self, Clock};
use crate::instant::Instant;

/// A timer that the simulator's machinery (say, the network's delivery
/// pump) arms, moves and re-arms again and again, on one timer slot.
///
/// Unlike a [`Sleep`](crate::Sleep) it is not a future: [`arm`](Self::arm)
/// gives it a deadline and a waker, which the clock wakes when the
/// deadline comes (then the alarm stays in place, fired, until armed
/// again). It keeps its clock, so it reaches it from anywhere and needs
/// no lookup per use, and its timers belong to
/// [`SYSTEM_OWNER`](crate::SYSTEM_OWNER): end-of-run reports of timers
/// left armed leave them out. Arming consumes one arming sequence number,
/// exactly like arming a new `Sleep`, so same-instant timers fire in the
/// same order whichever of the two armed them. Its timer lives in a slot
/// of its own beside the clock's timer heap, so re-arming it is a write
/// to that slot (no heap work). Dropping it disarms it.
///
/// ```
/// use std::task::Waker;
/// use sim_clock::{Alarm, Clock, Instant};
///
/// let clock = Clock::new();
/// let _in_sim = clock.enter();
/// let mut alarm = Alarm::new();
/// alarm.arm(Instant::from_nanos(50), Waker::noop());
/// alarm.arm(Instant::from_nanos(20), Waker::noop()); // moved earlier
/// assert_eq!(alarm.deadline(), Some(Instant::from_nanos(20)));
/// assert_eq!(clock.next_wakeup(), Some(Instant::from_nanos(20)));
/// assert_eq!(clock.advance_to(Instant::from_nanos(20), &mut |_| 0).timers_fired, 1);
/// assert_eq!(alarm.deadline(), None); // fired
/// assert!(clock.armed_timers().is_empty());
/// ```
#[derive(Debug)]
pub struct Alarm {
    clock: Rc<Clock>,
    /// Its alarm slot, and the clock's clear count when it was taken (a
    /// cleared clock drops its alarm slots, so the slot is then stale).
    key: Option<(u32, u64)>,
    /// The deadline armed (nanoseconds), until it fires or is disarmed.
    armed: Option<u64>,
}

impl Alarm {
    /// An alarm on the current clock, not armed.
    ///
    /// # Panics
    ///
    /// Outside a simulation.
    ///
    /// ```
    /// let clock = sim_clock::Clock::new();
    /// let _in_sim = clock.enter();
    /// assert_eq!(sim_clock::Alarm::new().deadline(), None);
    /// ```
    #[track_caller]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Alarm {
        Alarm {
            clock: clock::current("sim_clock::Alarm::new"),
            key: None,
            armed: None,
        }
    }

    /// Arms the alarm for `at` (moving it if it was armed): when the clock
    /// reaches `at`, `waker` is woken (the waker of an earlier `arm` that
    /// has not fired yet is kept).
    ///
    /// ```
    /// # let clock = sim_clock::Clock::new();
    /// # let _in_sim = clock.enter();
    /// let mut alarm = sim_clock::Alarm::new();
    /// alarm.arm(sim_clock::Instant::from_nanos(5), std::task::Waker::noop());
    /// assert_eq!(clock.armed_count(), 1);
    /// ```
    #[inline]
    pub fn arm(&mut self, at: Instant, waker: &Waker) {
        let at = at.as_nanos();
        let clears = self.clock.clears();
        let idx = match self.key {
            Some((idx, c)) if c == clears => idx,
            _ => {
                let idx = self.clock.add_alarm();
                self.key = Some((idx, clears));
                idx
            }
        };
        self.clock.arm_alarm(idx, at, waker);
        self.armed = Some(at);
    }

    /// The deadline the alarm is armed for: `None` if it was never armed,
    /// was disarmed, or fired since it was last armed.
    ///
    /// ```
    /// # let clock = sim_clock::Clock::new();
    /// # let _in_sim = clock.enter();
    /// let alarm = sim_clock::Alarm::new();
    /// assert_eq!(alarm.deadline(), None);
    /// ```
    pub fn deadline(&self) -> Option<Instant> {
        let at = self.armed?;
        // Fired once the clock reached it (a timer fires when time gets
        // to its deadline).
        (self.clock.now().as_nanos() < at).then_some(Instant::from_nanos(at))
    }

    /// Disarms the alarm (nothing happens at its deadline).
    ///
    /// ```
    /// # let clock = sim_clock::Clock::new();
    /// # let _in_sim = clock.enter();
    /// let mut alarm = sim_clock::Alarm::new();
    /// alarm.arm(sim_clock::Instant::from_nanos(5), std::task::Waker::noop());
    /// alarm.disarm();
    /// assert_eq!(clock.armed_count(), 0);
    /// ```
    pub fn disarm(&mut self) {
        self.release(false);
    }

    /// Disarms the alarm's timer, and gives its slot back with `free`.
    fn release(&mut self, free: bool) {
        self.armed = None;
        if let Some((idx, clears)) = self.key {
            if clears == self.clock.clears() {
                let waker = self.clock.disarm_alarm(idx, free);
                drop(waker);
            }
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
        let mut alarm = Alarm::new();
        let _a = arm_sleep(10, &logger(1, &log));
        alarm.arm(Instant::from_nanos(10), &logger(2, &log));
        let _b = arm_sleep(10, &logger(3, &log));
        clock.advance_to(Instant::from_nanos(10), &mut |_| 0);
        assert_eq!(*log.lock().unwrap(), [1, 2, 3]);

        // Re-armed after firing, it takes its place among timers armed
        // around it, as a new sleep armed then would.
        log.lock().unwrap().clear();
        let _c = arm_sleep(20, &logger(4, &log));
        alarm.arm(Instant::from_nanos(20), &logger(5, &log));
        let _d = arm_sleep(20, &logger(6, &log));
        clock.advance_to(Instant::from_nanos(20), &mut |_| 0);
        assert_eq!(*log.lock().unwrap(), [4, 5, 6]);
    }

    #[test]
    fn alarms_are_listed_and_fire_among_heap_timers_by_arming_order() {
        let clock = Clock::new();
        let _in_sim = clock.enter();
        let log = Arc::new(Mutex::new(Vec::new()));
        let a = arm_sleep(10, &logger(1, &log));
        let mut alarm = Alarm::new();
        alarm.arm(Instant::from_nanos(10), &logger(2, &log));
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
    fn moving_keeps_one_timer_and_dropping_disarms() {
        let clock = Clock::new();
        let _in_sim = clock.enter();
        let log = Arc::new(Mutex::new(Vec::new()));
        let mut alarm = Alarm::new();
        alarm.arm(Instant::from_nanos(30), &logger(1, &log));
        alarm.arm(Instant::from_nanos(40), &logger(1, &log));
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
        let mut alarm = Alarm::new();
        alarm.arm(Instant::from_nanos(5), Waker::noop());
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
        let mut alarm = Alarm::new();
        alarm.arm(Instant::from_nanos(60), Waker::noop());
        clock.clear();
        let _t = arm_sleep(70, &logger(2, &log));
        alarm.arm(Instant::from_nanos(80), Waker::noop());
        assert_eq!(clock.armed_count(), 2);
        assert_eq!(clock.next_wakeup(), Some(Instant::from_nanos(70)));
    }
}
