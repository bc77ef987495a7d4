//! Mocks for async code: [`AsyncMock`], Python's `AsyncMock` (asynctest's
//! `CoroutineMock`) for Rust.
//!
//! | file | concept |
//! |---|---|
//! | `async_mock.rs` | the handle: `new`, `named`, `call`, `as_fn` |
//! | `behaviour.rs` | what an await returns: `returns*`, `then_returns*`, `fails_with` |
//! | `call.rs` | the future of a call ([`Call`]) and its `delay` |
//! | `gate.rs` | `block_until_released`, `release`, `release_one`, `unblock` |
//! | `record.rs` | calls and awaits, `reset` |
//! | `wait.rs` | [`WaitForAwaits`]: waiting until the code under test got there |
//! | `assert.rs` | `assert_awaited*`, `assert_called*` and their messages |
//!
//! # Tutorial
//!
//! Code under test talks to a user service through an async function. The
//! test replaces the service with a mock, tells it what to answer, runs the
//! code in a simulation, and checks how the mock was awaited:
//!
//! ```
//! use std::future::Future;
//! use std::time::Duration;
//! use detsim::{Sim, mock::AsyncMock, time};
//!
//! // Code under test: greet a user, falling back when the lookup fails.
//! async fn greet<F, Fut>(lookup: F, id: u32) -> String
//! where
//!     F: Fn((u32, bool)) -> Fut,
//!     Fut: Future<Output = Result<String, String>>,
//! {
//!     match lookup((id, true)).await {
//!         Ok(name) => format!("hello, {name}"),
//!         Err(_) => "hello, stranger".to_owned(),
//!     }
//! }
//!
//! // A mock of `async fn fetch_user(id: u32, cached: bool) -> Result<String, String>`:
//! // the arguments are a tuple.
//! let fetch_user = AsyncMock::<(u32, bool), Result<String, String>>::named("fetch_user");
//! fetch_user
//!     .returns_seq([Ok("ada".to_owned()), Err("timeout".to_owned())])
//!     .then_returns(Ok("bob".to_owned()))   // after the sequence
//!     .delay(Duration::from_millis(20));     // on the virtual clock
//!
//! let mut sim = Sim::builder().seed(1).build();
//! let mock = fetch_user.clone(); // clones share calls, awaits and behaviour
//! let greetings = sim.run(async move {
//!     let mut out = Vec::new();
//!     for id in [1, 2, 3] {
//!         out.push(greet(mock.as_fn(), id).await);
//!     }
//!     out
//! }).unwrap();
//!
//! assert_eq!(greetings, ["hello, ada", "hello, stranger", "hello, bob"]);
//! assert_eq!(sim.now().since_start(), Duration::from_millis(60));
//! fetch_user.assert_has_awaits(&[(1, true), (2, true), (3, true)], false);
//! fetch_user.assert_awaited_with((3, true));
//! assert_eq!(fetch_user.await_count(), 3);
//! ```
//!
//! A failed assertion panics at the test's line and lists what really
//! happened:
//!
//! ```should_panic
//! # use detsim::mock::AsyncMock;
//! let m = AsyncMock::<u32, ()>::named("fetch_user").returns(());
//! futures::executor::block_on(m.call(7));
//! m.assert_awaited_with(8);
//! // panics with:
//! // AsyncMock `fetch_user`: the last await does not match.
//! // expected: 8
//! //   actual: 7
//! // awaits (1):
//! //   1. 7
//! ```
//!
//! # Calls and awaits
//!
//! As in Python, calling the mock and awaiting it are recorded apart:
//! [`AsyncMock::call`] records a **call** and returns a [`Call`] future; the
//! **await** is recorded when that future is first polled. Everything the
//! behaviour decides (which value of a sequence, the delay, whether to
//! block) is decided at that first poll, so behaviour changed mid-test
//! applies to the awaits that start afterwards. See [`Call`] for the exact
//! steps of an await.
//!
//! # Injecting the mock
//!
//! * **As a closure**: [`AsyncMock::as_fn`] is an
//!   `impl Fn(Args) -> Call<Args, Ret> + Clone`, accepted wherever code
//!   takes `F: Fn(Args) -> Fut, Fut: Future<Output = Ret>` (above).
//! * **Behind a trait**: a hand-written impl holds the mock and awaits it:
//!
//! ```
//! use detsim::mock::AsyncMock;
//!
//! trait Store {
//!     async fn put(&self, key: String, value: u64) -> bool;
//! }
//!
//! #[derive(Default)]
//! struct MockStore {
//!     put: AsyncMock<(String, u64), bool>,
//! }
//!
//! impl Store for MockStore {
//!     async fn put(&self, key: String, value: u64) -> bool {
//!         self.put.call((key, value)).await
//!     }
//! }
//!
//! async fn save_all(store: &impl Store) -> usize {
//!     let mut saved = 0;
//!     for (k, v) in [("a", 1), ("b", 2)] {
//!         if store.put(k.to_owned(), v).await {
//!             saved += 1;
//!         }
//!     }
//!     saved
//! }
//!
//! let store = MockStore::default();
//! store.put.returns_seq([true, false]);
//! assert_eq!(futures::executor::block_on(save_all(&store)), 1);
//! store.put.assert_awaited_with(("b".to_owned(), 2));
//! ```
//!
//! # Concurrency: blocking and waiting
//!
//! [`AsyncMock::block_until_released`] holds awaits until the test
//! releases them ([`release`](AsyncMock::release) all,
//! [`release_one`](AsyncMock::release_one) in arrival order), and
//! [`AsyncMock::wait_for_awaits`] waits until the code under test has
//! awaited the mock n times, which is how a test knows the awaits are
//! blocked before it releases them.
//!
//! # Outside a simulation
//!
//! A mock makes no draws and needs no runtime: without a
//! [`delay`](AsyncMock::delay) it works under any executor
//! (`futures::executor::block_on`, tokio). A delay needs detsim's virtual
//! clock: awaited outside a simulation it panics naming
//! `AsyncMock::delay`.

mod assert;
mod async_mock;
mod behaviour;
mod call;
mod gate;
mod record;
mod state;
mod wait;

pub use async_mock::AsyncMock;
pub use call::Call;
pub use wait::WaitForAwaits;
