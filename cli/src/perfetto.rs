//! A run's trace as Chrome trace-event JSON, which Perfetto
//! (<https://ui.perfetto.dev>) and `chrome://tracing` open.
//!
//! - a process per node and pid 0, "simulation", for events outside any
//!   node (the clock);
//! - a thread (track) per task, named by the task's name ("task" when it
//!   has none) with tid = the task id, so that Perfetto, which appends the
//!   tid to a track's title, shows "echo-server 5" or "task 5". Perfetto
//!   takes tid 0 (and a tid equal to the pid) for the process itself, so
//!   the tids and pids that are not task ids come after every task id in
//!   the trace: the main task (task 0, "main") has the first of them, and
//!   the nodes' processes (in order of appearance) the next ones; a node's
//!   process-wide thread (tid = its pid) is its "network" track, where
//!   deliveries land;
//! - each poll is a complete ("X") slice. A poll takes no virtual time, so
//!   slices get a nominal width of 1 µs at their virtual start time;
//! - spawns, finishes, timers firing, node kills/restarts/pauses,
//!   `buggify!` fires, assertions and network faults (drops, resets) are
//!   instant ("i") events; draws are left out (they are most of a trace
//!   and `--log` shows them);
//! - each network send is a 1 µs "send" slice on the sending task's track,
//!   and its delivery a "deliver" slice on the receiving node's network
//!   track, joined by a flow ("s" then "f") arrow. Sends and deliveries are
//!   matched first-in first-out by their addresses, length and sequence
//!   number (a TCP segment's) or number (a datagram's, counted per
//!   network), so a reordered delivery finds its own send. A send the
//!   network drops (`net: drop`) gets no arrow: a drop right after its
//!   send, at its instant (partitions, no such host, a loss), cancels that
//!   send, a later one (the receiver down, nothing bound) a send on its
//!   addresses still in flight that no later delivery claims (see
//!   `lookahead`: a drop's line names no length or number, so the rest of
//!   the trace decides; exact, since the sends in flight on one address
//!   pair differ in number). A duplicated datagram (`net: duplicate`)
//!   gets an arrow to each of its deliveries. A node's address is sim-net's (node id n
//!   has 10.0.0.0 + n + 1, read from the "node n 'name' created" lines),
//!   else learnt from the first send from it;
//! - the network's own events outside any task (TCP handshake replies,
//!   retransmissions, drops, accepts, resets) go on the network track of
//!   the node whose address they name first, not on the simulation's.
//!
//! Timestamps are virtual time in microseconds, except that events at the
//! same virtual instant on one track are laid 1 µs apart in their order,
//! a poll's inside its slice (so a poll that sends three messages is 3 µs
//! wide): an event may be drawn a few µs after its virtual time, which its
//! `virtual_ns` argument keeps exactly.

use std::collections::{BTreeMap, VecDeque};
use std::path::Path;

use serde_json::{Value, json};

use crate::error::CliError;

mod lookahead;

use lookahead::Lookahead;

/// The nominal width of a poll, in µs.
const POLL_US: f64 = 1.0;

#[derive(Default)]
struct Builder {
    events: Vec<Value>,
    /// node name -> pid.
    pids: BTreeMap<String, u64>,
    /// (pid, tid) already named.
    named: BTreeMap<(u64, u64), ()>,
    /// ip -> node name, from sends.
    ips: BTreeMap<String, String>,
    /// "src -> dst" -> the sends on it not yet delivered or dropped.
    in_flight: BTreeMap<String, VecDeque<InFlight>>,
    /// The send of the line before (draws aside), which a drop there at
    /// the same instant cancels: its addresses, flow id and virtual time.
    last_send: Option<(String, u64, u64)>,
    /// What later lines send and deliver: which send a drop on arrival
    /// took.
    lookahead: Lookahead,
    /// The index of the line being converted (as `lookahead` counts).
    at: usize,
    next_flow: u64,
    /// The main task's tid: the first one above every task id.
    main_tid: u64,
    /// Per track, where its next events go (see `place`).
    cursors: BTreeMap<(u64, u64), Cursor>,
}

#[derive(Default)]
struct Cursor {
    /// The earliest time (µs) of the track's next event.
    next: f64,
    /// The end of its last poll.
    poll_end: f64,
    /// Its last poll: index in `events`, virtual time, placed time.
    poll: Option<(usize, u64, f64)>,
}

/// A send not yet delivered: where its flow arrow starts.
struct InFlight {
    /// "(3 bytes, seq 1)", which its delivery repeats.
    shape: String,
    id: u64,
    track: (u64, u64),
    ts: f64,
}

impl Builder {
    fn pid(&mut self, node: Option<&str>) -> u64 {
        let Some(node) = node else {
            self.name_thread(0, 0, "simulation", "clock");
            return 0;
        };
        if let Some(&pid) = self.pids.get(node) {
            return pid;
        }
        // After the main task's tid: a pid is its process's own tid.
        let pid = self.main_tid + 1 + self.pids.len() as u64;
        self.pids.insert(node.to_owned(), pid);
        self.events.push(json!({
            "ph": "M", "name": "process_name", "pid": pid, "tid": 0,
            "args": { "name": format!("node {node}") },
        }));
        self.events.push(json!({
            "ph": "M", "name": "process_sort_index", "pid": pid, "tid": 0,
            "args": { "sort_index": pid },
        }));
        pid
    }

    fn name_thread(&mut self, pid: u64, tid: u64, process: &str, name: &str) {
        if self.named.insert((pid, tid), ()).is_some() {
            return;
        }
        if pid == 0 && tid == 0 {
            self.events.push(json!({
                "ph": "M", "name": "process_name", "pid": 0, "tid": 0,
                "args": { "name": process },
            }));
        }
        self.events.push(json!({
            "ph": "M", "name": "thread_name", "pid": pid, "tid": tid,
            "args": { "name": name },
        }));
    }

    /// The track of a line: its task's, else its node's network track,
    /// else (for the network's events outside any task) the network track
    /// of the node of the first address in its text, else the
    /// simulation's.
    fn track(&mut self, line: &Value) -> (u64, u64) {
        let node = match line["node"].as_str() {
            Some(node) => Some(node.to_owned()),
            None => first_ip(line["text"].as_str().unwrap_or_default())
                .and_then(|ip| self.ips.get(ip).cloned()),
        };
        let pid = self.pid(node.as_deref());
        match line["task"].as_u64() {
            Some(task) if pid != 0 => {
                let (tid, unnamed) = match task {
                    0 => (self.main_tid, "main"),
                    _ => (task, "task"),
                };
                let name = line["task_name"].as_str().unwrap_or(unnamed).to_owned();
                self.name_thread(pid, tid, "", &name);
                (pid, tid)
            }
            _ => self.network_track(pid),
        }
    }

    /// The network track of the node of `pid` (the simulation's own track
    /// for pid 0).
    fn network_track(&mut self, pid: u64) -> (u64, u64) {
        if pid != 0 {
            self.name_thread(pid, pid, "", "network");
        }
        (pid, pid)
    }

    /// Where an event at virtual time `ns` goes on `track`: at its time,
    /// or after the events before it at the same instant (1 µs apart, in
    /// their order), inside the poll it happens in (which grows to hold
    /// them). Without this Perfetto stacks same-instant events into deep
    /// staircases of hairlines.
    fn place(&mut self, track: (u64, u64), ns: u64, poll: bool) -> f64 {
        let ts = ns as f64 / 1000.0;
        let next_index = self.events.len();
        let c = self.cursors.entry(track).or_default();
        if poll {
            let at = ts.max(c.next).max(c.poll_end);
            c.poll = Some((next_index, ns, at));
            c.poll_end = at + POLL_US;
            c.next = at;
            return at;
        }
        match c.poll {
            Some((index, poll_ns, poll_at)) if poll_ns == ns => {
                let at = ts.max(c.next);
                c.next = at + POLL_US;
                c.poll_end = c.poll_end.max(c.next);
                self.events[index]["dur"] = json!(c.poll_end - poll_at);
                at
            }
            _ => {
                // Not in the last poll: after it.
                c.poll = None;
                let at = ts.max(c.next).max(c.poll_end);
                c.next = at + POLL_US;
                at
            }
        }
    }

    /// A slice; its placed time.
    fn slice(&mut self, (pid, tid): (u64, u64), ns: u64, name: &str, text: &str) -> f64 {
        let ts = self.place((pid, tid), ns, name == "poll");
        self.events.push(json!({
            "ph": "X", "name": name, "cat": "detsim", "pid": pid, "tid": tid,
            "ts": ts, "dur": POLL_US, "args": { "event": text, "virtual_ns": ns },
        }));
        ts
    }

    fn instant(&mut self, (pid, tid): (u64, u64), ns: u64, cat: &str, text: &str) {
        let ts = self.place((pid, tid), ns, false);
        self.events.push(json!({
            "ph": "i", "s": "t", "name": text, "cat": cat, "pid": pid, "tid": tid, "ts": ts,
            "args": { "virtual_ns": ns },
        }));
    }

    fn line(&mut self, line: &Value) {
        let ts = line["time_ns"].as_u64().unwrap_or(0);
        let text = line["text"].as_str().unwrap_or_default();
        let kind = line["kind"].as_str().unwrap_or_default();
        if kind == "draw" {
            return;
        }
        let last_send = self.last_send.take();
        match kind {
            "poll" => {
                let track = self.track(line);
                self.slice(track, ts, "poll", text);
            }
            "io" => self.io(line, ts, text, last_send),
            "node" => {
                if let Some((id, name)) = created(text) {
                    let ip = std::net::Ipv4Addr::from(0x0a00_0000u32.wrapping_add(id + 1));
                    self.ips.insert(ip.to_string(), name.to_owned());
                }
                let track = self.track(line);
                self.instant(track, ts, kind, text);
            }
            "clock" | "spawn" | "finish" | "buggify" | "assertion" => {
                let track = self.track(line);
                self.instant(track, ts, kind, text);
            }
            _ => {
                let track = self.track(line);
                self.instant(track, ts, "other", text);
            }
        }
    }

    fn io(&mut self, line: &Value, ts: u64, text: &str, last_send: Option<(String, u64, u64)>) {
        if let Some(rest) = text.strip_prefix("net: send ") {
            let track = self.track(line);
            // Only for an address sim-net's addressing did not give: a
            // node's crash makes the crashing task send its resets.
            if let (Some(node), Some(src)) = (line["node"].as_str(), ip_of(rest, 0)) {
                self.ips.entry(src).or_insert_with(|| node.to_owned());
            }
            let ns = ts;
            let ts = self.slice(track, ts, "send", text);
            let (pair, shape) = split_shape(rest);
            let id = self.next_flow;
            self.next_flow += 1;
            self.in_flight
                .entry(pair.to_owned())
                .or_default()
                .push_back(InFlight {
                    shape: shape.to_owned(),
                    id,
                    track,
                    ts,
                });
            self.last_send = Some((pair.to_owned(), id, ns));
        } else if let Some(rest) = text.strip_prefix("net: deliver ") {
            let node = ip_of(rest, 1).and_then(|ip| self.ips.get(&ip).cloned());
            let pid = self.pid(node.as_deref());
            let track = self.network_track(pid);
            let ts = self.slice(track, ts, "deliver", text);
            let (pair, shape) = split_shape(rest);
            let queue = self.in_flight.get_mut(pair);
            let sent = queue.and_then(|q| {
                let at = q.iter().position(|s| s.shape == shape)?;
                q.remove(at)
            });
            if let Some(sent) = sent {
                self.events.push(json!({
                    "ph": "s", "name": "message", "cat": "net", "id": sent.id,
                    "pid": sent.track.0, "tid": sent.track.1, "ts": sent.ts,
                }));
                self.events.push(json!({
                    "ph": "f", "bp": "e", "name": "message", "cat": "net", "id": sent.id,
                    "pid": track.0, "tid": track.1, "ts": ts,
                }));
            }
        } else {
            if let Some(rest) = text.strip_prefix("net: drop ") {
                let (pair, _) = split_shape(rest);
                if let Some(queue) = self.in_flight.get_mut(pair) {
                    match last_send {
                        Some((p, id, sent)) if p == pair && sent == ts => {
                            queue.retain(|s| s.id != id);
                        }
                        _ => {
                            let at = self.lookahead.dropped(pair, queue, self.at);
                            queue.remove(at);
                        }
                    }
                }
            } else if let Some(pair) = text.strip_prefix("net: duplicate ") {
                // The send just before is on the wire twice: its second
                // delivery gets an arrow of its own.
                let next_flow = self.next_flow;
                let queue = match last_send {
                    Some((p, id, _)) if p == pair => self.in_flight.get_mut(pair).map(|q| (q, id)),
                    _ => None,
                };
                if let Some((queue, id)) = queue {
                    if let Some(sent) = queue.iter().find(|s| s.id == id) {
                        let copy = InFlight {
                            shape: sent.shape.clone(),
                            id: next_flow,
                            track: sent.track,
                            ts: sent.ts,
                        };
                        self.next_flow += 1;
                        queue.push_back(copy);
                    }
                }
            }
            let track = self.track(line);
            self.instant(track, ts, "io", text);
        }
    }
}

/// `node 3 'db' created` as `(3, "db")`.
fn created(text: &str) -> Option<(u32, &str)> {
    let rest = text.strip_prefix("node ")?.strip_suffix("' created")?;
    let (id, name) = rest.split_once(" '")?;
    Some((id.parse().ok()?, name))
}

/// `10.0.0.1:80 -> 10.0.0.2:5000 (5 bytes)` as its addresses and the
/// parenthesis after them.
fn split_shape(rest: &str) -> (&str, &str) {
    rest.split_once(" (").unwrap_or((rest, ""))
}

/// The ip of the first `ip:port` word of a network event's text
/// (`tcp: 10.0.0.3:7000 queued ...`).
fn first_ip(text: &str) -> Option<&str> {
    if !(text.starts_with("net: ") || text.starts_with("tcp: ")) {
        return None;
    }
    text.split(' ').find_map(|word| {
        let (ip, port) = word.rsplit_once(':')?;
        port.parse::<u16>().ok()?;
        ip.parse::<std::net::Ipv4Addr>().ok()?;
        Some(ip)
    })
}

/// The ip of the `n`-th address (0: source, 1: destination) in
/// `10.0.0.1:80 -> 10.0.0.2:5000 (5 bytes)`.
fn ip_of(rest: &str, n: usize) -> Option<String> {
    let addrs = rest.split(" (").next()?;
    let addr = addrs.split(" -> ").nth(n)?;
    Some(addr.rsplit_once(':')?.0.to_owned())
}

/// The Chrome trace-event document of a trace's JSON lines. When the
/// trace limit dropped earlier events (a `trace-dropped` line), the first
/// event is a global instant saying so, at the first kept event's time,
/// and `otherData` counts them.
pub(crate) fn convert(lines: &[Value]) -> Value {
    let mut b = Builder {
        main_tid: 1 + lines
            .iter()
            .filter_map(|l| l["task"].as_u64())
            .max()
            .unwrap_or(0),
        ..Builder::default()
    };
    let mut dropped = 0;
    if let Some(notice) = lines.iter().find(|l| l["event"] == "trace-dropped") {
        dropped = notice["dropped"].as_u64().unwrap_or(0);
        let first = lines.iter().find(|l| l["event"] != "trace-dropped");
        let ts = first.and_then(|l| l["time_ns"].as_u64()).unwrap_or(0) as f64 / 1000.0;
        b.name_thread(0, 0, "simulation", "clock");
        b.events.push(json!({
            "ph": "i", "s": "g", "name": notice["line"], "cat": "detsim",
            "pid": 0, "tid": 0, "ts": ts,
        }));
    }
    let events = || lines.iter().filter(|l| l["event"] != "trace-dropped");
    b.lookahead = Lookahead::new(events());
    for (at, line) in events().enumerate() {
        b.at = at;
        b.line(line);
    }
    json!({
        "traceEvents": b.events,
        "displayTimeUnit": "ns",
        "otherData": {
            "source": "cargo detsim replay --trace",
            "time": "virtual",
            "dropped_events": dropped,
        },
    })
}

pub(crate) fn write(path: &Path, lines: &[Value]) -> Result<(), CliError> {
    let text = serde_json::to_string(&convert(lines)).unwrap_or_default();
    std::fs::write(path, text).map_err(|e| {
        CliError::new(format!(
            "cannot write --trace {}: {e}; give a path in a writable directory",
            path.display()
        ))
    })
}

#[cfg(test)]
mod tests;
