//! `Sim`: one simulation.

use std::fmt;
use std::future::Future;
use std::rc::Rc;
use std::sync::Arc;

use sim_clock::Instant;

use crate::builder::Builder;
use crate::choices::Tape;
use crate::context;
use crate::failure::{Failure, FailureKind};
use crate::fingerprint::Fingerprint;
use crate::node::NodeId;
use crate::report::Report;
use crate::runtime::Runtime;

/// One deterministic simulation: a seeded single-thread executor, a virtual
/// clock, named nodes and the one choice source.
///
/// [`run`](Sim::run) drives a future (the main task) to completion. The run
/// is a pure function of the seed (or tape): the same seed gives the same
/// interleaving, the same virtual timestamps and the same
/// [`fingerprint`](Sim::fingerprint), every time.
///
/// `run` can be called again: the simulation continues where it stopped
/// (tasks left running keep running, the clock keeps its time), like
/// asyncio's `run_until_complete` on one loop. Dropping the `Sim` drops
/// every task it still holds, running their destructors.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use detsim::{Sim, spawn, time};
///
/// let trace = |seed| {
///     let mut sim = Sim::builder().seed(seed).build();
///     let order = sim.run(async {
///         let a = spawn(async { time::sleep(Duration::from_millis(5)).await; "a" });
///         let b = spawn(async { "b" });
///         vec![b.await.unwrap(), a.await.unwrap(), &"at"[..]]
///     }).unwrap();
///     (order, sim.now(), sim.fingerprint())
/// };
/// assert_eq!(trace(7), trace(7));
/// assert_eq!(trace(7).1, time::Instant::ZERO + Duration::from_millis(5));
/// ```
pub struct Sim {
    rt: Rc<Runtime>,
}

impl Sim {
    /// A [`Builder`] with every default.
    ///
    /// ```
    /// let sim = detsim::Sim::builder().seed(1).build();
    /// # drop(sim);
    /// ```
    pub fn builder() -> Builder {
        Builder::new()
    }

    pub(crate) fn from_builder(mut config: Builder) -> Sim {
        config.scheduler = config.scheduler.for_seed(config.seed);
        Sim {
            rt: Runtime::new(config),
        }
    }

    /// Runs `future` as the main task, on node `main`, until it finishes,
    /// and returns its output, or the [`Failure`] that stopped the run.
    ///
    /// The future need not be `Send` or `'static`. Failures: a panic in the
    /// main future, in a task nobody joins or in a node's init task (which
    /// has no `JoinHandle`), a deadlock, the time or step limit, and (in
    /// strict mode) leftover tasks or timers. After a failure the
    /// simulation is spent: further runs return an error.
    ///
    /// ```
    /// let mut sim = detsim::Sim::builder().build();
    /// let local = String::from("borrowed");
    /// let n = sim.run(async { local.len() }).unwrap();
    /// assert_eq!(n, 8);
    /// ```
    #[track_caller]
    pub fn run<F: Future>(&mut self, future: F) -> Result<F::Output, Failure> {
        let caller = std::panic::Location::caller();
        let location = self.rt.config.main_at.unwrap_or(caller);
        let _enter = context::enter(&self.rt);
        let _capture = crate::panic::capture();
        self.rt.block_on(future, location)
    }

    /// The seed.
    ///
    /// ```
    /// assert_eq!(detsim::Sim::builder().seed(3).build().seed(), 3);
    /// ```
    pub fn seed(&self) -> u64 {
        self.rt.config.seed
    }

    /// The fingerprint of everything decided so far.
    ///
    /// ```
    /// let fp = |seed| {
    ///     let mut sim = detsim::Sim::builder().seed(seed).build();
    ///     sim.run(async { detsim::spawn(async {}).await.unwrap() }).unwrap();
    ///     sim.fingerprint()
    /// };
    /// assert_eq!(fp(1), fp(1));
    /// ```
    pub fn fingerprint(&self) -> Fingerprint {
        self.rt.choices.borrow().fingerprint()
    }

    /// The draws made so far; replay them with
    /// [`Builder::tape`](crate::Builder::tape).
    ///
    /// ```
    /// let sim = detsim::Sim::builder().build();
    /// assert_eq!(sim.tape().len(), 1); // the drawn wall-clock epoch
    /// ```
    pub fn tape(&self) -> Tape {
        self.rt.choices.borrow().tape()
    }

    /// Polls executed so far.
    ///
    /// ```
    /// let mut sim = detsim::Sim::builder().build();
    /// sim.run(async {}).unwrap();
    /// assert_eq!(sim.steps(), 1);
    /// ```
    pub fn steps(&self) -> u64 {
        self.rt.steps.get()
    }

    /// The virtual time now.
    ///
    /// ```
    /// let mut sim = detsim::Sim::builder().build();
    /// sim.run(detsim::time::sleep(std::time::Duration::from_secs(2))).unwrap();
    /// assert_eq!(sim.now().since_start().as_secs(), 2);
    /// ```
    pub fn now(&self) -> Instant {
        self.rt.clock.now()
    }

    /// A summary: seed, fingerprint, steps, time, the last run's hygiene,
    /// slow polls and foreign wakes.
    ///
    /// ```
    /// let mut sim = detsim::Sim::builder().build();
    /// sim.run(async {}).unwrap();
    /// assert!(!sim.report().has_warnings());
    /// ```
    pub fn report(&self) -> Report {
        let choices = self.rt.choices.borrow();
        let diag = self.rt.diag.borrow();
        Report {
            seed: self.rt.config.seed,
            scheduler: self.rt.config.scheduler,
            fingerprint: choices.fingerprint(),
            draws: choices.draws(),
            steps: self.rt.steps.get(),
            time: self.rt.clock.now(),
            hygiene: diag.hygiene.clone(),
            slow_polls: diag.slow_polls.clone(),
            foreign_wakes: diag.foreign_wakes.clone(),
        }
    }

    /// The trace of everything the simulation did so far, when it was
    /// built with [`Builder::trace`](crate::Builder::trace) (`None`
    /// otherwise). See [`Trace`](crate::Trace).
    ///
    /// ```
    /// let mut sim = detsim::Sim::builder().trace(true).build();
    /// sim.run(async { detsim::spawn(async {}).await.unwrap() }).unwrap();
    /// let text = sim.trace().unwrap().to_string();
    /// assert!(text.contains("spawn task 1 on node 'main'"), "{text}");
    /// assert!(detsim::Sim::builder().build().trace().is_none());
    /// ```
    pub fn trace(&self) -> Option<crate::Trace> {
        if !self.rt.config.trace {
            return None;
        }
        self.rt.trace()
    }

    /// What the assertions reached in this simulation saw (see
    /// [`assertions`](crate::assertions)).
    ///
    /// ```
    /// let mut sim = detsim::Sim::builder().build();
    /// sim.run(async {
    ///     detsim::assert_sometimes!(detsim::rand::random::<bool>(), "a coin came up true");
    /// }).unwrap();
    /// let report = sim.assertions();
    /// assert_eq!(report.get("a coin came up true").unwrap().hits(), 1);
    /// ```
    pub fn assertions(&self) -> crate::Assertions {
        let hits = self.rt.ext.borrow().find::<crate::assertions::Hits>();
        match hits {
            Some(h) => h.report(),
            None => crate::Assertions::new(1, Default::default()),
        }
    }

    /// The determinism check's bookkeeping of this run.
    pub(crate) fn take_recorder(&self) -> Option<crate::determinism::Recorder> {
        self.rt.choices.borrow_mut().take_recorder()
    }

    pub(crate) fn stamp(&self, f: Failure) -> Failure {
        self.rt.stamp(f)
    }

    /// The failure of a run whose main future returned an error (a
    /// `#[sim_test]` returning `Err`), stamped with this run's tape.
    pub(crate) fn error_failure(&self, message: String) -> Failure {
        let headline = format!("the test returned Err: {message}");
        let mut f = Failure::new(FailureKind::Error, headline, message);
        f.inner_mut().task = Some(self.rt.main_task_info());
        self.stamp(f)
    }

    pub(crate) fn task_name(&self, id: u64) -> Option<Arc<str>> {
        self.rt
            .names
            .borrow()
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, n)| n.clone())
    }

    pub(crate) fn node_name(&self, node: u32) -> String {
        self.rt.nodes.borrow().name(NodeId(node)).to_string()
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _enter = context::enter(&self.rt);
        let _capture = crate::panic::capture();
        self.rt.teardown();
    }
}

impl fmt::Debug for Sim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sim")
            .field("seed", &self.seed())
            .field("scheduler", &self.rt.config.scheduler)
            .field("now", &self.now())
            .field("steps", &self.steps())
            .finish_non_exhaustive()
    }
}
