//! Every mistake is one `error:` line naming the fix, exit status 2, no
//! panic or backtrace; and `--shard` splits a sweep exactly.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{
    assert_exit, detsim, detsim_at, detsim_env, first_artifact, fixture_target, read_json, scratch,
    stderr, sweep, sweep_planted,
};
use serde_json::Value;

/// The one error line of a failed command (and checks there is one).
fn error_line(args: &[&str], dir: &Path) -> String {
    error_line_env(args, &[], dir)
}

/// [`error_line`] with extra environment for the fixture's tests.
fn error_line_env(args: &[&str], env: &[(&str, &str)], dir: &Path) -> String {
    one_error_line(&detsim_env(args, env), dir)
}

/// The one `error:` line of `out` (checking the exit status is 2, that
/// there is one such line and no panic), with `dir` shown as `[DIR]`.
fn one_error_line(out: &std::process::Output, dir: &Path) -> String {
    assert_exit(out, 2);
    let err = stderr(out);
    assert!(
        !err.contains("thread 'main' panicked") && !err.contains("stack backtrace"),
        "{err}"
    );
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{err}");
    errors[0].replace(&dir.display().to_string(), "[DIR]")
}

#[test]
fn each_mistake_is_one_line_with_the_fix() {
    let dir = scratch("errors");
    let corrupt = dir.join("corrupt.json");
    std::fs::write(&corrupt, "{\"format\": \"detsim-failure\", \"vers").unwrap();
    let not_json = dir.join("not-json.json");
    std::fs::write(&not_json, "hello").unwrap();

    // An artifact whose recorded fingerprint the code no longer produces
    // (as after a code change).
    let summary = sweep_planted(&dir, "0..300");
    let planted = first_artifact(&summary);
    let mut art: Value = read_json(&planted);
    art["failure"]["fingerprint"] = Value::from("0x0000000000000001");
    let changed = dir.join("changed.json");
    std::fs::write(&changed, art.to_string()).unwrap();

    let cases: Vec<(&str, Vec<&str>)> = vec![
        (
            "unknown test",
            vec!["replay", "--seed", "3", "no_such_test"],
        ),
        (
            "filter matching nothing",
            vec!["sweep", "zzz", "--seeds", "10"],
        ),
        (
            "not a sim test",
            vec!["sweep", "plain_test", "--seeds", "10"],
        ),
        (
            "corrupt artifact",
            vec!["replay", corrupt.to_str().unwrap()],
        ),
        (
            "not an artifact",
            vec!["shrink", not_json.to_str().unwrap()],
        ),
        (
            "fingerprint mismatch",
            vec!["replay", changed.to_str().unwrap()],
        ),
        (
            "empty range",
            vec!["sweep", "planted_bug", "--seeds", "10..5"],
        ),
        (
            "shard past the count",
            vec!["sweep", "planted_bug", "--seeds", "10", "--shard", "3/2"],
        ),
        (
            "bad flag",
            vec!["sweep", "planted_bug", "--seeds", "10", "--frob"],
        ),
        ("no seeds", vec!["sweep", "planted_bug"]),
        (
            "bad scheduler",
            vec![
                "sweep",
                "planted_bug",
                "--seeds",
                "10",
                "--scheduler",
                "lifo",
            ],
        ),
        ("unknown command", vec!["sweeep"]),
        ("trace is replay's flag", vec!["trace", "a.json"]),
        (
            "seed too large",
            vec!["replay", "--seed", "18446744073709551616", "planted_bug"],
        ),
        (
            "hex seed without 0x",
            vec!["replay", "--seed", "ff", "planted_bug"],
        ),
        (
            "negative seed",
            vec!["replay", "--seed", "-1", "planted_bug"],
        ),
        ("empty seed", vec!["replay", "--seed=", "planted_bug"]),
        (
            "seed range past 64 bits",
            vec!["sweep", "planted_bug", "--seeds", "0..99999999999999999999"],
        ),
        (
            "a name two targets share",
            vec!["replay", "--seed", "3", "always_passes"],
        ),
        (
            "a filter matching several names",
            vec!["replay", "--seed", "3", "a"],
        ),
        (
            "a value on --log",
            vec!["replay", "--seed", "3", "planted_bug", "--log=x"],
        ),
        (
            "a value on --keep-going",
            vec!["sweep", "planted_bug", "--seeds", "10", "--keep-going=no"],
        ),
        (
            "a value on --workspace",
            vec!["sweep", "planted_bug", "--seeds", "10", "--workspace=true"],
        ),
        (
            "a value on --release",
            vec!["shrink", "x.json", "--release="],
        ),
        (
            "an empty inclusive range",
            vec!["sweep", "planted_bug", "--seeds", "10..=9"],
        ),
        (
            "an exclusive range that cannot reach the largest seed",
            vec![
                "sweep",
                "planted_bug",
                "--seeds",
                "0xffffffffffffffff..0xffffffffffffffff",
            ],
        ),
        (
            "a count in scientific notation",
            vec!["sweep", "planted_bug", "--seeds", "1e3"],
        ),
        (
            "a range in scientific notation",
            vec!["sweep", "planted_bug", "--seeds", "1e3..=2e3"],
        ),
        (
            "a negative count",
            vec!["sweep", "planted_bug", "--seeds", "-1"],
        ),
        (
            "no shards",
            vec!["sweep", "planted_bug", "--seeds", "10", "--shard", "0/0"],
        ),
        (
            "the second of one shard",
            vec!["sweep", "planted_bug", "--seeds", "10", "--shard", "1/1"],
        ),
        ("two artifacts", vec!["replay", "a.json", "b.json"]),
        // The artifact names its package and target: another selection
        // beside it would be ignored.
        (
            "a target with an artifact",
            vec!["replay", planted.to_str().unwrap(), "--test", "noisy"],
        ),
        (
            "a package with an artifact",
            vec![
                "replay",
                planted.to_str().unwrap(),
                "-p",
                "detsim-cli-fixture",
            ],
        ),
        // The artifact records its scheduler, which its tape means.
        (
            "a scheduler with an artifact",
            vec!["replay", changed.to_str().unwrap(), "--scheduler", "pct:2"],
        ),
        // An artifact's replay runs its recorded seed: --seed asks for
        // another run.
        (
            "an artifact with --seed",
            vec!["replay", changed.to_str().unwrap(), "--seed", "3"],
        ),
        (
            "a switch given twice",
            vec![
                "sweep",
                "planted_bug",
                "--seeds",
                "10",
                "--release",
                "--release",
            ],
        ),
        // Cargo names the targets there are: the error does too, and
        // does not speak of build errors.
        (
            "a test target that does not exist",
            vec!["sweep", "planted_bug", "--seeds", "3", "--test", "nosuch"],
        ),
        (
            "a bad scheduler for a seed",
            vec![
                "replay",
                "--seed",
                "3",
                "planted_bug",
                "--scheduler",
                "pct:0",
            ],
        ),
    ];
    let mut all = String::new();
    for (what, args) in &cases {
        all.push_str(&format!("{what}:\n  {}\n", error_line(args, &dir)));
    }
    // Fingerprints and the failing seed follow the fixture's schedule.
    insta::with_settings!({filters => vec![
        (r"fingerprint 0x[0-9a-f]{16}", "fingerprint [FP]"),
        (r"(?m)--seeds \d+\.\.\d+$", "--seeds [SEED]..[SEED+1]"),
        (r"--seed 0x[0-9a-f]+ ", "--seed [SEED] "),
    ]}, {
        insta::assert_snapshot!(all);
    });
}

/// `--json` and `--trace` to a path that cannot be written: one error line
/// before anything is built or run (it used to come after the whole
/// sweep), and no file left behind.
#[test]
fn an_unwritable_output_fails_before_the_build() {
    let dir = scratch("unwritable");
    let missing = dir.join("missing").join("sweep.json");
    let file = dir.join("a-file");
    std::fs::write(&file, "").unwrap();
    let under_a_file = file.join("sweep.json");
    let trace = dir.join("missing").join("trace.json");
    let cases: Vec<(&str, Vec<&str>)> = vec![
        (
            "--json in a directory that does not exist",
            vec!["sweep", "planted_bug", "--seeds", "10", "--json"],
        ),
        (
            "--json naming a directory",
            vec!["sweep", "planted_bug", "--seeds", "10", "--json"],
        ),
        (
            "--json under a file",
            vec!["sweep", "planted_bug", "--seeds", "10", "--json"],
        ),
        (
            "--trace in a directory that does not exist",
            vec!["replay", "--seed", "3", "planted_bug", "--trace"],
        ),
    ];
    let paths = [&missing, &dir, &under_a_file, &trace];
    let mut all = String::new();
    for ((what, args), path) in cases.iter().zip(paths) {
        let mut args = args.clone();
        args.push(path.to_str().unwrap());
        let out = detsim_env(&args, &[]);
        let line = one_error_line(&out, &dir);
        // Nothing before it: cargo did not build, no sweep started.
        assert_eq!(
            stderr(&out).trim(),
            line.replace("[DIR]", &dir.display().to_string())
        );
        all.push_str(&format!("{what}:\n  {line}\n"));
    }
    assert!(!missing.parent().unwrap().exists());
    insta::assert_snapshot!(all);
    // A path that can be written is checked without leaving a file.
    let fine = dir.join("fine.json");
    let out = detsim_env(
        &[
            "sweep",
            "always_passes",
            "--test",
            "planted",
            "--seeds",
            "2",
            "--json",
            fine.to_str().unwrap(),
        ],
        &[],
    );
    assert_exit(&out, 0);
    assert!(read_json(&fine)["passed"] == true);
}

/// An artifact whose failure no longer happens (the fixture's bug is
/// "fixed" by `FIXTURE_BUG_FIXED`): replay and shrink each say so in one
/// line naming the recorded failure, its seed and what to do, exit 2. A
/// seed replayed by number has no recorded failure: its pass exits 0.
#[test]
fn an_artifact_that_now_passes_is_one_line_with_the_fix() {
    let dir = scratch("now_passes");
    let summary = sweep_planted(&dir, "0..300");
    let artifact = first_artifact(&summary);
    let seed = summary["tests"][0]["failures"][0]["seed"].as_u64().unwrap();
    let fixed = [("FIXTURE_BUG_FIXED", "1")];
    let path = artifact.to_str().unwrap();
    // A shrink of the artifact while it still failed.
    assert_exit(&detsim(&["shrink", path]), 0);
    let shrunk = artifact.with_extension("shrunk.json");
    let before = std::fs::read_to_string(&shrunk).unwrap();
    let replay = error_line_env(&["replay", path], &fixed, &dir);
    let out = detsim_env(&["shrink", path], &fixed);
    let shrink = one_error_line(&out, &dir);
    // Said once (the error line), not also as the test's output.
    assert_eq!(
        stderr(&out).matches("cannot shrink").count(),
        1,
        "{}",
        stderr(&out)
    );
    // The shrink that failed left the earlier one's result in place.
    assert_eq!(std::fs::read_to_string(&shrunk).ok(), Some(before));
    let all = format!("replay:\n  {replay}\nshrink:\n  {shrink}\n")
        .replace(&fixture_target().display().to_string(), "[TARGET]")
        .replace(&format!("{seed:#x}"), "[SEED]")
        .replace(&format!("{seed}..{}", seed + 1000), "[SEED]..[SEED+1000]");
    insta::assert_snapshot!(all);

    let out = detsim_env(
        &["replay", "--seed", &seed.to_string(), "planted_bug"],
        &fixed,
    );
    assert_exit(&out, 0);
    assert!(
        stderr(&out).contains(&format!("planted_bug passes with seed {seed:#x}")),
        "{}",
        stderr(&out)
    );
}

/// The seeds a sweep's `--json` says ran.
/// An artifact of a failure whose message starts with its kind (a time
/// limit's "time limit: virtual time would pass ..."), which no longer
/// comes back: the error line names the kind once, whether the replay
/// fails another way or passes, and so does a shrink's.
#[test]
fn a_time_limit_that_no_longer_reproduces_names_its_kind_once() {
    let dir = scratch("time_limit_changed");
    let (out, summary) = sweep(
        &dir,
        "sweep.json",
        &["times_out", "--seeds", "0..1", "--jobs", "1"],
    );
    assert_exit(&out, 1);
    let artifact = first_artifact(&summary);
    let path = artifact.to_str().unwrap();
    let replay_other = error_line_env(&["replay", path], &[("FIXTURE_SLEEP_SECS", "3")], &dir);
    let replay_passes = error_line_env(&["replay", path], &[("FIXTURE_SLEEP_SECS", "0")], &dir);
    let shrink_passes = error_line_env(&["shrink", path], &[("FIXTURE_SLEEP_SECS", "0")], &dir);
    let all = format!(
        "replay, failing another way:\n  {replay_other}\nreplay, passing:\n  \
         {replay_passes}\nshrink, passing:\n  {shrink_passes}\n"
    )
    .replace(&fixture_target().display().to_string(), "[TARGET]")
    .replace(
        read_json(&artifact)["failure"]["fingerprint"]
            .as_str()
            .unwrap(),
        "[FP]",
    );
    // Each failure's kind once, in its own message.
    assert_eq!(all.matches("time limit").count(), 4, "{all}");
    insta::assert_snapshot!(all);
}

fn seeds_run(summary: &Value) -> BTreeSet<u64> {
    let mut seeds = BTreeSet::new();
    for chunk in summary["tests"][0]["chunks"].as_array().unwrap() {
        let base = chunk["base"].as_u64().unwrap();
        let run = chunk["run"].as_u64().unwrap();
        for seed in base..base + run {
            assert!(seeds.insert(seed), "seed {seed} ran twice");
        }
    }
    seeds
}

fn failing(summary: &Value) -> BTreeSet<u64> {
    summary["tests"][0]["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["seed"].as_u64().unwrap())
        .collect()
}

#[test]
fn shards_cover_exactly_the_seeds_of_the_whole_sweep() {
    let dir = scratch("shards");
    let run = |shard: Option<&str>, name: &str| -> Value {
        let mut args = vec![
            "planted_bug",
            "--seeds",
            "100..161",
            "--keep-going",
            "--jobs",
            "2",
        ];
        if let Some(s) = shard {
            args.extend(["--shard", s]);
        }
        let (out, summary) = sweep(&dir, name, &args);
        assert!(out.status.code() == Some(1) || out.status.code() == Some(0));
        summary
    };
    let whole = run(None, "whole.json");
    let a = run(Some("0/2"), "a.json");
    let b = run(Some("1/2"), "b.json");
    let (sa, sb) = (seeds_run(&a), seeds_run(&b));
    assert!(sa.is_disjoint(&sb), "{sa:?} {sb:?}");
    let union: BTreeSet<u64> = sa.union(&sb).copied().collect();
    assert_eq!(union, seeds_run(&whole));
    assert_eq!(union, (100..161).collect());
    // Contiguous blocks: shard 0 gets 100..130, shard 1 130..161.
    assert_eq!(a["tests"][0]["seeds"]["end"], 130);
    let failures: BTreeSet<u64> = failing(&a).union(&failing(&b)).copied().collect();
    assert_eq!(failures, failing(&whole));
    assert!(!failures.is_empty(), "the planted bug fails some seeds");
}

/// Run where cargo finds no project, or with an artifact of a package
/// this workspace does not have: cargo's complaint and the fix in one
/// line, not "fix the build errors above".
#[test]
fn the_wrong_directory_is_one_line_with_the_fix() {
    let dir = scratch("wrong_dir");
    let summary = sweep_planted(&dir, "0..300");
    let artifact = first_artifact(&summary);
    let nowhere = std::env::temp_dir().join(format!("detsim-no-project-{}", std::process::id()));
    std::fs::create_dir_all(&nowhere).unwrap();
    let other_workspace = Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = artifact.to_str().unwrap();
    let cases = [
        ("no cargo project", &nowhere, vec!["list"]),
        ("no cargo project", &nowhere, vec!["replay", path]),
        (
            "an artifact of another workspace",
            &other_workspace.to_path_buf(),
            vec!["replay", path],
        ),
        (
            "a package of another workspace",
            &other_workspace.to_path_buf(),
            vec!["sweep", "x", "--seeds", "3", "-p", "nope-no-such"],
        ),
    ];
    let mut all = String::new();
    for (what, cwd, args) in &cases {
        let line = one_error_line(&detsim_at(cwd, args, &[]), cwd);
        all.push_str(&format!("{what}:\n  {line}\n"));
    }
    let _ = std::fs::remove_dir_all(&nowhere);
    insta::assert_snapshot!(all);
}

/// The command lines of the processes running now (Linux's /proc).
/// The command lines of the running processes (Linux's /proc) whose
/// environment holds `marker`: the processes one test started, not those
/// of another run of this suite on the same machine.
fn running_commands(marker: &str) -> Vec<String> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| {
        let path = e.ok()?.path();
        let environ = std::fs::read(path.join("environ")).ok()?;
        let mine = environ.split(|&b| b == 0).any(|v| v == marker.as_bytes());
        let cmdline = std::fs::read(path.join("cmdline")).ok()?;
        mine.then(|| String::from_utf8_lossy(&cmdline).replace('\0', " "))
    })
    .collect()
}

#[test]
fn a_chunk_that_crashes_stops_the_sweep_without_leaving_the_others_running() {
    // Marks the processes of this run (they inherit it).
    let run = format!("{}", std::process::id());
    let out = detsim_env(
        &[
            "sweep",
            "crashes_or_sleeps",
            "--seeds",
            "0..2",
            "--jobs",
            "2",
            "--chunk",
            "1",
            "--scheduler",
            "pct:2",
        ],
        &[("FIXTURE_CRASH", "1"), ("FIXTURE_RUN", &run)],
    );
    assert_exit(&out, 2);
    let err = stderr(&out);
    // The crash's error is a line of its own, after the chunk's output,
    // and its command runs the chunk as the sweep did.
    let line = err
        .lines()
        .find(|l| l.starts_with("error: crashes_or_sleeps ("))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(
        line.ends_with(
            "DETSIM_SEED=0 DETSIM_SEEDS=1 DETSIM_SCHEDULER=pct:2 cargo test -p \
             detsim-cli-fixture --test noisy -- crashes_or_sleeps --exact --include-ignored"
        ),
        "{line}"
    );
    if std::path::Path::new("/proc/self/cmdline").exists() {
        let left: Vec<_> = running_commands(&format!("FIXTURE_RUN={run}"))
            .into_iter()
            .filter(|c| c.contains("crashes_or_sleeps") && !c.contains("cargo-detsim"))
            .collect();
        assert!(left.is_empty(), "still running: {left:?}");
    }
}
