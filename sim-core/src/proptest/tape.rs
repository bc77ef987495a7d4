//! A proptest strategy for tapes.

use proptest::prelude::*;

use crate::Tape;

/// Tapes of up to `max_len` draws, biased to small values: most draws are
/// below 4 (the first few runnable tasks, the earliest timers), some below
/// 64, a few anywhere in `u64` (a latency, a random number, a PCT
/// priority). Shrinking drops draws and moves each toward zero, the
/// simplest choice, so a failing tape shrinks toward the plainest schedule
/// that still fails.
///
/// Run a case with [`builder`](super::builder) (which makes every draw
/// past the tape's end a zero) and [`check`](fn@super::check).
///
/// ```
/// use proptest::strategy::{Strategy, ValueTree};
/// use proptest::test_runner::TestRunner;
/// let mut runner = TestRunner::deterministic();
/// let tape = detsim::proptest::tapes(64).new_tree(&mut runner).unwrap().current();
/// assert!(tape.len() <= 64);
/// ```
pub fn tapes(max_len: usize) -> impl Strategy<Value = Tape> {
    let draw = prop_oneof![
        6 => 0..4u64,
        3 => 0..64u64,
        1 => any::<u64>(),
    ];
    proptest::collection::vec(draw, 0..=max_len).prop_map(Tape::new)
}
