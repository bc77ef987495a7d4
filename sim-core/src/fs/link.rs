//! [`hard_link`] and [`copy`]: a second name for a file, and a second
//! file with its contents; each hooked into the crash model as the
//! operations it is made of (a name; an open that creates or truncates,
//! and a write).

use std::io::{self, ErrorKind};
use std::path::Path;

use super::faults::NAMESPACE;
use super::ops::{self, Cost, Here};
use super::path::SimPath;
use super::tree::err;
use crate::ext;

/// Makes `link` a second name for the file `original` (`link(2)`), as
/// std's and tokio's `hard_link`: both names are the same file (its
/// contents, size, times and permissions), which lives until both are
/// removed.
///
/// # Crash semantics
///
/// The new name is a namespace change, as a file's creation is: on a
/// [`Namespace::Strict`](super::Namespace::Strict) disk it is durable
/// once `link`'s directory is synced ([`sync_dir`](super::sync_dir)); at
/// once on a [`Relaxed`](super::Namespace::Relaxed) one; under
/// [`Journal`](super::Namespace::Journal), at the next commit (a sync of
/// the file or of that directory commits it). Linking makes nothing else
/// durable: not the file's unsynced data (which both names share, so a
/// sync through either makes it durable), nor `original`'s own name if it
/// was not durable yet. After a crash the file is under the names whose
/// directories were synced: only `link` if only its directory was synced
/// (the "write a temporary file, link it to its final name" pattern needs
/// the file synced and the final name's directory synced, as a rename
/// does).
///
/// # Errors
///
/// As std on Linux, in Linux's order: `NotFound` (no `original`, no
/// parent of `link`, or a `link` ending with a slash), `NotADirectory` (a
/// parent is a file, or `original` ends with a slash and names a file),
/// `AlreadyExists` (`link` exists, or ends in `.` or `..`),
/// `ReadOnlyFilesystem` once the disk's journal aborted
/// ([`DiskConfig::journal_error`](super::DiskConfig::journal_error)),
/// `PermissionDenied` (`original` is a directory: Linux's EPERM).
///
/// ```
/// use detsim::fs::{self, Disk};
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// fs::create_dir("/snap").await.unwrap();
/// fs::sync_dir("/").await.unwrap(); // "/snap" is durable
/// fs::write("/segment-7", "records").await.unwrap();
/// fs::File::open("/segment-7").await.unwrap().sync_all().await.unwrap();
/// fs::hard_link("/segment-7", "/snap/segment-7").await.unwrap();
/// fs::sync_dir("/snap").await.unwrap(); // the new name is durable...
/// Disk::current().crash(); // ...the original one was not ("/" not synced since)
/// assert_eq!(fs::read("/snap/segment-7").await.unwrap(), b"records");
/// assert!(!fs::try_exists("/segment-7").await.unwrap());
/// # }).unwrap();
/// ```
pub async fn hard_link(original: impl AsRef<Path>, link: impl AsRef<Path>) -> io::Result<()> {
    const API: &str = "detsim::fs::hard_link";
    let here = Here::current(API);
    let from = SimPath::parse(original.as_ref())?;
    let to = SimPath::parse(link.as_ref())?;
    here.op(API, Cost::Io, |d, _| {
        let read_only = d.writable(&to.to_string()).err();
        let ino = d.tree.link(&from, &to, read_only)?;
        ext::event(&NAMESPACE, u64::from(here.node), 8 ^ (ino << 8));
        Ok(())
    })
    .await
}

/// Copies the contents of the file `from` to `to`, creating `to` or
/// truncating it, and gives `to` the permissions of `from`, as std's (and
/// tokio's) `copy` on Linux; returns the bytes copied. It reads `from` as
/// it is now, unsynced writes included (a copy reads the page cache).
///
/// As with std on Linux, copying a file onto itself (the same path, or
/// another name of it) empties it: `to` is truncated before `from` is
/// read, and 0 bytes are copied.
///
/// It costs one I/O latency and draws what a read of `from` and a write
/// to `to` draw, with their faults: an injected read error fails it after
/// `to` was created or truncated (empty, as std leaves it), a read
/// corruption flips a bit of what is written to `to`, an injected write
/// error writes nothing, and a full disk writes what fits.
///
/// # Crash semantics
///
/// A copy is an open of `to` that creates or truncates it, and a write:
/// the copied data (and the mode) is volatile until `to` is synced
/// ([`File::sync_all`](super::File::sync_all)), and a new `to`'s name
/// until its directory is synced, as for any new file (see [the
/// durability model](super#the-durability-model)); with
/// [`DiskConfig::torn_writes`](super::DiskConfig::torn_writes) a crash
/// may keep part of it. Copying makes nothing about `from` durable, and a
/// copy of unsynced data, synced under `to`, survives a crash that loses
/// it under `from`.
///
/// # Errors
///
/// As std on Linux, the source's first: `NotFound`, `NotADirectory` (a
/// parent is a file, or a path ends with a slash and names a file),
/// `PermissionDenied` (`from` unreadable, or an existing `to` not
/// writable, by its owner: see [`Permissions`](super::Permissions)),
/// `InvalidInput` (`from` is a directory), `IsADirectory` (`to` is a
/// directory, or ends with a slash), `StorageFull` (after writing what
/// fits), an injected read or write error (kind `Other`),
/// `ReadOnlyFilesystem` once the disk's journal aborted
/// ([`DiskConfig::journal_error`](super::DiskConfig::journal_error)).
///
/// ```
/// use detsim::fs::{self, File, Permissions};
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// fs::write("/config", "port = 80").await.unwrap();
/// fs::set_permissions("/config", Permissions::from_mode(0o600)).await.unwrap();
/// assert_eq!(fs::copy("/config", "/config.bak").await.unwrap(), 9);
/// assert_eq!(fs::read("/config.bak").await.unwrap(), b"port = 80");
/// let mode = fs::metadata("/config.bak").await.unwrap().permissions().mode();
/// assert_eq!(mode, 0o100600);
/// File::open("/config.bak").await.unwrap().sync_all().await.unwrap(); // durable
/// # }).unwrap();
/// ```
pub async fn copy(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<u64> {
    const API: &str = "detsim::fs::copy";
    let here = Here::current(API);
    let from = SimPath::parse(from.as_ref())?;
    let to = SimPath::parse(to.as_ref())?;
    here.op(API, Cost::Io, |d, c| {
        // std's order: open the source (it must be a regular file), then
        // the target, then copy.
        let src = d.tree.lookup(&from)?;
        d.tree.check_access(&from, src, true, false)?;
        if d.tree.is_dir(src) {
            return Err(err(
                ErrorKind::InvalidInput,
                &from,
                "the source path is neither a regular file nor a symlink to a regular file \
                 (it is a directory)",
            ));
        }
        let shown = to.to_string();
        let dst = ops::open_truncating(d, c, &to, &shown)?;
        // std's fchmod of the target, before the data.
        let bits = d.tree.attrs(src).mode;
        d.tree.set_mode(dst, bits);
        ext::event(&NAMESPACE, u64::from(here.node), 9 ^ (dst << 8));
        // Read after the target's truncation: onto itself, nothing.
        let len = d.tree.content(src).map_or(0, |content| content.len());
        let mut buf = vec![0; len as usize];
        if let Some(content) = d.tree.content(src) {
            content.read(0, &mut buf);
        }
        ops::read_fault(d, c, here.node, &from.to_string())?;
        ops::read_done(d, c, here.node, src, &mut buf);
        let n = ops::write_at(d, c, here.node, dst, 0, &buf, &shown)?;
        if n < buf.len() {
            return Err(io::Error::new(
                ErrorKind::StorageFull,
                format!(
                    "{shown}: no space left on device after {n} of {} bytes",
                    buf.len()
                ),
            ));
        }
        Ok(n as u64)
    })
    .await
}
