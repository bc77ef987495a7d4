//! Link configuration: latency distributions, loss and duplication rates,
//! and their validation. Pure logic: sampling takes a `draw` function (the
//! choice source in a simulation), and a draw of 0 always gives the
//! simplest outcome (the minimum latency, delivered, not duplicated).

use std::fmt;
use std::time::Duration;

/// How long a datagram takes on a link.
///
/// A draw of 0 gives the minimum; a constant latency draws nothing.
///
/// ```
/// use std::time::Duration;
/// use sim_net::Latency;
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
    /// let l = sim_net::Latency::constant(std::time::Duration::ZERO);
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
    /// let l = sim_net::Latency::uniform(Duration::from_millis(1), Duration::from_millis(5));
    /// assert_eq!(l.max(), Duration::from_millis(5));
    /// ```
    pub fn uniform(min: Duration, max: Duration) -> Latency {
        Latency::Uniform { min, max }
    }

    /// A long-tailed distribution; needs `min <= median <= max`.
    ///
    /// ```
    /// use std::time::Duration;
    /// let l = sim_net::Latency::long_tail(
    ///     Duration::from_millis(1), Duration::from_millis(2), Duration::from_secs(1));
    /// assert_eq!(l.max(), Duration::from_secs(1));
    /// ```
    pub fn long_tail(min: Duration, median: Duration, max: Duration) -> Latency {
        Latency::LongTail { min, median, max }
    }

    /// The shortest latency this distribution gives (the draw of 0).
    ///
    /// ```
    /// let l = sim_net::Latency::constant(std::time::Duration::from_millis(2));
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
    /// let l = sim_net::Latency::constant(std::time::Duration::from_millis(2));
    /// assert_eq!(l.max().as_millis(), 2);
    /// ```
    pub fn max(&self) -> Duration {
        match *self {
            Latency::Constant(d) => d,
            Latency::Uniform { max, .. } | Latency::LongTail { max, .. } => max,
        }
    }

    fn validate(&self) -> Result<(), NetConfigError> {
        let ok = match *self {
            Latency::Constant(_) => true,
            Latency::Uniform { min, max } => min <= max,
            Latency::LongTail { min, median, max } => min <= median && median <= max,
        };
        if ok {
            Ok(())
        } else {
            Err(NetConfigError {
                setting: "latency",
                value: format!("{self:?}"),
                problem: "the range is inverted",
                fix: "give min <= max (and min <= median <= max for long_tail)",
            })
        }
    }

    /// Samples a latency in nanoseconds; `draw(bound)` returns a value in
    /// `0..bound`.
    pub(crate) fn sample(&self, draw: &mut dyn FnMut(u64) -> u64) -> u64 {
        match *self {
            Latency::Constant(d) => nanos(d),
            Latency::Uniform { min, max } => {
                let (lo, hi) = (nanos(min), nanos(max));
                lo + draw((hi - lo).saturating_add(1))
            }
            Latency::LongTail { min, median, max } => {
                let (lo, mid, hi) = (nanos(min), nanos(median), nanos(max));
                let u = u128::from(draw(1 << 32));
                let x = u128::from(mid - lo) * u / ((1u128 << 32) - u);
                lo + x.min(u128::from(hi - lo)) as u64
            }
        }
    }
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// The behaviour of a link (or of every link, as the default): latency,
/// loss rate and duplication rate.
///
/// The default is a quiet network: a constant 1 ms, nothing lost, nothing
/// duplicated (so a run with the defaults makes no network draws).
///
/// ```
/// use std::time::Duration;
/// use sim_net::{LinkConfig, Latency};
/// let flaky = LinkConfig::new()
///     .latency(Latency::uniform(Duration::from_millis(1), Duration::from_millis(20)))
///     .loss(0.1)
///     .duplicate(0.01);
/// assert_eq!(flaky.loss_rate(), 0.1);
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
#[must_use = "a LinkConfig does nothing until it is applied to a Network"]
pub struct LinkConfig {
    latency: Latency,
    loss: f64,
    duplicate: f64,
}

impl Default for LinkConfig {
    fn default() -> LinkConfig {
        LinkConfig {
            latency: Latency::Constant(Duration::from_millis(1)),
            loss: 0.0,
            duplicate: 0.0,
        }
    }
}

impl LinkConfig {
    /// The default: a constant 1 ms, no loss, no duplication.
    ///
    /// ```
    /// assert_eq!(sim_net::LinkConfig::new(), sim_net::LinkConfig::default());
    /// ```
    pub fn new() -> LinkConfig {
        LinkConfig::default()
    }

    /// The latency distribution.
    ///
    /// ```
    /// let c = sim_net::LinkConfig::new().latency(sim_net::Latency::constant(Default::default()));
    /// assert_eq!(c.latency_dist().max(), std::time::Duration::ZERO);
    /// ```
    pub fn latency(mut self, latency: Latency) -> LinkConfig {
        self.latency = latency;
        self
    }

    /// The probability that a datagram is lost, in `[0, 1]`.
    ///
    /// ```
    /// assert_eq!(sim_net::LinkConfig::new().loss(0.5).loss_rate(), 0.5);
    /// ```
    pub fn loss(mut self, rate: f64) -> LinkConfig {
        self.loss = rate;
        self
    }

    /// The probability that a delivered datagram arrives twice, in `[0, 1]`.
    ///
    /// ```
    /// assert_eq!(sim_net::LinkConfig::new().duplicate(0.2).duplicate_rate(), 0.2);
    /// ```
    pub fn duplicate(mut self, rate: f64) -> LinkConfig {
        self.duplicate = rate;
        self
    }

    /// The latency distribution set.
    ///
    /// ```
    /// assert_eq!(sim_net::LinkConfig::new().latency_dist().min().as_millis(), 1);
    /// ```
    pub fn latency_dist(&self) -> Latency {
        self.latency
    }

    /// The loss rate set.
    ///
    /// ```
    /// assert_eq!(sim_net::LinkConfig::new().loss_rate(), 0.0);
    /// ```
    pub fn loss_rate(&self) -> f64 {
        self.loss
    }

    /// The duplication rate set.
    ///
    /// ```
    /// assert_eq!(sim_net::LinkConfig::new().duplicate_rate(), 0.0);
    /// ```
    pub fn duplicate_rate(&self) -> f64 {
        self.duplicate
    }

    /// Checks the settings: rates within `[0, 1]`, latency ranges in order.
    ///
    /// ```
    /// let err = sim_net::LinkConfig::new().loss(1.5).validate().unwrap_err();
    /// assert_eq!(err.setting(), "loss");
    /// assert!(sim_net::LinkConfig::new().validate().is_ok());
    /// ```
    pub fn validate(&self) -> Result<(), NetConfigError> {
        rate("loss", self.loss)?;
        rate("duplicate", self.duplicate)?;
        self.latency.validate()
    }
}

fn rate(setting: &'static str, value: f64) -> Result<(), NetConfigError> {
    if (0.0..=1.0).contains(&value) {
        Ok(())
    } else {
        Err(NetConfigError {
            setting,
            value: value.to_string(),
            problem: "a rate is a probability",
            fix: "give a value within [0, 1] (0.0 = never, 1.0 = always)",
        })
    }
}

/// Whether an event of probability `rate` happens: one draw of 32 bits,
/// none when `rate` is 0 or 1. A draw of 0 means "no" (unless `rate` is 1).
pub(crate) fn happens(rate: f64, draw: &mut dyn FnMut(u64) -> u64) -> bool {
    if rate <= 0.0 {
        return false;
    }
    if rate >= 1.0 {
        return true;
    }
    const SPAN: u64 = 1 << 32;
    let threshold = (rate * SPAN as f64) as u64; // < SPAN: rate < 1
    draw(SPAN) >= SPAN - threshold
}

/// An impossible network setting, naming the setting, the value and the
/// fix.
///
/// ```
/// use std::time::Duration;
/// let err = sim_net::LinkConfig::new()
///     .latency(sim_net::Latency::uniform(Duration::from_millis(9), Duration::from_millis(1)))
///     .validate()
///     .unwrap_err();
/// assert_eq!(err.setting(), "latency");
/// assert!(err.to_string().contains("inverted"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetConfigError {
    setting: &'static str,
    value: String,
    problem: &'static str,
    fix: &'static str,
}

impl NetConfigError {
    /// The setting at fault (`"loss"`, `"duplicate"`, `"latency"`).
    ///
    /// ```
    /// let err = sim_net::LinkConfig::new().duplicate(-1.0).validate().unwrap_err();
    /// assert_eq!(err.setting(), "duplicate");
    /// ```
    pub fn setting(&self) -> &str {
        self.setting
    }
}

impl fmt::Display for NetConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid network configuration: {} = {} ({}): {}",
            self.setting, self.value, self.problem, self.fix
        )
    }
}

impl std::error::Error for NetConfigError {}

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
    fn rates_draw_only_when_uncertain_and_zero_means_no() {
        let mut draws = 0;
        let mut count = |b: u64| {
            draws += 1;
            b - 1
        };
        assert!(!happens(0.0, &mut count));
        assert!(happens(1.0, &mut count));
        assert_eq!(draws, 0);
        assert!(!happens(0.999, &mut |_| 0));
        assert!(happens(0.001, &mut |b| b - 1));
        // Half of the draws at rate 0.5.
        let hits = (0..1024u64)
            .filter(|i| happens(0.5, &mut |b| i * (b / 1024)))
            .count();
        assert_eq!(hits, 512);
    }

    #[test]
    fn validation_names_the_setting() {
        let bad = [
            (LinkConfig::new().loss(-0.1), "loss"),
            (LinkConfig::new().loss(f64::NAN), "loss"),
            (LinkConfig::new().duplicate(2.0), "duplicate"),
            (
                LinkConfig::new().latency(Latency::uniform(ms(5), ms(1))),
                "latency",
            ),
            (
                LinkConfig::new().latency(Latency::long_tail(ms(1), ms(9), ms(5))),
                "latency",
            ),
        ];
        for (config, setting) in bad {
            let err = config.validate().unwrap_err();
            assert_eq!(err.setting(), setting, "{err}");
            assert!(err.to_string().starts_with("invalid network configuration"));
        }
        assert!(
            LinkConfig::new()
                .loss(1.0)
                .duplicate(0.0)
                .validate()
                .is_ok()
        );
    }
}
