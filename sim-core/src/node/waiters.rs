//! The tasks waiting on a node (in [`shutdown_signal`](super::shutdown_signal)
//! or [`Node::stopped`](super::Node::stopped)), one entry per waiting
//! future, and the poll both futures share.
//!
//! Each future takes a waiter id (counted per simulation) at its first
//! poll and keeps at most one entry under it: a poll with a new waker
//! replaces the entry's waker, a wake takes the entries away (the woken
//! futures register again if they still wait), and a future dropped
//! while waiting removes its entry, so a long run that races many such
//! futures keeps none of the finished ones. Wakers are cloned, woken and
//! dropped outside the node table's borrow: each may run user code,
//! which may use the node.

use std::task::{Context, Poll, Waker};

use super::{NodeId, NodeState};
use crate::runtime::Runtime;

/// Wakers by waiter id, in the order the waiters first waited.
#[derive(Default)]
pub(crate) struct Waiters(Vec<(u64, Waker)>);

impl Waiters {
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every waker, the entries gone (to wake after the borrow).
    pub(crate) fn take(&mut self) -> Vec<Waker> {
        if self.0.is_empty() {
            return Vec::new();
        }
        std::mem::take(&mut self.0)
            .into_iter()
            .map(|(_, w)| w)
            .collect()
    }

    /// Removes waiter `id`'s entry; its waker is returned, to drop after
    /// the borrow.
    pub(crate) fn remove(&mut self, id: u64) -> Option<Waker> {
        let at = self.0.iter().position(|(i, _)| *i == id)?;
        Some(self.0.remove(at).1)
    }

    /// Whether waiter `id` needs `waker` stored (it has no entry, or one
    /// with a waker that would not wake the same task).
    fn needs(&self, id: u64, waker: &Waker) -> bool {
        !self.0.iter().any(|(i, w)| *i == id && w.will_wake(waker))
    }

    /// Stores `waker` for waiter `id`; returns the one it replaces.
    fn set(&mut self, id: u64, waker: Waker) -> Option<Waker> {
        match self.0.iter_mut().find(|(i, _)| *i == id) {
            Some((_, w)) => Some(std::mem::replace(w, waker)),
            None => {
                self.0.push((id, waker));
                None
            }
        }
    }
}

/// Which of a node's lists a future waits in.
pub(crate) type List = fn(&mut NodeState) -> &mut Waiters;

/// Polls waiter `id` of `node`: ready if `ready` says the wait is over
/// (its entry, if any, removed), else its waker stored in `list`.
/// `ready` is asked again after the waker's clone, which may have run
/// user code that changed the node.
pub(crate) fn poll_waiter(
    rt: &Runtime,
    node: NodeId,
    id: u64,
    cx: &Context<'_>,
    ready: impl Fn(&Runtime, &NodeState) -> bool,
    list: List,
) -> Poll<()> {
    let needs = {
        let mut nodes = rt.nodes.borrow_mut();
        let n = nodes.get_mut(node);
        if ready(rt, n) {
            let old = list(n).remove(id);
            drop(nodes);
            drop(old);
            return Poll::Ready(());
        }
        list(n).needs(id, cx.waker())
    };
    if !needs {
        return Poll::Pending;
    }
    let mut waker = Some(cx.waker().clone());
    let (out, old) = {
        let mut nodes = rt.nodes.borrow_mut();
        let n = nodes.get_mut(node);
        if ready(rt, n) {
            (Poll::Ready(()), list(n).remove(id))
        } else {
            let stored = waker.take().expect("cloned above");
            (Poll::Pending, list(n).set(id, stored))
        }
    };
    // The replaced waker, or the clone that was not needed.
    drop(old);
    drop(waker);
    out
}

/// Removes waiter `id` of `node` from `list` (its future is dropped), if
/// its simulation is current and the node table free; else nothing (a
/// destructor must not panic).
pub(crate) fn forget_waiter(instance: u64, node: NodeId, id: u64, list: List) {
    let old = crate::context::with_instance(instance, |rt| {
        let mut nodes = rt.nodes.try_borrow_mut().ok()?;
        list(nodes.get_mut(node)).remove(id)
    })
    .flatten();
    drop(old);
}
