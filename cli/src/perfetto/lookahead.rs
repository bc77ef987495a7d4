//! Which in-flight send a drop on arrival took, from what comes later in
//! the trace.
//!
//! A drop on arrival (`net: drop ... (node down)`, nothing bound, a full
//! receive buffer) names its addresses and reason, not the message:
//! sim-net's drop event carries no length or sequence number, and adding
//! them would change every fingerprint. When the messages between one
//! address pair were reordered, the oldest send in flight is not
//! necessarily the one dropped. But the rest of the trace tells: a send
//! whose delivery comes later was not dropped. A send is identified by its
//! addresses and shape (length and sequence number, or a datagram's
//! number); a later delivery of that shape, before the shape is sent
//! again, must be of a send in flight now. So the drop took a send of the
//! first shape (oldest first) with more sends in flight than such
//! deliveries to come, and of those the oldest (first in, first out, as
//! deliveries are matched). Exact whenever the sends in flight on the pair
//! have different shapes, as they do: TCP segments differ in sequence
//! number (and a retransmission is a new send), datagrams in number (both
//! modulo 65,536). Equal shapes, in traces of older versions without
//! datagram numbers, take the oldest.

use std::collections::{BTreeMap, VecDeque};

use serde_json::Value;

use super::{InFlight, split_shape};

/// The sends and deliveries of the trace by address pair and shape.
#[derive(Default)]
pub(super) struct Lookahead {
    /// "src -> dst" -> shape -> the lines (their index) that send or
    /// deliver it, in order, each with whether it is a delivery.
    events: BTreeMap<String, BTreeMap<String, Vec<(usize, bool)>>>,
}

impl Lookahead {
    /// Indexes `lines` (the trace's event lines, numbered as they are
    /// converted).
    pub(super) fn new<'a>(lines: impl Iterator<Item = &'a Value>) -> Lookahead {
        let mut events: BTreeMap<String, BTreeMap<String, Vec<(usize, bool)>>> = BTreeMap::new();
        for (i, line) in lines.enumerate() {
            if line["kind"] != "io" {
                continue;
            }
            let text = line["text"].as_str().unwrap_or_default();
            let (rest, delivery) = match text.strip_prefix("net: send ") {
                Some(rest) => (rest, false),
                None => match text.strip_prefix("net: deliver ") {
                    Some(rest) => (rest, true),
                    None => continue,
                },
            };
            let (pair, shape) = split_shape(rest);
            events
                .entry(pair.to_owned())
                .or_default()
                .entry(shape.to_owned())
                .or_default()
                .push((i, delivery));
        }
        Lookahead { events }
    }

    /// How many deliveries of `shape` on `pair` come after line `at` and
    /// before the next send of it.
    fn claimed(&self, pair: &str, shape: &str, at: usize) -> usize {
        let Some(list) = self.events.get(pair).and_then(|p| p.get(shape)) else {
            return 0;
        };
        let from = list.partition_point(|&(i, _)| i <= at);
        list[from..].iter().take_while(|&&(_, d)| d).count()
    }

    /// The position in `queue` (the sends in flight on `pair`, oldest
    /// first) of the send that a drop on arrival at line `at` took.
    pub(super) fn dropped(&self, pair: &str, queue: &VecDeque<InFlight>, at: usize) -> usize {
        // shape -> (sends in flight so far, deliveries to come).
        let mut seen: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
        for s in queue {
            let (sends, claims) = seen
                .entry(&s.shape)
                .or_insert_with(|| (0, self.claimed(pair, &s.shape, at)));
            *sends += 1;
            if *sends > *claims {
                return queue.iter().position(|o| o.shape == s.shape).unwrap_or(0);
            }
        }
        0
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::super::convert;

    /// The converted trace's arrows as (start µs, end µs), in delivery
    /// order, checking each start and end share their id.
    fn arrows(lines: &[Value]) -> Vec<(f64, f64)> {
        let doc = convert(lines);
        let events = doc["traceEvents"].as_array().unwrap();
        let starts: Vec<_> = events.iter().filter(|e| e["ph"] == "s").collect();
        let ends: Vec<_> = events.iter().filter(|e| e["ph"] == "f").collect();
        assert_eq!(starts.len(), ends.len());
        starts
            .iter()
            .zip(&ends)
            .map(|(s, f)| {
                assert_eq!(s["id"], f["id"]);
                (s["ts"].as_f64().unwrap(), f["ts"].as_f64().unwrap())
            })
            .collect()
    }

    /// Nodes a (10.0.0.1) and b (10.0.0.2), then `net` lines at their
    /// time in ms: sends from a's task 1, the rest outside any task.
    fn trace(net: &[(u64, &str)]) -> Vec<Value> {
        let line = |t: u64, node: Option<&str>, task: Option<u64>, kind: &str, text: &str| {
            json!({ "time_ns": t, "node": node, "task": task, "task_name": null,
                    "kind": kind, "text": text })
        };
        let mut lines = vec![
            line(0, Some("a"), Some(0), "node", "node 0 'a' created"),
            line(0, Some("a"), Some(0), "node", "node 1 'b' created"),
        ];
        for &(ms, text) in net {
            let t = ms * 1_000_000;
            lines.push(if text.starts_with("net: send") {
                line(t, Some("a"), Some(1), "io", text)
            } else {
                line(t, None, None, "io", text)
            });
        }
        lines
    }

    #[test]
    fn a_drop_on_arrival_takes_the_reordered_send_not_the_oldest() {
        // The 7-byte datagram overtakes the 5-byte one and finds nothing
        // bound; the 5-byte one arrives after the bind.
        let lines = trace(&[
            (1, "net: send 10.0.0.1:9 -> 10.0.0.2:7 (5 bytes)"),
            (2, "net: send 10.0.0.1:9 -> 10.0.0.2:7 (7 bytes)"),
            (3, "net: drop 10.0.0.1:9 -> 10.0.0.2:7 (nothing bound)"),
            (4, "net: deliver 10.0.0.1:9 -> 10.0.0.2:7 (5 bytes)"),
        ]);
        assert_eq!(arrows(&lines), [(1000.0, 4000.0)]);
    }

    #[test]
    fn a_retransmitted_segment_s_arrow_starts_at_its_retransmission() {
        // Segment 2 overtakes segment 1 and finds b down; segment 1
        // arrives after the restart, segment 2 is sent again and arrives.
        let lines = trace(&[
            (1, "net: send 10.0.0.1:9 -> 10.0.0.2:7 (5 bytes, seq 1)"),
            (2, "net: send 10.0.0.1:9 -> 10.0.0.2:7 (5 bytes, seq 2)"),
            (3, "net: drop 10.0.0.1:9 -> 10.0.0.2:7 (node down)"),
            (4, "net: deliver 10.0.0.1:9 -> 10.0.0.2:7 (5 bytes, seq 1)"),
            (5, "net: send 10.0.0.1:9 -> 10.0.0.2:7 (5 bytes, seq 2)"),
            (6, "net: deliver 10.0.0.1:9 -> 10.0.0.2:7 (5 bytes, seq 2)"),
        ]);
        assert_eq!(arrows(&lines), [(1000.0, 4000.0), (5000.0, 6000.0)]);
    }

    #[test]
    fn among_sends_of_one_shape_in_order_a_drop_takes_the_oldest() {
        // A full receive buffer drops the first of three equal datagrams.
        let lines = trace(&[
            (1, "net: send 10.0.0.1:9 -> 10.0.0.2:7 (5 bytes)"),
            (2, "net: send 10.0.0.1:9 -> 10.0.0.2:7 (5 bytes)"),
            (3, "net: send 10.0.0.1:9 -> 10.0.0.2:7 (5 bytes)"),
            (
                4,
                "net: drop 10.0.0.1:9 -> 10.0.0.2:7 (receive buffer full)",
            ),
            (5, "net: deliver 10.0.0.1:9 -> 10.0.0.2:7 (5 bytes)"),
            (6, "net: deliver 10.0.0.1:9 -> 10.0.0.2:7 (5 bytes)"),
        ]);
        assert_eq!(arrows(&lines), [(2000.0, 5000.0), (3000.0, 6000.0)]);
    }

    #[test]
    fn a_drop_with_every_send_claimed_takes_the_oldest() {
        // A trace cut by its limit can lack a send: nothing panics.
        let lines = trace(&[
            (1, "net: send 10.0.0.1:9 -> 10.0.0.2:7 (5 bytes)"),
            (2, "net: drop 10.0.0.1:9 -> 10.0.0.2:7 (node down)"),
            (3, "net: deliver 10.0.0.1:9 -> 10.0.0.2:7 (5 bytes)"),
            (4, "net: drop 10.0.0.1:9 -> 10.0.0.2:7 (node down)"),
        ]);
        assert!(arrows(&lines).is_empty());
    }
}
