//! proptest integration: schedules as proptest inputs.
//!
//! A run is a pure function of its [`Tape`], so a tape is a test input like
//! any other: [`tapes`] generates them (biased to the small draws that mean
//! "the usual choice"), [`builder`] runs one (draws past its end are
//! zeros, the simplest choices, so a shorter tape is a simpler run; see
//! [`ZERO_PADDING`]), and [`check`](fn@check) turns a failed run into a
//! proptest failure. proptest then shrinks the tape (fewer draws, smaller
//! draws) with its own machinery, and its failure persistence (a
//! `.proptest-regressions` file) keeps the failing case for the next run.
//! The minimal case's message names a replay artifact and the commands
//! that replay it.
//!
//! `detsim::proptest` adds `fault_plans`, a strategy for timed network
//! and crash faults (`detsim::net::FaultPlan`), to generate alongside tapes.
//!
//! # Example
//!
//! ```
//! use proptest::prelude::*;
//! use detsim::proptest::{builder, check, tapes};
//!
//! async fn transfer() {
//!     let a = detsim::spawn(async { detsim::yield_now().await; 1 });
//!     let b = detsim::spawn(async { 2 });
//!     assert_eq!(a.await.unwrap() + b.await.unwrap(), 3);
//! }
//!
//! proptest! {
//!     // #[test] in a test file; here, called below.
//!     fn transfers_add_up(tape in tapes(64)) {
//!         check!("transfers_add_up", builder(&tape), transfer())?;
//!     }
//! }
//! # transfers_add_up();
//! ```

mod tape;

use std::future::Future;
use std::path::PathBuf;

use ::proptest::test_runner::TestCaseError;

use crate::harness::{Artifact, TestSpec};
use crate::{Builder, Sim, Tape};

pub use tape::tapes;

/// Zeros [`builder`] appends to a case's tape: a run that draws more than
/// the tape and these falls back to seeded draws (seed 0), still
/// deterministic.
pub const ZERO_PADDING: usize = 16_384;

/// Draws a failure message shows (the artifact has them all).
const SHOWN_DRAWS: usize = 32;

/// A builder that replays `tape`, then draws zeros (up to
/// [`ZERO_PADDING`] of them). Add a scheduler, PCT steps or limits as
/// usual.
///
/// ```
/// use detsim::{Scheduler, Tape, proptest::builder};
/// let mut sim = builder(&Tape::new(vec![1, 0, 2]))
///     .scheduler(Scheduler::Pct { depth: 2 })
///     .build();
/// sim.run(async {}).unwrap();
/// ```
pub fn builder(tape: &Tape) -> Builder {
    let mut draws = Vec::with_capacity(tape.len() + ZERO_PADDING);
    draws.extend_from_slice(tape.as_slice());
    draws.resize(tape.len() + ZERO_PADDING, 0);
    Sim::builder().tape(Tape::new(draws))
}

/// Runs `future` in a simulation built from `builder` and returns its
/// output. A failed run becomes a [`TestCaseError`] whose message is the
/// failure, its tape, and how to replay it; the run is saved as a replay
/// [`Artifact`] at
/// `<target dir>/detsim/failures/proptest-<test binary>-<name>.json` (each
/// failing case overwrites it, so after proptest's shrinking it holds the
/// minimal case; the test binary's name, without cargo's hash, keeps
/// same-named properties of two test targets apart).
///
/// With `DETSIM_REPLAY=<that file>` in the environment, every case of the
/// property named `name` runs the artifact's recorded tape and settings
/// instead of its own tape. When the tape is the property's only
/// generated input, the failure comes back exactly (same fingerprint).
/// Other inputs (a fault plan from `fault_plans`, say) still come from
/// proptest, which replays its regression case and shrinks again, so a
/// case may fail differently: each failing case's message says whether
/// it is the recorded failure (`replayed <file> exactly`, the same
/// fingerprint) or not (both failures, and how to replay exactly: the
/// artifact's [`builder`](Artifact::builder) run with the inputs proptest
/// printed). An artifact of another test leaves the property alone; a
/// file that cannot be read as an artifact fails every case, naming the
/// file and the fix. An empty (or blank) `DETSIM_REPLAY` is the same as
/// none. The artifact records the package when called through
/// [`check!`](crate::proptest::check!) (else `"proptest"`).
///
/// ```
/// use detsim::{Tape, proptest::{builder, check}};
/// let err = check("always_fails", builder(&Tape::default()), async { panic!("boom") })
///     .unwrap_err();
/// let text = err.to_string();
/// assert!(text.contains("panic \"boom\""));
/// assert!(text.contains("DETSIM_REPLAY="));
/// ```
///
/// The replay command it prints names the package and test target (`cargo
/// test -p <package> --test <target> -- <test> --exact`) only when called
/// through the [`check!`](crate::proptest::check!) macro, which captures
/// them where it is written; called as a function, the command has no
/// `-p`/`--test` selector (it then runs as-is only in a single-package
/// crate).
pub fn check<F: Future>(
    name: &str,
    builder: Builder,
    future: F,
) -> Result<F::Output, TestCaseError> {
    check_at(None, name, builder, future)
}

/// [`check`](fn@check) by [`check!`](crate::proptest::check!): `spec` says where
/// the property lives. Not a stable API.
#[doc(hidden)]
pub fn check_in<F: Future>(
    spec: &TestSpec,
    name: &str,
    builder: Builder,
    future: F,
) -> Result<F::Output, TestCaseError> {
    check_at(Some(spec), name, builder, future)
}

/// [`check`](fn@check), capturing the package and test target it is written in
/// (cargo's `CARGO_PKG_NAME`, `CARGO_CRATE_NAME`, `file!()` ...), so the
/// replay command a failure prints runs as-is in a workspace:
/// `DETSIM_REPLAY=<artifact> cargo test -p <package> --test <target> --
/// <test> --exact`. Same arguments and result as the function.
///
/// ```
/// use detsim::{Tape, proptest::{builder, check}};
/// let err = check!("fails", builder(&Tape::default()), async { panic!("boom") })
///     .unwrap_err();
/// assert!(err.to_string().contains("cargo test -p sim-core"));
/// ```
#[macro_export]
#[doc(hidden)]
macro_rules! __proptest_check {
    ($name:expr, $builder:expr, $future:expr $(,)?) => {
        $crate::proptest::check_in(
            &$crate::__test_spec!(::core::module_path!()),
            $name,
            $builder,
            $future,
        )
    };
}

#[doc(inline)]
pub use crate::__proptest_check as check;

fn check_at<F: Future>(
    spec: Option<&TestSpec>,
    name: &str,
    builder: Builder,
    future: F,
) -> Result<F::Output, TestCaseError> {
    let path = artifact_path(name);
    // Set but blank is unset, as for `#[sim_test]`.
    let var = std::env::var_os("DETSIM_REPLAY").filter(|v| !v.to_string_lossy().trim().is_empty());
    let replay = match var.map(PathBuf::from) {
        None => None,
        Some(p) => match Artifact::read(&p) {
            Ok(a) => Some((p, a)).filter(|(_, a)| a.test() == name),
            Err(e) => return Err(TestCaseError::fail(e.to_string())),
        },
    };
    let builder = replay.as_ref().map_or(builder, |(_, a)| a.builder());
    let config = crate::harness::proptest_config(&builder);
    let mut sim = builder.build();
    let failure = match sim.run(future) {
        Ok(out) => return Ok(out),
        Err(f) => f,
    };
    let case = describe(&failure);
    if let Some((p, recorded)) = replay {
        return Err(TestCaseError::fail(replayed(
            &p, &recorded, name, &case, &failure,
        )));
    }
    let package = spec.map_or("proptest", |s| s.package);
    let artifact = crate::harness::proptest_artifact(name, package, config, &failure);
    let mut text = format!("detsim: the case failed: {case}");
    // libtest runs each test on a thread named after it (the main thread
    // with --test-threads=1, whose name says nothing).
    let thread = std::thread::current();
    let test = thread.name().filter(|n| *n != "main");
    let command = crate::harness::proptest_command(spec, name, test);
    match artifact.write(&path) {
        Ok(()) => {
            let p = path.display();
            text.push_str(&format!(
                "  artifact: {p}\n  replay it: DETSIM_REPLAY={p} {command}\n  \
                 or in code: detsim::harness::Artifact::read(\"{p}\")?.builder().build().run(..)\n"
            ))
        }
        Err(e) => text.push_str(&format!("  artifact: not written: {e}\n")),
    }
    Err(TestCaseError::fail(text))
}

/// A failed case: its failure and tape, in two lines.
fn describe(failure: &crate::Failure) -> String {
    let tape = failure.tape();
    let significant = tape
        .as_slice()
        .iter()
        .rposition(|&d| d != 0)
        .map_or(&[][..], |last| &tape.as_slice()[..=last]);
    let mut shown: Vec<String> = significant
        .iter()
        .take(SHOWN_DRAWS)
        .map(u64::to_string)
        .collect();
    if significant.len() > SHOWN_DRAWS {
        shown.push(format!("… {} more", significant.len() - SHOWN_DRAWS));
    }
    format!(
        "{} \"{}\" (seed {:#x}, scheduler {}, fingerprint {})\n  \
         tape: {} draws, {} non-zero; up to the last non-zero: [{}]\n",
        failure.kind(),
        failure.message(),
        failure.seed(),
        failure.scheduler(),
        failure.fingerprint(),
        tape.len(),
        tape.nonzero(),
        shown.join(", "),
    )
}

thread_local! {
    /// The artifacts (path, property) a case of this thread's property
    /// replayed exactly: proptest runs a property's cases on one thread.
    static REPRODUCED: std::cell::RefCell<Vec<(PathBuf, String)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// The message of a case that failed while `DETSIM_REPLAY` replayed the
/// artifact `recorded` (at `path`) of property `name`: whether it is the
/// recorded failure (same fingerprint), and if not, why and what to do.
fn replayed(
    path: &std::path::Path,
    recorded: &Artifact,
    name: &str,
    case: &str,
    failure: &crate::Failure,
) -> String {
    let p = path.display();
    let key = (path.to_path_buf(), name.to_owned());
    if recorded.fingerprint() == Some(failure.fingerprint()) {
        REPRODUCED.with(|r| {
            let mut r = r.borrow_mut();
            if !r.contains(&key) {
                r.push(key);
            }
        });
        return format!("detsim: replayed {p} exactly (the recorded fingerprint): {case}");
    }
    let earlier = if REPRODUCED.with(|r| r.borrow().contains(&key)) {
        "an earlier case of this run did reproduce it exactly"
    } else {
        "no case of this run has reproduced it so far"
    };
    let fingerprint = recorded
        .fingerprint()
        .map_or_else(|| "none".to_owned(), |f| f.to_string());
    format!(
        "detsim: replaying {p}: this case failed, but not as recorded: {case}  \
         recorded: {} \"{}\" (fingerprint {fingerprint}); {earlier}.\n  \
         The recorded tape ran, but this case's other generated inputs (a fault plan, say) \
         are not the recorded case's: proptest replays its regression case and shrinks again. \
         For an exact replay, run the artifact's builder with the minimal inputs proptest \
         printed: detsim::harness::Artifact::read(\"{p}\")?.builder().build().run(..)\n",
        recorded.kind(),
        recorded.message(),
    )
}

/// `<target dir>/detsim/failures/proptest-<binary>-<name>.json`: the cargo
/// target directory of the running test binary (else the system's temp
/// dir), and the binary's name without cargo's hash (the test target), so
/// same-named properties of two test targets keep their own artifacts.
fn artifact_path(name: &str) -> PathBuf {
    let exe = std::env::current_exe().ok();
    let target = exe
        .as_deref()
        .and_then(|exe| {
            exe.ancestors()
                .skip(1)
                .find(|d| d.join("CACHEDIR.TAG").is_file())
                .map(PathBuf::from)
        })
        .unwrap_or_else(std::env::temp_dir);
    let binary = exe
        .as_deref()
        .and_then(|exe| exe.file_stem())
        .map(|stem| without_hash(&stem.to_string_lossy()).to_owned())
        .unwrap_or_default();
    let file = if binary.is_empty() {
        format!("proptest-{}.json", file_safe(name))
    } else {
        format!("proptest-{}-{}.json", file_safe(&binary), file_safe(name))
    };
    target.join("detsim").join("failures").join(file)
}

/// A test binary's name without the `-<16 hex digits>` cargo appends.
fn without_hash(stem: &str) -> &str {
    match stem.rsplit_once('-') {
        Some((base, hash)) if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => {
            base
        }
        _ => stem,
    }
}

/// `s` with every character but letters, digits, `_` and `-` made a `-`.
fn file_safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::without_hash;

    #[test]
    fn a_test_binary_name_loses_cargo_hash_only() {
        assert_eq!(
            without_hash("proptest_tapes-209e5a77e440ce9d"),
            "proptest_tapes"
        );
        assert_eq!(without_hash("kv-store"), "kv-store");
        assert_eq!(without_hash("rust_out"), "rust_out");
        assert_eq!(without_hash("a-209e5a77e440ce9"), "a-209e5a77e440ce9");
    }
}
