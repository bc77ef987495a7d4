//! One node's file system: the inode table and two namespaces, the live
//! one (what lookups see) and the durable one (what a crash leaves).
//!
//! A directory's durable listing changes only when the directory is synced
//! ([`Tree::sync_dir`]), or at once for each entry changed when the disk's
//! namespace is relaxed, or, when it is journaled, when a sync commits
//! the journal ([`Tree::commit`]): the entries changed since the last
//! commit, whatever their directory. A crash makes the durable namespace
//! live again (a directory that two durable listings name keeps the
//! newer one: see `recover.rs`) and drops every inode it cannot reach
//! from the root (and the uncommitted journal with it). Inodes are freed
//! eagerly once nothing refers to them: no live entry, no durable entry
//! and no open handle.
//!
//! Each inode's attributes (times, permission bits: [`Attrs`]) have a
//! live and a durable copy too: a successful sync of the inode, or a
//! journal commit for the inodes it covers, makes them durable; a crash
//! brings the durable ones back.
//!
//! A failed sync of a directory loses the changes to its entries made
//! since its last sync: a directory synced after a failure has a *view*
//! (its live listing at the last sync, failed or not), and a sync then
//! makes durable only the entries that changed since the view.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, ErrorKind};

use super::config::Namespace;
use super::content::Content;
use super::path::SimPath;

mod attrs;
mod dirs;
mod dirsync;
mod recover;
mod resolve;

pub(crate) use attrs::Attrs;
use attrs::now;
use dirsync::Unsynced;

pub(crate) type Ino = u64;
pub(crate) const ROOT: Ino = 1;

pub(crate) enum Kind {
    File(Content),
    Dir,
}

pub(crate) struct Inode {
    pub(crate) kind: Kind,
    /// Entries in the live namespace.
    links: u32,
    /// Entries in the durable namespace.
    dlinks: u32,
    /// Open handles.
    open: u32,
    /// Syncs of this inode that failed (Linux's errseq_t): a handle
    /// reports each failure it has not seen once.
    sync_failures: u64,
    /// Times (and permission bits): live, and as a crash leaves them.
    attrs: Attrs,
    dattrs: Attrs,
}

type Dir = BTreeMap<Box<str>, Ino>;

/// How `open` treats a missing or existing file.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct OpenMode {
    /// Read access (the file's mode must allow it).
    pub(crate) read: bool,
    /// Write access (the file's mode must allow it).
    pub(crate) write: bool,
    /// Permissions do not apply ([`Disk::preload`](crate::fs::Disk::preload)).
    pub(crate) as_root: bool,
    pub(crate) truncate: bool,
    pub(crate) create: bool,
    pub(crate) create_new: bool,
    /// The mode a created file asks for (`None`: `0o666`), before the
    /// umask.
    pub(crate) create_mode: Option<u32>,
}

pub(crate) fn err(kind: ErrorKind, path: &SimPath, what: &str) -> io::Error {
    io::Error::new(kind, format!("{path}: {what}"))
}

pub(crate) struct Tree {
    inodes: BTreeMap<Ino, Inode>,
    next: Ino,
    dirs: BTreeMap<Ino, Dir>,
    ddirs: BTreeMap<Ino, Dir>,
    /// Per directory whose sync failed: its live listing at its last
    /// sync, failed or not (see the module docs). Empty unless a
    /// directory sync failed.
    views: BTreeMap<Ino, Dir>,
    used: u64,
    /// When namespace changes become durable (set from the disk's
    /// configuration before every operation).
    namespace: Namespace,
    /// [`Namespace::Journal`]: the entries (directory, name) changed
    /// since the last commit. A commit makes each one's live value
    /// durable, all at once, so the result is the changes made so far
    /// applied in order; a set bounds it by the entries touched.
    journal: BTreeSet<(Ino, Box<str>)>,
    /// [`Namespace::Journal`]: the inodes changed since the last commit
    /// (written, truncated, linked, unlinked, or a directory whose entries
    /// changed). Only a sync of one of them commits, as Linux forces the
    /// journal only up to the synced inode's last change.
    touched: BTreeSet<Ino>,
    /// Per directory, when its durable listing was last written (a count
    /// of such writes, `writes`): which of two durable listings naming
    /// one directory is newer (see `recover.rs`).
    written: BTreeMap<Ino, u64>,
    writes: u64,
    /// Per directory, the names a sync of it must write (see
    /// `dirsync.rs`).
    unsynced: BTreeMap<Ino, Unsynced>,
}

impl Default for Tree {
    fn default() -> Tree {
        // Made with the disk, at the simulation's start.
        let attrs = Attrs::new(true, sim_clock::Instant::ZERO);
        let root = Inode {
            kind: Kind::Dir,
            links: 1,
            dlinks: 1,
            open: 0,
            sync_failures: 0,
            attrs,
            dattrs: attrs,
        };
        Tree {
            inodes: BTreeMap::from([(ROOT, root)]),
            next: ROOT + 1,
            dirs: BTreeMap::from([(ROOT, Dir::new())]),
            ddirs: BTreeMap::from([(ROOT, Dir::new())]),
            views: BTreeMap::new(),
            used: 0,
            namespace: Namespace::Strict,
            journal: BTreeSet::new(),
            touched: BTreeSet::new(),
            written: BTreeMap::new(),
            writes: 0,
            unsynced: BTreeMap::new(),
        }
    }
}

impl Tree {
    pub(crate) fn namespace(&self) -> Namespace {
        self.namespace
    }

    /// Follows the disk's configuration. Leaving `Journal` drops the
    /// uncommitted journal: those entries are durable once their
    /// directory is synced, as every change under the other modes.
    pub(crate) fn set_namespace(&mut self, namespace: Namespace) {
        self.namespace = namespace;
        if namespace != Namespace::Journal {
            self.journal.clear();
            self.touched.clear();
        }
    }

    /// Bytes used: the sum of the live sizes of the files stored.
    pub(crate) fn used(&self) -> u64 {
        self.used
    }

    pub(crate) fn is_dir(&self, ino: Ino) -> bool {
        matches!(self.inodes.get(&ino).map(|i| &i.kind), Some(Kind::Dir))
    }

    pub(crate) fn content(&self, ino: Ino) -> Option<&Content> {
        match &self.inodes.get(&ino)?.kind {
            Kind::File(c) => Some(c),
            Kind::Dir => None,
        }
    }

    fn content_mut(&mut self, ino: Ino) -> &mut Content {
        match &mut self.inodes.get_mut(&ino).expect("a live inode").kind {
            Kind::File(c) => c,
            Kind::Dir => unreachable!("file operations check the inode kind first"),
        }
    }

    fn new_inode(&mut self, kind: Kind) -> Ino {
        let ino = self.next;
        self.next += 1;
        let dir = matches!(kind, Kind::Dir);
        if dir {
            self.dirs.insert(ino, Dir::new());
        }
        // Durable as made: an inode a crash keeps (its name was durable)
        // and that was never synced has its first attributes.
        let attrs = Attrs::new(dir, now());
        self.inodes.insert(
            ino,
            Inode {
                kind,
                links: 0,
                dlinks: 0,
                open: 0,
                sync_failures: 0,
                attrs,
                dattrs: attrs,
            },
        );
        ino
    }

    /// Sets (or removes) the live entry `name` of `dir`.
    fn set_entry(&mut self, dir: Ino, name: &str, ino: Option<Ino>) {
        let entries = self.dirs.get_mut(&dir).expect("a live directory");
        let old = match ino {
            Some(i) => entries.insert(name.into(), i),
            None => entries.remove(name),
        };
        if let Some(i) = ino {
            self.inodes.get_mut(&i).expect("a live inode").links += 1;
        }
        self.note_unsynced(dir, name);
        // A directory is modified when its entries change.
        self.inodes
            .get_mut(&dir)
            .expect("a live directory")
            .attrs
            .modified = now();
        match self.namespace {
            Namespace::Relaxed => self.persist_entry(dir, name),
            Namespace::Journal => {
                self.journal.insert((dir, name.into()));
                self.touched.insert(dir);
                self.touched.extend(ino);
                self.touched.extend(old);
            }
            Namespace::Strict => {}
        }
        if let Some(o) = old {
            self.inodes.get_mut(&o).expect("a live inode").links -= 1;
            self.release(o);
        }
    }

    /// Commits the journal: every entry changed since the last commit
    /// becomes durable (nothing to do outside `Namespace::Journal`).
    pub(crate) fn commit(&mut self) {
        // The inodes changed since the last commit: their attributes are
        // in the transaction.
        for ino in std::mem::take(&mut self.touched) {
            self.persist_attrs(ino);
        }
        for (dir, name) in std::mem::take(&mut self.journal) {
            // A directory freed since (removed, and never durable, or
            // dropped earlier in this commit) has no entries to keep.
            if self.dirs.contains_key(&dir) {
                self.persist_entry(dir, &name);
            }
        }
    }

    /// Makes the live entry `name` of `dir` durable (relaxed namespace, a
    /// journal commit).
    fn persist_entry(&mut self, dir: Ino, name: &str) {
        let new = self.dirs.get(&dir).and_then(|d| d.get(name)).copied();
        self.note_synced(dir, name);
        let durable = self.ddirs.entry(dir).or_default();
        let old = match new {
            Some(i) => durable.insert(name.into(), i),
            None => durable.remove(name),
        };
        if old == new {
            return;
        }
        self.mark_written(dir);
        if let Some(i) = new {
            self.inodes.get_mut(&i).expect("a live inode").dlinks += 1;
        }
        if let Some(o) = old {
            self.drop_dlink(o);
        }
    }

    fn drop_dlink(&mut self, ino: Ino) {
        if let Some(inode) = self.inodes.get_mut(&ino) {
            inode.dlinks -= 1;
            self.release(ino);
        }
    }

    /// Frees `ino` if nothing refers to it any more.
    pub(crate) fn release(&mut self, ino: Ino) {
        let Some(inode) = self.inodes.get(&ino) else {
            return;
        };
        if inode.links > 0 || inode.dlinks > 0 || inode.open > 0 {
            return;
        }
        let inode = self.inodes.remove(&ino).expect("checked above");
        if let Kind::File(c) = &inode.kind {
            self.used -= c.len();
        }
        self.dirs.remove(&ino);
        self.views.remove(&ino);
        self.written.remove(&ino);
        self.unsynced.remove(&ino);
        if let Some(durable) = self.ddirs.remove(&ino) {
            for i in durable.into_values() {
                self.drop_dlink(i);
            }
        }
    }

    /// Counts a handle opened; returns the inode's sync failures so far
    /// (the handle reports only later ones).
    pub(crate) fn open_handle(&mut self, ino: Ino) -> u64 {
        let inode = self.inodes.get_mut(&ino).expect("a live inode");
        inode.open += 1;
        inode.sync_failures
    }

    pub(crate) fn close_handle(&mut self, ino: Ino) {
        if let Some(inode) = self.inodes.get_mut(&ino) {
            inode.open = inode.open.saturating_sub(1);
            self.release(ino);
        }
    }

    /// Opens (perhaps creates, perhaps truncates) the file at `path`;
    /// returns its inode. Opening a directory read-only is allowed (to
    /// sync it).
    pub(crate) fn open(&mut self, path: &SimPath, mode: OpenMode, log: bool) -> io::Result<Ino> {
        self.open_or_probe(path, mode, log, false)
    }

    /// The error [`open`](Self::open) would return, without creating or
    /// truncating anything: what Linux answers before `EROFS` on a
    /// read-only file system (`ENOENT`, `EEXIST`, `EISDIR`, ...).
    pub(crate) fn probe_open(&mut self, path: &SimPath, mode: OpenMode) -> io::Result<()> {
        self.open_or_probe(path, mode, false, true).map(drop)
    }

    /// The directory that would hold `path`'s last component must exist:
    /// what Linux checks before `EROFS` for a remove, rmdir or rename.
    pub(crate) fn probe_parent(&self, path: &SimPath) -> io::Result<()> {
        self.parent(path).map(drop)
    }

    fn open_or_probe(
        &mut self,
        path: &SimPath,
        mode: OpenMode,
        log: bool,
        probe: bool,
    ) -> io::Result<Ino> {
        if let Some(ino) = self.dot_dir(path)? {
            // "/d/." or "/d/..": that directory, which exists.
            return if mode.create_new {
                Err(err(
                    ErrorKind::AlreadyExists,
                    path,
                    "already exists (a directory)",
                ))
            } else if mode.write {
                Err(err(ErrorKind::IsADirectory, path, "is a directory"))
            } else {
                Ok(ino)
            };
        }
        let Some((dir, name)) = self.parent(path)? else {
            if mode.create_new {
                return Err(err(ErrorKind::AlreadyExists, path, "the root exists"));
            }
            if mode.write {
                return Err(err(ErrorKind::IsADirectory, path, "is a directory"));
            }
            return Ok(ROOT);
        };
        if path.must_be_dir() && (mode.create || mode.create_new) {
            // Linux's open(O_CREAT) on "name/": EISDIR, whatever is there.
            return Err(err(
                ErrorKind::IsADirectory,
                path,
                "is a directory: a path ending with a slash names a directory, \
                 so no file can be created there (drop the slash)",
            ));
        }
        let entry = self.dirs[&dir].get(name).copied();
        if let Some(ino) = entry {
            self.check_dir_flag(path, ino)?;
        }
        match entry {
            Some(_) if mode.create_new => Err(err(
                ErrorKind::AlreadyExists,
                path,
                "already exists (create_new refuses existing files)",
            )),
            Some(ino) if self.is_dir(ino) => {
                if mode.write {
                    Err(err(ErrorKind::IsADirectory, path, "is a directory"))
                } else {
                    Ok(ino)
                }
            }
            // A read-only disk answers EROFS before EACCES, as Linux.
            Some(ino) if probe => Ok(ino),
            Some(ino) => {
                if !mode.as_root {
                    self.check_access(path, ino, mode.read, mode.write)?;
                }
                if mode.truncate {
                    if self.content_mut(ino).len() > 0 {
                        // Shrinking allocates nothing: it cannot fail.
                        self.set_len(ino, 0, log)?;
                    }
                    // An open that truncates changes the inode (its times)
                    // even when it was empty, as Linux's O_TRUNC.
                    self.changed(ino);
                }
                Ok(ino)
            }
            None if probe && (mode.create || mode.create_new) => Ok(ROOT),
            None if mode.create || mode.create_new => {
                let ino = self.new_inode(Kind::File(Content::default()));
                if let Some(asked) = mode.create_mode {
                    self.set_initial_mode(ino, asked);
                }
                self.set_entry(dir, name, Some(ino));
                Ok(ino)
            }
            None => Err(err(ErrorKind::NotFound, path, "no such file or directory")),
        }
    }

    /// Writes at `offset`, at most up to `capacity` bytes used in all;
    /// returns the bytes written (fewer than asked when the disk fills).
    pub(crate) fn write(
        &mut self,
        ino: Ino,
        offset: u64,
        data: &[u8],
        log: bool,
        capacity: Option<u64>,
    ) -> io::Result<usize> {
        let inode = self.inodes.get_mut(&ino).expect("a live inode");
        let Kind::File(content) = &mut inode.kind else {
            unreachable!("file operations check the inode kind first");
        };
        let len = content.len();
        let end = offset.checked_add(data.len() as u64).ok_or_else(|| {
            io::Error::new(ErrorKind::InvalidInput, "the write would end past u64::MAX")
        })?;
        if !data.is_empty() {
            content.reserve(end)?;
        }
        let mut n = data.len();
        if let Some(cap) = capacity {
            let limit = len + cap.saturating_sub(self.used);
            if end > limit {
                n = limit.saturating_sub(offset) as usize;
                if n == 0 && !data.is_empty() {
                    return Err(io::Error::new(
                        ErrorKind::StorageFull,
                        format!(
                            "no space left on device (the disk's capacity is {cap} bytes): \
                             free space, or raise DiskConfig::capacity"
                        ),
                    ));
                }
            }
        }
        content.write(offset, &data[..n], log);
        self.used = self.used - len + content.len();
        if n > 0 {
            // As Linux: a write of nothing changes no time.
            inode.attrs.modified = now();
            self.touch(ino);
        }
        Ok(n)
    }

    /// Truncates or extends (without a capacity check). It modifies the
    /// file even to its own size, as Linux's `ftruncate`. Fails (changing
    /// nothing) past the largest file size, or when the block map cannot
    /// be allocated (see [`Content::reserve`]).
    pub(crate) fn set_len(&mut self, ino: Ino, new_len: u64, log: bool) -> io::Result<()> {
        let c = self.content_mut(ino);
        c.reserve(new_len)?;
        let old = c.len();
        c.set_len(new_len, log);
        self.used = self.used - old + new_len;
        self.changed(ino);
        Ok(())
    }

    /// Notes that `ino`'s data changed: its modification time is now.
    fn changed(&mut self, ino: Ino) {
        if let Some(inode) = self.inodes.get_mut(&ino) {
            inode.attrs.modified = now();
        }
        self.touch(ino);
    }

    /// Notes that `ino` changed ([`Namespace::Journal`] only).
    #[inline]
    fn touch(&mut self, ino: Ino) {
        if self.namespace == Namespace::Journal {
            self.touched.insert(ino);
        }
    }

    /// Syncs a file or directory (`fsync`): commits the journal if
    /// `commit` and the inode changed since the last commit, then makes
    /// the inode's data durable, and its attributes if `attrs` (not for
    /// a file's `fdatasync`). Returns the bytes synced and the inode's
    /// sync failures so far.
    pub(crate) fn sync(&mut self, ino: Ino, commit: bool, attrs: bool) -> (u64, u64) {
        if commit && self.touched.contains(&ino) {
            self.commit();
        }
        let Some(inode) = self.inodes.get_mut(&ino) else {
            return (0, 0);
        };
        let failures = inode.sync_failures;
        if attrs {
            inode.dattrs = inode.attrs;
        }
        match &mut inode.kind {
            Kind::File(c) => (c.sync(), failures),
            Kind::Dir => {
                self.sync_dir(ino);
                (0, failures)
            }
        }
    }

    /// Whether a sync of `ino` would commit the journal: under
    /// [`Namespace::Journal`], `ino` changed since the last commit (its
    /// size, data or links, or a directory's entries: a transaction to
    /// commit, with or without namespace changes in it).
    pub(crate) fn would_commit(&self, ino: Ino) -> bool {
        self.touched.contains(&ino)
    }

    /// The sync failures of `ino` so far (0 once it is gone).
    pub(crate) fn sync_failures(&self, ino: Ino) -> u64 {
        self.inodes.get(&ino).map_or(0, |i| i.sync_failures)
    }

    /// A sync of `ino` failed: the changes since its last sync will never
    /// be durable (unless made again). Returns its sync failures so far.
    pub(crate) fn sync_failed(&mut self, ino: Ino) -> u64 {
        let Some(inode) = self.inodes.get_mut(&ino) else {
            return 0;
        };
        inode.sync_failures += 1;
        let failures = inode.sync_failures;
        match &mut inode.kind {
            Kind::File(c) => c.sync_failed(),
            Kind::Dir => {
                if let Some(live) = self.dirs.get(&ino) {
                    self.views.insert(ino, live.clone());
                }
            }
        }
        failures
    }

    pub(crate) fn sync_file(&mut self, ino: Ino) -> u64 {
        self.persist_attrs(ino);
        match self.inodes.get_mut(&ino).map(|i| &mut i.kind) {
            Some(Kind::File(c)) => c.sync(),
            _ => 0,
        }
    }

    /// Makes the directory's live listing durable (POSIX `fsync` on a
    /// directory).
    pub(crate) fn sync_dir(&mut self, dir: Ino) {
        if !self.dirs.contains_key(&dir) {
            return;
        }
        self.persist_attrs(dir);
        // The usual case: only the names changed since are written (see
        // `dirsync.rs`).
        if !self.views.contains_key(&dir) && self.sync_unsynced(dir) {
            return;
        }
        let live = self.dirs[&dir].clone();
        self.unsynced.remove(&dir);
        if let Some(view) = self.views.get_mut(&dir) {
            let view = std::mem::replace(view, live.clone());
            // A sync failed before: only the entries changed since the
            // last sync are written.
            let changed: BTreeSet<Box<str>> = live
                .iter()
                .filter(|&(n, i)| view.get(n) != Some(i))
                .map(|(n, _)| n.clone())
                .chain(view.keys().filter(|&n| !live.contains_key(n)).cloned())
                .collect();
            for name in changed {
                self.persist_entry(dir, &name);
            }
            return;
        }
        for &i in live.values() {
            self.inodes.get_mut(&i).expect("a live inode").dlinks += 1;
        }
        self.mark_written(dir);
        if let Some(old) = self.ddirs.insert(dir, live) {
            for i in old.into_values() {
                self.drop_dlink(i);
            }
        }
    }

    /// Power loss: `keep(content)` draws what each file's pending changes
    /// keep (see [`Content::crash`]); then the durable namespace becomes
    /// the live one. Returns the number of torn writes.
    pub(crate) fn crash(&mut self, sector: u64, keep: &mut dyn FnMut(&Content) -> Vec<u64>) -> u64 {
        // A directory in two durable listings keeps one (see recover.rs).
        self.one_parent_per_dir();
        // What the durable namespace reaches.
        let mut reachable = BTreeSet::from([ROOT]);
        let mut stack = vec![ROOT];
        while let Some(d) = stack.pop() {
            if let Some(entries) = self.ddirs.get(&d) {
                for &i in entries.values() {
                    if reachable.insert(i) && self.is_dir(i) {
                        stack.push(i);
                    }
                }
            }
        }
        self.inodes.retain(|i, _| reachable.contains(i));
        self.ddirs.retain(|i, _| reachable.contains(i));
        self.written.retain(|i, _| reachable.contains(i));
        self.views.clear();
        self.journal.clear();
        self.touched.clear();
        // The live namespace becomes the durable one.
        self.unsynced.clear();
        let mut torn = 0;
        self.used = 0;
        for inode in self.inodes.values_mut() {
            inode.links = 0;
            inode.open = 0;
            inode.attrs = inode.dattrs;
            if let Kind::File(c) = &mut inode.kind {
                let kept = if c.pending().is_empty() {
                    Vec::new()
                } else {
                    keep(c)
                };
                torn += c.crash(sector, &kept);
                self.used += c.len();
            }
        }
        self.dirs.clear();
        for (&ino, inode) in &self.inodes {
            if matches!(inode.kind, Kind::Dir) {
                let listing = self.ddirs.entry(ino).or_default().clone();
                self.dirs.insert(ino, listing);
            }
        }
        for entries in self.ddirs.values() {
            for i in entries.values() {
                self.inodes.get_mut(i).expect("reachable").links += 1;
            }
        }
        for inode in self.inodes.values_mut() {
            inode.dlinks = inode.links;
        }
        let root = self.inodes.get_mut(&ROOT).expect("the root");
        root.links = 1;
        root.dlinks = 1;
        torn
    }
}
