//! What a run leaves behind: hygiene, slow polls, foreign wakes.

use std::fmt;
use std::time::Duration;

use sim_clock::Instant;

use crate::Scheduler;
use crate::fingerprint::Fingerprint;
use crate::task::TaskInfo;

/// What was still alive when the main future finished: asyncio's "Task was
/// destroyed but it is pending" and asynctest's `fail_on` checks.
///
/// Reported after every run (see [`Report::hygiene`]); with
/// [`Builder::strict`](crate::Builder::strict) a non-clean hygiene fails the
/// run.
///
/// ```
/// let mut sim = detsim::Sim::builder().build();
/// sim.run(async {
///     detsim::spawn(std::future::pending::<()>());
/// }).unwrap();
/// let hygiene = sim.report().hygiene().clone();
/// assert!(!hygiene.is_clean());
/// assert_eq!(hygiene.live_tasks().len(), 1);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hygiene {
    pub(crate) live_tasks: Vec<TaskInfo>,
    pub(crate) armed_timers: Vec<ArmedTimer>,
}

impl Hygiene {
    /// Whether nothing was left.
    ///
    /// ```
    /// let mut sim = detsim::Sim::builder().build();
    /// sim.run(async {}).unwrap();
    /// assert!(sim.report().hygiene().is_clean());
    /// ```
    pub fn is_clean(&self) -> bool {
        self.live_tasks.is_empty() && self.armed_timers.is_empty()
    }

    /// Tasks that had not finished, in spawn order.
    ///
    /// ```
    /// let mut sim = detsim::Sim::builder().build();
    /// sim.run(async {}).unwrap();
    /// assert!(sim.report().hygiene().live_tasks().is_empty());
    /// ```
    pub fn live_tasks(&self) -> &[TaskInfo] {
        &self.live_tasks
    }

    /// Timers still armed, earliest first.
    ///
    /// ```
    /// let mut sim = detsim::Sim::builder().build();
    /// sim.run(async {}).unwrap();
    /// assert!(sim.report().hygiene().armed_timers().is_empty());
    /// ```
    pub fn armed_timers(&self) -> &[ArmedTimer] {
        &self.armed_timers
    }

    pub(crate) fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !self.live_tasks.is_empty() {
            out.push(format!("live tasks ({}):", self.live_tasks.len()));
            for t in self.live_tasks.iter().take(LISTED) {
                out.push(format!("  {t}, spawned at {}", t.spawned_at()));
            }
            out.extend(
                more(self.live_tasks.len(), "Hygiene::live_tasks()").map(|m| format!("  {m}")),
            );
        }
        if !self.armed_timers.is_empty() {
            out.push(format!("armed timers ({}):", self.armed_timers.len()));
            for t in self.armed_timers.iter().take(LISTED) {
                out.push(format!("  {t}"));
            }
            out.extend(
                more(self.armed_timers.len(), "Hygiene::armed_timers()").map(|m| format!("  {m}")),
            );
        }
        out
    }
}

/// How many tasks or timers a message lists; the rest are counted.
pub(crate) const LISTED: usize = 20;

/// The line after the first [`LISTED`] of `len` items, naming the `api`
/// that lists them all; `None` when all were listed.
pub(crate) fn more(len: usize, api: &str) -> Option<String> {
    (len > LISTED).then(|| format!("… and {} more ({api} lists them all)", len - LISTED))
}

impl fmt::Display for Hygiene {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_clean() {
            return f.write_str("clean: no live tasks, no armed timers");
        }
        f.write_str(&self.lines().join("\n"))
    }
}

/// A timer armed at the end of a run.
///
/// ```
/// use std::time::Duration;
/// let mut sim = detsim::Sim::builder().build();
/// sim.run(async {
///     detsim::spawn(detsim::time::sleep(Duration::from_secs(9)));
///     detsim::yield_now().await;
/// }).unwrap();
/// let report = sim.report();
/// let timer = &report.hygiene().armed_timers()[0];
/// assert_eq!(timer.deadline().since_start(), Duration::from_secs(9));
/// assert_eq!(timer.task().unwrap().id().as_u64(), 1);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArmedTimer {
    pub(crate) deadline: Instant,
    pub(crate) task: Option<TaskInfo>,
}

impl ArmedTimer {
    /// When it would fire.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {}).unwrap();
    /// for t in sim.report().hygiene().armed_timers() { let _ = t.deadline(); }
    /// ```
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// The task that armed it, if it still exists.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {}).unwrap();
    /// for t in sim.report().hygiene().armed_timers() { let _ = t.task(); }
    /// ```
    pub fn task(&self) -> Option<&TaskInfo> {
        self.task.as_ref()
    }
}

impl fmt::Display for ArmedTimer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "due at {}", self.deadline)?;
        if let Some(t) = &self.task {
            write!(f, ", armed by {t}")?;
        }
        Ok(())
    }
}

/// A poll that held the simulation thread longer than the slow-poll
/// threshold (asyncio debug mode's slow-callback warning).
///
/// Measured in real time, so it is a diagnostic only: it never changes the
/// schedule and never fails a run.
///
/// ```
/// use std::time::Duration;
/// let mut sim = detsim::Sim::builder()
///     .slow_poll_threshold(Duration::from_millis(20))
///     .build();
/// sim.run(async { std::thread::sleep(Duration::from_millis(200)) }).unwrap();
/// let report = sim.report();
/// let slow = &report.slow_polls()[0];
/// assert!(slow.real_duration() >= Duration::from_millis(20));
/// assert_eq!(slow.task().name(), Some("main"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlowPoll {
    pub(crate) task: TaskInfo,
    pub(crate) at: Instant,
    pub(crate) step: u64,
    pub(crate) real: Duration,
}

impl SlowPoll {
    /// The task whose poll was slow.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {}).unwrap();
    /// for s in sim.report().slow_polls() { let _ = s.task(); }
    /// ```
    pub fn task(&self) -> &TaskInfo {
        &self.task
    }

    /// Virtual time of the poll.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {}).unwrap();
    /// for s in sim.report().slow_polls() { let _ = s.at(); }
    /// ```
    pub fn at(&self) -> Instant {
        self.at
    }

    /// The step (poll number) of the poll.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {}).unwrap();
    /// for s in sim.report().slow_polls() { let _ = s.step(); }
    /// ```
    pub fn step(&self) -> u64 {
        self.step
    }

    /// How long the poll held the thread (real time, measured to within a
    /// quarter of the threshold).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {}).unwrap();
    /// for s in sim.report().slow_polls() { let _ = s.real_duration(); }
    /// ```
    pub fn real_duration(&self) -> Duration {
        self.real
    }
}

impl fmt::Display for SlowPoll {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "a poll of {} blocked the simulation thread for {:?} (step {}, virtual time {})",
            self.task, self.real, self.step, self.at
        )
    }
}

/// A wake that came from outside the simulation's run: from another OS
/// thread, or while the simulation was not running. It was delivered, but
/// it is a source of nondeterminism the seed does not control.
///
/// ```
/// let mut sim = detsim::Sim::builder().build();
/// sim.run(async {}).unwrap();
/// assert!(sim.report().foreign_wakes().is_empty());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForeignWake {
    pub(crate) task: Option<TaskInfo>,
    pub(crate) thread: String,
    pub(crate) step: u64,
}

impl ForeignWake {
    /// The task that was woken, if it still existed.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {}).unwrap();
    /// for w in sim.report().foreign_wakes() { let _ = w.task(); }
    /// ```
    pub fn task(&self) -> Option<&TaskInfo> {
        self.task.as_ref()
    }

    /// The thread that woke it (its name, or its id).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {}).unwrap();
    /// for w in sim.report().foreign_wakes() { let _ = w.thread(); }
    /// ```
    pub fn thread(&self) -> &str {
        &self.thread
    }

    /// The step at which the executor delivered it.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {}).unwrap();
    /// for w in sim.report().foreign_wakes() { let _ = w.step(); }
    /// ```
    pub fn step(&self) -> u64 {
        self.step
    }
}

impl fmt::Display for ForeignWake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.task {
            Some(t) => write!(f, "{t} was woken from thread {}", self.thread)?,
            None => write!(f, "a finished task was woken from thread {}", self.thread)?,
        }
        write!(f, " (delivered at step {})", self.step)
    }
}

/// A summary of a simulation after a run.
///
/// ```
/// let mut sim = detsim::Sim::builder().seed(3).build();
/// sim.run(async { detsim::time::sleep(std::time::Duration::from_secs(1)).await }).unwrap();
/// let report = sim.report();
/// assert_eq!(report.seed(), 3);
/// assert_eq!(report.time().since_start().as_secs(), 1);
/// println!("{report}");
/// ```
#[derive(Clone, Debug)]
pub struct Report {
    pub(crate) seed: u64,
    pub(crate) scheduler: Scheduler,
    pub(crate) fingerprint: Fingerprint,
    pub(crate) draws: usize,
    pub(crate) steps: u64,
    pub(crate) time: Instant,
    pub(crate) hygiene: Hygiene,
    pub(crate) slow_polls: Vec<SlowPoll>,
    pub(crate) foreign_wakes: Vec<ForeignWake>,
}

impl Report {
    /// The seed.
    ///
    /// ```
    /// # let sim = detsim::Sim::builder().seed(9).build();
    /// assert_eq!(sim.report().seed(), 9);
    /// ```
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The scheduler.
    ///
    /// ```
    /// # let sim = detsim::Sim::builder().build();
    /// assert_eq!(sim.report().scheduler(), detsim::Scheduler::Random);
    /// ```
    pub fn scheduler(&self) -> Scheduler {
        self.scheduler
    }

    /// The fingerprint so far.
    ///
    /// ```
    /// # let sim = detsim::Sim::builder().build();
    /// assert_eq!(sim.report().fingerprint(), sim.fingerprint());
    /// ```
    pub fn fingerprint(&self) -> Fingerprint {
        self.fingerprint
    }

    /// Number of draws on the tape.
    ///
    /// ```
    /// # let sim = detsim::Sim::builder().build();
    /// assert_eq!(sim.report().draws(), sim.tape().len());
    /// ```
    pub fn draws(&self) -> usize {
        self.draws
    }

    /// Polls executed so far.
    ///
    /// ```
    /// # let sim = detsim::Sim::builder().build();
    /// assert_eq!(sim.report().steps(), 0);
    /// ```
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// The virtual time now.
    ///
    /// ```
    /// # let sim = detsim::Sim::builder().build();
    /// assert_eq!(sim.report().time(), detsim::time::Instant::ZERO);
    /// ```
    pub fn time(&self) -> Instant {
        self.time
    }

    /// What the last run left behind.
    ///
    /// ```
    /// # let sim = detsim::Sim::builder().build();
    /// assert!(sim.report().hygiene().is_clean());
    /// ```
    pub fn hygiene(&self) -> &Hygiene {
        &self.hygiene
    }

    /// Polls that blocked the thread past the slow-poll threshold.
    ///
    /// ```
    /// # let sim = detsim::Sim::builder().build();
    /// assert!(sim.report().slow_polls().is_empty());
    /// ```
    pub fn slow_polls(&self) -> &[SlowPoll] {
        &self.slow_polls
    }

    /// Wakes from outside the run (nondeterminism the seed does not
    /// control).
    ///
    /// ```
    /// # let sim = detsim::Sim::builder().build();
    /// assert!(sim.report().foreign_wakes().is_empty());
    /// ```
    pub fn foreign_wakes(&self) -> &[ForeignWake] {
        &self.foreign_wakes
    }

    /// Whether the run has anything to warn about (leftovers, slow polls,
    /// foreign wakes).
    ///
    /// ```
    /// # let sim = detsim::Sim::builder().build();
    /// assert!(!sim.report().has_warnings());
    /// ```
    pub fn has_warnings(&self) -> bool {
        !self.hygiene.is_clean() || !self.slow_polls.is_empty() || !self.foreign_wakes.is_empty()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "seed {seed} ({seed:#x}), scheduler {}, virtual time {}, {} steps, {} draws, fingerprint {}",
            self.scheduler,
            self.time,
            self.steps,
            self.draws,
            self.fingerprint,
            seed = self.seed,
        )?;
        for line in self.hygiene.lines() {
            write!(f, "\n  {line}")?;
        }
        for s in &self.slow_polls {
            write!(f, "\n  slow poll: {s}")?;
        }
        for w in &self.foreign_wakes {
            write!(f, "\n  foreign wake: {w}")?;
        }
        Ok(())
    }
}
