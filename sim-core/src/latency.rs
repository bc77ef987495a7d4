//! Latency distributions on the virtual clock, shared by the simulated
//! network and the simulated disk. Pure logic: sampling takes a `draw`
//! function (the choice source in a simulation), and a draw of 0 always
//! gives the minimum.

use std::time::Duration;

/// How long something takes on the virtual clock: a datagram on a link
/// (`detsim::net`), a disk operation (`detsim::fs`).
///
/// A draw of 0 gives the minimum; a constant latency draws nothing.
///
/// ```
/// use std::time::Duration;
/// use detsim::net::Latency;
/// let ms = Duration::from_millis;
/// let fixed = Latency::constant(ms(1));
/// let jitter = Latency::uniform(ms(1), ms(10));
/// let tail = Latency::long_tail(ms(1), ms(3), ms(500));
/// assert_eq!(fixed.min(), ms(1));
/// assert_eq!(jitter.min(), ms(1));
/// assert_eq!(tail.min(), ms(1));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Latency {
    /// Always the same.
    Constant(Duration),
    /// Uniform over `min..=max` (nanosecond resolution).
    Uniform {
        /// The shortest latency.
        min: Duration,
        /// The longest latency.
        max: Duration,
    },
    /// Mostly near `min`, half the time at most `median`, rarely up to
    /// `max`: `min + (median - min) · u/(1 - u)` for `u` uniform in
    /// `[0, 1)` (a Pareto tail of index 1, computed in integers so every
    /// platform agrees), capped at `max`.
    LongTail {
        /// The shortest latency (a draw of 0).
        min: Duration,
        /// Half the draws fall at or below this.
        median: Duration,
        /// The cap.
        max: Duration,
    },
}

impl Latency {
    /// A constant latency.
    ///
    /// ```
    /// let l = detsim::net::Latency::constant(std::time::Duration::ZERO);
    /// assert_eq!(l.max(), std::time::Duration::ZERO);
    /// ```
    pub fn constant(latency: Duration) -> Latency {
        Latency::Constant(latency)
    }

    /// A uniform range; `min > max` is rejected when the configuration is
    /// applied.
    ///
    /// ```
    /// use std::time::Duration;
    /// let l = detsim::net::Latency::uniform(Duration::from_millis(1), Duration::from_millis(5));
    /// assert_eq!(l.max(), Duration::from_millis(5));
    /// ```
    pub fn uniform(min: Duration, max: Duration) -> Latency {
        Latency::Uniform { min, max }
    }

    /// A long-tailed distribution; needs `min <= median <= max`.
    ///
    /// ```
    /// use std::time::Duration;
    /// let l = detsim::net::Latency::long_tail(
    ///     Duration::from_millis(1), Duration::from_millis(2), Duration::from_secs(1));
    /// assert_eq!(l.max(), Duration::from_secs(1));
    /// ```
    pub fn long_tail(min: Duration, median: Duration, max: Duration) -> Latency {
        Latency::LongTail { min, median, max }
    }

    /// The shortest latency this distribution gives (the draw of 0).
    ///
    /// ```
    /// let l = detsim::net::Latency::constant(std::time::Duration::from_millis(2));
    /// assert_eq!(l.min().as_millis(), 2);
    /// ```
    pub fn min(&self) -> Duration {
        match *self {
            Latency::Constant(d) => d,
            Latency::Uniform { min, .. } | Latency::LongTail { min, .. } => min,
        }
    }

    /// The longest latency this distribution gives.
    ///
    /// ```
    /// let l = detsim::net::Latency::constant(std::time::Duration::from_millis(2));
    /// assert_eq!(l.max().as_millis(), 2);
    /// ```
    pub fn max(&self) -> Duration {
        match *self {
            Latency::Constant(d) => d,
            Latency::Uniform { max, .. } | Latency::LongTail { max, .. } => max,
        }
    }

    /// Whether the distribution is well formed: `min <= max` for
    /// `uniform`, `min <= median <= max` for `long_tail`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use detsim::net::Latency;
    /// let ms = Duration::from_millis;
    /// assert!(Latency::uniform(ms(1), ms(2)).is_valid());
    /// assert!(!Latency::uniform(ms(2), ms(1)).is_valid());
    /// assert!(!Latency::long_tail(ms(1), ms(9), ms(5)).is_valid());
    /// ```
    pub fn is_valid(&self) -> bool {
        match *self {
            Latency::Constant(_) => true,
            Latency::Uniform { min, max } => min <= max,
            Latency::LongTail { min, median, max } => min <= median && median <= max,
        }
    }

    /// Whether every sample is zero (a constant zero: no delay, no draw).
    ///
    /// ```
    /// use detsim::net::Latency;
    /// assert!(Latency::constant(std::time::Duration::ZERO).is_zero());
    /// assert!(!Latency::constant(std::time::Duration::from_nanos(1)).is_zero());
    /// ```
    pub fn is_zero(&self) -> bool {
        self.max().is_zero()
    }

    /// Samples a latency in nanoseconds; `draw(bound)` returns a value in
    /// `0..bound` (the choice source in a simulation). A draw of 0 gives
    /// [`min`](Latency::min); a constant latency draws nothing. The result
    /// for an invalid distribution (see [`is_valid`](Latency::is_valid)) is
    /// unspecified but never panics.
    ///
    /// ```
    /// use std::time::Duration;
    /// use detsim::net::Latency;
    /// let l = Latency::uniform(Duration::from_nanos(10), Duration::from_nanos(12));
    /// assert_eq!(l.sample(&mut |_| 0), 10);
    /// assert_eq!(l.sample(&mut |bound| bound - 1), 12);
    /// ```
    pub fn sample(&self, draw: &mut dyn FnMut(u64) -> u64) -> u64 {
        match *self {
            Latency::Constant(d) => nanos(d),
            Latency::Uniform { min, max } => {
                let (lo, hi) = (nanos(min), nanos(max));
                lo.saturating_add(draw(hi.saturating_sub(lo).saturating_add(1)))
            }
            Latency::LongTail { min, median, max } => {
                let (lo, mid, hi) = (nanos(min), nanos(median), nanos(max));
                let u = u128::from(draw(1 << 32));
                let x = u128::from(mid.saturating_sub(lo)) * u / ((1u128 << 32) - u);
                lo.saturating_add(x.min(u128::from(hi.saturating_sub(lo))) as u64)
            }
        }
    }
}

/// `d` in nanoseconds, `u64::MAX` for a duration too long for a `u64`
/// (over 584 years): as virtual time counts it.
pub(crate) fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn a_zero_draw_is_the_minimum_latency() {
        let zero = &mut |_| 0;
        assert_eq!(Latency::constant(ms(3)).sample(zero), 3_000_000);
        assert_eq!(Latency::uniform(ms(2), ms(9)).sample(zero), 2_000_000);
        assert_eq!(
            Latency::long_tail(ms(1), ms(5), ms(900)).sample(zero),
            1_000_000
        );
    }

    #[test]
    fn uniform_covers_its_range_inclusively() {
        let l = Latency::uniform(Duration::from_nanos(10), Duration::from_nanos(12));
        let mut bounds = Vec::new();
        let top = l.sample(&mut |b| {
            bounds.push(b);
            b - 1
        });
        assert_eq!((top, bounds), (12, vec![3]));
    }

    #[test]
    fn long_tail_is_median_at_half_and_capped() {
        let l = Latency::long_tail(ms(1), ms(5), ms(100));
        assert_eq!(l.sample(&mut |_| 1 << 31), 5_000_000);
        assert_eq!(l.sample(&mut |b| b - 1), 100_000_000);
        // Monotone in the draw.
        let mut last = 0;
        for u in (0..(1u64 << 32)).step_by(1 << 26) {
            let v = l.sample(&mut |_| u);
            assert!(v >= last);
            last = v;
        }
    }

    #[test]
    fn inverted_ranges_are_invalid_and_sample_without_panicking() {
        for l in [
            Latency::uniform(ms(5), ms(1)),
            Latency::long_tail(ms(1), ms(9), ms(5)),
            Latency::long_tail(ms(9), ms(1), ms(5)),
        ] {
            assert!(!l.is_valid(), "{l:?}");
            let _ = l.sample(&mut |b| b - 1);
        }
    }
}
