//! `interval` and `interval_at`.

use std::future::poll_fn;
use std::task::{Context, Poll};
use std::time::Duration;

use crate::{Instant, Sleep, sleep_until};

/// What an [`Interval`] does when a tick completes late, because its task
/// was busy (awaiting something else) past the tick's deadline.
///
/// ```
/// use detsim::time::MissedTickBehavior;
/// assert_eq!(MissedTickBehavior::default(), MissedTickBehavior::Burst);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum MissedTickBehavior {
    /// Fire every missed tick at once, then keep the original schedule
    /// (ticks at start, start + p, start + 2p, ...).
    #[default]
    Burst,
    /// Fire the late tick now, then schedule the next one `period` after
    /// now: the schedule shifts by the lateness.
    Delay,
    /// Fire one tick now, then return to the original grid, skipping the
    /// missed slots.
    Skip,
}

/// Ticks every `period` of virtual time; the first tick completes at once.
/// A tick too far to represent (a period of `Duration::MAX`) comes 30
/// years later instead, as a [`sleep`](fn@crate::sleep) that long does.
///
/// # Panics
///
/// If `period` is zero, or outside a simulation.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use detsim::time::{self, Instant};
/// # detsim::Sim::builder().build().run(async {
/// let mut iv = time::interval(Duration::from_millis(100));
/// assert_eq!(iv.period().as_millis(), 100);
/// for _ in 0..3 {
///     iv.tick().await; // at 0, 100 and 200 ms
/// }
/// assert_eq!(Instant::now().since_start(), Duration::from_millis(200));
/// # }).unwrap();
/// ```
#[track_caller]
pub fn interval(period: Duration) -> Interval {
    let now = Instant::from_nanos(crate::clock::now_nanos("detsim::time::interval"));
    interval_at(now, period)
}

/// Ticks every `period`, the first tick at `start`.
///
/// # Panics
///
/// If `period` is zero.
///
/// # Example
///
/// ```
/// # detsim::Sim::builder().build().run(async {
/// use std::time::Duration;
/// let iv = detsim::time::interval_at(detsim::time::Instant::ZERO + Duration::from_secs(1), Duration::from_secs(1));
/// # let _ = iv;
/// # }).unwrap();
/// ```
#[track_caller]
pub fn interval_at(start: Instant, period: Duration) -> Interval {
    assert!(
        !period.is_zero(),
        "detsim::time::interval: the period must be non-zero"
    );
    Interval {
        next: start,
        period,
        behavior: MissedTickBehavior::default(),
        sleep: sleep_until(start),
    }
}

/// A stream of ticks on the virtual clock; see [`interval`].
///
/// # Example
///
/// ```
/// # detsim::Sim::builder().build().run(async {
/// use detsim::time::MissedTickBehavior;
/// let mut iv = detsim::time::interval(std::time::Duration::from_secs(1));
/// iv.set_missed_tick_behavior(MissedTickBehavior::Skip);
/// assert_eq!(iv.missed_tick_behavior(), MissedTickBehavior::Skip);
/// # }).unwrap();
/// ```
#[derive(Debug)]
pub struct Interval {
    next: Instant,
    period: Duration,
    behavior: MissedTickBehavior,
    sleep: Sleep,
}

impl Interval {
    /// Completes at the next tick and returns its scheduled instant.
    ///
    /// ```
    /// use std::time::Duration;
    /// use detsim::time::{self, Instant};
    /// # detsim::Sim::builder().build().run(async {
    /// let mut iv = time::interval(Duration::from_secs(1));
    /// assert_eq!(iv.tick().await, Instant::ZERO); // the first tick is at once
    /// assert_eq!(iv.tick().await, Instant::ZERO + Duration::from_secs(1));
    /// assert_eq!(Instant::now().since_start(), Duration::from_secs(1));
    /// # }).unwrap();
    /// ```
    pub async fn tick(&mut self) -> Instant {
        poll_fn(|cx| self.poll_tick(cx)).await
    }

    /// Polls for the next tick (for manual `Future`/`Stream` impls).
    ///
    /// ```
    /// # detsim::Sim::builder().build().run(async {
    /// let mut iv = detsim::time::interval(std::time::Duration::from_secs(1));
    /// let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    /// assert!(iv.poll_tick(&mut cx).is_ready());
    /// assert!(iv.poll_tick(&mut cx).is_pending());
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn poll_tick(&mut self, cx: &mut Context<'_>) -> Poll<Instant> {
        if self.sleep.poll_elapsed(cx).is_pending() {
            return Poll::Pending;
        }
        let tick = self.next;
        let now = Instant::now(); // determinism: ok (the virtual clock)
        self.next = self.next_after(tick, now);
        // Only record the next deadline: its timer is armed when the
        // interval is polled again, so an interval nobody polls leaves no
        // timer, no wakeup and no clock jump behind.
        self.sleep.set_deadline(self.next);
        Poll::Ready(tick)
    }

    /// The deadline after `tick`, completed at `now` (tokio's rules; virtual
    /// time is exact, so a tick is late only if `now > tick`).
    fn next_after(&self, tick: Instant, now: Instant) -> Instant {
        let on_grid = tick.deadline_after(self.period);
        if now <= tick {
            return on_grid;
        }
        match self.behavior {
            MissedTickBehavior::Burst => on_grid,
            MissedTickBehavior::Delay => now.deadline_after(self.period),
            MissedTickBehavior::Skip => {
                let period = self.period.as_nanos();
                let late = u128::from(now.as_nanos() - tick.as_nanos());
                let skip = period - late % period;
                let nanos = u128::from(now.as_nanos()) + skip;
                u64::try_from(nanos)
                    .map_or_else(|_| now.deadline_after(Duration::MAX), Instant::from_nanos)
            }
        }
    }

    /// Restarts the schedule: the next tick is one period from now.
    ///
    /// # Panics
    ///
    /// Outside a simulation.
    ///
    /// ```
    /// # detsim::Sim::builder().build().run(async {
    /// let mut iv = detsim::time::interval(std::time::Duration::from_secs(1));
    /// iv.reset();
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn reset(&mut self) {
        let now = Instant::from_nanos(crate::clock::now_nanos("detsim::time::Interval::reset"));
        self.next = now.deadline_after(self.period);
        self.sleep.reset(self.next);
    }

    /// Restarts the schedule with a tick due at once (tokio's
    /// `Interval::reset_immediately`): the next tick completes now, the
    /// ones after it follow one period apart.
    ///
    /// # Panics
    ///
    /// Outside a simulation.
    ///
    /// ```
    /// use std::time::Duration;
    /// use detsim::time::{self, Instant};
    /// # detsim::Sim::builder().build().run(async {
    /// let mut iv = time::interval(Duration::from_secs(1));
    /// iv.tick().await;
    /// time::sleep(Duration::from_millis(300)).await;
    /// iv.reset_immediately();
    /// assert_eq!(iv.tick().await.since_start(), Duration::from_millis(300));
    /// assert_eq!(iv.tick().await.since_start(), Duration::from_millis(1300));
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn reset_immediately(&mut self) {
        let now = crate::clock::now_nanos("detsim::time::Interval::reset_immediately");
        self.reset_at(Instant::from_nanos(now));
    }

    /// Restarts the schedule with the next tick `after` from now (tokio's
    /// `Interval::reset_after`); a deadline too far to represent comes 30
    /// years ahead, as for [`sleep`](fn@crate::sleep).
    ///
    /// # Panics
    ///
    /// Outside a simulation.
    ///
    /// ```
    /// use std::time::Duration;
    /// use detsim::time::{self, Instant};
    /// # detsim::Sim::builder().build().run(async {
    /// let mut iv = time::interval(Duration::from_secs(1));
    /// iv.tick().await;
    /// iv.reset_after(Duration::from_millis(250));
    /// assert_eq!(iv.tick().await.since_start(), Duration::from_millis(250));
    /// assert_eq!(iv.tick().await.since_start(), Duration::from_millis(1250));
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn reset_after(&mut self, after: Duration) {
        let now = crate::clock::now_nanos("detsim::time::Interval::reset_after");
        self.reset_at(Instant::from_nanos(now).deadline_after(after));
    }

    /// Restarts the schedule with the next tick at `deadline` (tokio's
    /// `Interval::reset_at`); a deadline in the past makes the next tick
    /// complete at once, late, under the missed-tick behaviour.
    ///
    /// ```
    /// use std::time::Duration;
    /// use detsim::time::{self, Instant};
    /// # detsim::Sim::builder().build().run(async {
    /// let mut iv = time::interval(Duration::from_secs(1));
    /// iv.tick().await;
    /// iv.reset_at(Instant::ZERO + Duration::from_secs(5));
    /// assert_eq!(iv.tick().await.since_start(), Duration::from_secs(5));
    /// # }).unwrap();
    /// ```
    pub fn reset_at(&mut self, deadline: Instant) {
        self.next = deadline;
        self.sleep.reset(deadline);
    }

    /// The period between ticks.
    ///
    /// ```
    /// # detsim::Sim::builder().build().run(async {
    /// assert_eq!(detsim::time::interval(std::time::Duration::from_secs(2)).period().as_secs(), 2);
    /// # }).unwrap();
    /// ```
    pub fn period(&self) -> Duration {
        self.period
    }

    /// The current missed-tick behaviour.
    ///
    /// ```
    /// # detsim::Sim::builder().build().run(async {
    /// let iv = detsim::time::interval(std::time::Duration::from_secs(1));
    /// assert_eq!(iv.missed_tick_behavior(), detsim::time::MissedTickBehavior::Burst);
    /// # }).unwrap();
    /// ```
    pub fn missed_tick_behavior(&self) -> MissedTickBehavior {
        self.behavior
    }

    /// Sets the missed-tick behaviour.
    ///
    /// ```
    /// # detsim::Sim::builder().build().run(async {
    /// let mut iv = detsim::time::interval(std::time::Duration::from_secs(1));
    /// iv.set_missed_tick_behavior(detsim::time::MissedTickBehavior::Delay);
    /// # }).unwrap();
    /// ```
    pub fn set_missed_tick_behavior(&mut self, behavior: MissedTickBehavior) {
        self.behavior = behavior;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iv(behavior: MissedTickBehavior) -> Interval {
        let mut iv = interval_at(Instant::ZERO, Duration::from_nanos(10));
        iv.set_missed_tick_behavior(behavior);
        iv
    }

    #[test]
    fn on_time_ticks_stay_on_the_grid() {
        for b in [
            MissedTickBehavior::Burst,
            MissedTickBehavior::Delay,
            MissedTickBehavior::Skip,
        ] {
            let i = iv(b);
            assert_eq!(
                i.next_after(Instant::from_nanos(10), Instant::from_nanos(10)),
                Instant::from_nanos(20)
            );
        }
    }

    #[test]
    fn a_tick_late_by_less_than_a_period_delays_only_under_delay() {
        let (tick, now) = (Instant::from_nanos(10), Instant::from_nanos(15));
        let next = |b| iv(b).next_after(tick, now).as_nanos();
        assert_eq!(next(MissedTickBehavior::Burst), 20);
        assert_eq!(next(MissedTickBehavior::Delay), 25);
        assert_eq!(next(MissedTickBehavior::Skip), 20);
    }

    #[test]
    fn missed_ticks_follow_the_behaviour() {
        let (tick, now) = (Instant::from_nanos(10), Instant::from_nanos(35));
        let next = |b| iv(b).next_after(tick, now).as_nanos();
        assert_eq!(next(MissedTickBehavior::Burst), 20);
        assert_eq!(next(MissedTickBehavior::Delay), 45);
        assert_eq!(next(MissedTickBehavior::Skip), 40);
        // Late by an exact multiple of the period: skip to the next slot.
        let late = iv(MissedTickBehavior::Skip).next_after(tick, Instant::from_nanos(30));
        assert_eq!(late.as_nanos(), 40);
    }
}
