//! The disk's draws and events: injected errors, read corruption, latency
//! and crash outcomes, all from the choice source as disk draws (0 = no
//! fault, the minimum latency, nothing unsynced kept), and the events
//! folded into the fingerprint. Nothing here draws while its fault is off.

use std::io;
use std::time::Duration;

use super::config::DiskConfig;
use super::content::Content;
use crate::ext::{self, EventKind};
use crate::latency::Latency;

pub(crate) static WRITE: EventKind = EventKind {
    code: 0x4601,
    name: "disk write",
};
pub(crate) static SYNC: EventKind = EventKind {
    code: 0x4602,
    name: "disk sync",
};
pub(crate) static CRASH: EventKind = EventKind {
    code: 0x4603,
    name: "disk crash",
};
pub(crate) static FAULT: EventKind = EventKind {
    code: 0x4604,
    name: "disk fault",
};
pub(crate) static NAMESPACE: EventKind = EventKind {
    code: 0x4605,
    name: "disk namespace change",
};

/// Which fault an event reports.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Fault {
    Read = 1,
    Write = 2,
    Sync = 3,
    Corruption = 4,
    Full = 5,
    JournalAbort = 6,
}

pub(crate) fn fault_event(node: u32, fault: Fault) {
    ext::event(&FAULT, u64::from(node), fault as u64);
}

fn draw(bound: u64) -> u64 {
    ext::disk_draw(bound)
}

/// Whether a fault of probability `rate` fires (no draw at 0 or 1).
pub(crate) fn happens(rate: f64) -> bool {
    ext::happens(rate, &mut draw)
}

/// A latency sample (no draw when constant; zero when off).
pub(crate) fn delay(latency: &Latency) -> Duration {
    if latency.is_zero() {
        return Duration::ZERO;
    }
    Duration::from_nanos(latency.sample(&mut draw))
}

/// The error an injected fault returns.
pub(crate) fn injected(op: &str, path: &str) -> io::Error {
    io::Error::other(format!(
        "{path}: injected I/O error (EIO) on {op} (DiskConfig's {op}_error rate)"
    ))
}

/// What a failed sync means, for its messages.
const SYNC_LOSS: &str = "the changes not synced then are lost on a crash even though a later \
    sync succeeds (Linux's rule since 4.13); treat it as fatal and recover from what is durable";

/// The error of an injected sync failure.
pub(crate) fn injected_sync(path: &str) -> io::Error {
    io::Error::other(format!(
        "{path}: injected I/O error (EIO) on sync (DiskConfig's sync_error rate): {SYNC_LOSS}"
    ))
}

/// The error a handle's sync reports for a failed sync of its file that
/// it has not reported yet (one through another handle).
pub(crate) fn unseen_sync_failure(path: &str) -> io::Error {
    io::Error::other(format!(
        "{path}: I/O error (EIO) on sync, reported to every handle open when an earlier sync \
         of this file failed (DiskConfig's sync_error rate): {SYNC_LOSS}"
    ))
}

/// The error of a sync whose journal commit failed (an injected
/// `journal_error`): the journal aborted at `at`.
pub(crate) fn journal_aborted(path: &str, at: sim_clock::Instant) -> io::Error {
    io::Error::other(format!(
        "{path}: injected I/O error (EIO) on the journal commit (DiskConfig's journal_error \
         rate): the journal aborted at virtual time {at} and the disk is read-only until the \
         node restarts (ext4's errors=remount-ro); the changes not committed are lost: treat it \
         as fatal and recover from what is durable after the restart"
    ))
}

/// The error of an operation that would change a disk whose journal
/// aborted at `at`.
pub(crate) fn read_only(path: &str, at: sim_clock::Instant) -> io::Error {
    io::Error::new(
        io::ErrorKind::ReadOnlyFilesystem,
        format!(
            "{path}: read-only file system (EROFS): the disk's journal aborted at virtual time \
             {at} (a journal commit failed: DiskConfig's journal_error rate), so it was \
             remounted read-only; reads still work; restart the node (or call Disk::crash) to \
             mount it again: the changes not committed before the abort are lost"
        ),
    )
}

/// Flips one drawn bit of `buf` (a read corruption).
pub(crate) fn flip_bit(buf: &mut [u8]) {
    let bit = draw(buf.len() as u64 * 8);
    buf[(bit / 8) as usize] ^= 1 << (bit % 8);
}

/// What a crash keeps of `content`'s pending changes, per change (see
/// `Content::crash`): in order up to one drawn point (torn writes), or
/// each independently (reordered writes).
pub(crate) fn crash_keep(content: &Content, config: &DiskConfig) -> Vec<u64> {
    let sector = config.sector_size;
    let pending = content.pending();
    if !config.logs_writes() {
        // Torn and reordered writes were switched off since these changes
        // were logged: the default model keeps nothing, with no draws.
        return vec![0; pending.len()];
    }
    if config.reorder_writes {
        return pending
            .iter()
            .map(|p| {
                let pieces = p.pieces(sector);
                if config.torn_writes {
                    draw(pieces + 1)
                } else {
                    draw(2) * pieces
                }
            })
            .collect();
    }
    let total: u64 = pending.iter().map(|p| p.pieces(sector)).sum();
    let mut left = draw(total + 1);
    pending
        .iter()
        .map(|p| {
            let k = left.min(p.pieces(sector));
            left -= k;
            k
        })
        .collect()
}
