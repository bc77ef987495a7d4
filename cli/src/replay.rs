//! `cargo detsim replay`: build the artifact's test binary, run the test
//! with `DETSIM_REPLAY` (and `DETSIM_REPORT`, `DETSIM_TRACE_JSON`), and
//! say whether the recorded failure came back with its fingerprint. What
//! the test prints shows as it prints it (see `run_one`). The artifact's
//! recorded cargo feature flags build the test unless the command line
//! gives feature flags of its own, and its recorded profile (`release`
//! for a test built with `--release`) unless the command line gives
//! `--release`.
//!
//! Exit status: 1 when the failure comes back (the test still fails; for
//! a `#[should_panic]` test, whose failure `cargo test` passes, a line
//! says that this is the failure it expects), 2
//! when the recorded failure does not come back (the replay passes or
//! fails differently: the code or the build changed since the artifact
//! was written) or the replay cannot run. `replay --seed S <test>` has no
//! recorded failure to expect: a pass exits 0.
//!
//! An artifact's replay runs the scheduler the artifact recorded, and
//! refuses `--scheduler`; `replay --seed` runs the one `--scheduler` (or
//! `DETSIM_SCHEDULER` of the environment) names, as a sweep's chunks do,
//! so a seed that `sweep --scheduler X` found fails again.

use std::path::{Path, PathBuf};

use serde_json::Value;
use sim_core::harness::{Artifact, quote_failure, shell_word};

use crate::args::{Build, Replay, ReplayOf, Seeds};
use crate::discover::{self, Binary, SimTest};
use crate::error::{CliError, Outcome};
use crate::out::{self, say, tell};
use crate::perfetto;
use crate::run_one::{self, Show};
use crate::scheduler::{self, Runner, Scheduler};
use crate::scratch::Scratch;
use crate::select::select;

pub(crate) fn run(r: &Replay, build: &Build) -> Result<Outcome, CliError> {
    match &r.of {
        ReplayOf::Artifact(path) => {
            if let Some(given) = &r.scheduler {
                let (abs, art) = read_artifact(path)?;
                return Err(scheduler_with_artifact(&abs, &art, given, build));
            }
            replay_artifact(path, r, build, Show::Live)
        }
        ReplayOf::Seed { seed, test } => {
            let scheduler = scheduler::named(Runner::ReplaySeed, r.scheduler.as_deref())?;
            if let Some(Scheduler {
                name,
                from_env: true,
            }) = &scheduler
            {
                tell!(
                    "cargo detsim replay: seed {seed:#x} runs with DETSIM_SCHEDULER={name} from \
                     the environment (as with --scheduler {name})"
                );
            }
            let scheduler = scheduler.map(|s| s.name);
            replay_seed(*seed, test, r, scheduler.as_deref(), build)
        }
    }
}

/// The error for `replay <artifact> --scheduler X`: the artifact's tape
/// means its choices under the scheduler it recorded, so that one runs;
/// the artifact's seed can run under `X` instead.
fn scheduler_with_artifact(abs: &Path, art: &Artifact, given: &str, build: &Build) -> CliError {
    let recorded = match art.scheduler() {
        sim_core::Scheduler::Pct { depth } => format!("pct:{depth}"),
        other => other.to_string(),
    };
    let build = build_for(abs, art, build).unwrap_or_else(|_| build.clone());
    CliError::new(format!(
        "--scheduler {given}: {} recorded the scheduler of its run ({recorded}), and its replay \
         runs that one, so replay <artifact> takes no --scheduler; drop --scheduler, or run the \
         artifact's seed under {given}: cargo detsim replay --seed {:#x} --scheduler {given} -p \
         {} {}{} {}",
        abs.display(),
        art.seed(),
        shell_word(art.package()),
        target_selector(art),
        build_flags(&build),
        shell_word(art.test()),
    ))
}

/// Reads an artifact, as the one-line error the CLI prints if it cannot.
pub(crate) fn read_artifact(path: &Path) -> Result<(PathBuf, Artifact), CliError> {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let art = Artifact::read(&abs).map_err(|e| {
        let text = e.to_string();
        CliError::new(text.strip_prefix("detsim: ").unwrap_or(&text).to_owned())
    })?;
    Ok((abs, art))
}

/// The build of an artifact's replay or shrink: with the cargo feature
/// flags the artifact recorded, unless the command line gave its own, and
/// in the profile it recorded (`--release` for `release`), unless the
/// command line gave `--release`. A custom profile (`--profile NAME`),
/// which cargo detsim cannot build, is an error that gives the command
/// that can.
pub(crate) fn build_for(abs: &Path, art: &Artifact, build: &Build) -> Result<Build, CliError> {
    let mut build = build.clone();
    if build.features.is_empty() {
        build.features = art.cargo_features().to_vec();
    }
    match art.profile() {
        // Artifacts written before detsim recorded the profile: as given.
        None | Some("dev" | "test") => {}
        Some("release" | "bench") => build.release = true,
        Some(_) if build.release => {}
        Some(other) => {
            let selector = target_selector(art);
            return Err(CliError::new(format!(
                "{} was recorded by a build with cargo profile `{other}`, which cargo detsim \
                 does not build (it builds the dev profile, or release with --release): replay \
                 it with DETSIM_REPLAY={} cargo test -p {} {selector}{} --profile {} -- {} \
                 --exact, or give --release to replay it in a release build",
                abs.display(),
                shell_word(&abs.to_string_lossy()),
                shell_word(art.package()),
                build.feature_flags(),
                shell_word(other),
                shell_word(art.test()),
            )));
        }
    }
    Ok(build)
}

/// The flags of a printed `cargo detsim` or `cargo test` command that
/// build what `build` builds: its feature flags (each word quoted for the
/// shell), then ` --release` for a release build.
pub(crate) fn build_flags(build: &Build) -> String {
    let release = if build.release { " --release" } else { "" };
    format!("{}{release}", build.feature_flags())
}

/// The cargo profile `build` builds with, as an artifact records it.
fn profile_of(build: &Build) -> &'static str {
    if build.release { "release" } else { "dev" }
}

/// Builds the artifact's package and target, and finds its binary.
pub(crate) fn binary_for(art: &Artifact, build: &Build) -> Result<Binary, CliError> {
    let (kind, name) = art.cargo_target();
    if !matches!(kind, "lib" | "test" | "bin" | "example" | "bench") {
        return Err(CliError::new(format!(
            "the artifact is from a {kind} `{name}`, not a #[sim_test]: replay it the way its \
             failure report says (DETSIM_REPLAY=<artifact> with the test that runs it)"
        )));
    }
    let selector: Vec<String> = match kind {
        "lib" => vec!["--lib".into()],
        kind => vec![format!("--{kind}"), name.to_owned()],
    };
    let sel = Build {
        packages: vec![art.package().to_owned()],
        workspace: false,
        release: build.release,
        targets: Vec::new(),
        features: build.features.clone(),
    };
    let binaries = discover::build(&sel, &selector)?;
    binaries
        .into_iter()
        .find(|b| b.kind == kind && b.name == name && b.package == art.package())
        .ok_or_else(|| {
            CliError::new(format!(
                "cargo built no {kind} target `{name}` of package {}: run cargo detsim from the \
                 workspace the artifact came from",
                art.package()
            ))
        })
}

/// Replays the artifact at `path`. With [`Show::Later`] (the replay of a
/// seed whose run was just shown), what the test prints is shown only if
/// the failure does not come back, and the harness's verdict line alone
/// otherwise.
fn replay_artifact(
    path: &Path,
    r: &Replay,
    build: &Build,
    show: Show,
) -> Result<Outcome, CliError> {
    let (abs, art) = read_artifact(path)?;
    let build = &build_for(&abs, &art, build)?;
    let binary = binary_for(&art, build)?;
    let scratch = Scratch::new()?;
    let report = scratch.path("replay.jsonl");
    let trace = scratch.path("trace.jsonl");
    let mut cmd = binary.command();
    cmd.args([art.test(), "--exact", "--nocapture", "--include-ignored"])
        .env("DETSIM_REPLAY", &abs)
        .env("DETSIM_REPORT", &report);
    if r.log || r.trace.is_some() {
        cmd.env("DETSIM_TRACE_JSON", &trace);
    }
    discover::with_features(&mut cmd, &build.feature_flags());
    // What the test prints (its own lines, then the harness's report)
    // reaches the user as it prints it.
    let ran = run_one::run(cmd, &scratch.path("replay.out"), &binary, art.test(), show)?;
    let show_output = || {
        if show == Show::Later {
            out::tell_text(format_args!("{}", ran.output));
        }
    };
    let text = std::fs::read_to_string(&report).unwrap_or_default();
    let Some(line) = text
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|v| v["event"] == "replay")
    else {
        show_output();
        return Err(CliError::new(format!(
            "{} did not run the replay of {} ({}): its output is above; is `{}` still a \
             #[sim_test] in {} {}?",
            binary.exe.display(),
            abs.display(),
            ran.status,
            art.test(),
            art.package(),
            binary.selector()
        )));
    };
    match line["outcome"].as_str().unwrap_or_default() {
        "same" | "nondeterminism" => {
            if show == Show::Later {
                if let Some(verdict) = ran
                    .output
                    .lines()
                    .find(|l| l.starts_with("detsim: replayed"))
                {
                    tell!("{verdict}");
                }
            }
            // The exit status says the failure came back, as for any
            // artifact; `cargo test` passes a #[should_panic] test for it.
            if ran.passed_as_should_panic() {
                tell!(
                    "detsim: this failure is what the #[should_panic] of {} expects, so cargo \
                     test passes it; the replay exits 1 because the failure came back",
                    art.test()
                );
            }
            if r.log || r.trace.is_some() {
                let lines = read_trace(&trace);
                if r.log {
                    let events = lines.iter().filter(|l| l["event"] == "trace").count();
                    say!("trace of {} ({events} events):", abs.display());
                    // A trace-dropped notice, if any, comes first.
                    for l in &lines {
                        say!("  {}", l["line"].as_str().unwrap_or_default());
                    }
                }
                if let Some(out) = &r.trace {
                    perfetto::write(out, &lines)?;
                    tell!(
                        "detsim: wrote {} (open it in https://ui.perfetto.dev)",
                        out.display()
                    );
                }
            }
            Ok(Outcome::Failed)
        }
        outcome => {
            show_output();
            Err(not_again(outcome, &line, &abs, &art, &binary, build))
        }
    }
}

/// The error of a replay whose recorded failure did not come back: the
/// harness's `outcome` and its report `line`.
fn not_again(
    outcome: &str,
    line: &Value,
    abs: &Path,
    art: &Artifact,
    binary: &Binary,
    build: &Build,
) -> CliError {
    let seed = art.seed();
    // Replayed in another profile than the recorded one (--release given
    // for a dev build's artifact): the likely cause, said first.
    let profile = match art.profile() {
        Some(p) if p != profile_of(build) => format!(
            " (it was recorded by a {p} build, and this replay was a {} build: replay it {})",
            profile_of(build),
            if build.release {
                "without --release"
            } else {
                "with --release"
            }
        ),
        _ => String::new(),
    };
    match outcome {
        "different" => CliError::new(format!(
            "{} no longer reproduces: it recorded {}{profile}, so the code or the build changed \
             since it was written; write a fresh artifact with {}",
            abs.display(),
            differences(art, line),
            sweep_command(art, build, 1),
        )),
        "passed" => CliError::new(format!(
            "{} no longer reproduces: it recorded {} with seed {seed:#x}, and the replay \
             passed{profile}, so the code probably changed since it was written (fixed?); to look \
             for the bug again, re-run the sweep: {}",
            abs.display(),
            quote_failure(art.kind(), art.message()),
            sweep_command(art, build, SWEEP_AGAIN),
        )),
        other => CliError::new(format!(
            "{} refused to replay {} ({other}): it belongs to {} in {} {}",
            binary.exe.display(),
            abs.display(),
            art.test(),
            art.package(),
            binary.selector()
        )),
    }
}

/// What a replay that failed `different`ly from the artifact's recorded
/// failure (the harness's report `line`) found, after "it recorded": the
/// recorded failure, the replay's, and their fingerprints, each said
/// once (a failure's kind is not repeated before a message that starts
/// with it, an unchanged failure or fingerprint is not quoted again).
fn differences(art: &Artifact, line: &Value) -> String {
    let now = &line["now"];
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let (now_kind, now_message) = (text(&now["kind"]), text(&now["message"]));
    let (was, is) = (
        text(&line["recorded_fingerprint"]),
        text(&now["fingerprint"]),
    );
    let recorded = quote_failure(art.kind(), art.message());
    let failed = quote_failure(&now_kind, &now_message);
    match (failed == recorded, was == is) {
        (false, false) => format!(
            "{recorded} (fingerprint {was}) and the replay failed with {failed} (fingerprint {is})"
        ),
        (false, true) => format!(
            "{recorded} and the replay failed with {failed}, with the same fingerprint ({is})"
        ),
        (true, false) => format!(
            "{recorded} (fingerprint {was}) and the replay failed the same way but with \
             fingerprint {is}"
        ),
        // The messages differ past their first lines.
        (true, true) => format!(
            "{recorded} (fingerprint {was}) and the replay failed with the same fingerprint and \
             the same first line but another message"
        ),
    }
}

/// How many seeds, from the recorded one, the sweep suggested after a
/// replay that passes covers.
const SWEEP_AGAIN: u64 = 1000;

/// The `cargo detsim sweep` of up to `count` seeds from the artifact's
/// (fewer when they would pass u64::MAX), with this build's features and
/// profile.
fn sweep_command(art: &Artifact, build: &Build, count: u64) -> String {
    let seeds = Seeds::inclusive(art.seed(), art.seed().saturating_add(count - 1));
    // The recorded run's scheduler and limits: `--scheduler` for the
    // scheduler (which the sweep sets as DETSIM_SCHEDULER for its tests),
    // the other variables as they are (the sweep passes them on).
    let mut env = String::new();
    let mut scheduler = String::new();
    for word in art.rerun_env().split_whitespace() {
        match word.strip_prefix("DETSIM_SCHEDULER=") {
            Some(s) => scheduler = format!(" --scheduler {s}"),
            None => env.push_str(&format!("{word} ")),
        }
    }
    format!(
        "{env}cargo detsim sweep {} -p {} {} --seeds {seeds}{scheduler}{}",
        shell_word(art.test()),
        shell_word(art.package()),
        target_selector(art),
        build_flags(build)
    )
}

/// `--test x`, `--lib`, ...: the target of the artifact's test.
fn target_selector(art: &Artifact) -> String {
    match art.cargo_target() {
        ("lib", _) => "--lib".to_owned(),
        (kind, name) => format!("--{kind} {}", shell_word(name)),
    }
}

fn read_trace(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// `replay --seed S <test>`: run the one seed, showing its output as it
/// comes; if it fails, replay the artifact it wrote (for the verdict,
/// `--log` and `--trace`).
/// `scheduler`: the one to run (`DETSIM_SCHEDULER`), if named.
fn replay_seed(
    seed: u64,
    name: &str,
    r: &Replay,
    scheduler: Option<&str>,
    build: &Build,
) -> Result<Outcome, CliError> {
    let binaries = discover::build(build, &[])?;
    let tests = discover::sim_tests(&binaries)?;
    let mut found = select(&tests, name, &binaries)?;
    // The flags of a printed `replay --seed` that runs as this one.
    let flags = format!(
        "{}{}",
        scheduler
            .map(|s| format!(" --scheduler {}", shell_word(s)))
            .unwrap_or_default(),
        build_flags(build)
    );
    if found.len() > 1 {
        return Err(ambiguous(name, seed, &found, &flags));
    }
    let test = found.remove(0);
    let scratch = Scratch::new()?;
    let report = scratch.path("seed.jsonl");
    let mut cmd = test.binary.command();
    cmd.args([&test.test, "--exact", "--nocapture", "--include-ignored"])
        .env("DETSIM_SEED", seed.to_string())
        .env("DETSIM_SEEDS", "1")
        .env("DETSIM_REPORT", &report);
    if let Some(s) = scheduler {
        cmd.env("DETSIM_SCHEDULER", s);
    }
    discover::with_features(&mut cmd, &build.feature_flags());
    let ran = run_one::run(
        cmd,
        &scratch.path("seed.out"),
        &test.binary,
        &test.test,
        Show::Live,
    )?;
    let text = std::fs::read_to_string(&report).unwrap_or_default();
    let lines: Vec<Value> = text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    // A failing seed is replayed from its artifact (for its verdict, and
    // its trace for --log and --trace); the test's output of that run is
    // the one just shown again, so it shows only if the failure does not
    // come back.
    if let Some(artifact) = lines
        .iter()
        .find(|v| v["event"] == "failure")
        .and_then(|v| v["artifact"].as_str())
    {
        return replay_artifact(Path::new(artifact), r, build, Show::Later);
    }
    if lines.iter().any(|v| v["event"] == "sweep") {
        tell!(
            "detsim: {} passes with seed {seed:#x}{}",
            test.test,
            scheduler
                .map(|s| format!(" under the {s} scheduler"))
                .unwrap_or_default()
        );
        // Not silently: the flags asked for something this run cannot give.
        if r.log || r.trace.is_some() {
            tell!(
                "detsim: nothing was traced: --log and --trace show the replay of a failure, \
                 and this seed does not fail{}",
                r.trace
                    .as_ref()
                    .map(|p| format!(" ({} was not written)", p.display()))
                    .unwrap_or_default()
            );
        }
        return Ok(Outcome::Passed);
    }
    Err(CliError::new(format!(
        "{} ended ({}) without a report for seed {seed}: its output is above",
        test.test, ran.status
    )))
}

/// The error for a `replay --seed` whose name picks several tests: tell
/// full names apart by name, the same name in several targets by target.
/// `features` are the flags for the printed command: `--scheduler`, and
/// the build's ([`build_flags`]).
fn ambiguous(name: &str, seed: u64, found: &[SimTest], features: &str) -> CliError {
    let first = &found[0];
    if found.iter().all(|t| t.test == first.test) {
        let wheres: Vec<String> = found
            .iter()
            .map(|t| format!("-p {} {}", t.binary.package, t.binary.selector()))
            .collect();
        return CliError::new(format!(
            "`{}` is a simulation test of {} targets ({}): choose one with -p and its target, \
             e.g. cargo detsim replay --seed {seed} {}{features} {}",
            first.test,
            found.len(),
            wheres.join(", "),
            wheres[0],
            first.test
        ));
    }
    let names: std::collections::BTreeSet<&str> = found.iter().map(|t| t.test.as_str()).collect();
    CliError::new(format!(
        "`{name}` matches {} simulation tests ({}): give one full name, e.g. cargo detsim \
         replay --seed {seed}{features} {}",
        found.len(),
        names.into_iter().collect::<Vec<_>>().join(", "),
        first.test
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An artifact of the fixture's `planted_bug`, with `extra` fields
    /// (`"profile": "release", `) before its seed.
    fn artifact(extra: &str) -> Artifact {
        let json = format!(
            r#"{{"format": "detsim-failure", "version": 1, "detsim_version": "0.1.0",
            "test": "planted_bug", "module_path": "planted::planted_bug",
            "package": "fixture", "target": {{"kind": "test", "name": "planted"}},
            {extra} "seed": 7, "seed_hex": "0x7",
            "config": {{"scheduler": "random", "pct_depth": null, "pct_steps": 1000,
                "time_limit_ns": null, "max_steps": null, "strict": false,
                "check_determinism": false}},
            "failure": {{"kind": "panic", "headline": "h", "message": "m", "task": null,
                "location": null, "virtual_time_ns": 0, "steps": 1,
                "fingerprint": "0x1"}},
            "tape": [0]}}"#
        );
        Artifact::from_json(&json).unwrap()
    }

    #[test]
    fn a_replay_builds_in_the_recorded_profile() {
        let path = Path::new("/t/a.json");
        let given = Build::default();
        let release = Build {
            release: true,
            ..Build::default()
        };
        let built = |extra: &str, build: &Build| build_for(path, &artifact(extra), build);
        assert!(built(r#""profile": "release","#, &given).unwrap().release);
        assert!(!built(r#""profile": "dev","#, &given).unwrap().release);
        // Written before detsim recorded profiles: as given.
        assert!(!built("", &given).unwrap().release);
        assert!(built("", &release).unwrap().release);
        // --release on the command line wins.
        assert!(built(r#""profile": "dev","#, &release).unwrap().release);
        // A custom profile: the command that builds it.
        let err = built(r#""profile": "ci","#, &given)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(
                "DETSIM_REPLAY=/t/a.json cargo test -p fixture --test planted --profile ci -- \
                 planted_bug --exact"
            ),
            "{err}"
        );
        assert!(built(r#""profile": "ci","#, &release).unwrap().release);
    }

    #[test]
    fn printed_commands_carry_release() {
        let build = Build {
            release: true,
            features: vec!["--features".into(), "a b".into()],
            ..Build::default()
        };
        assert_eq!(build_flags(&build), " --features 'a b' --release");
        let art = artifact(r#""profile": "release","#);
        assert_eq!(
            sweep_command(&art, &build, 3),
            "cargo detsim sweep planted_bug -p fixture --test planted --seeds 7..10 --features \
             'a b' --release"
        );
        assert_eq!(build_flags(&Build::default()), "");
    }

    #[test]
    fn an_artifacts_replay_refuses_another_scheduler_and_gives_the_seeds() {
        let e = scheduler_with_artifact(
            Path::new("/t/a.json"),
            &artifact(""),
            "pct:3",
            &Build::default(),
        )
        .to_string();
        assert_eq!(
            e,
            "--scheduler pct:3: /t/a.json recorded the scheduler of its run (random), and its \
             replay runs that one, so replay <artifact> takes no --scheduler; drop --scheduler, \
             or run the artifact's seed under pct:3: cargo detsim replay --seed 0x7 --scheduler \
             pct:3 -p fixture --test planted planted_bug"
        );
    }

    #[test]
    fn a_failure_that_no_longer_reproduces_is_said_once() {
        let mut v: Value = serde_json::from_str(&artifact("").to_json()).unwrap();
        v["failure"]["kind"] = "time limit".into();
        v["failure"]["message"] = "time limit: virtual time would pass 1s\nmore".into();
        let art = Artifact::from_json(&v.to_string()).unwrap();
        let replayed = |kind: &str, message: &str, fingerprint: &str| {
            let line = serde_json::json!({
                "event": "replay",
                "outcome": "different",
                "recorded_fingerprint": "0x1",
                "now": {"kind": kind, "message": message, "fingerprint": fingerprint},
            });
            format!("it recorded {}", differences(&art, &line))
        };
        let lines = [
            replayed("panic", "boom", "0x2"),
            replayed(
                "time limit",
                "time limit: virtual time would pass 2s",
                "0x1",
            ),
            replayed(
                "time limit",
                "time limit: virtual time would pass 1s",
                "0x2",
            ),
            replayed(
                "time limit",
                "time limit: virtual time would pass 1s\nless",
                "0x1",
            ),
        ];
        insta::assert_snapshot!(lines.join("\n"), @r#"
        it recorded "time limit: virtual time would pass 1s" (fingerprint 0x1) and the replay failed with panic "boom" (fingerprint 0x2)
        it recorded "time limit: virtual time would pass 1s" and the replay failed with "time limit: virtual time would pass 2s", with the same fingerprint (0x1)
        it recorded "time limit: virtual time would pass 1s" (fingerprint 0x1) and the replay failed the same way but with fingerprint 0x2
        it recorded "time limit: virtual time would pass 1s" (fingerprint 0x1) and the replay failed with the same fingerprint and the same first line but another message
        "#);
    }

    #[test]
    fn a_sweep_from_an_artifact_keeps_its_scheduler_and_limits() {
        let json = |config: &str| {
            let mut v: Value = serde_json::from_str(&artifact("").to_json()).unwrap();
            v["config"] = serde_json::from_str(config).unwrap();
            Artifact::from_json(&v.to_string()).unwrap()
        };
        let art = json(
            r#"{"scheduler": "pct", "pct_depth": 2, "pct_steps": 1000,
                "time_limit_ns": 10000000000, "max_steps": null, "strict": false,
                "check_determinism": true}"#,
        );
        assert_eq!(
            sweep_command(&art, &Build::default(), 3),
            "DETSIM_TIME_LIMIT=10s DETSIM_CHECK_DETERMINISM=1 cargo detsim sweep \
             planted_bug -p fixture --test planted --seeds 7..10 --scheduler pct:2"
        );
        // A limit that is no whole number of seconds: the largest unit
        // that holds it exactly, which DETSIM_TIME_LIMIT reads back.
        let art = json(
            r#"{"scheduler": "random", "pct_depth": null, "pct_steps": 1000,
                "time_limit_ns": 1500000000, "max_steps": null, "strict": false,
                "check_determinism": false}"#,
        );
        assert_eq!(
            sweep_command(&art, &Build::default(), 3),
            "DETSIM_TIME_LIMIT=1500ms cargo detsim sweep planted_bug -p fixture --test planted \
             --seeds 7..10"
        );
        // The defaults (Random, no limit from the attribute): nothing added.
        assert_eq!(
            sweep_command(&artifact(""), &Build::default(), 3),
            "cargo detsim sweep planted_bug -p fixture --test planted --seeds 7..10"
        );
    }
}
