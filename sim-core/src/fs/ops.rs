//! The free functions of `detsim::fs` (`read`, `write`, `rename`, ...) and
//! the steps every operation shares: find the disk of the current node,
//! wait the operation's latency, draw its fault, count it.
//!
//! No future here holds the disk state across an `await` (it is found
//! again after each wait), so they are all `Send`.

use std::io::{self, ErrorKind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::faults::{self, Fault, NAMESPACE, SYNC, WRITE};
use super::metadata::{FileType, Metadata};
use super::path::SimPath;
use super::permissions;
use super::state::{Disks, NodeDisk};
use super::tree::{Ino, OpenMode, Tree, err};
use super::{DiskConfig, Namespace};
use crate::ext;
use crate::node::Node;

/// Where an operation runs: the simulation and the node of the current
/// task (plain data).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Here {
    pub(crate) instance: u64,
    pub(crate) node: u32,
}

/// Which latency an operation takes.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Cost {
    Io,
    Sync,
}

impl Here {
    #[track_caller]
    pub(crate) fn current(api: &str) -> Here {
        let instance = ext::instance(api);
        Here {
            instance,
            node: Node::current().id().as_u32(),
        }
    }

    /// Runs `f` on this node's disk.
    #[track_caller]
    pub(crate) fn with<R>(&self, api: &str, f: impl FnOnce(&mut NodeDisk, &DiskConfig) -> R) -> R {
        Disks::of(self.instance, api).with(self.node, f)
    }

    /// The latency of one operation (a draw only for a random latency).
    #[track_caller]
    pub(crate) fn latency(&self, api: &str, cost: Cost) -> Duration {
        self.with(api, |_, config| match cost {
            Cost::Io => faults::delay(&config.latency),
            Cost::Sync => faults::delay(&config.sync_latency),
        })
    }

    /// Waits the latency of one operation on the virtual clock.
    pub(crate) async fn wait(&self, api: &str, cost: Cost) {
        let d = self.latency(api, cost);
        if !d.is_zero() {
            sim_clock::sleep(d).await;
        }
    }

    /// Waits the operation's latency, then runs `f` on the disk.
    pub(crate) async fn op<R>(
        &self,
        api: &str,
        cost: Cost,
        f: impl FnOnce(&mut NodeDisk, &DiskConfig) -> R,
    ) -> R {
        self.wait(api, cost).await;
        self.with(api, f)
    }
}

/// Opens (creating or truncating) the regular file at `path` for
/// writing, as `fs::write` and `fs::copy` do (`O_WRONLY|O_CREAT|O_TRUNC`).
/// On a disk whose journal aborted, the errors Linux gives before `EROFS`
/// (no such parent, a directory) come first, then `EROFS`.
pub(crate) fn open_truncating(
    d: &mut NodeDisk,
    c: &DiskConfig,
    path: &SimPath,
    shown: &str,
) -> io::Result<Ino> {
    let mode = OpenMode {
        read: false,
        write: true,
        as_root: false,
        truncate: true,
        create: true,
        create_new: false,
        create_mode: None,
    };
    if let Err(read_only) = d.writable(shown) {
        d.tree.probe_open(path, mode)?; // ENOENT, EISDIR first, as Linux
        return Err(read_only);
    }
    d.tree.open(path, mode, c.logs_writes())
}

/// An injected read error, if one fires.
pub(crate) fn read_fault(
    d: &mut NodeDisk,
    c: &DiskConfig,
    node: u32,
    path: &str,
) -> io::Result<()> {
    if faults::happens(c.read_error) {
        d.stats.faults.read_errors += 1;
        faults::fault_event(node, Fault::Read);
        return Err(faults::injected("read", path));
    }
    Ok(())
}

/// Counts a successful read of `buf` from file `ino` (its access time,
/// see [`Tree::accessed`]), perhaps flipping one of its bits.
pub(crate) fn read_done(d: &mut NodeDisk, c: &DiskConfig, node: u32, ino: Ino, buf: &mut [u8]) {
    d.tree.accessed(ino);
    d.stats.reads += 1;
    d.stats.bytes_read += buf.len() as u64;
    if !buf.is_empty() && faults::happens(c.read_corruption) {
        faults::flip_bit(buf);
        d.stats.faults.corruptions += 1;
        faults::fault_event(node, Fault::Corruption);
    }
}

/// A write of `data` at `offset` to file `ino`: the injected fault, the
/// capacity, the counters and the event.
pub(crate) fn write_at(
    d: &mut NodeDisk,
    c: &DiskConfig,
    node: u32,
    ino: Ino,
    offset: u64,
    data: &[u8],
    path: &str,
) -> io::Result<usize> {
    d.writable(path)?;
    if faults::happens(c.write_error) {
        d.stats.faults.write_errors += 1;
        faults::fault_event(node, Fault::Write);
        return Err(faults::injected("write", path));
    }
    let n = match d.tree.write(ino, offset, data, c.logs_writes(), c.capacity) {
        Ok(n) => n,
        Err(e) => {
            if e.kind() == io::ErrorKind::StorageFull {
                d.stats.faults.storage_full += 1;
                faults::fault_event(node, Fault::Full);
            }
            return Err(io::Error::new(e.kind(), format!("{path}: {e}")));
        }
    };
    if n < data.len() {
        d.stats.faults.storage_full += 1;
        faults::fault_event(node, Fault::Full);
    }
    d.stats.writes += 1;
    d.stats.bytes_written += n as u64;
    ext::event(
        &WRITE,
        ino ^ (u64::from(node) << 48),
        offset ^ ((n as u64) << 40),
    );
    Ok(n)
}

/// A sync of file or directory `ino`, through a handle that has reported
/// `seen` failed syncs of it (`None`: a handle opened for this sync);
/// `attrs`: the inode's times too (`fsync`), or not (`fdatasync`).
///
/// An injected failure loses the changes not synced (Linux's writeback
/// error: see [`Tree::sync_failed`]); a sync that succeeds still reports
/// a failure the handle has not seen, once, as Linux's errseq_t does. A
/// failed journal commit (`journal_error`) makes nothing durable and
/// leaves the disk read-only; a read-only disk refuses every sync.
pub(crate) fn sync(
    d: &mut NodeDisk,
    c: &DiskConfig,
    node: u32,
    ino: Ino,
    path: &str,
    seen: Option<&AtomicU64>,
    attrs: bool,
) -> io::Result<()> {
    d.writable(path)?;
    if faults::happens(c.sync_error) {
        d.stats.faults.sync_errors += 1;
        faults::fault_event(node, Fault::Sync);
        let failures = d.tree.sync_failed(ino);
        if let Some(seen) = seen {
            seen.store(failures, Ordering::Relaxed);
        }
        return Err(faults::injected_sync(path));
    }
    // Journal mode: a failure this handle has not seen is returned before
    // the journal is reached, as ext4's and XFS's fsync do (the data is
    // written, nothing is committed).
    let unseen = c.namespace == Namespace::Journal
        && seen.is_some_and(|s| s.load(Ordering::Relaxed) != d.tree.sync_failures(ino));
    if !unseen && d.tree.would_commit(ino) && faults::happens(c.journal_error) {
        d.stats.faults.journal_aborts += 1;
        faults::fault_event(node, Fault::JournalAbort);
        let at = sim_clock::Instant::now(); // determinism: ok (virtual clock)
        d.aborted = Some(at);
        return Err(faults::journal_aborted(path, at));
    }
    let (bytes, failures) = d.tree.sync(ino, !unseen, attrs);
    d.stats.syncs += 1;
    d.stats.bytes_synced += bytes;
    ext::event(&SYNC, ino ^ (u64::from(node) << 48), bytes);
    match seen {
        Some(seen) if seen.load(Ordering::Relaxed) != failures => {
            seen.store(failures, Ordering::Relaxed);
            Err(faults::unseen_sync_failure(path))
        }
        _ => Ok(()),
    }
}

pub(crate) fn stat(tree: &Tree, ino: Ino) -> Metadata {
    let attrs = tree.attrs(ino);
    // The wall clock of a virtual instant: the simulation's epoch plus
    // the virtual time since the start.
    let epoch = sim_clock::SystemTime::now() - sim_clock::Instant::now().since_start(); // determinism: ok (virtual)
    let wall = |t: sim_clock::Instant| epoch + t.since_start();
    Metadata {
        len: tree.content(ino).map_or(0, |c| c.len()),
        file_type: FileType {
            dir: tree.is_dir(ino),
        },
        permissions: permissions::st_mode(tree.is_dir(ino), attrs.mode),
        modified: wall(attrs.modified),
        accessed: wall(attrs.accessed),
        created: wall(attrs.created),
    }
}

/// A namespace change on the current node's disk: latency, then `f`, then
/// the event. On a read-only disk it fails, except that a create_dir(_all)
/// (`code` 1 or 2) of a path that exists gets its usual answer
/// (`AlreadyExists`, or `Ok` for a directory): Linux looks the name up
/// before it refuses to create it; and a path whose parent directory does
/// not exist gets `NotFound` (`NotADirectory`) first, as Linux resolves
/// the parent before it asks for write access (not for create_dir_all,
/// which would create the parents). `target` is a rename's destination,
/// whose parent Linux resolves before write access too.
pub(super) async fn namespace<P: AsRef<Path>>(
    api: &'static str,
    code: u64,
    path: P,
    target: Option<&SimPath>,
    f: impl FnOnce(&mut Tree, &SimPath) -> io::Result<()>,
) -> io::Result<()> {
    let here = Here::current(api);
    let path = SimPath::parse(path.as_ref())?;
    here.op(api, Cost::Io, |d, _| {
        if let Err(e) = d.writable(&path.to_string()) {
            if !matches!(code, 1 | 2) || d.tree.lookup(&path).is_err() {
                if code != 2 {
                    d.tree.probe_parent(&path)?;
                }
                if let Some(target) = target {
                    d.tree.probe_parent(target)?;
                }
                return Err(e);
            }
        }
        f(&mut d.tree, &path)?;
        ext::event(&NAMESPACE, u64::from(here.node), code);
        Ok(())
    })
    .await
}

/// Reads a whole file.
///
/// # Errors
///
/// `NotFound`, `IsADirectory`, `NotADirectory` (a parent is a file, or
/// the path ends with a slash and names a file), `PermissionDenied` (the
/// file's mode denies its owner reading: see
/// [`Permissions`](super::Permissions)), an injected read error (kind
/// `Other`).
///
/// ```
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// detsim::fs::write("/a", [1, 2, 3]).await.unwrap();
/// assert_eq!(detsim::fs::read("/a").await.unwrap(), [1, 2, 3]);
/// # }).unwrap();
/// ```
pub async fn read(path: impl AsRef<Path>) -> io::Result<Vec<u8>> {
    const API: &str = "detsim::fs::read";
    let here = Here::current(API);
    let path = SimPath::parse(path.as_ref())?;
    here.op(API, Cost::Io, |d, c| {
        let ino = d.tree.lookup(&path)?;
        d.tree.check_access(&path, ino, true, false)?; // the open
        let Some(content) = d.tree.content(ino) else {
            return Err(err(ErrorKind::IsADirectory, &path, "is a directory"));
        };
        let mut buf = vec![0; content.len() as usize];
        content.read(0, &mut buf);
        read_fault(d, c, here.node, &path.to_string())?;
        read_done(d, c, here.node, ino, &mut buf);
        Ok(buf)
    })
    .await
}

/// Reads a whole file as UTF-8.
///
/// # Errors
///
/// As [`read`], and `InvalidData` if the file is not UTF-8.
///
/// ```
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// detsim::fs::write("/a", "hi").await.unwrap();
/// assert_eq!(detsim::fs::read_to_string("/a").await.unwrap(), "hi");
/// # }).unwrap();
/// ```
pub async fn read_to_string(path: impl AsRef<Path>) -> io::Result<String> {
    let shown = path.as_ref().display().to_string();
    let bytes = read(path).await?;
    String::from_utf8(bytes).map_err(|_| {
        io::Error::new(
            ErrorKind::InvalidData,
            format!("{shown}: stream did not contain valid UTF-8"),
        )
    })
}

/// Creates (or truncates) a file and writes `contents` to it. Like every
/// write, the contents are volatile until synced (and, on a strict disk,
/// a new file's name until its directory is synced).
///
/// As std's `fs::write` (and so tokio's), it is two steps, the open that
/// creates or truncates the file, then the write, each taking the disk's
/// latency: a task reading the file in between sees it empty, as another
/// thread can on Linux (to replace a file whole, write a temporary file
/// and `rename` it over). On an error after the open (a full disk, an
/// injected write error) the file stays truncated, or holds what fit.
///
/// # Errors
///
/// `NotFound` (no parent), `IsADirectory` (a directory, or a path ending
/// with a slash), `PermissionDenied` (an existing file whose mode denies
/// its owner writing: see [`Permissions`](super::Permissions)),
/// `StorageFull` (the disk is full; what fit was written), an injected
/// write error,
/// `ReadOnlyFilesystem` once the disk's journal aborted
/// ([`DiskConfig::journal_error`](super::DiskConfig::journal_error)).
///
/// ```
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// detsim::fs::write("/cfg", "a = 1").await.unwrap();
/// assert_eq!(detsim::fs::read_to_string("/cfg").await.unwrap(), "a = 1");
/// # }).unwrap();
/// ```
pub async fn write(path: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> io::Result<()> {
    let mut file = super::File::create(path).await?;
    file.write_all(contents.as_ref()).await
}

/// Creates a directory.
///
/// # Errors
///
/// `AlreadyExists`, `NotFound` (no parent), `NotADirectory`,
/// `ReadOnlyFilesystem` once the disk's journal aborted
/// ([`DiskConfig::journal_error`](super::DiskConfig::journal_error));
/// an existing path is still `AlreadyExists` then (Linux looks the name
/// up first).
///
/// ```
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// detsim::fs::create_dir("/data").await.unwrap();
/// let e = detsim::fs::create_dir("/data").await.unwrap_err();
/// assert_eq!(e.kind(), std::io::ErrorKind::AlreadyExists);
/// # }).unwrap();
/// ```
pub async fn create_dir(path: impl AsRef<Path>) -> io::Result<()> {
    namespace("detsim::fs::create_dir", 1, path, None, |t, p| t.mkdir(p)).await
}

/// Creates a directory and every missing parent (no error if it exists).
/// It takes std's steps (`mkdir`, and on `NotFound` the parent first,
/// as [`Path::parent`] gives it), so it does what std does on Linux for
/// every path: `"/m/../n"` creates `/m` as well as `/n`.
///
/// # Errors
///
/// `AlreadyExists` if `path` is a file, `NotADirectory` if one of its
/// parents is (std's kinds). The empty path is `Ok`, as with std.
/// `ReadOnlyFilesystem` once the disk's journal aborted
/// ([`DiskConfig::journal_error`](super::DiskConfig::journal_error)),
/// unless `path` exists (an existing directory is still `Ok`, as with
/// std on Linux).
///
/// ```
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// detsim::fs::create_dir_all("/a/b/c").await.unwrap();
/// detsim::fs::create_dir_all("").await.unwrap(); // nothing to create
/// assert!(detsim::fs::metadata("/a/b").await.unwrap().is_dir());
/// # }).unwrap();
/// ```
pub async fn create_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    // std returns at once for the empty path: there is nothing to create
    // (still a detsim API, so still only inside a simulation).
    if path.as_ref().as_os_str().is_empty() {
        Here::current("detsim::fs::create_dir_all");
        return Ok(());
    }
    let written = path.as_ref().to_path_buf();
    namespace("detsim::fs::create_dir_all", 2, path, None, move |t, _| {
        mkdir_all(t, &written, None)
    })
    .await
}

/// std's `create_dir_all`, step for step, so that every path behaves as
/// it does with std on Linux: `mkdir`, and on `NotFound` the parent first
/// (`Path::parent`, which keeps a `..`: `"/m/../n"` creates `/m`, then
/// `/n`); an error on an existing directory is no error.
pub(super) fn mkdir_all(t: &mut Tree, path: &Path, asked: Option<u32>) -> io::Result<()> {
    if path.as_os_str().is_empty() {
        return Ok(());
    }
    let p = SimPath::parse(path)?;
    let is_dir = |t: &Tree| t.lookup(&p).is_ok_and(|ino| t.is_dir(ino));
    match t.mkdir_mode(&p, asked) {
        Ok(()) => return Ok(()),
        Err(e) if e.kind() == ErrorKind::NotFound => match path.parent() {
            Some(parent) => mkdir_all(t, parent, asked)?,
            None => return Err(e),
        },
        // The path itself a file: std passes `mkdir`'s EEXIST on.
        Err(_) if is_dir(t) => return Ok(()),
        Err(e) => return Err(e),
    }
    match t.mkdir_mode(&p, asked) {
        Err(_) if is_dir(t) => Ok(()),
        r => r,
    }
}

/// Removes a file.
///
/// # Errors
///
/// `NotFound`, `IsADirectory`, `NotADirectory` (a parent is a file, or
/// the path ends with a slash: `"/f/"`),
/// `ReadOnlyFilesystem` once the disk's journal aborted
/// ([`DiskConfig::journal_error`](super::DiskConfig::journal_error)).
///
/// ```
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// detsim::fs::write("/f", "").await.unwrap();
/// let e = detsim::fs::remove_file("/f/").await.unwrap_err();
/// assert_eq!(e.kind(), std::io::ErrorKind::NotADirectory);
/// detsim::fs::remove_file("/f").await.unwrap();
/// assert!(!detsim::fs::try_exists("/f").await.unwrap());
/// # }).unwrap();
/// ```
pub async fn remove_file(path: impl AsRef<Path>) -> io::Result<()> {
    namespace("detsim::fs::remove_file", 3, path, None, |t, p| t.unlink(p)).await
}

/// Removes an empty directory.
///
/// # Errors
///
/// `NotFound`, `NotADirectory`, `DirectoryNotEmpty`, `ResourceBusy` for
/// the root; as on Linux, `InvalidInput` for a path ending in `.`
/// (`"/d/."`) and `DirectoryNotEmpty` for one ending in `..`;
/// `ReadOnlyFilesystem` once the disk's journal aborted
/// ([`DiskConfig::journal_error`](super::DiskConfig::journal_error)).
///
/// ```
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// detsim::fs::create_dir_all("/a/b").await.unwrap();
/// let e = detsim::fs::remove_dir("/a").await.unwrap_err();
/// assert_eq!(e.kind(), std::io::ErrorKind::DirectoryNotEmpty);
/// detsim::fs::remove_dir("/a/b").await.unwrap();
/// # }).unwrap();
/// ```
pub async fn remove_dir(path: impl AsRef<Path>) -> io::Result<()> {
    namespace("detsim::fs::remove_dir", 4, path, None, |t, p| {
        t.rmdir(p, false)
    })
    .await
}

/// Removes a directory and everything in it.
///
/// # Errors
///
/// `NotFound`, `NotADirectory`, `ResourceBusy` for the root,
/// `ReadOnlyFilesystem` once the disk's journal aborted
/// ([`DiskConfig::journal_error`](super::DiskConfig::journal_error)).
///
/// ```
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// detsim::fs::create_dir_all("/a/b").await.unwrap();
/// detsim::fs::write("/a/b/f", "x").await.unwrap();
/// detsim::fs::remove_dir_all("/a").await.unwrap();
/// assert!(!detsim::fs::try_exists("/a").await.unwrap());
/// # }).unwrap();
/// ```
pub async fn remove_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    namespace("detsim::fs::remove_dir_all", 5, path, None, |t, p| {
        t.rmdir(p, true)
    })
    .await
}

/// Renames a file or directory, atomically, replacing `to` if it exists
/// (a file by a file, an empty directory by a directory), with POSIX's
/// rules. On a strict disk the rename is durable once both parent
/// directories are synced; with only one synced, a crash loses the file
/// (only the source synced) or keeps it under both names (only the
/// target): see [the example](super#example-a-rename-between-directories).
///
/// # Errors
///
/// `NotFound` (no `from`, or no parent of `to`), `IsADirectory` (a file
/// onto a directory), `NotADirectory` (a directory onto a file, or a file
/// named with a trailing slash on either side),
/// `DirectoryNotEmpty`, `InvalidInput` (a directory into itself),
/// `ResourceBusy` (the root, or a path ending in `.` or `..` on either
/// side, as Linux's EBUSY), `ReadOnlyFilesystem` once the disk's journal aborted
/// ([`DiskConfig::journal_error`](super::DiskConfig::journal_error)).
///
/// ```
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// detsim::fs::write("/tmp.json", "{}").await.unwrap();
/// detsim::fs::rename("/tmp.json", "/state.json").await.unwrap();
/// assert_eq!(detsim::fs::read("/state.json").await.unwrap(), b"{}");
/// # }).unwrap();
/// ```
pub async fn rename(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<()> {
    let to = SimPath::parse(to.as_ref())?;
    namespace("detsim::fs::rename", 6, from, Some(&to), |t, p| {
        t.rename(p, &to)
    })
    .await
}

/// The metadata of a file or directory.
///
/// # Errors
///
/// `NotFound`, `NotADirectory` (a parent is a file, or the path ends with
/// a slash and names a file).
///
/// ```
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// detsim::fs::write("/f", "abc").await.unwrap();
/// assert_eq!(detsim::fs::metadata("/f").await.unwrap().len(), 3);
/// let e = detsim::fs::metadata("/f/").await.unwrap_err();
/// assert_eq!(e.kind(), std::io::ErrorKind::NotADirectory);
/// # }).unwrap();
/// ```
pub async fn metadata(path: impl AsRef<Path>) -> io::Result<Metadata> {
    const API: &str = "detsim::fs::metadata";
    let here = Here::current(API);
    let path = SimPath::parse(path.as_ref())?;
    here.op(API, Cost::Io, |d, _| {
        Ok(stat(&d.tree, d.tree.lookup(&path)?))
    })
    .await
}

/// The metadata of a file or directory without following a final
/// symbolic link, as `lstat`: the simulated disk has no symbolic links,
/// so it is [`metadata`] (and `is_symlink()` is always `false`), here so
/// that code walking a tree the usual way runs unchanged.
///
/// # Errors
///
/// Those of [`metadata`].
///
/// ```
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// detsim::fs::create_dir("/d").await.unwrap();
/// let m = detsim::fs::symlink_metadata("/d").await.unwrap();
/// assert!(m.is_dir() && !m.file_type().is_symlink());
/// # }).unwrap();
/// ```
pub async fn symlink_metadata(path: impl AsRef<Path>) -> io::Result<Metadata> {
    const API: &str = "detsim::fs::symlink_metadata";
    let here = Here::current(API);
    let path = SimPath::parse(path.as_ref())?;
    here.op(API, Cost::Io, |d, _| {
        Ok(stat(&d.tree, d.tree.lookup(&path)?))
    })
    .await
}

/// The absolute path of a file or directory, with `.` and `..` resolved
/// and no repeated or trailing slash, as std's (and tokio's)
/// `canonicalize` (`realpath`) gives it; there are no symlinks to follow.
/// Relative paths start at the root, so `"d/../f"` is `"/f"`.
///
/// # Errors
///
/// `NotFound` (as std, for the empty path too), `NotADirectory` (a
/// parent is a file, a path ending with a slash names a file, or a `..`
/// follows a file, as on Linux).
///
/// ```
/// use std::path::Path;
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// detsim::fs::create_dir_all("/data/wal").await.unwrap();
/// let p = detsim::fs::canonicalize("data/./wal/../wal//").await.unwrap();
/// assert_eq!(p, Path::new("/data/wal"));
/// let e = detsim::fs::canonicalize("/data/missing").await.unwrap_err();
/// assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
/// # }).unwrap();
/// ```
pub async fn canonicalize(path: impl AsRef<Path>) -> io::Result<PathBuf> {
    const API: &str = "detsim::fs::canonicalize";
    let here = Here::current(API);
    let path = SimPath::parse(path.as_ref())?;
    here.op(API, Cost::Io, |d, _| {
        d.tree.lookup(&path)?;
        Ok(path.canonical())
    })
    .await
}

/// Whether a file or directory exists (`Ok(false)` when it is not found).
///
/// # Errors
///
/// Other lookup errors, such as `NotADirectory`.
///
/// ```
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// assert!(detsim::fs::try_exists("/").await.unwrap());
/// assert!(!detsim::fs::try_exists("/nope").await.unwrap());
/// # }).unwrap();
/// ```
pub async fn try_exists(path: impl AsRef<Path>) -> io::Result<bool> {
    match metadata(path).await {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// Syncs a directory: its entries (files created, renamed or removed in
/// it) become durable. The same as opening the directory with
/// [`File::open`](super::File::open) and calling `sync_all`. Under
/// [`Namespace::Journal`] it commits every
/// namespace change made before it, in every directory, if the directory
/// changed since the last commit, as any sync does.
///
/// # Errors
///
/// `NotFound`, `NotADirectory`, an injected sync error (the entries
/// changed since the directory's last sync are then lost on a crash,
/// even if a later sync succeeds, as a file's writes are); as any sync,
/// an injected journal commit error (the journal aborts, see
/// [`DiskConfig::journal_error`](super::DiskConfig::journal_error)) and
/// then `ReadOnlyFilesystem`.
///
/// ```
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// use detsim::fs;
/// fs::create_dir("/wal").await.unwrap();
/// fs::sync_dir("/").await.unwrap(); // "/wal" survives a crash now
/// # }).unwrap();
/// ```
pub async fn sync_dir(path: impl AsRef<Path>) -> io::Result<()> {
    const API: &str = "detsim::fs::sync_dir";
    let here = Here::current(API);
    let path = SimPath::parse(path.as_ref())?;
    here.op(API, Cost::Sync, |d, c| {
        let ino = d.tree.lookup(&path)?;
        if !d.tree.is_dir(ino) {
            return Err(err(ErrorKind::NotADirectory, &path, "not a directory"));
        }
        sync(d, c, here.node, ino, &path.to_string(), None, true)
    })
    .await
}
