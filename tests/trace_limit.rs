//! The trace keeps the last `trace_limit` events: a long traced run holds a
//! bounded trace, the trace says how many earlier events it dropped, the
//! limit changes nothing about the run, and with tracing off nothing is
//! kept at all.

use detsim::{Sim, TraceKind, spawn, yield_now};

#[path = "common/heap.rs"]
mod heap;

use heap::peak_bytes;

/// Three tasks taking `rounds` turns each: polls, scheduling draws and
/// finishes, a few events per round.
async fn busy(rounds: u32) {
    let tasks: Vec<_> = (0..3)
        .map(|_| {
            spawn(async move {
                for _ in 0..rounds {
                    yield_now().await;
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
}

fn traced(seed: u64, limit: usize, rounds: u32) -> Sim {
    let mut sim = Sim::builder()
        .seed(seed)
        .trace(true)
        .trace_limit(limit)
        .build();
    sim.run(busy(rounds)).unwrap();
    sim
}

#[test]
fn a_trace_over_its_limit_keeps_exactly_the_last_events() {
    let full = traced(3, usize::MAX, 200).trace().unwrap();
    assert_eq!(full.dropped(), 0);
    assert!(full.len() > 500, "{} events", full.len());
    for limit in [1, 2, 50, 499] {
        let kept = traced(3, limit, 200).trace().unwrap();
        assert_eq!(kept.len(), limit);
        assert_eq!(kept.dropped(), (full.len() - limit) as u64);
        let texts = |t: &detsim::Trace| -> Vec<String> {
            t.lines().iter().map(|l| l.text().to_owned()).collect()
        };
        assert_eq!(texts(&kept), texts(&full.tail(limit)), "limit {limit}");
        if limit > 1 {
            // The same lines as the end of the whole trace, node and task
            // names included, though the spawns were dropped (a lone
            // event about a task that did not run in the window cannot
            // know its node).
            assert_eq!(kept.lines(), full.tail(limit).lines(), "limit {limit}");
        }
    }
    // Under the limit, nothing is dropped.
    let all = traced(3, full.len(), 200).trace().unwrap();
    assert_eq!((all.len(), all.dropped()), (full.len(), 0));
}

#[test]
fn a_trace_that_dropped_events_says_so_first() {
    let trace = traced(1, 6, 2).trace().unwrap().without(&[TraceKind::Draw]);
    // Task 2's node is unknown: the window starts with its last event.
    insta::assert_snapshot!(trace.to_string(), @r"
    ... 21 earlier events dropped; raise trace_limit
    +0.000000000s -        task 2             returned
    +0.000000000s main     task 1             poll
    +0.000000000s main     task 1             poll
    +0.000000000s main     task 1             returned
    +0.000000000s main     task 0 'main'      poll
    +0.000000000s main     task 0 'main'      returned
    ");
}

#[test]
fn the_limit_changes_nothing_about_the_run() {
    for seed in 0..30 {
        let run = |trace: bool, limit: usize| {
            let mut sim = Sim::builder()
                .seed(seed)
                .trace(trace)
                .trace_limit(limit)
                .build();
            sim.run(busy(20)).unwrap();
            (sim.fingerprint(), sim.steps())
        };
        let off = run(false, 1);
        assert_eq!(off, run(false, 1), "seed {seed} twice");
        assert_eq!(off, run(true, 1), "seed {seed}");
        assert_eq!(off, run(true, 10), "seed {seed}");
        assert_eq!(off, run(true, usize::MAX), "seed {seed}");
    }
}

#[test]
fn memory_is_bounded_by_the_limit_and_nothing_is_kept_with_tracing_off() {
    let rounds = 20_000;
    let run = |trace: bool, limit: usize| {
        peak_bytes(|| {
            let mut sim = Sim::builder()
                .seed(5)
                .trace(trace)
                .trace_limit(limit)
                .build();
            sim.run(busy(rounds)).unwrap();
            sim.steps()
        })
    };
    // Warm up this thread's spare buffers (the executor keeps some between
    // simulations), so every measured run starts alike.
    run(false, usize::MAX);
    let (steps, off) = run(false, usize::MAX);
    let (_, limited) = run(true, 1_000);
    let (_, unlimited) = run(true, usize::MAX);
    let events = traced(5, usize::MAX, rounds).trace().unwrap().len();
    assert!(events > 50_000, "{events} events");
    // Tracing off keeps no log: its peak is the simulation's own, and a
    // small limit adds little to it.
    assert!(limited < off + 200_000, "off {off} B, limited {limited} B");
    // Unlimited grows with the run: at least 16 bytes per event.
    assert!(
        unlimited > off + 16 * events,
        "off {off} B, unlimited {unlimited} B, {events} events"
    );
    eprintln!(
        "peak heap: off {off} B, limit 1000 {limited} B, unlimited {unlimited} B over {events} \
         events ({steps} steps): {} B per event",
        (unlimited - off) / events
    );
}
