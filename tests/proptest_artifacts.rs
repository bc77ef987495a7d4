//! `detsim::proptest` artifacts: each test target keeps its own, so two
//! targets with a property of the same name (a `roundtrip` in two test
//! files) do not overwrite each other's artifact, and a replay command
//! replays the run its own property failed with.

use std::path::PathBuf;

use detsim::Tape;
use detsim::harness::Artifact;
use detsim::proptest::{builder, check};

/// The artifact path a failure message names.
fn artifact_of(message: &str) -> PathBuf {
    let line = message
        .lines()
        .find_map(|l| l.trim().strip_prefix("artifact: "))
        .unwrap_or_else(|| panic!("no artifact line in:\n{message}"));
    PathBuf::from(line)
}

#[test]
fn a_failing_property_artifact_is_named_after_its_test_target() {
    let err = check("roundtrip", builder(&Tape::default()), async {
        panic!("broken roundtrip")
    })
    .unwrap_err();
    let path = artifact_of(&err.to_string());
    let file = path.file_name().unwrap().to_str().unwrap();
    assert_eq!(file, "proptest-proptest_artifacts-roundtrip.json", "{err}");
    let artifact = Artifact::read(&path).unwrap();
    assert_eq!(artifact.test(), "roundtrip");
}

#[test]
fn a_property_name_is_kept_readable_in_its_artifact_file_name() {
    let err = check!("kv/put then get", builder(&Tape::default()), async {
        panic!("lost")
    })
    .unwrap_err();
    let path = artifact_of(&err.to_string());
    let file = path.file_name().unwrap().to_str().unwrap();
    assert_eq!(
        file, "proptest-proptest_artifacts-kv-put-then-get.json",
        "{err}"
    );
}
