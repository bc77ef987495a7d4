//! `detsim::log`: `tracing` events stamped with virtual time, node and task
//! read as a story, are identical on every replay, and never change a run.

use std::io;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use detsim::log::SimStamp;
use detsim::node::Node;
use detsim::{Sim, rand, task, time, yield_now};
use tracing::{debug, info, info_span, trace, warn};
use tracing_subscriber::fmt::MakeWriter;

/// An in-memory log sink shared with the subscriber.
#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Buffer {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

impl io::Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Buffer {
    type Writer = Buffer;

    fn make_writer(&'a self) -> Buffer {
        self.clone()
    }
}

/// Runs `f` with a subscriber that stamps events with [`SimStamp`] and
/// writes them (every level, no colours) into a buffer; returns the text.
fn capture(f: impl FnOnce()) -> String {
    let buffer = Buffer::default();
    let subscriber = tracing_subscriber::fmt()
        .with_timer(SimStamp)
        .with_ansi(false)
        .with_max_level(tracing::Level::TRACE)
        .with_writer(buffer.clone())
        .finish();
    tracing::subscriber::with_default(subscriber, f);
    buffer.text()
}

/// A database node that recovers and compacts, an API node that serves,
/// and a crash in the middle. Every event has its own virtual instant, so
/// the story is the same whatever the schedule.
async fn cluster() {
    info!(target: "cluster", "starting");
    let db = Node::builder("db")
        .init(|| async {
            time::sleep(Duration::from_millis(100)).await;
            info!(target: "db", "recovered from disk");
            let compactor = task::Builder::new().name("compactor").spawn(async {
                for round in 1..=2u32 {
                    time::sleep(Duration::from_secs(1)).await;
                    let span = info_span!("compaction", round);
                    let _entered = span.enter();
                    debug!(target: "db", segments = 4 * round, "compacting");
                }
            });
            compactor.await.unwrap();
            info!(target: "db", "compactor finished");
        })
        .build();
    let api = Node::builder("api").build();
    let server = task::Builder::new().name("server").node(&api).spawn(async {
        time::sleep(Duration::from_millis(250)).await;
        info!(target: "api", port = 8080, "listening");
        time::sleep(Duration::from_millis(1000)).await;
        warn!(target: "api", peer = "db", "slow request took 3ms");
    });
    let background = api.spawn(async {
        time::sleep(Duration::from_millis(1500)).await;
        trace!(target: "api", "unnamed background job ran");
    });
    server.await.unwrap();
    background.await.unwrap();
    time::sleep_until(time::Instant::ZERO + Duration::from_millis(2500)).await;
    db.kill();
    info!(target: "cluster", "killed db");
    time::sleep(Duration::from_millis(50)).await;
    db.restart();
    info!(target: "cluster", "restarted db");
    time::sleep(Duration::from_millis(200)).await;
    db.kill();
    info!(target: "cluster", "done");
}

fn story(seed: u64) -> String {
    capture(|| {
        info!("before the simulation");
        let mut sim = Sim::builder().seed(seed).build();
        sim.run(cluster()).unwrap();
        drop(sim);
        info!("after the simulation");
    })
}

#[test]
fn a_simulation_logs_a_story_in_virtual_time() {
    let text = story(1);
    insta::assert_snapshot!(text);
    // The story does not depend on the schedule: every event has its own
    // instant, node and task.
    for seed in 2..20 {
        assert_eq!(story(seed), text, "seed {seed}");
    }
}

#[test]
fn an_event_outside_a_simulation_is_stamped_as_such() {
    let text = capture(|| info!(answer = 42, "no simulation here"));
    assert_eq!(
        text,
        "(outside simulation)  INFO log_tracing: no simulation here answer=42\n"
    );
    assert_eq!(SimStamp.to_string(), "(outside simulation)");
}

/// Tasks that draw, yield, sleep and log at every level inside spans.
async fn noisy_workload() -> u64 {
    let mut tasks = Vec::new();
    for i in 0..4u64 {
        let node = Node::builder(format!("n{i}")).build();
        tasks.push(
            task::Builder::new()
                .name(format!("worker-{i}"))
                .node(&node)
                .spawn(async move {
                    let span = info_span!("worker", i);
                    let mut sum = 0;
                    for step in 0..5u64 {
                        {
                            let _entered = span.enter();
                            trace!(step, "step");
                            debug!(sum, "sum so far");
                        }
                        if rand::gen_bool(0.5) {
                            yield_now().await;
                        }
                        time::sleep(Duration::from_micros(rand::gen_range(0..100))).await;
                        sum += step * i;
                        info!(sum, "slept");
                    }
                    warn!(sum, "done");
                    sum
                }),
        );
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap();
    }
    total
}

#[test]
fn logging_on_or_off_gives_the_same_fingerprint() {
    let run = |seed: u64| {
        let mut sim = Sim::builder().seed(seed).build();
        let out = sim.run(noisy_workload()).unwrap();
        (out, sim.fingerprint(), sim.tape(), sim.now())
    };
    for seed in 0..200 {
        let off =
            tracing::subscriber::with_default(tracing::subscriber::NoSubscriber::default(), || {
                run(seed)
            });
        let mut on = None;
        let text = capture(|| on = Some(run(seed)));
        assert!(text.contains("node=n3 task=4 'worker-3'"), "{text}");
        assert_eq!(on.unwrap(), off, "seed {seed}");
    }
}

#[test]
fn init_twice_does_not_panic() {
    detsim::log::init();
    assert!(tracing::dispatcher::has_been_set());
    assert!(!detsim::log::init());
    assert!(!detsim::log::init_from_env());
    // Events after init go to the global subscriber without trouble.
    let mut sim = Sim::builder().build();
    sim.run(async { info!("logged through the global subscriber") })
        .unwrap();
}

/// A library that logs with the `log` crate (not `tracing`) inside a
/// simulation: after `init()`, its records read like every other line,
/// stamped with virtual time, node and task. Run in a child process, since
/// `init()` installs process-wide loggers.
#[test]
fn records_of_the_log_crate_are_stamped_too() {
    if std::env::var_os("DETSIM_TEST_CHILD").is_some() {
        assert!(detsim::log::init());
        let mut sim = Sim::builder().build();
        sim.run(async {
            detsim::time::sleep(std::time::Duration::from_millis(1500)).await;
            log::info!(target: "legacy_lib", "hello from the log crate");
        })
        .unwrap();
        return;
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "records_of_the_log_crate_are_stamped_too",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("DETSIM_TEST_CHILD", "1")
        .env("RUST_LOG", "info")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    // libtest's own "test x ... " may precede the line (--nocapture).
    let line = "+1.500000000s node=main task=0 'main'  INFO legacy_lib: hello from the log crate";
    assert!(
        stdout.lines().any(|l| l.ends_with(line)),
        "no such line from the log crate in:\n{stdout}"
    );
}
