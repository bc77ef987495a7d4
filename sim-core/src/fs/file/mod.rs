//! [`File`]: an open file (or directory) on a node's simulated disk.

use std::fmt;
use std::io::{self, ErrorKind, SeekFrom};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use futures::io::{AsyncReadExt, AsyncWriteExt};

use super::config::DiskConfig;
use super::faults::{self, Fault, WRITE};
use super::metadata::Metadata;
use super::ops::{self, Cost, Here};
use super::options::OpenOptions;
use super::permissions::{self, Permissions};
use super::state::{Disks, NodeDisk, stale};
use super::tree::Ino;
use crate::ext;

mod poll;

/// An open file on the simulated disk of the node that opened it, shaped
/// like `tokio::fs::File`: futures' [`AsyncRead`](futures::io::AsyncRead), [`AsyncWrite`](futures::io::AsyncWrite) and
/// [`AsyncSeek`](futures::io::AsyncSeek), positional [`read_at`](File::read_at) /
/// [`write_at`](File::write_at), and convenient inherent async methods.
///
/// Writes land in the file at once (every handle and reader sees them)
/// but are volatile: a crash loses them unless
/// [`sync_data`](File::sync_data) or [`sync_all`](File::sync_all)
/// returned `Ok` after them. `flush` does nothing (there is no user-space
/// buffer). A handle opened before its disk crashed fails every operation
/// with `StaleNetworkFileHandle` (ESTALE); open the file again.
///
/// A `File` is plain data (`Send`): it belongs to its simulation and its
/// node's disk, whichever task uses it.
///
/// # Example
///
/// ```
/// use detsim::fs::File;
///
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// let mut log = File::create("/log").await.unwrap();
/// log.write_all(b"record 1\n").await.unwrap();
/// log.sync_data().await.unwrap(); // durable from here on
/// let mut text = String::new();
/// File::open("/log").await.unwrap().read_to_string(&mut text).await.unwrap();
/// assert_eq!(text, "record 1\n");
/// # }).unwrap();
/// ```
pub struct File {
    here: Here,
    ino: Ino,
    incarnation: u64,
    /// Shared with the handles [`try_clone`](File::try_clone) made.
    desc: Arc<Desc>,
    read: bool,
    write: bool,
    append: bool,
    /// The latency of the operation in progress (poll-based I/O).
    delay: Option<sim_clock::Sleep>,
}

/// What an open shares with the handles cloned from it: Linux's open file
/// description (`dup`).
#[derive(Debug)]
struct Desc {
    /// The path the file was opened with (normalized).
    path: String,
    /// The cursor.
    pos: AtomicU64,
    /// The failed syncs of the file this description has reported (or
    /// that happened before it was opened): Linux's per-description
    /// errseq_t.
    seen: AtomicU64,
}

const API: &str = "detsim::fs::File";

impl File {
    pub(crate) fn new(
        here: Here,
        ino: Ino,
        incarnation: u64,
        seen: u64,
        path: String,
        o: &OpenOptions,
    ) -> File {
        File {
            here,
            ino,
            incarnation,
            desc: Arc::new(Desc {
                path,
                pos: AtomicU64::new(0),
                seen: AtomicU64::new(seen),
            }),
            read: o.read,
            write: o.write || o.append,
            append: o.append,
            delay: None,
        }
    }

    /// The path the file was opened with, for messages.
    fn name(&self) -> &str {
        &self.desc.path
    }

    /// The cursor (shared with the handles cloned from this one).
    fn pos(&self) -> u64 {
        self.desc.pos.load(Ordering::Relaxed)
    }

    fn set_pos(&self, pos: u64) {
        self.desc.pos.store(pos, Ordering::Relaxed);
    }

    /// Opens a file (or a directory, to sync it) read-only.
    ///
    /// # Errors
    ///
    /// `NotFound`, `NotADirectory` (a parent is a file, or the path ends
    /// with a slash and names a file), `PermissionDenied` (a file whose
    /// mode denies its owner reading: see
    /// [`Permissions`]).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let e = detsim::fs::File::open("/missing").await.unwrap_err();
    /// assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
    /// # }).unwrap();
    /// ```
    pub async fn open(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new().read(true).open(path).await
    }

    /// Opens a file write-only, creating it or truncating it.
    ///
    /// # Errors
    ///
    /// `NotFound` (no parent), `IsADirectory` (a directory, or a path
    /// ending with a slash), `PermissionDenied` (an existing file whose
    /// mode denies its owner writing: see
    /// [`Permissions`]), `ReadOnlyFilesystem` once the
    /// disk's journal aborted
    /// ([`DiskConfig::journal_error`](super::DiskConfig::journal_error)).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let f = detsim::fs::File::create("/new").await.unwrap();
    /// assert_eq!(f.metadata().await.unwrap().len(), 0);
    /// # }).unwrap();
    /// ```
    pub async fn create(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .await
    }

    /// Creates a new file, read-write, failing if it exists.
    ///
    /// # Errors
    ///
    /// `AlreadyExists`, `NotFound` (no parent), `ReadOnlyFilesystem` once
    /// the disk's journal aborted
    /// ([`DiskConfig::journal_error`](super::DiskConfig::journal_error)).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// detsim::fs::File::create_new("/lock").await.unwrap();
    /// let e = detsim::fs::File::create_new("/lock").await.unwrap_err();
    /// assert_eq!(e.kind(), std::io::ErrorKind::AlreadyExists);
    /// # }).unwrap();
    /// ```
    pub async fn create_new(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(path)
            .await
    }

    /// An [`OpenOptions`] to open a file with.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let f = detsim::fs::File::options().append(true).create(true).open("/log").await.unwrap();
    /// # drop(f);
    /// # }).unwrap();
    /// ```
    pub fn options() -> OpenOptions {
        OpenOptions::new()
    }

    /// Runs `f` on the file's disk, unless the handle is stale.
    fn with<R>(
        &self,
        f: impl FnOnce(&mut NodeDisk, &DiskConfig) -> io::Result<R>,
    ) -> io::Result<R> {
        self.here.with(API, |d, c| {
            if d.incarnation != self.incarnation {
                return Err(stale(self.name()));
            }
            f(d, c)
        })
    }

    fn denied(&self, what: &str) -> io::Error {
        io::Error::new(
            ErrorKind::PermissionDenied,
            format!(
                "{}: the file was not opened for {what} (EBADF): open it with OpenOptions::{what}(true)",
                self.name()
            ),
        )
    }

    /// Reads at `at` into `buf` (access checked by the caller).
    fn read_on(
        &self,
        d: &mut NodeDisk,
        c: &DiskConfig,
        buf: &mut [u8],
        at: u64,
    ) -> io::Result<usize> {
        let (node, ino) = (self.here.node, self.ino);
        if d.tree.is_dir(ino) {
            return Err(io::Error::new(
                ErrorKind::IsADirectory,
                format!("{}: is a directory", self.name()),
            ));
        }
        ops::read_fault(d, c, node, self.name())?;
        let n = d
            .tree
            .content(ino)
            .map_or(0, |content| content.read(at, buf));
        ops::read_done(d, c, node, ino, &mut buf[..n]);
        Ok(n)
    }

    /// Writes `buf` at `at` (`None`: the cursor, or the end in append
    /// mode; access checked by the caller); returns where it wrote and
    /// how much.
    fn write_on(
        &self,
        d: &mut NodeDisk,
        c: &DiskConfig,
        buf: &[u8],
        at: Option<u64>,
    ) -> io::Result<(u64, usize)> {
        let (node, ino) = (self.here.node, self.ino);
        let offset = match at {
            Some(o) => o,
            None if self.append => d.tree.content(ino).map_or(0, |c| c.len()),
            None => self.pos(),
        };
        let n = ops::write_at(d, c, node, ino, offset, buf, self.name())?;
        Ok((offset, n))
    }

    /// Reads up to `buf.len()` bytes at `offset`, leaving the cursor alone
    /// (`pread`); returns 0 at or past the end.
    ///
    /// # Errors
    ///
    /// Not opened for reading (`PermissionDenied`), `IsADirectory`, an
    /// injected read error (kind `Other`), a stale handle.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// detsim::fs::write("/f", "hello").await.unwrap();
    /// let f = detsim::fs::File::open("/f").await.unwrap();
    /// let mut buf = [0; 3];
    /// assert_eq!(f.read_at(&mut buf, 2).await.unwrap(), 3);
    /// assert_eq!(&buf, b"llo");
    /// # }).unwrap();
    /// ```
    pub async fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        if !self.read {
            return Err(self.denied("read"));
        }
        self.here.wait(API, Cost::Io).await;
        self.with(|d, c| self.read_on(d, c, buf, offset))
    }

    /// Reads exactly `buf.len()` bytes at `offset`.
    ///
    /// # Errors
    ///
    /// As [`read_at`](File::read_at), and `UnexpectedEof` past the end.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// detsim::fs::write("/f", "hello").await.unwrap();
    /// let f = detsim::fs::File::open("/f").await.unwrap();
    /// let mut buf = [0; 4];
    /// f.read_exact_at(&mut buf, 1).await.unwrap();
    /// assert_eq!(&buf, b"ello");
    /// let e = f.read_exact_at(&mut buf, 3).await.unwrap_err();
    /// assert_eq!(e.kind(), std::io::ErrorKind::UnexpectedEof);
    /// # }).unwrap();
    /// ```
    pub async fn read_exact_at(&self, mut buf: &mut [u8], mut offset: u64) -> io::Result<()> {
        while !buf.is_empty() {
            match self.read_at(buf, offset).await? {
                0 => {
                    return Err(io::Error::new(
                        ErrorKind::UnexpectedEof,
                        format!("{}: failed to fill whole buffer", self.name()),
                    ));
                }
                n => {
                    buf = &mut buf[n..];
                    offset += n as u64;
                }
            }
        }
        Ok(())
    }

    /// Writes `buf` at `offset`, leaving the cursor alone (`pwrite`; even
    /// in append mode it writes at `offset`); returns the bytes written
    /// (fewer when the disk fills).
    ///
    /// # Errors
    ///
    /// Not opened for writing (`PermissionDenied`), `StorageFull`, an
    /// injected write error (nothing written), a stale handle,
    /// `ReadOnlyFilesystem` once the disk's journal aborted
    /// ([`DiskConfig::journal_error`](super::DiskConfig::journal_error)).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let f = detsim::fs::File::create("/f").await.unwrap();
    /// assert_eq!(f.write_at(b"xy", 3).await.unwrap(), 2);
    /// assert_eq!(detsim::fs::read("/f").await.unwrap(), b"\0\0\0xy");
    /// # }).unwrap();
    /// ```
    pub async fn write_at(&self, buf: &[u8], offset: u64) -> io::Result<usize> {
        if !self.write {
            return Err(self.denied("write"));
        }
        self.here.wait(API, Cost::Io).await;
        Ok(self.with(|d, c| self.write_on(d, c, buf, Some(offset)))?.1)
    }

    /// Writes all of `buf` at `offset`.
    ///
    /// # Errors
    ///
    /// As [`write_at`](File::write_at); `StorageFull` after writing what
    /// fits.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let f = detsim::fs::File::create("/f").await.unwrap();
    /// f.write_all_at(b"abc", 0).await.unwrap();
    /// assert_eq!(f.metadata().await.unwrap().len(), 3);
    /// # }).unwrap();
    /// ```
    pub async fn write_all_at(&self, mut buf: &[u8], mut offset: u64) -> io::Result<()> {
        while !buf.is_empty() {
            let n = self.write_at(buf, offset).await?;
            buf = &buf[n..];
            offset += n as u64;
        }
        Ok(())
    }

    /// Truncates or extends (with zeros) the file to `size` bytes; the
    /// cursor stays. Volatile until synced, like a write.
    ///
    /// # Errors
    ///
    /// Not opened for writing (`InvalidInput`, as std gives), an injected
    /// write error, a stale handle, `ReadOnlyFilesystem` once the disk's
    /// journal aborted
    /// ([`DiskConfig::journal_error`](super::DiskConfig::journal_error)).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let f = detsim::fs::File::create("/f").await.unwrap();
    /// f.set_len(10).await.unwrap();
    /// assert_eq!(f.metadata().await.unwrap().len(), 10);
    /// f.set_len(4).await.unwrap();
    /// assert_eq!(f.metadata().await.unwrap().len(), 4);
    /// # }).unwrap();
    /// ```
    pub async fn set_len(&self, size: u64) -> io::Result<()> {
        if !self.write {
            return Err(io::Error::new(
                ErrorKind::InvalidInput,
                format!(
                    "{}: set_len needs a file opened for writing: open it with OpenOptions::write(true)",
                    self.name()
                ),
            ));
        }
        self.here.wait(API, Cost::Io).await;
        let (node, ino) = (self.here.node, self.ino);
        self.with(|d, c| {
            d.writable(self.name())?;
            if faults::happens(c.write_error) {
                d.stats.faults.write_errors += 1;
                faults::fault_event(node, Fault::Write);
                return Err(faults::injected("write", self.name()));
            }
            d.tree
                .set_len(ino, size, c.logs_writes())
                .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", self.name())))?;
            ext::event(
                &WRITE,
                ino ^ (u64::from(node) << 48),
                size ^ (u64::MAX << 40),
            );
            Ok(())
        })
    }

    /// Makes the file's contents, size and times durable (`fsync`); on a
    /// directory opened with [`File::open`], makes its entries durable.
    /// It does not make the file's name durable: on a strict disk, sync
    /// the parent directory for that. Under
    /// [`Namespace::Journal`](super::Namespace::Journal) it first commits
    /// every namespace change made before it (the file's name included)
    /// if the file changed since the last commit, as ext4's `fsync` does.
    ///
    /// # Errors
    ///
    /// An injected sync error (kind `Other`): the changes not synced are
    /// lost on a crash, even if a later sync succeeds (Linux's rule; see
    /// [the durability model](super#the-durability-model)). The same
    /// error, once, if a sync of this file through another handle failed
    /// since this one was opened or last reported one. A stale handle.
    /// Under [`Namespace::Journal`](super::Namespace::Journal), an
    /// injected journal commit error (kind `Other`; see
    /// [`DiskConfig::journal_error`](super::DiskConfig::journal_error)):
    /// the journal aborted, nothing became durable, and every later
    /// change and sync fails with `ReadOnlyFilesystem` until the disk
    /// crashes (the node restarts).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let mut f = detsim::fs::File::create("/f").await.unwrap();
    /// f.write_all(b"x").await.unwrap();
    /// f.sync_all().await.unwrap();
    /// detsim::fs::File::open("/").await.unwrap().sync_all().await.unwrap();
    /// # }).unwrap();
    /// ```
    pub async fn sync_all(&self) -> io::Result<()> {
        self.sync(true).await
    }

    /// Makes the file's contents and size durable (`fdatasync`): as
    /// [`sync_all`](File::sync_all), except that the file's times are
    /// not made durable (a crash may bring back older ones), as Linux's
    /// `fdatasync` skips them. (Under
    /// [`Namespace::Journal`](super::Namespace::Journal) the commit it
    /// makes carries them, as ext4's journal does.)
    ///
    /// # Errors
    ///
    /// As [`sync_all`](File::sync_all).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let f = detsim::fs::File::create("/f").await.unwrap();
    /// f.write_all_at(b"x", 0).await.unwrap();
    /// f.sync_data().await.unwrap();
    /// # }).unwrap();
    /// ```
    pub async fn sync_data(&self) -> io::Result<()> {
        self.sync(false).await
    }

    /// `fsync` (`attrs`) or `fdatasync`.
    async fn sync(&self, attrs: bool) -> io::Result<()> {
        self.here.wait(API, Cost::Sync).await;
        let (node, ino) = (self.here.node, self.ino);
        let seen = Some(&self.desc.seen);
        self.with(|d, c| ops::sync(d, c, node, ino, self.name(), seen, attrs))
    }

    /// The file's metadata.
    ///
    /// # Errors
    ///
    /// A stale handle.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let f = detsim::fs::File::create("/f").await.unwrap();
    /// assert!(f.metadata().await.unwrap().is_file());
    /// # }).unwrap();
    /// ```
    pub async fn metadata(&self) -> io::Result<Metadata> {
        self.here.wait(API, Cost::Io).await;
        self.with(|d, _| Ok(ops::stat(&d.tree, self.ino)))
    }

    /// Sets the file's permissions (`fchmod`), whatever access the handle
    /// has; as [`set_permissions`](super::set_permissions) (only the
    /// permission bits are kept; durable with the next
    /// [`sync_all`](File::sync_all)).
    ///
    /// # Errors
    ///
    /// A stale handle, `ReadOnlyFilesystem` once the disk's journal
    /// aborted
    /// ([`DiskConfig::journal_error`](super::DiskConfig::journal_error)).
    ///
    /// ```
    /// use detsim::fs::{File, Permissions};
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let f = File::create("/key").await.unwrap();
    /// f.set_permissions(Permissions::from_mode(0o600)).await.unwrap();
    /// f.sync_all().await.unwrap(); // the mode is durable
    /// assert_eq!(f.metadata().await.unwrap().permissions().mode(), 0o100600);
    /// # }).unwrap();
    /// ```
    pub async fn set_permissions(&self, perm: impl Into<Permissions>) -> io::Result<()> {
        let perm = perm.into();
        self.here.wait(API, Cost::Io).await;
        let (node, ino) = (self.here.node, self.ino);
        self.with(|d, _| permissions::chmod(d, node, ino, perm, self.name()))
    }

    /// A second handle to the same open file, as tokio's `try_clone`
    /// (`dup`): both share the cursor (a read, write or seek through one
    /// moves it for the other), the access mode and what a failed sync
    /// reports (each failure once, to one of them). The file stays open
    /// until both are dropped. No latency and no draw: nothing reaches the
    /// disk.
    ///
    /// # Errors
    ///
    /// A stale handle (opened before its disk crashed).
    ///
    /// ```
    /// use std::io::SeekFrom;
    /// use detsim::fs::File;
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// detsim::fs::write("/f", "abcdef").await.unwrap();
    /// let mut a = File::open("/f").await.unwrap();
    /// let mut b = a.try_clone().await.unwrap();
    /// let mut buf = [0; 2];
    /// a.read_exact(&mut buf).await.unwrap();
    /// assert_eq!(b.seek(SeekFrom::Current(0)).await.unwrap(), 2, "one cursor");
    /// b.read_exact(&mut buf).await.unwrap();
    /// assert_eq!(&buf, b"cd");
    /// # }).unwrap();
    /// ```
    pub async fn try_clone(&self) -> io::Result<File> {
        let ino = self.ino;
        self.with(|d, _| {
            // The sync failures so far are the description's to report.
            d.tree.open_handle(ino);
            Ok(())
        })?;
        Ok(File {
            here: self.here,
            ino,
            incarnation: self.incarnation,
            desc: self.desc.clone(),
            read: self.read,
            write: self.write,
            append: self.append,
            delay: None,
        })
    }

    /// Reads at the cursor (see [`AsyncRead`](futures::io::AsyncRead)).
    ///
    /// # Errors
    ///
    /// As [`read_at`](File::read_at).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// detsim::fs::write("/f", "ab").await.unwrap();
    /// let mut f = detsim::fs::File::open("/f").await.unwrap();
    /// let mut buf = [0; 8];
    /// assert_eq!(f.read(&mut buf).await.unwrap(), 2);
    /// assert_eq!(f.read(&mut buf).await.unwrap(), 0);
    /// # }).unwrap();
    /// ```
    pub async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        AsyncReadExt::read(self, buf).await
    }

    /// Reads exactly `buf.len()` bytes at the cursor.
    ///
    /// # Errors
    ///
    /// As [`read_at`](File::read_at), and `UnexpectedEof`.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// detsim::fs::write("/f", "abc").await.unwrap();
    /// let mut f = detsim::fs::File::open("/f").await.unwrap();
    /// let mut buf = [0; 2];
    /// f.read_exact(&mut buf).await.unwrap();
    /// assert_eq!(&buf, b"ab");
    /// # }).unwrap();
    /// ```
    pub async fn read_exact(&mut self, buf: &mut [u8]) -> io::Result<()> {
        AsyncReadExt::read_exact(self, buf).await
    }

    /// Reads from the cursor to the end, appending to `buf`.
    ///
    /// # Errors
    ///
    /// As [`read_at`](File::read_at).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// detsim::fs::write("/f", "abc").await.unwrap();
    /// let mut v = Vec::new();
    /// detsim::fs::File::open("/f").await.unwrap().read_to_end(&mut v).await.unwrap();
    /// assert_eq!(v, b"abc");
    /// # }).unwrap();
    /// ```
    pub async fn read_to_end(&mut self, buf: &mut Vec<u8>) -> io::Result<usize> {
        AsyncReadExt::read_to_end(self, buf).await
    }

    /// Reads from the cursor to the end as UTF-8, appending to `buf`.
    ///
    /// # Errors
    ///
    /// As [`read_at`](File::read_at), and `InvalidData`.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// detsim::fs::write("/f", "abc").await.unwrap();
    /// let mut s = String::new();
    /// detsim::fs::File::open("/f").await.unwrap().read_to_string(&mut s).await.unwrap();
    /// assert_eq!(s, "abc");
    /// # }).unwrap();
    /// ```
    pub async fn read_to_string(&mut self, buf: &mut String) -> io::Result<usize> {
        AsyncReadExt::read_to_string(self, buf).await
    }

    /// Writes at the cursor (at the end in append mode; see
    /// [`AsyncWrite`](futures::io::AsyncWrite)); returns the bytes written.
    ///
    /// # Errors
    ///
    /// As [`write_at`](File::write_at).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let mut f = detsim::fs::File::create("/f").await.unwrap();
    /// assert_eq!(f.write(b"abc").await.unwrap(), 3);
    /// # }).unwrap();
    /// ```
    pub async fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        AsyncWriteExt::write(self, buf).await
    }

    /// Writes all of `buf` at the cursor.
    ///
    /// # Errors
    ///
    /// As [`write_at`](File::write_at); `StorageFull` after writing what
    /// fits.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let mut f = detsim::fs::File::create("/f").await.unwrap();
    /// f.write_all(b"abc").await.unwrap();
    /// # }).unwrap();
    /// ```
    pub async fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        AsyncWriteExt::write_all(self, buf).await
    }

    /// Moves the cursor; returns the new position. Seeking past the end is
    /// allowed (a later write leaves a hole of zeros).
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a position before the start, a stale handle.
    ///
    /// ```
    /// use std::io::SeekFrom;
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// detsim::fs::write("/f", "abcdef").await.unwrap();
    /// let mut f = detsim::fs::File::open("/f").await.unwrap();
    /// assert_eq!(f.seek(SeekFrom::End(-2)).await.unwrap(), 4);
    /// let mut s = String::new();
    /// f.read_to_string(&mut s).await.unwrap();
    /// assert_eq!(s, "ef");
    /// # }).unwrap();
    /// ```
    pub async fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        futures::io::AsyncSeekExt::seek(self, pos).await
    }

    /// The path the file was opened with (normalized).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// detsim::fs::create_dir("/data").await.unwrap();
    /// let f = detsim::fs::File::create("data/./x").await.unwrap();
    /// assert_eq!(f.path(), std::path::Path::new("/data/x"));
    /// # }).unwrap();
    /// ```
    pub fn path(&self) -> &Path {
        Path::new(self.name())
    }
}

impl Drop for File {
    fn drop(&mut self) {
        if let Some(disks) = ext::try_get_for::<Disks>(self.here.instance) {
            disks.close(self.here.node, self.ino, self.incarnation);
        }
    }
}

impl fmt::Debug for File {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("File")
            .field("path", &self.name())
            .field("pos", &self.pos())
            .field("read", &self.read)
            .field("write", &self.write)
            .field("append", &self.append)
            .finish()
    }
}
