//! An interrupted `cargo detsim` (SIGTERM, or Ctrl-C's SIGINT) leaves
//! nothing behind: its test processes are killed and its scratch directory
//! removed; and the scratch directories of a `cargo detsim` killed outright
//! (SIGKILL) are removed by the next one to start, while those of a
//! running one stay.

#![cfg(unix)]

mod common;

use std::os::unix::process::ExitStatusExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::{assert_exit, detsim_command, fixture, scratch};

/// The `cargo-detsim-*` entries of the temporary directory `tmp`.
fn scratch_dirs(tmp: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(tmp)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("cargo-detsim-")
        })
        .collect();
    dirs.sort();
    dirs
}

/// The processes (Linux's /proc) running the fixture's `crashes_or_sleeps`
/// with `TMPDIR=tmp`: the chunks of one sweep of this test.
fn chunks_of(tmp: &Path) -> Vec<u32> {
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let tmpdir = format!("TMPDIR={}", tmp.display());
    procs
        .filter_map(|e| {
            let e = e.ok()?;
            let pid: u32 = e.file_name().to_str()?.parse().ok()?;
            let cmdline = std::fs::read(e.path().join("cmdline")).ok()?;
            let environ = std::fs::read(e.path().join("environ")).ok()?;
            let stat = std::fs::read_to_string(e.path().join("stat")).ok()?;
            let zombie = stat.rsplit(')').next()?.trim_start().starts_with('Z');
            let cmdline = String::from_utf8_lossy(&cmdline);
            let mine = environ.split(|&b| b == 0).any(|v| v == tmpdir.as_bytes());
            (mine
                && !zombie
                && cmdline.contains("crashes_or_sleeps")
                && !cmdline.contains("cargo-detsim"))
            .then_some(pid)
        })
        .collect()
}

fn wait_until(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "waited {limit:?} for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A sweep whose two chunks block for a minute (`FIXTURE_CRASH`, seeds
/// other than 0), with its temporary directory `tmp`, in a process group
/// of its own (as a shell runs a command), its stderr in `tmp/stderr`.
fn blocked_sweep(tmp: &Path) -> Child {
    use std::os::unix::process::CommandExt as _;
    let err = std::fs::File::create(tmp.join("stderr")).unwrap();
    detsim_command(
        &fixture(),
        &[
            "sweep",
            "crashes_or_sleeps",
            "--seeds",
            "1..3",
            "--jobs",
            "2",
            "--chunk",
            "1",
        ],
        &[("FIXTURE_CRASH", "1"), ("TMPDIR", tmp.to_str().unwrap())],
    )
    .stdout(Stdio::null())
    .stderr(err)
    .process_group(0)
    .spawn()
    .unwrap()
}

#[test]
fn an_interrupted_sweep_leaves_no_scratch_and_no_test_process() {
    // To cargo detsim alone (`kill`), or to its whole process group, as
    // a terminal sends Ctrl-C: the chunks die of it too, which is not a
    // crash to report.
    for (signal, group) in [("TERM", false), ("INT", false), ("INT", true)] {
        let tmp = scratch(&format!("interrupt-{signal}-{group}"));
        let mut cli = blocked_sweep(&tmp);
        wait_until("the chunks to start", Duration::from_secs(300), || {
            chunks_of(&tmp).len() == 2
        });
        assert_eq!(scratch_dirs(&tmp).len(), 1);
        let chunks = chunks_of(&tmp);
        let target = match group {
            true => format!("-{}", cli.id()),
            false => cli.id().to_string(),
        };
        let sent = std::process::Command::new("kill")
            .args([&format!("-{signal}"), "--", &target])
            .status()
            .unwrap();
        assert!(sent.success());
        let start = Instant::now();
        let status = cli.wait().unwrap();
        // It ended at once (its chunks sleep a minute), of the signal.
        assert!(start.elapsed() < Duration::from_secs(20), "{status}");
        let number = if signal == "TERM" { 15 } else { 2 };
        assert_eq!(status.signal(), Some(number), "{status}");
        assert_eq!(scratch_dirs(&tmp), Vec::<PathBuf>::new(), "SIG{signal}");
        let err = std::fs::read_to_string(tmp.join("stderr")).unwrap();
        let last = err.lines().last().unwrap_or_default();
        assert!(
            last.starts_with(&format!("cargo detsim: interrupted (SIG{signal}): ")),
            "{err}"
        );
        assert!(!err.contains("error:"), "{err}");
        wait_until("the chunks to go", Duration::from_secs(10), || {
            chunks.iter().all(|pid| !chunks_of(&tmp).contains(pid))
        });
    }
}

#[test]
fn the_next_cargo_detsim_removes_the_scratch_of_a_killed_one_only() {
    let tmp = scratch("stale");
    // A directory whose process is gone: its lock is free.
    let gone = tmp.join("cargo-detsim-4000000000-0");
    std::fs::create_dir_all(&gone).unwrap();
    std::fs::write(gone.join("lock"), "").unwrap();
    std::fs::write(gone.join("sweep-0-0.stderr"), "output").unwrap();
    // Without a lock (an older cargo-detsim's): removed when an hour old,
    // not before (it may be being created this instant).
    let old = tmp.join("cargo-detsim-4000000001-0");
    let young = tmp.join("cargo-detsim-4000000002-0");
    for dir in [&old, &young] {
        std::fs::create_dir_all(dir).unwrap();
    }
    let two_hours_ago = std::time::SystemTime::now() - Duration::from_secs(7200);
    std::fs::File::open(&old)
        .unwrap()
        .set_modified(two_hours_ago)
        .unwrap();
    // A running sweep's: its lock is held.
    let mut running = blocked_sweep(&tmp);
    wait_until("the chunks to start", Duration::from_secs(300), || {
        chunks_of(&tmp).len() == 2
    });
    let live: Vec<PathBuf> = scratch_dirs(&tmp)
        .into_iter()
        .filter(|d| ![&gone, &old, &young].contains(&d))
        .collect();
    assert_eq!(live.len(), 1, "{live:?}");

    let out = detsim_command(&fixture(), &["list"], &[("TMPDIR", tmp.to_str().unwrap())])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let left = scratch_dirs(&tmp);
    running.kill().unwrap();
    running.wait().unwrap();
    let mut expected = vec![young.clone(), live[0].clone()];
    expected.sort();
    assert_eq!(left, expected);
    // Killed outright: its chunks are orphans now, and its directory
    // stays until the next cargo detsim.
    for pid in chunks_of(&tmp) {
        let _ = std::process::Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
    }
}

/// The processes (Linux's /proc) whose environment holds `marker`, by
/// their command line.
fn marked(marker: &str) -> Vec<(u32, String)> {
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    procs
        .filter_map(|e| {
            let e = e.ok()?;
            let pid: u32 = e.file_name().to_str()?.parse().ok()?;
            let environ = std::fs::read(e.path().join("environ")).ok()?;
            let stat = std::fs::read_to_string(e.path().join("stat")).ok()?;
            let zombie = stat.rsplit(')').next()?.trim_start().starts_with('Z');
            let cmdline = std::fs::read(e.path().join("cmdline")).ok()?;
            let mine = environ.split(|&b| b == 0).any(|v| v == marker.as_bytes());
            (mine && !zombie).then(|| (pid, String::from_utf8_lossy(&cmdline).replace('\0', " ")))
        })
        .collect()
}

#[test]
fn an_interrupt_during_the_build_stops_the_build() {
    use std::os::unix::fs::PermissionsExt as _;
    let tmp = scratch("interrupt-build");
    // A cargo that takes its time: the build is still running when the
    // signal comes.
    let slow = tmp.join("slow-cargo");
    std::fs::write(&slow, "#!/bin/sh\nexec sleep 60\n").unwrap();
    std::fs::set_permissions(&slow, std::fs::Permissions::from_mode(0o755)).unwrap();
    let marker = format!("FIXTURE_RUN=build-{}", std::process::id());
    let mut cli = detsim_command(
        &fixture(),
        &["sweep", "always_passes", "--seeds", "2"],
        &[
            ("CARGO", slow.to_str().unwrap()),
            ("FIXTURE_RUN", marker.split_once('=').unwrap().1),
        ],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    wait_until("the build to start", Duration::from_secs(60), || {
        marked(&marker).iter().any(|(_, c)| c.starts_with("sleep"))
    });
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &cli.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let status = cli.wait().unwrap();
    assert_eq!(status.signal(), Some(15), "{status}");
    wait_until("the build to go", Duration::from_secs(10), || {
        marked(&marker).is_empty()
    });
}
