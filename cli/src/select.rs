//! Choosing simulation tests by name, with an error that says why nothing
//! matched: no such test, a test that is not a `#[sim_test]`, or no
//! simulation tests at all in the selected packages.

use crate::discover::{self, Binary, SimTest};
use crate::error::CliError;

/// The tests named exactly `filter`, else those whose name contains it.
pub(crate) fn select(
    tests: &[SimTest],
    filter: &str,
    binaries: &[Binary],
) -> Result<Vec<SimTest>, CliError> {
    let exact: Vec<SimTest> = tests.iter().filter(|t| t.test == filter).cloned().collect();
    if !exact.is_empty() {
        return Ok(exact);
    }
    let matching: Vec<SimTest> = tests
        .iter()
        .filter(|t| t.test.contains(filter))
        .cloned()
        .collect();
    if !matching.is_empty() {
        return Ok(matching);
    }
    let plain = discover::all_tests(binaries)?;
    if let Some(name) = plain
        .iter()
        .find(|n| *n == filter)
        .or_else(|| plain.iter().find(|n| n.contains(filter)))
    {
        return Err(CliError::new(format!(
            "`{name}` is a #[test], not a #[sim_test]: cargo detsim runs simulation tests only \
             (cargo detsim list shows them; run this one with cargo test)"
        )));
    }
    if tests.is_empty() {
        return Err(CliError::new(format!(
            "no test matches `{filter}`, and the selected packages have no #[sim_test] at all: \
             select the package with -p <package> or --workspace"
        )));
    }
    Err(CliError::new(format!(
        "no simulation test matches `{filter}`: cargo detsim list shows the {} there {} (for \
         example `{}`)",
        tests.len(),
        if tests.len() == 1 { "is" } else { "are" },
        tests[0].test
    )))
}
