//! [`hard_link`] and [`copy`]: a second name for a file, and a second
//! file with its contents; each hooked into the crash model as the
//! operations it is made of (a name, a write).

use std::io;
use std::path::Path;

use super::faults::NAMESPACE;
use super::ops::{Cost, Here};
use super::path::SimPath;
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
