//! The simulated disk: one per node, with an async API shaped like
//! `tokio::fs`, crash semantics, and fault injection drawn from the run's
//! seed.
//!
//! Reach it as `detsim::fs`. Every function acts on the disk of the node
//! the calling task runs on, works inside a simulation (`Sim::run`,
//! `#[sim_test]`) and panics outside one, naming the API. Errors are
//! `io::Error`s with the kinds std gives (`NotFound`, `AlreadyExists`,
//! `NotADirectory`, `IsADirectory`, `DirectoryNotEmpty`, `InvalidInput`,
//! `PermissionDenied`, `StorageFull`, ...). Paths are absolute or relative to the root `/`
//! (there is no working directory); `.` and `..` are resolved on the
//! disk, component by component, as on Linux: the path before each `..`
//! must be an existing directory (`"/f/.."` with `/f` a file is
//! `NotADirectory`, `"/missing/.."` is `NotFound`; `"/.."` is `/`), and a
//! path ending in `.` or `..` names a directory that cannot be created,
//! removed or renamed through it (`rename`: `ResourceBusy`, as Linux's
//! EBUSY); a path ending with a slash (`"/data/"`) names a directory, as
//! on Linux (on a file: `NotADirectory`; creating a file there:
//! `IsADirectory`); a path with a NUL byte is `InvalidInput`, as std
//! refuses it; a name over 255 bytes or a path of 4096 bytes or more is
//! Linux's ENAMETOOLONG, as `InvalidInput` (std gives
//! `ErrorKind::InvalidFilename`, stable only since Rust 1.87, above
//! detsim's minimum; the message says `ENAMETOOLONG`): a long path at
//! once, a long name where the walk reaches it, so a missing directory
//! before it is `NotFound` first, as on Linux; there are regular files
//! and directories only (no symlinks). Modes are Unix's, and the disk
//! checks a file owner's read and write bits when it is opened, as for a
//! process that owns the file and is not root (see [`Permissions`]). Times
//! ([`Metadata::modified`], `accessed`, `created`) are on the
//! simulation's clock (see [`Metadata`]'s "Times"), so a seed gives the
//! same times on every run.
//!
//! | what | where |
//! |---|---|
//! | open files, read, write, seek, positional I/O, `set_len`, sync, `try_clone` | [`File`], [`OpenOptions`] |
//! | whole-file helpers | [`read`], [`read_to_string`], [`write()`], [`copy`] |
//! | namespace | [`create_dir`], [`create_dir_all`], [`DirBuilder`], [`rename`], [`hard_link`], [`remove_file`], [`remove_dir`], [`remove_dir_all`], [`read_dir`], [`metadata()`], [`symlink_metadata`], [`try_exists`], [`canonicalize`], [`sync_dir`] |
//! | modes and times | [`Metadata`] (`modified`, `accessed`, `created`, `permissions`), [`Permissions`], [`set_permissions`] |
//! | faults, crash, counters, preloaded files | [`Disk`], [`DiskConfig`], [`DiskStats`] |
//!
//! # The durability model
//!
//! This is the contract crash-recovery code is tested against. Each node's
//! disk holds two states: the **live** state (what every read, lookup and
//! listing sees, at once) and the **durable** state (what survives a
//! crash).
//!
//! * **File contents** (writes, `set_len`, truncation at open) are
//!   volatile until [`File::sync_data`] or [`File::sync_all`] returns `Ok`
//!   (both make size changes durable). A sync makes the file's whole live
//!   contents durable, whichever handle wrote them.
//! * **Times and modes** ([`Metadata::modified`], `accessed`, `created`,
//!   and what [`set_permissions`] sets: the inode's) are volatile until
//!   [`File::sync_all`] (not `sync_data`, as Linux's `fdatasync` skips
//!   them) or, for a directory, a sync of it; under [`Namespace::Journal`] a commit makes those of every file
//!   and directory changed since the last commit durable too, as ext4
//!   journals its inodes. A crash brings back the durable ones, so a
//!   file whose unsynced writes were lost shows the modification time of
//!   its last `sync_all` (or of its creation), also when a crash model
//!   kept part of those writes.
//! * **Namespace changes** (create, rename, remove, mkdir, hard link)
//!   are, with the default [`Namespace::Strict`], volatile until their
//!   parent directory is synced: [`sync_dir`], or [`File::open`] on the directory then
//!   `sync_all`. **A rename between directories needs both synced**: each
//!   directory's entries become durable on their own, so after a crash
//!   with only the source directory synced the file is gone (under
//!   neither name), and with only the target synced it is under both
//!   names (see [the example](#example-a-rename-between-directories)).
//!   Syncing a file does not make its name durable. (Both are stricter
//!   than what Linux ext4 does, whose journal commits a rename as one
//!   transaction and usually a new file's name with the file's fsync.
//!   Stricter is not a superset, though: on ext4 another file's sync can
//!   commit a rename to a new name before the renamed file's data is
//!   synced, so "write, rename, then sync the data" can leave an empty
//!   file after a crash there, which this mode never shows. Sync a file's data before
//!   renaming it, and check ext4-only code under [`Namespace::Journal`],
//!   which shows that outcome.) With [`Namespace::Relaxed`],
//!   every namespace change is durable at once (file contents still need
//!   a sync). With [`Namespace::Journal`] (ext4, XFS), namespace changes
//!   enter one journal per disk, in the order made, and a successful sync
//!   of any file or directory changed since the last commit commits the
//!   whole journal before it makes its own data durable: a new file's
//!   `sync_all` makes its name durable too, and a sync of another file
//!   written since makes an earlier rename durable (both directories at
//!   once). A crash loses the changes made since the last commit; a sync
//!   of something unchanged since commits nothing; a failed sync commits nothing (the
//!   journal waits for the next one). A failed journal commit
//!   ([`DiskConfig::journal_error`]) aborts the journal, as on ext4 with
//!   `errors=remount-ro`: the disk is read-only (every change and sync
//!   fails with `ReadOnlyFilesystem`, reads still work) until it
//!   crashes, which loses what was not committed. See
//!   [`Namespace::Journal`] for what is not modelled. Pick `Journal` for
//!   code that targets ext4 or XFS only: `Strict` stays the portable
//!   default.
//! * **A crash** (the node is killed, or [`Disk::crash`]: power loss)
//!   makes the durable state live again: every volatile change is lost,
//!   files whose names were not durable are gone, files created but never
//!   synced are empty. Handles opened before the crash fail with
//!   `StaleNetworkFileHandle` (ESTALE). A restarted node sees the durable
//!   state.
//! * **Synced data is never lost.** Renames are atomic: after a crash the
//!   name refers to the old file or the new one, never to a mix (within
//!   one directory; between two, see above).
//! * **A failed sync loses what it failed to write, for good**, as on
//!   Linux since 4.13 (errseq_t writeback errors; PostgreSQL's
//!   "fsyncgate"): the changes not yet synced when a sync fails (an
//!   injected [`DiskConfig::sync_error`]) are marked clean without
//!   reaching the disk. Reads still see them (the page cache) until a
//!   crash, which loses them *even if a later sync succeeded*: retrying
//!   the sync does not bring them back. The failing call reports the
//!   error; so does the next sync through every other [`File`] open at
//!   the failure, once; after that, syncs succeed (unless another error
//!   is injected) and make later changes durable as usual. The unit is
//!   Linux's page, a 4 KiB block of the file: a later write (or
//!   truncation) into a block makes the whole block durable again with
//!   the next sync, lost bytes included; other lost bytes keep what the
//!   disk held (zeros where the file grew: the size itself is made
//!   durable by the next sync, like the inode). A failed directory sync
//!   loses the entries changed since the directory's last sync the same
//!   way (a later sync writes only entries changed after the failure).
//!   Treat a failed sync as fatal: stop, and recover from what is durable
//!   (see [the example](#example-retrying-a-failed-sync-loses-the-data)).
//!
//! By default a crash loses *every* unsynced write (no draws). Two opt-in
//! crash models keep part of them, as real disks do, each decision a disk
//! draw from the choice source (0 = keep nothing):
//!
//! * [`DiskConfig::torn_writes`]: each file's unsynced writes reach the
//!   disk in order up to a drawn point, which may cut a write at a sector
//!   boundary ([`DiskConfig::sector_size`], default 512): a torn tail, the
//!   file's size grown to cover what was kept.
//! * [`DiskConfig::reorder_writes`]: each unsynced write (and truncation)
//!   of a file is kept or lost independently (and, with `torn_writes`,
//!   may be cut at a sector boundary).
//!
//! Unsynced namespace changes are never partly kept.
//!
//! # Faults
//!
//! [`DiskConfig`] sets, per disk or for all ([`Disk::set_default`]),
//! changeable at any time: injected I/O errors on reads, writes and syncs
//! (kind `Other`, message `... injected I/O error (EIO) on write ...`; a
//! failed write writes nothing, a failed sync loses the unsynced changes
//! on a crash, see above), on journal commits under
//! [`Namespace::Journal`] (the disk turns read-only until it crashes),
//! read corruption (one flipped bit in the bytes returned, not in the
//! stored data), a capacity (`StorageFull`: a write writes what fits and
//! returns the short count, then fails), and latencies on the virtual
//! clock (one for I/O, one for syncs). Every random decision is a disk
//! draw (divergence reports say "a disk fault, latency or crash
//! outcome"); nothing is drawn for a fault that is off. Writes, syncs,
//! namespace changes, crashes and faults are folded into the run's
//! fingerprint.
//!
//! # Example
//!
//! ```
//! use detsim::fs::{self, Disk, File};
//!
//! let mut sim = detsim::Sim::builder().seed(1).build();
//! sim.run(async {
//!     fs::create_dir("/db").await.unwrap();
//!     fs::sync_dir("/").await.unwrap(); // "/db" is durable
//!
//!     let mut f = File::create("/db/data").await.unwrap();
//!     f.write_all(b"synced").await.unwrap();
//!     f.sync_data().await.unwrap(); // the contents are durable...
//!     fs::sync_dir("/db").await.unwrap(); // ...and so is the name
//!     f.write_all(b" + lost").await.unwrap(); // volatile
//!     fs::write("/db/unsynced-name", "x").await.unwrap(); // volatile
//!
//!     Disk::current().crash(); // power loss
//!     assert_eq!(fs::read("/db/data").await.unwrap(), b"synced");
//!     assert!(!fs::try_exists("/db/unsynced-name").await.unwrap());
//!     let stale = f.write_all(b"!").await.unwrap_err();
//!     assert_eq!(stale.kind(), std::io::ErrorKind::StaleNetworkFileHandle);
//! }).unwrap();
//! ```

//!
//! # Example: a rename between directories
//!
//! Moving a finished job from `/in` to `/out` is durable only once both
//! directories are synced; syncing only the source loses the job.
//!
//! ```
//! use detsim::fs::{self, Disk};
//!
//! let mut sim = detsim::Sim::builder().build();
//! sim.run(async {
//!     let disk = Disk::current();
//!     disk.preload("/in/job", "payload").unwrap(); // durable, /in too
//!     disk.preload("/out/.keep", "").unwrap();
//!
//!     fs::rename("/in/job", "/out/job").await.unwrap();
//!     fs::sync_dir("/in").await.unwrap(); // the removal from /in is durable...
//!     disk.crash(); // ...the entry in /out is not: the job is lost
//!     assert!(!fs::try_exists("/in/job").await.unwrap());
//!     assert!(!fs::try_exists("/out/job").await.unwrap());
//!
//!     disk.preload("/in/job", "payload").unwrap();
//!     fs::rename("/in/job", "/out/job").await.unwrap();
//!     fs::sync_dir("/out").await.unwrap(); // only the target:
//!     disk.crash(); // the job is under both names
//!     assert!(fs::try_exists("/in/job").await.unwrap());
//!     assert!(fs::try_exists("/out/job").await.unwrap());
//!     fs::remove_file("/out/job").await.unwrap();
//!     fs::sync_dir("/out").await.unwrap();
//!
//!     fs::rename("/in/job", "/out/job").await.unwrap();
//!     fs::sync_dir("/in").await.unwrap();
//!     fs::sync_dir("/out").await.unwrap(); // both: the move is durable
//!     disk.crash();
//!     assert!(!fs::try_exists("/in/job").await.unwrap());
//!     assert_eq!(fs::read("/out/job").await.unwrap(), b"payload");
//! }).unwrap();
//! ```

//!
//! # Example: retrying a failed sync loses the data
//!
//! A log that retries `sync_data` after an I/O error believes its record
//! durable; a crash shows it is not. Treating the error as fatal and
//! writing the record again (after recovering) is what works.
//!
//! ```
//! use detsim::fs::{self, Disk, DiskConfig, OpenOptions};
//!
//! let mut sim = detsim::Sim::builder().build();
//! sim.run(async {
//!     let disk = Disk::current();
//!     disk.preload("/wal", "").unwrap(); // an empty, durable log
//!     let log = OpenOptions::new().write(true).open("/wal").await.unwrap();
//!     log.write_all_at(b"record", 0).await.unwrap();
//!
//!     disk.configure(DiskConfig::new().sync_error(1.0)).unwrap();
//!     assert!(log.sync_data().await.is_err()); // EIO: the record was dropped...
//!     disk.reset_config();
//!     log.sync_data().await.unwrap(); // ...and the retry "succeeds"
//!     assert_eq!(fs::read("/wal").await.unwrap(), b"record"); // the page cache
//!
//!     disk.crash();
//!     assert_eq!(fs::read("/wal").await.unwrap(), [0; 6]); // the size, not the bytes
//!
//!     // Writing the record again after the error makes it durable.
//!     let log = OpenOptions::new().write(true).open("/wal").await.unwrap();
//!     log.write_all_at(b"record", 0).await.unwrap();
//!     log.sync_data().await.unwrap();
//!     disk.crash();
//!     assert_eq!(fs::read("/wal").await.unwrap(), b"record");
//! }).unwrap();
//! ```

mod config;
mod content;
mod dir;
mod dir_builder;
mod disk;
mod events;
mod faults;
mod file;
mod link;
mod metadata;
mod ops;
mod options;
mod path;
mod permissions;
mod pool;
mod state;
mod stats;
mod tree;

pub use config::{DiskConfig, DiskConfigError, Namespace};
pub use dir::{DirEntry, ReadDir, read_dir};
pub use dir_builder::DirBuilder;
pub use disk::Disk;
pub use file::File;
pub use link::{copy, hard_link};
pub use metadata::{FileType, Metadata};
pub use ops::{
    canonicalize, create_dir, create_dir_all, metadata, read, read_to_string, remove_dir,
    remove_dir_all, remove_file, rename, symlink_metadata, sync_dir, try_exists, write,
};
pub use options::OpenOptions;
pub use permissions::{Permissions, set_permissions};
pub use stats::{DiskStats, FaultCounts};

/// The latency distribution of a disk operation (the network's type: also
/// `detsim::net::Latency`), here so that a disk configuration needs no
/// network import.
///
/// ```
/// use std::time::Duration;
/// use detsim::fs::{DiskConfig, Latency};
/// let config = DiskConfig::new().latency(Latency::constant(Duration::from_micros(50)));
/// # let _ = config;
/// ```
pub use crate::latency::Latency;
