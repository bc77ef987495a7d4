//! `wait_for_awaits(n)`: a future that completes once the mock has been
//! awaited n times.
//!
//! The future registers its waker with the mock and is woken by the await
//! that reaches n (no polling loop), so any number of waiters and of
//! concurrent callers work, under detsim or any other executor. It never
//! times out by itself: inside a simulation, a wait that can never complete
//! ends the run as a deadlock naming the waiting task; to bound it, wrap it
//! in [`time::timeout`](crate::time::timeout).

use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use super::AsyncMock;

/// The registered waiters of one mock.
#[derive(Default)]
pub(super) struct Waiters {
    next_id: u64,
    list: Vec<Waiter>,
}

struct Waiter {
    id: u64,
    target: usize,
    waker: Waker,
}

impl Waiters {
    /// Removes the waiters whose target `awaits` reaches and returns their
    /// wakers (to wake outside the lock).
    pub(super) fn due(&mut self, awaits: usize) -> Vec<Waker> {
        let mut due = Vec::new();
        self.list.retain_mut(|w| {
            if w.target <= awaits {
                due.push(w.waker.clone());
                false
            } else {
                true
            }
        });
        due
    }

    /// Registers (or refreshes) waiter `id`; returns its id and the waker
    /// replaced, which the caller drops after the lock (a waker's
    /// destructor is user code, and may use the mock).
    fn register(&mut self, id: Option<u64>, target: usize, waker: &Waker) -> (u64, Option<Waker>) {
        if let Some(w) = id.and_then(|id| self.list.iter_mut().find(|w| w.id == id)) {
            if w.waker.will_wake(waker) {
                return (w.id, None);
            }
            return (w.id, Some(std::mem::replace(&mut w.waker, waker.clone())));
        }
        let id = self.next_id;
        self.next_id += 1;
        self.list.push(Waiter {
            id,
            target,
            waker: waker.clone(),
        });
        (id, None)
    }

    /// Removes waiter `id`; returns its waker, for the caller to drop
    /// after the lock.
    #[must_use = "the waker is dropped after the lock"]
    fn remove(&mut self, id: u64) -> Option<Waker> {
        let at = self.list.iter().position(|w| w.id == id)?;
        Some(self.list.remove(at).waker)
    }
}

/// The future of [`AsyncMock::wait_for_awaits`]: completes once the mock's
/// [`await_count`](AsyncMock::await_count) is at least the number asked.
///
/// ```
/// use futures::{executor::block_on, join};
/// use detsim::mock::AsyncMock;
///
/// let m = AsyncMock::<u8, ()>::new().returns(());
/// let wait: detsim::mock::WaitForAwaits<u8, ()> = m.wait_for_awaits(1);
/// block_on(async { join!(wait, m.call(1)) });
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct WaitForAwaits<Args, Ret> {
    mock: AsyncMock<Args, Ret>,
    target: usize,
    id: Option<u64>,
}

impl<Args, Ret> Debug for WaitForAwaits<Args, Ret> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WaitForAwaits")
            .field("mock", &self.mock.shared.label())
            .field("target", &self.target)
            .finish()
    }
}

impl<Args, Ret> Future for WaitForAwaits<Args, Ret> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        let mut state = this.mock.shared.lock();
        if state.records.awaits.len() >= this.target {
            let removed = this.id.take().and_then(|id| state.waiters.remove(id));
            // After the lock: a waker's destructor may use the mock.
            drop(state);
            drop(removed);
            return Poll::Ready(());
        }
        let (id, replaced) = state.waiters.register(this.id, this.target, cx.waker());
        this.id = Some(id);
        drop(state);
        drop(replaced);
        Poll::Pending
    }
}

impl<Args, Ret> Drop for WaitForAwaits<Args, Ret> {
    fn drop(&mut self) {
        if let Some(id) = self.id.take() {
            let waker = self.mock.shared.lock().waiters.remove(id);
            // After the lock: a waker's destructor may use the mock.
            drop(waker);
        }
    }
}

impl<Args, Ret> AsyncMock<Args, Ret>
where
    Args: Clone + Debug + Send + 'static,
    Ret: Send + 'static,
{
    /// A future that completes once the mock has been awaited `n` times in
    /// all (counted since the last [`reset`](Self::reset); at once if it
    /// already has). It is how a test waits until the code under test has
    /// reached the mock, for example before a
    /// [`release`](Self::release).
    ///
    /// Bound it with [`time::timeout`](crate::time::timeout) to turn "never
    /// awaited" into an error instead of a deadlock:
    ///
    /// ```
    /// use std::time::Duration;
    /// use detsim::{Sim, mock::AsyncMock, spawn, time};
    ///
    /// let save = AsyncMock::<u32, ()>::named("save").returns(());
    /// let mut sim = Sim::builder().seed(3).build();
    /// sim.run(async move {
    ///     for i in 0..3 {
    ///         spawn(save.call(i));
    ///     }
    ///     save.wait_for_awaits(3).await;
    ///     assert_eq!(save.await_count(), 3);
    ///
    ///     let never = time::timeout(Duration::from_secs(1), save.wait_for_awaits(4)).await;
    ///     assert!(never.is_err());
    /// }).unwrap();
    /// ```
    pub fn wait_for_awaits(&self, n: usize) -> WaitForAwaits<Args, Ret> {
        WaitForAwaits {
            mock: self.clone(),
            target: n,
            id: None,
        }
    }
}
