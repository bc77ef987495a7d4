//! A seed that hangs a sweep: the harness's live warning (a poll that
//! has held its thread for 10 s) reaches the user while the sweep runs,
//! with the seeds of the chunk and the task (its name and node), instead
//! of waiting in a scratch file while the progress line shows only a
//! growing ETA. A seed whose run goes on
//! with every poll returning is named too, and the notice of its long
//! chunk gives the command for that seed.

#![cfg(unix)]

mod common;

use std::io::{BufRead as _, BufReader};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{detsim_command, fixture};

#[test]
fn a_blocked_polls_warning_shows_while_the_sweep_runs() {
    // With FIXTURE_CRASH, seeds other than 0 block their poll a minute.
    let mut cli = detsim_command(
        &fixture(),
        &[
            "sweep",
            "crashes_or_sleeps",
            "--seeds",
            "1..2",
            "--jobs",
            "1",
        ],
        &[("FIXTURE_CRASH", "1")],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let err = cli.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    let mut started = None;
    let warning = loop {
        // The watchdog speaks after 10 s; the build may come first.
        match rx.recv_timeout(Duration::from_secs(240)) {
            Ok(line) if line.contains("has held simulation thread") => break line,
            Ok(line) => {
                if line.starts_with("detsim sweep: ") {
                    started = Some(Instant::now());
                }
                seen.push(line);
            }
            Err(e) => {
                let _ = cli.kill();
                panic!("no warning ({e}); stderr so far:\n{}", seen.join("\n"));
            }
        }
    };
    // While the chunk runs (it blocks for a minute), not when it ends.
    let after = started.expect("the sweep's first line").elapsed();
    assert!(after < Duration::from_secs(40), "shown after {after:?}");
    assert!(cli.try_wait().unwrap().is_none());
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &cli.id().to_string()])
        .status();
    let _ = cli.wait();
    // The warning names the task that hangs as the run's reports do (its
    // name and node), and the seed, not only the chunk's range.
    assert!(
        warning.starts_with(
            "crashes_or_sleeps seeds 1..2: detsim: a poll of task 1 'sleeper' on node 'server' \
             (seed 0x1) has held "
        ),
        "{warning}"
    );
    assert!(!warning.contains('\r'), "{warning:?}");
}

/// Lines of `child`'s stderr, as they come.
fn stderr_lines(child: &mut std::process::Child) -> mpsc::Receiver<String> {
    let err = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

#[test]
fn a_seed_that_runs_long_is_named_and_its_chunks_notice_runs_it_alone() {
    // Seed 4 (in the chunk 3..6, not its first seed) runs two minutes,
    // polling every 20 ms; the watchdog names a run at 1 s.
    let mut cli = detsim_command(
        &fixture(),
        &[
            "sweep",
            "one_seed_runs_long",
            "--seeds",
            "0..6",
            "--jobs",
            "2",
            "--chunk",
            "3",
            "--scheduler",
            "fifo",
        ],
        &[
            ("FIXTURE_SLOW_SEED", "4"),
            ("DETSIM_SLOW_RUN", "1s"),
            ("DETSIM_TIME_LIMIT", "1h"),
        ],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let rx = stderr_lines(&mut cli);
    let mut seen = Vec::new();
    let mut started = None;
    let mut named = Vec::new();
    // The chunk's notice comes at 30 s (five times the other chunk, at
    // least 30 s); the build may come first.
    let notice = loop {
        match rx.recv_timeout(Duration::from_secs(240)) {
            Ok(line) if line.starts_with("detsim sweep: one_seed_runs_long seeds 3..6 ") => {
                break line;
            }
            Ok(line) => {
                if line.starts_with("detsim sweep: ") {
                    started = Some(Instant::now());
                }
                if line.contains("detsim: seed 0x4 of test one_seed_runs_long has run for ") {
                    named.push((started.map(|s| s.elapsed()), line.clone()));
                }
                seen.push(line);
            }
            Err(e) => {
                let _ = cli.kill();
                panic!("no notice ({e}); stderr so far:\n{}", seen.join("\n"));
            }
        }
    };
    assert!(cli.try_wait().unwrap().is_none());
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &cli.id().to_string()])
        .status();
    let _ = cli.wait();
    let all = seen.join("\n");
    // The watchdog's line: once, soon, while the seed runs, with the
    // chunk's seeds before it and the seed's own command after it.
    assert_eq!(named.len(), 1, "{all}");
    let (after, line) = &named[0];
    let after = after.expect("the sweep's first line");
    assert!(
        after < Duration::from_secs(20),
        "shown after {after:?}: {all}"
    );
    assert!(
        line.starts_with(
            "one_seed_runs_long seeds 3..6: detsim: seed 0x4 of test one_seed_runs_long has run \
             for "
        ),
        "{line}"
    );
    assert!(
        line.ends_with(
            "run it alone: DETSIM_SEED=0x4 DETSIM_TIME_LIMIT=1h \
             DETSIM_SCHEDULER=fifo cargo test -p detsim-cli-fixture --test noisy -- \
             one_seed_runs_long --exact"
        ),
        "{line}"
    );
    // The notice names that seed, not only the chunk's range, with the
    // command that runs it alone as the chunk ran it.
    assert!(
        notice.contains("the watchdog named seed 0x4 there as running long; run it alone: "),
        "{notice}"
    );
    assert!(
        notice.ends_with(
            "DETSIM_TIME_LIMIT=1h DETSIM_SEED=0x4 DETSIM_SCHEDULER=fifo cargo test -p \
             detsim-cli-fixture --test noisy -- one_seed_runs_long --exact --include-ignored"
        ),
        "{notice}"
    );
    assert!(!notice.contains("DETSIM_SEEDS"), "{notice}");
}
