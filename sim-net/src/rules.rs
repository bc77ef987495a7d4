//! Fault rules: what happens to one datagram on a link, as a [`Verdict`].
//!
//! Pure logic over node ids and nanosecond times; the fabric asks for a
//! verdict when a datagram is sent. Order of decisions, each skipped when
//! it cannot matter: partition (no draw), loss (one draw), latency (one
//! draw unless constant), duplication (one draw, then a latency draw for
//! the copy). Clogs are not part of the verdict: the fabric asks
//! [`Rules::clogged_until`] when a datagram is sent and again when it is
//! due, so a clog also holds datagrams already on the wire, and ending it
//! early releases them.

use std::collections::{BTreeMap, BTreeSet};

use crate::config::{Latency, LinkConfig, happens};

/// Why a datagram was dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum DropReason {
    /// The link's loss rate.
    Loss = 1,
    /// A partition cuts the link.
    Partition = 2,
    /// No node has the destination address.
    NoHost = 3,
    /// The destination node is down.
    NodeDown = 4,
    /// Nothing is bound to the destination port (or a connected socket
    /// filtered the sender out).
    NoSocket = 5,
    /// The receiving socket's buffer is full.
    BufferFull = 6,
    /// A SYN found its listener's accept queue full (its backlog).
    AcceptQueueFull = 7,
}

/// What the fabric does with a datagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    Drop(DropReason),
    /// Deliver at `at` (nanoseconds), and a copy at `duplicate`.
    Deliver {
        at: u64,
        duplicate: Option<u64>,
    },
}

/// The network's fault state: the default link behaviour, per-link
/// overrides, cut links and clogs. Links are directed `(from, to)`.
#[derive(Debug)]
pub(crate) struct Rules {
    default: LinkConfig,
    /// The default's latency in nanoseconds when the default decides
    /// without a draw (constant latency, no loss, no duplication): the
    /// verdict's fast path while no link has its own config.
    quiet_latency: Option<u64>,
    links: BTreeMap<(u32, u32), LinkConfig>,
    cut: BTreeSet<(u32, u32)>,
    node_clogs: BTreeMap<u32, u64>,
    link_clogs: BTreeMap<(u32, u32), u64>,
    /// [`is_quiet`](Self::is_quiet), kept: every change of the rules
    /// recomputes it ([`refresh`](Self::refresh)), every segment reads it.
    quiet: bool,
    /// [`express_latency`](Self::express_latency), kept as `quiet` is
    /// (`0`: none).
    express: u64,
}

impl Default for Rules {
    fn default() -> Rules {
        let mut rules = Rules {
            default: LinkConfig::default(),
            quiet_latency: None,
            links: BTreeMap::new(),
            cut: BTreeSet::new(),
            node_clogs: BTreeMap::new(),
            link_clogs: BTreeMap::new(),
            quiet: true,
            express: 0,
        };
        rules.set_default(LinkConfig::default());
        rules
    }
}

/// A link's latency in nanoseconds if its verdict never draws.
fn quiet_latency(config: &LinkConfig) -> Option<u64> {
    let drawless = matches!(config.latency_dist(), Latency::Constant(_))
        && config.loss_rate() <= 0.0
        && config.duplicate_rate() <= 0.0;
    // A constant latency's sample ignores the draw.
    drawless.then(|| config.latency_dist().sample(&mut |_| 0))
}

impl Rules {
    /// The default link behaviour.
    pub(crate) fn default_config(&self) -> &LinkConfig {
        &self.default
    }

    pub(crate) fn set_default(&mut self, config: LinkConfig) {
        self.quiet_latency = quiet_latency(&config);
        self.default = config;
        self.refresh();
    }

    pub(crate) fn set_link(&mut self, a: u32, b: u32, config: Option<LinkConfig>) {
        for key in [(a, b), (b, a)] {
            match &config {
                Some(c) => self.links.insert(key, c.clone()),
                None => self.links.remove(&key),
            };
        }
        self.refresh();
    }

    pub(crate) fn link(&self, from: u32, to: u32) -> &LinkConfig {
        self.links.get(&(from, to)).unwrap_or(&self.default)
    }

    /// Cuts `from → to` (one way).
    pub(crate) fn cut(&mut self, from: u32, to: u32) {
        if from != to {
            self.cut.insert((from, to));
        }
        self.refresh();
    }

    /// Repairs both directions between `a` and `b`.
    pub(crate) fn heal(&mut self, a: u32, b: u32) {
        self.cut.remove(&(a, b));
        self.cut.remove(&(b, a));
        self.refresh();
    }

    pub(crate) fn heal_all(&mut self) {
        self.cut.clear();
        self.refresh();
    }

    /// Recomputes what is kept of the rules (see [`quiet`](Self::quiet)):
    /// the end of every change.
    fn refresh(&mut self) {
        self.quiet =
            self.cut.is_empty() && self.node_clogs.is_empty() && self.link_clogs.is_empty();
        self.express = match self.quiet_latency {
            Some(latency) if self.quiet && self.links.is_empty() => latency,
            _ => 0,
        };
    }

    /// No partition and no clog anywhere: every path an ACK could take is
    /// open (node liveness aside).
    #[inline]
    pub(crate) fn is_quiet(&self) -> bool {
        self.quiet
    }

    /// The latency of every link when sending needs no verdict, if it is
    /// not zero: no partition, no clog, no per-link rule, and a default
    /// link with a constant latency and no loss or duplication (see
    /// [`verdict`](Self::verdict), which then delivers after it without
    /// drawing).
    #[inline]
    pub(crate) fn express_latency(&self) -> Option<u64> {
        (self.express != 0).then_some(self.express)
    }

    pub(crate) fn is_cut(&self, from: u32, to: u32) -> bool {
        !self.cut.is_empty() && self.cut.contains(&(from, to))
    }

    /// Clogs everything in and out of `node` until `until` (keeps a later
    /// existing clog).
    pub(crate) fn clog_node(&mut self, node: u32, until: u64) {
        let e = self.node_clogs.entry(node).or_insert(until);
        *e = (*e).max(until);
        self.refresh();
    }

    pub(crate) fn unclog_node(&mut self, node: u32) {
        self.node_clogs.remove(&node);
        self.refresh();
    }

    /// Clogs `from → to` until `until`.
    pub(crate) fn clog_link(&mut self, from: u32, to: u32, until: u64) {
        let e = self.link_clogs.entry((from, to)).or_insert(until);
        *e = (*e).max(until);
        self.refresh();
    }

    pub(crate) fn unclog_link(&mut self, from: u32, to: u32) {
        self.link_clogs.remove(&(from, to));
        self.refresh();
    }

    /// Until when `from → to` is clogged, if it is clogged at `now`.
    /// Traffic within a node (`from == to`: loopback, or its own address)
    /// is never clogged: it skips the fault rules.
    pub(crate) fn clogged_until(&self, from: u32, to: u32, now: u64) -> Option<u64> {
        if from == to || (self.node_clogs.is_empty() && self.link_clogs.is_empty()) {
            return None;
        }
        let until = [
            self.node_clogs.get(&from),
            self.node_clogs.get(&to),
            self.link_clogs.get(&(from, to)),
        ]
        .into_iter()
        .flatten()
        .copied()
        .max()?;
        (until > now).then_some(until)
    }

    /// The verdict for a datagram sent `from → to` at `now`.
    #[inline]
    pub(crate) fn verdict(
        &self,
        from: u32,
        to: u32,
        now: u64,
        draw: &mut dyn FnMut(u64) -> u64,
    ) -> Verdict {
        if self.is_cut(from, to) {
            return Verdict::Drop(DropReason::Partition);
        }
        if let (Some(latency), true) = (self.quiet_latency, self.links.is_empty()) {
            // What the steps below decide for such a link, without them.
            return Verdict::Deliver {
                at: now.saturating_add(latency),
                duplicate: None,
            };
        }
        let link = self.link(from, to);
        if happens(link.loss_rate(), draw) {
            return Verdict::Drop(DropReason::Loss);
        }
        let at = now.saturating_add(link.latency_dist().sample(draw));
        let duplicate = happens(link.duplicate_rate(), draw)
            .then(|| now.saturating_add(link.latency_dist().sample(draw)));
        Verdict::Deliver { at, duplicate }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::config::Latency;

    const MS: u64 = 1_000_000;
    const MS_D: Duration = Duration::from_millis(1);

    fn zero(_: u64) -> u64 {
        0
    }

    #[test]
    fn the_default_delivers_after_a_millisecond_without_drawing() {
        let rules = Rules::default();
        let mut draws = 0;
        let v = rules.verdict(1, 2, 5, &mut |_| {
            draws += 1;
            0
        });
        assert_eq!(
            v,
            Verdict::Deliver {
                at: 5 + MS,
                duplicate: None
            }
        );
        assert_eq!(draws, 0);
    }

    #[test]
    fn partitions_are_directed_and_heal() {
        let mut rules = Rules::default();
        rules.cut(1, 2);
        assert_eq!(
            rules.verdict(1, 2, 0, &mut zero),
            Verdict::Drop(DropReason::Partition)
        );
        assert!(matches!(
            rules.verdict(2, 1, 0, &mut zero),
            Verdict::Deliver { .. }
        ));
        rules.cut(2, 1);
        rules.heal(2, 1);
        assert!(!rules.is_cut(1, 2) && !rules.is_cut(2, 1));
        rules.cut(3, 3);
        assert!(!rules.is_cut(3, 3), "a node is never cut from itself");
    }

    #[test]
    fn all_zero_draws_deliver_once_at_the_minimum() {
        let mut rules = Rules::default();
        rules.set_default(
            LinkConfig::new()
                .latency(Latency::uniform(
                    Duration::from_millis(2),
                    Duration::from_millis(8),
                ))
                .loss(0.5)
                .duplicate(0.5),
        );
        assert_eq!(
            rules.verdict(1, 2, 0, &mut zero),
            Verdict::Deliver {
                at: 2 * MS,
                duplicate: None
            }
        );
        // The highest draws: lost.
        assert_eq!(
            rules.verdict(1, 2, 0, &mut |b| b - 1),
            Verdict::Drop(DropReason::Loss)
        );
    }

    #[test]
    fn the_quiet_fast_path_decides_as_the_full_rules_do() {
        let configs = [
            LinkConfig::new(),
            LinkConfig::new().latency(Latency::constant(Duration::from_micros(7))),
            LinkConfig::new().loss(0.3),
            LinkConfig::new().duplicate(0.3),
            LinkConfig::new().latency(Latency::uniform(MS_D, 2 * MS_D)),
        ];
        for config in configs {
            let mut fast = Rules::default();
            fast.set_default(config.clone());
            // The same rules with the fast path off.
            let slow = Rules {
                default: config.clone(),
                quiet_latency: None,
                ..Rules::default()
            };
            for (from, to) in [(1, 2), (3, 1)] {
                let (mut a, mut b) = (Vec::new(), Vec::new());
                let got = fast.verdict(from, to, 10, &mut |n| {
                    a.push(n);
                    n / 2
                });
                let want = slow.verdict(from, to, 10, &mut |n| {
                    b.push(n);
                    n / 2
                });
                assert_eq!((got, a), (want, b), "{config:?}");
            }
            fast.cut(1, 2);
            assert_eq!(
                fast.verdict(1, 2, 0, &mut zero),
                Verdict::Drop(DropReason::Partition)
            );
        }
    }

    #[test]
    fn per_link_config_overrides_the_default_both_ways() {
        let mut rules = Rules::default();
        rules.set_link(1, 2, Some(LinkConfig::new().loss(1.0)));
        for (a, b) in [(1, 2), (2, 1)] {
            assert_eq!(
                rules.verdict(a, b, 0, &mut zero),
                Verdict::Drop(DropReason::Loss)
            );
        }
        assert!(matches!(
            rules.verdict(1, 3, 0, &mut zero),
            Verdict::Deliver { .. }
        ));
        rules.set_link(2, 1, None);
        assert!(matches!(
            rules.verdict(1, 2, 0, &mut zero),
            Verdict::Deliver { .. }
        ));
    }

    #[test]
    fn clogs_cover_a_node_both_ways_or_one_link_one_way() {
        let mut rules = Rules::default();
        rules.clog_node(2, 50 * MS);
        rules.clog_node(2, 10 * MS); // an earlier end keeps the later one
        assert_eq!(rules.clogged_until(1, 2, 0), Some(50 * MS));
        assert_eq!(rules.clogged_until(2, 1, 0), Some(50 * MS));
        assert_eq!(rules.clogged_until(3, 2, 49 * MS), Some(50 * MS));
        assert_eq!(rules.clogged_until(3, 2, 50 * MS), None);
        rules.unclog_node(2);
        rules.clog_link(1, 2, 7 * MS);
        assert_eq!(rules.clogged_until(1, 2, 0), Some(7 * MS));
        assert_eq!(rules.clogged_until(2, 1, 0), None, "one direction");
        rules.unclog_link(1, 2);
        assert_eq!(rules.clogged_until(1, 2, 0), None);
    }

    /// What `is_quiet` and `express_latency` keep is what the rules say
    /// after every kind of change.
    #[test]
    fn the_kept_flags_follow_every_change() {
        let check = |r: &Rules| {
            let quiet = r.cut.is_empty() && r.node_clogs.is_empty() && r.link_clogs.is_empty();
            assert_eq!(r.is_quiet(), quiet);
            let express = if quiet && r.links.is_empty() {
                r.quiet_latency.filter(|&l| l > 0)
            } else {
                None
            };
            assert_eq!(r.express_latency(), express);
        };
        let mut r = Rules::default();
        check(&r);
        assert_eq!(r.express_latency(), Some(MS));
        let changes: [&dyn Fn(&mut Rules); 12] = [
            &|r| r.cut(1, 2),
            &|r| r.heal(2, 1),
            &|r| r.cut(3, 4),
            &|r| r.heal_all(),
            &|r| r.clog_node(2, MS),
            &|r| r.unclog_node(2),
            &|r| r.clog_link(1, 2, MS),
            &|r| r.unclog_link(1, 2),
            &|r| r.set_link(1, 2, Some(LinkConfig::new())),
            &|r| r.set_link(1, 2, None),
            &|r| r.set_default(LinkConfig::new().latency(Latency::constant(Duration::ZERO))),
            &|r| r.set_default(LinkConfig::new().loss(0.5)),
        ];
        for change in changes {
            change(&mut r);
            check(&r);
        }
        r.set_default(LinkConfig::new());
        check(&r);
        assert_eq!(r.express_latency(), Some(MS));
    }
}
