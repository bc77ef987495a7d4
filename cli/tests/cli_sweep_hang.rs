//! A seed that hangs a sweep: the harness's live warning (a poll that
//! has held its thread for 10 s) reaches the user while the sweep runs,
//! with the seeds of the chunk, instead of waiting in a scratch file while
//! the progress line shows only a growing ETA.

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
    assert!(
        warning.starts_with("crashes_or_sleeps seeds 1..2: detsim: a poll of task "),
        "{warning}"
    );
    // The warning names the seed that hangs, not only the chunk's range.
    assert!(warning.contains(" (seed 0x1) has held "), "{warning}");
    assert!(!warning.contains('\r'), "{warning:?}");
}
