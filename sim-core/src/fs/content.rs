//! A regular file's bytes: the live image (what reads see) and the durable
//! image (what survives a crash), stored as copy-on-write blocks.
//!
//! Both images are vectors of `Rc` blocks (`None` is a block of zeros). A
//! write copies a block only if the durable image still shares it
//! (`Rc::make_mut`) and marks it dirty; a sync points the durable image at
//! the dirty blocks of the live one. So a sync costs O(blocks written since
//! the last sync), never O(file size), and a synced file is stored once.
//!
//! When the disk models torn or reordered writes, each unsynced write and
//! truncation is also kept, with its data, in a pending log: a crash
//! replays a drawn part of it onto the durable image (see
//! [`Content::crash`]).
//!
//! A failed sync ([`Content::sync_failed`]) is Linux's writeback error:
//! the dirty blocks (pages) are marked clean without reaching the durable
//! image, so a later sync does not write them unless they are written
//! again; reads still see them until a crash.

use std::ops::Range;
use std::rc::Rc;

/// Bytes per storage block (independent of the configurable sector size).
pub(crate) const BLOCK: usize = 4096;

/// The largest file: 16 TiB, ext4's limit with 4 KiB blocks. A write or
/// `set_len` past it fails with `FileTooLarge` (`EFBIG`), as on ext4.
pub(crate) const MAX_FILE_SIZE: u64 = 1 << 44;

use super::pool::{self, zero_block};

/// `BLOCK` bytes (a slice, so a whole-block write is one copy, without
/// zeroing the block first); allocated through [`pool`].
type Block = Rc<[u8]>;

/// One version of a file's bytes. Invariant: bytes past `len` in the last
/// block are zero.
#[derive(Clone, Default)]
struct Image {
    blocks: Vec<Option<Block>>,
    len: u64,
}

fn blocks_for(len: u64) -> usize {
    len.div_ceil(BLOCK as u64) as usize
}

impl Image {
    fn read(&self, offset: u64, buf: &mut [u8]) -> usize {
        if offset >= self.len {
            return 0;
        }
        let n = buf.len().min((self.len - offset) as usize);
        let mut done = 0;
        while done < n {
            let at = offset + done as u64;
            let (b, o) = ((at / BLOCK as u64) as usize, (at % BLOCK as u64) as usize);
            let take = (BLOCK - o).min(n - done);
            let out = &mut buf[done..done + take];
            match &self.blocks[b] {
                Some(block) => out.copy_from_slice(&block[o..o + take]),
                None => out.fill(0),
            }
            done += take;
        }
        n
    }

    /// Writes `data` at `offset` (growing the file); returns the blocks
    /// touched or added.
    fn write(&mut self, offset: u64, data: &[u8]) -> Range<usize> {
        if data.is_empty() {
            return 0..0;
        }
        let end = offset + data.len() as u64;
        let old_blocks = self.blocks.len();
        if blocks_for(end) > old_blocks {
            self.blocks.resize(blocks_for(end), None);
        }
        let first = (offset / BLOCK as u64) as usize;
        let mut done = 0;
        while done < data.len() {
            let at = offset + done as u64;
            let (b, o) = ((at / BLOCK as u64) as usize, (at % BLOCK as u64) as usize);
            let take = (BLOCK - o).min(data.len() - done);
            let src = &data[done..done + take];
            match &mut self.blocks[b] {
                slot @ None if take == BLOCK => *slot = Some(pool::block_from(src)),
                slot => {
                    let block = slot.get_or_insert_with(zero_block);
                    Rc::make_mut(block)[o..o + take].copy_from_slice(src);
                }
            }
            done += take;
        }
        self.len = self.len.max(end);
        first.min(old_blocks)..blocks_for(end)
    }

    /// Truncates or extends (with zeros); returns the blocks changed or
    /// added.
    fn set_len(&mut self, len: u64) -> Range<usize> {
        let old_blocks = self.blocks.len();
        if len >= self.len {
            self.len = len;
            self.blocks.resize(blocks_for(len), None);
            return old_blocks..self.blocks.len();
        }
        self.len = len;
        self.blocks.truncate(blocks_for(len));
        let tail = (len % BLOCK as u64) as usize;
        let last = self.blocks.len().wrapping_sub(1);
        match self.blocks.last_mut() {
            Some(Some(block)) if tail != 0 => {
                Rc::make_mut(block)[tail..].fill(0);
                last..last + 1
            }
            _ => 0..0,
        }
    }
}

/// A write or truncation not yet synced, kept for torn/reordered crashes.
pub(crate) enum Pending {
    Write { offset: u64, data: Vec<u8> },
    SetLen(u64),
}

impl Pending {
    /// How many pieces a crash can keep of it: the sectors a write spans
    /// (its prefix up to each sector boundary), 1 for a truncation.
    pub(crate) fn pieces(&self, sector: u64) -> u64 {
        match self {
            Pending::Write { offset, data } => {
                let end = offset + data.len() as u64;
                end.div_ceil(sector) - offset / sector
            }
            Pending::SetLen(_) => 1,
        }
    }
}

/// A regular file's contents.
#[derive(Default)]
pub(crate) struct Content {
    live: Image,
    /// Per live block: changed since the last sync.
    dirty_flags: Vec<bool>,
    dirty: Vec<u32>,
    durable: Image,
    /// Kept only while the disk models torn or reordered writes.
    pending: Vec<Pending>,
    /// A change since the last sync was not logged (the disk modelled
    /// neither torn nor reordered writes then): the log no longer covers
    /// every unsynced change, so it is dropped and nothing more is logged
    /// until the next sync or crash. A crash then keeps none of them (an
    /// outcome valid under every crash model), never a later change
    /// without the unlogged earlier one.
    untracked: bool,
    /// Bytes written (or truncated) since the last sync.
    unsynced: u64,
    /// A failed sync dropped changes: some clean live blocks differ from
    /// the durable ones, so a sync must also fix the durable image's size
    /// and tail itself. Until the next crash.
    lost: bool,
}

impl Content {
    pub(crate) fn len(&self) -> u64 {
        self.live.len
    }

    /// Whether anything changed since the last sync.
    #[cfg(test)]
    fn is_dirty(&self) -> bool {
        !self.dirty.is_empty() || self.live.len != self.durable.len || !self.pending.is_empty()
    }

    pub(crate) fn read(&self, offset: u64, buf: &mut [u8]) -> usize {
        self.live.read(offset, buf)
    }

    fn mark(&mut self, blocks: Range<usize>) {
        if self.dirty_flags.len() < self.live.blocks.len() {
            self.dirty_flags.resize(self.live.blocks.len(), false);
        }
        for b in blocks {
            if !self.dirty_flags[b] {
                self.dirty_flags[b] = true;
                self.dirty.push(b as u32);
            }
        }
    }

    /// Whether change may go to the log: `log` (the disk models torn or
    /// reordered writes now) and no earlier unsynced change went unlogged.
    fn logs(&mut self, log: bool) -> bool {
        if log && !self.untracked {
            return true;
        }
        if !self.untracked {
            self.untracked = true;
            self.pending.clear();
        }
        false
    }

    /// Checks that the file can grow to `len` bytes: at most
    /// [`MAX_FILE_SIZE`], and the block maps of both images (one entry
    /// per 4 KiB, holes included) allocated. Nothing changes on an error.
    pub(crate) fn reserve(&mut self, len: u64) -> std::io::Result<()> {
        use std::io::{Error, ErrorKind};
        if len > MAX_FILE_SIZE {
            return Err(Error::new(
                ErrorKind::FileTooLarge,
                format!(
                    "file too large: {len} bytes is past the largest file ({MAX_FILE_SIZE} bytes, \
                     16 TiB, as ext4 with 4 KiB blocks)"
                ),
            ));
        }
        let want = blocks_for(len);
        for image in [&mut self.live, &mut self.durable] {
            let more = want.saturating_sub(image.blocks.len());
            if image.blocks.try_reserve(more).is_err() {
                return Err(Error::new(
                    ErrorKind::OutOfMemory,
                    format!(
                        "the simulated disk cannot hold a {len}-byte file in this process's \
                         memory (its block map takes 16 bytes per 4 KiB block, holes included): \
                         use smaller files or offsets"
                    ),
                ));
            }
        }
        Ok(())
    }

    pub(crate) fn write(&mut self, offset: u64, data: &[u8], log: bool) {
        if data.is_empty() {
            return;
        }
        let touched = self.live.write(offset, data);
        self.mark(touched);
        self.unsynced += data.len() as u64;
        if self.logs(log) {
            self.pending.push(Pending::Write {
                offset,
                data: data.to_vec(),
            });
        }
    }

    pub(crate) fn set_len(&mut self, len: u64, log: bool) {
        let old = self.live.len;
        let changed = self.live.set_len(len);
        self.dirty_flags.truncate(self.live.blocks.len());
        self.mark(changed);
        self.unsynced += old.abs_diff(len);
        if self.logs(log) {
            self.pending.push(Pending::SetLen(len));
        }
    }

    /// Makes the live image durable; returns the bytes written since the
    /// last sync. O(blocks changed since the last sync).
    pub(crate) fn sync(&mut self) -> u64 {
        let blocks = self.live.blocks.len();
        if self.lost {
            // Without a loss every block whose durable copy differs is
            // dirty, the last one included; with one, the durable tail
            // may hold bytes the live file no longer has.
            self.durable.set_len(self.live.len);
        }
        self.durable.blocks.resize(blocks, None);
        for b in self.dirty.drain(..) {
            let b = b as usize;
            if b < blocks {
                self.durable.blocks[b] = self.live.blocks[b].clone();
                self.dirty_flags[b] = false;
            }
        }
        self.durable.len = self.live.len;
        self.pending.clear();
        self.untracked = false;
        std::mem::take(&mut self.unsynced)
    }

    /// A sync failed (Linux's writeback error): every change since the
    /// last sync is marked clean without reaching the durable image, so
    /// no later sync writes it (unless its block is written again) and a
    /// crash loses it; reads still see it until then. The size is not
    /// lost: the next successful sync makes the live size durable, like
    /// the inode on Linux.
    pub(crate) fn sync_failed(&mut self) {
        for b in self.dirty.drain(..) {
            if let Some(flag) = self.dirty_flags.get_mut(b as usize) {
                *flag = false;
            }
        }
        self.pending.clear();
        self.untracked = false;
        self.unsynced = 0;
        self.lost = true;
    }

    /// The unsynced changes kept for a crash.
    pub(crate) fn pending(&self) -> &[Pending] {
        &self.pending
    }

    /// Power loss: `keep(i)` says how many pieces of pending change `i`
    /// (see [`Pending::pieces`]) reach the durable image; then the live
    /// image becomes the durable one. Returns how many changes were kept
    /// only in part (torn).
    pub(crate) fn crash(&mut self, sector: u64, keep: &[u64]) -> u64 {
        let mut torn = 0;
        for (p, &k) in self.pending.iter().zip(keep) {
            if k == 0 {
                continue;
            }
            match p {
                Pending::Write { offset, data } => {
                    let pieces = p.pieces(sector);
                    let len = if k >= pieces {
                        data.len()
                    } else {
                        torn += 1;
                        let cut = (offset / sector + k) * sector;
                        (cut - offset) as usize
                    };
                    self.durable.write(*offset, &data[..len]);
                }
                Pending::SetLen(len) => {
                    self.durable.set_len(*len);
                }
            }
        }
        self.pending.clear();
        self.live = self.durable.clone();
        self.dirty.clear();
        self.dirty_flags.clear();
        self.unsynced = 0;
        self.lost = false;
        self.untracked = false;
        torn
    }
}

impl Drop for Content {
    fn drop(&mut self) {
        let durable = std::mem::take(&mut self.durable.blocks);
        let live = std::mem::take(&mut self.live.blocks);
        pool::recycle(durable.into_iter().chain(live).flatten());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(c: &Content) -> Vec<u8> {
        let mut v = vec![0xAA; c.len() as usize];
        assert_eq!(c.read(0, &mut v), v.len());
        v
    }

    #[test]
    fn writes_reads_and_holes() {
        let mut c = Content::default();
        c.write(5000, b"xyz", false);
        assert_eq!(c.len(), 5003);
        let v = bytes(&c);
        assert!(v[..5000].iter().all(|&b| b == 0));
        assert_eq!(&v[5000..], b"xyz");
        c.set_len(5001, false);
        c.set_len(6000, false);
        let v = bytes(&c);
        assert_eq!(v[5000], b'x');
        assert!(
            v[5001..].iter().all(|&b| b == 0),
            "shrink then grow reads zeros"
        );
    }

    #[test]
    fn sync_shares_blocks_and_crash_restores_the_durable_image() {
        let mut c = Content::default();
        c.write(0, &[1; 10_000], false);
        assert_eq!(c.sync(), 10_000);
        assert!(!c.is_dirty());
        c.write(100, &[2; 10], false);
        c.set_len(50, false);
        c.set_len(20_000, false);
        assert!(c.is_dirty());
        assert_eq!(c.crash(512, &[]), 0);
        assert_eq!(bytes(&c), vec![1; 10_000]);
        // Shrink, grow over old blocks, sync: the durable image follows.
        c.set_len(0, false);
        c.set_len(9000, false);
        c.sync();
        c.crash(512, &[]);
        assert_eq!(bytes(&c), vec![0; 9000]);
    }

    #[test]
    fn a_failed_sync_loses_the_dirty_blocks_but_not_later_ones() {
        let mut c = Content::default();
        c.write(0, &[1; 5000], true);
        c.sync();
        c.write(10, &[2; 10], true); // block 0
        c.set_len(4500, true); // block 1 shrinks
        c.sync_failed();
        assert!(c.dirty.is_empty(), "no later sync writes them");
        assert!(c.pending().is_empty(), "a crash has nothing to replay");
        assert_eq!(&bytes(&c)[10..20], &[2; 10], "reads see the lost write");
        c.write(4096, &[3; 4], true); // block 1 again
        assert_eq!(c.sync(), 4);
        c.crash(512, &[]);
        let v = bytes(&c);
        assert_eq!(v.len(), 4500);
        assert_eq!(&v[10..20], &[1; 10], "block 0's change was lost");
        assert_eq!(&v[4096..4100], &[3; 4]);
        assert_eq!(&v[4100..], &[1; 400][..], "block 1 rewritten whole");
    }

    #[test]
    fn a_crash_keeps_a_sector_prefix_of_a_pending_write() {
        let mut c = Content::default();
        c.write(100, &[7; 1000], true); // 100..1100 spans sectors 0, 1 and 2 (512 each)
        assert_eq!(c.pending()[0].pieces(512), 3);
        assert_eq!(c.crash(512, &[1]), 1);
        assert_eq!(c.len(), 512);
        assert_eq!(&bytes(&c)[100..], &[7; 412][..]);
    }
}
