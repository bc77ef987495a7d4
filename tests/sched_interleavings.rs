//! Scheduling policies explore interleavings: 5 tasks × (3 yields + 1)
//! steps give (almost) a new order per seed under Random, exactly one order
//! under Fifo, and PCT finds ordering bugs.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use detsim::{Scheduler, Sim, spawn, yield_now};

fn step_sequence(scheduler: Scheduler, seed: u64) -> Vec<(u32, u32)> {
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut sim = Sim::builder().seed(seed).scheduler(scheduler).build();
    let l = log.clone();
    sim.run(async move {
        let tasks: Vec<_> = (0..5u32)
            .map(|t| {
                let log = l.clone();
                spawn(async move {
                    for step in 0..4u32 {
                        log.lock().unwrap().push((t, step));
                        if step < 3 {
                            yield_now().await;
                        }
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
    })
    .unwrap();
    let seq = log.lock().unwrap().clone();
    assert_eq!(seq.len(), 20);
    seq
}

#[test]
fn random_scheduling_gives_95_or_more_distinct_sequences_in_100_seeds() {
    let distinct: BTreeSet<_> = (0..100)
        .map(|seed| step_sequence(Scheduler::Random, seed))
        .collect();
    assert!(distinct.len() >= 95, "{} distinct", distinct.len());
}

#[test]
fn fifo_scheduling_gives_exactly_one_sequence() {
    let distinct: BTreeSet<_> = (0..100)
        .map(|seed| step_sequence(Scheduler::Fifo, seed))
        .collect();
    assert_eq!(distinct.len(), 1);
    let only = distinct.into_iter().next().unwrap();
    // Round robin: every task takes step 0, then step 1, ...
    let round_robin: Vec<_> = (0..4).flat_map(|s| (0..5).map(move |t| (t, s))).collect();
    assert_eq!(only, round_robin);
}

#[test]
fn pct_explores_many_orders_too() {
    let distinct: BTreeSet<_> = (0..100)
        .map(|seed| step_sequence(Scheduler::Pct { depth: 3 }, seed))
        .collect();
    assert!(distinct.len() >= 20, "{} distinct", distinct.len());
}

/// An order violation of depth 1: the reader must run before the writer's
/// first step. PCT with depth 1 just needs the right priorities.
#[test]
fn pct_finds_an_order_violation() {
    let buggy = |scheduler, seed| {
        let mut sim = Sim::builder().seed(seed).scheduler(scheduler).build();
        sim.run(async {
            let slot = Arc::new(Mutex::new(None::<u32>));
            let s = slot.clone();
            let writer = spawn(async move {
                *s.lock().unwrap() = Some(1);
            });
            let s = slot.clone();
            let reader = spawn(async move { s.lock().unwrap().is_none() });
            writer.await.unwrap();
            reader.await.unwrap() // true: read before write, the bug
        })
        .unwrap()
    };
    assert!((0..50).any(|seed| buggy(Scheduler::Pct { depth: 1 }, seed)));
    assert!((0..50).any(|seed| !buggy(Scheduler::Pct { depth: 1 }, seed)));
    assert!(!buggy(Scheduler::Fifo, 0), "fifo runs the writer first");
}
