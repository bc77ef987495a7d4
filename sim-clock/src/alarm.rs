//! [`Alarm`]: a re-armable timer for a simulator's own machinery.

use std::rc::Rc;
use std::task::Waker;

use crate::clock::{self, Clock};
use crate::instant::Instant;
use crate::timers::TimerKey;

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
/// same order whichever of the two armed them. Dropping it disarms it.
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
    key: Option<TimerKey>,
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
    pub fn arm(&mut self, at: Instant, waker: &Waker) {
        let at = at.as_nanos();
        let rearmed = self
            .key
            .is_some_and(|key| self.clock.rearm_timer(key, at, waker));
        if !rearmed {
            self.key = Some(self.clock.insert_system_timer(at, waker));
        }
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
        self.armed = None;
        if let Some(key) = self.key.take() {
            let waker = self.clock.remove_timer_if_live(key);
            drop(waker);
        }
    }
}

impl Drop for Alarm {
    fn drop(&mut self) {
        self.disarm();
    }
}
