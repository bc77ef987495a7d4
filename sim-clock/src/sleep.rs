//! `sleep` and `sleep_until`.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use crate::Instant;
use crate::clock::{self, Clock};
use crate::timers::TimerKey;

/// Waits until `duration` of virtual time has passed.
///
/// The deadline is computed now; the timer is armed on first poll. A zero
/// duration completes on first poll without arming anything. A deadline
/// past the last representable instant ([`Instant::FAR_FUTURE`], about 584
/// years), as with `Duration::MAX`, is put 30 years ahead instead, as in
/// tokio: the sleep then takes 30 virtual years (or hits the run's time
/// limit), and later sleeps work as usual. Created outside
/// a simulation (as in `sim.run(sleep(d))`, where the argument is built
/// before the run starts), the countdown starts at the first poll instead.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use detsim::time;
/// # detsim::Sim::builder().build().run(async {
/// let sleep = time::sleep(Duration::from_millis(10));
/// assert_eq!(sleep.deadline().since_start(), Duration::from_millis(10));
/// let forever = time::sleep(Duration::MAX); // 30 years, as in tokio
/// assert_eq!(forever.deadline().since_start().as_secs(), 30 * 365 * 86_400);
/// sleep.await;
/// assert_eq!(time::Instant::now().since_start(), Duration::from_millis(10));
/// # }).unwrap();
/// ```
pub fn sleep(duration: Duration) -> Sleep {
    match clock::try_with_current(|c| c.now()) {
        Some(now) => Sleep::new(now.deadline_after(duration)),
        None => Sleep {
            deadline: Deadline::After(duration),
            entry: None,
        },
    }
}

/// Waits until the virtual clock reaches `deadline`.
///
/// A deadline in the past completes on first poll. The deadline is kept as
/// given, even [`Instant::FAR_FUTURE`]: a run that reaches that instant has
/// no time left, and every later sleep completes at once.
///
/// # Example
///
/// ```
/// # detsim::Sim::builder().build().run(async {
/// use detsim::time::Instant;
/// let sleep = detsim::time::sleep_until(Instant::from_nanos(500));
/// assert!(!sleep.is_elapsed());
/// # }).unwrap();
/// ```
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep::new(deadline)
}

/// Future returned by [`sleep`] and [`sleep_until`].
///
/// It is `Unpin`, cheap to move, and `Send`: it holds only its deadline and a
/// key to its timer slot. Dropping it disarms the timer, so an abandoned sleep
/// (a lost `select!` branch, an elapsed `timeout`) neither wakes anything nor
/// moves the clock. That needs its simulation to be current: a sleep dropped
/// on another thread, or after its run returned, cannot reach its clock, and
/// its timer still fires once (waking whoever last polled it).
///
/// # Example
///
/// ```
/// # detsim::Sim::builder().build().run(async {
/// use std::time::Duration;
/// let mut sleep = detsim::time::sleep(Duration::from_secs(1));
/// sleep.reset(detsim::time::Instant::ZERO + Duration::from_secs(2));
/// assert_eq!(sleep.deadline().since_start(), Duration::from_secs(2));
/// # }).unwrap();
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
#[derive(Debug)]
pub struct Sleep {
    deadline: Deadline,
    entry: Option<Entry>,
}

#[derive(Debug, Clone, Copy)]
enum Deadline {
    At(Instant),
    /// Made outside a simulation: starts counting at the first poll.
    After(Duration),
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    clock: u64,
    key: TimerKey,
}

impl Sleep {
    fn new(deadline: Instant) -> Sleep {
        Sleep {
            deadline: Deadline::At(deadline),
            entry: None,
        }
    }

    /// When this sleep completes.
    ///
    /// For a sleep made outside a simulation and not yet polled, the
    /// deadline it would have if polled now.
    ///
    /// # Panics
    ///
    /// For a sleep made outside a simulation, when called outside one.
    ///
    /// ```
    /// let s = detsim::time::sleep_until(detsim::time::Instant::from_nanos(9));
    /// assert_eq!(s.deadline().as_nanos(), 9);
    /// ```
    #[track_caller]
    pub fn deadline(&self) -> Instant {
        match self.deadline {
            Deadline::At(t) => t,
            Deadline::After(d) => clock::with_current("detsim::time::Sleep::deadline", |c| {
                c.now().deadline_after(d)
            }),
        }
    }

    /// The deadline, fixing a deferred one against `clock`.
    fn resolve(&mut self, clock: &Clock) -> Instant {
        match self.deadline {
            Deadline::At(t) => t,
            Deadline::After(d) => {
                let t = clock.now().deadline_after(d);
                self.deadline = Deadline::At(t);
                t
            }
        }
    }

    /// Whether the deadline has been reached.
    ///
    /// # Panics
    ///
    /// Outside a simulation.
    ///
    /// ```
    /// # detsim::Sim::builder().build().run(async {
    /// assert!(detsim::time::sleep_until(detsim::time::Instant::ZERO).is_elapsed());
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn is_elapsed(&self) -> bool {
        let deadline = self.deadline();
        clock::with_current("detsim::time::Sleep::is_elapsed", |c| c.now() >= deadline)
    }

    /// Moves the deadline (earlier or later), re-arming the timer if it was
    /// armed. Works on a completed sleep too, like tokio's `Sleep::reset`.
    ///
    /// ```
    /// # detsim::Sim::builder().build().run(async {
    /// let mut s = detsim::time::sleep_until(detsim::time::Instant::from_nanos(5));
    /// s.reset(detsim::time::Instant::from_nanos(50));
    /// assert_eq!(s.deadline().as_nanos(), 50);
    /// # }).unwrap();
    /// ```
    pub fn reset(&mut self, deadline: Instant) {
        self.deadline = Deadline::At(deadline);
        let Some(entry) = self.entry else { return };
        let clock = clock::try_with_current(|c| c.clone()).filter(|c| c.id() == entry.clock);
        let Some(clock) = clock else {
            // Not in its simulation: armed afresh on the next poll.
            self.entry = None;
            return;
        };
        if clock.now() >= deadline {
            // Due already: wake whoever waits, as the timer would have.
            self.entry = None;
            if let Some(waker) = clock.remove_timer_if_live(entry.key) {
                waker.wake();
            }
        } else if !clock.reset_timer(entry.key, deadline.as_nanos()) {
            // The clock was cleared (its simulation is being dropped):
            // armed afresh on the next poll.
            self.entry = None;
        }
    }

    fn disarm(&mut self) {
        if let Some(entry) = self.entry.take() {
            let waker = clock::try_with_current(|c| {
                if c.id() == entry.clock {
                    c.remove_timer_if_live(entry.key)
                } else {
                    None
                }
            });
            drop(waker);
        }
    }

    /// Polls like `Future::poll`, for manual future implementations.
    ///
    /// # Panics
    ///
    /// Outside a simulation, or in a different simulation from the one that
    /// first polled it.
    ///
    /// ```
    /// # detsim::Sim::builder().build().run(async {
    /// let mut s = detsim::time::sleep_until(detsim::time::Instant::ZERO);
    /// let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    /// assert!(s.poll_elapsed(&mut cx).is_ready());
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn poll_elapsed(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let clock = clock::with_current("detsim::time::Sleep::poll", |c| c.clone());
        self.poll_with(&clock, cx)
    }

    #[track_caller]
    fn poll_with(&mut self, clock: &Clock, cx: &mut Context<'_>) -> Poll<()> {
        let deadline = self.resolve(clock).as_nanos();
        if clock.now().as_nanos() >= deadline {
            if let Some(entry) = self.entry.take() {
                if entry.clock == clock.id() {
                    drop(clock.remove_timer_if_live(entry.key));
                }
            }
            return Poll::Ready(());
        }
        if let Some(entry) = self.entry {
            assert!(
                entry.clock == clock.id(),
                "a detsim Sleep was polled in a different simulation from the one it \
                 started in; create timers inside the simulation that awaits them"
            );
            if clock.update_timer_waker(entry.key, cx.waker()) {
                return Poll::Pending;
            }
            // The clock was cleared since (its simulation is being
            // dropped): the timer is gone, arm a new one.
        }
        let key = clock.insert_timer(deadline, cx.waker());
        self.entry = Some(Entry {
            clock: clock.id(),
            key,
        });
        Poll::Pending
    }

    /// Sets a new deadline without arming it (used by `Interval` after a
    /// tick): the next poll arms it, or completes at once if it is due.
    pub(crate) fn set_deadline(&mut self, deadline: Instant) {
        self.disarm();
        self.deadline = Deadline::At(deadline);
    }
}

impl Future for Sleep {
    type Output = ();

    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.get_mut().poll_elapsed(cx)
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        self.disarm();
    }
}
