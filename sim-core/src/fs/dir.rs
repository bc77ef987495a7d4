//! [`read_dir`]: a directory's entries, in a deterministic (sorted) order.

use std::ffi::OsString;
use std::fmt;
use std::io::{self, ErrorKind};
use std::path::{Path, PathBuf};

use super::metadata::{FileType, Metadata};
use super::ops::{self, Cost, Here};
use super::path::SimPath;
use super::tree::{Ino, err};

/// One entry of a directory listing.
///
/// ```
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// detsim::fs::write("/a", "").await.unwrap();
/// let e = detsim::fs::read_dir("/").await.unwrap().next().unwrap().unwrap();
/// assert_eq!(e.file_name(), "a");
/// assert_eq!(e.path(), std::path::Path::new("/a"));
/// assert!(e.file_type().is_file());
/// # }).unwrap();
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct DirEntry {
    path: PathBuf,
    name: Box<str>,
    file_type: FileType,
    /// The disk, and the directory listed: [`DirEntry::metadata`] looks
    /// the name up in it, as std's `fstatat` on the directory.
    here: Here,
    dir: Ino,
}

impl fmt::Debug for DirEntry {
    /// The path, name and type (the simulation instance is process-wide
    /// and left out, as [`Disk`](super::Disk)'s `Debug` does).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DirEntry")
            .field("path", &self.path)
            .field("name", &self.name)
            .field("file_type", &self.file_type)
            .finish_non_exhaustive()
    }
}

impl DirEntry {
    /// The entry's path: the path given to [`read_dir`], as written,
    /// joined with the entry's name, as std and tokio make it (a relative
    /// path stays relative, `.` and `..` stay where they were written).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// use std::path::Path;
    /// detsim::fs::create_dir_all("/d/e").await.unwrap();
    /// let e = detsim::fs::read_dir("d/").await.unwrap().next().unwrap().unwrap();
    /// assert_eq!(e.path(), Path::new("d/e"));
    /// let e = detsim::fs::read_dir("/d/../d").await.unwrap().next().unwrap().unwrap();
    /// assert_eq!(e.path(), Path::new("/d/../d/e"));
    /// # }).unwrap();
    /// ```
    pub fn path(&self) -> PathBuf {
        self.path.clone()
    }

    /// The entry's name.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// detsim::fs::write("/x", "").await.unwrap();
    /// let e = detsim::fs::read_dir("/").await.unwrap().next().unwrap().unwrap();
    /// assert_eq!(e.file_name(), "x");
    /// # }).unwrap();
    /// ```
    pub fn file_name(&self) -> OsString {
        OsString::from(&*self.name)
    }

    /// Whether the entry is a file or a directory (as of the listing).
    ///
    /// tokio's `DirEntry::file_type` is `async` and returns a `Result`:
    /// awaiting a [`FileType`] gives `Ok` of it, so ported code's
    /// `entry.file_type().await?` compiles unchanged (see
    /// [`FileType`]'s `IntoFuture`).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// detsim::fs::create_dir("/d").await.unwrap();
    /// let e = detsim::fs::read_dir("/").await.unwrap().next().unwrap().unwrap();
    /// assert!(e.file_type().is_dir());
    /// assert!(e.file_type().await.unwrap().is_dir()); // tokio's shape
    /// # }).unwrap();
    /// ```
    pub fn file_type(&self) -> FileType {
        self.file_type
    }

    /// The metadata of the file or directory the entry names, as tokio's
    /// `DirEntry::metadata`: looked up now, by name in the directory that
    /// was listed (as std's `fstatat` on it), so it shows changes since
    /// the listing, and a file removed since is `NotFound`. One I/O
    /// latency, as [`metadata()`](super::metadata()).
    ///
    /// # Errors
    ///
    /// `NotFound` if the entry (or the directory listed) was removed
    /// since the listing.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// detsim::fs::create_dir("/d").await.unwrap();
    /// detsim::fs::write("/d/f", "abc").await.unwrap();
    /// let mut dir = detsim::fs::read_dir("/d").await.unwrap();
    /// let e = dir.next_entry().await.unwrap().unwrap();
    /// assert_eq!(e.metadata().await.unwrap().len(), 3);
    /// detsim::fs::remove_file("/d/f").await.unwrap();
    /// let gone = e.metadata().await.unwrap_err();
    /// assert_eq!(gone.kind(), std::io::ErrorKind::NotFound);
    /// # }).unwrap();
    /// ```
    pub async fn metadata(&self) -> io::Result<Metadata> {
        const API: &str = "detsim::fs::DirEntry::metadata";
        self.here
            .op(API, Cost::Io, |d, _| {
                match d.tree.entry(self.dir, &self.name) {
                    Some(ino) => Ok(ops::stat(&d.tree, ino)),
                    None => Err(io::Error::new(
                        ErrorKind::NotFound,
                        format!(
                            "{}: no such file or directory (removed since the listing)",
                            self.path.display()
                        ),
                    )),
                }
            })
            .await
    }
}

/// A directory listing: a snapshot taken by [`read_dir`], sorted by name
/// (byte order), so every run lists in the same order. An [`Iterator`] of
/// `io::Result<DirEntry>` (never an error: the snapshot is in memory), and
/// tokio's [`next_entry`](ReadDir::next_entry).
///
/// ```
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// for name in ["b", "a", "c"] {
///     detsim::fs::write(format!("/{name}"), "").await.unwrap();
/// }
/// let names: Vec<_> = detsim::fs::read_dir("/").await.unwrap()
///     .map(|e| e.unwrap().file_name().into_string().unwrap())
///     .collect();
/// assert_eq!(names, ["a", "b", "c"]);
/// # }).unwrap();
/// ```
#[derive(Debug)]
pub struct ReadDir {
    entries: std::vec::IntoIter<DirEntry>,
}

impl ReadDir {
    /// The next entry, as tokio's `ReadDir::next_entry`.
    ///
    /// # Errors
    ///
    /// Never (the listing is a snapshot); the `Result` is tokio's shape.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let mut dir = detsim::fs::read_dir("/").await.unwrap();
    /// assert!(dir.next_entry().await.unwrap().is_none());
    /// # }).unwrap();
    /// ```
    pub async fn next_entry(&mut self) -> io::Result<Option<DirEntry>> {
        Ok(self.entries.next())
    }
}

impl Iterator for ReadDir {
    type Item = io::Result<DirEntry>;

    fn next(&mut self) -> Option<io::Result<DirEntry>> {
        self.entries.next().map(Ok)
    }
}

/// Lists a directory of the current node's disk, sorted by name.
///
/// # Errors
///
/// `NotFound`, `NotADirectory`.
///
/// ```
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// detsim::fs::create_dir("/d").await.unwrap();
/// assert_eq!(detsim::fs::read_dir("/d").await.unwrap().count(), 0);
/// let e = detsim::fs::read_dir("/nope").await.unwrap_err();
/// assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
/// # }).unwrap();
/// ```
pub async fn read_dir(path: impl AsRef<Path>) -> io::Result<ReadDir> {
    const API: &str = "detsim::fs::read_dir";
    let here = Here::current(API);
    // std's `DirEntry::path`: the argument as written, joined with the name.
    let base = path.as_ref().to_path_buf();
    let path = SimPath::parse(&base)?;
    let (listed, listing) = here
        .op(API, Cost::Io, |d, _| {
            let ino = d.tree.lookup(&path)?;
            if !d.tree.is_dir(ino) {
                return Err(err(ErrorKind::NotADirectory, &path, "not a directory"));
            }
            d.tree.accessed(ino); // a listing reads the directory
            Ok((ino, d.tree.list(ino)))
        })
        .await?;
    let entries: Vec<DirEntry> = listing
        .into_iter()
        .map(|(name, dir)| DirEntry {
            path: base.join(&*name),
            name,
            file_type: FileType { dir },
            here,
            dir: listed,
        })
        .collect();
    Ok(ReadDir {
        entries: entries.into_iter(),
    })
}
