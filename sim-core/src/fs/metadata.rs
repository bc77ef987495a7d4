//! [`Metadata`] and [`FileType`]: what `stat` says about a file.
//!
//! The simulated disk has regular files and directories only (no
//! symlinks, no permissions) and keeps no timestamps.

/// A regular file or a directory.
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
}

/// Metadata of a file or directory: its type and size.
///
/// ```
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// detsim::fs::write("/f", "hello").await.unwrap();
/// let m = detsim::fs::metadata("/f").await.unwrap();
/// assert_eq!((m.len(), m.is_file()), (5, true));
/// # }).unwrap();
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Metadata {
    pub(crate) len: u64,
    pub(crate) file_type: FileType,
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
}
