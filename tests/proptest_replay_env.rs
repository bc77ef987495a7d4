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

/// The property of the replay tests: a tape and another input, `inputs`
/// (as a fault plan would be), both of which shape the run. Prints each
/// case's failure message.
fn two_inputs(inputs: &[u32]) {
    for &input in inputs {
        let out = check("two_inputs", builder(&Tape::new(vec![2, 1])), async move {
            for _ in 0..input {
                detsim::yield_now().await;
            }
            panic!("failed with input {input}");
        });
        let err = out.expect_err("the property fails").to_string();
        println!("case {input}: {err}");
    }
}

#[test]
fn fixture_two_inputs() {
    if !common::is_child() {
        return;
    }
    let inputs: Vec<u32> = std::env::var("TWO_INPUTS")
        .unwrap()
        .split(',')
        .map(|n| n.parse().unwrap())
        .collect();
    two_inputs(&inputs);
}

/// With `DETSIM_REPLAY`, a case whose other inputs are the recorded
/// case's is the recorded failure, and says so; one whose other inputs
/// differ fails differently, and says that (both failures, why, and how
/// to replay exactly) instead of passing itself off as the replay.
#[test]
fn a_replayed_case_says_whether_it_is_the_recorded_failure() {
    let run = |inputs: &str, replay: Option<&str>| {
        let mut env = vec![("TWO_INPUTS", inputs)];
        env.extend(replay.map(|p| ("DETSIM_REPLAY", p)));
        let (passed, out) = common::child_with_env("fixture_two_inputs", &env, &[]);
        assert!(passed, "{out}");
        out
    };
    let recorded = run("3", None);
    let path = recorded
        .lines()
        .find_map(|l| l.trim().strip_prefix("artifact: "))
        .unwrap_or_else(|| panic!("no artifact line:\n{recorded}"))
        .to_owned();
    let artifact = detsim::harness::Artifact::read(&path).unwrap();
    assert_eq!(
        artifact.package(),
        "proptest",
        "check the function knows no package"
    );

    let same = run("3", Some(&path));
    assert!(
        same.contains(&format!(
            "detsim: replayed {path} exactly (the recorded fingerprint)"
        )),
        "{same}"
    );
    assert!(same.contains("failed with input 3"), "{same}");
    assert!(
        !same.contains("not written") && !same.contains("(replayed"),
        "{same}"
    );

    let other = run("5", Some(&path));
    assert!(
        other.contains("this case failed, but not as recorded"),
        "{other}"
    );
    assert!(other.contains("failed with input 5"), "{other}");
    assert!(
        other.contains("recorded: panic \"failed with input 3\""),
        "{other}"
    );
    assert!(
        other.contains("no case of this run has reproduced it so far"),
        "{other}"
    );
    assert!(
        other.contains(&format!("Artifact::read(\"{path}\")?.builder()")),
        "{other}"
    );

    let both = run("3,5", Some(&path));
    assert!(
        both.contains("an earlier case of this run did reproduce it exactly"),
        "{both}"
    );
    // A replay does not rewrite the artifact.
    assert_eq!(
        detsim::harness::Artifact::read(&path).unwrap().message(),
        "failed with input 3"
    );
}
