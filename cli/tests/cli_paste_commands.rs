//! The commands that `cargo detsim` and a failing `#[sim_test]` print
//! work when pasted into a shell as they are, even from a directory with
//! a space and a quote in its name (a project under "My Projects", an
//! artifact downloaded from CI into "detsim failures (1)").

mod common;

use common::{
    assert_exit, detsim, first_artifact, line_starting, paste, scratch, stderr, stdout,
    sweep_planted,
};

/// The line after `label` in `text`, trimmed.
fn line_after<'a>(text: &'a str, label: &str) -> &'a str {
    text.lines()
        .find_map(|l| l.trim().strip_prefix(label))
        .unwrap_or_else(|| panic!("no `{label}` line in:\n{text}"))
        .trim()
}

#[test]
fn printed_replay_commands_work_pasted_from_a_path_with_spaces() {
    let dir = scratch("paste");
    let summary = sweep_planted(&dir, "0..300");
    let original = first_artifact(&summary);
    let odd = dir.join("detsim failures (1)").join("it's here");
    std::fs::create_dir_all(&odd).unwrap();
    let artifact = odd.join(original.file_name().unwrap());
    std::fs::copy(&original, &artifact).unwrap();

    // shrink prints the replay command of the shrunk artifact.
    let out = detsim(&["shrink", artifact.to_str().unwrap()]);
    assert_exit(&out, 0);
    let cli_line = line_after(&stdout(&out), "replay: ").to_owned();
    assert!(cli_line.starts_with("cargo detsim replay "), "{cli_line}");
    let pasted = paste(&cli_line);
    assert_exit(&pasted, 1);
    assert!(
        stderr(&pasted).contains("the same failure, the same fingerprint"),
        "{}",
        stderr(&pasted)
    );

    // The harness's report (shown by the replay) prints the same command
    // and a DETSIM_REPLAY one for cargo test: both bring the failure back.
    let report = stderr(&pasted);
    assert_eq!(line_starting(&report, "cargo detsim replay "), cli_line);
    let replay_env = line_starting(&report, "DETSIM_REPLAY=");
    let pasted = paste(replay_env);
    assert_eq!(pasted.status.code(), Some(101), "{}", stderr(&pasted));
    let text = format!("{}{}", stdout(&pasted), stderr(&pasted));
    assert!(
        text.contains("the same failure, the same fingerprint"),
        "{text}"
    );
}
