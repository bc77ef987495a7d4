//! Virtual time for [detsim](https://docs.rs/detsim).
//!
//! Everything here reads the *current* [`Clock`], which the detsim executor
//! installs on its thread while a simulation runs. Time is a `u64` count of
//! nanoseconds since the simulation started; it moves only when the executor
//! is idle (auto-advance, the default) or when a test calls [`advance`]. No
//! function in this crate reads the host's clock.
//!
//! | you want | use |
//! |---|---|
//! | the time | [`Instant::now`], [`SystemTime::now`] |
//! | to wait | [`sleep`], [`sleep_until`] |
//! | a deadline around a future | [`timeout`], [`timeout_at`] |
//! | periodic ticks | [`interval`], [`interval_at`] |
//! | asynctest's `ClockedTestCase` | [`set_auto_advance`]`(false)` + [`advance`] |
//!
//! Tests reach these through `detsim::time`. The [`Clock`] type itself is for
//! the runtime that drives time.
//!
//! # Example
//!
//! Driving a clock by hand, as the executor does:
//!
//! ```
//! use std::time::Duration;
//! let clock = sim_clock::Clock::new();
//! let _guard = clock.enter();
//! let _sleep = sim_clock::sleep(Duration::from_secs(1));
//! assert_eq!(sim_clock::Instant::now(), sim_clock::Instant::ZERO);
//! ```
#![deny(unsafe_code)]

mod advance;
mod alarm;
mod alarm_slots;
mod clock;
mod instant;
mod interval;
mod parse;
mod sleep;
mod system_time;
mod timeout;
mod timers;

pub use advance::{Advance, advance, auto_advance, set_auto_advance};
pub use alarm::Alarm;
pub use clock::{
    Clock, EnterGuard, Prefetcher, SYSTEM_OWNER, TimerInfo, Wakeup, is_current,
    is_current_available, with_system_owner,
};
pub use instant::Instant;
pub use interval::{Interval, MissedTickBehavior, interval, interval_at};
pub use parse::{DURATION_FORMS, DurationError, parse_duration};
pub use sleep::{Sleep, sleep, sleep_until};
pub use system_time::SystemTime;
pub use timeout::{Elapsed, Timeout, timeout, timeout_at};
