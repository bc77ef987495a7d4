//! `DETSIM_REPLAY` for `detsim::proptest`: set but empty (or blank), it
//! means "no replay", as it does for `#[sim_test]`, instead of failing
//! every case with "cannot use replay artifact : it cannot be read".
//!
//! The fixture runs only in a child process of this test binary
//! (`DETSIM_TEST_CHILD=1`) started with the variable set; in the parent it
//! returns at once.

mod common;

use detsim::Tape;
use detsim::proptest::{builder, check};

#[test]
fn fixture_a_passing_property() {
    if !common::is_child() {
        return;
    }
    let out = check("passes", builder(&Tape::new(vec![1, 2])), async {
        detsim::yield_now().await;
        7
    });
    assert_eq!(out.map_err(|e| e.to_string()), Ok(7));
}

#[test]
fn an_empty_or_blank_detsim_replay_means_no_replay() {
    for value in ["", "  "] {
        let (passed, out) = common::child_with_env(
            "fixture_a_passing_property",
            &[("DETSIM_REPLAY", value)],
            &[],
        );
        assert!(passed, "DETSIM_REPLAY={value:?}:\n{out}");
    }
}
