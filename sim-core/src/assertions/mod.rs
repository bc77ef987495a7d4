//! Assertions across seeds, in the style of Antithesis:
//! [`assert_always!`](crate::assert_always),
//! [`assert_sometimes!`](crate::assert_sometimes),
//! [`assert_reachable!`](crate::assert_reachable) and
//! [`assert_unreachable!`](crate::assert_unreachable).
//!
//! An ordinary `assert!` says what must hold in *every* run. These say
//! more: that an interesting state is *sometimes* reached (a leader steps
//! down, a retry path runs, a partition hits mid-write). A sweep whose
//! faults never reach the interesting code passes every `assert!` and
//! proves nothing; `assert_sometimes!` and `assert_reachable!` make such a
//! sweep fail, naming what it never saw.
//!
//! | macro | in one run | across a sweep |
//! |---|---|---|
//! | `assert_always!(cond, "msg")` | false fails the run at once | — |
//! | `assert_unreachable!("msg")` | reached fails the run at once | — |
//! | `assert_sometimes!(cond, "msg")` | recorded | fails unless true in at least one run |
//! | `assert_reachable!("msg")` | recorded | fails unless reached in at least one run |
//!
//! An assertion is identified by its call site and message. Every hit is an
//! event of the run (in the fingerprint and the [trace](crate::Trace)), and
//! [`Sim::assertions`](crate::Sim::assertions) reports what one simulation
//! saw. A `#[sim_test]` sweep of two or more seeds merges every run's
//! report and fails if some `sometimes` never held or some `reachable` was
//! never reached. A single seed does not enforce them (one run cannot show
//! "sometimes"; a replay of one failing seed must not fail for that).
//!
//! Which assertions a sweep checks: every one that some run of the sweep
//! reached, and every one written inside the test function itself (found
//! in the binary even if no run reached it). An assertion in library code
//! that no run of the sweep reached is not known to the sweep: put an
//! `assert_reachable!` in the test, or check
//! [`Assertions`] from [`Sim::assertions`](crate::Sim::assertions).
//!
//! Outside a simulation every assertion does nothing (no panic, no cost
//! beyond a thread-local read), so production code can keep them.
//!
//! ```
//! use detsim::{Sim, assert_reachable, assert_sometimes};
//! let mut seen = detsim::Assertions::default();
//! for seed in 0..50 {
//!     let mut sim = Sim::builder().seed(seed).build();
//!     sim.run(async {
//!         let retries = detsim::rand::random::<u8>() % 4;
//!         assert_sometimes!(retries == 3, "the last retry ran");
//!         if retries > 0 {
//!             assert_reachable!("a retry ran");
//!         }
//!     }).unwrap();
//!     seen.merge(&sim.assertions());
//! }
//! assert!(seen.unmet().is_empty(), "{seen}");
//! ```

mod registry;
mod report;

use std::fmt;

use crate::choices::Event;
use crate::context;
use crate::failure::{Failure, FailureKind};
use crate::fingerprint::{hash_str, mix64};

pub use registry::SITES;
pub(crate) use registry::{Hits, declared_in};
pub use report::{AssertionStats, Assertions};

/// The kind of an assertion.
///
/// ```
/// use detsim::AssertKind;
/// assert_eq!(AssertKind::Sometimes.to_string(), "assert_sometimes!");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum AssertKind {
    /// `assert_always!`: must hold every time it is reached.
    Always,
    /// `assert_sometimes!`: must hold at least once in a sweep.
    Sometimes,
    /// `assert_reachable!`: must be reached at least once in a sweep.
    Reachable,
    /// `assert_unreachable!`: must never be reached.
    Unreachable,
}

impl fmt::Display for AssertKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AssertKind::Always => "assert_always!",
            AssertKind::Sometimes => "assert_sometimes!",
            AssertKind::Reachable => "assert_reachable!",
            AssertKind::Unreachable => "assert_unreachable!",
        })
    }
}

/// An assertion's call site. Built by the macros, one `static` per call
/// site; not a stable API.
#[doc(hidden)]
pub struct AssertSite {
    /// Which macro.
    pub kind: AssertKind,
    /// The message given to the macro.
    pub message: &'static str,
    /// The condition's source text (empty for reachable/unreachable).
    pub condition: &'static str,
    /// `file!()` of the call.
    pub file: &'static str,
    /// `line!()` of the call.
    pub line: u32,
    /// `column!()` of the call.
    pub column: u32,
    /// The path of the function the call is written in (for telling which
    /// test an assertion belongs to).
    pub scope: fn() -> &'static str,
}

impl AssertSite {
    /// A stable hash of the site (never its address).
    pub(crate) fn key(&self) -> u64 {
        let at = u64::from(self.line) << 32 | u64::from(self.column);
        mix64(hash_str(self.file) ^ at ^ hash_str(self.message).rotate_left(17)) ^ self.kind as u64
    }

    /// Identity: kind, place and message.
    fn id(&self) -> (&'static str, u32, u32, &'static str, AssertKind) {
        (self.file, self.line, self.column, self.message, self.kind)
    }

    /// `assert_sometimes!(cond, "msg")` as written.
    pub(crate) fn call(&self) -> String {
        match self.kind {
            AssertKind::Always | AssertKind::Sometimes => {
                format!("{}({}, {:?})", self.kind, self.condition, self.message)
            }
            AssertKind::Reachable | AssertKind::Unreachable => {
                format!("{}({:?})", self.kind, self.message)
            }
        }
    }

    /// `file:line:column`.
    pub(crate) fn location(&self) -> String {
        format!("{}:{}:{}", self.file, self.line, self.column)
    }
}

impl PartialEq for AssertSite {
    fn eq(&self, other: &Self) -> bool {
        self.id() == other.id()
    }
}

impl Eq for AssertSite {}

impl fmt::Debug for AssertSite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {}", self.call(), self.location())
    }
}

/// What the assertion macros expand to: records a hit of `site` whose
/// condition was `held`, and fails the run when an `always` did not hold
/// or an `unreachable` was reached.
#[doc(hidden)]
#[track_caller]
pub fn reached(site: &'static AssertSite, held: bool) {
    let Some(rt) = context::try_current() else {
        return;
    };
    crate::ext::get_in::<Hits>(&rt).hit(site, held);
    rt.choices.borrow_mut().event(Event::Assert { site, held });
    let broken = match site.kind {
        AssertKind::Always => !held,
        AssertKind::Unreachable => true,
        AssertKind::Sometimes | AssertKind::Reachable => false,
    };
    if !broken {
        return;
    }
    let what = match site.kind {
        AssertKind::Always => "did not hold",
        _ => "was reached",
    };
    let message = format!("{} {what}", site.call());
    let headline = match rt.current_task_info() {
        Some(task) => format!("{task}: {message} at {}", site.location()),
        None => format!("{message} at {}", site.location()),
    };
    let mut failure = Failure::new(FailureKind::Assertion, headline, message.clone());
    let inner = failure.inner_mut();
    inner.task = rt.current_task_info();
    inner.location = Some(site.location());
    rt.fail(failure);
    drop(rt);
    // Stop the code here, as `assert!` would; the run's failure is already
    // the assertion (whoever catches this panic).
    panic!("detsim: {message}");
}

/// Fails the run at once when `cond` is false: `assert!` that is recorded
/// (in the fingerprint, the trace and [`Sim::assertions`](crate::Sim::assertions)).
///
/// The failure has kind [`FailureKind::Assertion`](crate::FailureKind) even
/// when the task that asserted is joined (its join sees a panic). Outside a
/// simulation it does nothing.
///
/// ```
/// use detsim::{Sim, assert_always};
/// let mut sim = Sim::builder().build();
/// let f = sim.run(async {
///     let balance = -5;
///     assert_always!(balance >= 0, "balance never negative");
/// }).unwrap_err();
/// assert!(f.is_assertion());
/// assert_eq!(
///     f.message(),
///     "assert_always!(balance >= 0, \"balance never negative\") did not hold"
/// );
/// ```
#[macro_export]
macro_rules! assert_always {
    ($cond:expr, $message:literal $(,)?) => {
        $crate::__assert_site!(Always, $message, ::core::stringify!($cond), $cond)
    };
}

/// Records whether `cond` holds here; a sweep fails unless it held in at
/// least one run.
///
/// ```
/// use detsim::{Sim, assert_sometimes};
/// let mut sim = Sim::builder().seed(3).build();
/// sim.run(async {
///     for i in 0..4 {
///         assert_sometimes!(i == 3, "reached the last retry");
///     }
/// }).unwrap();
/// let stats = sim.assertions().get("reached the last retry").unwrap().clone();
/// assert_eq!((stats.hits(), stats.times_true()), (4, 1));
/// ```
#[macro_export]
macro_rules! assert_sometimes {
    ($cond:expr, $message:literal $(,)?) => {
        $crate::__assert_site!(Sometimes, $message, ::core::stringify!($cond), $cond)
    };
}

/// Records that this point was reached; a sweep fails unless some run
/// reached it.
///
/// ```
/// use detsim::{Sim, assert_reachable};
/// let mut sim = Sim::builder().build();
/// sim.run(async { assert_reachable!("the main task ran") }).unwrap();
/// assert_eq!(sim.assertions().get("the main task ran").unwrap().hits(), 1);
/// ```
#[macro_export]
macro_rules! assert_reachable {
    ($message:literal $(,)?) => {
        $crate::__assert_site!(Reachable, $message, "", true)
    };
}

/// Fails the run at once when reached: `unreachable!` that is recorded.
/// Outside a simulation it does nothing.
///
/// ```
/// use detsim::{Sim, assert_unreachable};
/// let mut sim = Sim::builder().build();
/// let f = sim.run(async {
///     if 2 + 2 == 4 {
///         assert_unreachable!("arithmetic broke");
///     }
/// }).unwrap_err();
/// assert!(f.is_assertion());
/// assert!(f.message().contains("arithmetic broke"));
/// ```
#[macro_export]
macro_rules! assert_unreachable {
    ($message:literal $(,)?) => {
        $crate::__assert_site!(Unreachable, $message, "", false)
    };
}

/// The static site of an assertion, registered in [`SITES`], and the call.
#[doc(hidden)]
#[macro_export]
macro_rules! __assert_site {
    ($kind:ident, $message:literal, $condition:expr, $held:expr) => {{
        fn __detsim_scope() {}
        #[$crate::__macro::linkme::distributed_slice($crate::__macro::ASSERT_SITES)]
        #[linkme(crate = $crate::__macro::linkme)]
        static SITE: $crate::__macro::AssertSite = $crate::__macro::AssertSite {
            kind: $crate::AssertKind::$kind,
            message: $message,
            condition: $condition,
            file: ::core::file!(),
            line: ::core::line!(),
            column: ::core::column!(),
            scope: || ::core::any::type_name_of_val(&__detsim_scope),
        };
        $crate::__macro::assert_reached(&SITE, $held)
    }};
}
