//! Per-link counters of one simulation's network, by (sending node,
//! receiving node).
//!
//! Every datagram and segment bumps a counter when it is sent and again
//! when it is delivered or dropped, so the lookup is on the hot path. Node
//! ids are dense and small, so the table is a grid indexed by the two ids
//! (an index, not a search), grown as nodes appear. Traffic addressed to
//! no node counts on the receiver [`NOWHERE`], kept in a column of its
//! own. Iteration yields the links in `(from, to)` order, [`NOWHERE`] last
//! for each sender: the order a map keyed by `(from, to)` would give.

use crate::stats::LinkStats;

/// The receiver of traffic to an address no node has.
pub(crate) const NOWHERE: u32 = u32::MAX;

/// A sender's row: its links to each node, then to nowhere.
#[derive(Debug, Default)]
struct Row {
    to: Vec<Option<LinkStats>>,
    nowhere: Option<LinkStats>,
}

/// The counters of every link that carried traffic.
#[derive(Debug, Default)]
pub(crate) struct LinkTable {
    rows: Vec<Row>,
}

impl LinkTable {
    /// The counters of link `from → to` (created, zeroed, on first use).
    #[inline]
    pub(crate) fn get_mut(&mut self, from: u32, to: u32) -> &mut LinkStats {
        let (from, to) = (from as usize, to);
        if from >= self.rows.len() {
            self.rows.resize_with(from + 1, Row::default);
        }
        let row = &mut self.rows[from];
        let cell = if to == NOWHERE {
            &mut row.nowhere
        } else {
            let to = to as usize;
            if to >= row.to.len() {
                row.to.resize(to + 1, None);
            }
            &mut row.to[to]
        };
        cell.get_or_insert_with(LinkStats::default)
    }

    /// Every link that carried traffic, in `(from, to)` order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = ((u32, u32), &LinkStats)> {
        self.rows.iter().enumerate().flat_map(|(from, row)| {
            let from = from as u32;
            let to = row
                .to
                .iter()
                .enumerate()
                .filter_map(move |(to, s)| Some(((from, to as u32), s.as_ref()?)));
            to.chain(row.nowhere.as_ref().map(|s| ((from, NOWHERE), s)))
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn counts_per_link_and_iterates_in_key_order() {
        let mut table = LinkTable::default();
        let mut map = BTreeMap::<(u32, u32), LinkStats>::new();
        let traffic = [
            (2, 0),
            (0, 3),
            (2, NOWHERE),
            (0, 3),
            (1, 1),
            (5, NOWHERE),
            (2, 1),
        ];
        for (i, &(from, to)) in traffic.iter().enumerate() {
            table.get_mut(from, to).sent += i as u64 + 1;
            map.entry((from, to)).or_default().sent += i as u64 + 1;
        }
        table.get_mut(0, 3).dropped += 1;
        map.entry((0, 3)).or_default().dropped += 1;
        let got: Vec<_> = table.iter().map(|(k, s)| (k, *s)).collect();
        let want: Vec<_> = map.iter().map(|(k, s)| (*k, *s)).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn an_unused_table_has_no_links() {
        let mut table = LinkTable::default();
        assert_eq!(table.iter().count(), 0);
        let _ = table.get_mut(3, 4);
        assert_eq!(table.iter().map(|(k, _)| k).collect::<Vec<_>>(), [(3, 4)]);
    }
}
