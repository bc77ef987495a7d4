//! Per-link counters of one simulation's network, by (sending node,
//! receiving node).
//!
//! Every datagram and segment bumps a counter when it is sent and again
//! when it is delivered or dropped, so the lookup is on the hot path. Node
//! ids are dense and small, so the table is a grid indexed by the two ids
//! (an index, not a search), grown as nodes appear, whose cells number the
//! links in a flat vector of counters. A link's number never changes, so
//! a connection end keeps the number of its outgoing link
//! ([`LinkTable::link`]) and its express sends and deliveries count with
//! one index ([`LinkTable::at`]). Traffic addressed to no node counts on
//! the receiver [`NOWHERE`], kept in a column of its own. Iteration yields
//! the links in `(from, to)` order, [`NOWHERE`] last for each sender: the
//! order a map keyed by `(from, to)` would give.

use crate::stats::LinkStats;

/// The receiver of traffic to an address no node has.
pub(crate) const NOWHERE: u32 = u32::MAX;

/// A cell of the grid with no link (no traffic yet).
const NONE: u32 = u32::MAX;

/// A sender's row: the numbers of its links to each node, then to
/// nowhere ([`NONE`] where there is none).
#[derive(Debug)]
struct Row {
    to: Vec<u32>,
    nowhere: u32,
}

impl Default for Row {
    fn default() -> Row {
        Row {
            to: Vec::new(),
            nowhere: NONE,
        }
    }
}

/// The counters of every link that carried traffic.
#[derive(Debug, Default)]
pub(crate) struct LinkTable {
    rows: Vec<Row>,
    /// Each link's counters, by its number.
    stats: Vec<LinkStats>,
}

impl LinkTable {
    /// The counters of link `from → to` (created, zeroed, on first use).
    #[inline]
    pub(crate) fn get_mut(&mut self, from: u32, to: u32) -> &mut LinkStats {
        let i = self.link(from, to);
        &mut self.stats[i as usize]
    }

    /// The number of link `from → to` (created, its counters zeroed, on
    /// first use), for [`at`](Self::at).
    #[inline]
    pub(crate) fn link(&mut self, from: u32, to: u32) -> u32 {
        let from = from as usize;
        if from >= self.rows.len() {
            self.rows.resize_with(from + 1, Row::default);
        }
        let row = &mut self.rows[from];
        let cell = if to == NOWHERE {
            &mut row.nowhere
        } else {
            let to = to as usize;
            if to >= row.to.len() {
                row.to.resize(to + 1, NONE);
            }
            &mut row.to[to]
        };
        if *cell == NONE {
            *cell = u32::try_from(self.stats.len()).expect("fewer than 2^32 links");
            self.stats.push(LinkStats::default());
        }
        *cell
    }

    /// The counters of link number `i` (from [`link`](Self::link)).
    #[inline]
    pub(crate) fn at(&mut self, i: u32) -> &mut LinkStats {
        &mut self.stats[i as usize]
    }

    /// Every link that carried traffic, in `(from, to)` order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = ((u32, u32), &LinkStats)> {
        self.rows.iter().enumerate().flat_map(move |(from, row)| {
            let from = from as u32;
            let to = row
                .to
                .iter()
                .enumerate()
                .filter(|&(_, &i)| i != NONE)
                .map(move |(to, &i)| ((from, to as u32), &self.stats[i as usize]));
            let nowhere =
                (row.nowhere != NONE).then(|| ((from, NOWHERE), &self.stats[row.nowhere as usize]));
            to.chain(nowhere)
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
    fn a_link_keeps_its_number_as_others_appear() {
        let mut table = LinkTable::default();
        let a = table.link(1, 2);
        table.at(a).sent += 1;
        for (from, to) in [(0, 0), (5, 7), (1, NOWHERE), (9, 1), (1, 3)] {
            table.get_mut(from, to).sent += 10;
        }
        assert_eq!(table.link(1, 2), a);
        table.at(a).delivered += 1;
        assert_eq!(table.get_mut(1, 2).sent, 1);
        assert_eq!(table.get_mut(1, 2).delivered, 1);
        assert_eq!(table.iter().count(), 6);
    }

    #[test]
    fn an_unused_table_has_no_links() {
        let mut table = LinkTable::default();
        assert_eq!(table.iter().count(), 0);
        let _ = table.get_mut(3, 4);
        assert_eq!(table.iter().map(|(k, _)| k).collect::<Vec<_>>(), [(3, 4)]);
    }
}
