//! Traces: a stable, readable text record of what a run did, for reading a
//! failure and for `insta::assert_snapshot!`.
//!
//! Turn it on with [`Builder::trace`](crate::Builder::trace) (off by
//! default: a run without it keeps no record), then read it from
//! [`Sim::trace`](crate::Sim::trace) after a run, or from
//! [`Failure::trace`](crate::Failure::trace) when the run failed.
//!
//! Each line is one event, stamped with the virtual time, the node and the
//! task it is about:
//!
//! ```text
//! +0.000000000s main     task 0 'main'      spawn task 1 'worker' on node 'main'
//! +0.000000000s main     task 1 'worker'    poll
//! +0.005000000s -        -                  clock: 1 timer fired
//! ```
//!
//! The events are those the fingerprint is made of: spawns (with parent
//! and node), polls, how tasks finished (returned, panicked, cancelled),
//! clock moves, node creation, kill, restart, pause and resume, every draw
//! (what it decides, its bound and value), `buggify!` activations and
//! fires, assertion hits, and the network's sends, deliveries, drops,
//! connects and resets. Ids count from zero in each simulation and nothing
//! depends on addresses or real time, so a trace is the same on every
//! machine and changes only when the schedule does. [`Trace::without`]
//! hides kinds of lines (polls and draws are most of a trace) to keep
//! snapshots short.
//!
//! ```
//! use detsim::{Sim, TraceKind};
//! let mut sim = Sim::builder().trace(true).build();
//! sim.run(async { detsim::spawn(async {}).await.unwrap() }).unwrap();
//! let short = sim.trace().unwrap().without(&[TraceKind::Poll, TraceKind::Draw]);
//! assert!(short.to_string().contains("main     task 1             returned"));
//! ```

mod render;

use std::fmt;
use std::sync::Arc;

use sim_clock::Instant;

use render::render;

/// What a [`TraceLine`] records.
///
/// ```
/// use detsim::TraceKind;
/// assert_eq!(TraceKind::Poll.to_string(), "poll");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum TraceKind {
    /// A task was spawned.
    Spawn,
    /// A task was polled (one step).
    Poll,
    /// A task returned, panicked or was cancelled.
    Finish,
    /// The clock moved and fired timers.
    Clock,
    /// A node was created, killed, restarted, paused or resumed, or asked to
    /// shut down.
    Node,
    /// A draw from the choice source.
    Draw,
    /// A `buggify!` site was activated (or not), or fired.
    Buggify,
    /// An assertion was reached.
    Assertion,
    /// An I/O event: the network's sends, deliveries, drops, connects and
    /// resets (and those of other simulated devices).
    Io,
}

impl fmt::Display for TraceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TraceKind::Spawn => "spawn",
            TraceKind::Poll => "poll",
            TraceKind::Finish => "finish",
            TraceKind::Clock => "clock",
            TraceKind::Node => "node",
            TraceKind::Draw => "draw",
            TraceKind::Buggify => "buggify",
            TraceKind::Assertion => "assertion",
            TraceKind::Io => "io",
        })
    }
}

/// One event of a [`Trace`].
///
/// ```
/// let mut sim = detsim::Sim::builder().trace(true).build();
/// sim.run(async {}).unwrap();
/// let trace = sim.trace().unwrap();
/// let poll = trace.lines().iter().find(|l| l.kind() == detsim::TraceKind::Poll).unwrap();
/// assert_eq!(poll.task(), Some(0));
/// assert_eq!(poll.task_name(), Some("main"));
/// assert_eq!(poll.node(), Some("main"));
/// assert_eq!(poll.text(), "poll");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceLine {
    time: Instant,
    node: Option<Arc<str>>,
    task: Option<(u64, Option<Arc<str>>)>,
    kind: TraceKind,
    text: String,
}

impl TraceLine {
    /// The virtual time of the event.
    ///
    /// ```
    /// let mut sim = detsim::Sim::builder().trace(true).build();
    /// sim.run(async {}).unwrap();
    /// assert_eq!(sim.trace().unwrap().lines()[0].time(), detsim::time::Instant::ZERO);
    /// ```
    pub fn time(&self) -> Instant {
        self.time
    }

    /// The node of the task the event is about (`None` between tasks).
    ///
    /// ```
    /// let mut sim = detsim::Sim::builder().trace(true).build();
    /// sim.run(async {}).unwrap();
    /// assert_eq!(sim.trace().unwrap().lines().last().unwrap().node(), Some("main"));
    /// ```
    pub fn node(&self) -> Option<&str> {
        self.node.as_deref()
    }

    /// The id of the task the event is about (`None` between tasks).
    ///
    /// ```
    /// let mut sim = detsim::Sim::builder().trace(true).build();
    /// sim.run(async {}).unwrap();
    /// assert_eq!(sim.trace().unwrap().lines().last().unwrap().task(), Some(0));
    /// ```
    pub fn task(&self) -> Option<u64> {
        self.task.as_ref().map(|t| t.0)
    }

    /// That task's name, if it has one.
    ///
    /// ```
    /// let mut sim = detsim::Sim::builder().trace(true).build();
    /// sim.run(async {}).unwrap();
    /// assert_eq!(sim.trace().unwrap().lines().last().unwrap().task_name(), Some("main"));
    /// ```
    pub fn task_name(&self) -> Option<&str> {
        self.task.as_ref().and_then(|t| t.1.as_deref())
    }

    /// What kind of event it is.
    ///
    /// ```
    /// let mut sim = detsim::Sim::builder().trace(true).build();
    /// sim.run(async {}).unwrap();
    /// assert_eq!(sim.trace().unwrap().lines().last().unwrap().kind(), detsim::TraceKind::Finish);
    /// ```
    pub fn kind(&self) -> TraceKind {
        self.kind
    }

    /// The event, without the stamp.
    ///
    /// ```
    /// let mut sim = detsim::Sim::builder().trace(true).build();
    /// sim.run(async {}).unwrap();
    /// assert_eq!(sim.trace().unwrap().lines().last().unwrap().text(), "returned");
    /// ```
    pub fn text(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for TraceLine {
    /// `+<seconds>.<nanoseconds>s <node> <task> <event>`, the node and task
    /// padded to fixed columns (`-` between tasks).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let since = self.time.since_start();
        let node = self.node.as_deref().unwrap_or("-");
        let task = match &self.task {
            Some((id, Some(name))) => format!("task {id} '{name}'"),
            Some((id, None)) => format!("task {id}"),
            None => "-".to_owned(),
        };
        write!(
            f,
            "+{}.{:09}s {node:<8} {task:<18} {}",
            since.as_secs(),
            since.subsec_nanos(),
            self.text
        )
    }
}

/// The events of a run, one [`TraceLine`] each (see [the module](crate::trace)).
///
/// `Display` prints one line per event, ready for
/// `insta::assert_snapshot!`.
///
/// ```
/// use std::time::Duration;
/// use detsim::{Sim, TraceKind, spawn, time};
///
/// let mut sim = Sim::builder().seed(1).trace(true).build();
/// sim.run(async {
///     let t = detsim::task::Builder::new().name("sleeper").spawn(async {
///         time::sleep(Duration::from_millis(5)).await;
///     });
///     t.await.unwrap();
/// }).unwrap();
/// let trace = sim.trace().unwrap().without(&[TraceKind::Poll, TraceKind::Draw]);
/// assert_eq!(trace.to_string(), "\
/// +0.000000000s -        -                  spawn task 0 'main' on node 'main'
/// +0.000000000s main     task 0 'main'      spawn task 1 'sleeper' on node 'main'
/// +0.005000000s -        -                  clock: 1 timer fired
/// +0.005000000s main     task 1 'sleeper'   returned
/// +0.005000000s main     task 0 'main'      returned
/// ");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trace {
    lines: Vec<TraceLine>,
    /// Events before `lines` that the trace limit dropped.
    dropped: u64,
}

impl Trace {
    /// The lines, in the order the events happened.
    ///
    /// ```
    /// let mut sim = detsim::Sim::builder().trace(true).build();
    /// sim.run(async {}).unwrap();
    /// assert!(!sim.trace().unwrap().lines().is_empty());
    /// ```
    pub fn lines(&self) -> &[TraceLine] {
        &self.lines
    }

    /// Number of lines.
    ///
    /// ```
    /// assert_eq!(detsim::Trace::default().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether there are no lines.
    ///
    /// ```
    /// assert!(detsim::Trace::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// How many earlier events of the run the trace dropped to stay within
    /// [`Builder::trace_limit`](crate::Builder::trace_limit) (0 if none):
    /// the lines are the run's last events. `Display` says so on its first
    /// line.
    ///
    /// ```
    /// let mut sim = detsim::Sim::builder().trace(true).trace_limit(2).build();
    /// sim.run(async { detsim::yield_now().await }).unwrap();
    /// let trace = sim.trace().unwrap();
    /// assert!(trace.dropped() > 0);
    /// let first = trace.to_string().lines().next().unwrap().to_owned();
    /// assert!(first.ends_with("earlier events dropped; raise trace_limit"), "{first}");
    /// ```
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// The first line of a trace that dropped events, or `None`.
    ///
    /// ```
    /// assert_eq!(detsim::Trace::default().dropped_notice(), None);
    /// ```
    pub fn dropped_notice(&self) -> Option<String> {
        (self.dropped > 0).then(|| {
            format!(
                "... {} earlier event{} dropped; raise trace_limit",
                self.dropped,
                if self.dropped == 1 { "" } else { "s" }
            )
        })
    }

    /// The trace without lines of these kinds.
    ///
    /// ```
    /// use detsim::TraceKind;
    /// let mut sim = detsim::Sim::builder().trace(true).build();
    /// sim.run(async {}).unwrap();
    /// let short = sim.trace().unwrap().without(&[TraceKind::Draw, TraceKind::Poll]);
    /// assert!(short.lines().iter().all(|l| l.kind() != TraceKind::Poll));
    /// ```
    pub fn without(&self, kinds: &[TraceKind]) -> Trace {
        self.filter(|l| !kinds.contains(&l.kind()))
    }

    /// The trace with only the lines `keep` accepts.
    ///
    /// ```
    /// let mut sim = detsim::Sim::builder().trace(true).build();
    /// sim.run(async {}).unwrap();
    /// let main_only = sim.trace().unwrap().filter(|l| l.task() == Some(0));
    /// assert!(main_only.lines().iter().all(|l| l.task_name() == Some("main")));
    /// ```
    pub fn filter(&self, keep: impl Fn(&TraceLine) -> bool) -> Trace {
        Trace {
            lines: self.lines.iter().filter(|l| keep(l)).cloned().collect(),
            dropped: self.dropped,
        }
    }

    /// The last `n` lines (what led to a failure).
    ///
    /// ```
    /// let mut sim = detsim::Sim::builder().trace(true).build();
    /// sim.run(async {}).unwrap();
    /// assert_eq!(sim.trace().unwrap().tail(1).lines()[0].text(), "returned");
    /// ```
    pub fn tail(&self, n: usize) -> Trace {
        let from = self.lines.len().saturating_sub(n);
        Trace {
            lines: self.lines[from..].to_vec(),
            dropped: self.dropped,
        }
    }
}

impl fmt::Display for Trace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(notice) = self.dropped_notice() {
            writeln!(f, "{notice}")?;
        }
        for line in &self.lines {
            writeln!(f, "{}", line.to_string().trim_end())?;
        }
        Ok(())
    }
}

impl crate::runtime::Runtime {
    /// The trace of the run so far, if events are logged.
    pub(crate) fn trace(&self) -> Option<Trace> {
        let mut choices = self.choices.borrow_mut();
        let log = choices.log()?;
        let dropped = log.dropped();
        let log = log.events();
        let nodes = self.nodes.borrow();
        let node_names: Vec<Arc<str>> = (0..nodes.len())
            .map(|i| nodes.name(crate::node::NodeId(i as u32)))
            .collect();
        let tasks = self.names.borrow();
        let mut trace = render(
            log,
            &render::Names {
                tasks: &tasks,
                nodes: &node_names,
            },
        );
        trace.dropped = dropped;
        Some(trace)
    }
}
