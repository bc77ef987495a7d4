//! Inode attributes: the times `stat` shows, on the virtual clock.
//!
//! Times are virtual [`Instant`]s (the simulation's clock, so the same
//! seed gives the same times); `Metadata` turns them into wall-clock
//! times with the simulation's epoch. Each inode keeps a live copy (what
//! `stat` shows) and a durable one (what a crash leaves): the durable
//! copy follows the live one at a successful sync of the inode, and under
//! [`Namespace::Journal`](crate::fs::Namespace::Journal) at a commit, for
//! every inode changed since the last one, as ext4 journals its inodes.

use std::time::Duration;

use sim_clock::Instant;

use super::{Ino, Tree};

/// The clock reading for a change: the virtual time now.
pub(super) fn now() -> Instant {
    Instant::now() // determinism: ok (the virtual clock)
}

/// How old an access time may get before a read updates it anyway
/// (Linux's `relatime`).
const RELATIME_DAY: Duration = Duration::from_secs(24 * 60 * 60);

/// What `stat` says about an inode besides its type and size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Attrs {
    /// When the inode was made (`statx`'s birth time); never changes.
    pub(crate) created: Instant,
    /// The last change of a file's data or size, or of a directory's
    /// entries.
    pub(crate) modified: Instant,
    /// The last read, as `relatime` keeps it (see [`Tree::accessed`]).
    pub(crate) accessed: Instant,
}

impl Attrs {
    /// A new inode's attributes: every time is `at`.
    pub(crate) fn new(at: Instant) -> Attrs {
        Attrs {
            created: at,
            modified: at,
            accessed: at,
        }
    }
}

impl Tree {
    /// The live attributes of `ino`.
    ///
    /// # Panics
    ///
    /// If `ino` is not live (callers hold it open or just looked it up).
    pub(crate) fn attrs(&self, ino: Ino) -> Attrs {
        self.inodes.get(&ino).expect("a live inode").attrs
    }

    /// `ino` was read (its data, or a directory's listing): its access
    /// time becomes now if it is not later than its modification time,
    /// or is a day old: Linux's default `relatime`, which spares most
    /// reads an inode update. An access time is not a change for the
    /// journal: it becomes durable with the inode's next sync or commit.
    pub(crate) fn accessed(&mut self, ino: Ino) {
        let Some(inode) = self.inodes.get_mut(&ino) else {
            return;
        };
        let a = &mut inode.attrs;
        let now = now();
        if a.accessed <= a.modified || now.saturating_duration_since(a.accessed) >= RELATIME_DAY {
            a.accessed = now;
        }
    }

    /// Makes `ino`'s live attributes durable.
    pub(super) fn persist_attrs(&mut self, ino: Ino) {
        if let Some(inode) = self.inodes.get_mut(&ino) {
            inode.dattrs = inode.attrs;
        }
    }
}
