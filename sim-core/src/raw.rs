//! The only module with `unsafe` code in sim-core: task wakers and
//! extensions' [word wakers](crate::ext::word_waker) as plain integers
//! (two calls to `Waker::from_raw`), cache prefetch hints (one call
//! to a prefetch intrinsic) and [`RawTask`], the owned, pinned allocation of
//! a spawned future (a `Pin<Box<dyn Task>>` whose memory comes from a
//! per-thread cache of freed task cells instead of the system allocator).
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

use std::alloc::{self, Layout};
use std::any::Any;
use std::cell::RefCell;
use std::pin::Pin;
use std::ptr::NonNull;
use std::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};

use crate::task::cell::Task;

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

/// Wakes `waker` now if it is a task's waker, or gives it back. A task
/// waker's wake only queues its task (or a foreign wake): it runs no user
/// code and takes no borrow its caller may hold, except the runtime's
/// task table and run queue.
#[inline]
pub(crate) fn wake_task(waker: Waker) -> Result<(), Waker> {
    if std::ptr::eq(waker.vtable(), &VTABLE) {
        wake_raw(waker.data());
        // Nothing to release (`drop_raw` does nothing).
        std::mem::forget(waker);
        Ok(())
    } else {
        Err(waker)
    }
}

/// The vtable of [`word_waker`]s that call `W::wake`.
struct WordVtable<W>(std::marker::PhantomData<W>);

impl<W: crate::ext::WordWake> WordVtable<W> {
    const VTABLE: RawWakerVTable =
        RawWakerVTable::new(Self::clone, Self::wake, Self::wake, drop_raw);

    fn clone(data: *const ()) -> RawWaker {
        RawWaker::new(data, &Self::VTABLE)
    }

    fn wake(data: *const ()) {
        W::wake(data.addr() as u64);
    }
}

/// A waker whose data word is `word` and whose `wake` calls
/// `W::wake(word)` (see [`crate::ext::word_waker`]).
pub(crate) fn word_waker<W: crate::ext::WordWake>(word: u64) -> Waker {
    let raw = RawWaker::new(
        std::ptr::without_provenance(word as usize),
        &WordVtable::<W>::VTABLE,
    );
    // SAFETY: as for task wakers above: the data pointer is an integer
    // (no provenance) that no vtable function dereferences; `clone` returns
    // the same word and vtable, `drop_raw` does nothing (no resource), and
    // `wake` passes the integer to `W::wake`, a safe function that may be
    // called on any thread (the `WordWake` contract), so every function is
    // thread-safe, as `Waker: Send + Sync` requires.
    unsafe { Waker::from_raw(raw) }
}

/// Asks the CPU to start loading the cache line at `hint` (a task's
/// future, say) while other work goes on; if bit 0 of `hint` is set (see
/// [`RawTask::hint`]), the line after it too. A no-op off x86-64.
///
/// Under random scheduling over many tasks, a step touches the task's slot
/// and then its future: two cache misses in a row. Prefetching the future
/// as soon as the scheduler picks the task lets both misses overlap.
#[inline(always)]
pub(crate) fn prefetch(hint: usize) {
    let addr = hint & !1;
    prefetch_line(addr);
    if hint & 1 != 0 {
        prefetch_line(addr.wrapping_add(64));
    }
}

#[inline(always)]
fn prefetch_line(addr: usize) {
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

// ------------------------------------------------------------ task cells

/// Granularity (and alignment) of cached task cells.
const CELL_UNIT: usize = 16;
/// Size classes: cells of up to `CELL_CLASSES * CELL_UNIT` bytes are cached.
const CELL_CLASSES: usize = 32;
/// Most bytes of freed cells a thread keeps for reuse; frees beyond it go
/// back to the system allocator.
const CELL_CACHE_BYTES: usize = 32 << 20;

/// Freed task cells of each size class, for reuse by the next spawns on
/// this thread. A spawn-heavy simulation allocates and frees one cell per
/// task; the system allocator spends hundreds of instructions on each of
/// those calls, a cached cell about ten.
struct CellCache {
    free: [Vec<NonNull<u8>>; CELL_CLASSES],
    bytes: usize,
}

impl Drop for CellCache {
    fn drop(&mut self) {
        for (class, list) in self.free.iter().enumerate() {
            let layout = class_layout(class);
            for &p in list {
                // SAFETY: every cached pointer was returned by
                // `alloc::alloc(class_layout(class))` (see `alloc_cell`) and
                // is owned by the cache alone (a cell is cached once, when
                // its `RawTask` is dropped).
                unsafe { alloc::dealloc(p.as_ptr(), layout) };
            }
        }
    }
}

thread_local! {
    static CELLS: RefCell<CellCache> = const {
        RefCell::new(CellCache {
            free: [const { Vec::new() }; CELL_CLASSES],
            bytes: 0,
        })
    };
}

/// The size class serving `layout`, if cached cells can.
#[inline]
fn cell_class(layout: Layout) -> Option<usize> {
    let class = layout.size().div_ceil(CELL_UNIT).max(1) - 1;
    (class < CELL_CLASSES && layout.align() <= CELL_UNIT).then_some(class)
}

/// The layout every cell of a size class is allocated with.
#[inline]
fn class_layout(class: usize) -> Layout {
    match Layout::from_size_align((class + 1) * CELL_UNIT, CELL_UNIT) {
        Ok(l) => l,
        Err(_) => unreachable!("size classes are small multiples of their alignment"),
    }
}

/// What a value of `layout` is allocated as: its size class's layout
/// (then `Some(class)`), or the layout itself, at least one byte long.
#[inline]
fn cell_layout(layout: Layout) -> (Layout, Option<usize>) {
    match cell_class(layout) {
        Some(class) => (class_layout(class), Some(class)),
        None => (
            Layout::from_size_align(layout.size().max(1), layout.align()).unwrap_or(layout),
            None,
        ),
    }
}

/// Memory for a value of `layout`: a cached cell if one is free, else the
/// system allocator's.
#[inline]
fn alloc_cell(layout: Layout) -> NonNull<u8> {
    let (layout, class) = cell_layout(layout);
    if let Some(class) = class {
        let cached = CELLS
            .try_with(|c| {
                let mut c = c.borrow_mut();
                let p = c.free[class].pop()?;
                c.bytes -= layout.size();
                Some(p)
            })
            .ok()
            .flatten();
        if let Some(p) = cached {
            return p;
        }
    }
    // SAFETY: `cell_layout` never returns a zero-sized layout (a size
    // class's is at least `CELL_UNIT` bytes, any other at least one).
    let p = unsafe { alloc::alloc(layout) };
    NonNull::new(p).unwrap_or_else(|| alloc::handle_alloc_error(layout))
}

/// Gives back memory that `alloc_cell(layout)` returned: to the cache while
/// it has room, else to the system allocator.
#[inline]
fn free_cell(p: NonNull<u8>, layout: Layout) {
    let (layout, class) = cell_layout(layout);
    let cached = class.is_some_and(|class| {
        CELLS
            .try_with(|c| {
                let mut c = c.borrow_mut();
                if c.bytes + layout.size() > CELL_CACHE_BYTES {
                    return false;
                }
                c.bytes += layout.size();
                c.free[class].push(p);
                true
            })
            .unwrap_or(false)
    });
    if !cached {
        // SAFETY: `p` came from `alloc_cell` with the same `layout`, so it
        // was allocated by `alloc::alloc(cell_layout(layout).0)`, either
        // just then or before it was cached (the cache holds only cells of
        // its class's layout). It is freed once, here.
        unsafe { alloc::dealloc(p.as_ptr(), layout) };
    }
}

/// How to poll, empty and drop a task of one type, and its layout: the
/// hand-made vtable of a [`RawTask`].
struct TaskVTable {
    poll: unsafe fn(NonNull<u8>, &mut Context<'_>) -> Poll<()>,
    take_output: unsafe fn(NonNull<u8>, &mut dyn Any) -> bool,
    drop_in_place: unsafe fn(NonNull<u8>),
    layout: Layout,
}

/// The vtable of task type `T`.
trait HasVTable {
    const VTABLE: TaskVTable;
}

impl<T: Task + 'static> HasVTable for T {
    const VTABLE: TaskVTable = TaskVTable {
        poll: poll_raw::<T>,
        take_output: take_output_raw::<T>,
        drop_in_place: drop_raw_task::<T>,
        layout: Layout::new::<T>(),
    };
}

/// # Safety
///
/// `p` must point to a live, pinned `T` that nothing else borrows.
unsafe fn poll_raw<T: Task>(p: NonNull<u8>, cx: &mut Context<'_>) -> Poll<()> {
    // SAFETY: per this function's contract, a unique borrow of the `T` is
    // valid, and the `T` never moves (the pinning guarantee).
    let task = unsafe { Pin::new_unchecked(p.cast::<T>().as_mut()) };
    task.poll_task(cx)
}

/// # Safety
///
/// As for [`poll_raw`].
unsafe fn take_output_raw<T: Task>(p: NonNull<u8>, dst: &mut dyn Any) -> bool {
    // SAFETY: as in `poll_raw`.
    let task = unsafe { Pin::new_unchecked(p.cast::<T>().as_mut()) };
    task.take_output(dst)
}

/// # Safety
///
/// `p` must point to a live `T` that nothing borrows, and the `T` must
/// not be used again.
unsafe fn drop_raw_task<T: Task>(p: NonNull<u8>) {
    // SAFETY: per this function's contract, the `T` is live, unborrowed and
    // dropped once; dropping in place keeps the pinning guarantee.
    unsafe { std::ptr::drop_in_place(p.cast::<T>().as_ptr()) }
}

/// A spawned future (a [`Task`]) in memory of its own that never moves:
/// what `Pin<Box<dyn Task>>` is, with the memory from [`alloc_cell`] and
/// the prefetch hint (see [`RawTask::hint`]) in the pointer's bit 0.
///
/// It holds a `NonNull`, so it is neither `Send` nor `Sync` (like a box
/// of a `!Send` trait object): it is dropped on the thread that made it.
pub(crate) struct RawTask {
    /// The task's address, with bit 0 set when it spans two cache lines
    /// (cells are at least 16-aligned, so the bit is free).
    tagged: NonNull<u8>,
    vtable: &'static TaskVTable,
}

impl RawTask {
    /// Moves `task` into a cell of its own.
    #[inline(always)]
    pub(crate) fn new<T: Task + 'static>(task: T) -> RawTask {
        let layout = Layout::new::<T>();
        let p = alloc_cell(layout);
        // SAFETY: `p` is valid for writes of a `T`: `alloc_cell` returns
        // memory of at least `T`'s size and alignment (a size class's cells
        // are `CELL_UNIT`-aligned and only serve alignments up to it), not
        // in use by anything else.
        unsafe { p.cast::<T>().as_ptr().write(task) };
        debug_assert!(p.addr().get() % 2 == 0, "cells are at least 2-aligned");
        let wide = (p.addr().get() % 64) + layout.size() > 64;
        RawTask {
            tagged: p.map_addr(|a| a | usize::from(wide)),
            vtable: &<T as HasVTable>::VTABLE,
        }
    }

    /// The task's address, untagged.
    #[inline]
    fn ptr(&self) -> NonNull<u8> {
        let p = self.tagged.as_ptr().map_addr(|a| a & !1);
        // SAFETY: `tagged` is the address of an at-least-2-aligned cell,
        // hence at least 2, with bit 0 maybe set: clearing it gives back
        // that address, which is not null.
        unsafe { NonNull::new_unchecked(p) }
    }

    /// Polls the task; see [`Task::poll_task`].
    #[inline]
    pub(crate) fn poll_task(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        // SAFETY: `ptr()` points to the live task this `RawTask` owns
        // exclusively (written in `new`, dropped only in `drop`), of the
        // type `vtable` was made for; `&mut self` makes the borrow unique,
        // and the task never moves.
        unsafe { (self.vtable.poll)(self.ptr(), cx) }
    }

    /// Takes the task's output; see [`Task::take_output`].
    #[inline]
    pub(crate) fn take_output(&mut self, dst: &mut dyn Any) -> bool {
        // SAFETY: as in `poll_task`.
        unsafe { (self.vtable.take_output)(self.ptr(), dst) }
    }

    /// The address of the task.
    #[cfg(test)]
    fn addr(&self) -> usize {
        self.ptr().addr().get()
    }

    /// A [`prefetch`] hint for the task: its address, with bit 0 set when
    /// it does not fit in the cache line it starts in. Only its first two
    /// lines are covered.
    #[inline]
    pub(crate) fn hint(&self) -> usize {
        self.tagged.addr().get()
    }
}

impl Drop for RawTask {
    fn drop(&mut self) {
        /// Frees the cell even if the task's destructor panics.
        struct Free(NonNull<u8>, Layout);
        impl Drop for Free {
            fn drop(&mut self) {
                free_cell(self.0, self.1);
            }
        }
        let _free = Free(self.ptr(), self.vtable.layout);
        // SAFETY: the task is live, of the vtable's type and owned by this
        // `RawTask` alone; it is dropped once, here, in place (it was
        // pinned), and not used after. Its memory is freed by `_free`
        // afterwards, also on unwind.
        unsafe { (self.vtable.drop_in_place)(self.ptr()) };
    }
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
        prefetch(1);
        prefetch(usize::MAX);
        let v = [1u8; 64];
        prefetch(v.as_ptr() as usize);
    }

    #[test]
    fn task_cells_are_reused_and_sized() {
        use crate::task::cell::boxed;
        let mut cx = Context::from_waker(Waker::noop());
        let mut a = boxed(async { 7_u8 });
        assert!(a.poll_task(&mut cx).is_ready());
        let addr = a.addr();
        drop(a);
        // The next cell of the same class reuses the freed one.
        let b = boxed(async { 8_u8 });
        assert_eq!(b.addr(), addr);
        // Large and over-aligned tasks bypass the cache.
        #[repr(align(64))]
        struct Aligned(u8);
        let big = boxed(async { [1_u8; 4096] });
        let mut aligned = boxed(async { Aligned(1) });
        assert_eq!(aligned.addr() % 64, 0);
        assert!(aligned.poll_task(&mut cx).is_ready());
        let mut out: Option<Aligned> = None;
        assert!(aligned.take_output(&mut out));
        assert_eq!(out.map(|a| a.0), Some(1));
        drop((b, big, aligned));
        let small = boxed(async { 1_u8 });
        assert_eq!(small.hint(), small.addr(), "a small cell fits in one line");
        let wide = boxed(async { [1_u8; 100] });
        assert_eq!(wide.hint(), wide.addr() | 1, "a wide cell spans two");
        drop((small, wide));
        assert_eq!(cell_class(Layout::new::<u8>()), Some(0));
        assert_eq!(cell_class(Layout::new::<[u8; 16]>()), Some(0));
        assert_eq!(cell_class(Layout::new::<[u8; 17]>()), Some(1));
        assert_eq!(cell_class(Layout::new::<[u8; 513]>()), None);
    }

    #[test]
    fn a_panicking_task_destructor_still_frees_its_cell() {
        struct Bomb;
        impl Drop for Bomb {
            fn drop(&mut self) {
                panic!("boom");
            }
        }
        let bomb = Bomb;
        let t = crate::task::cell::boxed(async move {
            let _b = &bomb;
        });
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(t)));
        assert!(r.is_err());
    }

    #[test]
    fn wakers_of_one_token_will_wake_each_other() {
        let a = waker(Token::new(1, 2, 3));
        let b = a.clone();
        assert!(a.will_wake(&b));
        assert!(!a.will_wake(&waker(Token::new(1, 2, 4))));
    }
}
