//! Link configuration: latency (sim-core's `Latency`), loss and duplication rates,
//! and their validation. Pure logic: sampling takes a `draw` function (the
//! choice source in a simulation), and a draw of 0 always gives the
//! simplest outcome (the minimum latency, delivered, not duplicated).

use std::fmt;
use std::time::Duration;

/// Moved to sim-core (the disk shares it); `detsim::net::Latency` stays.
pub use sim_core::latency::Latency;

/// The behaviour of a link (or of every link, as the default): latency,
/// loss rate and duplication rate.
///
/// The default is a quiet network: a constant 1 ms, nothing lost, nothing
/// duplicated (so a run with the defaults makes no network draws).
///
/// ```
/// use std::time::Duration;
/// use detsim::net::{LinkConfig, Latency};
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
    /// assert_eq!(detsim::net::LinkConfig::new(), detsim::net::LinkConfig::default());
    /// ```
    pub fn new() -> LinkConfig {
        LinkConfig::default()
    }

    /// The latency distribution.
    ///
    /// ```
    /// let c = detsim::net::LinkConfig::new().latency(detsim::net::Latency::constant(Default::default()));
    /// assert_eq!(c.latency_dist().max(), std::time::Duration::ZERO);
    /// ```
    pub fn latency(mut self, latency: Latency) -> LinkConfig {
        self.latency = latency;
        self
    }

    /// The probability that a datagram is lost, in `[0, 1]`.
    ///
    /// ```
    /// assert_eq!(detsim::net::LinkConfig::new().loss(0.5).loss_rate(), 0.5);
    /// ```
    pub fn loss(mut self, rate: f64) -> LinkConfig {
        self.loss = rate;
        self
    }

    /// The probability that a delivered datagram arrives twice, in `[0, 1]`.
    ///
    /// ```
    /// assert_eq!(detsim::net::LinkConfig::new().duplicate(0.2).duplicate_rate(), 0.2);
    /// ```
    pub fn duplicate(mut self, rate: f64) -> LinkConfig {
        self.duplicate = rate;
        self
    }

    /// The latency distribution set.
    ///
    /// ```
    /// assert_eq!(detsim::net::LinkConfig::new().latency_dist().min().as_millis(), 1);
    /// ```
    pub fn latency_dist(&self) -> Latency {
        self.latency
    }

    /// The loss rate set.
    ///
    /// ```
    /// assert_eq!(detsim::net::LinkConfig::new().loss_rate(), 0.0);
    /// ```
    pub fn loss_rate(&self) -> f64 {
        self.loss
    }

    /// The duplication rate set.
    ///
    /// ```
    /// assert_eq!(detsim::net::LinkConfig::new().duplicate_rate(), 0.0);
    /// ```
    pub fn duplicate_rate(&self) -> f64 {
        self.duplicate
    }

    /// Checks the settings: rates within `[0, 1]`, latency ranges in order.
    ///
    /// ```
    /// let err = detsim::net::LinkConfig::new().loss(1.5).validate().unwrap_err();
    /// assert_eq!(err.setting(), "loss");
    /// assert!(detsim::net::LinkConfig::new().validate().is_ok());
    /// ```
    pub fn validate(&self) -> Result<(), NetConfigError> {
        rate("loss", self.loss)?;
        rate("duplicate", self.duplicate)?;
        if self.latency.is_valid() {
            Ok(())
        } else {
            Err(NetConfigError {
                setting: "latency",
                value: format!("{:?}", self.latency),
                problem: "the range is inverted",
                fix: "give min <= max (and min <= median <= max for long_tail)",
            })
        }
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

pub(crate) use sim_core::ext::happens;

/// An impossible network setting, naming the setting, the value and the
/// fix.
///
/// ```
/// use std::time::Duration;
/// let err = detsim::net::LinkConfig::new()
///     .latency(detsim::net::Latency::uniform(Duration::from_millis(9), Duration::from_millis(1)))
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
    /// The error of `setting` at `value`: its `problem` and the `fix`.
    pub(crate) fn new(
        setting: &'static str,
        value: String,
        problem: &'static str,
        fix: &'static str,
    ) -> NetConfigError {
        NetConfigError {
            setting,
            value,
            problem,
            fix,
        }
    }

    /// The setting at fault (`"loss"`, `"duplicate"`, `"latency"`).
    ///
    /// ```
    /// let err = detsim::net::LinkConfig::new().duplicate(-1.0).validate().unwrap_err();
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
