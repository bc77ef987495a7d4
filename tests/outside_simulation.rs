//! Calling a detsim API outside a simulation panics with a message naming
//! the API and the fix (never undefined behaviour); handles used in the
//! wrong simulation say so too.

mod common;
use common::panic_message;
use std::panic::UnwindSafe;

use detsim::Sim;

#[test]
fn each_api_names_itself_and_the_fix() {
    type Case = (&'static str, Box<dyn FnOnce() + UnwindSafe>);
    let cases: Vec<Case> = vec![
        ("detsim::spawn", Box::new(|| drop(detsim::spawn(async {})))),
        (
            "detsim::spawn_blocking",
            Box::new(|| drop(detsim::spawn_blocking(|| ()))),
        ),
        (
            "detsim::time::Instant::now",
            Box::new(|| {
                let _ = detsim::time::Instant::now();
            }),
        ),
        (
            "detsim::time::SystemTime::now",
            Box::new(|| {
                let _ = detsim::time::SystemTime::now();
            }),
        ),
        (
            "detsim::time::set_auto_advance",
            Box::new(|| detsim::time::set_auto_advance(false)),
        ),
        (
            "detsim::rand::random",
            Box::new(|| {
                let _ = detsim::rand::random::<u8>();
            }),
        ),
        (
            "detsim::rand::gen_range",
            Box::new(|| {
                let _ = detsim::rand::gen_range(0..3);
            }),
        ),
        (
            "detsim::task::current",
            Box::new(|| drop(detsim::task::current())),
        ),
        (
            "detsim::node::Node::current",
            Box::new(|| {
                let _ = detsim::node::Node::current();
            }),
        ),
        (
            "detsim::node::NodeBuilder::build",
            Box::new(|| {
                let _ = detsim::node::Node::builder("x").build();
            }),
        ),
    ];
    for (api, f) in cases {
        let msg = panic_message(f);
        assert_eq!(
            msg,
            format!(
                "{api} was called outside a detsim simulation: call it from code running inside \
                 `Sim::run` (or a `#[sim_test]`), on the simulation's thread"
            )
        );
    }
    assert_eq!(detsim::task::try_id(), None);
}

#[test]
fn time_futures_made_outside_start_counting_at_their_first_poll() {
    let sleep = detsim::time::sleep(std::time::Duration::from_secs(2));
    let mut sim = Sim::builder().build();
    sim.run(async { detsim::time::sleep(std::time::Duration::from_secs(1)).await })
        .unwrap();
    sim.run(sleep).unwrap();
    assert_eq!(sim.now().since_start().as_secs(), 3);
}

#[test]
fn a_handle_from_another_simulation_is_refused_clearly() {
    let mut first = Sim::builder().build();
    let handle = first
        .run(async { Some(detsim::spawn(std::future::pending::<()>())) })
        .unwrap()
        .unwrap();
    let mut second = Sim::builder().build();
    let failure = second.run(async move { handle.abort() }).unwrap_err();
    assert!(failure.is_panic());
    assert!(
        failure
            .message()
            .starts_with("detsim::task::JoinHandle::abort was called in a different simulation"),
        "{failure}"
    );
}

#[test]
fn interval_and_its_reset_name_themselves_outside_a_simulation() {
    let msg = panic_message(|| {
        let _ = detsim::time::interval(std::time::Duration::from_secs(1));
    });
    assert!(
        msg.starts_with("detsim::time::interval was called outside a detsim simulation"),
        "{msg}"
    );
    // Made inside a simulation, reset outside it.
    let mut sim = Sim::builder().build();
    let mut iv = sim
        .run(async { detsim::time::interval(std::time::Duration::from_secs(1)) })
        .unwrap();
    let msg = panic_message(move || iv.reset());
    assert!(
        msg.starts_with("detsim::time::Interval::reset was called outside a detsim simulation"),
        "{msg}"
    );
}
