//! The determinism check: run one seed twice and compare.
//!
//! The runs are compared window by window of [`WINDOW`] events, keeping
//! memory bounded whatever their length (see [`record`]); the report names
//! the exact first event where they differ, as a comparison of every event
//! would. When the first run's events around it were not kept (the
//! difference is past its first window and before its last one), a third
//! run logs them. A program whose nondeterminism changes from run to run
//! (a std `HashMap`'s order, a global set by the first run) may not repeat
//! the first run that time: the report then names the window where the runs
//! parted and where the second run was at its start
//! ([`Divergence::is_exact`] is false).

mod record;

use std::fmt;
use std::future::Future;
use std::ops::Range;
use std::sync::Arc;

use sim_clock::Instant;

use crate::builder::Builder;
use crate::choices::{Event, Finish};
use crate::failure::{Failure, FailureKind};
use crate::sim::Sim;
use crate::task::TaskId;

use record::{At, Followed, Kept, WINDOW};
pub(crate) use record::{Recorder, Role};

/// Where two runs of one seed first parted: the first event (draw, spawn,
/// poll, timer, node change) that differed, with where the first run was.
///
/// ```
/// use std::collections::HashSet;
/// let failure = detsim::Sim::builder().seed(1).check_determinism(|| async {
///     // A std HashSet iterates in a random order per process run... and
///     // per instance: a classic source of nondeterminism.
///     let set: HashSet<u32> = (0..32).collect();
///     for (i, v) in set.into_iter().enumerate() {
///         if i == 0 {
///             detsim::time::sleep(std::time::Duration::from_millis(u64::from(v))).await;
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
    /// One past the last event where the difference may be (`event + 1`
    /// when exact).
    end: usize,
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
    /// # fn f(d: &detsim::Divergence) {
    /// let _: usize = d.event_index();
    /// # }
    /// ```
    pub fn event_index(&self) -> usize {
        self.event
    }

    /// Whether the report names the exact first differing event: true
    /// unless the first run's events there were lost (see
    /// [`event_range`](Self::event_range)).
    ///
    /// ```
    /// # fn f(d: &detsim::Divergence) {
    /// if d.is_exact() {
    ///     println!("first run: {}, second run: {}", d.first(), d.second());
    /// }
    /// # }
    /// ```
    pub fn is_exact(&self) -> bool {
        self.end == self.event + 1
    }

    /// The events where the first difference is: just
    /// [`event_index`](Self::event_index) when [exact](Self::is_exact).
    ///
    /// The check keeps bounded memory by comparing the runs window by window
    /// and logging the first run's events only around where they part,
    /// which takes a third run when that is neither in the first run's
    /// first nor its last window. A program whose nondeterminism changes
    /// from run to run may not repeat the first run then; the report names
    /// the window (up to 4096 events) instead, with the second run's event
    /// at its start.
    ///
    /// ```
    /// # fn f(d: &detsim::Divergence) {
    /// let range = d.event_range();
    /// assert!(range.contains(&d.event_index()));
    /// # }
    /// ```
    pub fn event_range(&self) -> Range<usize> {
        self.event..self.end
    }

    /// Draws made before it (its position on the tape).
    ///
    /// ```
    /// # fn f(d: &detsim::Divergence) {
    /// let _: u64 = d.draw_index();
    /// # }
    /// ```
    pub fn draw_index(&self) -> u64 {
        self.draws
    }

    /// Virtual time of the first run at that event (of the second, when not
    /// [exact](Self::is_exact)).
    ///
    /// ```
    /// # fn f(d: &detsim::Divergence) {
    /// let _: detsim::time::Instant = d.time();
    /// # }
    /// ```
    pub fn time(&self) -> Instant {
        self.time
    }

    /// The task running in the first run at that event, if any (in the
    /// second, when not [exact](Self::is_exact)).
    ///
    /// ```
    /// # fn f(d: &detsim::Divergence) {
    /// let _: Option<detsim::task::TaskId> = d.task();
    /// # }
    /// ```
    pub fn task(&self) -> Option<TaskId> {
        self.task.as_ref().map(|t| t.0)
    }

    /// That task's name, if it had one.
    ///
    /// ```
    /// # fn f(d: &detsim::Divergence) {
    /// let _: Option<&str> = d.task_name();
    /// # }
    /// ```
    pub fn task_name(&self) -> Option<&str> {
        self.task.as_ref().and_then(|t| t.1.as_deref())
    }

    /// The node of that task.
    ///
    /// ```
    /// # fn f(d: &detsim::Divergence) {
    /// let _: &str = d.node();
    /// # }
    /// ```
    pub fn node(&self) -> &str {
        &self.node
    }

    /// The first run's event there (unknown when not
    /// [exact](Self::is_exact)).
    ///
    /// ```
    /// # fn f(d: &detsim::Divergence) {
    /// println!("{}", d.first());
    /// # }
    /// ```
    pub fn first(&self) -> &str {
        &self.first
    }

    /// The second run's event there.
    ///
    /// ```
    /// # fn f(d: &detsim::Divergence) {
    /// println!("{}", d.second());
    /// # }
    /// ```
    pub fn second(&self) -> &str {
        &self.second
    }
}

impl fmt::Display for Divergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_exact() {
            write!(
                f,
                "  the runs diverged at event {} (after {} draws), virtual time {}, ",
                self.event, self.draws, self.time
            )?;
        } else {
            write!(
                f,
                "  the runs diverged in events {}..{} (the first run did not repeat itself when \
                 run again to log them, so the exact event is unknown); at event {} (after {} \
                 draws), virtual time {}, the second run was ",
                self.event, self.end, self.event, self.draws, self.time
            )?;
        }
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

/// `event` as a report says it, with task and node names from `sim` (the
/// run it happened in); `ending` is how that run ended, said when it had
/// no event there.
fn describe(event: Option<&Event>, sim: &Sim, ending: &str) -> String {
    let Some(event) = event else {
        return format!("(the run had ended: {ending})");
    };
    match *event {
        Event::Draw { kind, bound, value } => {
            if bound == 0 {
                format!("drew {value} for {}", kind.describe())
            } else {
                format!("drew {value} of 0..{bound} for {}", kind.describe())
            }
        }
        // The name's hash is part of the event: two spawns may differ only
        // in it, so the report shows the names.
        Event::Spawn { task, node, .. } => match sim.task_name(task) {
            Some(name) => format!(
                "spawned task {task} '{name}' on node '{}'",
                sim.node_name(node)
            ),
            None => format!("spawned task {task} on node '{}'", sim.node_name(node)),
        },
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
        Event::Node { node, what } => {
            format!("node {node} '{}' {}", sim.node_name(node), what.verb())
        }
        Event::Ext { kind, a, b } => crate::ext::render_event(kind, a, b),
        Event::Buggify { site, what } => format!("buggify! at {site}: {what:?}"),
        Event::Assert { site, held } => {
            format!("{} at {} (held: {held})", site.call(), site.location())
        }
    }
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
    make: M,
) -> (Result<F::Output, Failure>, crate::Assertions)
where
    M: FnMut() -> F,
    F: Future,
{
    let (result, assertions, _) = check_windowed(builder, make, WINDOW);
    (result, assertions)
}

/// What a check kept, for tests of its memory bound.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Stats {
    /// How many runs it made (2, or 3 to log the first run's window).
    pub(crate) runs: u32,
    /// The most events any run's bookkeeping held at its end.
    pub(crate) retained: usize,
    /// The first run's checkpoints (one word each).
    pub(crate) checkpoints: usize,
    /// The events of the first run.
    pub(crate) events: u64,
}

/// The check, with windows of `k` events.
pub(crate) fn check_windowed<M, F>(
    builder: Builder,
    mut make: M,
    k: u64,
) -> (Result<F::Output, Failure>, crate::Assertions, Stats)
where
    M: FnMut() -> F,
    F: Future,
{
    let mut stats = Stats::default();
    let recorder = |sim: &Sim, stats: &mut Stats| {
        let r = sim
            .take_recorder()
            .expect("detsim bug: a determinism check's run kept no record");
        stats.runs += 1;
        stats.retained = stats.retained.max(r.retained());
        stats.checkpoints = stats.checkpoints.max(r.checkpoints());
        r
    };
    let mut first = builder.clone().check_role(Role::Record { k }).build();
    let r1 = first.run(make());
    let recorded = recorder(&first, &mut stats).into_recorded(first.fingerprint().as_u64());
    let reference = Arc::new(recorded.reference);
    stats.events = reference.events();
    let mut second = builder
        .clone()
        .check_role(Role::Compare(reference.clone()))
        .build();
    let r2 = second.run(make());
    let followed = recorder(&second, &mut stats).into_followed();
    let same_end = match (&r1, &r2) {
        (Ok(_), Ok(_)) => true,
        (Err(a), Err(b)) => a.kind() == b.kind() && a.message() == b.message(),
        _ => false,
    };
    let assertions = first.assertions();
    if first.fingerprint() == second.fingerprint() && same_end {
        return (r1, assertions, stats);
    }
    let divergence = if first.fingerprint() == second.fingerprint() {
        // Same decisions, different ending (e.g. a panic message that
        // depends on a random-hasher iteration order).
        Divergence {
            event: reference.events() as usize,
            end: reference.events() as usize + 1,
            draws: first.tape().len() as u64,
            time: first.now(),
            task: None,
            node: "main".to_owned(),
            first: ending(&r1),
            second: ending(&r2),
        }
    } else {
        // Every event before `from` is the same in both runs; the first
        // run's events from just before it to the window's end locate the
        // difference (the one before gives where the first run was if it
        // ended there).
        let from = followed.matched;
        let range = from.saturating_sub(1)..(from + k).min(reference.events());
        let second_run = (&followed.kept, followed.events);
        let (third, empty);
        let (kept, sim) = if recorded.head.covers(&range) {
            (&recorded.head, &first)
        } else if recorded.tail.covers(&range) {
            (&recorded.tail, &first)
        } else {
            let mut sim = builder
                .check_role(Role::Replay(reference.clone(), range.clone()))
                .build();
            drop(sim.run(make()));
            let replayed = recorder(&sim, &mut stats).into_followed();
            third = (replayed, sim);
            // Only if the third run repeated the first through the window
            // are its events the first run's.
            let repeated = third.0.matched >= range.end;
            empty = Kept::default();
            (if repeated { &third.0.kept } else { &empty }, &third.1)
        };
        let first_run = (kept, reference.events());
        let endings = [ending(&r1), ending(&r2)];
        match record::first_difference(first_run, second_run, from, k) {
            Some(i) => located(i, first_run, second_run, [sim, &second], &endings),
            None => unlocated(
                from,
                (&followed, reference.events()),
                k,
                &second,
                &endings[1],
            ),
        }
    };
    const OUTSIDE: &str = "something outside detsim's choice source (a std HashMap's iteration \
                           order, the real clock, another thread, a global) changed the run";
    let headline = if first.fingerprint() == second.fingerprint() {
        format!(
            "nondeterminism: two runs of seed {} made the same decisions (fingerprint {}) but \
             ended differently; {OUTSIDE}",
            first.seed(),
            first.fingerprint(),
        )
    } else {
        format!(
            "nondeterminism: two runs of seed {} made different decisions (fingerprints {} and \
             {}); {OUTSIDE}",
            first.seed(),
            first.fingerprint(),
            second.fingerprint()
        )
    };
    let mut failure = Failure::new(FailureKind::Nondeterminism, headline.clone(), headline);
    failure.inner_mut().divergence = Some(divergence);
    (Err(first.stamp(failure)), assertions, stats)
}

/// The divergence at event `i`, with the first run's context from `sim`
/// (the run that kept its events); `sims` are that run and the second,
/// `endings` how the first and second runs ended.
fn located(
    i: u64,
    first: (&Kept, u64),
    second: (&Kept, u64),
    sims: [&Sim; 2],
    endings: &[String; 2],
) -> Divergence {
    let sim = sims[0];
    let e1 = At::of(first.0, first.1, i).event();
    let e2 = At::of(second.0, second.1, i).event();
    // Where the first run was: the event itself, or its last event.
    let at = e1.or_else(|| first.0.get(first.1.wrapping_sub(1)));
    let ctx = at.map(|c| c.ctx).unwrap_or_default();
    Divergence {
        event: i as usize,
        end: i as usize + 1,
        draws: e1.or(e2).map_or(0, |c| c.draws_before),
        time: Instant::from_nanos(ctx.time),
        task: ctx.task.map(|t| (TaskId(t), sim.task_name(t))),
        node: sim.node_name(ctx.node),
        first: describe(e1.map(|c| &c.event), sim, &endings[0]),
        second: describe(e2.map(|c| &c.event), sims[1], &endings[1]),
    }
}

/// The runs differ in the window from `from`, but the first run's events
/// there are not known: the report gives the window and where the second
/// run was at its start (`sim`, which ended as `ending` says).
fn unlocated(from: u64, runs: (&Followed, u64), k: u64, sim: &Sim, ending: &str) -> Divergence {
    let (second, first_events) = runs;
    let end = (from + k).min(second.events + 1).min(first_events + 1);
    let at = At::of(&second.kept, second.events, from).event();
    let ctx = at.map(|c| c.ctx).unwrap_or_default();
    Divergence {
        event: from as usize,
        end: end as usize,
        draws: at.map_or(0, |c| c.draws_before),
        time: Instant::from_nanos(ctx.time),
        task: ctx.task.map(|t| (TaskId(t), sim.task_name(t))),
        node: sim.node_name(ctx.node),
        first: NOT_REPEATED.to_owned(),
        second: describe(at.map(|c| &c.event), sim, ending),
    }
}

/// What an inexact report says of the first run's event.
const NOT_REPEATED: &str = "(not kept)";

fn ending<T>(r: &Result<T, Failure>) -> String {
    match r {
        Ok(_) => "the main task returned".to_owned(),
        Err(f) => format!("failed: {}", f.headline()),
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::time::Duration;

    use super::*;
    use crate::choices::Checkpoint;

    /// Two named tasks taking `rounds` turns; when `odd`, the first sleeps
    /// a nanosecond at round `at` instead of yielding.
    async fn planted(rounds: u32, at: u32, odd: bool) {
        let a = crate::task::Builder::new().name("a").spawn(async move {
            for i in 0..rounds {
                if odd && i == at {
                    crate::time::sleep(Duration::from_nanos(1)).await;
                } else {
                    crate::yield_now().await;
                }
            }
        });
        let b = crate::task::Builder::new().name("b").spawn(async move {
            for _ in 0..rounds {
                crate::yield_now().await;
            }
        });
        a.await.unwrap();
        b.await.unwrap();
    }

    /// Every event of a run of `planted`, and the run.
    fn full_log(seed: u64, at: u32, odd: bool) -> (Vec<Checkpoint>, Sim) {
        let role = Role::Record { k: 1 << 40 };
        let mut sim = Builder::new().seed(seed).check_role(role).build();
        sim.run(planted(300, at, odd)).unwrap();
        let log = sim.take_recorder().unwrap().into_recorded(0).head;
        let events = (0..).map_while(|i| log.get(i).copied()).collect();
        (events, sim)
    }

    /// The report as the check made it when it kept every event of both
    /// runs (before windows).
    fn report_from_full_logs(
        log1: &[Checkpoint],
        log2: &[Checkpoint],
        first: &Sim,
        second: &Sim,
    ) -> Divergence {
        // Both runs of `planted` return.
        let ended = "the main task returned";
        let common = log1.len().min(log2.len());
        let i = (0..common)
            .find(|&i| log1[i].event != log2[i].event)
            .or((log1.len() != log2.len()).then_some(common))
            .unwrap();
        let at = log1.get(i).or(log1.last());
        let ctx = at.map(|c| c.ctx).unwrap_or_default();
        let draws = log1.get(i).or(log2.get(i)).map_or(0, |c| c.draws_before);
        Divergence {
            event: i,
            end: i + 1,
            draws,
            time: Instant::from_nanos(ctx.time),
            task: ctx.task.map(|t| (TaskId(t), first.task_name(t))),
            node: first.node_name(ctx.node),
            first: describe(log1.get(i).map(|c| &c.event), first, ended),
            second: describe(log2.get(i).map(|c| &c.event), second, ended),
        }
    }

    #[test]
    fn windows_of_any_size_report_what_full_logs_do() {
        for seed in 0..3 {
            for at in [0, 1, 77, 150, 298, 299] {
                let (log1, first) = full_log(seed, at, true);
                let (log2, second) = full_log(seed, at, false);
                let expected = report_from_full_logs(&log1, &log2, &first, &second);
                for k in [1, 2, 7, 64, 500, WINDOW] {
                    let runs = Cell::new(0);
                    let (result, _, stats) = check_windowed(
                        Builder::new().seed(seed),
                        || {
                            runs.set(runs.get() + 1);
                            planted(300, at, runs.get() % 2 == 1)
                        },
                        k,
                    );
                    let failure = result.unwrap_err();
                    assert_eq!(
                        failure.divergence(),
                        Some(&expected),
                        "seed {seed}, round {at}, k {k}"
                    );
                    assert_eq!(stats.runs, runs.get());
                    assert!(stats.retained <= 3 * k as usize + 1, "{stats:?}");
                }
            }
        }
    }

    #[test]
    fn a_two_million_event_check_keeps_windows_and_checkpoints_only() {
        let (result, _, stats) = check_windowed(
            Builder::new().seed(5).no_step_limit(),
            || planted(800_000, 0, false),
            WINDOW,
        );
        result.unwrap();
        assert!(stats.events > 2_000_000, "{stats:?}");
        assert_eq!(stats.runs, 2);
        // The first run's first and last windows (the second run's one
        // window is no more): not a million events.
        assert_eq!(stats.retained, 2 * WINDOW as usize + 1, "{stats:?}");
        assert_eq!(stats.checkpoints as u64, stats.events / WINDOW);
    }
}
