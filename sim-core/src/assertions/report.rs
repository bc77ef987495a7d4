//! [`Assertions`]: what the assertions of one run, or of a whole sweep,
//! saw.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;

use super::{AssertKind, AssertSite};

/// A site as a map key, ordered by file, line, column, message and kind
/// (never by address), so reports list sites in source order.
#[derive(Clone, Copy)]
pub(crate) struct SiteKey(pub(crate) &'static AssertSite);

impl PartialEq for SiteKey {
    fn eq(&self, other: &Self) -> bool {
        self.0.id() == other.0.id()
    }
}

impl Eq for SiteKey {}

impl PartialOrd for SiteKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SiteKey {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.id().cmp(&other.0.id())
    }
}

/// What one assertion saw: how many times it was reached and held, and in
/// how many runs.
///
/// ```
/// let mut sim = detsim::Sim::builder().build();
/// sim.run(async {
///     for n in 0..3 {
///         detsim::assert_sometimes!(n > 0, "n positive");
///     }
/// }).unwrap();
/// let s = sim.assertions().get("n positive").unwrap().clone();
/// assert_eq!(s.kind(), detsim::AssertKind::Sometimes);
/// assert_eq!((s.hits(), s.times_true(), s.times_false()), (3, 2, 1));
/// assert_eq!((s.runs_reached(), s.runs_true()), (1, 1));
/// assert!(s.is_met());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssertionStats {
    site: &'static AssertSite,
    hits: u64,
    held: u64,
    runs_reached: u64,
    runs_held: u64,
}

impl AssertionStats {
    pub(crate) fn of_run(site: &'static AssertSite, hits: u64, held: u64) -> AssertionStats {
        AssertionStats {
            site,
            hits,
            held,
            runs_reached: u64::from(hits > 0),
            runs_held: u64::from(held > 0),
        }
    }

    fn add(&mut self, other: &AssertionStats) {
        self.hits += other.hits;
        self.held += other.held;
        self.runs_reached += other.runs_reached;
        self.runs_held += other.runs_held;
    }

    /// Which macro.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async { detsim::assert_reachable!("here") }).unwrap();
    /// assert_eq!(sim.assertions().get("here").unwrap().kind(), detsim::AssertKind::Reachable);
    /// ```
    pub fn kind(&self) -> AssertKind {
        self.site.kind
    }

    /// The message given to the macro.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async { detsim::assert_reachable!("here") }).unwrap();
    /// assert_eq!(sim.assertions().iter().next().unwrap().message(), "here");
    /// ```
    pub fn message(&self) -> &'static str {
        self.site.message
    }

    /// The condition's source text (empty for reachable and unreachable).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async { detsim::assert_sometimes!(1 < 2, "lt") }).unwrap();
    /// assert_eq!(sim.assertions().get("lt").unwrap().condition(), "1 < 2");
    /// ```
    pub fn condition(&self) -> &'static str {
        self.site.condition
    }

    /// The call site, `file:line:column`.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async { detsim::assert_reachable!("here") }).unwrap();
    /// assert!(sim.assertions().get("here").unwrap().location().contains(".rs:"));
    /// ```
    pub fn location(&self) -> String {
        self.site.location()
    }

    /// How many times it was reached, over every run.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async { detsim::assert_reachable!("here") }).unwrap();
    /// assert_eq!(sim.assertions().get("here").unwrap().hits(), 1);
    /// ```
    pub fn hits(&self) -> u64 {
        self.hits
    }

    /// How many of the hits had a true condition (every hit of a
    /// `reachable`, none of an `unreachable`).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async { detsim::assert_sometimes!(false, "never") }).unwrap();
    /// assert_eq!(sim.assertions().get("never").unwrap().times_true(), 0);
    /// ```
    pub fn times_true(&self) -> u64 {
        self.held
    }

    /// How many of the hits had a false condition.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async { detsim::assert_sometimes!(false, "never") }).unwrap();
    /// assert_eq!(sim.assertions().get("never").unwrap().times_false(), 1);
    /// ```
    pub fn times_false(&self) -> u64 {
        self.hits - self.held
    }

    /// In how many runs it was reached.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async { detsim::assert_reachable!("here") }).unwrap();
    /// assert_eq!(sim.assertions().get("here").unwrap().runs_reached(), 1);
    /// ```
    pub fn runs_reached(&self) -> u64 {
        self.runs_reached
    }

    /// In how many runs its condition was true at least once.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async { detsim::assert_sometimes!(true, "yes") }).unwrap();
    /// assert_eq!(sim.assertions().get("yes").unwrap().runs_true(), 1);
    /// ```
    pub fn runs_true(&self) -> u64 {
        self.runs_held
    }

    /// Whether what it asks for was seen: a `sometimes` held at least once,
    /// a `reachable` was reached, an `always` never failed, an
    /// `unreachable` was never reached.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async { detsim::assert_sometimes!(false, "never") }).unwrap();
    /// assert!(!sim.assertions().get("never").unwrap().is_met());
    /// ```
    pub fn is_met(&self) -> bool {
        match self.site.kind {
            AssertKind::Always => self.held == self.hits,
            AssertKind::Sometimes => self.held > 0,
            AssertKind::Reachable => self.hits > 0,
            AssertKind::Unreachable => self.hits == 0,
        }
    }
}

impl fmt::Display for AssertionStats {
    /// One line: the call, where, and what was seen.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {}: ", self.site.call(), self.location())?;
        if self.hits == 0 {
            return f.write_str("never reached");
        }
        let times = |n: u64| {
            if n == 1 {
                "once".to_owned()
            } else {
                format!("{n} times")
            }
        };
        write!(f, "reached in {} run", self.runs_reached)?;
        if self.runs_reached != 1 {
            f.write_str("s")?;
        }
        write!(f, " ({})", times(self.hits))?;
        match self.site.kind {
            AssertKind::Always | AssertKind::Sometimes if self.held == 0 => {
                f.write_str(", never true")
            }
            AssertKind::Always | AssertKind::Sometimes => write!(
                f,
                ", true {} in {} run{}, false {}",
                times(self.held),
                self.runs_held,
                if self.runs_held == 1 { "" } else { "s" },
                times(self.hits - self.held)
            ),
            _ => Ok(()),
        }
    }
}

/// What the assertions of one simulation, or of every run of a sweep,
/// saw: one [`AssertionStats`] per assertion reached (or, for a sweep,
/// written in the test), in source order.
///
/// ```
/// use detsim::{Assertions, Sim, assert_sometimes};
/// let mut total = Assertions::default();
/// for seed in 0..20 {
///     let mut sim = Sim::builder().seed(seed).build();
///     sim.run(async { assert_sometimes!(detsim::rand::random::<u8>() == 7, "a seven") }).unwrap();
///     total.merge(&sim.assertions());
/// }
/// assert_eq!(total.runs(), 20);
/// // One in 256 per run: most likely never seen in 20 runs.
/// for unmet in total.unmet() {
///     println!("{unmet}");
/// }
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Assertions {
    runs: u64,
    sites: BTreeMap<SiteKey, AssertionStats>,
}

impl fmt::Debug for SiteKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0, f)
    }
}

impl Assertions {
    pub(crate) fn new(runs: u64, sites: BTreeMap<SiteKey, AssertionStats>) -> Assertions {
        Assertions { runs, sites }
    }

    /// Adds sites that no run has reached yet (reported as never reached).
    pub(crate) fn declare(&mut self, sites: impl IntoIterator<Item = &'static AssertSite>) {
        for site in sites {
            self.sites
                .entry(SiteKey(site))
                .or_insert_with(|| AssertionStats::of_run(site, 0, 0));
        }
    }

    /// Adds another report (another run, or another part of a sweep).
    /// The order of merges does not change the result.
    ///
    /// ```
    /// let mut a = detsim::Assertions::default();
    /// a.merge(&detsim::Assertions::default());
    /// assert_eq!(a.runs(), 0);
    /// ```
    pub fn merge(&mut self, other: &Assertions) {
        self.runs += other.runs;
        for (key, stats) in &other.sites {
            match self.sites.get_mut(key) {
                Some(mine) => mine.add(stats),
                None => {
                    self.sites.insert(*key, stats.clone());
                }
            }
        }
    }

    /// How many runs were merged.
    ///
    /// ```
    /// let mut sim = detsim::Sim::builder().build();
    /// sim.run(async {}).unwrap();
    /// assert_eq!(sim.assertions().runs(), 1);
    /// ```
    pub fn runs(&self) -> u64 {
        self.runs
    }

    /// Every assertion, in source order (file, line, column).
    ///
    /// ```
    /// let mut sim = detsim::Sim::builder().build();
    /// sim.run(async {}).unwrap();
    /// assert_eq!(sim.assertions().iter().count(), 0);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = &AssertionStats> {
        self.sites.values()
    }

    /// The first assertion with this message.
    ///
    /// ```
    /// let mut sim = detsim::Sim::builder().build();
    /// sim.run(async { detsim::assert_reachable!("in main") }).unwrap();
    /// assert!(sim.assertions().get("in main").is_some());
    /// assert!(sim.assertions().get("elsewhere").is_none());
    /// ```
    pub fn get(&self, message: &str) -> Option<&AssertionStats> {
        self.iter().find(|s| s.message() == message)
    }

    /// The `sometimes` that never held and the `reachable` never reached:
    /// what a sweep fails for.
    ///
    /// ```
    /// let mut sim = detsim::Sim::builder().build();
    /// sim.run(async { detsim::assert_sometimes!(false, "never true") }).unwrap();
    /// let report = sim.assertions();
    /// assert_eq!(report.unmet()[0].message(), "never true");
    /// ```
    pub fn unmet(&self) -> Vec<&AssertionStats> {
        self.iter()
            .filter(|s| matches!(s.kind(), AssertKind::Sometimes | AssertKind::Reachable))
            .filter(|s| !s.is_met())
            .collect()
    }
}

impl fmt::Display for Assertions {
    /// One line per assertion.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for s in self.iter() {
            writeln!(f, "{s}")?;
        }
        Ok(())
    }
}
