//! The detsim executor: a seeded, single-threaded async runtime whose every
//! nondeterministic choice comes from one recorded source.
//!
//! Most users depend on the `detsim` facade, which re-exports this crate.
//!
//! | concept | where |
//! |---|---|
//! | a simulation and its configuration | [`Sim`], [`Builder`] |
//! | tasks | [`spawn`], [`spawn_local`], [`spawn_blocking`], [`yield_now`], [`task`] |
//! | nodes (crash, restart, pause) | [`node`] |
//! | virtual time | [`time`] |
//! | randomness | [`rand`] |
//! | the simulated disk | [`fs`] |
//! | the choice source | [`Tape`], [`Fingerprint`], [`Scheduler`] |
//! | what went wrong | [`Failure`], [`Report`], [`Divergence`] |
//! | finding bugs | [`buggify!`], [`assert_always!`], [`assert_sometimes!`], [`assert_reachable!`], [`assert_unreachable!`], [`Assertions`] |
//! | what happened | [`Trace`] ([`Builder::trace`]) |
//!
//! # Example
//!
//! ```
//! use std::time::Duration;
//! use sim_core::{Sim, spawn, time};
//!
//! let mut sim = Sim::builder().seed(7).build();
//! let total = sim.run(async {
//!     let mut handles = Vec::new();
//!     for i in 0..3u64 {
//!         handles.push(spawn(async move {
//!             time::sleep(Duration::from_millis(10 * i)).await;
//!             i
//!         }));
//!     }
//!     let mut total = 0;
//!     for h in handles {
//!         total += h.await.unwrap();
//!     }
//!     total
//! }).unwrap();
//! assert_eq!(total, 3);
//! assert_eq!(sim.now(), time::Instant::ZERO + Duration::from_millis(20));
//! ```
#![deny(unsafe_code)]

pub mod assertions;
mod buggify;
mod builder;
mod choices;
mod context;
mod determinism;
mod executor;
#[doc(hidden)]
pub mod ext;
mod failure;
mod fingerprint;
mod foreign;
pub mod fs;
pub mod harness;
pub mod latency;
pub mod log;
pub mod mock;
pub mod node;
mod panic;
#[cfg(feature = "proptest")]
pub mod proptest;
pub mod rand;
mod raw;
mod report;
mod runtime;
mod sched;
pub mod shrink;
mod sim;
pub mod task;
pub mod trace;
mod watchdog;

pub use assertions::{AssertKind, AssertionStats, Assertions};
pub use buggify::{BuggifyMode, DEFAULT_BUGGIFY_PROBABILITY};
pub use builder::{
    Builder, ConfigError, DEFAULT_MAX_STEPS, DEFAULT_PCT_STEPS, DEFAULT_SLOW_POLL,
    DEFAULT_TIME_LIMIT, DEFAULT_TRACE_LIMIT,
};
pub use choices::Tape;
pub use determinism::Divergence;
pub use failure::{Failure, FailureKind};
pub use fingerprint::Fingerprint;
pub use report::{ArmedTimer, ForeignWake, Hygiene, Report, SlowPoll};
pub use sched::{CALIBRATION_RUNS, Scheduler, estimate_pct_steps};
pub use sim::Sim;
pub use task::{JoinHandle, spawn, spawn_blocking, spawn_local, yield_now};
pub use trace::{Trace, TraceKind, TraceLine};

/// What the `buggify!` and assertion macros expand to; not a stable API.
#[doc(hidden)]
pub mod __macro {
    pub use crate::assertions::{AssertSite, SITES as ASSERT_SITES, reached as assert_reached};
    pub use crate::buggify::{BuggifySite, reached as buggify_reached};
    pub use linkme;
    pub use sim_macros::__compiled_features as compiled_features;
}

pub mod time {
    // sim-clock's user-facing documentation (src/time.md links to
    // sim-clock/src/time.md), shown to users as `detsim::time`.
    #![doc = include_str!("time.md")]
    pub use sim_clock::{
        Advance, Elapsed, Instant, Interval, MissedTickBehavior, Sleep, SystemTime, Timeout,
        advance, auto_advance, interval, interval_at, set_auto_advance, sleep, sleep_until,
        timeout, timeout_at,
    };

    /// Time errors, where tokio keeps them (`tokio::time::error`).
    pub mod error {
        pub use sim_clock::Elapsed;
    }
}
