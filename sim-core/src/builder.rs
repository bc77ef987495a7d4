//! `Builder`: configuring a simulation.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use sim_clock::SystemTime;

use crate::buggify::BuggifyMode;
use crate::choices::{LogSpec, Tape};
use crate::determinism::Role;
use crate::failure::Failure;
use crate::sched::Scheduler;
use crate::sim::Sim;

/// Default virtual-time limit.
///
/// ```
/// assert_eq!(detsim::DEFAULT_TIME_LIMIT.as_secs(), 3600);
/// ```
pub const DEFAULT_TIME_LIMIT: Duration = Duration::from_secs(3600);
/// Default step (poll) limit.
///
/// ```
/// assert_eq!(detsim::DEFAULT_MAX_STEPS, 10_000_000);
/// ```
pub const DEFAULT_MAX_STEPS: u64 = 10_000_000;
/// Default slow-poll threshold (asyncio's slow-callback default).
///
/// ```
/// assert_eq!(detsim::DEFAULT_SLOW_POLL.as_millis(), 100);
/// ```
pub const DEFAULT_SLOW_POLL: Duration = Duration::from_millis(100);
/// Default PCT step estimate `k`.
///
/// ```
/// assert_eq!(detsim::DEFAULT_PCT_STEPS, 1_000);
/// ```
pub const DEFAULT_PCT_STEPS: u64 = 1_000;
/// How many events a trace keeps by default (the last ones; see
/// [`Builder::trace_limit`]).
///
/// ```
/// assert_eq!(detsim::DEFAULT_TRACE_LIMIT, 1_000_000);
/// ```
pub const DEFAULT_TRACE_LIMIT: usize = 1_000_000;

/// Configures a [`Sim`].
///
/// Every setting has a default, so `Sim::builder().build()` works.
/// [`build`](Builder::build) panics on an impossible configuration (with a
/// message naming the setting and the fix); [`try_build`](Builder::try_build)
/// returns it as a [`ConfigError`].
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use detsim::{Scheduler, Sim};
/// let mut sim = Sim::builder()
///     .seed(0xdead_beef)
///     .scheduler(Scheduler::Pct { depth: 2 })
///     .time_limit(Duration::from_secs(60))
///     .max_steps(1_000_000)
///     .strict(true)
///     .build();
/// sim.run(async {}).unwrap();
/// ```
#[derive(Clone, Debug)]
#[must_use = "a Builder does nothing until you call build"]
pub struct Builder {
    pub(crate) seed: u64,
    pub(crate) scheduler: Scheduler,
    pub(crate) time_limit: Option<Duration>,
    pub(crate) max_steps: Option<u64>,
    pub(crate) strict: bool,
    pub(crate) auto_advance: bool,
    pub(crate) tape: Option<Tape>,
    pub(crate) slow_poll: Option<Duration>,
    pub(crate) epoch: Option<SystemTime>,
    pub(crate) blocking_cost: Duration,
    pub(crate) pct_steps: u64,
    pub(crate) log_events: bool,
    /// Which run of a determinism check this is (it keeps that check's
    /// bounded bookkeeping of the events).
    pub(crate) check: Option<Role>,
    pub(crate) trace: bool,
    pub(crate) trace_limit: usize,
    pub(crate) buggify: BuggifyMode,
    /// Where the main task counts as spawned, if not where `Sim::run` is
    /// called: `#[sim_test]` names the user's test, not the harness.
    pub(crate) main_at: Option<&'static std::panic::Location<'static>>,
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            seed: 0,
            scheduler: Scheduler::Random,
            time_limit: Some(DEFAULT_TIME_LIMIT),
            max_steps: Some(DEFAULT_MAX_STEPS),
            strict: false,
            auto_advance: true,
            tape: None,
            slow_poll: Some(DEFAULT_SLOW_POLL),
            epoch: None,
            blocking_cost: Duration::ZERO,
            pct_steps: DEFAULT_PCT_STEPS,
            log_events: false,
            check: None,
            trace: false,
            trace_limit: DEFAULT_TRACE_LIMIT,
            buggify: BuggifyMode::Random,
            main_at: None,
        }
    }
}

impl Builder {
    /// A builder with every default: seed 0, `Random` scheduling, a one-hour
    /// virtual-time limit, ten million steps, auto-advance on.
    ///
    /// ```
    /// let sim = detsim::Builder::new().build();
    /// assert_eq!(sim.seed(), 0);
    /// ```
    pub fn new() -> Builder {
        Builder::default()
    }

    /// The seed: every draw of the run follows from it.
    ///
    /// ```
    /// assert_eq!(detsim::Sim::builder().seed(42).build().seed(), 42);
    /// ```
    pub fn seed(mut self, seed: u64) -> Builder {
        self.seed = seed;
        self
    }

    /// The scheduling policy (default [`Scheduler::Random`]).
    ///
    /// ```
    /// let sim = detsim::Sim::builder().scheduler(detsim::Scheduler::Fifo).build();
    /// # drop(sim);
    /// ```
    pub fn scheduler(mut self, scheduler: Scheduler) -> Builder {
        self.scheduler = scheduler;
        self
    }

    /// Fails the run (kind `TimeLimit`) if virtual time would pass `limit`
    /// (default one hour). Catches livelocks that keep timers busy.
    ///
    /// ```
    /// let sim = detsim::Sim::builder().time_limit(std::time::Duration::from_secs(90)).build();
    /// # drop(sim);
    /// ```
    pub fn time_limit(mut self, limit: Duration) -> Builder {
        self.time_limit = Some(limit);
        self
    }

    /// Removes the virtual-time limit.
    ///
    /// ```
    /// let sim = detsim::Sim::builder().no_time_limit().build();
    /// # drop(sim);
    /// ```
    pub fn no_time_limit(mut self) -> Builder {
        self.time_limit = None;
        self
    }

    /// Fails the run (kind `StepLimit`) after `steps` polls (default ten
    /// million). Catches busy loops that never let time move.
    ///
    /// ```
    /// let sim = detsim::Sim::builder().max_steps(50_000).build();
    /// # drop(sim);
    /// ```
    pub fn max_steps(mut self, steps: u64) -> Builder {
        self.max_steps = Some(steps);
        self
    }

    /// Removes the step limit.
    ///
    /// ```
    /// let sim = detsim::Sim::builder().no_step_limit().build();
    /// # drop(sim);
    /// ```
    pub fn no_step_limit(mut self) -> Builder {
        self.max_steps = None;
        self
    }

    /// Strict mode: a run that ends with live tasks or armed timers fails
    /// (kind `Hygiene`) instead of only reporting them.
    ///
    /// ```
    /// let sim = detsim::Sim::builder().strict(true).build();
    /// # drop(sim);
    /// ```
    pub fn strict(mut self, strict: bool) -> Builder {
        self.strict = strict;
        self
    }

    /// Whether the clock jumps to the next timer when nothing is runnable
    /// (default on). Off gives asynctest's `ClockedTestCase`: time moves
    /// only through [`time::advance`](crate::time::advance).
    ///
    /// ```
    /// let sim = detsim::Sim::builder().auto_advance(false).build();
    /// # drop(sim);
    /// ```
    pub fn auto_advance(mut self, on: bool) -> Builder {
        self.auto_advance = on;
        self
    }

    /// Replays a recorded tape: draws come from it, in order, and from the
    /// seed once it runs out.
    ///
    /// ```
    /// let sim = detsim::Sim::builder().tape(detsim::Tape::new(vec![0, 1, 0])).build();
    /// # drop(sim);
    /// ```
    pub fn tape(mut self, tape: Tape) -> Builder {
        self.tape = Some(tape);
        self
    }

    /// Reports polls that hold the thread longer than `threshold` of real
    /// time (default 100 ms); see [`SlowPoll`](crate::SlowPoll).
    ///
    /// ```
    /// let sim = detsim::Sim::builder()
    ///     .slow_poll_threshold(std::time::Duration::from_millis(10))
    ///     .build();
    /// # drop(sim);
    /// ```
    pub fn slow_poll_threshold(mut self, threshold: Duration) -> Builder {
        self.slow_poll = Some(threshold);
        self
    }

    /// Turns slow-poll detection off.
    ///
    /// ```
    /// let sim = detsim::Sim::builder().no_slow_poll_detection().build();
    /// # drop(sim);
    /// ```
    pub fn no_slow_poll_detection(mut self) -> Builder {
        self.slow_poll = None;
        self
    }

    /// Fixes the wall-clock time at the start of the run. By default the
    /// epoch is drawn from the seed (a second between 2020 and 2030), so
    /// date-dependent code meets many dates.
    ///
    /// ```
    /// use detsim::time::SystemTime;
    /// let sim = detsim::Sim::builder().epoch(SystemTime::UNIX_EPOCH).build();
    /// # drop(sim);
    /// ```
    pub fn epoch(mut self, epoch: SystemTime) -> Builder {
        self.epoch = Some(epoch);
        self
    }

    /// Virtual time a [`spawn_blocking`](crate::spawn_blocking) closure
    /// takes (default zero).
    ///
    /// ```
    /// let sim = detsim::Sim::builder()
    ///     .blocking_cost(std::time::Duration::from_millis(5))
    ///     .build();
    /// # drop(sim);
    /// ```
    pub fn blocking_cost(mut self, cost: Duration) -> Builder {
        self.blocking_cost = cost;
        self
    }

    /// PCT's estimate `k` of the number of steps in a run (default 1,000):
    /// change points are drawn in `1..=k`. Set it near a typical run's
    /// [`Sim::steps`].
    ///
    /// ```
    /// let sim = detsim::Sim::builder()
    ///     .scheduler(detsim::Scheduler::Pct { depth: 3 })
    ///     .pct_steps(200)
    ///     .build();
    /// # drop(sim);
    /// ```
    pub fn pct_steps(mut self, k: u64) -> Builder {
        self.pct_steps = k;
        self
    }

    /// Records a [`Trace`](crate::Trace) of the run (off by default): every
    /// spawn, poll, finish, clock move, node event, draw, `buggify!` and
    /// assertion, and the network's events, readable from
    /// [`Sim::trace`](crate::Sim::trace) and
    /// [`Failure::trace`](crate::Failure::trace). It changes nothing about
    /// the run (same draws, same fingerprint); it costs memory for every
    /// event (up to [`trace_limit`](Builder::trace_limit) of them) and some
    /// time per event.
    ///
    /// ```
    /// let mut sim = detsim::Sim::builder().trace(true).build();
    /// sim.run(async {}).unwrap();
    /// assert!(sim.trace().is_some());
    /// ```
    pub fn trace(mut self, on: bool) -> Builder {
        self.trace = on;
        self.log_events = on;
        self
    }

    /// Keeps only the last `events` events of a [`trace`](Builder::trace)
    /// (default [`DEFAULT_TRACE_LIMIT`], a million), so a long traced run
    /// holds a bounded trace in memory: events are kept as 72-byte records
    /// (about 75 MB at the default limit) and rendered to text lines only
    /// when the trace is read. The end of a run is what
    /// explains a failure; when earlier events were dropped, the trace
    /// says how many on its first line
    /// ([`Trace::dropped`](crate::Trace::dropped)). The limit changes
    /// nothing about the run (same draws, same fingerprint) and nothing
    /// when tracing is off. `#[sim_test]`s read it from
    /// `DETSIM_TRACE_LIMIT`.
    ///
    /// Zero is a configuration error (a trace that keeps nothing: turn
    /// tracing off instead); for no limit, pass `usize::MAX`.
    ///
    /// ```
    /// let mut sim = detsim::Sim::builder().trace(true).trace_limit(3).build();
    /// sim.run(async { for _ in 0..10 { detsim::yield_now().await } }).unwrap();
    /// let trace = sim.trace().unwrap();
    /// assert_eq!(trace.len(), 3);
    /// assert!(trace.dropped() > 0);
    /// assert!(detsim::Sim::builder().trace_limit(0).try_build().is_err());
    /// ```
    pub fn trace_limit(mut self, events: usize) -> Builder {
        self.trace_limit = events;
        self
    }

    /// How [`buggify!`](crate::buggify!) behaves (default
    /// [`BuggifyMode::Random`]: FoundationDB's semantics).
    ///
    /// ```
    /// use detsim::BuggifyMode;
    /// let mut sim = detsim::Sim::builder().buggify(BuggifyMode::AllSites).build();
    /// let fired = sim.run(async { (0..50).filter(|_| detsim::buggify!()).count() }).unwrap();
    /// assert!(fired > 0, "every site is active, and fires a quarter of the time");
    /// ```
    pub fn buggify(mut self, mode: BuggifyMode) -> Builder {
        self.buggify = mode;
        self
    }

    /// Makes the run one of a determinism check's (see
    /// [`crate::determinism`]): it logs events for the check's bookkeeping.
    pub(crate) fn check_role(mut self, role: Role) -> Builder {
        self.log_events = true;
        self.check = Some(role);
        self
    }

    /// What the run's log keeps, if it keeps anything: the trace's last
    /// [`trace_limit`](Builder::trace_limit) events when tracing, and a
    /// determinism check's bookkeeping.
    pub(crate) fn log_limit(&self) -> Option<LogSpec> {
        if !self.log_events {
            return None;
        }
        Some(LogSpec {
            trace: self.trace.then_some(self.trace_limit),
            check: self.check.clone(),
        })
    }

    /// Checks the configuration.
    fn validate(&self) -> Result<(), ConfigError> {
        if self.time_limit == Some(Duration::ZERO) {
            return Err(ConfigError::new(
                "time_limit",
                "the time limit is zero, so no run could ever make progress",
                "give a positive duration, or call no_time_limit() to remove the limit",
            ));
        }
        if self.max_steps == Some(0) {
            return Err(ConfigError::new(
                "max_steps",
                "the step limit is zero, so the main future could never be polled",
                "give a positive number of steps, or call no_step_limit()",
            ));
        }
        if let Scheduler::Pct { depth: 0 } = self.scheduler {
            return Err(ConfigError::new(
                "scheduler",
                "PCT depth 0 targets no bug at all",
                "use a depth of 1 or more (depth d finds bugs needing d ordering constraints)",
            ));
        }
        if let Scheduler::Pct { depth } = self.scheduler {
            if depth > 64 {
                return Err(ConfigError::new(
                    "scheduler",
                    "PCT depth above 64 is never useful (its guarantee decays as 1/k^(d-1))",
                    "use a depth between 1 and 3 for most bugs",
                ));
            }
        }
        if self.trace_limit == 0 {
            return Err(ConfigError::new(
                "trace_limit",
                "a trace limit of zero would keep no event of the trace",
                "give the number of events to keep (the last ones; usize::MAX for all), or \
                 turn the trace off with trace(false)",
            ));
        }
        if self.pct_steps == 0 {
            return Err(ConfigError::new(
                "pct_steps",
                "the PCT step estimate is zero",
                "give the typical number of steps of a run (see Sim::steps)",
            ));
        }
        if self.slow_poll == Some(Duration::ZERO) {
            return Err(ConfigError::new(
                "slow_poll_threshold",
                "a zero slow-poll threshold would report every poll",
                "give a positive duration, or call no_slow_poll_detection()",
            ));
        }
        Ok(())
    }

    /// Builds the simulation, or says what is wrong with the configuration.
    ///
    /// ```
    /// let err = detsim::Sim::builder()
    ///     .scheduler(detsim::Scheduler::Pct { depth: 0 })
    ///     .try_build()
    ///     .unwrap_err();
    /// assert_eq!(err.setting(), "scheduler");
    /// ```
    pub fn try_build(self) -> Result<Sim, ConfigError> {
        self.validate()?;
        Ok(Sim::from_builder(self))
    }

    /// Builds the simulation.
    ///
    /// # Panics
    ///
    /// On an impossible configuration (zero time limit, PCT depth 0, ...),
    /// with the [`ConfigError`] message; use
    /// [`try_build`](Builder::try_build) to handle it.
    ///
    /// ```
    /// let mut sim = detsim::Sim::builder().seed(7).build();
    /// assert_eq!(sim.run(async { 1 + 1 }).unwrap(), 2);
    /// ```
    #[track_caller]
    pub fn build(self) -> Sim {
        match self.try_build() {
            Ok(sim) => sim,
            Err(e) => panic!("{e}"),
        }
    }

    /// Runs a future made by `make` twice (three times to locate a
    /// difference, see below) with this configuration and checks that both
    /// runs made the same draws and events (equal fingerprints).
    ///
    /// Returns the first run's output. If the runs differ, fails with kind
    /// `Nondeterminism` and a [`Divergence`](crate::Divergence) naming the
    /// first event where they parted (its index, draw number, virtual time,
    /// task and node). If the first run fails and the second fails the same
    /// way, returns that failure.
    ///
    /// Memory stays bounded however long the runs are: they are compared
    /// window by window of 4096 events, through the fingerprint at each
    /// window's end, keeping at most three windows of events (under 1 MB)
    /// and one word per window. When the runs part past the first run's
    /// first window and before its last one, `make` is called a third time
    /// to log the first run's events in that window. If that run does not
    /// repeat the first (a program whose nondeterminism changes from run to
    /// run), the report names the window instead of the event
    /// ([`Divergence::is_exact`](crate::Divergence::is_exact)).
    ///
    /// # Panics
    ///
    /// On an impossible configuration, like [`build`](Builder::build).
    ///
    /// ```
    /// let out = detsim::Sim::builder().seed(3).check_determinism(|| async {
    ///     let a = detsim::spawn(async { 1 });
    ///     let b = detsim::spawn(async { 2 });
    ///     a.await.unwrap() + b.await.unwrap()
    /// }).unwrap();
    /// assert_eq!(out, 3);
    /// ```
    #[track_caller]
    pub fn check_determinism<M, F>(self, make: M) -> Result<F::Output, Failure>
    where
        M: FnMut() -> F,
        F: Future,
    {
        crate::determinism::check(self, make)
    }
}

/// An impossible simulation configuration: which setting, what is wrong
/// with it, and how to fix it.
///
/// ```
/// let err = detsim::Sim::builder()
///     .time_limit(std::time::Duration::ZERO)
///     .try_build()
///     .unwrap_err();
/// assert_eq!(err.setting(), "time_limit");
/// assert!(err.to_string().contains("no_time_limit()"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    setting: &'static str,
    problem: &'static str,
    fix: &'static str,
}

impl ConfigError {
    fn new(setting: &'static str, problem: &'static str, fix: &'static str) -> ConfigError {
        ConfigError {
            setting,
            problem,
            fix,
        }
    }

    /// The builder setting at fault (`"time_limit"`, `"scheduler"`, ...).
    ///
    /// ```
    /// let err = detsim::Sim::builder().max_steps(0).try_build().unwrap_err();
    /// assert_eq!(err.setting(), "max_steps");
    /// ```
    pub fn setting(&self) -> &str {
        self.setting
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid detsim configuration: {} ({}): {}",
            self.setting, self.problem, self.fix
        )
    }
}

impl std::error::Error for ConfigError {}
