//! The run loop.
//!
//! # Algorithm
//!
//! ```text
//! loop:
//!     a failure was recorded     -> stop, return it
//!     the main future finished   -> end-of-run checks, return its output
//!     the scheduler picks a runnable task (a draw among them)
//!         -> poll it once (one step); count the step against the limit
//!     nothing is runnable        -> ask the clock for the next wakeup:
//!         a timer or an advance() target -> check the time limit, move the
//!             clock there, fire what is due (same-instant order drawn)
//!         nothing can move time  -> deadlock
//! ```
//!
//! Time moves only when nothing is runnable, so code between two awaits
//! takes no virtual time, and a run is a pure function of the seed (or
//! tape): every choice above is a draw from the one choice source.

use std::collections::BTreeMap;
use std::future::Future;
use std::mem::ManuallyDrop;
use std::panic::Location;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use crate::choices::Choices;
use crate::choices::{DrawKind, Event, Finish};
use crate::failure::{Failure, FailureKind};
use crate::foreign;
use crate::panic;
use crate::raw::{self, Token, waker};
use crate::report::{ArmedTimer, Hygiene, SlowPoll};
use crate::runtime::{Current, Runtime};
use crate::sched::{Entry, LOOKAHEAD_MIN, Policy, Schedule};
use crate::task::TaskInfo;
use crate::task::cell::BoxTask;
use crate::task::table::{Outcome, Slot, State};

impl Runtime {
    /// Runs `future` as the main task until it finishes or the run fails.
    /// The runtime must be current (see `context::enter`).
    pub(crate) fn block_on<F: Future>(
        &self,
        future: F,
        location: &'static Location<'static>,
    ) -> Result<F::Output, Failure> {
        if let Some((kind, headline)) = &*self.failed.borrow() {
            let msg = format!(
                "this simulation already failed ({headline}); build a new Sim to run again"
            );
            return Err(self.stamp(Failure::new(*kind, msg.clone(), msg)));
        }
        let mut main = Box::pin(future);
        let main_index = self.spawn_main(location);
        let mut output = None;
        let result = self.run_loop(main_index, main.as_mut(), &mut output);
        // The main future's destructors run with the simulation current.
        let main_cur = self.current_of(main_index);
        self.drop_as(main_cur, Some(Arc::from("main")), main);
        let result = result.and_then(|()| self.end_of_run(main_index));
        let result = match (result, self.take_failure()) {
            (Ok(()), None) => Ok(output.expect("the main future finished")),
            (Err(f), _) | (Ok(()), Some(f)) => Err(f),
        };
        result.map_err(|f| {
            let f = self.stamp(f);
            *self.failed.borrow_mut() = Some((f.kind(), f.headline().to_owned()));
            f
        })
    }

    fn run_loop<F: Future>(
        &self,
        main_index: u32,
        mut main: Pin<&mut F>,
        output: &mut Option<F::Output>,
    ) -> Result<(), Failure> {
        loop {
            if self.has_failure.get() {
                if let Some(f) = self.take_failure() {
                    return Err(f);
                }
            }
            if output.is_some() {
                return Ok(());
            }
            if foreign::any_pending() {
                self.take_foreign_wakes();
            }
            let Some(Entry { index, hint, .. }) = self.next_runnable() else {
                self.idle()?;
                continue;
            };
            let steps = self.steps.get() + 1;
            if steps > self.max_steps {
                return Err(self.step_limit_failure());
            }
            self.steps.set(steps);
            if index == main_index {
                self.poll_main(index, main.as_mut(), output);
            } else {
                self.poll_task(index, hint);
            }
        }
    }

    /// The scheduler's pick among the live, queued tasks. Stale entries
    /// are counted as they are made, so the usual pop skips the check.
    #[inline(always)]
    fn next_runnable(&self) -> Option<Entry> {
        let mut sched = self.sched.borrow_mut();
        if self.stale.get() == 0 {
            // One runnable task, or Fifo: no draw, no lookahead to make.
            if let Some(popped) = sched.pop_without_draw() {
                return popped;
            }
            let mut choices = self.choices.borrow_mut();
            let entry = sched.pop(&mut choices, None)?;
            // Start loading the future while the slot is read, and the
            // likely next task while this one runs.
            raw::prefetch(entry.hint);
            // Only worth it when many tasks are runnable (few fit in cache).
            if sched.len() >= LOOKAHEAD_MIN {
                self.prefetch_ahead(&sched, &mut choices);
            }
            return Some(entry);
        }
        let mut choices = self.choices.borrow_mut();
        let tasks = self.tasks.borrow();
        let live = |e: Entry| {
            let slot = tasks.slot(e.index);
            let live = !slot.vacant && slot.state == State::Queued && slot.stamp == e.stamp;
            if !live {
                self.stale.set(self.stale.get() - 1);
            }
            live
        };
        let entry = sched.pop(&mut choices, Some(&live))?;
        raw::prefetch(entry.hint);
        Some(entry)
    }

    /// Three picks ahead, the queue entry; two picks ahead (its entry was
    /// fetched a step ago), the task's slot and future; one pick ahead, the
    /// same again in case the prediction changed (a task became runnable).
    #[inline(never)]
    fn prefetch_ahead(&self, sched: &Policy, choices: &mut Choices) {
        let ahead = sched.peek_ahead(choices);
        raw::prefetch(ahead.third);
        let tasks = self.tasks.borrow();
        if let Some(e) = ahead.after {
            raw::prefetch(e.hint);
            raw::prefetch(tasks.slot_addr(e.index));
        }
        if let Some(e) = ahead.next {
            raw::prefetch(e.hint);
            raw::prefetch(tasks.slot_addr(e.index));
        }
    }

    fn current_of(&self, index: u32) -> Current {
        let tasks = self.tasks.borrow();
        let slot = tasks.slot(index);
        Current {
            index,
            id: slot.id,
            node: slot.node,
        }
    }

    /// Marks a task running (taking its future, for spawned tasks);
    /// returns who it is and its waker's token. `hint` is where its future
    /// is (its run-queue entry's prefetch hint).
    #[inline]
    fn begin_poll(
        &self,
        index: u32,
        take_future: bool,
        hint: usize,
    ) -> (Current, Token, Option<BoxTask>) {
        let (cur, generation, future, hint) = {
            let mut tasks = self.tasks.borrow_mut();
            let slot = tasks.slot_mut(index);
            debug_assert!(
                slot.state == State::Queued && !slot.vacant,
                "detsim: the scheduler returned a task that is not queued (stale count off)"
            );
            slot.state = State::Running;
            let cur = Current {
                index,
                id: slot.id,
                node: slot.node,
            };
            let future = if take_future {
                slot.future.take()
            } else {
                None
            };
            debug_assert_eq!(hint, future.as_ref().map_or(0, BoxTask::hint));
            let slot_addr = (&raw const *slot).addr();
            (cur, slot.generation, future, [hint, slot_addr])
        };
        self.current.set(Some(cur));
        // Timers armed in this poll remember the task's future and slot, so
        // the clock can have them warmed before they fire.
        self.clock.set_owner_with_hint(cur.id.0, hint);
        {
            let mut choices = self.choices.borrow_mut();
            if self.config.log_events {
                choices.ctx.task = Some(cur.id.0);
                choices.ctx.node = cur.node.0;
            }
            choices.event(Event::Poll { task: cur.id.0 });
        }
        if let Some(b) = &self.beacon {
            b.enter(cur.id.0);
        }
        (cur, Token::new(self.tag, index, generation), future)
    }

    #[inline]
    fn end_poll(&self, cur: Current) {
        if let Some(b) = &self.beacon {
            if let Some(real) = b.exit() {
                let slow = SlowPoll {
                    task: self.task_info(cur.index),
                    at: self.clock.now(),
                    step: self.steps.get(),
                    real,
                };
                self.diag.borrow_mut().slow_polls.push(slow);
            }
        }
        self.current.set(None);
        if self.config.log_events {
            self.choices.borrow_mut().ctx.task = None;
        }
    }

    fn poll_main<F: Future>(&self, index: u32, main: Pin<&mut F>, output: &mut Option<F::Output>) {
        let (cur, token, _) = self.begin_poll(index, false, 0);
        // Never dropped: a task waker's drop does nothing (see `raw`), and
        // skipping it saves an indirect call per poll.
        let waker = ManuallyDrop::new(waker(token));
        let mut cx = Context::from_waker(&waker);
        let result = panic::catch(|| main.poll(&mut cx));
        self.end_poll(cur);
        match result {
            Ok(Poll::Pending) => self.after_pending(index),
            Ok(Poll::Ready(v)) => {
                *output = Some(v);
                self.tasks.borrow_mut().slot_mut(index).state = State::Done;
                self.tasks.borrow_mut().slot_mut(index).outcome = Outcome::Returned;
                self.choices.borrow_mut().event(Event::Finish {
                    task: cur.id.0,
                    how: Finish::Returned,
                });
            }
            Err((_payload, record)) => {
                self.tasks.borrow_mut().slot_mut(index).state = State::Done;
                let info = self.task_info(index);
                self.fail(Self::panic_failure(info, record, "panicked"));
            }
        }
    }

    fn poll_task(&self, index: u32, hint: usize) {
        let (cur, token, future) = self.begin_poll(index, true, hint);
        let mut future = future.expect("detsim: a runnable task has no future");
        // As in `poll_main`: its drop would do nothing.
        let waker = ManuallyDrop::new(waker(token));
        let mut cx = Context::from_waker(&waker);
        let result = panic::catch(|| future.poll_task(&mut cx));
        self.end_poll(cur);
        match result {
            Ok(Poll::Pending) => {
                let mut future = Some(future);
                let cancel = {
                    let mut tasks = self.tasks.borrow_mut();
                    let slot = tasks.slot_mut(index);
                    match slot.cancel {
                        Some(why) => Some(why),
                        None => {
                            slot.future = future.take();
                            self.settle_pending(index, slot);
                            None
                        }
                    }
                };
                // Aborted or killed during its own poll.
                if let Some(why) = cancel {
                    self.finish_cancelled(index, why, future);
                }
            }
            Ok(Poll::Ready(())) => {
                let (waker, freed) = {
                    let mut tasks = self.tasks.borrow_mut();
                    let slot = tasks.slot_mut(index);
                    slot.future = Some(future);
                    slot.state = State::Done;
                    slot.outcome = Outcome::Returned;
                    slot.cancel = None;
                    let waker = slot.join_waker.take();
                    let freed = match slot.detached {
                        true => {
                            let name = tasks.cold(index).name.clone();
                            Some((name, tasks.remove(index)))
                        }
                        false => None,
                    };
                    (waker, freed)
                };
                self.choices.borrow_mut().event(Event::Finish {
                    task: cur.id.0,
                    how: Finish::Returned,
                });
                if let Some((name, freed)) = freed {
                    self.drop_as(cur, name, freed);
                }
                self.finished_on(cur.node);
                if let Some(w) = waker {
                    w.wake();
                }
            }
            Err((payload, record)) => {
                let info = self.task_info(index);
                self.drop_as(cur, info.name.clone(), future);
                let (waker, failure) = {
                    let mut tasks = self.tasks.borrow_mut();
                    let init = tasks.cold(index).init;
                    let slot = tasks.slot_mut(index);
                    slot.state = State::Done;
                    slot.cancel = None;
                    if slot.detached || init {
                        let why = if init {
                            "a node's init task has no JoinHandle anybody could await, \
                             so its panic fails the run"
                                .to_owned()
                        } else {
                            "nobody holds its JoinHandle (it was dropped), so the panic fails the run"
                                .to_owned()
                        };
                        let freed = tasks.remove(index);
                        let mut f = Self::panic_failure(info, record, "panicked");
                        f.inner_mut().details.push(why);
                        (None, Some((f, freed, payload)))
                    } else {
                        slot.outcome = Outcome::Panicked;
                        let waker = slot.join_waker.take();
                        tasks.cold_mut(index).panic = Some(Box::new((payload, record)));
                        (waker, None)
                    }
                };
                self.choices.borrow_mut().event(Event::Finish {
                    task: cur.id.0,
                    how: Finish::Panicked,
                });
                self.finished_on(cur.node);
                if let Some((f, freed, payload)) = failure {
                    let name = f.task().and_then(|t| t.name.clone());
                    self.drop_as(cur, name, (freed, payload));
                    self.fail(f);
                }
                if let Some(w) = waker {
                    w.wake();
                }
            }
        }
    }

    /// A poll returned `Pending`: idle, or runnable again if woken meanwhile.
    fn after_pending(&self, index: u32) {
        let mut tasks = self.tasks.borrow_mut();
        self.settle_pending(index, tasks.slot_mut(index));
    }

    #[inline]
    fn settle_pending(&self, index: u32, slot: &mut Slot) {
        if slot.state == State::Notified {
            self.enqueue_slot(index, slot);
        } else {
            slot.state = State::Idle;
        }
    }

    /// Nothing is runnable: move time, or fail.
    fn idle(&self) -> Result<(), Failure> {
        // The usual step of a network workload: the delivery pump's alarm
        // alone is next (see `Clock::advance_to_lone_alarm`), within the
        // time limit. The same step as below, in fewer moves.
        let not_after = self
            .config
            .time_limit
            .map_or(u64::MAX, crate::latency::nanos);
        if let Some((at, ring)) = self.clock.advance_to_lone_alarm(not_after) {
            self.choices.borrow_mut().ctx.time = at.as_nanos();
            ring.ring();
            drop(ring);
            self.choices.borrow_mut().event(Event::Clock {
                time: at.as_nanos(),
                timers: 1,
                advances: 0,
            });
            return Ok(());
        }
        let Some(at) = self.clock.next_wakeup() else {
            return Err(self.deadlock_failure());
        };
        if let Some(limit) = self.config.time_limit {
            if at.since_start() > limit {
                return Err(self.time_limit_failure(limit, at));
            }
        }
        self.choices.borrow_mut().ctx.time = at.as_nanos();
        let wakeup = self.clock.advance_to(at, &mut |n| {
            self.choices.borrow_mut().draw(DrawKind::TimerOrder, n)
        });
        self.choices.borrow_mut().event(Event::Clock {
            time: at.as_nanos(),
            timers: wakeup.timers_fired as u32,
            advances: wakeup.advancers_released as u32,
        });
        Ok(())
    }

    // ------------------------------------------------------------ failures

    /// Fills in the run's seed, tape, fingerprint, steps and time.
    pub(crate) fn stamp(&self, mut f: Failure) -> Failure {
        let choices = self.choices.borrow();
        let inner = f.inner_mut();
        inner.seed = self.config.seed;
        inner.scheduler = self.config.scheduler;
        inner.fingerprint = choices.fingerprint();
        inner.tape = choices.tape();
        inner.steps = self.steps.get();
        inner.time = self.clock.now();
        drop(choices);
        if self.config.trace {
            f.inner_mut().trace = self.trace();
        }
        f
    }

    fn live_tasks(&self) -> Vec<TaskInfo> {
        let tasks = self.tasks.borrow();
        tasks
            .occupied()
            .filter(|(_, s)| s.outcome.is_pending())
            .map(|(i, s)| (s.id, self.task_info_in(&tasks, i)))
            .collect::<BTreeMap<_, _>>()
            .into_values()
            .collect()
    }

    /// One line per task that panicked while its `JoinHandle` is held but
    /// not yet awaited, in task-id order: a failure that ends the run
    /// early (deadlock, limits) names them, as they are often the cause
    /// and would otherwise go unseen.
    fn unawaited_panics(&self) -> Vec<String> {
        let tasks = self.tasks.borrow();
        tasks
            .occupied()
            .filter(|(_, s)| s.outcome == Outcome::Panicked)
            .map(|(i, s)| {
                let info = self.task_info_in(&tasks, i);
                let mut line = format!("{info} panicked");
                if let Some((_, record)) = tasks.cold(i).panic.as_deref() {
                    if let Some(loc) = &record.location {
                        line.push_str(&format!(" at {loc}"));
                    }
                    line.push_str(&format!(": {}", record.message));
                }
                line.push_str(" (its JoinHandle is held but nobody has awaited it yet)");
                (s.id, line)
            })
            .collect::<BTreeMap<_, _>>()
            .into_values()
            .collect()
    }

    fn deadlock_failure(&self) -> Failure {
        let armed = self.clock.armed_timers();
        let parked = self
            .tasks
            .borrow()
            .occupied()
            .filter(|(_, s)| s.state == State::Parked)
            .count();
        let reason = if !armed.is_empty() && !self.clock.auto_advance() {
            format!(
                "auto-advance is off and no task is in time::advance(), so {} armed timer{} \
                 (the first due at {}) can never fire",
                armed.len(),
                if armed.len() == 1 { "" } else { "s" },
                armed[0].deadline
            )
        } else if parked > 0 {
            format!(
                "the only runnable tasks ({parked}) are on paused nodes; resume them with Node::resume"
            )
        } else {
            "no task is runnable and no timer is armed".to_owned()
        };
        let headline = format!("deadlock: the main task can never finish: {reason}");
        let blocked = self.live_tasks();
        let mut f = Failure::new(FailureKind::Deadlock, headline.clone(), headline);
        let inner = f.inner_mut();
        inner.task = blocked.iter().find(|t| t.name() == Some("main")).cloned();
        inner.blocked = blocked;
        inner.details.extend(self.unawaited_panics());
        inner.details.extend(self.park_notes(&inner.blocked));
        let foreign = self.diag.borrow().foreign_wakes.len();
        if foreign > 0 {
            inner.details.push(format!(
                "{foreign} wake(s) came from outside the simulation's run; detsim cannot wait \
                 for other threads (see Report::foreign_wakes)"
            ));
        }
        f
    }

    fn time_limit_failure(&self, limit: Duration, at: sim_clock::Instant) -> Failure {
        let limit = crate::harness::format_duration(limit);
        let headline = format!(
            "time limit: virtual time would pass the limit of {limit} (the next wakeup is at {at}); \
             raise it with Builder::time_limit, or look for a livelock (tasks that keep timers busy \
             while the main task waits)"
        );
        let mut f = Failure::new(FailureKind::TimeLimit, headline.clone(), headline);
        let inner = f.inner_mut();
        inner.blocked = self.live_tasks();
        inner.details.extend(self.unawaited_panics());
        // A task stuck on a mock or a socket while timers keep time going
        // is the usual cause: say what each waits for, as a deadlock does.
        inner.details.extend(self.park_notes(&inner.blocked));
        f
    }

    /// "`task` waits for `what`" for each of `blocked` whose primitive
    /// left a park note (see `ext::park_note`).
    fn park_notes(&self, blocked: &[TaskInfo]) -> Vec<String> {
        let Some(notes) = self.ext.borrow().find::<crate::ext::ParkNotes>() else {
            return Vec::new();
        };
        let tasks = self.tasks.borrow();
        let mut lines: Vec<String> = blocked
            .iter()
            .filter_map(|t| {
                let note = notes.of(&tasks, t.id().as_u64())?;
                Some(format!("{t} waits for {note}"))
            })
            .collect();
        // As long as the list of blocked tasks the message shows.
        let total = lines.len();
        if total > crate::report::LISTED {
            lines.truncate(crate::report::LISTED);
            lines.push(format!(
                "… and {} more blocked tasks said what they wait for",
                total - crate::report::LISTED
            ));
        }
        lines
    }

    fn step_limit_failure(&self) -> Failure {
        let max = self.config.max_steps.unwrap_or_default();
        let headline = format!(
            "step limit: {max} polls without the main task finishing; raise it with \
             Builder::max_steps, or look for a busy loop (tasks that keep yielding or waking \
             each other without time passing)"
        );
        let mut f = Failure::new(FailureKind::StepLimit, headline.clone(), headline);
        f.inner_mut().blocked = self.live_tasks();
        f.inner_mut().details.extend(self.unawaited_panics());
        f
    }

    /// After the main future finished: unretrieved panics, hygiene.
    fn end_of_run(&self, main_index: u32) -> Result<(), Failure> {
        // The main slot holds no user value (its future lives on the stack).
        let freed = self.tasks.borrow_mut().remove(main_index);
        drop(freed);
        let unretrieved = {
            let tasks = self.tasks.borrow();
            tasks
                .occupied()
                .filter(|(_, s)| s.outcome == Outcome::Panicked)
                .map(|(i, _)| i)
                .next()
        };
        if let Some(index) = unretrieved {
            let tasks = self.tasks.borrow();
            let info = self.task_info_in(&tasks, index);
            let record = tasks.cold(index).panic.as_ref().map(|b| b.1.clone());
            let record = record.expect("a panicked task keeps its payload");
            let mut f = Self::panic_failure(info, record, "panicked");
            f.inner_mut().details.push(
                "the run ended before anyone awaited its JoinHandle, so nobody saw the panic"
                    .to_owned(),
            );
            return Err(f);
        }
        let hygiene = self.hygiene();
        self.diag.borrow_mut().hygiene = hygiene.clone();
        if self.config.strict && !hygiene.is_clean() {
            let headline = format!(
                "hygiene (strict mode): the run ended with {} live task{} and {} armed timer{}; \
                 abort or join tasks (and drop their timers) before the main future returns",
                hygiene.live_tasks.len(),
                if hygiene.live_tasks.len() == 1 {
                    ""
                } else {
                    "s"
                },
                hygiene.armed_timers.len(),
                if hygiene.armed_timers.len() == 1 {
                    ""
                } else {
                    "s"
                },
            );
            let mut f = Failure::new(FailureKind::Hygiene, headline.clone(), headline);
            f.inner_mut().hygiene = Some(hygiene);
            return Err(f);
        }
        Ok(())
    }

    fn hygiene(&self) -> Hygiene {
        let live_tasks = self.live_tasks();
        let by_id: BTreeMap<u64, &TaskInfo> = live_tasks.iter().map(|t| (t.id.0, t)).collect();
        let armed_timers = self
            .clock
            .armed_timers()
            .into_iter()
            .filter(|t| t.owner != sim_clock::SYSTEM_OWNER)
            .map(|t| ArmedTimer {
                deadline: t.deadline,
                task: by_id.get(&t.owner).map(|&t| t.clone()),
            })
            .collect();
        Hygiene {
            live_tasks,
            armed_timers,
        }
    }
}
