//! A `Node` handle belongs to the simulation that made it. Given to the
//! network of another simulation (a handle kept across runs, in a static
//! or a proptest case), it must not silently stand for whichever node has
//! the same id there, or for no node at all: it panics, at the caller's
//! line, with the message `Node`'s own methods give.

mod common;

use std::time::Duration;

use common::panic_message;
use detsim::net::{LinkConfig, Network, node_addr};
use detsim::node::Node;

/// A network call to make with the stale handle.
type Call = Box<dyn Fn()>;

/// A handle to node 1 of a finished simulation.
fn stale_node() -> Node {
    let mut sim = detsim::Sim::builder().build();
    sim.run(async { Node::builder("cache").build() }).unwrap()
}

#[test]
fn network_methods_refuse_a_node_of_another_simulation() {
    let stale = stale_node();
    let mut sim = detsim::Sim::builder().build();
    sim.run(async move {
        // This simulation's node 1 is "db"; the stale handle must not
        // stand for it.
        let db = Node::builder("db").build();
        let me = Node::current();
        let net = Network::current();
        let d = Duration::from_millis(5);
        let calls: Vec<(&str, Call)> = vec![
            ("partition", Box::new(move || net.partition(&stale, &me))),
            (
                "partition_oneway",
                Box::new(move || net.partition_oneway(&me, &stale)),
            ),
            ("heal", Box::new(move || net.heal(&stale, &me))),
            (
                "is_partitioned",
                Box::new(move || {
                    let _ = net.is_partitioned(&stale, &me);
                }),
            ),
            ("clog_node", Box::new(move || net.clog_node(&stale, d))),
            ("unclog_node", Box::new(move || net.unclog_node(&stale))),
            ("clog_link", Box::new(move || net.clog_link(&me, &stale, d))),
            (
                "unclog_link",
                Box::new(move || net.unclog_link(&stale, &me)),
            ),
            (
                "set_link",
                Box::new(move || {
                    let _ = net.set_link(&stale, &me, LinkConfig::new().loss(0.5));
                }),
            ),
            ("reset_link", Box::new(move || net.reset_link(&stale, &me))),
            (
                "link_config",
                Box::new(move || {
                    let _ = net.link_config(&me, &stale);
                }),
            ),
            (
                "addr_of",
                Box::new(move || {
                    let _ = net.addr_of(&stale);
                }),
            ),
        ];
        for (api, call) in calls {
            let msg = panic_message(call);
            assert!(
                msg.contains(&format!("Network::{api}")) && msg.contains("different simulation"),
                "{api}: {msg}"
            );
        }
        let msg = panic_message(|| {
            let _ = node_addr(&stale);
        });
        assert!(msg.contains("different simulation"), "{msg}");
        // Nothing reached "db".
        assert!(!net.is_partitioned(&db, &me) && !net.is_partitioned(&me, &db));
        assert_eq!(net.link_config(&db, &me), LinkConfig::new());
        // This simulation's own handles still work.
        net.partition(&db, &me);
        assert!(net.is_partitioned(&me, &db));
    })
    .unwrap();
}
