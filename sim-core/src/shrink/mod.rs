//! Shrinking a failing tape: delta debugging toward the simplest schedule
//! that still fails the same way.
//!
//! A failing run's [`Tape`] lists every choice it made. [`shrink`] (or a
//! configured [`Shrinker`]) replays variations of it through a closure
//! that runs the test with [`Builder::tape`](crate::Builder::tape), and
//! keeps a variation only if it fails *the same way*: the same
//! [`FailureKind`](crate::FailureKind) and the same message (heap
//! addresses such as `0x7ffd5e8c1a20` are normalised away; every other
//! character counts). The variations, in rounds until nothing changes or
//! the budget of runs is spent:
//!
//! 1. zero chunks of draws (a draw of zero is always the simplest choice:
//!    the task runnable longest, the first timer, the minimum latency, no
//!    fault), half the tape at a time, then quarters, down to single draws;
//! 2. delete chunks, the same sizes, from the end back (ddmin), so later
//!    choices move up to earlier decisions;
//! 3. each remaining non-zero draw on its own: zero, else halved while it
//!    still fails, else (small draws) decremented.
//!
//! # Tapes shorter than the run
//!
//! A replay tape that runs out falls back to seeded draws, which would
//! make "drop the tail" mean "draw something random". The shrinker
//! therefore pads every candidate with zeros, so a shorter tape means the
//! simplest choices from there on, and it keeps the tape the run *actually
//! consumed* (every draw, padding included): that tape replays exactly
//! with [`Builder::tape`](crate::Builder::tape) whatever its seed, and a
//! final run checks that it does ([`Shrunk::replays_exactly`]).
//! [`Artifact::shrunk`](crate::harness::Artifact::shrunk) turns the result
//! into a replay artifact.
//!
//! The search is deterministic: the same failure and the same test give
//! the same shrunk tape, in the same number of runs.
//!
//! # Example
//!
//! ```
//! use std::sync::{Arc, Mutex};
//! use detsim::{Sim, Tape, shrink};
//!
//! // Two tasks increment a counter with an await between read and
//! // write; among them, four tasks make noise.
//! async fn lost_update() {
//!     let counter = Arc::new(Mutex::new(0));
//!     let mut tasks = Vec::new();
//!     for i in 0..6 {
//!         let counter = counter.clone();
//!         tasks.push(detsim::spawn(async move {
//!             if i < 2 {
//!                 let seen = *counter.lock().unwrap();
//!                 detsim::yield_now().await;
//!                 *counter.lock().unwrap() = seen + 1;
//!             } else {
//!                 for _ in 0..3 { detsim::yield_now().await; }
//!             }
//!         }));
//!     }
//!     for t in tasks { t.await.unwrap(); }
//!     assert_eq!(*counter.lock().unwrap(), 2, "lost update");
//! }
//!
//! let failure = (0..100)
//!     .find_map(|seed| Sim::builder().seed(seed).build().run(lost_update()).err())
//!     .expect("some seed loses the update");
//! let shrunk = shrink::shrink(&failure, |tape: Tape| {
//!     Sim::builder().tape(tape).build().run(lost_update())
//! })
//! .unwrap();
//! assert!(shrunk.nonzero_after() < shrunk.nonzero_before());
//! assert!(shrunk.replays_exactly());
//! assert_eq!(shrunk.failure().message(), failure.message());
//! println!("{shrunk}"); // before/after sizes and the number of runs
//! ```

mod ddmin;
pub(crate) mod same;

use std::fmt;

use crate::harness::{kind_failure, quote_failure};
use crate::{Failure, Tape};

/// The default budget of runs of a [`Shrinker`].
///
/// ```
/// assert_eq!(detsim::shrink::DEFAULT_MAX_RUNS, 2_000);
/// ```
pub const DEFAULT_MAX_RUNS: u64 = 2_000;

/// Zeros past a candidate: at least this many, and at least the original
/// tape's length again.
const MIN_PADDING: usize = 4_096;

/// Shrinks `failure`'s tape with the default budget
/// ([`DEFAULT_MAX_RUNS`] runs); see [`Shrinker::shrink`].
///
/// ```
/// use detsim::{Sim, shrink};
/// let test = || async {
///     let n = detsim::rand::gen_range(0..1000u32);
///     assert!(n < 900, "too big");
/// };
/// let failure = (0..100)
///     .find_map(|s| Sim::builder().seed(s).build().run(test()).err())
///     .unwrap();
/// let shrunk = shrink::shrink(&failure, |tape| Sim::builder().tape(tape).build().run(test()))
///     .unwrap();
/// // One draw (the number) is all the failure needs: the rest are zeros.
/// assert_eq!(shrunk.nonzero_after(), 1);
/// assert_eq!(shrunk.failure().message(), "too big");
/// ```
pub fn shrink<R>(failure: &Failure, run: R) -> Result<Shrunk, ShrinkError>
where
    R: FnMut(Tape) -> Result<(), Failure>,
{
    Shrinker::new().shrink(failure, run)
}

/// A configured shrinker (today: its budget of runs).
///
/// ```
/// let shrinker = detsim::shrink::Shrinker::new().max_runs(500);
/// # drop(shrinker);
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
#[must_use = "a Shrinker does nothing until you call shrink"]
pub struct Shrinker {
    max_runs: u64,
}

impl Default for Shrinker {
    fn default() -> Self {
        Shrinker {
            max_runs: DEFAULT_MAX_RUNS,
        }
    }
}

impl Shrinker {
    /// A shrinker with the default budget.
    ///
    /// ```
    /// let _ = detsim::shrink::Shrinker::new();
    /// ```
    pub fn new() -> Shrinker {
        Shrinker::default()
    }

    /// The most candidate runs to make (the checks of the original and of
    /// the result come on top). The budget is counted in runs, not in
    /// wall-clock time, so a shrink gives the same answer on any machine;
    /// when it is spent the simplest tape found so far is the result
    /// ([`Shrunk::exhausted`]). At least 1.
    ///
    /// ```
    /// let _ = detsim::shrink::Shrinker::new().max_runs(100);
    /// ```
    pub fn max_runs(mut self, runs: u64) -> Shrinker {
        self.max_runs = runs.max(1);
        self
    }

    /// Shrinks `failure`'s tape. `run` runs the test once with the given
    /// tape (`Sim::builder().tape(tape)` plus the failing run's other
    /// settings: scheduler, PCT steps, limits) and returns its result.
    ///
    /// Fails with a [`ShrinkError`] when the original tape, replayed, does
    /// not fail the same way (the test is not the one that failed, or is
    /// not deterministic).
    ///
    /// ```
    /// use detsim::{Scheduler, Sim, shrink::Shrinker};
    /// // The failing run used PCT: the replays must too.
    /// let config = || Sim::builder().scheduler(Scheduler::Pct { depth: 2 }).pct_steps(20);
    /// let test = || async {
    ///     let flag = std::rc::Rc::new(std::cell::Cell::new(false));
    ///     let f = flag.clone();
    ///     let setter = detsim::spawn_local(async move { f.set(true) });
    ///     detsim::yield_now().await;
    ///     assert!(flag.get(), "read before set");
    ///     setter.await.unwrap();
    /// };
    /// let failure = (0..200)
    ///     .find_map(|s| config().seed(s).build().run(test()).err())
    ///     .unwrap();
    /// let shrunk = Shrinker::new()
    ///     .max_runs(300)
    ///     .shrink(&failure, |tape| config().tape(tape).build().run(test()))
    ///     .unwrap();
    /// assert_eq!(shrunk.failure().message(), "read before set");
    /// assert!(shrunk.nonzero_after() <= failure.tape().nonzero());
    /// ```
    pub fn shrink<R>(&self, failure: &Failure, mut run: R) -> Result<Shrunk, ShrinkError>
    where
        R: FnMut(Tape) -> Result<(), Failure>,
    {
        let original = failure.tape().as_slice().to_vec();
        let check = run(Tape::new(original.clone()));
        match check {
            Err(f) if same::same_way(failure, &f) => {}
            other => return Err(ShrinkError::not_reproduced(failure, other.err())),
        }
        let mut oracle = Runner {
            original: failure,
            run: &mut run,
            padding: original.len().max(MIN_PADDING),
            runs: 0,
            max_runs: self.max_runs,
            best: None,
        };
        let start = ddmin::trim(original.clone());
        let found = ddmin::minimise(start, &mut oracle);
        let (runs, spent) = (oracle.runs, oracle.runs >= self.max_runs);
        // The consumed tape of the best run replays it exactly; re-run it
        // unpadded to prove it (and to get its failure if nothing was kept).
        let best = oracle.best.take();
        let tape = match &best {
            Some(f) => f.tape().clone(),
            None => Tape::new(original.clone()),
        };
        debug_assert_eq!(ddmin::trim(tape.as_slice().to_vec()), found);
        let replay = run(tape);
        let (failure_out, exact) = match (replay, best) {
            (Err(f), best) => {
                let exact = same::same_way(failure, &f)
                    && best
                        .as_ref()
                        .is_none_or(|b| b.fingerprint() == f.fingerprint());
                (f, exact)
            }
            (Ok(()), Some(b)) => (b, false),
            (Ok(()), None) => {
                return Err(ShrinkError::not_reproduced(failure, None));
            }
        };
        Ok(Shrunk {
            failure: failure_out,
            len_before: original.len(),
            nonzero_before: failure.tape().nonzero(),
            runs,
            exhausted: spent,
            exact,
        })
    }
}

/// Runs candidates for the search, padded with zeros.
struct Runner<'a, R> {
    original: &'a Failure,
    run: &'a mut R,
    padding: usize,
    runs: u64,
    max_runs: u64,
    best: Option<Failure>,
}

impl<R: FnMut(Tape) -> Result<(), Failure>> ddmin::Oracle for Runner<'_, R> {
    fn test(&mut self, candidate: &[u64]) -> Option<Vec<u64>> {
        self.runs += 1;
        let mut padded = Vec::with_capacity(candidate.len() + self.padding);
        padded.extend_from_slice(candidate);
        padded.resize(candidate.len() + self.padding, 0);
        let failure = (self.run)(Tape::new(padded)).err()?;
        if !same::same_way(self.original, &failure) {
            return None;
        }
        let consumed = ddmin::trim(failure.tape().as_slice().to_vec());
        self.best = Some(failure);
        Some(consumed)
    }

    fn spent(&self) -> bool {
        self.runs >= self.max_runs
    }
}

/// The result of a shrink: the simplest failing run found, and how much
/// simpler it is than the original.
///
/// ```
/// use detsim::{Sim, shrink};
/// let test = || async { assert!(detsim::rand::gen_bool(0.5), "heads") };
/// let f = (0..50).find_map(|s| Sim::builder().seed(s).build().run(test()).err()).unwrap();
/// let s = shrink::shrink(&f, |t| Sim::builder().tape(t).build().run(test())).unwrap();
/// assert!(s.to_string().contains("non-zero draws"));
/// ```
pub struct Shrunk {
    failure: Failure,
    len_before: usize,
    nonzero_before: usize,
    runs: u64,
    exhausted: bool,
    exact: bool,
}

impl Shrunk {
    /// The failure of the shrunk run (its tape is [`Shrunk::tape`]).
    ///
    /// ```
    /// # use detsim::{Sim, shrink};
    /// # let test = || async { assert!(detsim::rand::gen_bool(0.5), "heads") };
    /// # let f = (0..50).find_map(|s| Sim::builder().seed(s).build().run(test()).err()).unwrap();
    /// let s = shrink::shrink(&f, |t| Sim::builder().tape(t).build().run(test())).unwrap();
    /// assert_eq!(s.failure().message(), "heads");
    /// ```
    pub fn failure(&self) -> &Failure {
        &self.failure
    }

    /// The failure of the shrunk run, by value.
    ///
    /// ```
    /// # use detsim::{Sim, shrink};
    /// # let test = || async { assert!(detsim::rand::gen_bool(0.5), "heads") };
    /// # let f = (0..50).find_map(|s| Sim::builder().seed(s).build().run(test()).err()).unwrap();
    /// let s = shrink::shrink(&f, |t| Sim::builder().tape(t).build().run(test())).unwrap();
    /// assert!(s.into_failure().is_panic());
    /// ```
    pub fn into_failure(self) -> Failure {
        self.failure
    }

    /// The shrunk tape: every draw the shrunk run consumed, so it replays
    /// exactly with [`Builder::tape`](crate::Builder::tape).
    ///
    /// ```
    /// # use detsim::{Sim, shrink};
    /// # let test = || async { assert!(detsim::rand::gen_bool(0.5), "heads") };
    /// # let f = (0..50).find_map(|s| Sim::builder().seed(s).build().run(test()).err()).unwrap();
    /// let s = shrink::shrink(&f, |t| Sim::builder().tape(t).build().run(test())).unwrap();
    /// let again = Sim::builder().seed(1234).tape(s.tape().clone()).build().run(test());
    /// assert_eq!(again.unwrap_err().fingerprint(), s.failure().fingerprint());
    /// ```
    pub fn tape(&self) -> &Tape {
        self.failure.tape()
    }

    /// Draws on the original tape.
    ///
    /// ```
    /// # use detsim::{Sim, shrink};
    /// # let test = || async { assert!(detsim::rand::gen_bool(0.5), "heads") };
    /// # let f = (0..50).find_map(|s| Sim::builder().seed(s).build().run(test()).err()).unwrap();
    /// let s = shrink::shrink(&f, |t| Sim::builder().tape(t).build().run(test())).unwrap();
    /// assert_eq!(s.len_before(), f.tape().len());
    /// ```
    pub fn len_before(&self) -> usize {
        self.len_before
    }

    /// Draws on the shrunk tape (every draw of the shrunk run).
    ///
    /// ```
    /// # use detsim::{Sim, shrink};
    /// # let test = || async { assert!(detsim::rand::gen_bool(0.5), "heads") };
    /// # let f = (0..50).find_map(|s| Sim::builder().seed(s).build().run(test()).err()).unwrap();
    /// let s = shrink::shrink(&f, |t| Sim::builder().tape(t).build().run(test())).unwrap();
    /// assert_eq!(s.len_after(), s.tape().len());
    /// ```
    pub fn len_after(&self) -> usize {
        self.failure.tape().len()
    }

    /// Non-zero draws on the original tape.
    ///
    /// ```
    /// # use detsim::{Sim, shrink};
    /// # let test = || async { assert!(detsim::rand::gen_bool(0.5), "heads") };
    /// # let f = (0..50).find_map(|s| Sim::builder().seed(s).build().run(test()).err()).unwrap();
    /// let s = shrink::shrink(&f, |t| Sim::builder().tape(t).build().run(test())).unwrap();
    /// assert_eq!(s.nonzero_before(), f.tape().nonzero());
    /// ```
    pub fn nonzero_before(&self) -> usize {
        self.nonzero_before
    }

    /// Non-zero draws on the shrunk tape: how far the shrunk run is from
    /// the simplest one.
    ///
    /// ```
    /// # use detsim::{Sim, shrink};
    /// # let test = || async { assert!(detsim::rand::gen_bool(0.5), "heads") };
    /// # let f = (0..50).find_map(|s| Sim::builder().seed(s).build().run(test()).err()).unwrap();
    /// let s = shrink::shrink(&f, |t| Sim::builder().tape(t).build().run(test())).unwrap();
    /// assert!(s.nonzero_after() <= s.nonzero_before());
    /// ```
    pub fn nonzero_after(&self) -> usize {
        self.failure.tape().nonzero()
    }

    /// Candidate runs made (not counting the checks of the original tape
    /// and of the result).
    ///
    /// ```
    /// # use detsim::{Sim, shrink};
    /// # let test = || async { assert!(detsim::rand::gen_bool(0.5), "heads") };
    /// # let f = (0..50).find_map(|s| Sim::builder().seed(s).build().run(test()).err()).unwrap();
    /// let s = shrink::Shrinker::new().max_runs(3).shrink(&f, |t| {
    ///     Sim::builder().tape(t).build().run(test())
    /// }).unwrap();
    /// assert!(s.runs() <= 3);
    /// ```
    pub fn runs(&self) -> u64 {
        self.runs
    }

    /// Whether the budget ran out before the search finished (the tape
    /// might shrink further with a larger [`Shrinker::max_runs`]).
    ///
    /// ```
    /// # use detsim::{Sim, shrink};
    /// # let test = || async { assert!(detsim::rand::gen_bool(0.5), "heads") };
    /// # let f = (0..50).find_map(|s| Sim::builder().seed(s).build().run(test()).err()).unwrap();
    /// let s = shrink::shrink(&f, |t| Sim::builder().tape(t).build().run(test())).unwrap();
    /// assert!(!s.exhausted());
    /// ```
    pub fn exhausted(&self) -> bool {
        self.exhausted
    }

    /// Whether the shrunk tape, replayed without padding, failed the same
    /// way with the same fingerprint (false means the test is not
    /// deterministic).
    ///
    /// ```
    /// # use detsim::{Sim, shrink};
    /// # let test = || async { assert!(detsim::rand::gen_bool(0.5), "heads") };
    /// # let f = (0..50).find_map(|s| Sim::builder().seed(s).build().run(test()).err()).unwrap();
    /// let s = shrink::shrink(&f, |t| Sim::builder().tape(t).build().run(test())).unwrap();
    /// assert!(s.replays_exactly());
    /// ```
    pub fn replays_exactly(&self) -> bool {
        self.exact
    }
}

impl fmt::Display for Shrunk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // One line: a message's first line (and "..." for the rest), so a
        // report that shows this line has its quote and parenthesis closed.
        let message = self.failure.message();
        let first = message.lines().next().unwrap_or_default();
        let more = if message.trim_end().contains('\n') {
            " ..."
        } else {
            ""
        };
        write!(
            f,
            "shrunk in {} runs{}: {} -> {} draws, {} -> {} non-zero draws ({})",
            self.runs,
            if self.exhausted {
                " (budget spent)"
            } else {
                ""
            },
            self.len_before,
            self.len_after(),
            self.nonzero_before,
            self.nonzero_after(),
            kind_failure(&self.failure.kind().to_string(), &format!("{first}{more}")),
        )
    }
}

impl fmt::Debug for Shrunk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Why a tape could not be shrunk: replayed, it did not fail the way the
/// original failure did.
///
/// ```
/// use detsim::{Sim, shrink};
/// let mut sim = Sim::builder().build();
/// let f = sim.run(async { panic!("boom") }).unwrap_err();
/// // A "test" that no longer fails: nothing to shrink.
/// let err = shrink::shrink(&f, |_| Ok(())).unwrap_err();
/// assert!(err.to_string().contains("passed"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShrinkError {
    message: String,
}

impl ShrinkError {
    fn not_reproduced(original: &Failure, got: Option<Failure>) -> ShrinkError {
        let now = match got {
            None => "it passed".to_owned(),
            Some(f) => format!(
                "it failed differently: {}",
                quote_failure(&f.kind().to_string(), f.message())
            ),
        };
        ShrinkError {
            message: format!(
                "detsim: cannot shrink the {} (seed {:#x}): replaying its tape, {now}. \
                 Shrink with the test and settings (scheduler, PCT steps, limits) of the failing \
                 run; if they are the same, the test is not deterministic (check it with \
                 DETSIM_CHECK_DETERMINISM=1)",
                kind_failure(&original.kind().to_string(), original.message()),
                original.seed()
            ),
        }
    }
}

impl fmt::Display for ShrinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ShrinkError {}

#[cfg(test)]
mod tests {
    use crate::{Sim, shrink};

    #[test]
    fn the_summary_line_shows_a_long_messages_first_line_and_closes_its_quote() {
        let test = || async { panic!("replica b reported\nbefore replica a") };
        let f = Sim::builder().seed(1).build().run(test()).unwrap_err();
        let s = shrink::shrink(&f, |t| Sim::builder().tape(t).build().run(test())).unwrap();
        let line = s.to_string();
        assert!(!line.contains('\n'), "{line}");
        assert!(
            line.ends_with("(panic failure \"replica b reported ...\")"),
            "{line}"
        );
    }

    #[test]
    fn a_failure_whose_message_names_its_kind_is_named_once() {
        let test = || async {
            crate::time::sleep(std::time::Duration::from_secs(5)).await;
        };
        let limited = || {
            Sim::builder()
                .time_limit(std::time::Duration::from_secs(1))
                .seed(1)
        };
        let f = limited().build().run(test()).unwrap_err();
        let s = shrink::shrink(&f, |t| limited().tape(t).build().run(test())).unwrap();
        let line = s.to_string();
        assert!(line.contains("(failure \"time limit: "), "{line}");
        assert!(!line.contains("time limit failure"), "{line}");
        let e = shrink::shrink(&f, |_| Ok(())).unwrap_err().to_string();
        assert!(
            e.contains("cannot shrink the failure \"time limit: "),
            "{e}"
        );
        assert!(!e.contains("time limit failure"), "{e}");
    }
}
