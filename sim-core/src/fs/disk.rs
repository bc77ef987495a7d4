//! [`Disk`]: the handle to one node's disk, to configure its faults, crash
//! it, read its counters and seed it with files.

use std::fmt;
use std::io;
use std::path::Path;

use super::config::{DiskConfig, DiskConfigError};
use super::path::SimPath;
use super::state::Disks;
use super::stats::DiskStats;
use super::tree::OpenMode;
use crate::ext;
use crate::node::Node;

/// One node's simulated disk: configuration (changeable at any moment),
/// crash, counters and preloading.
///
/// Every node has its own disk, created empty (just the root `/`) on first
/// use; it outlives the node's crashes and restarts. Code under test
/// reaches the disk of the node its task runs on through the free
/// functions ([`read`](super::read), [`File`](super::File), ...). A `Disk`
/// is plain data (`Copy`, `Send`) and panics outside its simulation.
///
/// # Example
///
/// ```
/// use detsim::fs::{self, Disk, DiskConfig};
/// use detsim::node::Node;
///
/// let mut sim = detsim::Sim::builder().build();
/// sim.run(async {
///     let db = Node::builder("db")
///         .init(|| async {
///             let conf = fs::read_to_string("/etc/db.toml").await.unwrap();
///             assert_eq!(conf, "port = 5432");
///         })
///         .build();
///     let disk = Disk::of(&db);
///     disk.preload("/etc/db.toml", "port = 5432").unwrap(); // durable, before init runs
///     disk.configure(DiskConfig::new().write_error(0.01)).unwrap();
///     detsim::yield_now().await;
///     assert_eq!(disk.stats().reads, 1);
/// }).unwrap();
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Disk {
    instance: u64,
    node: u32,
}

impl fmt::Debug for Disk {
    /// `Disk { node: 1, .. }`: the simulation instance is process-wide and
    /// left out, so output does not depend on which tests ran before.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Disk")
            .field("node", &self.node)
            .finish_non_exhaustive()
    }
}

impl Disk {
    /// The disk of the node the current task runs on.
    ///
    /// # Panics
    ///
    /// Outside a simulation.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let d = detsim::fs::Disk::current();
    /// assert_eq!(d, detsim::fs::Disk::of(&detsim::node::Node::current()));
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn current() -> Disk {
        Disk::of(&Node::current())
    }

    /// The disk of `node`.
    ///
    /// # Panics
    ///
    /// Outside a simulation.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let n = detsim::node::Node::builder("n").build();
    /// let d = detsim::fs::Disk::of(&n);
    /// # let _ = d;
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn of(node: &Node) -> Disk {
        Disk {
            instance: ext::instance("detsim::fs::Disk::of"),
            node: node.id().as_u32(),
        }
    }

    #[track_caller]
    fn disks(&self, api: &str) -> std::rc::Rc<Disks> {
        Disks::of(self.instance, api)
    }

    /// Sets this disk's own configuration (overriding the default).
    ///
    /// # Errors
    ///
    /// A [`DiskConfigError`] naming the invalid setting; nothing changes
    /// then.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// use detsim::fs::{Disk, DiskConfig};
    /// let d = Disk::current();
    /// assert!(d.configure(DiskConfig::new().read_error(2.0)).is_err());
    /// d.configure(DiskConfig::new().capacity(4096)).unwrap();
    /// assert_eq!(d.config(), DiskConfig::new().capacity(4096));
    /// # }).unwrap();
    /// ```
    pub fn configure(&self, config: DiskConfig) -> Result<(), DiskConfigError> {
        config.validate()?;
        self.disks("detsim::fs::Disk::configure")
            .set_own(self.node, Some(config));
        Ok(())
    }

    /// Drops this disk's own configuration: it follows the default again.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// use detsim::fs::{Disk, DiskConfig};
    /// let d = Disk::current();
    /// d.configure(DiskConfig::new().capacity(10)).unwrap();
    /// d.reset_config();
    /// assert_eq!(d.config(), DiskConfig::new());
    /// # }).unwrap();
    /// ```
    pub fn reset_config(&self) {
        self.disks("detsim::fs::Disk::reset_config")
            .set_own(self.node, None);
    }

    /// This disk's configuration: its own, else the default.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// assert_eq!(detsim::fs::Disk::current().config(), detsim::fs::DiskConfig::new());
    /// # }).unwrap();
    /// ```
    pub fn config(&self) -> DiskConfig {
        self.disks("detsim::fs::Disk::config").config(self.node)
    }

    /// Sets the configuration of every disk without its own (all nodes,
    /// present and future).
    ///
    /// # Errors
    ///
    /// A [`DiskConfigError`]; nothing changes then.
    ///
    /// # Panics
    ///
    /// Outside a simulation.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// use detsim::fs::{Disk, DiskConfig};
    /// Disk::set_default(DiskConfig::new().torn_writes(true)).unwrap();
    /// let n = detsim::node::Node::builder("n").build();
    /// assert_eq!(Disk::of(&n).config(), DiskConfig::new().torn_writes(true));
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn set_default(config: DiskConfig) -> Result<(), DiskConfigError> {
        config.validate()?;
        ext::get::<Disks>("detsim::fs::Disk::set_default").set_default(config);
        Ok(())
    }

    /// Power loss: every volatile change is lost (unsynced writes, unless
    /// the crash model keeps some; namespace changes whose directory was
    /// not synced, or under [`Namespace::Journal`](super::Namespace::Journal)
    /// not committed), and handles opened before fail with
    /// `StaleNetworkFileHandle`. A disk left read-only by an aborted
    /// journal ([`DiskConfig::journal_error`]) is writable again. The
    /// node's tasks keep running (kill the node to crash the machine:
    /// that crashes its disk too).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// use detsim::fs::{self, Disk};
    /// fs::write("/volatile", "x").await.unwrap();
    /// Disk::current().crash();
    /// assert!(!fs::try_exists("/volatile").await.unwrap());
    /// # }).unwrap();
    /// ```
    pub fn crash(&self) {
        self.disks("detsim::fs::Disk::crash").crash(self.node);
    }

    /// The disk's counters.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// detsim::fs::write("/f", "abc").await.unwrap();
    /// let s = detsim::fs::Disk::current().stats();
    /// assert_eq!((s.writes, s.bytes_written, s.used_bytes), (1, 3, 3));
    /// # }).unwrap();
    /// ```
    pub fn stats(&self) -> DiskStats {
        self.disks("detsim::fs::Disk::stats")
            .with(self.node, |d, _| {
                let mut s = d.stats;
                s.used_bytes = d.tree.used();
                s
            })
    }

    /// Puts a file on the disk, durably, with its missing parent
    /// directories (asynctest's `FileMock`: canned files for the code under
    /// test). An existing file is replaced. The directories on its path
    /// are synced (so their other entries become durable too; under
    /// [`Namespace::Journal`](super::Namespace::Journal) the sync commits
    /// the journal, as any sync does). No
    /// latency, faults or capacity apply, and nothing is drawn.
    ///
    /// # Errors
    ///
    /// `IsADirectory` if `path` is a directory, `NotADirectory` if a
    /// parent is a file, `InvalidInput` for a non-UTF-8 path or a name
    /// over 255 bytes (ENAMETOOLONG),
    /// `ReadOnlyFilesystem` if the disk's journal aborted
    /// ([`DiskConfig::journal_error`]; its uncommitted changes must not
    /// be committed: crash the disk first).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// use detsim::fs::{self, Disk};
    /// let disk = Disk::current();
    /// disk.preload("/etc/app.toml", "debug = true").unwrap();
    /// disk.crash(); // preloaded files are durable
    /// assert_eq!(fs::read_to_string("/etc/app.toml").await.unwrap(), "debug = true");
    /// # }).unwrap();
    /// ```
    pub fn preload(&self, path: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> io::Result<()> {
        let path = SimPath::parse(path.as_ref())?;
        if let Some(long) = path.too_long() {
            return Err(long.error());
        }
        let data = contents.as_ref();
        self.disks("detsim::fs::Disk::preload")
            .with(self.node, |d, _| {
                d.writable(&path.to_string())?;
                let tree = &mut d.tree;
                if let Some((parent, _)) = path.split_last() {
                    let mut dir = SimPath::root();
                    for part in parent {
                        dir = dir.join(part);
                    }
                    tree.mkdir_all(&dir)?;
                }
                let mode = OpenMode {
                    read: false,
                    write: true,
                    as_root: true, // the test's own files: permissions do not apply
                    truncate: true,
                    create: true,
                    create_new: false,
                    create_mode: None,
                };
                let ino = tree.open(&path, mode, false)?;
                tree.write(ino, 0, data, false, None)?;
                tree.commit();
                tree.sync_file(ino);
                let mut dir = SimPath::root();
                tree.sync_dir(tree.lookup(&dir)?);
                for part in path.split_last().map_or(&[][..], |(p, _)| p) {
                    dir = dir.join(part);
                    tree.sync_dir(tree.lookup(&dir)?);
                }
                Ok(())
            })
    }
}
