//! Node names the simulated network can never resolve to their node (IP
//! literals, `localhost`) are refused when the node is built: the run
//! fails with a message that names the problem, the fix and the caller's
//! line, instead of every later `lookup_host` or `connect` by that name
//! quietly reaching an address or the loopback. Every other name, odd as
//! it may be, still resolves to its node.

#[macro_use]
mod common;

use detsim::net::{TcpStream, lookup_host, node_addr, node_addr_v6};
use detsim::node::Node;
use detsim::{Sim, spawn};

/// Names the network reads as something else: `localhost` (any case, one
/// trailing dot) is the loopback, an IP literal (bare or in brackets, with
/// `10.0.0.2` the address of the very node it would name) is itself, and
/// `"[fe80::1%2]:80"` is a socket address.
const REFUSED: &[&str] = &[
    "localhost",
    "LOCALHOST",
    "localhost.",
    "LocalHost.",
    "10.0.0.1",
    "10.0.0.2",
    "127.0.0.1",
    "0.0.0.0",
    "::1",
    "[::1]",
    "fd00::2",
    "[10.0.0.1]",
    "::ffff:10.0.0.1",
    "[fe80::1%2]",
];

#[test]
fn each_refused_name_fails_the_run_naming_the_problem_and_the_fix() {
    let mut messages = String::new();
    for &name in REFUSED {
        let mut sim = Sim::builder().seed(1).build();
        let failure = sim
            .run(async move {
                Node::builder(name).build();
                unreachable!("the build panics");
            })
            .unwrap_err();
        assert!(failure.is_panic(), "{name}: {failure}");
        assert_eq!(failure.task().unwrap().node_name(), "main");
        let location = failure.location().unwrap();
        assert!(
            location.starts_with("tests/node_name_bad_input.rs:"),
            "{name}: the caller's location, not detsim's: {location}"
        );
        messages.push_str(failure.message());
        messages.push('\n');
    }
    insta::assert_snapshot!(messages);
}

#[test]
fn the_failure_report_says_where_the_node_was_built() {
    let mut sim = Sim::builder().seed(1).build();
    let failure = sim
        .run(async {
            // A node that builds a node as it starts.
            Node::builder("orchestrator")
                .init(|| async {
                    Node::builder("localhost").build();
                })
                .build();
            std::future::pending::<()>().await
        })
        .unwrap_err();
    let task = failure.task().unwrap();
    assert_eq!(
        (task.name(), task.node_name()),
        (Some("init"), "orchestrator")
    );
    assert_report_snapshot!(failure.to_string());
}

#[test]
fn a_refused_name_leaves_no_node_behind() {
    common::run(async {
        // The panic comes out of a joined task's handle: the run goes on.
        let err = spawn(async { Node::builder("10.0.0.2").build() })
            .await
            .unwrap_err();
        assert!(err.is_panic());
        assert!(
            err.panic_message()
                .unwrap()
                .starts_with("detsim: a node cannot be named '10.0.0.2': "),
            "{err}"
        );
        assert_eq!(Node::lookup("10.0.0.2"), None);
        // No id was taken: the next node gets the address after main's.
        let db = Node::builder("db").build();
        assert_eq!(node_addr(&db).to_string(), "10.0.0.2");
    });
}

/// Odd names that the network does resolve to their node: each is
/// accepted, and `lookup_host` (as `(name, port)` and as `"name:port"`)
/// and `connect` reach it.
#[test]
fn odd_names_the_network_resolves_are_accepted_and_reach_their_node() {
    let names = [
        "x.",          // a trailing dot: found by it while no node is "x"
        "Db",          // case is kept; exact names win
        "a-b_c.d",     //
        "db:80",       // "db:80:7" splits at the last colon
        "",            // ":7" and ("", 7)
        " spaced ",    // no trimming
        "localhost..", // one trailing dot is dropped: "localhost." is no loopback
        "localhost-2", //
        "1.2.3.4.",    // not an IP literal with its dot
        "010.0.0.1",   // std does not read leading zeros as an address
        "10.0.0.1:80", // its "host:port" form splits at the last colon
        "[db]",        // brackets around a non-address are kept
        "fe80::1%2",   // a scope id without brackets is no address
        "[fe80::1%x]", // nor a scope id that is not a number
    ];
    common::run(async move {
        for name in names {
            common::tcp_echo_node(name, "0.0.0.0:7");
        }
        detsim::yield_now().await;
        for name in names {
            let node = Node::lookup(name).unwrap();
            let want = [
                format!("{}:7", node_addr(&node)),
                format!("[{}]:7", node_addr_v6(&node)),
            ];
            let by_pair: Vec<_> = lookup_host((name, 7))
                .await
                .unwrap()
                .map(|a| a.to_string())
                .collect();
            assert_eq!(by_pair, want, "({name:?}, 7)");
            let by_str: Vec<_> = lookup_host(format!("{name}:7"))
                .await
                .unwrap()
                .map(|a| a.to_string())
                .collect();
            assert_eq!(by_str, want, "{name:?}:7");
            let stream = TcpStream::connect((name, 7)).await.unwrap();
            assert_eq!(stream.peer_addr().unwrap().to_string(), want[0], "{name:?}");
        }
    });
}
