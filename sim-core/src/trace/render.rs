//! Turning the event log of a run into [`Trace`] lines.

use std::collections::BTreeMap;
use std::sync::Arc;

use sim_clock::Instant;

use super::{Trace, TraceKind, TraceLine};
use crate::assertions::AssertKind;
use crate::buggify::BuggifyEvent;
use crate::choices::{Checkpoint, Event, Finish, NodeEvent};

/// What the renderer knows besides the log: task names by id (kept while
/// events are logged) and node names by id.
pub(crate) struct Names<'a> {
    pub(crate) tasks: &'a [(u64, Arc<str>)],
    pub(crate) nodes: &'a [Arc<str>],
}

impl Names<'_> {
    fn node(&self, id: u32) -> Arc<str> {
        self.nodes
            .get(id as usize)
            .cloned()
            .unwrap_or_else(|| Arc::from(format!("#{id}")))
    }
}

/// The trace of `log`.
pub(crate) fn render(log: &[Checkpoint], names: &Names<'_>) -> Trace {
    // Each task's node, learnt from its spawn.
    let mut node_of: BTreeMap<u64, u32> = BTreeMap::new();
    let mut lines = Vec::with_capacity(log.len());
    // Task names by id, looked up for every line: a map, not a scan of
    // every task per line (quadratic in a run of many named tasks).
    let task_names: BTreeMap<u64, &Arc<str>> = names.tasks.iter().map(|(i, n)| (*i, n)).collect();
    let task_name = |id: u64| task_names.get(&id).map(|n| Arc::clone(n));
    for cp in log {
        let (ctx_task, ctx_node) = match cp.ctx.task {
            Some(t) => {
                // Also learnt from the task running, for a trace whose
                // first events (the spawn) the trace limit dropped.
                node_of.entry(t).or_insert(cp.ctx.node);
                (Some(t), Some(cp.ctx.node))
            }
            None => (None, None),
        };
        // Polls and finishes are stamped with the task they are about;
        // everything else with the task that was running.
        let (subject, kind, text) = match cp.event {
            Event::Spawn { task, node, .. } => {
                node_of.insert(task, node);
                let name = match task_name(task) {
                    Some(n) => format!("task {task} '{n}'"),
                    None => format!("task {task}"),
                };
                let text = format!("spawn {name} on node '{}'", names.node(node));
                (ctx_task, TraceKind::Spawn, text)
            }
            Event::Poll { task } => (Some(task), TraceKind::Poll, "poll".to_owned()),
            Event::Finish { task, how } => {
                let how = match how {
                    Finish::Returned => "returned",
                    Finish::Panicked => "panicked",
                    Finish::Cancelled => "cancelled",
                };
                (Some(task), TraceKind::Finish, how.to_owned())
            }
            Event::Clock {
                timers, advances, ..
            } => {
                let mut text = format!("clock: {timers} timer{} fired", plural(timers));
                if advances > 0 {
                    text.push_str(&format!(", {advances} advance{} done", plural(advances)));
                }
                (None, TraceKind::Clock, text)
            }
            Event::Node { node, what } => {
                let text = format!("node {node} '{}' {}", names.node(node), what.verb());
                (ctx_task, TraceKind::Node, text)
            }
            Event::Draw { kind, bound, value } => {
                let text = if bound == 0 {
                    format!("draw {}: {value}", kind.describe())
                } else {
                    format!("draw {}: {value} of 0..{bound}", kind.describe())
                };
                (ctx_task, TraceKind::Draw, text)
            }
            Event::Buggify { site, what } => {
                let what = match what {
                    BuggifyEvent::Inactive => "inactive for this run",
                    BuggifyEvent::Activated => "activated for this run",
                    BuggifyEvent::Fired => "fired",
                };
                (
                    ctx_task,
                    TraceKind::Buggify,
                    format!("buggify! at {site} {what}"),
                )
            }
            Event::Assert { site, held } => {
                let outcome = match (site.kind, held) {
                    (AssertKind::Reachable | AssertKind::Unreachable, _) => "reached",
                    (_, true) => "true",
                    (_, false) => "false",
                };
                let text = format!("{} at {}: {outcome}", site.call(), site.location());
                (ctx_task, TraceKind::Assertion, text)
            }
            Event::Ext { kind, a, b } => (
                ctx_task,
                TraceKind::Io,
                crate::ext::render_event(kind, a, b),
            ),
        };
        let node = match (subject, ctx_task) {
            (Some(t), Some(c)) if t == c => ctx_node,
            (Some(t), _) => node_of.get(&t).copied(),
            (None, _) => None,
        };
        let line = TraceLine {
            time: Instant::from_nanos(cp.ctx.time),
            node: node.map(|n| names.node(n)),
            task: subject.map(|t| (t, task_name(t))),
            kind,
            text,
        };
        if kind == TraceKind::Clock {
            // The clock's event comes after the timers it fired; show it
            // first, then what they did (their order draws and I/O).
            let during = fired_before(log, lines.len(), cp.ctx.time);
            lines.insert(lines.len() - during, line);
        } else {
            lines.push(line);
        }
    }
    Trace { lines, dropped: 0 }
}

/// How many of the `n` events before a clock move at `time` happened while
/// its timers fired: the same-instant order draws and extension events
/// (the network's deliveries) outside any task just before it.
fn fired_before(log: &[Checkpoint], n: usize, time: u64) -> usize {
    log[..n]
        .iter()
        .rev()
        .take_while(|cp| {
            cp.ctx.task.is_none()
                && cp.ctx.time == time
                && matches!(
                    cp.event,
                    Event::Ext { .. }
                        | Event::Draw {
                            kind: crate::choices::DrawKind::TimerOrder,
                            ..
                        }
                )
        })
        .count()
}

impl NodeEvent {
    /// What happened to the node, as traces and divergence reports say it.
    pub(crate) fn verb(self) -> &'static str {
        match self {
            NodeEvent::Created => "created",
            NodeEvent::Killed => "killed",
            NodeEvent::Restarted => "restarted",
            NodeEvent::Paused => "paused",
            NodeEvent::Resumed => "resumed",
            NodeEvent::ShutdownRequested => "asked to shut down",
        }
    }
}

fn plural(n: u32) -> &'static str {
    if n == 1 { "" } else { "s" }
}
