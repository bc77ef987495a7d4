//! A per-thread cache of freed storage blocks, for the next simulation.
//!
//! Storing a 4 KiB block in fresh memory costs a page fault (about 1–2 µs
//! on a VM), more than everything else a simulated write does. When a
//! file's contents are dropped (the file removed, lost in a crash, or the
//! simulation dropped), its blocks that nothing else shares come here, up
//! to [`CAP_BYTES`] per thread, and new blocks are taken from here first:
//! a sweep over seeds, or a benchmark's repetitions, then reuse the same
//! memory. A reused block is overwritten entirely before use (by the
//! caller's bytes, or zeros), so nothing leaks from one simulation into
//! another, and reuse changes no outcome. The cache dies with its thread.

use std::cell::RefCell;
use std::rc::Rc;

use super::content::BLOCK;

/// The most a thread keeps: 1 GiB (only ever what its simulations freed).
pub(crate) const CAP_BYTES: usize = 1 << 30;

thread_local! {
    // determinism: ok (a cache of memory; a reused block is fully overwritten, no outcome depends on it)
    static FREE: RefCell<Vec<Rc<[u8]>>> = const { RefCell::new(Vec::new()) };
}

/// A block holding `src` (`BLOCK` bytes).
pub(crate) fn block_from(src: &[u8]) -> Rc<[u8]> {
    debug_assert_eq!(src.len(), BLOCK);
    match take() {
        Some(mut b) => {
            Rc::get_mut(&mut b)
                .expect("pooled blocks are unshared")
                .copy_from_slice(src);
            b
        }
        None => Rc::from(src),
    }
}

/// A block of zeros.
pub(crate) fn zero_block() -> Rc<[u8]> {
    match take() {
        Some(mut b) => {
            Rc::get_mut(&mut b)
                .expect("pooled blocks are unshared")
                .fill(0);
            b
        }
        None => Rc::from(&[0u8; BLOCK][..]),
    }
}

fn take() -> Option<Rc<[u8]>> {
    FREE.try_with(|f| f.borrow_mut().pop()).ok().flatten()
}

/// Keeps the blocks nothing else holds (in order: a block held twice is
/// kept when its second holder comes by).
pub(crate) fn recycle(blocks: impl Iterator<Item = Rc<[u8]>>) {
    let _ = FREE.try_with(|f| {
        let Ok(mut free) = f.try_borrow_mut() else {
            return;
        };
        for b in blocks {
            if free.len() * BLOCK < CAP_BYTES
                && Rc::strong_count(&b) == 1
                && Rc::weak_count(&b) == 0
                && b.len() == BLOCK
            {
                free.push(b);
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freed_blocks_are_reused_and_overwritten() {
        let a = block_from(&[7; BLOCK]);
        let ptr = Rc::as_ptr(&a) as *const u8;
        let shared = a.clone();
        recycle([a].into_iter()); // still shared: not kept
        recycle([shared].into_iter()); // the last holder: kept
        let z = zero_block();
        assert_eq!(
            Rc::as_ptr(&z) as *const u8,
            ptr,
            "the freed block came back"
        );
        assert!(z.iter().all(|&b| b == 0));
    }
}
