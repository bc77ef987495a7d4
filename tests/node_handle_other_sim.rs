//! A node handle used in another simulation panics at the caller's line
//! with the message every detsim handle gives.

use detsim::Sim;
use detsim::node::Node;

fn node_of_another_simulation() -> Node {
    let mut first = Sim::builder().build();
    first.run(async { Node::builder("n").build() }).unwrap()
}

fn assert_refused_here(failure: &detsim::Failure) {
    assert!(failure.is_panic(), "{failure}");
    assert!(
        failure
            .message()
            .starts_with("a detsim Node handle was used in a different simulation"),
        "{failure}"
    );
    assert!(
        failure
            .message()
            .contains("use them inside the `Sim::run` that made them")
    );
    assert_eq!(
        failure
            .location()
            .map(|l| l.starts_with("tests/node_handle_other_sim.rs")),
        Some(true),
        "{failure}"
    );
}

#[test]
fn spawning_on_a_node_of_another_simulation_points_at_the_caller() {
    let node = node_of_another_simulation();
    let mut second = Sim::builder().build();
    let failure = second
        .run(async move { drop(node.spawn(async {})) })
        .unwrap_err();
    assert_refused_here(&failure);
}

#[test]
fn a_task_builder_with_a_node_of_another_simulation_points_at_the_caller() {
    let node = node_of_another_simulation();
    let mut second = Sim::builder().build();
    let failure = second
        .run(async move {
            drop(detsim::task::Builder::new().node(&node).spawn(async {}));
        })
        .unwrap_err();
    assert_refused_here(&failure);
    let node = node_of_another_simulation();
    let mut third = Sim::builder().build();
    let failure = third
        .run(async move {
            let mut set = detsim::task::JoinSet::new();
            set.spawn_on(async {}, &node);
        })
        .unwrap_err();
    assert_refused_here(&failure);
}
