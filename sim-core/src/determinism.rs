//! The determinism check: run one seed twice and compare.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use sim_clock::Instant;

use crate::builder::Builder;
use crate::choices::{Checkpoint, Event, Finish};
use crate::failure::{Failure, FailureKind};
use crate::task::TaskId;

/// Where two runs of one seed first parted: the first event (draw, spawn,
/// poll, timer, node change) that differed, with where the first run was.
///
/// ```
/// use std::collections::HashSet;
/// let failure = sim_core::Sim::builder().seed(1).check_determinism(|| async {
///     // A std HashSet iterates in a random order per process run... and
///     // per instance: a classic source of nondeterminism.
///     let set: HashSet<u32> = (0..32).collect();
///     for (i, v) in set.into_iter().enumerate() {
///         if i == 0 {
///             sim_core::time::sleep(std::time::Duration::from_millis(u64::from(v))).await;
///         }
///     }
/// });
/// if let Err(f) = failure {
///     let d = f.divergence().unwrap();
///     assert!(f.is_nondeterminism());
///     println!("diverged at event {} ({} vs {})", d.event_index(), d.first(), d.second());
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Divergence {
    event: usize,
    draws: u64,
    time: Instant,
    task: Option<(TaskId, Option<Arc<str>>)>,
    node: String,
    first: String,
    second: String,
}

impl Divergence {
    /// Index of the first differing event (0-based).
    ///
    /// ```
    /// # fn f(d: &sim_core::Divergence) {
    /// let _: usize = d.event_index();
    /// # }
    /// ```
    pub fn event_index(&self) -> usize {
        self.event
    }

    /// Draws made before it (its position on the tape).
    ///
    /// ```
    /// # fn f(d: &sim_core::Divergence) {
    /// let _: u64 = d.draw_index();
    /// # }
    /// ```
    pub fn draw_index(&self) -> u64 {
        self.draws
    }

    /// Virtual time of the first run at that event.
    ///
    /// ```
    /// # fn f(d: &sim_core::Divergence) {
    /// let _: sim_core::time::Instant = d.time();
    /// # }
    /// ```
    pub fn time(&self) -> Instant {
        self.time
    }

    /// The task running in the first run at that event, if any.
    ///
    /// ```
    /// # fn f(d: &sim_core::Divergence) {
    /// let _: Option<sim_core::task::TaskId> = d.task();
    /// # }
    /// ```
    pub fn task(&self) -> Option<TaskId> {
        self.task.as_ref().map(|t| t.0)
    }

    /// That task's name, if it had one.
    ///
    /// ```
    /// # fn f(d: &sim_core::Divergence) {
    /// let _: Option<&str> = d.task_name();
    /// # }
    /// ```
    pub fn task_name(&self) -> Option<&str> {
        self.task.as_ref().and_then(|t| t.1.as_deref())
    }

    /// The node of that task.
    ///
    /// ```
    /// # fn f(d: &sim_core::Divergence) {
    /// let _: &str = d.node();
    /// # }
    /// ```
    pub fn node(&self) -> &str {
        &self.node
    }

    /// The first run's event there.
    ///
    /// ```
    /// # fn f(d: &sim_core::Divergence) {
    /// println!("{}", d.first());
    /// # }
    /// ```
    pub fn first(&self) -> &str {
        &self.first
    }

    /// The second run's event there.
    ///
    /// ```
    /// # fn f(d: &sim_core::Divergence) {
    /// println!("{}", d.second());
    /// # }
    /// ```
    pub fn second(&self) -> &str {
        &self.second
    }
}

impl fmt::Display for Divergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "  the runs diverged at event {} (after {} draws), virtual time {}, ",
            self.event, self.draws, self.time
        )?;
        match &self.task {
            Some((id, Some(name))) => write!(f, "in task {id} '{name}' on node '{}'", self.node)?,
            Some((id, None)) => write!(f, "in task {id} on node '{}'", self.node)?,
            None => write!(f, "between tasks (node '{}')", self.node)?,
        }
        writeln!(f, ":")?;
        writeln!(f, "    first run:  {}", self.first)?;
        writeln!(f, "    second run: {}", self.second)
    }
}

fn describe(event: Option<&Event>) -> String {
    let Some(event) = event else {
        return "(the run had ended)".to_owned();
    };
    match *event {
        Event::Draw { kind, bound, value } => {
            if bound == 0 {
                format!("drew {value} for {}", kind.describe())
            } else {
                format!("drew {value} of 0..{bound} for {}", kind.describe())
            }
        }
        Event::Spawn { task, node, .. } => format!("spawned task {task} on node {node}"),
        Event::Poll { task } => format!("polled task {task}"),
        Event::Finish { task, how } => match how {
            Finish::Returned => format!("task {task} returned"),
            Finish::Panicked => format!("task {task} panicked"),
            Finish::Cancelled => format!("task {task} was cancelled"),
        },
        Event::Clock {
            time,
            timers,
            advances,
        } => format!(
            "moved the clock to {} ({timers} timers fired, {advances} advances done)",
            Instant::from_nanos(time)
        ),
        Event::Node { node, what } => format!("node {node} {}", what.verb()),
        Event::Ext { kind, a, b } => crate::ext::render_event(kind, a, b),
        Event::Buggify { site, what } => format!("buggify! at {site}: {what:?}"),
        Event::Assert { site, held } => {
            format!("{} at {} (held: {held})", site.call(), site.location())
        }
    }
}

/// The first index where two event logs differ, if any.
fn first_difference(a: &[Checkpoint], b: &[Checkpoint]) -> Option<usize> {
    let common = a.len().min(b.len());
    (0..common)
        .find(|&i| a[i].event != b[i].event)
        .or((a.len() != b.len()).then_some(common))
}

pub(crate) fn check<M, F>(builder: Builder, make: M) -> Result<F::Output, Failure>
where
    M: FnMut() -> F,
    F: Future,
{
    check_with_assertions(builder, make).0
}

/// [`check`], with what the first run's assertions saw.
pub(crate) fn check_with_assertions<M, F>(
    builder: Builder,
    mut make: M,
) -> (Result<F::Output, Failure>, crate::Assertions)
where
    M: FnMut() -> F,
    F: Future,
{
    let builder = builder.log_events(true);
    let mut first = builder.clone().build();
    let r1 = first.run(make());
    let mut second = builder.build();
    let r2 = second.run(make());
    let (log1, log2) = (first.take_log(), second.take_log());
    let same_end = match (&r1, &r2) {
        (Ok(_), Ok(_)) => true,
        (Err(a), Err(b)) => a.kind() == b.kind() && a.message() == b.message(),
        _ => false,
    };
    let assertions = first.assertions();
    if first.fingerprint() == second.fingerprint() && same_end {
        return (r1, assertions);
    }
    let divergence = match first_difference(&log1, &log2) {
        Some(i) => {
            // Where the first run was: the event itself, or its last event.
            let at = log1.get(i).or(log1.last());
            let ctx = at.map(|c| c.ctx).unwrap_or_default();
            let draws = log1.get(i).or(log2.get(i)).map_or(0, |c| c.draws_before);
            Divergence {
                event: i,
                draws,
                time: Instant::from_nanos(ctx.time),
                task: ctx.task.map(|t| (TaskId(t), first.task_name(t))),
                node: first.node_name(ctx.node),
                first: describe(log1.get(i).map(|c| &c.event)),
                second: describe(log2.get(i).map(|c| &c.event)),
            }
        }
        // Same decisions, different ending (e.g. a panic message that
        // depends on a random-hasher iteration order).
        None => Divergence {
            event: log1.len(),
            draws: first.tape().len() as u64,
            time: first.now(),
            task: None,
            node: "main".to_owned(),
            first: ending(&r1),
            second: ending(&r2),
        },
    };
    let headline = format!(
        "nondeterminism: two runs of seed {} made different decisions (fingerprints {} and {}); \
         something outside detsim's choice source (a std HashMap's iteration order, the real \
         clock, another thread, a global) changed the run",
        first.seed(),
        first.fingerprint(),
        second.fingerprint()
    );
    let mut failure = Failure::new(FailureKind::Nondeterminism, headline.clone(), headline);
    failure.inner_mut().divergence = Some(divergence);
    (Err(first.stamp(failure)), assertions)
}

fn ending<T>(r: &Result<T, Failure>) -> String {
    match r {
        Ok(_) => "the main task returned".to_owned(),
        Err(f) => format!("failed: {}", f.headline()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::choices::Ctx;

    fn cp(event: Event) -> Checkpoint {
        Checkpoint {
            draws_before: 0,
            ctx: Ctx::default(),
            event,
        }
    }

    #[test]
    fn finds_the_first_difference() {
        let a = [cp(Event::Poll { task: 1 }), cp(Event::Poll { task: 2 })];
        let b = [cp(Event::Poll { task: 1 }), cp(Event::Poll { task: 3 })];
        assert_eq!(first_difference(&a, &b), Some(1));
        assert_eq!(first_difference(&a, &a), None);
        assert_eq!(first_difference(&a, &a[..1]), Some(1));
    }
}
