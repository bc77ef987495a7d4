//! [`Metadata`] and [`FileType`]: what `stat` says about a file.
//!
//! The simulated disk has regular files and directories only (no
//! symlinks). Its times are on the simulation's clock.

use std::future::{self, IntoFuture, Ready};
use std::io;

use sim_clock::SystemTime;

use super::permissions::Permissions;

/// A regular file or a directory.
///
/// Awaiting a `FileType` gives `Ok` of it (`IntoFuture`), so that code
/// ported from tokio, whose `DirEntry::file_type` is `async` and returns
/// a `Result`, compiles unchanged: `entry.file_type().await?.is_dir()`.
///
/// ```
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// detsim::fs::create_dir("/d").await.unwrap();
/// let t = detsim::fs::metadata("/d").await.unwrap().file_type();
/// assert!(t.is_dir() && !t.is_file());
/// # }).unwrap();
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FileType {
    pub(crate) dir: bool,
}

impl FileType {
    /// Whether it is a directory.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// assert!(detsim::fs::metadata("/").await.unwrap().file_type().is_dir());
    /// # }).unwrap();
    /// ```
    pub fn is_dir(&self) -> bool {
        self.dir
    }

    /// Whether it is a regular file.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// detsim::fs::write("/f", "x").await.unwrap();
    /// assert!(detsim::fs::metadata("/f").await.unwrap().file_type().is_file());
    /// # }).unwrap();
    /// ```
    pub fn is_file(&self) -> bool {
        !self.dir
    }

    /// Whether it is a symbolic link: never, as the simulated disk has
    /// none (std's method, for code that checks).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// assert!(!detsim::fs::metadata("/").await.unwrap().file_type().is_symlink());
    /// # }).unwrap();
    /// ```
    pub fn is_symlink(&self) -> bool {
        false
    }
}

/// `Ok(self)`, at once: tokio's `DirEntry::file_type().await?` shape.
///
/// ```
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// detsim::fs::write("/f", "").await.unwrap();
/// let mut dir = detsim::fs::read_dir("/").await.unwrap();
/// while let Some(entry) = dir.next_entry().await.unwrap() {
///     assert!(entry.file_type().await.unwrap().is_file());
/// }
/// # }).unwrap();
/// ```
impl IntoFuture for FileType {
    type Output = io::Result<FileType>;
    type IntoFuture = Ready<io::Result<FileType>>;

    fn into_future(self) -> Self::IntoFuture {
        future::ready(Ok(self))
    }
}

/// Metadata of a file or directory: its type, size and times.
///
/// # Times
///
/// The times are the simulation's wall clock
/// ([`detsim::time::SystemTime`](sim_clock::SystemTime): its epoch plus
/// the virtual time), read when the change happened, so a seed gives the
/// same times on every run. Where tokio returns `std::time::SystemTime`,
/// these are detsim's: compare them with `detsim::time::SystemTime::now()`
/// (std's reads the host's clock), and convert with
/// [`into_std`](sim_clock::SystemTime::into_std) for an API that takes
/// std's. Two changes at the same virtual instant (no
/// `sleep` or disk latency between them) get the same time, as on a file
/// system whose clock ticks coarsely: code that detects changes by
/// modification time must allow for that, as on Linux. They follow Linux
/// (ext4):
///
/// * [`modified`](Metadata::modified): a write of at least one byte,
///   `set_len` (even to the same size, as `ftruncate`), an open that
///   truncates (even an empty file); for a directory, an entry created,
///   removed or renamed in it. A rename does not change the moved file's.
/// * [`accessed`](Metadata::accessed): Linux's default `relatime`: a read
///   ([`read`](super::read), a [`File`](super::File) read, a
///   [`read_dir`](super::read_dir) listing) sets it to now if it is not
///   later than the modification time, or is a day old.
/// * [`created`](Metadata::created): when the file or directory was made
///   (`statx`'s birth time). Truncating or replacing the contents of an
///   existing file keeps it; the root was made when the simulation
///   started.
///
/// Like the size, the times (and the permissions) are durable once the
/// file is synced with [`sync_all`](super::File::sync_all) (a directory:
/// once synced); a crash brings back the times of the last sync (see
/// [the durability model](super#the-durability-model)).
///
/// ```
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// detsim::fs::write("/f", "hello").await.unwrap();
/// let m = detsim::fs::metadata("/f").await.unwrap();
/// assert_eq!((m.len(), m.is_file()), (5, true));
/// assert_eq!(m.modified().unwrap(), detsim::time::SystemTime::now());
/// # }).unwrap();
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Metadata {
    pub(crate) len: u64,
    pub(crate) file_type: FileType,
    pub(crate) permissions: Permissions,
    pub(crate) modified: SystemTime,
    pub(crate) accessed: SystemTime,
    pub(crate) created: SystemTime,
}

impl Metadata {
    /// The size in bytes (0 for a directory).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// detsim::fs::write("/f", "abc").await.unwrap();
    /// assert_eq!(detsim::fs::metadata("/f").await.unwrap().len(), 3);
    /// # }).unwrap();
    /// ```
    // A file size, like std's: `is_empty` would be a different question.
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether it is a directory.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// assert!(detsim::fs::metadata("/").await.unwrap().is_dir());
    /// # }).unwrap();
    /// ```
    pub fn is_dir(&self) -> bool {
        self.file_type.dir
    }

    /// Whether it is a regular file.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// assert!(!detsim::fs::metadata("/").await.unwrap().is_file());
    /// # }).unwrap();
    /// ```
    pub fn is_file(&self) -> bool {
        !self.file_type.dir
    }

    /// Whether it is a symbolic link: never, as the simulated disk has
    /// none (see [`symlink_metadata`](super::symlink_metadata)).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// assert!(!detsim::fs::symlink_metadata("/").await.unwrap().is_symlink());
    /// # }).unwrap();
    /// ```
    pub fn is_symlink(&self) -> bool {
        false
    }

    /// The file type.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// assert!(detsim::fs::metadata("/").await.unwrap().file_type().is_dir());
    /// # }).unwrap();
    /// ```
    pub fn file_type(&self) -> FileType {
        self.file_type
    }

    /// The permissions: the whole `st_mode`, file type bits included, as
    /// std gives it (see [`Permissions`]).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// detsim::fs::write("/f", "").await.unwrap();
    /// let p = detsim::fs::metadata("/f").await.unwrap().permissions();
    /// assert_eq!((p.mode(), p.readonly()), (0o100644, false));
    /// # }).unwrap();
    /// ```
    pub fn permissions(&self) -> Permissions {
        self.permissions
    }

    /// When the contents last changed (a directory: its entries), on the
    /// simulation's wall clock; see [Times](Metadata#times).
    ///
    /// # Errors
    ///
    /// Never: the `Result` is std's and tokio's shape (platforms without
    /// the time fail there).
    ///
    /// ```
    /// use std::time::Duration;
    /// use detsim::time::{self, SystemTime};
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// detsim::fs::write("/f", "v1").await.unwrap();
    /// let written = SystemTime::now();
    /// time::sleep(Duration::from_secs(60)).await;
    /// let m = detsim::fs::metadata("/f").await.unwrap();
    /// assert_eq!(m.modified().unwrap(), written);
    /// assert_eq!(m.modified().unwrap().elapsed(), Duration::from_secs(60));
    /// # }).unwrap();
    /// ```
    pub fn modified(&self) -> io::Result<SystemTime> {
        Ok(self.modified)
    }

    /// When the contents were last read, as Linux's `relatime` keeps it
    /// (see [Times](Metadata#times)).
    ///
    /// # Errors
    ///
    /// Never (std's and tokio's shape).
    ///
    /// ```
    /// use std::time::Duration;
    /// use detsim::time::{self, SystemTime};
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// detsim::fs::write("/f", "x").await.unwrap();
    /// time::sleep(Duration::from_secs(5)).await;
    /// detsim::fs::read("/f").await.unwrap(); // the first read since the write
    /// let read_at = SystemTime::now();
    /// time::sleep(Duration::from_secs(5)).await;
    /// detsim::fs::read("/f").await.unwrap(); // relatime: no update
    /// let m = detsim::fs::metadata("/f").await.unwrap();
    /// assert_eq!(m.accessed().unwrap(), read_at);
    /// # }).unwrap();
    /// ```
    pub fn accessed(&self) -> io::Result<SystemTime> {
        Ok(self.accessed)
    }

    /// When the file or directory was made (its birth time; see
    /// [Times](Metadata#times)).
    ///
    /// # Errors
    ///
    /// Never (std's and tokio's shape).
    ///
    /// ```
    /// use std::time::Duration;
    /// use detsim::time::{self, SystemTime};
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// detsim::fs::write("/f", "v1").await.unwrap();
    /// let made = SystemTime::now();
    /// time::sleep(Duration::from_secs(1)).await;
    /// detsim::fs::write("/f", "v2").await.unwrap(); // truncates: the same file
    /// let m = detsim::fs::metadata("/f").await.unwrap();
    /// assert_eq!(m.created().unwrap(), made);
    /// assert!(m.modified().unwrap() > made);
    /// # }).unwrap();
    /// ```
    pub fn created(&self) -> io::Result<SystemTime> {
        Ok(self.created)
    }
}
