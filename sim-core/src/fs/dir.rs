//! [`read_dir`]: a directory's entries, in a deterministic (sorted) order.

use std::ffi::OsString;
use std::io::{self, ErrorKind};
use std::path::{Path, PathBuf};

use super::metadata::FileType;
use super::ops::{Cost, Here};
use super::path::SimPath;
use super::tree::err;

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
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirEntry {
    path: PathBuf,
    name: Box<str>,
    file_type: FileType,
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
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// detsim::fs::create_dir("/d").await.unwrap();
    /// let e = detsim::fs::read_dir("/").await.unwrap().next().unwrap().unwrap();
    /// assert!(e.file_type().is_dir());
    /// # }).unwrap();
    /// ```
    pub fn file_type(&self) -> FileType {
        self.file_type
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
    let listing = here
        .op(API, Cost::Io, |d, _| {
            let ino = d.tree.lookup(&path)?;
            if !d.tree.is_dir(ino) {
                return Err(err(ErrorKind::NotADirectory, &path, "not a directory"));
            }
            d.tree.accessed(ino); // a listing reads the directory
            Ok(d.tree.list(ino))
        })
        .await?;
    let entries: Vec<DirEntry> = listing
        .into_iter()
        .map(|(name, dir)| DirEntry {
            path: base.join(&*name),
            name,
            file_type: FileType { dir },
        })
        .collect();
    Ok(ReadDir {
        entries: entries.into_iter(),
    })
}
