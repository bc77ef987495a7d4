//! The future of one call, and the `delay` it may take.
//!
//! An await goes through these steps, the first three on its first poll,
//! under one lock, so they are one step for every observer:
//!
//! 1. the await is recorded (and [`wait_for_awaits`] waiters it satisfies
//!    are woken);
//! 2. it picks its answer from the behaviour set now (the next value of a
//!    sequence, the value, the side effect), and takes the current delay;
//!    with no answer it panics here, naming the mock and the call;
//! 3. if the mock blocks, it waits for a release;
//! 4. if a delay is set, it sleeps that long on the virtual clock;
//! 5. it returns the value, or runs the side effect (a sync one returns at
//!    once, an async one is awaited).
//!
//! With no block and no delay, an await completes on its first poll
//! without yielding, as an `async fn` that does not wait would.
//!
//! [`wait_for_awaits`]: super::AsyncMock::wait_for_awaits

use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use sim_clock::Sleep;

use super::AsyncMock;
use super::behaviour::{Answer, BoxFuture, NoAnswer};

/// The future returned by [`AsyncMock::call`]: the await of one call.
///
/// It is `Send` when the arguments and the return type are (so
/// `detsim::spawn` takes it), `Unpin`, and records the await when first
/// polled. Dropping it while it is blocked or delayed gives up its place
/// (the answer it picked, such as a value of a sequence, is not handed to
/// a later await); dropping it unpolled leaves a call without an await.
///
/// ```
/// use detsim::mock::{AsyncMock, Call};
///
/// let m = AsyncMock::<u8, u8>::new().returns(1);
/// let call: Call<u8, u8> = m.call(0);
/// assert_eq!(futures::executor::block_on(call), 1);
/// ```
#[must_use = "a mock call records an await only when its future is polled: `.await` it"]
pub struct Call<Args, Ret> {
    mock: AsyncMock<Args, Ret>,
    /// Its 1-based number among the calls (for messages).
    number: usize,
    step: Step<Args, Ret>,
}

enum Step<Args, Ret> {
    Unpolled(Args),
    Blocked { ticket: u64, then: Then<Args, Ret> },
    Delayed { sleep: Sleep, then: Then<Args, Ret> },
    Ready(Ret),
    Running(BoxFuture<Ret>),
    Done,
}

/// What happens once the await is past the gate and the delay.
struct Then<Args, Ret> {
    answer: Answer<Args, Ret>,
    args: Args,
    delay: Duration,
}

// No structural pinning: the arguments and the answer are only moved,
// never pinned, and the side effect's future is boxed.
impl<Args, Ret> Unpin for Call<Args, Ret> {}

impl<Args, Ret> Debug for Call<Args, Ret> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let step = match self.step {
            Step::Unpolled(_) => "unpolled",
            Step::Blocked { .. } => "blocked",
            Step::Delayed { .. } => "delayed",
            Step::Ready(_) | Step::Running(_) => "answering",
            Step::Done => "done",
        };
        f.debug_struct("Call")
            .field("mock", &self.mock.shared.label())
            .field("number", &self.number)
            .field("step", &step)
            .finish()
    }
}

impl<Args, Ret> Call<Args, Ret>
where
    Args: Clone + Debug + Send + 'static,
    Ret: Send + 'static,
{
    pub(super) fn new(mock: AsyncMock<Args, Ret>, number: usize, args: Args) -> Self {
        Call {
            mock,
            number,
            step: Step::Unpolled(args),
        }
    }

    /// The first poll: record the await, pick the answer, maybe block.
    fn start(&self, args: Args, waker: &Waker) -> Step<Args, Ret> {
        let in_simulation = sim_clock::is_current();
        let shared = &self.mock.shared;
        let mut state = shared.lock();
        state.records.awaits.push(args.clone());
        let nth = state.records.awaits.len();
        let woken = state.waiters.due(nth);
        let delay = state.delay;
        let picked = state.behaviour.pick();
        let outside = !delay.is_zero() && !in_simulation;
        let ticket = match picked {
            Ok(_) if !outside => state.gate.enter(waker),
            _ => None,
        };
        drop(state);
        for w in woken {
            w.wake();
        }
        let label = shared.label();
        let number = self.number;
        let answer = match picked {
            Ok(answer) => answer,
            // Reported at the test's line (the mock's creation, the
            // returns_seq), not here.
            Err(NoAnswer::Unset) => {
                let at = shared.created_at;
                crate::panic::panic_at(
                    at,
                    format!(
                        "{label} was awaited (call #{number}, args {args:?}) but has nothing to \
                         return: set a behaviour first with returns(v), returns_seq([..]), \
                         returns_with(f), returns_with_async(f) or fails_with(e)\n\
                         (the mock was created at {at})"
                    ),
                )
            }
            Err(NoAnswer::Exhausted(len, at)) => crate::panic::panic_at(
                at,
                format!(
                    "{label} has no value left for call #{number} (args {args:?}, await #{nth}): \
                     its returns_seq of {len} value{s} is used up. Give returns_seq more values, \
                     or add a fallback after it with .then_returns(v) or .then_returns_with(f)\n\
                     (the returns_seq was set at {at})",
                    s = if len == 1 { "" } else { "s" },
                ),
            ),
        };
        if outside {
            panic!(
                "{label}: AsyncMock::delay({delay:?}) runs on detsim's virtual clock, but call \
                 #{number} (args {args:?}) was awaited outside a detsim simulation: await it \
                 inside `Sim::run` (or a `#[sim_test]`), or remove the delay with \
                 delay(Duration::ZERO)"
            );
        }
        let then = Then {
            answer,
            args,
            delay,
        };
        match ticket {
            Some(ticket) => Step::Blocked { ticket, then },
            None => Self::after_gate(then),
        }
    }

    /// Past the gate: the delay, if any, else the answer.
    fn after_gate(then: Then<Args, Ret>) -> Step<Args, Ret> {
        if then.delay.is_zero() {
            return Self::answer(then);
        }
        Step::Delayed {
            sleep: sim_clock::sleep(then.delay),
            then,
        }
    }

    /// Past the delay: the value, or the side effect's.
    fn answer(then: Then<Args, Ret>) -> Step<Args, Ret> {
        let Then { answer, args, .. } = then;
        match answer {
            Answer::Value(v) => Step::Ready(v),
            Answer::With(f) => Step::Ready(f(args)),
            Answer::WithAsync(f) => Step::Running(f(args)),
        }
    }
}

impl<Args, Ret> Future for Call<Args, Ret>
where
    Args: Clone + Debug + Send + 'static,
    Ret: Send + 'static,
{
    type Output = Ret;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Ret> {
        let this = self.get_mut();
        loop {
            this.step = match std::mem::replace(&mut this.step, Step::Done) {
                Step::Unpolled(args) => this.start(args, cx.waker()),
                Step::Blocked { ticket, then } => {
                    let (gate, replaced) = this.mock.shared.lock().gate.poll(ticket, cx);
                    // After the lock: a waker's destructor may use the mock.
                    drop(replaced);
                    if gate.is_pending() {
                        this.step = Step::Blocked { ticket, then };
                        return Poll::Pending;
                    }
                    Self::after_gate(then)
                }
                Step::Delayed { mut sleep, then } => {
                    if Pin::new(&mut sleep).poll(cx).is_pending() {
                        this.step = Step::Delayed { sleep, then };
                        return Poll::Pending;
                    }
                    Self::answer(then)
                }
                Step::Ready(v) => return Poll::Ready(v),
                Step::Running(mut fut) => match fut.as_mut().poll(cx) {
                    Poll::Ready(v) => return Poll::Ready(v),
                    Poll::Pending => {
                        this.step = Step::Running(fut);
                        return Poll::Pending;
                    }
                },
                Step::Done => panic!(
                    "{}: a mock call's future was polled after it completed",
                    this.mock.shared.label()
                ),
            };
        }
    }
}

impl<Args, Ret> Drop for Call<Args, Ret> {
    fn drop(&mut self) {
        if let Step::Blocked { ticket, .. } = self.step {
            let waker = self.mock.shared.lock().gate.leave(ticket);
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
    /// Every later await takes `delay` of virtual time (detsim's clock)
    /// before it returns (after a release, when the mock blocks).
    /// `Duration::ZERO`, the default, takes none. An await with a delay
    /// must run inside a detsim simulation; outside one it panics naming
    /// `AsyncMock::delay`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use detsim::{Sim, mock::AsyncMock, time::Instant};
    ///
    /// let disk = AsyncMock::<u64, ()>::named("disk").returns(());
    /// disk.delay(Duration::from_millis(4));
    /// let mut sim = Sim::builder().build();
    /// sim.run(async move {
    ///     disk.call(1).await;
    ///     disk.call(2).await;
    ///     assert_eq!(Instant::now().since_start(), Duration::from_millis(8));
    /// }).unwrap();
    /// ```
    pub fn delay(&self, delay: Duration) -> Self {
        self.shared.lock().delay = delay;
        self.clone()
    }
}
