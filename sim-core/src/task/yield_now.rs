//! `yield_now`.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Gives other runnable tasks a chance to run before this one continues.
///
/// The task stays runnable: under `Random` scheduling the next task is drawn
/// among all runnable ones (this one included); under `Fifo` it goes to the
/// back of the queue. Yielding costs no virtual time.
///
/// # Panics
///
/// Polled outside a simulation (as under another executor).
///
/// # Example
///
/// ```
/// let mut sim = detsim::Sim::builder().build();
/// sim.run(async {
///     for _ in 0..3 {
///         detsim::yield_now().await;
///     }
/// }).unwrap();
/// ```
pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

/// Future returned by [`yield_now`].
///
/// ```
/// let f: detsim::task::YieldNow = detsim::yield_now();
/// # drop(f);
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
#[derive(Debug)]
pub struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    #[track_caller]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        if crate::context::current_instance().is_none() {
            // Under another executor a yield would quietly "work": say so,
            // as every detsim API does outside a simulation.
            crate::context::current("detsim::yield_now");
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
