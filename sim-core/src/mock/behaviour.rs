//! What an await of the mock returns: a value, a sequence of values with an
//! optional fallback, a sync or async side effect, or an error.
//!
//! Every setter replaces the behaviour of every clone of the mock, and applies
//! to the awaits that start after it (an await picks its answer when its
//! future is first polled); awaits already in flight keep the answer they
//! picked. The setters take `&self` and return a handle to the same mock, so
//! they chain when the mock is made and work as statements mid-test.

use std::collections::VecDeque;
use std::fmt::Debug;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::sync::Arc;

use super::AsyncMock;

/// A boxed, `Send` future of the mock's return type.
pub(super) type BoxFuture<Ret> = Pin<Box<dyn Future<Output = Ret> + Send>>;
/// A synchronous side effect.
pub(super) type SyncFn<Args, Ret> = Arc<dyn Fn(Args) -> Ret + Send + Sync>;
/// An asynchronous side effect.
pub(super) type AsyncFn<Args, Ret> = Arc<dyn Fn(Args) -> BoxFuture<Ret> + Send + Sync>;

/// How one await is answered (the fallback after a sequence, or the only
/// answer).
pub(super) enum Respond<Args, Ret> {
    /// Clones a fixed value (called under the lock: a `Clone`, no user logic).
    Value(Box<dyn Fn() -> Ret + Send>),
    /// Calls a side effect with the arguments (outside the lock).
    With(SyncFn<Args, Ret>),
    /// Awaits a side effect's future (outside the lock).
    WithAsync(AsyncFn<Args, Ret>),
}

/// The answer an await picked on its first poll.
pub(super) enum Answer<Args, Ret> {
    Value(Ret),
    With(SyncFn<Args, Ret>),
    WithAsync(AsyncFn<Args, Ret>),
}

/// Why an await has no answer.
pub(super) enum NoAnswer {
    /// No behaviour was ever set.
    Unset,
    /// A `returns_seq` of this many values, set at this line, is used up,
    /// with no fallback.
    Exhausted(usize, &'static Location<'static>),
}

/// The current behaviour: values still queued by `returns_seq`, then the
/// fallback.
pub(super) struct Behaviour<Args, Ret> {
    queue: VecDeque<Ret>,
    /// How many values the last `returns_seq` gave and where the test
    /// called it (for the message), or `None` when no sequence is set.
    seq_len: Option<(usize, &'static Location<'static>)>,
    fallback: Option<Respond<Args, Ret>>,
}

impl<Args, Ret> Default for Behaviour<Args, Ret> {
    fn default() -> Self {
        Behaviour {
            queue: VecDeque::new(),
            seq_len: None,
            fallback: None,
        }
    }
}

impl<Args, Ret> Behaviour<Args, Ret> {
    /// Picks the answer of the next await.
    pub(super) fn pick(&mut self) -> Result<Answer<Args, Ret>, NoAnswer> {
        if let Some(value) = self.queue.pop_front() {
            return Ok(Answer::Value(value));
        }
        match (&self.fallback, self.seq_len) {
            (Some(Respond::Value(clone)), _) => Ok(Answer::Value(clone())),
            (Some(Respond::With(f)), _) => Ok(Answer::With(f.clone())),
            (Some(Respond::WithAsync(f)), _) => Ok(Answer::WithAsync(f.clone())),
            (None, Some((len, at))) => Err(NoAnswer::Exhausted(len, at)),
            (None, None) => Err(NoAnswer::Unset),
        }
    }

    /// Replaces everything with one answer for every await.
    fn always(&mut self, respond: Respond<Args, Ret>) {
        *self = Behaviour {
            fallback: Some(respond),
            ..Behaviour::default()
        };
    }
}

fn value<Ret: Clone + Send + 'static>(v: Ret) -> Box<dyn Fn() -> Ret + Send> {
    Box::new(move || v.clone())
}

impl<Args, Ret> AsyncMock<Args, Ret>
where
    Args: Clone + Debug + Send + 'static,
    Ret: Send + 'static,
{
    fn set(&self, f: impl FnOnce(&mut Behaviour<Args, Ret>)) -> Self {
        f(&mut self.shared.lock().behaviour);
        self.clone()
    }

    /// Every later await returns a clone of `value`.
    ///
    /// Replaces any earlier behaviour, sequence included.
    ///
    /// ```
    /// use detsim::mock::AsyncMock;
    ///
    /// let lookup = AsyncMock::<u32, &str>::named("lookup").returns("alice");
    /// assert_eq!(futures::executor::block_on(lookup.call(1)), "alice");
    /// lookup.returns("bob"); // mid-test: later awaits see the change
    /// assert_eq!(futures::executor::block_on(lookup.call(2)), "bob");
    /// ```
    pub fn returns(&self, value: Ret) -> Self
    where
        Ret: Clone,
    {
        self.set(|b| b.always(Respond::Value(self::value(value))))
    }

    /// Later awaits return these values, one each, in the order the awaits
    /// start; once they are used up, an await panics naming the mock, the
    /// number of values and the call (reported at the line that called
    /// `returns_seq`), unless a fallback follows
    /// ([`then_returns`](Self::then_returns),
    /// [`then_returns_with`](Self::then_returns_with)).
    ///
    /// Replaces any earlier behaviour, an earlier fallback included: set
    /// the fallback after the sequence.
    ///
    /// ```
    /// use futures::executor::block_on;
    /// use detsim::mock::AsyncMock;
    ///
    /// let next_id = AsyncMock::<(), u64>::named("next_id");
    /// next_id.returns_seq([7, 8]).then_returns(0);
    /// assert_eq!(block_on(next_id.call(())), 7);
    /// assert_eq!(block_on(next_id.call(())), 8);
    /// assert_eq!(block_on(next_id.call(())), 0); // the fallback, from now on
    /// ```
    #[track_caller]
    pub fn returns_seq(&self, values: impl IntoIterator<Item = Ret>) -> Self {
        let at = Location::caller();
        let queue: VecDeque<Ret> = values.into_iter().collect();
        self.set(|b| {
            *b = Behaviour {
                seq_len: Some((queue.len(), at)),
                queue,
                fallback: None,
            }
        })
    }

    /// Once the sequence of [`returns_seq`](Self::returns_seq) is used up,
    /// later awaits return a clone of `value` (without a sequence this is
    /// [`returns`](Self::returns)). Keeps the values still queued.
    ///
    /// ```
    /// use futures::executor::block_on;
    /// use detsim::mock::AsyncMock;
    ///
    /// let ping = AsyncMock::<(), Result<(), String>>::named("ping");
    /// ping.returns_seq([Err("down".to_owned())]).then_returns(Ok(()));
    /// assert!(block_on(ping.call(())).is_err());
    /// assert!(block_on(ping.call(())).is_ok());
    /// ```
    pub fn then_returns(&self, value: Ret) -> Self
    where
        Ret: Clone,
    {
        self.set(|b| b.fallback = Some(Respond::Value(self::value(value))))
    }

    /// Once the sequence of [`returns_seq`](Self::returns_seq) is used up,
    /// later awaits run `f` with their arguments (without a sequence this
    /// is [`returns_with`](Self::returns_with)). Keeps the values still
    /// queued.
    ///
    /// ```
    /// use futures::executor::block_on;
    /// use detsim::mock::AsyncMock;
    ///
    /// let double = AsyncMock::<u32, u32>::named("double");
    /// double.returns_seq([100]).then_returns_with(|x| x * 2);
    /// assert_eq!(block_on(double.call(1)), 100);
    /// assert_eq!(block_on(double.call(5)), 10);
    /// ```
    pub fn then_returns_with(&self, f: impl Fn(Args) -> Ret + Send + Sync + 'static) -> Self {
        self.set(|b| b.fallback = Some(Respond::With(Arc::new(f))))
    }

    /// Every later await runs the side effect `f` with its arguments and
    /// returns what it returns. `f` runs when the await completes (after
    /// any block and delay), without the mock's lock held, so it may use the
    /// mock (read its records, change its behaviour).
    ///
    /// ```
    /// use detsim::mock::AsyncMock;
    ///
    /// let add = AsyncMock::<(u32, u32), u32>::named("add").returns_with(|(a, b)| a + b);
    /// assert_eq!(futures::executor::block_on(add.call((2, 3))), 5);
    /// ```
    pub fn returns_with(&self, f: impl Fn(Args) -> Ret + Send + Sync + 'static) -> Self {
        self.set(|b| b.always(Respond::With(Arc::new(f))))
    }

    /// Every later await awaits the future `f` makes from its arguments and
    /// returns its output: an asynchronous side effect (it may sleep on the
    /// virtual clock, wait on a channel, call other mocks). `f` is called
    /// when the await gets past any block and delay.
    ///
    /// ```
    /// use std::time::Duration;
    /// use detsim::{Sim, mock::AsyncMock, time};
    ///
    /// let fetch = AsyncMock::<u32, String>::named("fetch").returns_with_async(|id| async move {
    ///     time::sleep(Duration::from_millis(u64::from(id))).await;
    ///     format!("user {id}")
    /// });
    /// let mut sim = Sim::builder().build();
    /// let got = sim.run(async move { fetch.call(30).await }).unwrap();
    /// assert_eq!(got, "user 30");
    /// assert_eq!(sim.now().since_start(), Duration::from_millis(30));
    /// ```
    pub fn returns_with_async<F, Fut>(&self, f: F) -> Self
    where
        F: Fn(Args) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Ret> + Send + 'static,
    {
        let f: AsyncFn<Args, Ret> = Arc::new(move |args| Box::pin(f(args)));
        self.set(|b| b.always(Respond::WithAsync(f)))
    }
}

impl<Args, T, E> AsyncMock<Args, Result<T, E>>
where
    Args: Clone + Debug + Send + 'static,
    T: Send + 'static,
    E: Clone + Send + 'static,
{
    /// Every later await returns `Err` with a clone of `error` (for a mock
    /// whose return type is a `Result`). Replaces any earlier behaviour;
    /// [`returns`](Self::returns) with `Ok(..)` switches back.
    ///
    /// ```
    /// use std::io;
    /// use futures::executor::block_on;
    /// use detsim::mock::AsyncMock;
    ///
    /// let read = AsyncMock::<u64, Result<Vec<u8>, io::ErrorKind>>::named("read");
    /// read.fails_with(io::ErrorKind::TimedOut);
    /// assert_eq!(block_on(read.call(0)), Err(io::ErrorKind::TimedOut));
    /// ```
    pub fn fails_with(&self, error: E) -> Self {
        self.set(|b| b.always(Respond::Value(Box::new(move || Err(error.clone())))))
    }
}
