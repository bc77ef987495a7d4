//! `advance` (asynctest's `ClockedTestCase.advance`) and auto-advance control.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use crate::clock;

/// Moves virtual time forward by `duration`, with asynctest
/// `ClockedTestCase.advance` semantics.
///
/// The returned future completes once the clock reads exactly
/// `now + duration`. On the way, every timer due in the window fires at its
/// own deadline, in deadline order, and the tasks it wakes run (until nothing
/// is runnable) before the clock moves on. A timer armed during the window
/// for a deadline inside it fires too: a task woken at t=2 that sleeps 1
/// more fires at t=3 within a single `advance(3)`. Timers due at the end of
/// the window fire before `advance` returns.
///
/// Works with auto-advance on or off; with it off (see
/// [`set_auto_advance`]), `advance` is the only thing that moves time. The
/// window starts when the future is first polled. A window that would end
/// past the last representable instant (`Duration::MAX`) ends 30 years
/// ahead instead, as a [`sleep`](fn@crate::sleep) that long does.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use detsim::time::{self, Instant};
///
/// let mut sim = detsim::Sim::builder().auto_advance(false).build();
/// sim.run(async {
///     let sleeper = detsim::spawn(async {
///         time::sleep(Duration::from_secs(2)).await;
///         time::sleep(Duration::from_secs(1)).await; // armed at t=2, due at t=3
///         Instant::now().since_start()
///     });
///     time::advance(Duration::from_secs(3)).await;
///     assert_eq!(Instant::now().since_start(), Duration::from_secs(3));
///     assert_eq!(sleeper.await.unwrap(), Duration::from_secs(3));
/// }).unwrap();
/// ```
pub fn advance(duration: Duration) -> Advance {
    Advance {
        duration,
        state: State::New,
    }
}

/// Future returned by [`advance`].
///
/// ```
/// # detsim::Sim::builder().build().run(async {
/// let adv: detsim::time::Advance = detsim::time::advance(std::time::Duration::ZERO);
/// adv.await;
/// # }).unwrap();
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
#[derive(Debug)]
pub struct Advance {
    duration: Duration,
    state: State,
}

#[derive(Debug, Clone, Copy)]
enum State {
    New,
    Waiting { clock: u64, id: u64 },
    Done,
}

impl Future for Advance {
    type Output = ();

    #[track_caller]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let clock = clock::with_current("detsim::time::advance", |c| c.clone());
        match self.state {
            State::New => {
                let target = clock.now().deadline_after(self.duration).as_nanos();
                let id = clock.add_advancer(target, cx.waker());
                self.state = State::Waiting {
                    clock: clock.id(),
                    id,
                };
                Poll::Pending
            }
            State::Waiting { clock: owner, id } => {
                assert!(
                    owner == clock.id(),
                    "a detsim advance() future was polled in a different simulation from the \
                     one that first polled it"
                );
                if clock.poll_advancer(id, cx.waker()) {
                    Poll::Pending
                } else {
                    self.state = State::Done;
                    Poll::Ready(())
                }
            }
            State::Done => Poll::Ready(()),
        }
    }
}

impl Drop for Advance {
    fn drop(&mut self) {
        if let State::Waiting { clock: owner, id } = self.state {
            clock::try_with_current(|c| {
                if c.id() == owner {
                    c.remove_advancer(id);
                }
            });
        }
    }
}

/// Turns auto-advance on or off for the running simulation.
///
/// On (the default), the clock jumps to the next timer whenever nothing is
/// runnable. Off, time moves only through [`advance`]: the mode of asynctest's
/// `ClockedTestCase`, where the test decides exactly how far time goes.
///
/// # Panics
///
/// Outside a simulation.
///
/// ```
/// # detsim::Sim::builder().build().run(async {
/// detsim::time::set_auto_advance(false);
/// assert!(!detsim::time::auto_advance());
/// # }).unwrap();
/// ```
#[track_caller]
pub fn set_auto_advance(on: bool) {
    clock::with_current("detsim::time::set_auto_advance", |c| c.set_auto_advance(on));
}

/// Whether auto-advance is on in the running simulation.
///
/// # Panics
///
/// Outside a simulation.
///
/// ```
/// # detsim::Sim::builder().build().run(async {
/// assert!(detsim::time::auto_advance());
/// # }).unwrap();
/// ```
#[track_caller]
pub fn auto_advance() -> bool {
    clock::with_current("detsim::time::auto_advance", |c| c.auto_advance())
}
