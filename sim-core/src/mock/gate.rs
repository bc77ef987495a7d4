//! Holding awaits until the test releases them: `block_until_released`,
//! `release`, `release_one`, `unblock`.
//!
//! While the mock blocks, each await that starts (its first poll) takes a
//! place in a queue, in the order the awaits start, and stays pending there.
//! Its place is taken in the same step that records the await, so once
//! [`wait_for_awaits(n)`](super::AsyncMock::wait_for_awaits) has completed,
//! the n awaits are blocked and a release reaches them: release after
//! waiting, never before (a release finds only the awaits blocked at that
//! moment and is not saved for later ones).

use std::collections::VecDeque;
use std::fmt::Debug;
use std::task::{Context, Poll, Waker};

use super::AsyncMock;

/// The blocked awaits of one mock, oldest first.
#[derive(Default)]
pub(super) struct Gate {
    blocking: bool,
    next_ticket: u64,
    blocked: VecDeque<(u64, Waker)>,
}

impl Gate {
    /// Takes a place for a new await, woken through `waker`, if the mock
    /// blocks.
    pub(super) fn enter(&mut self, waker: &Waker) -> Option<u64> {
        if !self.blocking {
            return None;
        }
        let ticket = self.next_ticket;
        self.next_ticket += 1;
        self.blocked.push_back((ticket, waker.clone()));
        Some(ticket)
    }

    /// Ready once `ticket` was released; otherwise remembers the waker,
    /// returning the one it replaced: the caller drops it after the lock (a
    /// waker's destructor is user code, and may use the mock).
    pub(super) fn poll(&mut self, ticket: u64, cx: &Context<'_>) -> (Poll<()>, Option<Waker>) {
        match self.blocked.iter_mut().find(|(t, _)| *t == ticket) {
            None => (Poll::Ready(()), None),
            Some((_, waker)) if waker.will_wake(cx.waker()) => (Poll::Pending, None),
            Some((_, waker)) => (
                Poll::Pending,
                Some(std::mem::replace(waker, cx.waker().clone())),
            ),
        }
    }

    /// Gives up the place of an await dropped while blocked; returns its
    /// waker, for the caller to drop after the lock.
    #[must_use = "the waker is dropped after the lock"]
    pub(super) fn leave(&mut self, ticket: u64) -> Option<Waker> {
        let at = self.blocked.iter().position(|(t, _)| *t == ticket)?;
        self.blocked.remove(at).map(|(_, w)| w)
    }

    fn release_all(&mut self) -> Vec<Waker> {
        self.blocked.drain(..).map(|(_, w)| w).collect()
    }
}

fn wake(wakers: impl IntoIterator<Item = Waker>) {
    for w in wakers {
        w.wake();
    }
}

impl<Args, Ret> AsyncMock<Args, Ret>
where
    Args: Clone + Debug + Send + 'static,
    Ret: Send + 'static,
{
    /// Awaits that start from now on stay pending until the test releases
    /// them with [`release`](Self::release),
    /// [`release_one`](Self::release_one) or [`unblock`](Self::unblock).
    /// A released await goes on to its [`delay`](Self::delay), if any, and
    /// then returns. The call and the await are recorded as usual, so
    /// [`wait_for_awaits`](Self::wait_for_awaits) tells the test when the
    /// code under test is stuck in the mock.
    ///
    /// ```
    /// use detsim::{Sim, mock::AsyncMock, spawn};
    ///
    /// let commit = AsyncMock::<u32, bool>::named("commit").returns(true);
    /// commit.block_until_released();
    /// let mut sim = Sim::builder().seed(1).build();
    /// sim.run(async move {
    ///     let writer = spawn(commit.call(42));
    ///     commit.wait_for_awaits(1).await; // the writer is inside commit now
    ///     assert!(!writer.is_finished());
    ///     assert_eq!(commit.release(), 1);
    ///     assert!(writer.await.unwrap());
    /// }).unwrap();
    /// ```
    pub fn block_until_released(&self) -> Self {
        self.shared.lock().gate.blocking = true;
        self.clone()
    }

    /// Releases every await blocked now, and returns how many. Awaits that
    /// start later still block (until [`unblock`](Self::unblock)). The
    /// released awaits become ready together; which runs first is the
    /// executor's choice (in a simulation, a draw of the seed).
    ///
    /// ```
    /// use futures::{executor::block_on, join};
    /// use detsim::mock::AsyncMock;
    ///
    /// let m = AsyncMock::<u8, u8>::new().returns(1);
    /// m.block_until_released();
    /// let (a, b, released) = block_on(async {
    ///     join!(m.call(1), m.call(2), async {
    ///         m.wait_for_awaits(2).await;
    ///         m.release()
    ///     })
    /// });
    /// assert_eq!((a, b, released), (1, 1, 2));
    /// ```
    pub fn release(&self) -> usize {
        let (count, wakers) = {
            let mut state = self.shared.lock();
            (state.gate.blocked.len(), state.gate.release_all())
        };
        wake(wakers);
        count
    }

    /// Releases the await that has been blocked longest (the first to
    /// start), and returns whether there was one. Releasing one at a time
    /// lets a test decide the order in which concurrent callers get their
    /// answers.
    ///
    /// ```
    /// use futures::{executor::block_on, join};
    /// use detsim::mock::AsyncMock;
    ///
    /// let m = AsyncMock::<&str, ()>::new().returns(());
    /// m.block_until_released();
    /// assert!(!m.release_one()); // nothing blocked yet
    /// block_on(async {
    ///     join!(m.call("first"), async {
    ///         m.wait_for_awaits(1).await;
    ///         assert!(m.release_one());
    ///     })
    /// });
    /// ```
    pub fn release_one(&self) -> bool {
        let released = self.shared.lock().gate.blocked.pop_front();
        match released {
            Some((_, waker)) => {
                waker.wake();
                true
            }
            None => false,
        }
    }

    /// Stops blocking: releases every blocked await (like
    /// [`release`](Self::release)) and lets later awaits through.
    ///
    /// ```
    /// use futures::executor::block_on;
    /// use detsim::mock::AsyncMock;
    ///
    /// let m = AsyncMock::<(), u8>::new().returns(3);
    /// m.block_until_released();
    /// m.unblock();
    /// assert_eq!(block_on(m.call(())), 3); // not blocked
    /// ```
    pub fn unblock(&self) -> Self {
        let wakers = {
            let mut state = self.shared.lock();
            state.gate.blocking = false;
            state.gate.release_all()
        };
        wake(wakers);
        self.clone()
    }

    /// How many awaits are blocked now, waiting for a release.
    ///
    /// ```
    /// let m = detsim::mock::AsyncMock::<(), ()>::new();
    /// assert_eq!(m.blocked_count(), 0);
    /// ```
    pub fn blocked_count(&self) -> usize {
        self.shared.lock().gate.blocked.len()
    }
}
