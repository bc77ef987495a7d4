//! The detsim demo: a seed sweep that finds a real concurrency bug.
//!
//! A ticket booth sells `SEATS` seats to more buyers than that. Each buyer
//! checks that a seat is left, pays (which takes a while: an `.await`), and
//! only then takes the seat. Check-then-act across an await is an atomicity
//! violation: two buyers can both see the last seat. Whether they do depends
//! on the interleaving, which is exactly what a seed decides.
//!
//! ```text
//! cargo run --release --example ticket_booth                 # sweep seeds 0..1000
//! cargo run --release --example ticket_booth -- --seeds 5000 # a bigger sweep
//! cargo run --release --example ticket_booth -- --seed 0x2a  # replay one seed, with its story
//! cargo run --release --example ticket_booth -- --fixed      # the fixed booth passes the sweep
//! ```

#[path = "common/args.rs"]
mod args;
#[path = "common/out.rs"]
mod out;

use out::say;
use std::collections::BTreeSet;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use detsim::time::{self, Instant};
use detsim::{Failure, Fingerprint, Sim, rand, task};

const USAGE: &str = "usage: ticket_booth [--seeds N | --seed S] [--fixed]
  --seeds N  sweep seeds 0..N (default 1000)
  --seed S   replay one seed (decimal or 0x-hex) and tell its story
  --fixed    use the booth that reserves the seat before paying";

const SEATS: u32 = 10;
const BUYERS: u32 = 12;
const ARRIVALS_MS: u64 = 4_000;

#[derive(Default)]
struct Booth {
    sold: u32,
    /// Seats promised but not yet paid for (the fixed booth reserves).
    reserved: u32,
    story: Vec<String>,
}

fn note(booth: &Mutex<Booth>, line: String) {
    let at = Instant::now().since_start().as_millis();
    booth
        .lock()
        .unwrap()
        .story
        .push(format!("{at:>5} ms  {line}"));
}

async fn buyer(id: u32, booth: Arc<Mutex<Booth>>, fixed: bool) {
    // Buyers arrive over a few seconds and take 5–25 ms to pay.
    time::sleep(Duration::from_millis(rand::gen_range(0..ARRIVALS_MS))).await;
    let me = format!("buyer-{id}");
    let available = {
        let mut b = booth.lock().unwrap();
        let left = SEATS.saturating_sub(b.sold + b.reserved);
        if fixed && left > 0 {
            b.reserved += 1; // the fix: take the seat before awaiting
        }
        left > 0
    };
    if !available {
        note(&booth, format!("{me} finds the booth sold out"));
        return;
    }
    note(&booth, format!("{me} sees a free seat and starts paying"));
    time::sleep(Duration::from_millis(rand::gen_range(5..25))).await;
    let mut b = booth.lock().unwrap();
    if fixed {
        b.reserved -= 1;
    }
    b.sold += 1;
    let sold = b.sold;
    drop(b);
    note(&booth, format!("{me} paid: seat {sold} of {SEATS} sold"));
}

/// One simulated sale; fails (panics) if more seats are sold than exist.
async fn sale(booth: Arc<Mutex<Booth>>, fixed: bool) {
    let mut buyers = Vec::new();
    for id in 0..BUYERS {
        let b = booth.clone();
        buyers.push(
            task::Builder::new()
                .name(format!("buyer-{id}"))
                .spawn(buyer(id, b, fixed)),
        );
    }
    for b in buyers {
        b.await.unwrap();
    }
    let sold = booth.lock().unwrap().sold;
    assert!(
        sold <= SEATS,
        "oversold: {sold} tickets sold for {SEATS} seats"
    );
}

struct Outcome {
    result: Result<(), Failure>,
    fingerprint: Fingerprint,
    story: Vec<String>,
    sim: Sim,
}

fn run(seed: u64, fixed: bool) -> Outcome {
    let booth = Arc::new(Mutex::new(Booth::default()));
    let mut sim = Sim::builder().seed(seed).build();
    let result = sim.run(sale(booth.clone(), fixed));
    let story = std::mem::take(&mut booth.lock().unwrap().story);
    Outcome {
        result,
        fingerprint: sim.fingerprint(),
        story,
        sim,
    }
}

fn sweep(seeds: u64, fixed: bool) -> ExitCode {
    let booth = if fixed { "fixed" } else { "racy" };
    say!(
        "detsim demo: a {booth} ticket booth sells {SEATS} seats to {BUYERS} buyers \
         (check a seat, await payment, then take it)"
    );
    say!("sweeping seeds 0..{seeds}: one schedule per seed, every choice drawn from the seed");
    // determinism: ok (wall time of the sweep itself, for the summary line)
    let started = std::time::Instant::now();
    let mut interleavings = BTreeSet::new();
    let mut failing = Vec::new();
    for seed in 0..seeds {
        let outcome = run(seed, fixed);
        interleavings.insert(outcome.fingerprint);
        if let Err(f) = outcome.result {
            failing.push((seed, f));
        }
    }
    let secs = started.elapsed().as_secs_f64();
    say!(
        "  {seeds} seeds in {secs:.2} s ({:.0} seeds/s): {} distinct interleavings",
        seeds as f64 / secs,
        interleavings.len()
    );
    let Some((seed, failure)) = failing.first() else {
        say!("  the invariant \"sold <= {SEATS}\" held on every seed");
        return ExitCode::SUCCESS;
    };
    say!(
        "  the invariant \"sold <= {SEATS}\" broke on {} of {seeds} seeds; the first is seed {seed} ({seed:#x})\n",
        failing.len()
    );
    say!("{failure}\n");
    // The seed is the whole schedule: running it again fails identically.
    let again = run(*seed, fixed);
    let same = again.result.as_ref().err().map(Failure::message) == Some(failure.message())
        && again.fingerprint == failure.fingerprint();
    say!(
        "replayed seed {seed:#x}: {}",
        if same {
            "same failure, same fingerprint"
        } else {
            "DIFFERENT (nondeterminism!)"
        }
    );
    say!(
        "see how it happened:\n  {}",
        args::replay_command("ticket_booth", *seed, fixed)
    );
    ExitCode::FAILURE
}

fn replay(seed: u64, fixed: bool) -> ExitCode {
    let outcome = run(seed, fixed);
    say!("seed {seed:#x}: what happened, in virtual time\n");
    for line in &outcome.story {
        say!("  {line}");
    }
    match outcome.result {
        Ok(()) => {
            say!("\nno oversell on this seed\n  {}", outcome.sim.report());
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
