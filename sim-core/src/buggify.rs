//! `buggify!`: FoundationDB's fault-injection points.
//!
//! A `buggify!()` call site is a place where the code under test may
//! misbehave on purpose (take a slow path, drop a message, return an error
//! it is allowed to return) so that the rare branches of a system run
//! often under simulation. The semantics are FoundationDB's:
//!
//! * each call site is **activated** once per simulation, with probability
//!   1/4, the first time it is reached (a draw of kind "whether a buggify!
//!   site is active"; 0 = not active);
//! * an active site **fires** with probability 1/4 (or the `p` given to
//!   `buggify!(p)`) each time it is reached (a draw; 0 = does not fire);
//! * outside a simulation it is always `false`, without a panic, so
//!   production code can keep its `buggify!()` calls.
//!
//! Activations and fires are events of the run: they are part of the
//! fingerprint and appear in the [trace](crate::Trace). Most sites stay
//! inactive in a given run, so different seeds exercise different
//! combinations of faults, and a run that never reaches a site draws
//! nothing for it. [`Builder::buggify`](crate::Builder::buggify) turns
//! buggify off or activates every site.

use std::cell::RefCell;
use std::fmt;

use crate::choices::{DrawKind, Event};
use crate::context;
use crate::ext::{self, Extension};
use crate::fingerprint::{hash_str, mix64};

/// How `buggify!` behaves in a simulation
/// ([`Builder::buggify`](crate::Builder::buggify)).
///
/// ```
/// use detsim::{BuggifyMode, Sim};
/// let mut sim = Sim::builder().buggify(BuggifyMode::Off).build();
/// let fired = sim.run(async { (0..100).any(|_| detsim::buggify!(1.0)) }).unwrap();
/// assert!(!fired, "an Off simulation never buggifies");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuggifyMode {
    /// FoundationDB's semantics (the default): each site is active with
    /// probability 1/4 per run; an active site fires with its probability
    /// each time it is reached.
    #[default]
    Random,
    /// `buggify!` is always `false` and draws nothing: the run is what it
    /// would be without the calls (for a baseline, or to confirm that a
    /// failure needs a fault).
    Off,
    /// Every site is active (no activation draw); each still fires with its
    /// probability. For a stress run that exercises every fault path.
    AllSites,
}

/// A `buggify!` call site. Built by the macro, one `static` per call
/// site; not a stable API.
#[doc(hidden)]
#[derive(Debug, PartialEq, Eq)]
pub struct BuggifySite {
    /// `file!()` of the call.
    pub file: &'static str,
    /// `line!()` of the call.
    pub line: u32,
    /// `column!()` of the call.
    pub column: u32,
}

impl BuggifySite {
    /// A stable hash of the location (never its address).
    pub(crate) fn key(&self) -> u64 {
        mix64(hash_str(self.file) ^ (u64::from(self.line) << 32 | u64::from(self.column)))
    }
}

impl fmt::Display for BuggifySite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// What a `buggify!` site did, as the trace shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BuggifyEvent {
    /// First reached, and inactive for the rest of the run.
    Inactive = 0,
    /// First reached, and active for the rest of the run.
    Activated = 1,
    /// Reached while active, and fired.
    Fired = 2,
}

/// The activation of every site reached so far in one simulation.
#[derive(Default)]
struct Sites(RefCell<Vec<(&'static BuggifySite, bool)>>);

impl Extension for Sites {}

/// The default probability that an active site fires (`buggify!()` is
/// `buggify!(DEFAULT_BUGGIFY_PROBABILITY)`).
///
/// ```
/// assert_eq!(detsim::DEFAULT_BUGGIFY_PROBABILITY, 0.25);
/// ```
pub const DEFAULT_BUGGIFY_PROBABILITY: f64 = 0.25;

/// Draw resolution for a firing probability that is not a multiple of 1/4.
const FINE: u64 = 1_000_000;

/// What `buggify!` expands to: whether the site fires now.
///
/// # Panics
///
/// Inside a simulation, in every [`BuggifyMode`] (`Off` too), when `p` is
/// not a probability (NaN, or outside `0.0..=1.0`).
#[doc(hidden)]
#[track_caller]
pub fn reached(site: &'static BuggifySite, p: f64) -> bool {
    let Some(rt) = context::try_current() else {
        return false;
    };
    // Checked in every mode, before `Off` returns: a bad probability must
    // fail the first run that reaches it, not only a run with faults on.
    assert!(
        (0.0..=1.0).contains(&p),
        "detsim: buggify!({p}) at {site}: the probability must be between 0.0 and 1.0 \
         (buggify!() fires an active site with probability 0.25)"
    );
    let mode = rt.config.buggify;
    if mode == BuggifyMode::Off {
        return false;
    }
    let sites = ext::get_in::<Sites>(&rt);
    let known = sites
        .0
        .borrow()
        .iter()
        .find(|(s, _)| *s == site)
        .map(|e| e.1);
    let active = match known {
        Some(active) => active,
        None => {
            let active = mode == BuggifyMode::AllSites
                || rt.choices.borrow_mut().draw(DrawKind::BuggifyActivate, 4) == 3;
            sites.0.borrow_mut().push((site, active));
            let what = if active {
                BuggifyEvent::Activated
            } else {
                BuggifyEvent::Inactive
            };
            rt.choices.borrow_mut().event(Event::Buggify { site, what });
            active
        }
    };
    if !active {
        return false;
    }
    let fires = {
        let mut choices = rt.choices.borrow_mut();
        if p <= 0.0 {
            false
        } else if p >= 1.0 {
            true
        } else if (p * 4.0).fract() == 0.0 {
            // 1/4, 1/2, 3/4: one small draw, fired by its top values.
            choices.draw(DrawKind::BuggifyFire, 4) >= 4 - (p * 4.0) as u64
        } else {
            let fire = ((p * FINE as f64).round() as u64).clamp(1, FINE - 1);
            choices.draw(DrawKind::BuggifyFire, FINE) >= FINE - fire
        }
    };
    if fires {
        rt.choices.borrow_mut().event(Event::Buggify {
            site,
            what: BuggifyEvent::Fired,
        });
    }
    fires
}

/// FoundationDB's `BUGGIFY`: `true` when this call site should misbehave
/// now.
///
/// `buggify!()` fires an active site with probability 1/4,
/// `buggify!(p)` with probability `p` (an `f64` in `0.0..=1.0`). Each call
/// site is active in a run with probability 1/4, decided when it is first
/// reached. Outside a simulation it is always `false`. See
/// [`BuggifyMode`] for turning it off or activating every site.
///
/// # Panics
///
/// Inside a simulation, when `p` is not between 0.0 and 1.0 (or is NaN):
/// the run fails with a message naming the call site, the value and the
/// valid range. This is checked every time the site is reached, whatever
/// the [`BuggifyMode`] (with buggify off too, so a bad probability fails
/// the ordinary test runs, not only a sweep with faults on). Outside a
/// simulation nothing is checked and the result is `false`.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use detsim::{Sim, buggify, time};
///
/// async fn send_reply() -> &'static str {
///     if buggify!() {
///         // The rare path: a slow reply, now exercised on some seeds.
///         time::sleep(Duration::from_secs(5)).await;
///     }
///     "reply"
/// }
///
/// let slow_seeds = (0..200u64)
///     .filter(|&seed| {
///         let mut sim = Sim::builder().seed(seed).build();
///         sim.run(send_reply()).unwrap();
///         sim.now().since_start() > Duration::ZERO
///     })
///     .count();
/// // Active on about 1/4 of the seeds, firing on 1/4 of those.
/// assert!(slow_seeds > 0 && slow_seeds < 50, "{slow_seeds}");
/// assert!(!buggify!(1.0), "always false outside a simulation");
/// ```
#[macro_export]
macro_rules! buggify {
    () => {
        $crate::buggify!($crate::DEFAULT_BUGGIFY_PROBABILITY)
    };
    ($p:expr $(,)?) => {{
        static SITE: $crate::__macro::BuggifySite = $crate::__macro::BuggifySite {
            file: ::core::file!(),
            line: ::core::line!(),
            column: ::core::column!(),
        };
        $crate::__macro::buggify_reached(&SITE, $p)
    }};
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Sim;

    fn fires(seed: u64, mode: BuggifyMode, reaches: u32) -> (u32, crate::Fingerprint) {
        let mut sim = Sim::builder().seed(seed).buggify(mode).build();
        let n = sim
            .run(async move { (0..reaches).filter(|_| crate::buggify!()).count() as u32 })
            .unwrap();
        (n, sim.fingerprint())
    }

    #[test]
    fn a_site_is_active_on_about_a_quarter_of_the_seeds() {
        let active = (0..400)
            .filter(|&s| fires(s, BuggifyMode::Random, 20).0 > 0)
            .count();
        // Active with 1/4, and then fires at least once in 20 tries with
        // probability 1 - (3/4)^20.
        assert!((60..140).contains(&active), "{active} of 400");
    }

    #[test]
    fn all_sites_fires_about_a_quarter_of_the_reaches() {
        let total: u32 = (0..20)
            .map(|s| fires(s, BuggifyMode::AllSites, 100).0)
            .sum();
        assert!((350..650).contains(&total), "{total} of 2000");
    }

    #[test]
    fn off_draws_nothing() {
        let mut sim = Sim::builder().seed(1).buggify(BuggifyMode::Off).build();
        sim.run(async { crate::buggify!(1.0) }).unwrap();
        assert_eq!(sim.tape().len(), 1, "only the epoch draw");
    }

    #[test]
    fn a_bad_probability_fails_the_run_naming_the_site() {
        let mut sim = Sim::builder().buggify(BuggifyMode::AllSites).build();
        let f = sim.run(async { crate::buggify!(1.5) }).unwrap_err();
        assert!(
            f.message()
                .contains("buggify!(1.5) at sim-core/src/buggify.rs:"),
            "{f}"
        );
        assert!(f.message().contains("between 0.0 and 1.0"), "{f}");
    }
}
