//! A proptest strategy for [`FaultPlan`]s.

use std::time::Duration;

use proptest::prelude::*;

use crate::{Fault, FaultPlan};

/// Fault plans of up to `max_faults` faults at whole milliseconds in
/// `0..horizon`, among `nodes` (by name; at least two, so that a
/// partition has two sides). Kills and restarts
/// pick among `nodes` too: leave `main` out. Clogs last 1 ms to a quarter
/// of the horizon; disk errors fail 0% to 50% of a node's disk operations.
///
/// Shrinking drops faults, moves them earlier, shortens clogs and turns
/// them into simpler kinds (in the order partition, heal, heal all, clog,
/// kill, restart, disk errors) among the first nodes: a failing plan shrinks toward the
/// fewest, earliest, plainest faults that still break the system.
///
/// # Panics
///
/// If `nodes` has fewer than two names or `horizon` is under a millisecond (no fault
/// could be placed): a strategy is built once, by the test's author.
///
/// ```
/// use std::time::Duration;
/// use proptest::strategy::{Strategy, ValueTree};
/// use proptest::test_runner::TestRunner;
/// let s = detsim::proptest::fault_plans(&["a", "b", "c"], Duration::from_secs(1), 4);
/// let plan = s.new_tree(&mut TestRunner::deterministic()).unwrap().current();
/// assert!(plan.faults().len() <= 4);
/// assert!(plan.faults().iter().all(|t| t.at < Duration::from_secs(1)));
/// ```
pub fn fault_plans(
    nodes: &[&str],
    horizon: Duration,
    max_faults: usize,
) -> impl Strategy<Value = FaultPlan> + use<> {
    assert!(
        nodes.len() >= 2,
        "detsim: fault_plans needs at least two node names (a partition has two sides), \
         got {nodes:?}"
    );
    let ms = u64::try_from(horizon.as_millis()).unwrap_or(u64::MAX);
    assert!(
        ms > 0,
        "detsim: fault_plans needs a horizon of at least 1 ms, got {horizon:?}"
    );
    let names: Vec<String> = nodes.iter().map(|n| (*n).to_owned()).collect();
    let n = names.len();
    let clog_max = (ms / 4).max(1);
    let fault =
        (0..ms, 0..7u8, 0..n, 0..n, 1..=clog_max).prop_map(move |(at, kind, i, j, clog)| {
            let name = |k: usize| names[k].clone();
            // The partner of a partition or heal: another node.
            let other = if j == i { (j + 1) % n } else { j };
            let fault = match kind {
                0 => Fault::Partition {
                    a: name(i),
                    b: name(other),
                },
                1 => Fault::Heal {
                    a: name(i),
                    b: name(other),
                },
                2 => Fault::HealAll,
                3 => Fault::Clog {
                    node: name(i),
                    duration: Duration::from_millis(clog),
                },
                4 => Fault::Kill { node: name(i) },
                5 => Fault::Restart { node: name(i) },
                // 0% to 50% (the clog draw reused: its range is the horizon's).
                _ => Fault::DiskErrors {
                    node: name(i),
                    percent: (clog % 51) as u8,
                },
            };
            (Duration::from_millis(at), fault)
        });
    proptest::collection::vec(fault, 0..=max_faults).prop_map(|faults| {
        faults
            .into_iter()
            .fold(FaultPlan::new(), |plan, (at, f)| plan.at(at, f))
    })
}
