//! Traces of small runs, snapshotted: any change to scheduling, timers,
//! node lifecycle, the network or buggify shows up here in review. Also:
//! a trace changes nothing about the run, is the same every time, and a
//! failing run carries its trace.

mod common;

use std::time::Duration;

use detsim::net::{TcpListener, TcpStream};
use detsim::node::Node;
use detsim::time::{self, SystemTime};
use detsim::{BuggifyMode, Sim, TraceKind, buggify, spawn, task, yield_now};
use futures::io::{AsyncReadExt, AsyncWriteExt};

/// A traced simulation with a fixed epoch (no epoch draw in the trace).
fn traced(seed: u64) -> Sim {
    Sim::builder()
        .seed(seed)
        .epoch(SystemTime::UNIX_EPOCH)
        .trace(true)
        .build()
}

/// The trace without polls and draws.
fn short_trace(sim: &Sim) -> String {
    let trace = sim.trace().unwrap();
    trace
        .without(&[TraceKind::Poll, TraceKind::Draw])
        .to_string()
}

async fn spawn_join() -> u32 {
    let workers: Vec<_> = (0..2u32)
        .map(|i| {
            task::Builder::new()
                .name(format!("worker-{i}"))
                .spawn(async move {
                    yield_now().await;
                    i + 1
                })
        })
        .collect();
    let mut sum = 0;
    for w in workers {
        sum += w.await.unwrap();
    }
    sum
}

#[test]
fn spawn_and_join_every_poll_and_draw() {
    let mut sim = traced(3);
    assert_eq!(sim.run(spawn_join()).unwrap(), 3);
    insta::assert_snapshot!(sim.trace().unwrap().to_string());
}

#[test]
fn timers_same_instant_order_is_drawn() {
    let mut sim = traced(5);
    sim.run(async {
        let sleepers: Vec<_> = [10u64, 10, 3]
            .into_iter()
            .enumerate()
            .map(|(i, ms)| {
                task::Builder::new()
                    .name(format!("sleep-{i}"))
                    .spawn(time::sleep(Duration::from_millis(ms)))
            })
            .collect();
        for s in sleepers {
            s.await.unwrap();
        }
        time::sleep(Duration::from_secs(1)).await;
    })
    .unwrap();
    insta::assert_snapshot!(sim.trace().unwrap().without(&[TraceKind::Poll]).to_string());
}

#[test]
fn node_kill_restart_pause_resume() {
    let mut sim = traced(1);
    sim.run(async {
        let db = Node::builder("db")
            .init(|| async {
                task::Builder::new()
                    .name("serve")
                    .spawn(std::future::pending::<()>());
                time::sleep(Duration::from_secs(60)).await;
            })
            .build();
        time::sleep(Duration::from_millis(5)).await;
        db.kill();
        time::sleep(Duration::from_millis(5)).await;
        db.restart();
        yield_now().await;
        db.pause();
        time::sleep(Duration::from_millis(5)).await;
        db.resume();
        db.kill();
    })
    .unwrap();
    insta::assert_snapshot!(short_trace(&sim));
}

#[test]
fn tcp_echo_exchange() {
    let mut sim = traced(2);
    sim.run(async {
        let server = Node::builder("server").build();
        let echo = task::Builder::new()
            .name("echo")
            .node(&server)
            .spawn(async {
                let listener = TcpListener::bind("0.0.0.0:7").await.unwrap();
                let (mut conn, _) = listener.accept().await.unwrap();
                let mut buf = [0u8; 5];
                conn.read_exact(&mut buf).await.unwrap();
                conn.write_all(&buf).await.unwrap();
            });
        let mut s = TcpStream::connect("server:7").await.unwrap();
        s.write_all(b"hello").await.unwrap();
        let mut back = [0u8; 5];
        s.read_exact(&mut back).await.unwrap();
        assert_eq!(&back, b"hello");
        echo.await.unwrap();
    })
    .unwrap();
    insta::assert_snapshot!(short_trace(&sim));
}

#[test]
fn disk_writes_syncs_and_a_crash() {
    let mut sim = traced(4);
    sim.run(async {
        let db = Node::builder("db").build();
        task::Builder::new()
            .name("wal")
            .node(&db)
            .spawn(async {
                use detsim::fs;
                fs::create_dir("/data").await.unwrap();
                let f = fs::File::create("/data/log").await.unwrap();
                f.write_all_at(b"record-1", 0).await.unwrap();
                f.sync_data().await.unwrap();
                fs::sync_dir("/data").await.unwrap();
                f.write_all_at(b"record-2", 8).await.unwrap();
            })
            .await
            .unwrap();
        db.kill();
    })
    .unwrap();
    insta::assert_snapshot!(short_trace(&sim));
}

async fn maybe_slow() -> bool {
    let slow = buggify!();
    if slow {
        time::sleep(Duration::from_millis(50)).await;
    }
    slow
}

#[test]
fn buggify_activation_and_fire() {
    // The first seed whose site activates and fires (a pure function of
    // the seeds, so the same every run).
    let seed = (0..200)
        .find(|&s| traced(s).run(maybe_slow()).unwrap())
        .expect("some seed fires the site");
    let mut sim = traced(seed);
    assert!(sim.run(maybe_slow()).unwrap());
    let text = sim.trace().unwrap().without(&[TraceKind::Poll]).to_string();
    assert!(text.contains("activated for this run"), "{text}");
    assert!(text.contains("fired"), "{text}");
    assert_report_snapshot!(format!("seed {seed}\n{text}"));
}

#[test]
fn a_failing_run_carries_its_trace() {
    let mut sim = traced(4);
    let failure = sim
        .run(async {
            let t = task::Builder::new().name("doomed").spawn(async {
                time::sleep(Duration::from_millis(2)).await;
                panic!("invariant broken");
            });
            drop(t);
            time::sleep(Duration::from_secs(1)).await;
        })
        .unwrap_err();
    let trace = failure
        .trace()
        .expect("traced runs put the trace on the failure");
    let last = trace.lines().last().unwrap();
    assert_eq!(
        (last.task_name(), last.text()),
        (Some("doomed"), "panicked")
    );
    insta::assert_snapshot!(trace.tail(4).to_string());
    // Untraced runs carry none.
    let f = Sim::builder().build().run(async { panic!() }).unwrap_err();
    assert!(f.trace().is_none());
}

#[test]
fn tracing_changes_nothing_and_repeats_exactly() {
    for seed in 0..40 {
        let run = |trace: bool| {
            let mut sim = Sim::builder()
                .seed(seed)
                .trace(trace)
                .buggify(BuggifyMode::AllSites)
                .build();
            sim.run(async {
                let a = spawn(spawn_join());
                let b = spawn(maybe_slow());
                (a.await.unwrap(), b.await.unwrap())
            })
            .unwrap();
            (sim.fingerprint(), sim.trace().map(|t| t.to_string()))
        };
        let (plain, none) = run(false);
        let (traced_fp, text) = run(true);
        assert!(none.is_none());
        assert_eq!(
            plain, traced_fp,
            "seed {seed}: a trace must not change the run"
        );
        assert_eq!(run(true).1, text, "seed {seed}: the same trace every time");
    }
}

/// Fails in a child process of this test binary (see `common::run_child`).
#[detsim::sim_test(seed = 1)]
async fn traced_failure_fixture() {
    if !common::is_child() {
        return;
    }
    let t = task::Builder::new().name("checker").spawn(async {
        time::sleep(Duration::from_millis(7)).await;
        panic!("the invariant broke");
    });
    t.await.unwrap();
}

#[test]
fn detsim_trace_puts_the_end_of_the_trace_in_the_failure_report() {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["traced_failure_fixture", "--exact", "--nocapture"])
        .env("DETSIM_TEST_CHILD", "1")
        .env("DETSIM_TRACE", "1")
        .env_remove("DETSIM_SEED")
        .env_remove("DETSIM_SEEDS")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    let tail = stderr
        .split_once("  trace (the last ")
        .map(|(_, t)| t)
        .unwrap_or_else(|| panic!("no trace in the report:\n{stderr}"));
    assert!(
        tail.contains("+0.007000000s main     task 1 'checker'   panicked"),
        "{tail}"
    );
}
