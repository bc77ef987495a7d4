//! Same seed, same run: 500 seeds × 2 runs of a workload that mixes every
//! source of scheduling choice give identical fingerprints, tapes, outputs
//! and virtual end times; different seeds give different runs.

use std::collections::BTreeSet;
use std::time::Duration;

use detsim::task::JoinSet;
use detsim::{Sim, rand, spawn, time, yield_now};
use futures::channel::mpsc;
use futures::{SinkExt, StreamExt};

/// spawn, yield, sleep, timeout, abort, JoinSet, a channel, random draws.
async fn workload() -> Vec<u64> {
    let (tx, mut rx) = mpsc::channel::<u64>(2);
    let mut producers = JoinSet::new();
    for p in 0..4u64 {
        let mut tx = tx.clone();
        producers.spawn(async move {
            for i in 0..5u64 {
                if rand::gen_bool(0.5) {
                    yield_now().await;
                }
                time::sleep(Duration::from_micros(rand::gen_range(0..50))).await;
                tx.send(p * 100 + i).await.unwrap();
            }
        });
    }
    drop(tx);
    let sleeper = spawn(async { time::sleep(Duration::from_secs(3600)).await });
    let slow = spawn(async {
        time::sleep(Duration::from_millis(5)).await;
        7u64
    });
    let raced = time::timeout(Duration::from_millis(2), slow).await;
    let mut seen = Vec::new();
    while let Some(v) = rx.next().await {
        seen.push(v);
    }
    while let Some(r) = producers.join_next().await {
        r.unwrap();
    }
    sleeper.abort();
    assert!(sleeper.await.unwrap_err().is_cancelled());
    seen.push(u64::from(raced.is_err()));
    seen
}

#[test]
fn five_hundred_seeds_run_twice_give_identical_fingerprints() {
    let mut distinct = BTreeSet::new();
    for seed in 0..500 {
        let mut a = Sim::builder().seed(seed).build();
        let out_a = a.run(workload()).unwrap();
        let mut b = Sim::builder().seed(seed).build();
        let out_b = b.run(workload()).unwrap();
        assert_eq!(a.fingerprint(), b.fingerprint(), "seed {seed}");
        assert_eq!(a.tape(), b.tape(), "seed {seed}");
        assert_eq!(out_a, out_b, "seed {seed}");
        assert_eq!(a.now(), b.now(), "seed {seed}");
        assert_eq!(a.steps(), b.steps(), "seed {seed}");
        distinct.insert(a.fingerprint());
    }
    assert!(
        distinct.len() >= 495,
        "only {} distinct runs",
        distinct.len()
    );
}

#[test]
fn replaying_a_tape_reproduces_the_run_under_any_seed() {
    for seed in 0..50 {
        let mut original = Sim::builder().seed(seed).build();
        let out = original.run(workload()).unwrap();
        let mut replay = Sim::builder()
            .seed(seed + 1_000)
            .tape(original.tape())
            .build();
        assert_eq!(replay.run(workload()).unwrap(), out, "seed {seed}");
        assert_eq!(replay.fingerprint(), original.fingerprint(), "seed {seed}");
    }
}

#[test]
fn an_all_zero_tape_is_the_simplest_run() {
    // Zeros everywhere: FIFO scheduling, the lowest value of every range.
    let zeros = detsim::Tape::new(vec![0; 10_000]);
    let mut a = Sim::builder().seed(1).tape(zeros.clone()).build();
    let mut b = Sim::builder().seed(2).tape(zeros).build();
    let out = a.run(workload()).unwrap();
    assert_eq!(b.run(workload()).unwrap(), out);
    assert_eq!(a.fingerprint(), b.fingerprint());
    assert_eq!(a.tape().nonzero(), 0);
}

/// Nodes that crash, restart and pause, under every scheduler.
async fn cluster() -> u64 {
    use detsim::node::Node;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    let work = Arc::new(AtomicU64::new(0));
    let nodes: Vec<Node> = (0..3)
        .map(|i| {
            let work = work.clone();
            Node::builder(format!("n{i}"))
                .init(move || {
                    let work = work.clone();
                    async move {
                        loop {
                            time::sleep(Duration::from_millis(rand::gen_range(1..20))).await;
                            work.fetch_add(1, Ordering::Relaxed);
                            yield_now().await;
                        }
                    }
                })
                .build()
        })
        .collect();
    for round in 0..6 {
        time::sleep(Duration::from_millis(rand::gen_range(5..50))).await;
        let n = *rand::choose(&nodes).unwrap();
        match round % 3 {
            0 => n.kill(),
            1 => n.restart(),
            _ => {
                n.pause();
                time::sleep(Duration::from_millis(7)).await;
                n.resume();
            }
        }
    }
    nodes.iter().for_each(Node::kill);
    work.load(Ordering::Relaxed)
}

#[test]
fn nodes_and_every_scheduler_replay_identically_over_200_seeds() {
    for scheduler in [
        detsim::Scheduler::Random,
        detsim::Scheduler::Fifo,
        detsim::Scheduler::Pct { depth: 3 },
    ] {
        let mut distinct = BTreeSet::new();
        for seed in 0..200 {
            let run = || {
                let mut sim = Sim::builder().seed(seed).scheduler(scheduler).build();
                let out = sim.run(cluster()).unwrap();
                (out, sim.fingerprint(), sim.now(), sim.steps())
            };
            let first = run();
            assert_eq!(first, run(), "seed {seed} under {scheduler}");
            distinct.insert(first.1);
        }
        assert!(
            distinct.len() >= 190,
            "{scheduler}: {} distinct",
            distinct.len()
        );
    }
}
