//! The determinism check of a long run: it keeps bounded memory, and still
//! names the exact first event where two runs differ, wherever it is (in
//! the first window of events, past it, or in the last one); when it
//! cannot (the program does not repeat its first run), it says so and names
//! the window.
//!
//! The nondeterminism is planted by the test: the closure that makes each
//! run's future counts its calls, and odd-numbered runs take a different
//! turn at one chosen round.

use std::cell::Cell;
use std::time::Duration;

use detsim::{Failure, Sim, task, time, yield_now};

#[path = "common/heap.rs"]
mod heap;

use heap::peak_bytes;

/// Two named tasks taking `rounds` turns each (a poll and a scheduling
/// draw or two per turn); when `odd`, the ticker sleeps a nanosecond at
/// round `at` instead of yielding.
async fn planted(rounds: u32, at: u32, odd: bool) {
    let ticker = task::Builder::new().name("ticker").spawn(async move {
        for i in 0..rounds {
            if odd && i == at {
                time::sleep(Duration::from_nanos(1)).await;
            } else {
                yield_now().await;
            }
        }
    });
    let tocker = task::Builder::new().name("tocker").spawn(async move {
        for _ in 0..rounds {
            yield_now().await;
        }
    });
    ticker.await.unwrap();
    tocker.await.unwrap();
}

/// Checks seed 7 of `planted`, where the runs numbered by `odd` take the
/// other turn; returns the failure and how many runs the check made.
fn check(rounds: u32, at: u32, odd: impl Fn(u32) -> bool) -> (Failure, u32) {
    let runs = Cell::new(0);
    let failure = Sim::builder()
        .seed(7)
        .check_determinism(|| {
            runs.set(runs.get() + 1);
            planted(rounds, at, odd(runs.get()))
        })
        .expect_err("the planted nondeterminism was not caught");
    assert!(failure.is_nondeterminism(), "{failure}");
    (failure, runs.get())
}

#[test]
fn a_divergence_past_the_first_window_is_named_exactly() {
    // Round 2000 of 5000: about event 10,000 of 25,000, past the first
    // window (4096 events) and before the last.
    let (failure, runs) = check(5000, 2000, |run| run % 2 == 1);
    let d = failure.divergence().unwrap();
    assert!(d.is_exact(), "{failure}");
    assert_eq!(d.event_range(), d.event_index()..d.event_index() + 1);
    assert!(d.event_index() > 4096, "{failure}");
    assert_eq!(runs, 3, "a third run logged the first run's window");
    // The very report a comparison of every event makes.
    insta::assert_snapshot!(d.to_string(), @r"
      the runs diverged at event 7809 (after 3903 draws), virtual time +0ns, in task 2 'tocker' on node 'main':
        first run:  polled task 2
        second run: drew 1 of 0..2 for which task runs next
    ");
}

#[test]
fn a_divergence_in_the_first_or_last_window_takes_two_runs() {
    for (at, what) in [(10, "first window"), (4990, "last window")] {
        let (failure, runs) = check(5000, at, |run| run % 2 == 1);
        let d = failure.divergence().unwrap();
        assert!(d.is_exact(), "{what}: {failure}");
        assert_eq!(runs, 2, "{what}: the first run kept those events");
    }
    let (failure, _) = check(5000, 4990, |run| run % 2 == 1);
    insta::assert_snapshot!(failure.divergence().unwrap().to_string(), @r"
      the runs diverged at event 19809 (after 9903 draws), virtual time +0ns, in task 2 'tocker' on node 'main':
        first run:  polled task 2
        second run: drew 1 of 0..2 for which task runs next
    ");
}

#[test]
fn a_first_run_that_does_not_repeat_is_reported_as_a_window() {
    // Only the first run takes the other turn (a global set by it, say):
    // the third run repeats the second, so the first run's events are not
    // known. The report names the window holding the exact event.
    let (exact, _) = check(5000, 2000, |run| run % 2 == 1);
    let exact = exact.divergence().unwrap().event_index();
    let (failure, runs) = check(5000, 2000, |run| run == 1);
    assert_eq!(runs, 3);
    let d = failure.divergence().unwrap();
    assert!(!d.is_exact(), "{failure}");
    assert!(d.event_range().contains(&exact), "{failure}");
    assert!(d.event_range().len() <= 4096, "{failure}");
    insta::assert_snapshot!(d.to_string(), @r"
      the runs diverged in events 4096..8192 (the first run did not repeat itself when run again to log them, so the exact event is unknown); at event 4096 (after 2047 draws), virtual time +0ns, the second run was in task 1 'ticker' on node 'main':
        first run:  (not kept)
        second run: polled task 1
    ");
}

#[test]
fn checking_two_million_events_keeps_bounded_memory() {
    // About 2.5 million events: keeping them all, as a comparison of every
    // event would, is 72 bytes each, twice (some 360 MB).
    let rounds = 500_000;
    let checked = || {
        peak_bytes(|| {
            Sim::builder()
                .seed(3)
                .no_step_limit()
                .check_determinism(|| planted(rounds, 0, false))
                .unwrap();
        })
        .1
    };
    // What two plain runs alive at once hold (each its tape of draws),
    // as the check's first two runs are.
    let plain = || {
        peak_bytes(|| {
            let mut a = Sim::builder().seed(3).no_step_limit().build();
            a.run(planted(rounds, 0, false)).unwrap();
            let mut b = Sim::builder().seed(3).no_step_limit().build();
            b.run(planted(rounds, 0, false)).unwrap();
            (a.steps(), b.fingerprint() == a.fingerprint())
        })
    };
    // Warm up this thread's spare buffers, so both measures start alike.
    checked();
    let ((steps, same), plain) = plain();
    assert!(same && steps > 1_000_000, "{steps} steps");
    let checked = checked();
    // Beyond that, the check holds a few windows of 4096 events (72 bytes
    // each) and one word per window.
    assert!(
        checked < plain + 2_000_000,
        "two plain runs {plain} B, checked {checked} B"
    );
    eprintln!("peak heap over {steps} steps: two plain runs {plain} B, checked {checked} B");
}
