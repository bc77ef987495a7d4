//! A failure found by `cargo detsim sweep --release` is replayed and
//! shrunk in a release build: its artifact records the profile, every
//! command printed carries `--release`, and `cargo detsim replay` of the
//! artifact builds it in release without being told. The fixture's test
//! `names_its_profile` fails differently in a debug build.

mod common;

use common::{
    assert_exit, detsim, first_artifact, line_starting, paste, read_json, scratch, stderr, stdout,
    sweep,
};

#[test]
fn a_release_sweeps_failure_replays_in_release() {
    let dir = scratch("release");
    let (out, summary) = sweep(
        &dir,
        "sweep.json",
        &["names_its_profile", "--seeds", "1", "--release"],
    );
    assert_exit(&out, 1);
    let artifact = first_artifact(&summary);
    let path = artifact.to_str().unwrap();
    assert_eq!(read_json(&artifact)["profile"], "release");
    assert_eq!(
        summary["tests"][0]["failures"][0]["message"],
        "failed in a release build"
    );
    // The sweep's own replay command.
    let text = stdout(&out);
    let printed = line_starting(&text, "replay:");
    assert!(printed.ends_with(" --release"), "{printed}");

    // Replayed without --release, the artifact's profile builds it.
    let out = detsim(&["replay", path]);
    assert_exit(&out, 1);
    let report = stderr(&out);
    assert!(
        report.contains("the same failure, the same fingerprint"),
        "{report}"
    );
    // Every command of the harness's report carries --release, and
    // brings the failure back pasted as it is.
    let commands = [
        line_starting(&report, "DETSIM_SEED="),
        line_starting(&report, "cargo detsim replay "),
        line_starting(&report, "DETSIM_REPLAY="),
    ];
    for command in commands {
        assert!(command.contains(" --release"), "{command}");
        let pasted = paste(command);
        let text = format!("{}{}", stdout(&pasted), stderr(&pasted));
        assert!(
            text.contains("failed in a release build"),
            "{command}:\n{text}"
        );
        assert!(
            !text.contains("failed in a debug build"),
            "{command}:\n{text}"
        );
    }

    // The artifact replayed by a debug build of the test (the pasted
    // command without --release): it fails differently, and says which
    // profile replays it.
    let dev_command = line_starting(&report, "DETSIM_REPLAY=").replace(" --release", "");
    let pasted = paste(&dev_command);
    let text = format!("{}{}", stdout(&pasted), stderr(&pasted));
    assert!(text.contains("failed differently"), "{text}");
    assert!(
        text.contains(
            "The artifact was recorded by a release build, and this is a dev build: replay it \
             with the same profile: DETSIM_REPLAY="
        ),
        "{text}"
    );

    // shrink builds in release too, and prints a release replay.
    let out = detsim(&["shrink", path]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    let replay = line_starting(&text, "replay:");
    assert!(replay.ends_with(" --release"), "{replay}");

    // A debug build's artifact (of the same seed, so at the same path)
    // replayed with --release: the error says the profiles differ.
    let (out, debug) = sweep(&dir, "debug.json", &["names_its_profile", "--seeds", "1"]);
    assert_exit(&out, 1);
    let debug = first_artifact(&debug);
    assert_eq!(read_json(&debug)["profile"], "dev");
    let out = detsim(&["replay", debug.to_str().unwrap(), "--release"]);
    assert_exit(&out, 2);
    let err = stderr(&out);
    let error = line_starting(&err, "error:");
    assert!(
        error.contains(
            "(it was recorded by a dev build, and this replay was a release build: replay it \
             without --release)"
        ),
        "{error}"
    );
}
