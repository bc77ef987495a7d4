//! `cargo detsim list`: the simulation tests, one line each, with where
//! they live and what their attribute asks for.

use std::time::Duration;

use serde_json::Value;
use sim_core::harness::format_duration;

use crate::args::Build;
use crate::discover;
use crate::error::{CliError, Outcome};
use crate::out::{say, tell};

pub(crate) fn run(build: &Build) -> Result<Outcome, CliError> {
    let binaries = discover::build(build, &[])?;
    let tests = discover::sim_tests(&binaries)?;
    if tests.is_empty() {
        tell!(
            "detsim: no #[sim_test] in the selected packages (select others with -p or \
             --workspace)"
        );
        return Ok(Outcome::Passed);
    }
    let width = tests.iter().map(|t| t.test.len()).max().unwrap_or(0);
    for t in &tests {
        let line = format!(
            "{:<width$}  {} {}  {}",
            t.test,
            t.binary.package,
            t.binary.selector(),
            attributes(&t.info).join(" ")
        );
        say!("{}", line.trim_end());
    }
    Ok(Outcome::Passed)
}

/// What a test's `#[sim_test(...)]` asks for (`info`: its line of the
/// test binary's `DETSIM_LIST` description), as `name=value` words.
fn attributes(info: &Value) -> Vec<String> {
    let mut attrs = Vec::new();
    if let Some(s) = info["seed"].as_u64() {
        attrs.push(format!("seed={s}"));
    }
    if let Some(s) = info["seeds"].as_u64() {
        attrs.push(format!("seeds={s}"));
    }
    if let Some(s) = info["scheduler"].as_str() {
        attrs.push(format!("scheduler={s}"));
    }
    if let Some(ns) = info["time_limit_ns"].as_u64() {
        // As the attribute is written (`1m`, `250us`), not `60s`, `250µs`.
        let limit = format_duration(Duration::from_nanos(ns));
        attrs.push(format!("time_limit={limit}"));
    }
    if let Some(s) = info["max_steps"].as_u64() {
        attrs.push(format!("max_steps={s}"));
    }
    if info["strict"] == true {
        attrs.push("strict".into());
    }
    if info["check_determinism"] == true {
        attrs.push("check_determinism".into());
    }
    if info["should_panic"] == true {
        attrs.push(match info["expected"].as_str() {
            Some(e) => format!("should_panic(expected = {e:?})"),
            None => "should_panic".into(),
        });
    }
    attrs
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_time_limit_is_listed_as_the_attribute_writes_it() {
        let limit = |ns: u64| attributes(&json!({ "time_limit_ns": ns })).join(" ");
        assert_eq!(limit(1_000_000_000), "time_limit=1s");
        assert_eq!(limit(60_000_000_000), "time_limit=1m");
        assert_eq!(limit(1_500_000_000), "time_limit=1500ms");
        assert_eq!(limit(250_000), "time_limit=250us");
        let info = json!({ "seeds": 100, "time_limit_ns": 3_600_000_000_000_u64, "strict": true });
        assert_eq!(attributes(&info), ["seeds=100", "time_limit=1h", "strict"]);
    }
}
