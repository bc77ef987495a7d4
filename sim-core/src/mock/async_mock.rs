//! The `AsyncMock` handle: making one, calling it, injecting it.

use std::fmt::Debug;
use std::sync::Arc;

use super::call::Call;
use super::state::Shared;

/// An awaitable mock of an `async fn(Args) -> Ret`: Python's `AsyncMock`,
/// asynctest's `CoroutineMock`.
///
/// A function of several arguments takes them as a tuple (`Args = (u32,
/// String)`); one argument can be the bare type. The mock answers each
/// await as its behaviour says ([`returns`](Self::returns),
/// [`returns_seq`](Self::returns_seq), [`returns_with`](Self::returns_with),
/// [`returns_with_async`](Self::returns_with_async),
/// [`fails_with`](Self::fails_with), with [`delay`](Self::delay) and
/// [`block_until_released`](Self::block_until_released)), records calls and
/// awaits separately ([`calls`](Self::calls), [`awaits`](Self::awaits)), and
/// checks them with `assert_awaited*` methods whose panic lists the actual
/// awaits.
///
/// Clones are cheap and share everything: keep one in the test, give
/// another to the code under test. It is `Send + Sync` when `Args` and
/// `Ret` are `Send`, and its futures are `Send`, so it works with
/// `detsim::spawn`, inside a simulation or under any executor (only
/// [`delay`](Self::delay) needs detsim's clock). The arguments are recorded
/// by value, so `Args` is `Clone` (and `Debug`, for messages) and owns its
/// data (`'static`).
///
/// ```
/// use detsim::mock::AsyncMock;
///
/// let fetch = AsyncMock::<(u32, bool), Option<String>>::named("fetch_user");
/// fetch.returns(Some("alice".to_owned()));
///
/// let user = futures::executor::block_on(fetch.call((7, true)));
/// assert_eq!(user.as_deref(), Some("alice"));
/// fetch.assert_awaited_once_with((7, true));
/// ```
pub struct AsyncMock<Args, Ret> {
    pub(super) shared: Arc<Shared<Args, Ret>>,
}

impl<Args, Ret> Clone for AsyncMock<Args, Ret> {
    fn clone(&self) -> Self {
        AsyncMock {
            shared: self.shared.clone(),
        }
    }
}

impl<Args, Ret> Debug for AsyncMock<Args, Ret> {
    /// The name and the counts (no arguments: they need not be `Debug`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.shared.lock();
        f.debug_struct("AsyncMock")
            .field("name", &self.shared.name.as_deref())
            .field("calls", &state.records.calls.len())
            .field("awaits", &state.records.awaits.len())
            .finish()
    }
}

impl<Args, Ret> Default for AsyncMock<Args, Ret> {
    /// An unnamed mock with no behaviour, as [`AsyncMock::new`].
    #[track_caller]
    fn default() -> Self {
        AsyncMock {
            shared: Arc::new(Shared::new(None, std::panic::Location::caller())),
        }
    }
}

impl<Args, Ret> AsyncMock<Args, Ret>
where
    Args: Clone + Debug + Send + 'static,
    Ret: Send + 'static,
{
    /// An unnamed mock with no behaviour yet: awaiting it panics until one
    /// is set (with [`returns`](Self::returns) and friends). Prefer
    /// [`named`](Self::named) when a test has more than one mock.
    ///
    /// ```
    /// let m = detsim::mock::AsyncMock::<(), u8>::new().returns(1);
    /// assert_eq!(futures::executor::block_on(m.call(())), 1);
    /// ```
    #[track_caller]
    pub fn new() -> Self {
        Self::default()
    }

    /// A mock whose messages call it `name` (``AsyncMock `name` ...``).
    ///
    /// ```
    /// let m = detsim::mock::AsyncMock::<u8, ()>::named("notify");
    /// assert!(format!("{m:?}").contains("notify"));
    /// ```
    #[track_caller]
    pub fn named(name: impl Into<String>) -> Self {
        let name: String = name.into();
        AsyncMock {
            shared: Arc::new(Shared::new(
                Some(name.into()),
                std::panic::Location::caller(),
            )),
        }
    }

    /// Calls the mock: records the call now and returns the future of its
    /// await, which is recorded when the future is first polled (see
    /// [`Call`] for the steps of an await).
    ///
    /// ```
    /// let m = detsim::mock::AsyncMock::<(u32, &str), u32>::new().returns(0);
    /// let fut = m.call((1, "x"));
    /// assert_eq!(m.call_count(), 1);
    /// m.assert_not_awaited();
    /// futures::executor::block_on(fut);
    /// m.assert_awaited_once_with((1, "x"));
    /// ```
    pub fn call(&self, args: Args) -> Call<Args, Ret> {
        let number = {
            let mut state = self.shared.lock();
            state.records.calls.push(args.clone());
            state.records.calls.len()
        };
        Call::new(self.clone(), number, args)
    }

    /// The mock as a closure, for code that takes an async function
    /// (`F: Fn(Args) -> Fut, Fut: Future<Output = Ret>`). Each call of the
    /// closure is a [`call`](Self::call). The closure is `Clone`, and
    /// `Send + Sync` when the mock is.
    ///
    /// ```
    /// use std::future::Future;
    /// use detsim::mock::AsyncMock;
    ///
    /// // Code under test: retries a fetch until it succeeds.
    /// async fn with_retry<F, Fut>(fetch: F, key: u32) -> String
    /// where
    ///     F: Fn(u32) -> Fut,
    ///     Fut: Future<Output = Result<String, String>>,
    /// {
    ///     loop {
    ///         if let Ok(v) = fetch(key).await {
    ///             return v;
    ///         }
    ///     }
    /// }
    ///
    /// let fetch = AsyncMock::<u32, Result<String, String>>::named("fetch");
    /// fetch.returns_seq([Err("busy".into()), Ok("v1".into())]);
    /// let got = futures::executor::block_on(with_retry(fetch.as_fn(), 9));
    /// assert_eq!(got, "v1");
    /// fetch.assert_has_awaits(&[9, 9], false);
    /// ```
    pub fn as_fn(&self) -> impl Fn(Args) -> Call<Args, Ret> + Clone + 'static {
        let mock = self.clone();
        move |args| mock.call(args)
    }
}
