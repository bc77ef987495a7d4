//! A waker is user code: its destructor may use the mock that drops it (a
//! waker that owns a clone of the mock or a handle of it, say).
//! `AsyncMock` and `SocketMock` drop a waker (or a stall timer holding
//! one) they replace or discard after releasing their lock, so such a
//! destructor does not deadlock on it.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::task::{Context, Wake, Waker};
use std::time::Duration;

use detsim::Sim;
use detsim::mock::{AsyncMock, SocketMock, SocketMockHandle};
use futures::io::{AsyncRead, AsyncWriteExt};

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

/// A waker that owns a handle of its socket mock and asks it whether its
/// script is done when dropped.
struct UsesSocketOnDrop(SocketMockHandle);

impl Wake for UsesSocketOnDrop {
    fn wake(self: Arc<Self>) {}
}

impl Drop for UsesSocketOnDrop {
    fn drop(&mut self) {
        let _ = self.0.is_done();
        USED.fetch_add(1, Ordering::Relaxed);
    }
}

/// Parks a read of `mock` with a [`UsesSocketOnDrop`] waker.
fn park_read(mock: &mut SocketMock) {
    let waker = Waker::from(Arc::new(UsesSocketOnDrop(mock.handle())));
    let mut buf = [0u8; 4];
    let polled = Pin::new(mock).poll_read(&mut Context::from_waker(&waker), &mut buf);
    assert!(polled.is_pending());
}

/// Runs the future `make` makes in a simulation, on a thread of its own.
fn in_sim<F, Fut>(make: F)
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + 'static,
{
    finishes(|| Sim::builder().build().run(make()).unwrap());
}

#[test]
fn a_socket_mock_drops_a_replaced_read_waker_after_its_lock() {
    // With the stall timer (the clock's copy of the waker goes too) and
    // without one.
    for stall in [None, Some(Duration::MAX)] {
        in_sim(move || async move {
            let mut builder = SocketMock::builder();
            if let Some(stall) = stall {
                builder = builder.stall_timeout(stall);
            }
            let mut mock = builder.expect_write(b"x").allow_unconsumed().build();
            park_read(&mut mock);
            let mut buf = [0u8; 4];
            assert!(
                Pin::new(&mut mock)
                    .poll_read(&mut noop(), &mut buf)
                    .is_pending()
            );
        });
    }
}

#[test]
fn a_socket_mock_drops_the_callers_own_waker_after_its_lock() {
    in_sim(|| async {
        let mut mock = SocketMock::builder()
            .wait(Duration::from_millis(1))
            .reply(b"a")
            .build();
        park_read(&mut mock);
        detsim::time::sleep(Duration::from_millis(2)).await;
        // The wait is over: the read goes through, and the waker it had
        // left is let go.
        let mut buf = [0u8; 4];
        let got = Pin::new(&mut mock).poll_read(&mut noop(), &mut buf);
        assert!(matches!(got, std::task::Poll::Ready(Ok(1))));
    });
}

#[test]
fn a_socket_mock_that_fails_reports_instead_of_blocking() {
    finishes(|| {
        let failed = std::panic::catch_unwind(|| {
            Sim::builder()
                .build()
                .run(async {
                    let mut mock = SocketMock::builder()
                        .stall_timeout(Duration::MAX)
                        .expect_write(b"x")
                        .build();
                    park_read(&mut mock);
                    // A write the script does not expect fails the mock.
                    let _ = mock.write(b"y").await;
                })
                .unwrap();
        });
        assert!(failed.is_err(), "the mismatch is reported");
    });
}

#[test]
fn a_socket_mock_dropped_with_a_parked_read_drops_its_waker_after_its_lock() {
    in_sim(|| async {
        let mut mock = SocketMock::builder()
            .expect_write(b"x")
            .allow_unconsumed()
            .build();
        park_read(&mut mock);
        drop(mock);
    });
}
