//! The only module with `unsafe` code in sim-core: task wakers as plain
//! integers (one call to `Waker::from_raw`) and cache prefetch hints (one
//! call to a prefetch intrinsic). Neither ever dereferences a pointer.
//!
//! # Wakers
//!
//! A waker's data word is a [`Token`]: the simulation's tag (26 bits), the
//! task's slot index (21 bits) and the slot's generation (17 bits), packed
//! into 64 bits. Tags are not reused until 2^26 simulations have been
//! created in the process, so a waker kept past its simulation's end cannot
//! reach a later simulation in any realistic sweep. It is never
//! dereferenced, so cloning and dropping are no-ops (no allocation, no
//! atomics, no reference count) and every vtable function is safe to call
//! from any thread. `wake` looks up the simulation current on the calling
//! thread; when that is not the token's simulation (another OS thread, or the
//! simulation is not running) the wake is queued in [`crate::foreign`] and
//! reported, never lost and never undefined behaviour.
#![allow(unsafe_code)]

use std::task::{RawWaker, RawWakerVTable, Waker};

#[cfg(not(target_pointer_width = "64"))]
compile_error!("detsim packs task wakers into a pointer-sized word and needs a 64-bit target");

const TAG_BITS: u32 = 26;
const INDEX_BITS: u32 = 21;
const GEN_BITS: u32 = 17;

/// Number of distinct simulation tags.
pub(crate) const TAGS: u32 = 1 << TAG_BITS;

/// Most task slots a simulation can hold at once.
pub(crate) const MAX_TASKS: u32 = 1 << INDEX_BITS;

/// (simulation tag, slot index, slot generation) in one word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Token(u64);

impl Token {
    pub(crate) fn new(tag: u32, index: u32, generation: u32) -> Token {
        debug_assert!(index < MAX_TASKS && tag < TAGS);
        let generation = u64::from(generation) & ((1 << GEN_BITS) - 1);
        Token(
            (u64::from(tag) << (INDEX_BITS + GEN_BITS))
                | (u64::from(index) << GEN_BITS)
                | generation,
        )
    }

    pub(crate) fn tag(self) -> u32 {
        (self.0 >> (INDEX_BITS + GEN_BITS)) as u32
    }

    pub(crate) fn index(self) -> u32 {
        ((self.0 >> GEN_BITS) & ((1 << INDEX_BITS) - 1)) as u32
    }

    /// The low bits of the slot's generation.
    pub(crate) fn generation(self) -> u32 {
        (self.0 & ((1 << GEN_BITS) - 1)) as u32
    }

    /// Whether this token names a slot of the given full generation.
    pub(crate) fn matches(self, generation: u32) -> bool {
        self.generation() == generation & ((1 << GEN_BITS) - 1)
    }
}

static VTABLE: RawWakerVTable = RawWakerVTable::new(clone_raw, wake_raw, wake_raw, drop_raw);

fn clone_raw(data: *const ()) -> RawWaker {
    RawWaker::new(data, &VTABLE)
}

fn wake_raw(data: *const ()) {
    crate::context::wake(Token(data.addr() as u64));
}

fn drop_raw(_: *const ()) {}

/// The waker of a task slot.
pub(crate) fn waker(token: Token) -> Waker {
    let raw = RawWaker::new(std::ptr::without_provenance(token.0 as usize), &VTABLE);
    // SAFETY: `Waker::from_raw` requires the vtable functions to uphold the
    // `RawWaker` contract for this data pointer. The pointer is an integer
    // (no provenance) that no function dereferences: `clone_raw` returns the
    // same word with the same vtable, `drop_raw` does nothing (there is no
    // resource to release), and `wake_raw` only decodes the integer and looks
    // the simulation up in thread-local state, which is sound on any thread.
    // So every function is thread-safe, as `Waker: Send + Sync` requires.
    unsafe { Waker::from_raw(raw) }
}

/// Asks the CPU to start loading the cache line at `addr` (a task's future,
/// say) while other work goes on. A no-op off x86-64.
///
/// Under random scheduling over many tasks, a step touches the task's slot
/// and then its future: two cache misses in a row. Prefetching the future
/// as soon as the scheduler picks the task lets both misses overlap.
#[inline(always)]
pub(crate) fn prefetch(addr: usize) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `_mm_prefetch` requires SSE, which is part of the x86-64
    // baseline, so the target feature is always present. A prefetch is only
    // a hint: it never faults and never makes memory observable, whatever
    // the address (null, dangling or unmapped included), so no address can
    // cause undefined behaviour.
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>(std::ptr::without_provenance::<i8>(addr));
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = addr;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip() {
        let t = Token::new(TAGS - 1, MAX_TASKS - 1, 0x1_ABCD);
        assert_eq!(t.tag(), TAGS - 1);
        assert_eq!(t.index(), MAX_TASKS - 1);
        assert_eq!(t.generation(), 0x1_ABCD);
        assert!(
            t.matches(0x3_ABCD),
            "only the low 17 generation bits are kept"
        );
    }

    #[test]
    fn prefetching_any_address_is_harmless() {
        prefetch(0);
        prefetch(usize::MAX);
        let v = [1u8; 64];
        prefetch(v.as_ptr() as usize);
    }

    #[test]
    fn wakers_of_one_token_will_wake_each_other() {
        let a = waker(Token::new(1, 2, 3));
        let b = a.clone();
        assert!(a.will_wake(&b));
        assert!(!a.will_wake(&waker(Token::new(1, 2, 4))));
    }
}
