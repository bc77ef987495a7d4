//! What the mock remembers: its calls and its awaits, recorded separately,
//! as Python's `AsyncMock` does.
//!
//! * A **call** is recorded when [`AsyncMock::call`] runs (or the closure
//!   from [`AsyncMock::as_fn`] is called): the future it returns exists.
//! * An **await** is recorded when that future is first polled: the code
//!   under test is actually waiting on the mock. A future that is dropped
//!   unpolled (a lost `select!` branch, a forgotten `.await`) is a call
//!   without an await; a future polled many times is one await.
//!
//! Awaits are listed in the order they started, which under concurrency
//! can differ from the order of the calls.

use std::fmt::Debug;

use super::AsyncMock;

/// The argument lists of the calls and of the awaits.
pub(super) struct Records<Args> {
    pub(super) calls: Vec<Args>,
    pub(super) awaits: Vec<Args>,
}

impl<Args> Default for Records<Args> {
    fn default() -> Self {
        Records {
            calls: Vec::new(),
            awaits: Vec::new(),
        }
    }
}

impl<Args, Ret> AsyncMock<Args, Ret>
where
    Args: Clone + Debug + Send + 'static,
    Ret: Send + 'static,
{
    /// How many times the mock was called (futures made).
    ///
    /// ```
    /// let m = detsim::mock::AsyncMock::<u8, ()>::new().returns(());
    /// let unpolled = m.call(1);
    /// assert_eq!((m.call_count(), m.await_count()), (1, 0));
    /// drop(unpolled);
    /// ```
    pub fn call_count(&self) -> usize {
        self.shared.lock().records.calls.len()
    }

    /// How many times the mock was awaited (futures first polled).
    ///
    /// ```
    /// let m = detsim::mock::AsyncMock::<u8, ()>::new().returns(());
    /// futures::executor::block_on(m.call(1));
    /// assert_eq!(m.await_count(), 1);
    /// ```
    pub fn await_count(&self) -> usize {
        self.shared.lock().records.awaits.len()
    }

    /// The arguments of every call, oldest first.
    ///
    /// ```
    /// let m = detsim::mock::AsyncMock::<(u8, &str), ()>::new().returns(());
    /// let _never_awaited = m.call((1, "a"));
    /// assert_eq!(m.calls(), [(1, "a")]);
    /// assert!(m.awaits().is_empty());
    /// ```
    pub fn calls(&self) -> Vec<Args> {
        self.shared.lock().records.calls.clone()
    }

    /// The arguments of every await, in the order the awaits started.
    ///
    /// ```
    /// use futures::executor::block_on;
    /// let m = detsim::mock::AsyncMock::<u8, ()>::new().returns(());
    /// let (first, second) = (m.call(1), m.call(2));
    /// block_on(second);
    /// block_on(first);
    /// assert_eq!(m.calls(), [1, 2]);
    /// assert_eq!(m.awaits(), [2, 1]);
    /// ```
    pub fn awaits(&self) -> Vec<Args> {
        self.shared.lock().records.awaits.clone()
    }

    /// Forgets every call and await recorded so far; the counts start again
    /// from zero. The behaviour is kept, as Python's `reset_mock()` keeps
    /// `return_value` and `side_effect`: values still queued by
    /// [`returns_seq`](Self::returns_seq) stay queued, a blocking mock
    /// still blocks, and awaits in flight go on undisturbed. A pending
    /// [`wait_for_awaits(n)`](Self::wait_for_awaits) counts awaits after
    /// the reset. To change the behaviour too, set a new one.
    ///
    /// ```
    /// use futures::executor::block_on;
    /// let m = detsim::mock::AsyncMock::<u8, u8>::new().returns(5);
    /// block_on(m.call(1));
    /// m.reset();
    /// m.assert_not_awaited();
    /// assert_eq!(block_on(m.call(2)), 5); // still returns 5
    /// ```
    pub fn reset(&self) {
        let old = {
            let mut state = self.shared.lock();
            std::mem::take(&mut state.records)
        };
        // The arguments' destructors run outside the lock.
        drop(old);
    }
}
