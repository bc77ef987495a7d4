//! `time_limit = "90s"`: read at compile time with the parser that also
//! reads `DETSIM_TIME_LIMIT` ([`sim_clock::parse_duration`]), so the
//! attribute and the environment accept the same forms.

/// Parses a `time_limit` into whole nanoseconds, refusing zero.
pub(crate) fn parse_nanos(text: &str) -> Result<u64, String> {
    let d = sim_clock::parse_duration(text).map_err(|e| e.to_string())?;
    if d.is_zero() {
        return Err("the time limit must be greater than zero".into());
    }
    // parse_duration refuses anything past u64::MAX nanoseconds.
    Ok(d.as_nanos() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_the_environment_reads() {
        assert_eq!(parse_nanos("90s"), Ok(90_000_000_000));
        assert_eq!(parse_nanos("1.5ms"), Ok(1_500_000));
        assert_eq!(parse_nanos(" 2 m "), Ok(120_000_000_000));
        assert!(parse_nanos("0s").unwrap_err().contains("greater than zero"));
        assert!(parse_nanos("90").unwrap_err().contains("no unit"));
        assert!(
            parse_nanos("18446744074s")
                .unwrap_err()
                .contains("584 years")
        );
    }
}
