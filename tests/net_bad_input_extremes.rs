//! Extreme arguments to the simulated network's public API (durations
//! past the end of virtual time, the largest counts, addresses that make
//! no sense): each gives an `io::Error`, a configuration error or a
//! `FaultError` naming the problem and the fix, never a panic from
//! detsim's code, an overflow or a hang.

mod common;

use std::time::Duration;

use common::run;
use detsim::net::{Fault, FaultPlan, Network};
use detsim::node::Node;

#[test]
fn a_fault_plan_time_past_the_end_of_virtual_time_is_refused_before_any_fault_applies() {
    run(async {
        let a = Node::builder("a").build();
        let b = Node::builder("b").build();
        let plan = FaultPlan::new()
            .at(
                Duration::ZERO,
                Fault::Partition {
                    a: "a".into(),
                    b: "b".into(),
                },
            )
            .at(Duration::MAX, Fault::HealAll);
        let err = plan.run().await.unwrap_err();
        insta::assert_snapshot!(err.to_string());
        // Nothing applied: the plan is refused as a whole.
        assert!(!Network::current().is_partitioned(&a, &b));
        // The same from a spawned plan, after time has passed.
        detsim::time::sleep(Duration::from_secs(5)).await;
        let err = FaultPlan::new()
            .at(Duration::MAX - Duration::from_secs(1), Fault::HealAll)
            .spawn()
            .await
            .unwrap()
            .unwrap_err();
        assert!(err.to_string().contains("past the end"), "{err}");
    });
}

#[test]
fn a_keepalive_time_or_interval_under_a_second_is_refused() {
    run(async {
        let net = Network::current();
        // A nanosecond keepalive on a zero-latency link probed a billion
        // times per virtual second: the run never ended.
        let tiny = Duration::from_nanos(1);
        let err = net.set_tcp_keepalive(tiny, tiny, 127).unwrap_err();
        assert_eq!(err.setting(), "keepalive");
        insta::assert_snapshot!(err.to_string());
        for (time, interval) in [
            (Duration::from_millis(999), Duration::from_secs(1)),
            (Duration::from_secs(1), Duration::from_millis(999)),
        ] {
            let err = net.set_tcp_keepalive(time, interval, 3).unwrap_err();
            assert!(err.to_string().contains("at least 1 s"), "{err}");
        }
        assert_eq!(net.tcp_keepalive().0, detsim::net::DEFAULT_KEEPALIVE_TIME);
        // Linux's minimum is fine, and so is the longest duration.
        let s = Duration::from_secs(1);
        net.set_tcp_keepalive(s, s, 1).unwrap();
        net.set_tcp_keepalive(Duration::MAX, Duration::MAX, 127)
            .unwrap();
    });
}

#[test]
fn a_node_whose_name_ends_in_a_dot_is_found_by_that_name() {
    run(async {
        // The trailing dot of a fully qualified name is dropped first
        // ("db." is "db"); a node named "x." was then unknown, in an error
        // that listed "x." among the hosts.
        Node::builder("x.").build();
        let addrs: Vec<_> = detsim::net::lookup_host("x.:1").await.unwrap().collect();
        assert_eq!(addrs[0].to_string(), "10.0.0.2:1");
        // A node "x" still wins over "x." for "x.", as before.
        Node::builder("x").build();
        let addrs: Vec<_> = detsim::net::lookup_host("x.:1").await.unwrap().collect();
        assert_eq!(addrs[0].to_string(), "10.0.0.3:1");
    });
}
