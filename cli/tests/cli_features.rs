//! `--features`, `--all-features` and `--no-default-features` reach
//! cargo on every command, and the commands printed after a sweep, a
//! replay and a shrink carry them, so pasted they build the same tests.
//! The artifact records them: `replay` and `shrink` of an artifact build
//! with its flags unless given flags of their own.

mod common;

use common::{
    assert_exit, detsim, first_artifact, line_starting, paste, read_json, scratch, stderr, stdout,
    sweep,
};

/// The names `cargo detsim list <args>` shows.
fn listed(args: &[&str]) -> Vec<String> {
    let mut all = vec!["list"];
    all.extend(args);
    let out = detsim(&all);
    assert_exit(&out, 0);
    stdout(&out)
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn feature_flags_select_the_tests_cargo_builds() {
    let plain = listed(&["--test", "features"]);
    assert!(plain.is_empty(), "{plain:?}");
    assert_eq!(
        listed(&["--test", "features", "--features", "extra"]),
        ["behind_a_feature"]
    );
    assert_eq!(
        listed(&["--test", "features", "--all-features"]),
        ["behind_a_feature"]
    );
    assert_eq!(
        listed(&["--test", "features", "--no-default-features"]),
        ["without_default_features"]
    );
    assert_eq!(
        listed(&["--test", "features", "-F", "extra", "--no-default-features"]),
        ["behind_a_feature", "without_default_features"]
    );
    let out = detsim(&[
        "replay",
        "--seed",
        "4",
        "without_default_features",
        "--no-default-features",
    ]);
    assert_exit(&out, 0);
}

#[test]
fn printed_commands_carry_the_features() {
    let dir = scratch("features");
    let (out, summary) = sweep(
        &dir,
        "sweep.json",
        &["behind_a_feature", "--seeds", "2", "--features", "extra"],
    );
    assert_exit(&out, 1);
    let artifact = first_artifact(&summary);
    let replay = stdout(&out)
        .lines()
        .find_map(|l| l.trim().strip_prefix("replay:"))
        .unwrap_or_else(|| panic!("{}", stdout(&out)))
        .trim()
        .to_owned();
    assert!(replay.ends_with(" --features extra"), "{replay}");

    // Pasted, the sweep's replay command brings the failure back, and
    // the harness's report (shown by the replay) prints commands with
    // the feature too.
    let pasted = paste(&replay);
    assert_exit(&pasted, 1);
    let report = stderr(&pasted);
    assert!(
        report.contains("the same failure, the same fingerprint"),
        "{report}"
    );
    let seed_cmd = line_starting(&report, "DETSIM_SEED=");
    assert!(
        seed_cmd.contains("--test features --features extra -- behind_a_feature --exact"),
        "{seed_cmd}"
    );
    assert_eq!(line_starting(&report, "cargo detsim replay "), replay);
    // cargo test itself, pasted: the test runs (and fails), it is not
    // silently left out of the build.
    let pasted = paste(seed_cmd);
    assert_eq!(pasted.status.code(), Some(101), "{}", stderr(&pasted));
    assert!(
        stdout(&pasted).contains("test behind_a_feature ... FAILED"),
        "{}",
        stdout(&pasted)
    );

    // shrink prints the shrunk artifact's replay with the feature.
    let out = detsim(&["shrink", artifact.to_str().unwrap(), "--features", "extra"]);
    assert_exit(&out, 0);
    let shrunk = stdout(&out)
        .lines()
        .find_map(|l| l.trim().strip_prefix("replay: "))
        .unwrap_or_else(|| panic!("{}", stdout(&out)))
        .to_owned();
    assert!(
        shrunk.ends_with(".shrunk.json --features extra"),
        "{shrunk}"
    );
    assert_exit(&paste(&shrunk), 1);

    // Without the feature the test is not there: the error says so.
    let out = detsim(&["sweep", "behind_a_feature", "--seeds", "2"]);
    assert_exit(&out, 2);
}

#[test]
fn an_artifact_replays_with_the_features_it_was_written_with() {
    let dir = scratch("features_recorded");
    let (out, summary) = sweep(
        &dir,
        "sweep.json",
        &["behind_a_feature", "--seeds", "1", "--features", "extra"],
    );
    assert_exit(&out, 1);
    let artifact = first_artifact(&summary);
    let json = read_json(&artifact);
    assert_eq!(
        json["cargo_features"],
        serde_json::json!(["--features", "extra"]),
        "{json}"
    );
    let path = artifact.to_str().unwrap();

    // Without feature flags: the recorded ones.
    let out = detsim(&["replay", path]);
    assert_exit(&out, 1);
    assert!(
        stderr(&out).contains("the same failure, the same fingerprint"),
        "{}",
        stderr(&out)
    );
    let out = detsim(&["shrink", path]);
    assert_exit(&out, 0);
    let shrunk = line_starting(&stdout(&out), "replay: ").to_owned();
    assert!(
        shrunk.ends_with(".shrunk.json --features extra"),
        "{shrunk}"
    );

    // Flags on the command line win: without `extra` the test is not
    // built, and the replay says it did not run.
    let out = detsim(&["replay", path, "--no-default-features"]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("did not run the replay"),
        "{}",
        stderr(&out)
    );

    // A damaged feature list is refused, naming the field.
    let text = std::fs::read_to_string(&artifact).unwrap();
    let bad = dir.join("bad-features.json");
    let damaged = text.replacen("\"--features\",", "\"--release\",", 1);
    assert_ne!(damaged, text);
    std::fs::write(&bad, damaged).unwrap();
    let out = detsim(&["replay", bad.to_str().unwrap()]);
    assert_exit(&out, 2);
    let err = stderr(&out);
    let line = line_starting(&err, "error:");
    assert!(line.contains("cargo_features"), "{err}");
    assert!(line.contains("`--release`"), "{err}");
}

#[test]
fn plain_cargo_test_prints_and_records_the_features_it_was_built_with() {
    // No cargo detsim: the test reads its crate's features itself.
    for (flags, expected) in [
        ("--features extra", "--features extra"),
        (
            "--no-default-features -F extra",
            "--no-default-features --features extra",
        ),
        ("--all-features", "--features extra"),
    ] {
        let out = paste(&format!(
            "cargo test --test features {flags} -- behind_a_feature --exact"
        ));
        assert_eq!(out.status.code(), Some(101), "{flags}: {}", stderr(&out));
        let report = format!("{}{}", stdout(&out), stderr(&out));
        let seed_cmd = line_starting(&report, "DETSIM_SEED=");
        assert!(
            seed_cmd.contains(&format!(
                "--test features {expected} -- behind_a_feature --exact"
            )),
            "{flags}: {seed_cmd}"
        );
        let replay = line_starting(&report, "cargo detsim replay ");
        assert!(
            replay.ends_with(&format!(" {expected}")),
            "{flags}: {replay}"
        );
        let artifact = line_starting(&report, "artifact:")
            .trim_start_matches("artifact:")
            .trim();
        let recorded = read_json(std::path::Path::new(artifact))["cargo_features"].clone();
        let words: Vec<&str> = expected.split(' ').collect();
        assert_eq!(recorded, serde_json::json!(words), "{flags}");
        // Pasted, the printed command builds the test and fails the same.
        let pasted = paste(seed_cmd);
        assert_eq!(
            pasted.status.code(),
            Some(101),
            "{flags}: {}",
            stderr(&pasted)
        );
        assert!(
            stdout(&pasted).contains("test behind_a_feature ... FAILED"),
            "{flags}: {}",
            stdout(&pasted)
        );
    }
    // Built with the default features (named or not): no flags at all.
    for flags in ["", "-F on_by_default"] {
        let out = paste(&format!(
            "DETSIM_SEEDS=100 cargo test --test planted {flags} -- planted_bug --exact"
        ));
        assert_eq!(out.status.code(), Some(101), "{flags}: {}", stderr(&out));
        let report = format!("{}{}", stdout(&out), stderr(&out));
        let seed_cmd = line_starting(&report, "DETSIM_SEED=");
        assert!(
            seed_cmd.ends_with("--test planted -- planted_bug --exact"),
            "{flags}: {seed_cmd}"
        );
    }
}
