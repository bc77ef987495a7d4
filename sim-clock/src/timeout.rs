//! `timeout` and `timeout_at`.

use std::error::Error;
use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use pin_project_lite::pin_project;

use crate::{Instant, Sleep, sleep, sleep_until};

/// Runs `future` for at most `duration` of virtual time.
///
/// The inner future is polled first, so a future that is ready at the same
/// instant the deadline passes wins. On expiry the inner future is dropped
/// when the `Timeout` is. Created outside a simulation, the countdown starts
/// at the first poll; a deadline too far to represent (`Duration::MAX`)
/// comes 30 years ahead (both as for [`fn@sleep`]).
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use detsim::time;
/// # detsim::Sim::builder().build().run(async {
/// let fast = time::timeout(Duration::from_secs(1), async { 7 }).await;
/// assert_eq!(fast, Ok(7));
/// let slow = time::timeout(Duration::from_secs(1), time::sleep(Duration::from_secs(5))).await;
/// assert!(slow.is_err());
/// assert_eq!(time::Instant::now().since_start(), Duration::from_secs(1));
/// # }).unwrap();
/// ```
pub fn timeout<F: IntoFuture>(duration: Duration, future: F) -> Timeout<F::IntoFuture> {
    Timeout {
        future: future.into_future(),
        sleep: sleep(duration),
    }
}

/// Runs `future` until the virtual clock reaches `deadline`.
///
/// # Example
///
/// ```
/// # detsim::Sim::builder().build().run(async {
/// let t = detsim::time::timeout_at(detsim::time::Instant::from_nanos(10), async { 1 });
/// assert_eq!(t.deadline().as_nanos(), 10);
/// # }).unwrap();
/// ```
pub fn timeout_at<F: IntoFuture>(deadline: Instant, future: F) -> Timeout<F::IntoFuture> {
    Timeout {
        future: future.into_future(),
        sleep: sleep_until(deadline),
    }
}

pin_project! {
    /// Future returned by [`timeout`] and [`timeout_at`]: the inner future's
    /// output, or [`Elapsed`] once the deadline passes.
    ///
    /// ```
    /// # detsim::Sim::builder().build().run(async {
    /// let t = detsim::time::timeout(std::time::Duration::ZERO, async { 7 });
    /// let inner: &_ = t.get_ref();
    /// # let _ = inner;
    /// # }).unwrap();
    /// ```
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    #[derive(Debug)]
    pub struct Timeout<F> {
        #[pin]
        future: F,
        sleep: Sleep,
    }
}

impl<F> Timeout<F> {
    /// When the timeout expires (see [`Sleep::deadline`]).
    ///
    /// # Panics
    ///
    /// Like [`Sleep::deadline`].
    ///
    /// ```
    /// # detsim::Sim::builder().build().run(async {
    /// let t = detsim::time::timeout(std::time::Duration::from_nanos(3), async {});
    /// assert_eq!(t.deadline().as_nanos(), 3);
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn deadline(&self) -> Instant {
        self.sleep.deadline()
    }

    /// The inner future.
    ///
    /// ```
    /// # detsim::Sim::builder().build().run(async {
    /// let t = detsim::time::timeout(std::time::Duration::ZERO, std::future::ready(1));
    /// let _inner: &std::future::Ready<i32> = t.get_ref();
    /// # }).unwrap();
    /// ```
    pub fn get_ref(&self) -> &F {
        &self.future
    }

    /// The inner future, mutably (as tokio's `Timeout::get_mut`).
    ///
    /// ```
    /// # detsim::Sim::builder().build().run(async {
    /// let mut t = detsim::time::timeout(std::time::Duration::ZERO, std::future::ready(1));
    /// let _inner: &mut std::future::Ready<i32> = t.get_mut();
    /// # }).unwrap();
    /// ```
    pub fn get_mut(&mut self) -> &mut F {
        &mut self.future
    }

    /// The inner future, dropping the timer.
    ///
    /// ```
    /// # detsim::Sim::builder().build().run(async {
    /// let t = detsim::time::timeout(std::time::Duration::ZERO, std::future::ready(1));
    /// let _inner: std::future::Ready<i32> = t.into_inner();
    /// # }).unwrap();
    /// ```
    pub fn into_inner(self) -> F {
        self.future
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Poll::Ready(v) = this.future.poll(cx) {
            return Poll::Ready(Ok(v));
        }
        match this.sleep.poll_elapsed(cx) {
            Poll::Ready(()) => Poll::Ready(Err(Elapsed(()))),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// The error of a [`Timeout`] whose deadline passed first.
///
/// Converts into `std::io::Error` of kind `TimedOut`, as tokio's does.
///
/// ```
/// use std::time::Duration;
/// # detsim::Sim::builder().build().run(async {
/// let never = std::future::pending::<()>();
/// let elapsed = detsim::time::timeout(Duration::from_secs(1), never).await.unwrap_err();
/// assert_eq!(elapsed.to_string(), "deadline has elapsed");
/// assert_eq!(std::io::Error::from(elapsed).kind(), std::io::ErrorKind::TimedOut);
/// # }).unwrap();
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Elapsed(());

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline has elapsed")
    }
}

impl Error for Elapsed {}

impl From<Elapsed> for std::io::Error {
    fn from(e: Elapsed) -> Self {
        std::io::Error::new(std::io::ErrorKind::TimedOut, e)
    }
}
