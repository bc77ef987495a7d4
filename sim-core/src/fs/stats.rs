//! Counters of one node's disk.

/// Faults a disk injected, by kind.
///
/// ```
/// assert_eq!(detsim::fs::FaultCounts::default().total(), 0);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct FaultCounts {
    /// Reads failed with an injected I/O error.
    pub read_errors: u64,
    /// Writes (and `set_len`s) failed with an injected I/O error.
    pub write_errors: u64,
    /// Syncs failed with an injected I/O error.
    pub sync_errors: u64,
    /// Reads that returned a flipped bit.
    pub corruptions: u64,
    /// Writes cut short or refused because the disk was full.
    pub storage_full: u64,
    /// Unsynced writes a crash kept only in part (cut at a sector
    /// boundary).
    pub torn_writes: u64,
    /// Journal commits that failed ([`DiskConfig::journal_error`]): each
    /// aborted the journal and left the disk read-only until it crashed.
    ///
    /// [`DiskConfig::journal_error`]: super::DiskConfig::journal_error
    pub journal_aborts: u64,
}

impl FaultCounts {
    /// Every injected fault.
    ///
    /// ```
    /// let mut f = detsim::fs::FaultCounts::default();
    /// f.sync_errors = 2;
    /// assert_eq!(f.total(), 2);
    /// ```
    pub fn total(&self) -> u64 {
        self.read_errors
            + self.write_errors
            + self.sync_errors
            + self.corruptions
            + self.storage_full
            + self.torn_writes
            + self.journal_aborts
    }
}

/// What one node's disk did (see [`Disk::stats`](super::Disk::stats)).
///
/// ```
/// let s = detsim::fs::DiskStats::default();
/// assert_eq!(s.bytes_written, 0);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DiskStats {
    /// Successful reads.
    pub reads: u64,
    /// Successful writes.
    pub writes: u64,
    /// Successful syncs (files and directories).
    pub syncs: u64,
    /// Bytes returned by reads.
    pub bytes_read: u64,
    /// Bytes written.
    pub bytes_written: u64,
    /// Bytes made durable by syncs (written or truncated since the
    /// previous sync of the file).
    pub bytes_synced: u64,
    /// Crashes (node kills and [`Disk::crash`](super::Disk::crash)).
    pub crashes: u64,
    /// Bytes the disk stores now (the sum of file sizes).
    pub used_bytes: u64,
    /// Injected faults.
    pub faults: FaultCounts,
}
