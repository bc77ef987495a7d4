//! Inode attributes: the permission bits and the times `stat` shows,
//! the times on the virtual clock.
//!
//! Times are virtual [`Instant`]s (the simulation's clock, so the same
//! seed gives the same times); `Metadata` turns them into wall-clock
//! times with the simulation's epoch. Each inode keeps a live copy (what
//! `stat` shows) and a durable one (what a crash leaves): the durable
//! copy follows the live one at a successful sync of the inode, and under
//! [`Namespace::Journal`](crate::fs::Namespace::Journal) at a commit, for
//! every inode changed since the last one, as ext4 journals its inodes.

use std::io;
use std::time::Duration;

use sim_clock::Instant;

use super::{Ino, Tree};
use crate::fs::path::SimPath;
use crate::fs::permissions;

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
    /// The permission bits (`0o7777`).
    pub(crate) mode: u32,
    /// When the inode was made (`statx`'s birth time); never changes.
    pub(crate) created: Instant,
    /// The last change of a file's data or size, or of a directory's
    /// entries.
    pub(crate) modified: Instant,
    /// The last read, as `relatime` keeps it (see [`Tree::accessed`]).
    pub(crate) accessed: Instant,
}

impl Attrs {
    /// A new inode's attributes: every time is `at`, the mode that of
    /// `mkdir` (`0o777`) or `creat` (`0o666`) under the [`UMASK`].
    pub(crate) fn new(dir: bool, at: Instant) -> Attrs {
        Attrs {
            mode: created_mode(dir, if dir { 0o777 } else { 0o666 }),
            created: at,
            modified: at,
            accessed: at,
        }
    }
}

/// The simulated process's umask: what a new file or directory never
/// gets of the mode it asks for (the group's and others' write bits, the
/// usual default).
pub(crate) const UMASK: u32 = 0o022;

/// The mode of an inode made asking for `asked`, as Linux gives it:
/// `asked & !umask`, of the bits `0o7777` for `open`, and of `0o1777`
/// for `mkdir` (which keeps the sticky bit but never setuid or setgid:
/// `vfs_prepare_mode`; a directory's setgid comes from its parent, which
/// is not simulated).
pub(crate) fn created_mode(dir: bool, asked: u32) -> u32 {
    let bits = if dir { 0o1777 } else { 0o7777 };
    asked & bits & !UMASK
}

impl Tree {
    /// Gives the inode just made (not yet in any listing) the mode it
    /// asked for (see [`created_mode`]), live and durable.
    pub(super) fn set_initial_mode(&mut self, ino: Ino, asked: u32) {
        let inode = self.inodes.get_mut(&ino).expect("just made");
        let dir = matches!(inode.kind, super::Kind::Dir);
        inode.attrs.mode = created_mode(dir, asked);
        inode.dattrs.mode = inode.attrs.mode;
    }

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

    /// Sets `ino`'s permission bits (`chmod`): durable as its times are.
    pub(crate) fn set_mode(&mut self, ino: Ino, mode: u32) {
        if let Some(inode) = self.inodes.get_mut(&ino) {
            inode.attrs.mode = mode;
        }
        self.touch(ino);
    }

    /// Whether the owner of the regular file `ino` may open it to read
    /// (`read`) and to write (`write`): `PermissionDenied` (EACCES)
    /// otherwise. Directories are not checked.
    pub(crate) fn check_access(
        &self,
        path: &SimPath,
        ino: Ino,
        read: bool,
        write: bool,
    ) -> io::Result<()> {
        if self.is_dir(ino) {
            return Ok(());
        }
        let mode = self.attrs(ino).mode;
        for (wanted, bit, what) in [(read, 0o400, "read"), (write, 0o200, "write")] {
            if wanted && mode & bit == 0 {
                return Err(permissions::denied(&path.to_string(), mode, what));
            }
        }
        Ok(())
    }

    /// Makes `ino`'s live attributes durable.
    pub(super) fn persist_attrs(&mut self, ino: Ino) {
        if let Some(inode) = self.inodes.get_mut(&ino) {
            inode.dattrs = inode.attrs;
        }
    }
}
