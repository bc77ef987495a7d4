//! A `JoinSet` belongs to the simulation that spawned its tasks: using it in
//! another one panics with a clear message, as other handles do.

use detsim::Sim;
use detsim::task::JoinSet;

/// A set whose tasks belong to a simulation still alive (returned with it).
fn set_from_another_simulation() -> (Sim, JoinSet<u32>) {
    let mut first = Sim::builder().build();
    let set = first
        .run(async {
            let mut set = JoinSet::new();
            set.spawn(async { 1 });
            set.spawn(std::future::pending());
            set
        })
        .unwrap();
    (first, set)
}

/// Asserts that `failure` is the panic of `api` refusing a handle of
/// another simulation.
fn refused(failure: &detsim::Failure, api: &str) {
    assert!(failure.is_panic(), "{failure}");
    let expected = format!("{api} was called in a different simulation");
    assert!(failure.message().starts_with(&expected), "{failure}");
}

/// Asserts that `failure`'s panic is located in this test file (at the
/// caller, not in detsim's code).
fn at_the_caller(failure: &detsim::Failure) {
    assert_eq!(
        failure
            .location()
            .map(|l| l.starts_with("tests/task_join_set_other_sim.rs")),
        Some(true),
        "{failure}"
    );
}

#[test]
fn join_next_in_another_simulation_is_refused_clearly() {
    let (_first, set) = set_from_another_simulation();
    let mut second = Sim::builder()
        .time_limit(std::time::Duration::from_secs(1))
        .build();
    let failure = second
        .run(async move {
            let mut set = set;
            set.join_next().await
        })
        .unwrap_err();
    refused(&failure, "detsim::task::JoinSet::join_next");
}

#[test]
fn spawning_into_a_set_of_another_simulation_is_refused_clearly() {
    let (_first, set) = set_from_another_simulation();
    let mut second = Sim::builder().build();
    let failure = second
        .run(async move {
            let mut set = set;
            set.spawn(async { 2 });
        })
        .unwrap_err();
    refused(&failure, "detsim::task::JoinSet::spawn");
    at_the_caller(&failure);
}

#[test]
fn abort_all_in_another_simulation_points_at_the_caller() {
    let (_first, set) = set_from_another_simulation();
    let mut second = Sim::builder().build();
    let failure = second
        .run(async move {
            let mut set = set;
            set.abort_all();
        })
        .unwrap_err();
    assert!(failure.is_panic(), "{failure}");
    at_the_caller(&failure);
}

#[test]
fn an_empty_set_moves_freely_between_simulations() {
    let mut first = Sim::builder().build();
    let set: JoinSet<u32> = first.run(async { JoinSet::new() }).unwrap();
    let mut second = Sim::builder().build();
    let out = second
        .run(async move {
            let mut set = set;
            assert!(set.join_next().await.is_none());
            set.spawn(async { 3 });
            set.join_next().await.unwrap().unwrap()
        })
        .unwrap();
    assert_eq!(out, 3);
}
