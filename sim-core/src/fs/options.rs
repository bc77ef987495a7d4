//! [`OpenOptions`]: how to open a file, with std's validation rules.

use std::io::{self, ErrorKind};
use std::path::Path;

use super::faults::NAMESPACE;
use super::file::File;
use super::ops::{Cost, Here};
use super::path::SimPath;
use super::tree::OpenMode;

/// How to open a file, like `std::fs::OpenOptions` (and tokio's), with the
/// same rules: at least one of read, write or append; `truncate`,
/// `create` and `create_new` need write or append access; `append` with
/// `truncate` is refused; `create_new` fails if the file exists (whatever
/// `create` and `truncate` say).
///
/// ```
/// use detsim::fs::OpenOptions;
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// let mut log = OpenOptions::new().append(true).create(true).open("/log").await.unwrap();
/// log.write_all(b"a").await.unwrap();
/// let e = OpenOptions::new().read(true).truncate(true).open("/log").await.unwrap_err();
/// assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
/// # }).unwrap();
/// ```
#[derive(Clone, Debug, Default)]
#[must_use = "OpenOptions does nothing until you call open"]
pub struct OpenOptions {
    pub(crate) read: bool,
    pub(crate) write: bool,
    pub(crate) append: bool,
    truncate: bool,
    create: bool,
    create_new: bool,
    /// The mode a created file asks for (`None`: `0o666`).
    mode: Option<u32>,
}

impl OpenOptions {
    /// Every option off.
    ///
    /// ```
    /// let o = detsim::fs::OpenOptions::new();
    /// # let _ = o;
    /// ```
    pub fn new() -> OpenOptions {
        OpenOptions::default()
    }

    /// Read access.
    ///
    /// ```
    /// let mut o = detsim::fs::OpenOptions::new();
    /// o.read(true);
    /// ```
    pub fn read(&mut self, on: bool) -> &mut OpenOptions {
        self.read = on;
        self
    }

    /// Write access (at the cursor, from 0).
    ///
    /// ```
    /// let mut o = detsim::fs::OpenOptions::new();
    /// o.write(true);
    /// ```
    pub fn write(&mut self, on: bool) -> &mut OpenOptions {
        self.write = on;
        self
    }

    /// Append mode: write access, every write at the end of the file.
    ///
    /// ```
    /// let mut o = detsim::fs::OpenOptions::new();
    /// o.append(true);
    /// ```
    pub fn append(&mut self, on: bool) -> &mut OpenOptions {
        self.append = on;
        self
    }

    /// Truncate an existing file to 0 bytes.
    ///
    /// ```
    /// let mut o = detsim::fs::OpenOptions::new();
    /// o.write(true).truncate(true);
    /// ```
    pub fn truncate(&mut self, on: bool) -> &mut OpenOptions {
        self.truncate = on;
        self
    }

    /// Create the file if it does not exist.
    ///
    /// ```
    /// let mut o = detsim::fs::OpenOptions::new();
    /// o.write(true).create(true);
    /// ```
    pub fn create(&mut self, on: bool) -> &mut OpenOptions {
        self.create = on;
        self
    }

    /// Create the file, failing with `AlreadyExists` if it exists.
    ///
    /// ```
    /// let mut o = detsim::fs::OpenOptions::new();
    /// o.write(true).create_new(true);
    /// ```
    pub fn create_new(&mut self, on: bool) -> &mut OpenOptions {
        self.create_new = on;
        self
    }

    /// The permission bits of a file this open creates, as tokio's (and
    /// std's `OpenOptionsExt::mode`): the file gets `mode & !0o022` (the
    /// simulated umask) of the bits `0o7777`. The default is `0o666`,
    /// hence `0o644`. An existing file keeps its mode.
    ///
    /// ```
    /// use detsim::fs::OpenOptions;
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let f = OpenOptions::new().write(true).create(true).mode(0o600).open("/secret").await.unwrap();
    /// drop(f);
    /// let mode = detsim::fs::metadata("/secret").await.unwrap().permissions().mode();
    /// assert_eq!(mode & 0o777, 0o600);
    /// // The umask takes the group's and others' write bits.
    /// let f = OpenOptions::new().write(true).create(true).mode(0o777).open("/tool").await.unwrap();
    /// drop(f);
    /// let mode = detsim::fs::metadata("/tool").await.unwrap().permissions().mode();
    /// assert_eq!(mode & 0o777, 0o755);
    /// # }).unwrap();
    /// ```
    pub fn mode(&mut self, mode: u32) -> &mut OpenOptions {
        self.mode = Some(mode);
        self
    }

    fn check(&self) -> io::Result<()> {
        let invalid = |what: &str| Err(io::Error::new(ErrorKind::InvalidInput, what.to_string()));
        if !self.read && !self.write && !self.append {
            return invalid(
                "OpenOptions: give at least one of read, write or append access (e.g. .read(true))",
            );
        }
        if !self.write && !self.append && (self.truncate || self.create || self.create_new) {
            return invalid(
                "OpenOptions: truncate, create and create_new need write or append access (add .write(true))",
            );
        }
        if self.append && self.truncate && !self.create_new {
            return invalid("OpenOptions: append and truncate together make no sense (drop one)");
        }
        Ok(())
    }

    /// Opens the file at `path` on the current node's disk.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a combination std refuses, `NotFound`,
    /// `AlreadyExists` (`create_new`), `IsADirectory` (write access to a
    /// directory, or `create`/`create_new` with a path ending with a
    /// slash), `NotADirectory` (a parent is a file, or the path ends with a
    /// slash and names a file), `PermissionDenied` (an existing file whose
    /// mode denies its owner the access asked for: see
    /// [`Permissions`](super::Permissions)), `ReadOnlyFilesystem` for write or append
    /// access once the disk's journal aborted
    /// ([`DiskConfig::journal_error`](super::DiskConfig::journal_error)).
    ///
    /// # Panics
    ///
    /// Outside a simulation, naming the API.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let e = detsim::fs::OpenOptions::new().open("/x").await.unwrap_err();
    /// assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
    /// # }).unwrap();
    /// ```
    pub async fn open(&self, path: impl AsRef<Path>) -> io::Result<File> {
        const API: &str = "detsim::fs::OpenOptions::open";
        let here = Here::current(API);
        self.check()?;
        let path = SimPath::parse(path.as_ref())?;
        let mode = OpenMode {
            read: self.read,
            write: self.write || self.append,
            as_root: false,
            truncate: self.truncate,
            create: self.create,
            create_new: self.create_new,
            create_mode: self.mode,
        };
        let (ino, incarnation, seen) = here
            .op(API, Cost::Io, |d, c| {
                if mode.write {
                    if let Err(read_only) = d.writable(&path.to_string()) {
                        // Linux answers ENOENT, EEXIST, EISDIR first.
                        d.tree.probe_open(&path, mode)?;
                        return Err(read_only);
                    }
                }
                let ino = d.tree.open(&path, mode, c.logs_writes())?;
                let seen = d.tree.open_handle(ino);
                // An open may create or truncate: an event like a mkdir's.
                crate::ext::event(&NAMESPACE, u64::from(here.node), 7 ^ (ino << 8));
                Ok::<_, io::Error>((ino, d.incarnation, seen))
            })
            .await?;
        Ok(File::new(
            here,
            ino,
            incarnation,
            seen,
            path.to_string(),
            self,
        ))
    }
}
