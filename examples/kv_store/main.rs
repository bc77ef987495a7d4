//! The detsim demo: a replicated key-value store with a planted bug that
//! only faults reveal, found by a seed sweep and replayed exactly.
//!
//! Three nodes elect a leader (a small Raft), replicate puts over
//! `detsim::net` TCP and keep their logs on `detsim::fs`, syncing before
//! they answer. A seeded fault schedule crashes and restarts nodes, cuts
//! them off and slows the network while a client writes; a checker then
//! reads every acknowledged put back. The buggy store acknowledges a put
//! before a majority has it, so a crash or partition of the leader at the
//! wrong moment loses an acknowledged write.
//!
//! ```text
//! cargo run --release --example kv_store                 # sweep seeds until the bug shows
//! cargo run --release --example kv_store -- --seeds 5000 # a bigger sweep
//! cargo run --release --example kv_store -- --seed 0x2a  # replay one seed, with its trace
//! cargo run --release --example kv_store -- --fixed      # the fixed store passes the sweep
//! ```

#[path = "../common/args.rs"]
mod args;
mod cluster;
mod node;
#[path = "../common/out.rs"]
mod out;
mod storage;
mod wire;

use out::say;
use std::process::ExitCode;

use detsim::{Failure, TraceKind};

/// How many events of a replayed run's trace to show.
const TRACE_TAIL: usize = 30;

const USAGE: &str = "usage: kv_store [--seeds N | --seed S] [--fixed]
  --seeds N  sweep seeds 0..N, stopping at the first failure (default 1000)
  --seed S   replay one seed (decimal or 0x-hex) and show the end of its trace
  --fixed    run the store that acknowledges a put only once a majority has it";

fn print_story(outcome: &cluster::Outcome) {
    say!("what happened (the faults come from the seed):");
    for (at, what) in &outcome.story {
        say!("  {:<14} {what}", at.to_string());
    }
    let Some(trace) = &outcome.trace else { return };
    let tail = trace
        .without(&[TraceKind::Poll, TraceKind::Draw])
        .tail(TRACE_TAIL);
    say!("the trace's last {TRACE_TAIL} events (polls and draws left out):");
    for line in tail.lines() {
        say!("  {line}");
    }
}

fn sweep(seeds: u64, fixed: bool) -> ExitCode {
    let store = if fixed {
        "the fixed store (acknowledges a put once a majority has synced it)"
    } else {
        "a store with a planted bug (acknowledges a put before a majority has it)"
    };
    say!("detsim demo: a 3-node replicated key-value store, {store}");
    say!(
        "sweeping seeds 0..{seeds}: each seed is one run of {} s of virtual time with its own \
         crashes, partitions and latency spikes",
        cluster::CHAOS.as_secs()
    );
    let started = std::time::Instant::now(); // determinism: ok (the sweep's wall time, for seeds/s)
    let mut totals = cluster::Stats::default();
    for seed in 0..seeds {
        let outcome = cluster::run(seed, fixed, false);
        let failure = match outcome.result {
            Ok(stats) => {
                totals.acked += stats.acked;
                totals.unknown += stats.unknown;
                totals.faults += stats.faults;
                continue;
            }
            Err(failure) => failure,
        };
        let secs = started.elapsed().as_secs_f64();
        say!(
            "  seed {seed} ({seed:#x}) failed, after {} seeds in {secs:.2} s ({:.0} seeds/s)\n",
            seed + 1,
            (seed + 1) as f64 / secs
        );
        say!("{failure}\n");
        replay_after_sweep(seed, fixed, &failure);
        return ExitCode::FAILURE;
    }
    let secs = started.elapsed().as_secs_f64();
    say!(
        "  {seeds} seeds in {secs:.2} s ({:.0} seeds/s): {} faults injected, {} puts acknowledged, \
         {} failed or timed out",
        seeds as f64 / secs,
        totals.faults,
        totals.acked,
        totals.unknown
    );
    say!("  every acknowledged put was readable after the faults, and no term had two leaders");
    ExitCode::SUCCESS
}

/// Replays a failing seed in-process, with its trace, and says whether it
/// failed the same way.
fn replay_after_sweep(seed: u64, fixed: bool, failure: &Failure) {
    let again = cluster::run(seed, fixed, true);
    let same = again.result.as_ref().err().map(Failure::message) == Some(failure.message())
        && again.fingerprint == failure.fingerprint();
    say!(
        "replayed seed {seed:#x} with tracing on: {}",
        if same {
            "same failure, same fingerprint"
        } else {
            "DIFFERENT (nondeterminism!)"
        }
    );
    print_story(&again);
    say!(
        "\nreplay it yourself (the same run, every time):\n  {}",
        args::replay_command("kv_store", seed, fixed)
    );
}

fn replay(seed: u64, fixed: bool) -> ExitCode {
    let outcome = cluster::run(seed, fixed, true);
    say!("seed {seed:#x}, fingerprint {}", outcome.fingerprint);
    print_story(&outcome);
    match &outcome.result {
        Ok(stats) => {
            say!(
                "\nseed {seed:#x} passed: {} faults, {} puts acknowledged, all readable afterwards",
                stats.faults,
                stats.acked
            );
            ExitCode::SUCCESS
        }
        Err(failure) => {
            say!("\n{failure}");
            ExitCode::FAILURE
        }
    }
}

fn main() -> ExitCode {
    args::dispatch(USAGE, sweep, replay)
}
