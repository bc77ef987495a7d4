//! A run's trace as Chrome trace-event JSON, which Perfetto
//! (<https://ui.perfetto.dev>) and `chrome://tracing` open.
//!
//! - a process per node (pid 1, 2, ... in order of appearance) and pid 0,
//!   "simulation", for events outside any node (the clock);
//! - a thread (track) per task, tid = task id + 1; tid 0 of a node is its
//!   "network" track, where deliveries land;
//! - each poll is a complete ("X") slice. A poll takes no virtual time, so
//!   slices get a nominal width of 1 µs at their virtual start time;
//! - spawns, finishes, timers firing, node kills/restarts/pauses,
//!   `buggify!` fires, assertions and network faults (drops, resets) are
//!   instant ("i") events; draws are left out (they are most of a trace
//!   and `--log` shows them);
//! - each network send is a 1 µs "send" slice on the sending task's track,
//!   and its delivery a "deliver" slice on the receiving node's network
//!   track, joined by a flow ("s" then "f") arrow. Sends and deliveries are
//!   matched first-in first-out by their addresses and length. A node's
//!   address is sim-net's (node id n has 10.0.0.0 + n + 1, read from the
//!   "node n 'name' created" lines) or learnt from what it sends.
//!
//! Timestamps are virtual time in microseconds.

use std::collections::{BTreeMap, VecDeque};
use std::path::Path;

use serde_json::{Value, json};

use crate::error::CliError;

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
    /// "src -> dst (len ...)" -> flow ids of sends not yet delivered.
    in_flight: BTreeMap<String, VecDeque<u64>>,
    next_flow: u64,
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
        let pid = self.pids.len() as u64 + 1;
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
    /// else the simulation's.
    fn track(&mut self, line: &Value) -> (u64, u64) {
        let pid = self.pid(line["node"].as_str());
        match line["task"].as_u64() {
            Some(task) if pid != 0 => {
                let name = match line["task_name"].as_str() {
                    Some(n) => format!("task {task} '{n}'"),
                    None => format!("task {task}"),
                };
                self.name_thread(pid, task + 1, "", &name);
                (pid, task + 1)
            }
            _ => {
                if pid != 0 {
                    self.name_thread(pid, 0, "", "network");
                }
                (pid, 0)
            }
        }
    }

    fn slice(&mut self, (pid, tid): (u64, u64), ts: f64, name: &str, text: &str) {
        self.events.push(json!({
            "ph": "X", "name": name, "cat": "detsim", "pid": pid, "tid": tid,
            "ts": ts, "dur": POLL_US, "args": { "event": text },
        }));
    }

    fn instant(&mut self, (pid, tid): (u64, u64), ts: f64, cat: &str, text: &str) {
        self.events.push(json!({
            "ph": "i", "s": "t", "name": text, "cat": cat, "pid": pid, "tid": tid, "ts": ts,
        }));
    }

    fn line(&mut self, line: &Value) {
        let ts = line["time_ns"].as_u64().unwrap_or(0) as f64 / 1000.0;
        let text = line["text"].as_str().unwrap_or_default();
        let kind = line["kind"].as_str().unwrap_or_default();
        match kind {
            "draw" => {}
            "poll" => {
                let track = self.track(line);
                self.slice(track, ts, "poll", text);
            }
            "io" => self.io(line, ts, text),
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

    fn io(&mut self, line: &Value, ts: f64, text: &str) {
        if let Some(rest) = text.strip_prefix("net: send ") {
            let track = self.track(line);
            if let (Some(node), Some(src)) = (line["node"].as_str(), ip_of(rest, 0)) {
                self.ips.insert(src, node.to_owned());
            }
            let id = self.next_flow;
            self.next_flow += 1;
            self.in_flight
                .entry(rest.to_owned())
                .or_default()
                .push_back(id);
            self.slice(track, ts, "send", text);
            self.events.push(json!({
                "ph": "s", "name": "message", "cat": "net", "id": id,
                "pid": track.0, "tid": track.1, "ts": ts,
            }));
        } else if let Some(rest) = text.strip_prefix("net: deliver ") {
            let node = ip_of(rest, 1).and_then(|ip| self.ips.get(&ip).cloned());
            let pid = self.pid(node.as_deref());
            if pid != 0 {
                self.name_thread(pid, 0, "", "network");
            }
            self.slice((pid, 0), ts, "deliver", text);
            if let Some(id) = self.in_flight.get_mut(rest).and_then(VecDeque::pop_front) {
                self.events.push(json!({
                    "ph": "f", "bp": "e", "name": "message", "cat": "net", "id": id,
                    "pid": pid, "tid": 0, "ts": ts,
                }));
            }
        } else {
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
    let mut b = Builder::default();
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
    for line in lines.iter().filter(|l| l["event"] != "trace-dropped") {
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
mod tests {
    use super::*;

    fn line(t: u64, node: Option<&str>, task: Option<u64>, kind: &str, text: &str) -> Value {
        json!({ "time_ns": t, "node": node, "task": task, "task_name": null,
                "kind": kind, "text": text })
    }

    #[test]
    fn dropped_events_are_said_first() {
        let notice = "... 7 earlier events dropped; raise trace_limit";
        let doc = convert(&[
            json!({ "event": "trace-dropped", "dropped": 7, "line": notice }),
            line(3000, Some("a"), Some(1), "poll", "poll"),
        ]);
        let events = doc["traceEvents"].as_array().unwrap();
        let first = events.iter().find(|e| e["ph"] != "M").unwrap();
        assert_eq!(first["name"], notice);
        assert_eq!(
            (first["s"].as_str(), first["ts"].as_f64()),
            (Some("g"), Some(3.0))
        );
        assert_eq!(doc["otherData"]["dropped_events"], 7);
        assert_eq!(events.iter().filter(|e| e["ph"] == "X").count(), 1);
    }

    #[test]
    fn sends_and_deliveries_are_joined_by_flows() {
        let doc = convert(&[
            line(0, Some("main"), Some(0), "node", "node 3 'c' created"),
            line(0, Some("a"), Some(1), "poll", "poll"),
            line(
                0,
                Some("a"),
                Some(1),
                "io",
                "net: send 10.0.0.1:9 -> 10.0.0.2:7 (3 bytes)",
            ),
            line(
                0,
                Some("b"),
                Some(2),
                "io",
                "net: send 10.0.0.2:7 -> 10.0.0.1:9 (1 bytes)",
            ),
            line(
                5000,
                None,
                None,
                "io",
                "net: deliver 10.0.0.1:9 -> 10.0.0.2:7 (3 bytes)",
            ),
            line(
                6000,
                Some("a"),
                Some(1),
                "io",
                "net: send 10.0.0.1:9 -> 10.0.0.4:1 (2 bytes)",
            ),
            line(
                7000,
                None,
                None,
                "io",
                "net: deliver 10.0.0.1:9 -> 10.0.0.4:1 (2 bytes)",
            ),
            line(5000, None, None, "clock", "clock: 1 timer fired"),
        ]);
        let events = doc["traceEvents"].as_array().unwrap();
        let start = events.iter().find(|e| e["ph"] == "s").unwrap();
        let end = events.iter().find(|e| e["ph"] == "f").unwrap();
        assert_eq!(start["id"], end["id"]);
        // Node main is pid 1, a pid 2 (task 1 on tid 2), b pid 3.
        assert_eq!(
            (start["pid"].as_u64(), start["tid"].as_u64()),
            (Some(2), Some(2))
        );
        // Delivered to node b, learnt from b's own send.
        assert_eq!(end["pid"], 3);
        assert_eq!(end["ts"], 5.0);
        assert_eq!(events.iter().filter(|e| e["ph"] == "f").count(), 2);
        // Node 3's address is 10.0.0.4, by sim-net's addressing.
        let to_c = events.iter().filter(|e| e["ph"] == "f").nth(1).unwrap();
        let c = events
            .iter()
            .find(|e| e["ph"] == "M" && e["args"]["name"] == "node c")
            .unwrap();
        assert_eq!(to_c["pid"], c["pid"]);
        let clock = events.iter().find(|e| e["cat"] == "clock").unwrap();
        assert_eq!(clock["pid"], 0);
    }
}
