//! [`DiskConfig`]: a disk's faults, latency, capacity and crash model, and
//! their validation.

use std::fmt;
use std::time::Duration;

use crate::latency::Latency;

/// When namespace changes (create, rename, remove, mkdir) become durable.
///
/// ```
/// use detsim::fs::{DiskConfig, Namespace};
/// let c = DiskConfig::new().namespace(Namespace::Relaxed);
/// assert_ne!(c, DiskConfig::new());
/// assert_eq!(Namespace::default(), Namespace::Strict);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Namespace {
    /// POSIX's rule (the default): a change is durable once its parent
    /// directory is synced ([`sync_dir`](super::sync_dir), or `sync_all`
    /// on the directory opened with [`File::open`](super::File::open)).
    /// A file renamed between two directories with only the target
    /// synced is under both names after a crash; a directory is in one
    /// place, the one the listing synced last names (never two parents
    /// or a cycle).
    #[default]
    Strict,
    /// Every change is durable at once (a journaling file system that
    /// commits metadata synchronously). File contents still need a sync,
    /// and so do a file's times (see
    /// [the durability model](super#the-durability-model)).
    Relaxed,
    /// Linux ext4 (`data=ordered`) and XFS: every change enters the
    /// disk's one metadata journal, in the order made. A successful sync
    /// ([`File::sync_all`], [`File::sync_data`],
    /// [`sync_dir`](super::sync_dir)) of a file or directory that changed
    /// since the last commit (written, truncated, created, renamed or
    /// removed, or a directory whose entries changed) first commits the
    /// whole journal (the changes made before it, in every directory),
    /// then makes its data durable. So "create, write, `sync_all` the
    /// file" makes the new name durable too, and a sync of another file
    /// written since makes earlier renames durable. A sync of something
    /// unchanged since the last commit commits nothing, as Linux forces
    /// the journal only up to the synced inode's last change. A crash
    /// loses the changes made after the last commit, as
    /// [`Strict`](Namespace::Strict) loses unsynced directory changes;
    /// file contents follow the same rules as in the other modes.
    ///
    /// A sync that fails (an injected
    /// [`DiskConfig::sync_error`]) commits nothing: the journal stays as
    /// it is, its changes volatile until the next successful sync (as
    /// ext4's `fsync`, which returns a writeback error before it commits
    /// the journal); the failed sync's data is lost as in every mode. A
    /// sync that reports an earlier failure through another handle
    /// (errseq) returns that error before the journal too: it writes its
    /// data and commits nothing (nor can its commit fail).
    /// A failing journal commit itself (an I/O error writing the
    /// journal) is modelled when [`DiskConfig::journal_error`] is set:
    /// the journal aborts and the disk turns read-only until the node
    /// restarts, as ext4 with `errors=remount-ro`.
    /// Not modelled: the periodic commit (ext4 commits
    /// every 5 s on its own: here only syncs do); `fdatasync`'s finer
    /// rule (Linux's `sync_data` skips the commit after overwrites in
    /// place that change no size or block: here any write since the last
    /// commit makes `sync_data` commit); `data=ordered`'s write-out of
    /// other files' data at a commit (here only the synced file's data
    /// becomes durable); `auto_da_alloc` (ext4 writes a file's data
    /// before the commit of a rename or truncate that replaces another
    /// file's contents: here a rename over a file whose data was not
    /// synced can leave it empty after a crash, as with ext4's
    /// `noauto_da_alloc`, and as any rename to a new name can on ext4;
    /// XFS has no such rule for renames, so the mode keeps the outcome
    /// both file systems can show); `data=writeback`.
    /// Changes made before the disk switched to `Journal` keep the rule
    /// they were made under (their directory's sync makes them durable);
    /// switching away (with [`Disk::configure`](super::Disk::configure),
    /// [`Disk::set_default`](super::Disk::set_default) or
    /// [`Disk::reset_config`](super::Disk::reset_config), at once) drops
    /// the journal's uncommitted entries back to that rule.
    ///
    /// Pick it for code that targets ext4 or XFS only; `Strict` stays
    /// the portable default.
    ///
    /// ```
    /// use detsim::fs::{self, Disk, DiskConfig, File, Namespace};
    ///
    /// let mut sim = detsim::Sim::builder().build();
    /// sim.run(async {
    ///     let disk = Disk::current();
    ///     for namespace in [Namespace::Journal, Namespace::Strict] {
    ///         disk.configure(DiskConfig::new().namespace(namespace)).unwrap();
    ///         let mut f = File::create("/segment").await.unwrap();
    ///         f.write_all(b"record").await.unwrap();
    ///         f.sync_all().await.unwrap(); // no sync_dir("/")
    ///         disk.crash();
    ///         let survived = fs::read("/segment").await.ok();
    ///         if namespace == Namespace::Journal {
    ///             // ext4: the fsync committed the name with the data.
    ///             assert_eq!(survived.as_deref(), Some(&b"record"[..]));
    ///             fs::remove_file("/segment").await.unwrap();
    ///             fs::sync_dir("/").await.unwrap();
    ///         } else {
    ///             // POSIX: the name needed its directory synced.
    ///             assert_eq!(survived, None);
    ///         }
    ///     }
    /// }).unwrap();
    /// ```
    ///
    /// [`File::sync_all`]: super::File::sync_all
    /// [`File::sync_data`]: super::File::sync_data
    Journal,
}

/// A disk's behaviour: injected faults, latency, capacity and what a crash
/// does to unsynced writes.
///
/// The default is a perfect disk that makes no draws: no faults, no
/// latency, unlimited capacity, a strict namespace, and a crash loses
/// every unsynced change (no torn or reordered writes); sector size 512.
/// Every random decision is a draw from the run's choice source, 0 being
/// the simplest outcome (no fault, minimum latency, nothing unsynced
/// survives a crash).
///
/// ```
/// use std::time::Duration;
/// use detsim::fs::{Disk, DiskConfig};
/// use detsim::fs::Latency;
///
/// let flaky = DiskConfig::new()
///     .write_error(0.01)
///     .sync_error(0.01)
///     .capacity(1 << 20)
///     .torn_writes(true)
///     .latency(Latency::uniform(Duration::from_micros(10), Duration::from_micros(200)));
/// assert!(flaky.validate().is_ok());
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async move {
/// Disk::current().configure(flaky).unwrap();
/// # }).unwrap();
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
#[must_use = "a DiskConfig does nothing until it is applied to a Disk"]
pub struct DiskConfig {
    pub(crate) read_error: f64,
    pub(crate) write_error: f64,
    pub(crate) sync_error: f64,
    pub(crate) journal_error: f64,
    pub(crate) read_corruption: f64,
    pub(crate) capacity: Option<u64>,
    pub(crate) latency: Latency,
    pub(crate) sync_latency: Latency,
    pub(crate) torn_writes: bool,
    pub(crate) reorder_writes: bool,
    pub(crate) sector_size: u64,
    pub(crate) namespace: Namespace,
}

impl Default for DiskConfig {
    fn default() -> DiskConfig {
        DiskConfig {
            read_error: 0.0,
            write_error: 0.0,
            sync_error: 0.0,
            journal_error: 0.0,
            read_corruption: 0.0,
            capacity: None,
            latency: Latency::Constant(Duration::ZERO),
            sync_latency: Latency::Constant(Duration::ZERO),
            torn_writes: false,
            reorder_writes: false,
            sector_size: 512,
            namespace: Namespace::Strict,
        }
    }
}

impl DiskConfig {
    /// The default: a perfect disk (see the type's docs).
    ///
    /// ```
    /// assert_eq!(detsim::fs::DiskConfig::new(), Default::default());
    /// ```
    pub fn new() -> DiskConfig {
        DiskConfig::default()
    }

    /// The probability, in `[0, 1]`, that a read fails with an injected
    /// I/O error (kind `Other`, message `injected I/O error (EIO) ...`);
    /// nothing is read then.
    ///
    /// ```
    /// let c = detsim::fs::DiskConfig::new().read_error(0.1);
    /// # let _ = c;
    /// ```
    pub fn read_error(mut self, rate: f64) -> DiskConfig {
        self.read_error = rate;
        self
    }

    /// The probability, in `[0, 1]`, that a write (or `set_len`) fails with
    /// an injected I/O error; nothing is written then.
    ///
    /// ```
    /// let c = detsim::fs::DiskConfig::new().write_error(0.1);
    /// # let _ = c;
    /// ```
    pub fn write_error(mut self, rate: f64) -> DiskConfig {
        self.write_error = rate;
        self
    }

    /// The probability, in `[0, 1]`, that a sync (file or directory) fails
    /// with an injected I/O error. As on Linux, the changes not yet synced
    /// are then dropped: a crash loses them even if a later sync succeeds
    /// (reads see them until the crash), and every other handle open on
    /// the file reports the error on its next sync; see
    /// [the durability model](super#the-durability-model).
    ///
    /// ```
    /// let c = detsim::fs::DiskConfig::new().sync_error(0.1);
    /// # let _ = c;
    /// ```
    pub fn sync_error(mut self, rate: f64) -> DiskConfig {
        self.sync_error = rate;
        self
    }

    /// The probability, in `[0, 1]`, that a journal commit fails, under
    /// [`Namespace::Journal`] only (a [`validate`](Self::validate) error
    /// with another namespace, where it could never fire). It models
    /// ext4 with `errors=remount-ro` (Debian's and Ubuntu's default) when
    /// writing the journal fails: the journal aborts and the file system
    /// is remounted read-only.
    ///
    /// Each sync that would commit draws (nothing is drawn at 0, nor for
    /// a sync that commits nothing): a sync of a file or directory changed
    /// since the last commit, whether or not namespace changes are
    /// waiting, as ext4 commits the inode's size and block changes too. On a failure the
    /// sync returns an I/O error (kind `Other`: EIO, as ext4's `fsync`)
    /// saying that the journal aborted, and makes nothing durable; from
    /// then on every operation that changes the disk (an open with write
    /// access, a write, `set_len`, create, mkdir, rename, remove, and
    /// every sync) fails with
    /// [`ReadOnlyFilesystem`](std::io::ErrorKind::ReadOnlyFilesystem)
    /// (EROFS), naming when the journal aborted, after the checks Linux
    /// makes first: a missing file to open or a missing parent directory
    /// (`NotFound`), an existing file for `create_new` or `create_dir`
    /// (`AlreadyExists`), a directory opened for writing (`IsADirectory`). Reads, metadata,
    /// listings and read-only opens keep working and see the live state
    /// (the page cache). A crash of the disk (the node is killed or
    /// restarted, or [`Disk::crash`](super::Disk::crash)) mounts it
    /// again: the changes not committed before the abort are lost, as in
    /// any crash. Each abort is counted in
    /// [`FaultCounts::journal_aborts`](super::FaultCounts::journal_aborts).
    ///
    /// Code under test should treat the abort as fatal (PostgreSQL
    /// PANICs): stop acknowledging, let the node restart, and recover
    /// from what is durable.
    ///
    /// ```
    /// use std::io::ErrorKind;
    /// use detsim::fs::{self, Disk, DiskConfig, File, Namespace};
    ///
    /// let mut sim = detsim::Sim::builder().build();
    /// sim.run(async {
    ///     let disk = Disk::current();
    ///     disk.preload("/db/committed", "old").unwrap();
    ///     let ext4 = DiskConfig::new().namespace(Namespace::Journal);
    ///     disk.configure(ext4.journal_error(1.0)).unwrap();
    ///
    ///     let f = File::create("/db/new").await.unwrap();
    ///     f.write_all_at(b"record", 0).await.unwrap();
    ///     let abort = f.sync_all().await.unwrap_err(); // the commit fails
    ///     assert!(abort.to_string().contains("journal aborted"));
    ///     let e = f.write_all_at(b"more", 6).await.unwrap_err();
    ///     assert_eq!(e.kind(), ErrorKind::ReadOnlyFilesystem);
    ///     assert_eq!(fs::read("/db/new").await.unwrap(), b"record"); // reads work
    ///
    ///     disk.crash(); // mounted again: the uncommitted file is gone
    ///     assert!(!fs::try_exists("/db/new").await.unwrap());
    ///     assert_eq!(fs::read("/db/committed").await.unwrap(), b"old");
    ///     fs::write("/db/new", "again").await.unwrap(); // writable
    ///
    ///     // Only a journaled disk has a journal to abort.
    ///     let strict = DiskConfig::new().journal_error(0.1);
    ///     assert_eq!(strict.validate().unwrap_err().setting(), "journal_error");
    /// }).unwrap();
    /// ```
    pub fn journal_error(mut self, rate: f64) -> DiskConfig {
        self.journal_error = rate;
        self
    }

    /// The probability, in `[0, 1]`, that a successful read returns one
    /// flipped bit (at a drawn position of the bytes returned). The stored
    /// data is intact: reading again may return it right. Off by default.
    ///
    /// ```
    /// let c = detsim::fs::DiskConfig::new().read_corruption(0.01);
    /// # let _ = c;
    /// ```
    pub fn read_corruption(mut self, rate: f64) -> DiskConfig {
        self.read_corruption = rate;
        self
    }

    /// The disk's capacity in bytes (> 0): the sum of the sizes of the files
    /// it stores. A write that would go past it writes what fits and
    /// returns the short count; a write of which nothing fits fails with
    /// `StorageFull` (so `write_all` fails with `StorageFull` after writing
    /// what fits). `set_len` does not check the capacity.
    ///
    /// ```
    /// let c = detsim::fs::DiskConfig::new().capacity(64 << 20);
    /// # let _ = c;
    /// ```
    pub fn capacity(mut self, bytes: u64) -> DiskConfig {
        self.capacity = Some(bytes);
        self
    }

    /// How long each read, write, `set_len`, metadata and namespace
    /// operation takes on the virtual clock (default zero: no delay, no
    /// draw).
    ///
    /// ```
    /// use std::time::Duration;
    /// let c = detsim::fs::DiskConfig::new()
    ///     .latency(detsim::fs::Latency::constant(Duration::from_micros(50)));
    /// # let _ = c;
    /// ```
    pub fn latency(mut self, latency: Latency) -> DiskConfig {
        self.latency = latency;
        self
    }

    /// How long each sync (`sync_all`, `sync_data`, directory sync) takes
    /// on the virtual clock (default zero).
    ///
    /// ```
    /// use std::time::Duration;
    /// let c = detsim::fs::DiskConfig::new()
    ///     .sync_latency(detsim::fs::Latency::constant(Duration::from_millis(2)));
    /// # let _ = c;
    /// ```
    pub fn sync_latency(mut self, latency: Latency) -> DiskConfig {
        self.sync_latency = latency;
        self
    }

    /// At a crash, each file's unsynced writes reach the disk in order up
    /// to a drawn point, which may cut a write at a sector boundary: a
    /// torn tail. A draw of 0 keeps nothing. Off by default (a crash loses
    /// every unsynced write).
    ///
    /// Switched on or off mid-run, both this and
    /// [`reorder_writes`](Self::reorder_writes) follow the setting at the
    /// crash: with both off it keeps nothing (no draws); switched on, a
    /// file whose unsynced changes began while both were off keeps none of
    /// them until its next sync (its earlier changes were not recorded, and
    /// a later write kept without them would break the order).
    ///
    /// ```
    /// let c = detsim::fs::DiskConfig::new().torn_writes(true).sector_size(4096);
    /// # let _ = c;
    /// ```
    pub fn torn_writes(mut self, on: bool) -> DiskConfig {
        self.torn_writes = on;
        self
    }

    /// At a crash, each unsynced write (and truncation) of a file reaches
    /// the disk or not independently of the others, in any combination
    /// (one draw each, 0 = lost); with [`torn_writes`](Self::torn_writes)
    /// each may also be cut at a sector boundary. Off by default.
    ///
    /// ```
    /// let c = detsim::fs::DiskConfig::new().reorder_writes(true);
    /// # let _ = c;
    /// ```
    pub fn reorder_writes(mut self, on: bool) -> DiskConfig {
        self.reorder_writes = on;
        self
    }

    /// The unit a torn write is cut at: a power of two (default 512).
    ///
    /// ```
    /// assert!(detsim::fs::DiskConfig::new().sector_size(3).validate().is_err());
    /// ```
    pub fn sector_size(mut self, bytes: u64) -> DiskConfig {
        self.sector_size = bytes;
        self
    }

    /// When namespace changes become durable (default
    /// [`Namespace::Strict`]).
    ///
    /// ```
    /// let c = detsim::fs::DiskConfig::new().namespace(detsim::fs::Namespace::Relaxed);
    /// # let _ = c;
    /// ```
    pub fn namespace(mut self, namespace: Namespace) -> DiskConfig {
        self.namespace = namespace;
        self
    }

    /// Checks the settings: rates in `[0, 1]`, `journal_error` only with
    /// [`Namespace::Journal`], capacity above 0, sector size a power of
    /// two, latency ranges in order.
    ///
    /// ```
    /// let err = detsim::fs::DiskConfig::new().write_error(1.5).validate().unwrap_err();
    /// assert_eq!(err.setting(), "write_error");
    /// assert!(detsim::fs::DiskConfig::new().validate().is_ok());
    /// ```
    pub fn validate(&self) -> Result<(), DiskConfigError> {
        for (setting, value) in [
            ("read_error", self.read_error),
            ("write_error", self.write_error),
            ("sync_error", self.sync_error),
            ("journal_error", self.journal_error),
            ("read_corruption", self.read_corruption),
        ] {
            if !(0.0..=1.0).contains(&value) {
                return Err(DiskConfigError {
                    setting,
                    value: value.to_string(),
                    problem: "a rate is a probability",
                    fix: "give a value within [0, 1] (0.0 = never, 1.0 = always)",
                });
            }
        }
        if self.journal_error > 0.0 && self.namespace != Namespace::Journal {
            return Err(DiskConfigError {
                setting: "journal_error",
                value: format!(
                    "{} with Namespace::{:?}",
                    self.journal_error, self.namespace
                ),
                problem: "only Namespace::Journal has a journal whose commit can fail",
                fix: "add .namespace(Namespace::Journal) (ext4, XFS), or drop journal_error",
            });
        }
        if self.capacity == Some(0) {
            return Err(DiskConfigError {
                setting: "capacity",
                value: "0".into(),
                problem: "a disk of 0 bytes can store nothing",
                fix: "give a capacity above 0 bytes (leave it unset for an unlimited disk)",
            });
        }
        if !self.sector_size.is_power_of_two() {
            return Err(DiskConfigError {
                setting: "sector_size",
                value: self.sector_size.to_string(),
                problem: "a sector size is a power of two",
                fix: "give 512 or 4096 (any power of two works)",
            });
        }
        for (setting, latency) in [
            ("latency", self.latency),
            ("sync_latency", self.sync_latency),
        ] {
            if !latency.is_valid() {
                return Err(DiskConfigError {
                    setting,
                    value: format!("{latency:?}"),
                    problem: "the range is inverted",
                    fix: "give min <= max (and min <= median <= max for long_tail)",
                });
            }
        }
        Ok(())
    }

    /// Whether a crash needs the log of unsynced writes.
    pub(crate) fn logs_writes(&self) -> bool {
        self.torn_writes || self.reorder_writes
    }
}

/// An impossible disk setting, naming the setting, the value and the fix.
///
/// ```
/// let err = detsim::fs::DiskConfig::new().capacity(0).validate().unwrap_err();
/// assert_eq!(err.setting(), "capacity");
/// assert!(err.to_string().contains("above 0"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiskConfigError {
    setting: &'static str,
    value: String,
    problem: &'static str,
    fix: &'static str,
}

impl DiskConfigError {
    /// The setting at fault (`"write_error"`, `"journal_error"`,
    /// `"capacity"`, `"sector_size"`, `"latency"`, ...).
    ///
    /// ```
    /// let err = detsim::fs::DiskConfig::new().sector_size(0).validate().unwrap_err();
    /// assert_eq!(err.setting(), "sector_size");
    /// ```
    pub fn setting(&self) -> &str {
        self.setting
    }
}

impl fmt::Display for DiskConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid disk configuration: {} = {} ({}): {}",
            self.setting, self.value, self.problem, self.fix
        )
    }
}

impl std::error::Error for DiskConfigError {}
