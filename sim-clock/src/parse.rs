//! Human-written durations (`"90s"`, `"250ms"`, `"1.5h"`), as taken by
//! `#[sim_test(time_limit = "...")]` and `DETSIM_TIME_LIMIT`.

use std::fmt;
use std::time::Duration;

/// The accepted forms, for error messages.
///
/// ```
/// assert!(sim_clock::DURATION_FORMS.contains("250ms"));
/// ```
pub const DURATION_FORMS: &str =
    "a number and a unit: ns, us, ms, s, m or h (\"90s\", \"250ms\", \"1.5h\")";

/// Why a duration string was refused.
///
/// ```
/// let err = sim_clock::parse_duration("ten seconds").unwrap_err();
/// assert!(err.to_string().contains("90s"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DurationError {
    problem: String,
}

impl fmt::Display for DurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}; write {DURATION_FORMS}", self.problem)
    }
}

impl std::error::Error for DurationError {}

fn refuse(problem: impl Into<String>) -> DurationError {
    DurationError {
        problem: problem.into(),
    }
}

/// Parses `<number><unit>`: a decimal number (`1`, `1.5`, `1_000`) followed
/// by `ns`, `us`, `ms`, `s`, `m` or `h`, with optional spaces between.
/// Fractions are exact to the nanosecond; anything finer is refused, as is
/// a duration past `u64::MAX` nanoseconds (about 584 years).
///
/// ```
/// use std::time::Duration;
/// assert_eq!(sim_clock::parse_duration("90s"), Ok(Duration::from_secs(90)));
/// assert_eq!(sim_clock::parse_duration("1.5ms"), Ok(Duration::from_micros(1500)));
/// assert_eq!(sim_clock::parse_duration("2 m"), Ok(Duration::from_secs(120)));
/// assert!(sim_clock::parse_duration("5").is_err());
/// ```
pub fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    let s = text.trim();
    if s.is_empty() {
        return Err(refuse("the duration is empty"));
    }
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))
        .ok_or_else(|| refuse(format!("`{s}` has no unit")))?;
    let (number, unit) = (s[..split].trim(), s[split..].trim());
    let scale: u128 = match unit {
        "ns" => 1,
        "us" | "µs" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" => 60_000_000_000,
        "h" => 3_600_000_000_000,
        _ => return Err(refuse(format!("`{unit}` in `{s}` is not a unit"))),
    };
    let digits: String = number.chars().filter(|&c| c != '_').collect();
    let (whole, frac) = digits.split_once('.').unwrap_or((&digits, ""));
    let bad_number = || refuse(format!("`{number}` in `{s}` is not a number"));
    if whole.is_empty() && frac.is_empty() || frac.contains('.') {
        return Err(bad_number());
    }
    let parse = |d: &str| -> Result<u128, DurationError> {
        if d.is_empty() {
            Ok(0)
        } else if d.len() > 30 {
            Err(refuse(format!("`{s}` is too long")))
        } else {
            d.parse::<u128>().map_err(|_| bad_number())
        }
    };
    let whole_ns = parse(whole)?.checked_mul(scale);
    let frac_den = 10u128.checked_pow(frac.len() as u32);
    let frac_ns = match frac_den {
        Some(den) => {
            let num = parse(frac)? * scale;
            if num % den != 0 {
                return Err(refuse(format!("`{s}` is finer than a nanosecond")));
            }
            num / den
        }
        None => return Err(refuse(format!("`{s}` has too many decimals"))),
    };
    let total = whole_ns
        .and_then(|w| w.checked_add(frac_ns))
        .filter(|&t| t <= u128::from(u64::MAX))
        .ok_or_else(|| refuse(format!("`{s}` is longer than 584 years")))?;
    Ok(Duration::from_nanos(total as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_every_unit_and_fractions() {
        let ok = |s: &str| parse_duration(s).unwrap();
        assert_eq!(ok("7ns"), Duration::from_nanos(7));
        assert_eq!(ok("7us"), Duration::from_micros(7));
        assert_eq!(ok("7ms"), Duration::from_millis(7));
        assert_eq!(ok("7s"), Duration::from_secs(7));
        assert_eq!(ok("7m"), Duration::from_secs(420));
        assert_eq!(ok("7h"), Duration::from_secs(25_200));
        assert_eq!(ok("0.5s"), Duration::from_millis(500));
        assert_eq!(ok(".25s"), Duration::from_millis(250));
        assert_eq!(ok("1_000ms"), Duration::from_secs(1));
        assert_eq!(ok(" 3 s "), Duration::from_secs(3));
        assert_eq!(ok("0s"), Duration::ZERO);
    }

    #[test]
    fn refuses_with_the_reason() {
        let err = |s: &str| parse_duration(s).unwrap_err().to_string();
        assert!(err("").starts_with("the duration is empty"));
        assert!(err("90").contains("has no unit"));
        assert!(err("90 sec").contains("`sec` in `90 sec` is not a unit"));
        assert!(err("1.2.3s").contains("is not a number"));
        assert!(err(".s").contains("is not a number"));
        assert!(err("0.5ns").contains("finer than a nanosecond"));
        assert!(err("6000000h").contains("584 years"));
        assert!(err("-1s").contains("is not a unit"));
    }
}
