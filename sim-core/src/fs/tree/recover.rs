//! What a crash keeps of a directory that two durable listings name.
//!
//! # Algorithm
//!
//! With [`Namespace::Strict`](crate::fs::Namespace::Strict) each
//! directory's durable listing is written by its own sync, so a directory
//! renamed from one parent to another, with only one of the two synced
//! since (or both, at different times), can be in two durable listings
//! at once. For a file that is a second name, as the namespace's docs
//! say. For a directory it is a state no POSIX file system can be in
//! (one directory, two parents), and a second rename can then make a
//! cycle that no path from the root reaches and that a walk never
//! leaves.
//!
//! A journaling file system commits a rename whole, so after a crash the
//! directory is in exactly one place, the one its last committed rename
//! put it. The durable listing written last is the one that saw the last
//! rename, so recovery keeps, for each directory named by more than one
//! durable listing, the entry of the listing written last (ties: the
//! greatest parent inode, then name: any fixed order would do) and drops
//! the others. If the entry kept is cut off from the root (its parent
//! is itself only reachable through the directory: a cycle), the newest
//! entry whose parent the root reaches is kept instead, repeated until
//! no choice changes. Every switch attaches a directory to a parent the
//! root already reaches, so the reachable set only grows and the loop
//! ends. Directories still cut off are dropped with everything else the
//! root does not reach, as before.

use std::collections::{BTreeMap, BTreeSet};

use super::{Ino, ROOT, Tree};

/// A durable entry naming a directory: when its listing was last written,
/// the listing's directory, the name.
type Candidate = (u64, Ino, Box<str>);

impl Tree {
    /// Counts a write of `dir`'s durable listing (its sync, or an entry
    /// made durable), for [`one_parent_per_dir`](Self::one_parent_per_dir).
    pub(super) fn mark_written(&mut self, dir: Ino) {
        self.writes += 1;
        self.written.insert(dir, self.writes);
    }

    /// Leaves each directory in at most one durable listing (see the
    /// module documentation). Run first thing in a crash.
    pub(super) fn one_parent_per_dir(&mut self) {
        let mut named: BTreeMap<Ino, Vec<Candidate>> = BTreeMap::new();
        for (&parent, entries) in &self.ddirs {
            let written = self.written.get(&parent).copied().unwrap_or(0);
            for (name, &child) in entries {
                if self.is_dir(child) {
                    named
                        .entry(child)
                        .or_default()
                        .push((written, parent, name.clone()));
                }
            }
        }
        named.retain(|_, c| c.len() > 1);
        if named.is_empty() {
            return;
        }
        for c in named.values_mut() {
            c.sort_by(|a, b| b.cmp(a));
        }
        let mut chosen: BTreeMap<Ino, usize> = named.keys().map(|&d| (d, 0)).collect();
        loop {
            let reachable = self.reachable_with(&named, &chosen);
            let mut changed = false;
            for (&dir, candidates) in &named {
                if reachable.contains(&dir) {
                    continue;
                }
                let attached = candidates
                    .iter()
                    .position(|(_, parent, _)| reachable.contains(parent));
                if let Some(k) = attached {
                    chosen.insert(dir, k);
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        for (dir, candidates) in &named {
            let keep = chosen[dir];
            for (k, (_, parent, name)) in candidates.iter().enumerate() {
                if k != keep {
                    let entries = self.ddirs.get_mut(parent).expect("listed above");
                    entries.remove(name);
                }
            }
        }
    }

    /// The inodes the durable namespace reaches from the root, counting
    /// only the `chosen` entry of each directory in `named`.
    fn reachable_with(
        &self,
        named: &BTreeMap<Ino, Vec<Candidate>>,
        chosen: &BTreeMap<Ino, usize>,
    ) -> BTreeSet<Ino> {
        let mut reachable = BTreeSet::from([ROOT]);
        let mut stack = vec![ROOT];
        while let Some(d) = stack.pop() {
            let Some(entries) = self.ddirs.get(&d) else {
                continue;
            };
            for (name, &i) in entries {
                let counts = match named.get(&i) {
                    Some(c) => {
                        let (_, parent, kept) = &c[chosen[&i]];
                        *parent == d && kept == name
                    }
                    None => true,
                };
                if counts && reachable.insert(i) && self.is_dir(i) {
                    stack.push(i);
                }
            }
        }
        reachable
    }
}
