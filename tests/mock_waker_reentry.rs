//! A waker is user code: its destructor may use the mock that drops it (a
//! waker that owns a clone of the mock, say). `AsyncMock` drops a waker it
//! replaces or discards after releasing its lock, so such a destructor
//! does not deadlock on it.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::task::{Context, Wake, Waker};
use std::time::Duration;

use detsim::mock::AsyncMock;

/// Counts destructors that used their mock.
static USED: AtomicUsize = AtomicUsize::new(0);

/// A waker whose destructor asks its mock for its await count.
struct UsesMockOnDrop(AsyncMock<u8, u8>);

impl Wake for UsesMockOnDrop {
    fn wake(self: Arc<Self>) {}
}

impl Drop for UsesMockOnDrop {
    fn drop(&mut self) {
        let _ = self.0.await_count();
        USED.fetch_add(1, Ordering::Relaxed);
    }
}

/// Polls `fut` once (pending) with a waker whose destructor uses `m`,
/// leaving the mock the only holder of that waker.
fn park(m: &AsyncMock<u8, u8>, fut: std::pin::Pin<&mut impl Future>) {
    let waker = Waker::from(Arc::new(UsesMockOnDrop(m.clone())));
    assert!(fut.poll(&mut Context::from_waker(&waker)).is_pending());
}

fn noop() -> Context<'static> {
    Context::from_waker(Waker::noop())
}

/// Runs `f` on a thread of its own: a destructor that took the mock's
/// lock again would block it forever, and the test fails (after a minute)
/// instead of hanging.
fn finishes(f: impl FnOnce() + Send + 'static) {
    let before = USED.load(Ordering::Relaxed);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        f();
        let _ = tx.send(());
    });
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(()) => {}
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("blocked: a waker's destructor waited for the mock's own lock")
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("the test thread panicked"),
    }
    assert!(USED.load(Ordering::Relaxed) > before, "the destructor ran");
}

#[test]
fn a_blocked_calls_replaced_waker_is_dropped_after_the_lock() {
    finishes(|| {
        let m = AsyncMock::<u8, u8>::new().returns(1).block_until_released();
        let mut call = Box::pin(m.call(1));
        park(&m, call.as_mut());
        assert!(call.as_mut().poll(&mut noop()).is_pending());
        m.release();
    });
}

#[test]
fn a_blocked_call_dropped_drops_its_waker_after_the_lock() {
    finishes(|| {
        let m = AsyncMock::<u8, u8>::new().returns(1).block_until_released();
        let mut call = Box::pin(m.call(1));
        park(&m, call.as_mut());
        drop(call);
    });
}

#[test]
fn a_wait_for_awaits_replaced_waker_is_dropped_after_the_lock() {
    finishes(|| {
        let m = AsyncMock::<u8, u8>::new().returns(1);
        let mut wait = Box::pin(m.wait_for_awaits(1));
        park(&m, wait.as_mut());
        assert!(wait.as_mut().poll(&mut noop()).is_pending());
    });
}

#[test]
fn a_wait_for_awaits_dropped_drops_its_waker_after_the_lock() {
    finishes(|| {
        let m = AsyncMock::<u8, u8>::new().returns(1);
        let mut wait = Box::pin(m.wait_for_awaits(1));
        park(&m, wait.as_mut());
        drop(wait);
    });
}
