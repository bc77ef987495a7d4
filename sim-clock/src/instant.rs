//! Virtual monotonic time.

use std::fmt;
use std::ops::{Add, AddAssign, Sub, SubAssign};
use std::time::Duration;

use crate::clock;

/// How far ahead a deadline that overflows is put: 30 years, tokio's
/// `Instant::far_future` horizon.
const OVERFLOW_HORIZON: Duration = Duration::from_secs(86_400 * 365 * 30);

/// A point on the simulation's virtual monotonic clock, with nanosecond
/// resolution.
///
/// It counts nanoseconds since the simulation started, so the first instant a
/// simulation sees is [`Instant::ZERO`]. Nothing is rounded: a sleep of 1 ns
/// ends 1 ns later. The clock only moves when the executor is idle (or when a
/// test calls [`advance`](fn@crate::advance)), so code between two `.await`s takes
/// no virtual time at all.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use detsim::time::{self, Instant};
///
/// detsim::Sim::builder().build().run(async {
///     let start = Instant::now();
///     assert_eq!(start, Instant::ZERO);
///     time::sleep(Duration::from_nanos(5)).await;
///     assert_eq!(Instant::now().duration_since(start), Duration::from_nanos(5));
///     assert_eq!(start.elapsed().as_nanos(), 5);
/// }).unwrap();
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Instant(u64);

impl Instant {
    /// The instant the simulation starts at.
    ///
    /// ```
    /// assert_eq!(detsim::time::Instant::ZERO.as_nanos(), 0);
    /// ```
    pub const ZERO: Instant = Instant(0);

    /// The latest representable instant (about 584 years after the start),
    /// where [`saturating_add`](Instant::saturating_add) stops. Timers do
    /// not use it for deadlines that overflow (the clock would stop there,
    /// and every later sleep would complete at once): `sleep(Duration::MAX)`
    /// waits 30 years instead, as in tokio (see [`sleep`](fn@crate::sleep)).
    ///
    /// ```
    /// # use std::time::Duration;
    /// use detsim::time::Instant;
    /// assert_eq!(Instant::ZERO.saturating_add(Duration::MAX), Instant::FAR_FUTURE);
    /// ```
    pub const FAR_FUTURE: Instant = Instant(u64::MAX);

    /// The current virtual time of the running simulation.
    ///
    /// # Panics
    ///
    /// Outside a simulation, with a message naming this function.
    ///
    /// ```
    /// # detsim::Sim::builder().build().run(async {
    /// let now = detsim::time::Instant::now();
    /// assert!(now >= detsim::time::Instant::ZERO);
    /// # }).unwrap();
    /// ```
    #[track_caller]
    #[inline]
    pub fn now() -> Instant {
        Instant(clock::now_nanos("detsim::time::Instant::now"))
    }

    /// An instant `nanos` nanoseconds after the start of the simulation.
    ///
    /// ```
    /// let t = detsim::time::Instant::from_nanos(1_500);
    /// assert_eq!(t.as_nanos(), 1_500);
    /// ```
    pub const fn from_nanos(nanos: u64) -> Instant {
        Instant(nanos)
    }

    /// Nanoseconds since the start of the simulation.
    ///
    /// ```
    /// # use std::time::Duration;
    /// let t = detsim::time::Instant::ZERO + Duration::from_micros(2);
    /// assert_eq!(t.as_nanos(), 2_000);
    /// ```
    pub const fn as_nanos(self) -> u64 {
        self.0
    }

    /// Time since the start of the simulation.
    ///
    /// ```
    /// # use std::time::Duration;
    /// let t = detsim::time::Instant::from_nanos(3_000_000_000);
    /// assert_eq!(t.since_start(), Duration::from_secs(3));
    /// ```
    pub const fn since_start(self) -> Duration {
        Duration::from_nanos(self.0)
    }

    /// The time elapsed from `earlier` to `self`, or zero if `earlier` is
    /// later (like std's `Instant::duration_since` since Rust 1.60).
    ///
    /// ```
    /// # use std::time::Duration;
    /// use detsim::time::Instant;
    /// let a = Instant::from_nanos(10);
    /// let b = Instant::from_nanos(25);
    /// assert_eq!(b.duration_since(a), Duration::from_nanos(15));
    /// assert_eq!(a.duration_since(b), Duration::ZERO);
    /// ```
    pub fn duration_since(self, earlier: Instant) -> Duration {
        self.saturating_duration_since(earlier)
    }

    /// The time elapsed from `earlier` to `self`, or `None` if `earlier` is
    /// later.
    ///
    /// ```
    /// use detsim::time::Instant;
    /// assert!(Instant::ZERO.checked_duration_since(Instant::from_nanos(1)).is_none());
    /// ```
    pub fn checked_duration_since(self, earlier: Instant) -> Option<Duration> {
        self.0.checked_sub(earlier.0).map(Duration::from_nanos)
    }

    /// The time elapsed from `earlier` to `self`, or zero if `earlier` is
    /// later.
    ///
    /// ```
    /// # use std::time::Duration;
    /// use detsim::time::Instant;
    /// assert_eq!(Instant::ZERO.saturating_duration_since(Instant::from_nanos(9)), Duration::ZERO);
    /// ```
    pub fn saturating_duration_since(self, earlier: Instant) -> Duration {
        Duration::from_nanos(self.0.saturating_sub(earlier.0))
    }

    /// Virtual time elapsed since `self`.
    ///
    /// # Panics
    ///
    /// Outside a simulation.
    ///
    /// ```
    /// # detsim::Sim::builder().build().run(async {
    /// let t = detsim::time::Instant::now();
    /// assert_eq!(t.elapsed(), std::time::Duration::ZERO);
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn elapsed(self) -> Duration {
        Instant::now().saturating_duration_since(self)
    }

    /// `self + d`, or `None` on overflow.
    ///
    /// ```
    /// # use std::time::Duration;
    /// use detsim::time::Instant;
    /// assert!(Instant::FAR_FUTURE.checked_add(Duration::from_nanos(1)).is_none());
    /// ```
    pub fn checked_add(self, d: Duration) -> Option<Instant> {
        let nanos = u64::try_from(d.as_nanos()).ok()?;
        self.0.checked_add(nanos).map(Instant)
    }

    /// `self - d`, or `None` if that is before the start of the simulation.
    ///
    /// ```
    /// # use std::time::Duration;
    /// use detsim::time::Instant;
    /// assert!(Instant::ZERO.checked_sub(Duration::from_nanos(1)).is_none());
    /// ```
    pub fn checked_sub(self, d: Duration) -> Option<Instant> {
        let nanos = u64::try_from(d.as_nanos()).ok()?;
        self.0.checked_sub(nanos).map(Instant)
    }

    /// `self + d`, clamped to [`Instant::FAR_FUTURE`].
    ///
    /// ```
    /// # use std::time::Duration;
    /// use detsim::time::Instant;
    /// assert_eq!(Instant::from_nanos(1).saturating_add(Duration::from_nanos(2)).as_nanos(), 3);
    /// ```
    pub fn saturating_add(self, d: Duration) -> Instant {
        self.checked_add(d).unwrap_or(Instant::FAR_FUTURE)
    }

    /// The deadline `d` after `self` for a timer: `self + d`, or, when that
    /// overflows, 30 years after `self` (tokio's `Instant::far_future`), so
    /// that time keeps working after such a timer fires. Saturates only
    /// within 30 years of [`Instant::FAR_FUTURE`].
    pub(crate) fn deadline_after(self, d: Duration) -> Instant {
        match self.checked_add(d) {
            Some(t) => t,
            None => self.saturating_add(OVERFLOW_HORIZON),
        }
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;

    /// # Panics
    ///
    /// On overflow, like `std::time::Instant`.
    #[track_caller]
    fn add(self, d: Duration) -> Instant {
        self.checked_add(d)
            .expect("overflow when adding a duration to a detsim Instant")
    }
}

impl AddAssign<Duration> for Instant {
    #[track_caller]
    fn add_assign(&mut self, d: Duration) {
        *self = *self + d;
    }
}

impl Sub<Duration> for Instant {
    type Output = Instant;

    /// # Panics
    ///
    /// When the result would be before the start of the simulation.
    #[track_caller]
    fn sub(self, d: Duration) -> Instant {
        self.checked_sub(d)
            .expect("overflow when subtracting a duration from a detsim Instant")
    }
}

impl SubAssign<Duration> for Instant {
    #[track_caller]
    fn sub_assign(&mut self, d: Duration) {
        *self = *self - d;
    }
}

impl Sub<Instant> for Instant {
    type Output = Duration;

    /// Saturating, like `std::time::Instant`.
    fn sub(self, earlier: Instant) -> Duration {
        self.saturating_duration_since(earlier)
    }
}

impl fmt::Debug for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Instant(+{:?})", self.since_start())
    }
}

impl fmt::Display for Instant {
    /// Virtual time since the start, e.g. `+1.5s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "+{:?}", self.since_start())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_is_exact_to_the_nanosecond() {
        let t = Instant::from_nanos(1) + Duration::from_nanos(999_999_999);
        assert_eq!(t.as_nanos(), 1_000_000_000);
        assert_eq!(
            t - Instant::from_nanos(1),
            Duration::from_nanos(999_999_999)
        );
        assert_eq!(t - Duration::from_secs(1), Instant::ZERO);
    }

    #[test]
    fn overflow_is_checked_or_saturated() {
        assert_eq!(Instant::ZERO.checked_add(Duration::MAX), None);
        assert_eq!(
            Instant::ZERO.saturating_add(Duration::MAX),
            Instant::FAR_FUTURE
        );
        assert_eq!(
            Instant::from_nanos(3) - Instant::from_nanos(5),
            Duration::ZERO
        );
    }

    #[test]
    fn an_overflowing_deadline_is_thirty_years_ahead() {
        let t = Instant::from_nanos(5);
        assert_eq!(
            t.deadline_after(Duration::from_secs(2)),
            t + Duration::from_secs(2)
        );
        assert_eq!(t.deadline_after(Duration::MAX), t + OVERFLOW_HORIZON);
        let late = Instant::FAR_FUTURE - Duration::from_secs(1);
        assert_eq!(late.deadline_after(Duration::MAX), Instant::FAR_FUTURE);
    }

    #[test]
    fn display_is_relative_to_start() {
        assert_eq!(Instant::from_nanos(1_500_000_000).to_string(), "+1.5s");
        assert_eq!(format!("{:?}", Instant::from_nanos(7)), "Instant(+7ns)");
    }
}
