//! Delta debugging over a tape: the search, independent of how a
//! candidate is run.
//!
//! Candidates are ordered by how complex the run they describe is: first
//! the number of non-zero draws, then the length up to the last non-zero
//! draw, then the draws themselves (lexicographically). A candidate is kept
//! only if it fails the same way *and* the tape its run actually consumed
//! is simpler than the current one in that order; the order is
//! well-founded, so the search always ends, and it makes no choice of its
//! own, so the same input gives the same output.

use std::cmp::Ordering;

/// The tape without its trailing zeros (which the shrinker's zero padding
/// makes equivalent to no draws at all).
pub(crate) fn trim(mut draws: Vec<u64>) -> Vec<u64> {
    while draws.last() == Some(&0) {
        draws.pop();
    }
    draws
}

/// `a` is simpler than `b` (both trimmed).
pub(crate) fn simpler(a: &[u64], b: &[u64]) -> bool {
    let nonzero = |t: &[u64]| t.iter().filter(|&&d| d != 0).count();
    match nonzero(a).cmp(&nonzero(b)) {
        Ordering::Less => true,
        Ordering::Greater => false,
        Ordering::Equal => match a.len().cmp(&b.len()) {
            Ordering::Less => true,
            Ordering::Greater => false,
            Ordering::Equal => a < b,
        },
    }
}

/// The oracle the search asks: runs a candidate and, if it fails the same
/// way, returns the tape that run consumed (trimmed). `None`: it passed,
/// failed otherwise, or the budget is spent (see [`Oracle::spent`]).
pub(crate) trait Oracle {
    fn test(&mut self, candidate: &[u64]) -> Option<Vec<u64>>;
    fn spent(&self) -> bool;
}

/// Shrinks `start` (a trimmed tape that fails) as far as the oracle and
/// its budget allow; returns the simplest failing tape found.
pub(crate) fn minimise(start: Vec<u64>, oracle: &mut dyn Oracle) -> Vec<u64> {
    let mut cur = start;
    loop {
        let before = cur.clone();
        zero_chunks(&mut cur, oracle);
        delete_chunks(&mut cur, oracle);
        minimise_draws(&mut cur, oracle);
        if cur == before || oracle.spent() {
            return cur;
        }
    }
}

/// Tries `candidate`; on success makes the consumed tape current.
fn attempt(cur: &mut Vec<u64>, candidate: Vec<u64>, oracle: &mut dyn Oracle) -> bool {
    let candidate = trim(candidate);
    if !simpler(&candidate, cur) || oracle.spent() {
        return false;
    }
    match oracle.test(&candidate) {
        Some(consumed) if simpler(&consumed, cur) => {
            *cur = consumed;
            true
        }
        _ => false,
    }
}

/// Chunk sizes from half the tape down to one draw.
fn sizes(len: usize) -> impl Iterator<Item = usize> {
    std::iter::successors(Some(len.div_ceil(2).max(1)), |&n| (n > 1).then_some(n / 2))
}

/// ddmin's complement step with zeros: set a chunk of draws to zero (the
/// simplest choice each time), largest chunks first.
fn zero_chunks(cur: &mut Vec<u64>, oracle: &mut dyn Oracle) {
    for n in sizes(cur.len()) {
        let mut i = 0;
        while i < cur.len() && !oracle.spent() {
            let end = (i + n).min(cur.len());
            if cur[i..end].iter().any(|&d| d != 0) {
                let mut cand = cur.clone();
                cand[i..end].fill(0);
                attempt(cur, cand, oracle);
            }
            i += n;
        }
    }
}

/// ddmin's deletion step: drop a chunk of draws, so later choices move up
/// to earlier decisions; from the end of the tape back, largest first.
fn delete_chunks(cur: &mut Vec<u64>, oracle: &mut dyn Oracle) {
    for n in sizes(cur.len()) {
        let mut end = cur.len();
        while end > 0 && !oracle.spent() {
            let start = end.saturating_sub(n);
            let mut cand = cur.clone();
            cand.drain(start..end.min(cand.len()));
            attempt(cur, cand, oracle);
            end = start.min(cur.len());
        }
    }
}

/// Each non-zero draw on its own: zero, then halved while that still
/// fails, then (for small draws) decremented.
fn minimise_draws(cur: &mut Vec<u64>, oracle: &mut dyn Oracle) {
    let mut i = 0;
    while i < cur.len() && !oracle.spent() {
        let set = |cur: &Vec<u64>, v: u64| {
            let mut cand = cur.clone();
            cand[i] = v;
            cand
        };
        if cur[i] != 0 && !attempt(cur, set(cur, 0), oracle) {
            while i < cur.len() && cur[i] > 1 && attempt(cur, set(cur, cur[i] / 2), oracle) {}
            while i < cur.len()
                && (1..=8).contains(&cur[i])
                && attempt(cur, set(cur, cur[i] - 1), oracle)
            {}
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fails when the tape holds a 5 or more somewhere after a 3 or more;
    /// the consumed tape is the candidate.
    struct Pattern {
        runs: u64,
        budget: u64,
    }

    impl Oracle for Pattern {
        fn test(&mut self, t: &[u64]) -> Option<Vec<u64>> {
            self.runs += 1;
            let first = t.iter().position(|&d| d >= 3)?;
            t[first + 1..].iter().any(|&d| d >= 5).then(|| t.to_vec())
        }
        fn spent(&self) -> bool {
            self.runs >= self.budget
        }
    }

    #[test]
    fn reaches_the_minimal_pattern_deterministically() {
        let start = vec![9, 1, 4, 7, 0, 2, 8, 3, 6, 1, 1];
        let mut o = Pattern {
            runs: 0,
            budget: 10_000,
        };
        let out = minimise(start.clone(), &mut o);
        assert_eq!(out, [3, 5]);
        let mut again = Pattern {
            runs: 0,
            budget: 10_000,
        };
        assert_eq!(minimise(start, &mut again), out);
        assert_eq!(again.runs, o.runs);
    }

    #[test]
    fn stops_at_the_budget_with_a_failing_tape() {
        let start = vec![9, 1, 4, 7, 0, 2, 8, 3, 6, 1, 1];
        let mut o = Pattern { runs: 0, budget: 3 };
        let out = minimise(start.clone(), &mut o);
        assert_eq!(o.runs, 3);
        assert!(o.test(&out).is_some());
        assert!(!simpler(&start, &out));
    }

    #[test]
    fn the_order_counts_nonzero_then_length_then_values() {
        assert!(simpler(&[0, 0, 9], &[1, 1]));
        assert!(simpler(&[2], &[0, 1]));
        assert!(simpler(&[1, 2], &[2, 1]));
        assert!(!simpler(&[1], &[1]));
        assert_eq!(trim(vec![1, 0, 2, 0, 0]), [1, 0, 2]);
    }
}
