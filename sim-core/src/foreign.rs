//! The registry of live simulations and the queue of wakes that arrive from
//! outside a simulation's run (another OS thread, or between runs).
//!
//! Such wakes cannot be part of a deterministic schedule: the executor
//! delivers them at its next scheduling point and lists them in the run's
//! [`Report`](crate::Report) so the user can find the thread that caused
//! them.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::thread::ThreadId;

use crate::raw::{TAGS, Token};

#[derive(Default)]
struct Registry {
    live: BTreeSet<u32>,
    next: u32,
    queued: BTreeMap<u32, Vec<Queued>>,
}

/// One wake delivered from outside the simulation's run.
#[derive(Debug, Clone)]
pub(crate) struct Queued {
    pub(crate) token: Token,
    pub(crate) thread: ThreadId,
    pub(crate) thread_name: Option<String>,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    live: BTreeSet::new(),
    next: 0,
    queued: BTreeMap::new(),
});

/// Wakes queued for any simulation; lets the executor skip the lock.
static PENDING: AtomicUsize = AtomicUsize::new(0);

fn registry() -> MutexGuard<'static, Registry> {
    // A panic while holding this lock cannot leave it inconsistent (every
    // operation is a single insert/remove), so poisoning is ignored.
    REGISTRY.lock().unwrap_or_else(|e| e.into_inner())
}

/// Allocates a waker tag unused by any live simulation. Tags are handed out
/// in order and wrap only after 2^26 simulations.
pub(crate) fn register() -> u32 {
    let mut r = registry();
    assert!(
        (r.live.len() as u32) < TAGS - 1,
        "detsim: more than {} simulations are alive in this process; drop finished ones",
        TAGS - 1
    );
    loop {
        let tag = r.next;
        r.next = (r.next + 1) % TAGS;
        if r.live.insert(tag) {
            return tag;
        }
    }
}

/// Frees a tag and discards wakes still queued for it.
pub(crate) fn unregister(tag: u32) {
    let mut r = registry();
    r.live.remove(&tag);
    if let Some(q) = r.queued.remove(&tag) {
        PENDING.fetch_sub(q.len(), Ordering::Relaxed);
    }
}

/// Queues a wake for a simulation that is not current on this thread.
/// Wakes for simulations that no longer exist are dropped.
pub(crate) fn push(token: Token) {
    let thread = std::thread::current();
    let mut r = registry();
    if !r.live.contains(&token.tag()) {
        return;
    }
    r.queued.entry(token.tag()).or_default().push(Queued {
        token,
        thread: thread.id(),
        thread_name: thread.name().map(str::to_owned),
    });
    PENDING.fetch_add(1, Ordering::Release);
}

/// Whether any wake is queued for any simulation (one atomic load: the
/// executor checks it every step).
#[inline]
pub(crate) fn any_pending() -> bool {
    PENDING.load(Ordering::Acquire) != 0
}

/// Takes the wakes queued for `tag`.
pub(crate) fn take(tag: u32) -> Vec<Queued> {
    if !any_pending() {
        return Vec::new();
    }
    let mut r = registry();
    let q = r.queued.remove(&tag).unwrap_or_default();
    PENDING.fetch_sub(q.len(), Ordering::Relaxed);
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wakes_are_kept_per_live_tag_only() {
        let a = register();
        let b = register();
        assert_ne!(a, b);
        push(Token::new(a, 1, 1));
        unregister(b);
        push(Token::new(b, 1, 1)); // dead: dropped
        let got = take(a);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].token, Token::new(a, 1, 1));
        assert!(take(b).is_empty());
        unregister(a);
    }
}
