//! `Failure`: why a run failed, with everything needed to replay it.

use std::fmt;

use sim_clock::Instant;

use crate::Scheduler;
use crate::choices::Tape;
use crate::determinism::Divergence;
use crate::fingerprint::Fingerprint;
use crate::report::Hygiene;
use crate::task::TaskInfo;
use crate::trace::Trace;

/// The kind of a [`Failure`].
///
/// ```
/// use detsim::FailureKind;
/// assert_eq!(FailureKind::Deadlock.to_string(), "deadlock");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FailureKind {
    /// The main future, or a task whose panic nobody retrieved, panicked.
    Panic,
    /// The main future can never finish: nothing is runnable and nothing
    /// can move the clock.
    Deadlock,
    /// Virtual time would pass the configured limit.
    TimeLimit,
    /// The configured number of polls passed without the main future
    /// finishing.
    StepLimit,
    /// Strict mode: tasks or timers were left at the end of the run.
    Hygiene,
    /// Two runs of one seed differed.
    Nondeterminism,
    /// A `#[sim_test]` function returned `Err`.
    Error,
    /// An `assert_always!` did not hold, or an `assert_unreachable!` was
    /// reached.
    Assertion,
}

impl fmt::Display for FailureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FailureKind::Panic => "panic",
            FailureKind::Deadlock => "deadlock",
            FailureKind::TimeLimit => "time limit",
            FailureKind::StepLimit => "step limit",
            FailureKind::Hygiene => "hygiene",
            FailureKind::Nondeterminism => "nondeterminism",
            FailureKind::Error => "error",
            FailureKind::Assertion => "assertion",
        })
    }
}

/// A failed run: what went wrong, where, and the seed, tape and
/// fingerprint that reproduce it.
///
/// `Display` renders a report that starts with one headline line; `Debug`
/// (what `.unwrap()` prints) adds the panic's backtrace when
/// `RUST_BACKTRACE` asked for one.
///
/// # Example
///
/// ```
/// let mut sim = detsim::Sim::builder().seed(7).build();
/// let failure = sim.run(async { panic!("invariant broken") }).unwrap_err();
/// assert!(failure.is_panic());
/// assert_eq!(failure.message(), "invariant broken");
/// assert_eq!(failure.seed(), 7);
/// assert_eq!(failure.task().unwrap().name(), Some("main"));
/// println!("{failure}");
/// ```
pub struct Failure(Box<Inner>);

pub(crate) struct Inner {
    pub(crate) kind: FailureKind,
    pub(crate) headline: String,
    pub(crate) message: String,
    pub(crate) task: Option<TaskInfo>,
    pub(crate) location: Option<String>,
    pub(crate) backtrace: Option<String>,
    pub(crate) details: Vec<String>,
    pub(crate) blocked: Vec<TaskInfo>,
    pub(crate) hygiene: Option<Hygiene>,
    pub(crate) divergence: Option<Divergence>,
    pub(crate) trace: Option<Trace>,
    // Stamped when the failure leaves the run:
    pub(crate) seed: u64,
    pub(crate) scheduler: Scheduler,
    pub(crate) fingerprint: Fingerprint,
    pub(crate) tape: Tape,
    pub(crate) steps: u64,
    pub(crate) time: Instant,
}

impl Failure {
    pub(crate) fn new(kind: FailureKind, headline: String, message: String) -> Failure {
        Failure(Box::new(Inner {
            kind,
            headline,
            message,
            task: None,
            location: None,
            backtrace: None,
            details: Vec::new(),
            blocked: Vec::new(),
            hygiene: None,
            divergence: None,
            trace: None,
            seed: 0,
            scheduler: Scheduler::Random,
            fingerprint: Fingerprint::default(),
            tape: Tape::default(),
            steps: 0,
            time: Instant::ZERO,
        }))
    }

    /// A panic that escaped the simulation of a seed (outside any task,
    /// say in the `Debug` of a returned error).
    pub(crate) fn escaped(
        builder: &crate::Builder,
        payload: &(dyn std::any::Any + Send),
    ) -> Failure {
        let message = crate::panic::message_of(payload);
        let headline = format!("panicked outside the simulation (after the run): {message}");
        let mut f = Failure::new(FailureKind::Panic, headline, message);
        f.0.seed = builder.seed;
        f.0.scheduler = builder.scheduler.for_seed(builder.seed);
        f
    }

    pub(crate) fn inner_mut(&mut self) -> &mut Inner {
        &mut self.0
    }

    /// What kind of failure this is.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// let f = sim.run(std::future::pending::<()>()).unwrap_err();
    /// assert_eq!(f.kind(), detsim::FailureKind::Deadlock);
    /// ```
    pub fn kind(&self) -> FailureKind {
        self.0.kind
    }

    /// Whether a panic failed the run.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// assert!(sim.run(async { panic!() }).unwrap_err().is_panic());
    /// ```
    pub fn is_panic(&self) -> bool {
        self.0.kind == FailureKind::Panic
    }

    /// Whether the run deadlocked.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// assert!(sim.run(std::future::pending::<()>()).unwrap_err().is_deadlock());
    /// ```
    pub fn is_deadlock(&self) -> bool {
        self.0.kind == FailureKind::Deadlock
    }

    /// Whether the virtual-time limit was reached.
    ///
    /// ```
    /// use std::time::Duration;
    /// let mut sim = detsim::Sim::builder().time_limit(Duration::from_secs(1)).build();
    /// let f = sim.run(detsim::time::sleep(Duration::from_secs(2))).unwrap_err();
    /// assert!(f.is_time_limit());
    /// ```
    pub fn is_time_limit(&self) -> bool {
        self.0.kind == FailureKind::TimeLimit
    }

    /// Whether the step limit was reached.
    ///
    /// ```
    /// let mut sim = detsim::Sim::builder().max_steps(10).build();
    /// let f = sim.run(async { loop { detsim::yield_now().await } }).unwrap_err();
    /// assert!(f.is_step_limit());
    /// ```
    pub fn is_step_limit(&self) -> bool {
        self.0.kind == FailureKind::StepLimit
    }

    /// Whether strict mode failed the run for leftover tasks or timers.
    ///
    /// ```
    /// let mut sim = detsim::Sim::builder().strict(true).build();
    /// let f = sim.run(async { detsim::spawn(std::future::pending::<()>()); }).unwrap_err();
    /// assert!(f.is_hygiene());
    /// ```
    pub fn is_hygiene(&self) -> bool {
        self.0.kind == FailureKind::Hygiene
    }

    /// Whether an `assert_always!` did not hold or an
    /// `assert_unreachable!` was reached.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// let f = sim.run(async { detsim::assert_always!(1 > 2, "order") }).unwrap_err();
    /// assert!(f.is_assertion());
    /// ```
    pub fn is_assertion(&self) -> bool {
        self.0.kind == FailureKind::Assertion
    }

    /// The trace of the failed run, when it was recorded
    /// ([`Builder::trace`](crate::Builder::trace)).
    ///
    /// ```
    /// let mut sim = detsim::Sim::builder().trace(true).build();
    /// let f = sim.run(async { panic!("boom") }).unwrap_err();
    /// let trace = f.trace().unwrap();
    /// assert_eq!(trace.lines().last().unwrap().text(), "poll");
    /// ```
    pub fn trace(&self) -> Option<&Trace> {
        self.0.trace.as_ref()
    }

    /// Whether two runs of one seed differed.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// assert!(!sim.run(async { panic!() }).unwrap_err().is_nondeterminism());
    /// ```
    pub fn is_nondeterminism(&self) -> bool {
        self.0.kind == FailureKind::Nondeterminism
    }

    /// The panic message, or for other kinds the one-line description.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// assert_eq!(sim.run(async { panic!("x") }).unwrap_err().message(), "x");
    /// ```
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// The first line of the report.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// let f = sim.run(async { panic!("x") }).unwrap_err();
    /// assert!(f.headline().starts_with("task 0 'main' on node 'main' panicked at "));
    /// ```
    pub fn headline(&self) -> &str {
        &self.0.headline
    }

    /// The task that failed (the panicking task; for a deadlock, the main
    /// task).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// let f = sim.run(async { panic!() }).unwrap_err();
    /// assert_eq!(f.task().unwrap().node_name(), "main");
    /// ```
    pub fn task(&self) -> Option<&TaskInfo> {
        self.0.task.as_ref()
    }

    /// Where the panic happened (`file:line:column`).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// let f = sim.run(async { panic!() }).unwrap_err();
    /// assert!(f.location().unwrap().contains(".rs:"));
    /// ```
    pub fn location(&self) -> Option<&str> {
        self.0.location.as_deref()
    }

    /// The panic's backtrace, when `RUST_BACKTRACE` asked for one.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// let f = sim.run(async { panic!() }).unwrap_err();
    /// let _maybe: Option<&str> = f.backtrace();
    /// ```
    pub fn backtrace(&self) -> Option<&str> {
        self.0.backtrace.as_deref()
    }

    /// The seed of the failing run.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().seed(5).build();
    /// assert_eq!(sim.run(async { panic!() }).unwrap_err().seed(), 5);
    /// ```
    pub fn seed(&self) -> u64 {
        self.0.seed
    }

    /// The scheduler of the failing run.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// let f = sim.run(async { panic!() }).unwrap_err();
    /// assert_eq!(f.scheduler(), detsim::Scheduler::Random);
    /// ```
    pub fn scheduler(&self) -> Scheduler {
        self.0.scheduler
    }

    /// The fingerprint at the failure.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// let f = sim.run(async { panic!() }).unwrap_err();
    /// assert_eq!(f.fingerprint(), sim.fingerprint());
    /// ```
    pub fn fingerprint(&self) -> Fingerprint {
        self.0.fingerprint
    }

    /// The draws up to the failure; replaying them reproduces it.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// let f = sim.run(async { panic!() }).unwrap_err();
    /// let _tape: &detsim::Tape = f.tape();
    /// ```
    pub fn tape(&self) -> &Tape {
        &self.0.tape
    }

    /// Polls executed before the failure.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// assert_eq!(sim.run(async { panic!() }).unwrap_err().steps(), 1);
    /// ```
    pub fn steps(&self) -> u64 {
        self.0.steps
    }

    /// Virtual time at the failure.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// let f = sim.run(async { panic!() }).unwrap_err();
    /// assert_eq!(f.time(), detsim::time::Instant::ZERO);
    /// ```
    pub fn time(&self) -> Instant {
        self.0.time
    }

    /// For a deadlock: the tasks that were blocked.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// let f = sim.run(std::future::pending::<()>()).unwrap_err();
    /// assert_eq!(f.blocked_tasks().len(), 1);
    /// ```
    pub fn blocked_tasks(&self) -> &[TaskInfo] {
        &self.0.blocked
    }

    /// For a hygiene failure: what was left.
    ///
    /// ```
    /// let mut sim = detsim::Sim::builder().strict(true).build();
    /// let f = sim.run(async { detsim::spawn(std::future::pending::<()>()); }).unwrap_err();
    /// assert_eq!(f.hygiene().unwrap().live_tasks().len(), 1);
    /// ```
    pub fn hygiene(&self) -> Option<&Hygiene> {
        self.0.hygiene.as_ref()
    }

    /// For nondeterminism: where the two runs first differed.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// assert!(sim.run(async { panic!() }).unwrap_err().divergence().is_none());
    /// ```
    pub fn divergence(&self) -> Option<&Divergence> {
        self.0.divergence.as_ref()
    }
}

impl Failure {
    /// The report without its closing line of seed, scheduler, time, steps
    /// and fingerprint (the test harness lays those out itself).
    pub(crate) fn write_body(&self, f: &mut impl fmt::Write) -> fmt::Result {
        let i = &*self.0;
        let mut headline = i.headline.lines();
        writeln!(f, "detsim: {}", headline.next().unwrap_or_default())?;
        for line in headline {
            writeln!(f, "    {line}")?;
        }
        for line in &i.details {
            writeln!(f, "  {line}")?;
        }
        if !i.blocked.is_empty() {
            writeln!(f, "  blocked tasks ({}):", i.blocked.len())?;
            for t in i.blocked.iter().take(crate::report::LISTED) {
                writeln!(f, "    {t}, spawned at {}", t.spawned_at())?;
            }
            if let Some(more) = crate::report::more(i.blocked.len(), "Failure::blocked_tasks()") {
                writeln!(f, "    {more}")?;
            }
        }
        if let Some(h) = &i.hygiene {
            for line in h.lines() {
                writeln!(f, "  {line}")?;
            }
        }
        if let Some(d) = &i.divergence {
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &*self.0;
        self.write_body(f)?;
        write!(
            f,
            "  seed {seed} ({seed:#x}), scheduler {}, virtual time {}, step {}, fingerprint {}",
            i.scheduler,
            i.time,
            i.steps,
            i.fingerprint,
            seed = i.seed,
        )
    }
}

impl fmt::Debug for Failure {
    /// The `Display` report, plus the panic's backtrace when one was
    /// captured, so `.unwrap()` shows everything.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f)?;
        fmt::Display::fmt(self, f)?;
        if let Some(bt) = &self.0.backtrace {
            write!(f, "\n  backtrace:\n{bt}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Failure {}
