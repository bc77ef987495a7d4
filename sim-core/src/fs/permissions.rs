//! [`Permissions`] and [`set_permissions`]: a file's mode bits, as std's
//! `Permissions` with `PermissionsExt` on Unix.

use std::fmt;
use std::io::{self, ErrorKind};
use std::path::Path;

use super::faults::NAMESPACE;
use super::ops::{Cost, Here};
use super::path::SimPath;
use super::state::NodeDisk;
use super::tree::Ino;
use crate::ext;

/// The permission bits `chmod` keeps (`S_IALLUGO`: set-user-ID,
/// set-group-ID, sticky, and read/write/execute for owner, group and
/// others).
const MODE_BITS: u32 = 0o7777;

/// Every write bit (owner, group, others), as std's `readonly` reads them.
const WRITE_BITS: u32 = 0o222;

/// A file's permissions: its Unix mode, as `std::fs::Permissions` (with
/// `std::os::unix::fs::PermissionsExt`) has it, for the simulated disk.
///
/// [`Metadata::permissions`](super::Metadata::permissions) gives the
/// whole `st_mode`, file type bits included (`0o100644` for a file,
/// `0o40755` for a directory), as std does; [`set_permissions`] keeps only
/// the permission bits (`0o7777`), as `chmod` does. New files get
/// `0o644`, new directories `0o755` (a umask of `022`).
///
/// The disk checks the owner's read and write bits of a regular file when
/// it is opened (a read of [`read`](super::read), an open for writing of
/// [`write()`](super::write), [`File::create`](super::File::create),
/// [`OpenOptions`](super::OpenOptions), a [`copy`](super::copy)'s
/// source and target): without them the open is `PermissionDenied` (EACCES), as for
/// a process that owns the file and is not root (root passes every check:
/// code that relies on that is not modelled). Handles already open keep
/// their access. Directory permissions and the group and other bits are
/// kept and shown, not checked.
///
/// ```
/// use detsim::fs::{self, Permissions};
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// fs::write("/segment", "sealed").await.unwrap();
/// let mut perms = fs::metadata("/segment").await.unwrap().permissions();
/// assert_eq!(perms.mode(), 0o100644);
/// perms.set_readonly(true);
/// fs::set_permissions("/segment", perms).await.unwrap();
/// let e = fs::write("/segment", "overwritten").await.unwrap_err();
/// assert_eq!(e.kind(), std::io::ErrorKind::PermissionDenied);
/// fs::set_permissions("/segment", Permissions::from_mode(0o600)).await.unwrap();
/// fs::write("/segment", "rewritten").await.unwrap();
/// # }).unwrap();
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Permissions {
    mode: u32,
}

impl Permissions {
    /// Permissions of the mode `mode` (std's `PermissionsExt::from_mode`).
    ///
    /// ```
    /// let p = detsim::fs::Permissions::from_mode(0o600);
    /// assert_eq!(p.mode(), 0o600);
    /// assert!(!p.readonly());
    /// ```
    pub fn from_mode(mode: u32) -> Permissions {
        Permissions { mode }
    }

    /// The mode (std's `PermissionsExt::mode`): from
    /// [`Metadata`](super::Metadata), with the file type bits.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let p = detsim::fs::metadata("/").await.unwrap().permissions();
    /// assert_eq!(p.mode(), 0o40755);
    /// assert_eq!(p.mode() & 0o777, 0o755);
    /// # }).unwrap();
    /// ```
    pub fn mode(&self) -> u32 {
        self.mode
    }

    /// Sets the mode (std's `PermissionsExt::set_mode`).
    ///
    /// ```
    /// let mut p = detsim::fs::Permissions::from_mode(0o644);
    /// p.set_mode(0o400);
    /// assert!(p.readonly());
    /// ```
    pub fn set_mode(&mut self, mode: u32) {
        self.mode = mode;
    }

    /// Whether no one may write: no write bit is set (std's rule on Unix).
    ///
    /// ```
    /// assert!(detsim::fs::Permissions::from_mode(0o444).readonly());
    /// assert!(!detsim::fs::Permissions::from_mode(0o464).readonly());
    /// ```
    pub fn readonly(&self) -> bool {
        self.mode & WRITE_BITS == 0
    }

    /// Clears every write bit (`true`), or sets every write bit, for
    /// owner, group and others (`false`), as std does on Unix (so
    /// `set_readonly(false)` makes a file writable by everyone: set a
    /// mode with [`set_mode`](Permissions::set_mode) to say who).
    ///
    /// ```
    /// let mut p = detsim::fs::Permissions::from_mode(0o100644);
    /// p.set_readonly(true);
    /// assert_eq!(p.mode(), 0o100444);
    /// p.set_readonly(false);
    /// assert_eq!(p.mode(), 0o100666);
    /// ```
    pub fn set_readonly(&mut self, readonly: bool) {
        if readonly {
            self.mode &= !WRITE_BITS;
        } else {
            self.mode |= WRITE_BITS;
        }
    }
}

impl fmt::Debug for Permissions {
    /// `Permissions { mode: 0o100644 }`: the mode in octal, as std shows it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Permissions")
            .field("mode", &format_args!("{:#o}", self.mode))
            .finish()
    }
}

/// std's permissions (ported code that builds them with
/// `PermissionsExt::from_mode`): their mode on Unix; elsewhere `0o444` or
/// `0o666`, as they are read-only or not.
///
/// ```
/// # #[cfg(unix)] {
/// use std::os::unix::fs::PermissionsExt;
/// let p = detsim::fs::Permissions::from(std::fs::Permissions::from_mode(0o600));
/// assert_eq!(p.mode(), 0o600);
/// # }
/// ```
impl From<std::fs::Permissions> for Permissions {
    fn from(p: std::fs::Permissions) -> Permissions {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            Permissions::from_mode(p.mode())
        }
        #[cfg(not(unix))]
        {
            Permissions::from_mode(if p.readonly() { 0o444 } else { 0o666 })
        }
    }
}

/// The `st_mode` of an inode: its type bits and permission bits.
pub(crate) fn st_mode(dir: bool, mode: u32) -> Permissions {
    const S_IFREG: u32 = 0o100000;
    const S_IFDIR: u32 = 0o040000;
    Permissions::from_mode(if dir { S_IFDIR } else { S_IFREG } | mode)
}

/// The permission bits `chmod` keeps of `perm`.
pub(crate) fn chmod_bits(perm: Permissions) -> u32 {
    perm.mode & MODE_BITS
}

/// Sets the permissions of a file or directory (`chmod`). Only the
/// permission bits (`0o7777`) are kept. Like a file's times, the mode is
/// durable once the file is synced with
/// [`File::sync_all`](super::File::sync_all) (or a directory synced),
/// or under [`Namespace::Journal`](super::Namespace::Journal) at the next
/// commit; a crash brings back the durable mode.
///
/// Takes detsim's [`Permissions`], or std's (converted, see
/// [`Permissions`]' `From`), so that ported code keeps compiling.
///
/// # Errors
///
/// `NotFound`, `NotADirectory` (a parent is a file, or the path ends with
/// a slash and names a file), `ReadOnlyFilesystem` once the disk's
/// journal aborted
/// ([`DiskConfig::journal_error`](super::DiskConfig::journal_error)).
///
/// ```
/// use detsim::fs::{self, Permissions};
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// fs::write("/key", "secret").await.unwrap();
/// fs::set_permissions("/key", Permissions::from_mode(0o600)).await.unwrap();
/// let mode = fs::metadata("/key").await.unwrap().permissions().mode();
/// assert_eq!(mode & 0o777, 0o600);
/// # }).unwrap();
/// ```
pub async fn set_permissions(
    path: impl AsRef<Path>,
    perm: impl Into<Permissions>,
) -> io::Result<()> {
    const API: &str = "detsim::fs::set_permissions";
    let here = Here::current(API);
    let path = SimPath::parse(path.as_ref())?;
    let perm = perm.into();
    here.op(API, Cost::Io, |d, _| {
        let ino = d.tree.lookup(&path)?; // ENOENT before EROFS, as Linux
        chmod(d, here.node, ino, perm, &path.to_string())
    })
    .await
}

/// `chmod` of inode `ino` (looked up, or held open): the read-only check,
/// the change and its event.
pub(crate) fn chmod(
    d: &mut NodeDisk,
    node: u32,
    ino: Ino,
    perm: Permissions,
    path: &str,
) -> io::Result<()> {
    d.writable(path)?;
    d.tree.set_mode(ino, chmod_bits(perm));
    ext::event(&NAMESPACE, u64::from(node), 10 ^ (ino << 8));
    Ok(())
}

/// The error of an open the mode does not allow: `what` is "read" or
/// "write".
pub(crate) fn denied(path: &str, mode: u32, what: &str) -> io::Error {
    io::Error::new(
        ErrorKind::PermissionDenied,
        format!(
            "{path}: permission denied (EACCES): the file's mode is {mode:#o}, without {what} \
             permission for its owner (detsim checks a file's owner bits as for a process that \
             owns it and is not root; change them with set_permissions)"
        ),
    )
}
