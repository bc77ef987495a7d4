//! Mocks for async code: [`AsyncMock`], Python's `AsyncMock` (asynctest's
//! `CoroutineMock`) for Rust.
//!
#![doc = include_str!("mock.md")]

// The files of this module:
//
// | file | concept |
// |---|---|
// | `async_mock.rs` | the handle: `new`, `named`, `call`, `as_fn` |
// | `behaviour.rs` | what an await returns: `returns*`, `then_returns*`, `fails_with` |
// | `call.rs` | the future of a call ([`Call`]) and its `delay` |
// | `gate.rs` | `block_until_released`, `release`, `release_one`, `unblock` |
// | `record.rs` | calls and awaits, `reset` |
// | `wait.rs` | [`WaitForAwaits`]: waiting until the code under test got there |
// | `assert.rs` | `assert_awaited*`, `assert_called*` and their messages |

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
