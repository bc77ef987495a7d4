//! [`DirBuilder`]: tokio's (and std's) way to make a directory with
//! options.

use std::io;
use std::path::Path;

use super::ops::{Here, mkdir_all, namespace};

/// Makes directories with options, as `tokio::fs::DirBuilder`: whether
/// missing parents are made too ([`recursive`](Self::recursive)), and the
/// permission bits asked for ([`mode`](Self::mode)).
///
/// `DirBuilder::new().create(p)` is [`create_dir`](super::create_dir);
/// with `recursive(true)` it is [`create_dir_all`](super::create_dir_all),
/// with the same errors, events and durability (a new directory's name is
/// durable once its parent is synced, see [`sync_dir`](super::sync_dir)).
///
/// ```
/// use detsim::fs::{self, DirBuilder};
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// DirBuilder::new().recursive(true).mode(0o700).create("/var/lib/app").await.unwrap();
/// let mode = fs::metadata("/var/lib").await.unwrap().permissions().mode();
/// assert_eq!(mode & 0o777, 0o700); // every directory it made
/// # }).unwrap();
/// ```
#[derive(Clone, Debug, Default)]
pub struct DirBuilder {
    recursive: bool,
    /// The mode asked for (`None`: `0o777`).
    mode: Option<u32>,
}

impl DirBuilder {
    /// Not recursive, mode `0o777` (hence `0o755` under the umask).
    ///
    /// ```
    /// let b = detsim::fs::DirBuilder::new();
    /// # let _ = b;
    /// ```
    pub fn new() -> DirBuilder {
        DirBuilder::default()
    }

    /// Makes the missing parents too, and is no error when the directory
    /// exists (as `create_dir_all`).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let mut b = detsim::fs::DirBuilder::new();
    /// b.recursive(true);
    /// b.create("/a/b").await.unwrap();
    /// b.create("/a/b").await.unwrap(); // exists: fine
    /// # }).unwrap();
    /// ```
    pub fn recursive(&mut self, recursive: bool) -> &mut DirBuilder {
        self.recursive = recursive;
        self
    }

    /// The permission bits of each directory made: `mode & !0o022` (the
    /// simulated umask) of the bits `0o1777`, as Linux's `mkdir` gives
    /// them (setuid and setgid are dropped). An existing directory keeps
    /// its mode.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// detsim::fs::DirBuilder::new().mode(0o777).create("/shared").await.unwrap();
    /// let mode = detsim::fs::metadata("/shared").await.unwrap().permissions().mode();
    /// assert_eq!(mode & 0o777, 0o755); // the umask's doing
    /// # }).unwrap();
    /// ```
    pub fn mode(&mut self, mode: u32) -> &mut DirBuilder {
        self.mode = Some(mode);
        self
    }

    /// Makes the directory on the current node's disk.
    ///
    /// # Errors
    ///
    /// Those of [`create_dir`](super::create_dir), or with
    /// `recursive(true)` of [`create_dir_all`](super::create_dir_all).
    ///
    /// # Panics
    ///
    /// Outside a simulation, naming the API.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let b = detsim::fs::DirBuilder::new();
    /// let e = b.create("/no/parent").await.unwrap_err();
    /// assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
    /// # }).unwrap();
    /// ```
    pub async fn create(&self, path: impl AsRef<Path>) -> io::Result<()> {
        const API: &str = "detsim::fs::DirBuilder::create";
        let asked = self.mode;
        if !self.recursive {
            return namespace(API, 1, path, None, move |t, p| t.mkdir_mode(p, asked)).await;
        }
        // As `create_dir_all`: nothing to make for the empty path.
        if path.as_ref().as_os_str().is_empty() {
            Here::current(API);
            return Ok(());
        }
        let written = path.as_ref().to_path_buf();
        namespace(API, 2, path, None, move |t, _| {
            mkdir_all(t, &written, asked)
        })
        .await
    }
}
