//! `cargo detsim list`: the simulation tests, one line each, with where
//! they live and what their attribute asks for.

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
        let info = &t.info;
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
            attrs.push(format!(
                "time_limit={:?}",
                std::time::Duration::from_nanos(ns)
            ));
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
        let line = format!(
            "{:<width$}  {} {}  {}",
            t.test,
            t.binary.package,
            t.binary.selector(),
            attrs.join(" ")
        );
        say!("{}", line.trim_end());
    }
    Ok(Outcome::Passed)
}
