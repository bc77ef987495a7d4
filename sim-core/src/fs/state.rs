//! The per-simulation disk state: one disk per node (created on first
//! use), the default configuration, and the crash on node kill.
//!
//! It lives in sim-core's per-simulation extension storage; handles
//! (`File`, `Disk`) are plain data that find it again by simulation
//! instance and node id. Disk operations complete at once (after their
//! latency), so nothing here wakes tasks.

use std::cell::RefCell;
use std::io;
use std::rc::Rc;

use super::config::DiskConfig;
use super::faults::{self, CRASH};
use super::stats::DiskStats;
use super::tree::Tree;
use crate::ext::{self, Extension};
use crate::node::NodeId;

/// One node's disk.
#[derive(Default)]
pub(crate) struct NodeDisk {
    pub(crate) tree: Tree,
    /// The node's own configuration (else the default).
    pub(crate) own: Option<DiskConfig>,
    /// Bumped by every crash: handles of an older incarnation are stale.
    pub(crate) incarnation: u64,
    pub(crate) stats: DiskStats,
    /// When the journal aborted ([`DiskConfig::journal_error`]): the disk
    /// is read-only until it crashes.
    pub(crate) aborted: Option<sim_clock::Instant>,
}

impl NodeDisk {
    /// `ReadOnlyFilesystem` if the journal aborted: for every operation
    /// that would change the disk (checked before it draws or changes
    /// anything).
    pub(crate) fn writable(&self, path: &str) -> io::Result<()> {
        match self.aborted {
            Some(at) => Err(faults::read_only(path, at)),
            None => Ok(()),
        }
    }
}

#[derive(Default)]
struct Inner {
    default: DiskConfig,
    nodes: Vec<NodeDisk>,
}

/// Every disk of one simulation.
#[derive(Default)]
pub(crate) struct Disks {
    inner: RefCell<Inner>,
}

impl Extension for Disks {
    fn node_killed(&self, node: NodeId) {
        self.crash(node.as_u32());
    }
}

impl Disks {
    #[track_caller]
    pub(crate) fn of(instance: u64, api: &str) -> Rc<Disks> {
        ext::get_for::<Disks>(instance, api)
    }

    /// Runs `f` on `node`'s disk with its effective configuration (the
    /// tree's namespace mode set from it).
    pub(crate) fn with<R>(&self, node: u32, f: impl FnOnce(&mut NodeDisk, &DiskConfig) -> R) -> R {
        let mut inner = self.inner.borrow_mut();
        let inner = &mut *inner;
        let i = node as usize;
        if inner.nodes.len() <= i {
            inner.nodes.resize_with(i + 1, NodeDisk::default);
        }
        let disk = &mut inner.nodes[i];
        let config = disk.own.unwrap_or(inner.default);
        if disk.tree.namespace() != config.namespace {
            disk.tree.set_namespace(config.namespace);
        }
        f(disk, &config)
    }

    /// Sets (or drops) `node`'s own configuration and applies its
    /// namespace mode at once, so that what a switch does never depends on
    /// whether anything touched the disk in between.
    pub(crate) fn set_own(&self, node: u32, own: Option<DiskConfig>) {
        self.with(node, |d, _| d.own = own);
        self.with(node, |_, _| ());
    }

    /// The effective configuration of `node`'s disk.
    pub(crate) fn config(&self, node: u32) -> DiskConfig {
        let inner = self.inner.borrow();
        inner
            .nodes
            .get(node as usize)
            .and_then(|d| d.own)
            .unwrap_or(inner.default)
    }

    pub(crate) fn set_default(&self, config: DiskConfig) {
        let mut inner = self.inner.borrow_mut();
        inner.default = config;
        // Applied at once to the disks that follow the default (see
        // `set_own`).
        for disk in inner.nodes.iter_mut().filter(|d| d.own.is_none()) {
            if disk.tree.namespace() != config.namespace {
                disk.tree.set_namespace(config.namespace);
            }
        }
    }

    /// Power loss on `node`'s disk: what is volatile is lost (or partly
    /// kept, as the configuration's crash model draws), open handles go
    /// stale.
    pub(crate) fn crash(&self, node: u32) {
        if self.inner.borrow().nodes.len() <= node as usize {
            return; // never used: nothing to lose
        }
        self.with(node, |disk, config| {
            disk.incarnation += 1;
            disk.stats.crashes += 1;
            disk.aborted = None; // mounted again, from what is durable
            let torn = disk.tree.crash(config.sector_size, &mut |content| {
                faults::crash_keep(content, config)
            });
            disk.stats.faults.torn_writes += torn;
            ext::event(&CRASH, u64::from(node), disk.incarnation);
        });
    }

    /// Closes a handle (from a destructor: never panics).
    pub(crate) fn close(&self, node: u32, ino: u64, incarnation: u64) {
        let Ok(mut inner) = self.inner.try_borrow_mut() else {
            return;
        };
        if let Some(disk) = inner.nodes.get_mut(node as usize) {
            if disk.incarnation == incarnation {
                disk.tree.close_handle(ino);
            }
        }
    }
}

/// The error of a handle opened before its disk crashed.
pub(crate) fn stale(path: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::StaleNetworkFileHandle,
        format!(
            "{path}: stale file handle: it was opened before its disk crashed (the node was \
             killed or Disk::crash was called); open the file again"
        ),
    )
}
