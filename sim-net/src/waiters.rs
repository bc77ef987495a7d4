//! The wakers of what waits on one socket: the `accept`s of a listener,
//! the `recv_from`s (and `readable`s, `peek_from`s) of a UDP socket, the
//! `readable`s, `writable`s and `peek`s of a TCP connection end.
//!
//! Each waiting future owns a slot (a [`WaitSlot`]), which it gives back
//! when it completes or is dropped, so a future cancelled while it waits
//! (the losing branch of a `select!`, a timed-out `timeout`, a dropped
//! `FuturesUnordered`) leaves nothing behind: the list holds one waker per
//! live waiting future, however many come and go. The poll functions
//! (`poll_accept`, `poll_recv_from`) have no future to own a slot; as in
//! tokio, only the waker of the latest call is kept.
//!
//! An arrival wakes every waiter (each polls again; the first takes what
//! came), in slot order, then the latest poll function caller's. Slots are
//! reused lowest-last-freed first, so the order depends on the run only.
//!
//! Replaced and freed wakers are returned, never dropped here: the caller
//! drops them after the network's borrow (a waker's destructor is user
//! code, and may use the network).

use std::task::Waker;

use sim_core::ext;

use crate::state::{self, Net};
use crate::tcp;

/// The wakers of the futures (and the latest poll function caller)
/// waiting on one socket.
#[derive(Debug, Default)]
pub(crate) struct Waiters {
    /// A slot per waiting future: its waker, `None` once woken (until it
    /// polls again).
    slots: Vec<Option<Waker>>,
    /// Slots no future owns.
    free: Vec<u32>,
    /// The latest poll function caller's waker.
    polled: Option<Waker>,
}

impl Waiters {
    /// Keeps `waker` for the future owning `slot` (giving it a slot first
    /// if it has none), or with `None` as the latest poll function
    /// caller's. A waker kept there that wakes the same task stays (no
    /// clone); otherwise the one replaced is returned. The clone is made
    /// in the network's borrow: an `Arc`-based waker's clone runs no user
    /// code.
    #[must_use = "a replaced waker is dropped outside the network's borrow"]
    pub(crate) fn park(&mut self, slot: Option<&mut Option<u32>>, waker: &Waker) -> Option<Waker> {
        let kept = match slot {
            None => &mut self.polled,
            Some(&mut Some(i)) => &mut self.slots[i as usize],
            Some(slot) => {
                let i = match self.free.pop() {
                    Some(i) => i,
                    None => {
                        self.slots.push(None);
                        (self.slots.len() - 1) as u32
                    }
                };
                *slot = Some(i);
                &mut self.slots[i as usize]
            }
        };
        match kept {
            Some(w) if w.will_wake(waker) => None,
            _ => kept.replace(waker.clone()),
        }
    }

    /// Frees `slot` (its future completed or was dropped). Returns its
    /// waker, if it still had one.
    #[must_use = "a freed waker is dropped outside the network's borrow"]
    pub(crate) fn release(&mut self, slot: u32) -> Option<Waker> {
        let waker = self.slots[slot as usize].take();
        self.free.push(slot);
        waker
    }

    /// Moves every waker to `out` (to be woken, or dropped when the socket
    /// goes): the slots stay with their futures, which park again if they
    /// still wait.
    #[inline]
    pub(crate) fn drain_into(&mut self, out: &mut Vec<Waker>) {
        if self.is_unused() {
            return;
        }
        self.drain_some(out);
    }

    /// Whether nobody ever waited here (a TCP end whose reads and writes
    /// park in their own slots, every time data moves): nothing to walk
    /// or drain.
    #[inline]
    pub(crate) fn is_unused(&self) -> bool {
        self.slots.is_empty() && self.polled.is_none()
    }

    fn drain_some(&mut self, out: &mut Vec<Waker>) {
        out.extend(self.slots.iter_mut().filter_map(Option::take));
        out.extend(self.polled.take());
    }

    /// Wakers kept now (for tests).
    #[cfg(test)]
    fn kept(&self) -> usize {
        self.slots.iter().flatten().count() + usize::from(self.polled.is_some())
    }
}

/// Which socket a [`WaitSlot`] waits on.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Owner {
    Listener(tcp::Key),
    Socket(state::Key),
    /// A TCP connection end's readiness waits: the connection and the end.
    Conn(tcp::Key, usize),
}

impl state::Inner {
    /// The waiters of `owner`, if it is still there.
    pub(crate) fn waiters_of(&mut self, owner: Owner) -> Option<&mut Waiters> {
        match owner {
            Owner::Listener(key) => self.tcp.listeners.get_mut(key).map(|l| &mut l.waiters),
            Owner::Socket(key) => self.socket_opt_mut(key).map(|s| &mut s.waiters),
            Owner::Conn(key, end) => self.tcp.conns.get_mut(key).map(|c| &mut c.ends[end].ready),
        }
    }
}

/// A waiting future's slot in its socket's [`Waiters`], given back when
/// the future (which holds this) completes or is dropped.
#[derive(Debug)]
pub(crate) struct WaitSlot {
    instance: u64,
    owner: Owner,
    pub(crate) slot: Option<u32>,
}

impl WaitSlot {
    pub(crate) fn new(instance: u64, owner: Owner) -> WaitSlot {
        WaitSlot {
            instance,
            owner,
            slot: None,
        }
    }
}

impl Drop for WaitSlot {
    fn drop(&mut self) {
        let Some(slot) = self.slot.take() else {
            return;
        };
        // Outside its simulation (or after it) there is nothing to free.
        let Some(net) = ext::try_get_for::<Net>(self.instance) else {
            return;
        };
        let waker = net
            .inner
            .borrow_mut()
            .waiters_of(self.owner)
            .and_then(|w| w.release(slot));
        drop(waker);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::task::Wake;

    struct Flag;
    impl Wake for Flag {
        fn wake(self: Arc<Self>) {}
    }

    fn waker() -> Waker {
        Waker::from(Arc::new(Flag))
    }

    #[test]
    fn a_released_slot_takes_its_waker_and_is_reused() {
        let mut w = Waiters::default();
        let (mut a, mut b) = (None, None);
        assert!(w.park(Some(&mut a), &waker()).is_none());
        assert!(w.park(Some(&mut b), &waker()).is_none());
        assert_eq!((a, b), (Some(0), Some(1)));
        assert!(w.release(0).is_some());
        assert_eq!(w.kept(), 1);
        let mut c = None;
        assert!(w.park(Some(&mut c), &waker()).is_none());
        assert_eq!(c, Some(0), "the freed slot");
    }

    #[test]
    fn futures_that_come_and_go_keep_the_list_bounded() {
        let mut w = Waiters::default();
        for _ in 0..10_000 {
            let mut slot = None;
            assert!(w.park(Some(&mut slot), &waker()).is_none());
            drop(w.release(slot.unwrap()));
        }
        assert_eq!(w.slots.len(), 1);
        assert_eq!(w.kept(), 0);
    }

    #[test]
    fn a_waker_of_the_same_task_is_kept_and_another_replaces_it() {
        let mut w = Waiters::default();
        let (first, second) = (waker(), waker());
        let mut a = None;
        assert!(w.park(Some(&mut a), &first).is_none());
        assert!(w.park(Some(&mut a), &first.clone()).is_none());
        let old = w.park(Some(&mut a), &second).unwrap();
        assert!(old.will_wake(&first));
        assert_eq!((a, w.kept()), (Some(0), 1));
    }

    #[test]
    fn the_poll_function_keeps_only_the_latest_waker() {
        let mut w = Waiters::default();
        let first = waker();
        assert!(w.park(None, &first).is_none());
        let old = w.park(None, &waker()).unwrap();
        assert!(old.will_wake(&first));
        assert_eq!(w.kept(), 1);
    }

    #[test]
    fn an_arrival_wakes_every_waiter_and_the_slots_stay_owned() {
        let mut w = Waiters::default();
        let (mut a, mut b) = (None, None);
        let wa = waker();
        assert!(w.park(Some(&mut a), &wa).is_none());
        assert!(w.park(Some(&mut b), &waker()).is_none());
        assert!(w.park(None, &waker()).is_none());
        let mut out = Vec::new();
        w.drain_into(&mut out);
        assert_eq!(out.len(), 3);
        assert!(out[0].will_wake(&wa), "slot order, then the poll caller");
        assert_eq!(w.kept(), 0);
        // Woken, `a` polls again: same slot.
        assert!(w.park(Some(&mut a), &wa).is_none());
        assert_eq!((a, w.kept()), (Some(0), 1));
    }
}
