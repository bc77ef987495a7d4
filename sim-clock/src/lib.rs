#![doc = include_str!("time.md")]
//!
//! # For runtimes
//!
//! Everything here reads the *current* [`Clock`], which the detsim executor
//! installs on its thread while a simulation runs. The [`Clock`] type, and
//! what `detsim::time` does not re-export ([`Alarm`], [`parse_duration`],
//! ...), are for the runtime that drives time. Driving a clock by hand, as
//! the executor does:
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
pub use alarm::{Alarm, Ring};
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
