//! Artifact file names: one run's artifact is never overwritten by another
//! kind of run's. The names are chosen by the harness in sim-core
//! (`harness::target::artifact_path`, `harness::shrink::shrunk_path`),
//! which cargo detsim reports.

mod common;

use std::path::Path;

use common::{assert_exit, detsim, first_artifact, line_starting, scratch, stdout, sweep};

fn file_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

#[test]
fn a_non_default_schedulers_artifact_names_the_scheduler() {
    let dir = scratch("artifact_names_scheduler");
    let (out, summary) = sweep(
        &dir,
        "pct.json",
        &[
            "fails_only_under_pct",
            "--seeds",
            "0..2",
            "--scheduler",
            "pct:1",
        ],
    );
    assert_exit(&out, 1);
    let name = file_name(&first_artifact(&summary));
    assert!(name.contains(".pct-1."), "{name}");
}

#[test]
fn shrinking_a_shrunk_artifact_writes_the_shrunk_name_again() {
    let dir = scratch("artifact_names_shrunk");
    let (out, summary) = sweep(&dir, "s.json", &["planted_bug", "--seeds", "0..300"]);
    assert_exit(&out, 1);
    let artifact = first_artifact(&summary);
    let out = detsim(&["shrink", artifact.to_str().unwrap()]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    let shrunk = line_starting(&text, "written: ")
        .trim_start_matches("written: ")
        .to_owned();
    let out = detsim(&["shrink", &shrunk]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    let again = line_starting(&text, "written: ").trim_start_matches("written: ");
    assert_eq!(again, shrunk, "{text}");
}
