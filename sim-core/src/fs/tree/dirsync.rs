//! A directory sync in time proportional to what changed.
//!
//! `fsync` on a directory makes its live listing durable. Copying the
//! whole listing each time made a spool directory (create a file, sync
//! the directory, for each of n files) cost O(n²). Instead the tree keeps,
//! per directory, the names whose live entry may differ from the durable
//! one ([`Unsynced`]): every change of a live entry adds its name, and
//! whatever makes that entry durable on its own (the relaxed namespace, a
//! journal commit) takes it out. A sync then writes only those names.
//!
//! The result is the same durable listing the copy gave, with the same
//! link counts: the names left out have equal live and durable entries.
//! A directory never synced yet (no durable listing), or whose list grew
//! past the size of its two listings, is copied whole, as before; a
//! directory whose sync once failed keeps its own rule (see the `views`
//! of [`Tree`]).

use std::collections::BTreeSet;

use super::{Dir, Ino, Tree};

/// The names of one directory whose live and durable entries may differ.
#[derive(Debug, Default)]
pub(super) enum Unsynced {
    /// None (the live and durable listings are equal).
    #[default]
    None,
    /// Only these.
    Names(BTreeSet<Box<str>>),
    /// Any: the list outgrew the listings (many names made and removed
    /// again), so the next sync copies the whole listing.
    All,
}

impl Tree {
    /// The live entry `name` of `dir` changed.
    pub(super) fn note_unsynced(&mut self, dir: Ino, name: &str) {
        let entry = self.unsynced.entry(dir).or_default();
        let names = match entry {
            Unsynced::All => return,
            Unsynced::None => {
                *entry = Unsynced::Names(BTreeSet::new());
                match entry {
                    Unsynced::Names(n) => n,
                    _ => unreachable!("just set"),
                }
            }
            Unsynced::Names(n) => n,
        };
        if !names.contains(name) {
            names.insert(name.into());
        }
        // Bounded by the listings: a sync of this many names costs a copy.
        let bound =
            self.dirs.get(&dir).map_or(0, Dir::len) + self.ddirs.get(&dir).map_or(0, Dir::len) + 64;
        if names.len() > bound {
            *entry = Unsynced::All;
        }
    }

    /// The entry `name` of `dir` was made durable as it is live.
    pub(super) fn note_synced(&mut self, dir: Ino, name: &str) {
        if let Some(Unsynced::Names(names)) = self.unsynced.get_mut(&dir) {
            names.remove(name);
        }
    }

    /// Makes `dir`'s live listing durable, which has a durable listing
    /// already and no view (see [`Tree::sync_dir`]). `false` (nothing
    /// done) when it must be copied whole instead.
    pub(super) fn sync_unsynced(&mut self, dir: Ino) -> bool {
        let names = match self.unsynced.remove(&dir) {
            None | Some(Unsynced::None) => BTreeSet::new(),
            Some(Unsynced::Names(names)) => names,
            Some(Unsynced::All) => return false,
        };
        let (Some(live), Some(durable)) = (self.dirs.get(&dir), self.ddirs.get_mut(&dir)) else {
            return false;
        };
        // As the copy did: every new entry counts before any old one is
        // released (an inode renamed within the directory is both).
        let mut dropped = Vec::new();
        for name in names {
            let new = live.get(&name).copied();
            let old = match new {
                Some(i) => durable.insert(name, i),
                None => durable.remove(&name),
            };
            if old == new {
                continue;
            }
            if let Some(i) = new {
                self.inodes.get_mut(&i).expect("a live inode").dlinks += 1;
            }
            dropped.extend(old);
        }
        self.mark_written(dir);
        for i in dropped {
            self.drop_dlink(i);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::Path;

    use super::super::{Kind, OpenMode, ROOT};
    use super::*;
    use crate::fs::config::Namespace;
    use crate::fs::path::SimPath;

    fn path(s: &str) -> SimPath {
        SimPath::parse(Path::new(s)).unwrap()
    }

    /// What a sync must leave, checked after every operation: each
    /// directory's durable link count is the number of durable entries
    /// naming it, and the names whose live and durable entries differ are
    /// among its unsynced names (or it is copied whole at its next sync).
    fn check(t: &Tree) {
        let mut dlinks: BTreeMap<Ino, u32> = BTreeMap::from([(ROOT, 1)]);
        for entries in t.ddirs.values() {
            for &i in entries.values() {
                *dlinks.entry(i).or_default() += 1;
            }
        }
        for (&i, inode) in &t.inodes {
            assert_eq!(
                inode.dlinks,
                dlinks.get(&i).copied().unwrap_or(0),
                "inode {i}"
            );
        }
        for (dir, live) in &t.dirs {
            let (Some(durable), false) = (t.ddirs.get(dir), t.views.contains_key(dir)) else {
                continue;
            };
            let differ: BTreeSet<&str> = live
                .iter()
                .filter(|&(n, i)| durable.get(n) != Some(i))
                .map(|(n, _)| &**n)
                .chain(
                    durable
                        .keys()
                        .filter(|&n| !live.contains_key(n))
                        .map(|n| &**n),
                )
                .collect();
            match t.unsynced.get(dir) {
                Some(Unsynced::All) => {}
                Some(Unsynced::Names(names)) => {
                    for n in differ {
                        assert!(names.contains(n), "dir {dir}: {n} differs, not listed");
                    }
                }
                _ => assert!(
                    differ.is_empty(),
                    "dir {dir}: {differ:?} differ, none listed"
                ),
            }
        }
    }

    /// A xorshift generator (the test's own, fixed).
    struct Gen(u64);
    impl Gen {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n
        }
    }

    #[test]
    fn a_sync_writes_exactly_what_a_whole_copy_would() {
        let clock = sim_clock::Clock::new();
        let _in_sim = clock.enter();
        for seed in 1..40u64 {
            let mut g = Gen(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
            let mut t = Tree::default();
            let create = OpenMode {
                write: true,
                create: true,
                ..OpenMode::default()
            };
            for _ in 0..400 {
                let (d, e) = (g.below(3), g.below(3));
                let (f, h) = (g.below(6), g.below(6));
                let file = format!("/d{d}/f{f}");
                let _ = match g.below(12) {
                    0 => t.mkdir(&path(&format!("/d{d}"))),
                    1..=3 => t
                        .open(&path(&file), create, false)
                        .map(|i| t.close_handle(i)),
                    4 => t.unlink(&path(&file)),
                    5 => t.rename(&path(&file), &path(&format!("/d{e}/f{h}"))),
                    6 => t
                        .link(&path(&file), &path(&format!("/d{e}/f{h}")), None)
                        .map(drop),
                    7 => t.rmdir(&path(&format!("/d{d}")), true),
                    8 | 9 => {
                        let dir = if d == 0 {
                            Ok(ROOT)
                        } else {
                            t.lookup(&path(&format!("/d{d}")))
                        };
                        dir.map(|i| t.sync_dir(i))
                    }
                    10 => {
                        let modes = [Namespace::Strict, Namespace::Relaxed, Namespace::Journal];
                        t.set_namespace(modes[g.below(3) as usize]);
                        t.commit();
                        Ok(())
                    }
                    _ => {
                        if g.below(4) == 0 {
                            t.crash(512, &mut |_| Vec::new());
                        }
                        Ok(())
                    }
                };
                check(&t);
                // The durable listing after a sync is the live one.
                if let Ok(dir) = t.lookup(&path(&format!("/d{d}"))) {
                    if matches!(t.inodes[&dir].kind, Kind::Dir) && !t.views.contains_key(&dir) {
                        t.sync_dir(dir);
                        assert_eq!(t.ddirs.get(&dir), t.dirs.get(&dir), "seed {seed}");
                        check(&t);
                    }
                }
            }
        }
    }

    #[test]
    fn names_made_and_removed_many_times_are_bounded() {
        let clock = sim_clock::Clock::new();
        let _in_sim = clock.enter();
        let mut t = Tree::default();
        t.mkdir(&path("/spool")).unwrap();
        let dir = t.lookup(&path("/spool")).unwrap();
        t.sync_dir(dir);
        let create = OpenMode {
            write: true,
            create: true,
            ..OpenMode::default()
        };
        for i in 0..1000 {
            let p = path(&format!("/spool/tmp{i}"));
            let ino = t.open(&p, create, false).unwrap();
            t.close_handle(ino);
            t.unlink(&p).unwrap();
        }
        assert!(matches!(t.unsynced.get(&dir), Some(Unsynced::All)));
        t.sync_dir(dir);
        assert!(!t.unsynced.contains_key(&dir));
        assert_eq!(t.ddirs[&dir].len(), 0);
        check(&t);
    }
}
