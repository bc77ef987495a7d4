//! Logs that read as a story: [`tracing`] events stamped with virtual time,
//! node and task.
//!
//! A replayed failure is easiest to understand as a sequence of events in
//! virtual time: which node did what, in which task, when. This module
//! plugs detsim into [`tracing`]: every event logged inside a simulation is
//! prefixed with the virtual instant, the current node and the current task.
//!
//! # Turning logs on
//!
//! * Set `RUST_LOG` when running the tests: `RUST_LOG=debug cargo test`.
//!   `#[sim_test]` calls [`init_from_env`] at the start of every test, so
//!   that is all it takes. Output goes through libtest's capture: it is shown
//!   for failing tests, or for all of them with `cargo test -- --nocapture`.
//! * Or call [`init()`] once (in a test or a `main`): the filter is `RUST_LOG`
//!   if set, `info` otherwise.
//! * Libraries that log with the `log` crate rather than `tracing` show up
//!   too: [`init()`] forwards `log` records (unless another `log` logger
//!   is installed); with your own subscriber, install
//!   `tracing_log::LogTracer` yourself.
//! * Or compose your own subscriber with the [`SimStamp`] timer:
//!   `tracing_subscriber::fmt().with_timer(SimStamp)`.
//!
//! # What a line looks like
//!
//! ```text
//! +0.000000000s node=main task=0 'main'  INFO app: starting cluster
//! +1.250000000s node=db task=3 'compactor'  INFO app::db: compacting segments=4
//! +1.250000000s node=db task=4 DEBUG app::db: flushed bytes=512
//! (outside simulation)  WARN app: no simulation running
//! ```
//!
//! The stamp is virtual time since the start of the simulation (seconds,
//! nanosecond precision), `node=` the current node's name and `task=` the
//! current task's id and name (if it has one); `task=-` when no task is
//! being polled (the executor itself, between polls). Outside a simulation
//! the stamp is `(outside simulation)`.
//!
//! Logging never changes a run: reading the stamp draws nothing from the
//! choice source and leaves the [`Fingerprint`](crate::Fingerprint) alone,
//! so a run with logs on replays exactly like a run with logs off.
//!
//! # Example
//!
//! ```
//! use std::time::Duration;
//! use detsim::log::SimStamp;
//!
//! let subscriber = tracing_subscriber::fmt()
//!     .with_timer(SimStamp)
//!     .with_ansi(false)
//!     .with_test_writer()
//!     .finish();
//! tracing::subscriber::with_default(subscriber, || {
//!     let mut sim = detsim::Sim::builder().seed(1).build();
//!     sim.run(async {
//!         detsim::time::sleep(Duration::from_millis(1250)).await;
//!         // +1.250000000s node=main task=0 'main'  INFO app: hello
//!         tracing::info!(target: "app", "hello");
//!     })
//!     .unwrap();
//! });
//! ```

use std::fmt;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::FormatTime;

use crate::context;
use crate::node::MAIN_NODE;
use crate::runtime::Runtime;

/// Installs a global [`tracing`] subscriber that prints every event with a
/// [`SimStamp`], through libtest's output capture, without ANSI colours.
///
/// The filter comes from `RUST_LOG` (an [`EnvFilter`]; directives it cannot
/// parse are skipped), and is `info` when `RUST_LOG` is unset.
///
/// Records of the [`log`](https://docs.rs/log) crate, which many libraries
/// log through, are forwarded to it as well (a `tracing_log::LogTracer`),
/// unless a `log` logger is already installed.
///
/// Returns whether it installed the subscriber: `false` when a global
/// subscriber already exists (this function's or anyone else's), in which
/// case it does nothing. Calling it more than once is harmless; it never
/// panics.
///
/// # Example
///
/// ```
/// let first = detsim::log::init();
/// assert!(!detsim::log::init()); // already installed: does nothing
/// # let _ = first;
///
/// let mut sim = detsim::Sim::builder().build();
/// sim.run(async {
///     tracing::info!(answer = 42, "stamped with virtual time, node and task");
/// })
/// .unwrap();
/// ```
pub fn init() -> bool {
    if tracing::dispatcher::has_been_set() {
        return false;
    }
    let filter = EnvFilter::builder()
        .with_default_directive(LevelFilter::INFO.into())
        .from_env_lossy();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_timer(SimStamp)
        .with_ansi(false)
        .with_test_writer()
        .finish();
    if tracing::subscriber::set_global_default(subscriber).is_err() {
        return false;
    }
    // Another `log` logger (env_logger, ...) keeps its records: not ours.
    let _ = tracing_log::LogTracer::init();
    true
}

/// [`init()`], but only when `RUST_LOG` is set: logs are on by `RUST_LOG`
/// alone. `#[sim_test]` calls this at the start of every test.
///
/// Returns whether it installed the subscriber (`false` when `RUST_LOG` is
/// unset or a global subscriber already exists). Never panics.
///
/// # Example
///
/// ```
/// let installed = detsim::log::init_from_env();
/// if std::env::var_os("RUST_LOG").is_none() {
///     assert!(!installed);
/// }
/// ```
pub fn init_from_env() -> bool {
    if std::env::var_os(EnvFilter::DEFAULT_ENV).is_none() {
        return false;
    }
    init()
}

/// The stamp detsim puts in front of a log line: virtual time, node and
/// task, e.g. `+1.250000000s node=db task=3 'compactor'`.
///
/// It is a [`FormatTime`] for `tracing_subscriber`'s `fmt` layer, so you
/// can compose your own subscriber with it
/// (`tracing_subscriber::fmt().with_timer(SimStamp)`), and it implements
/// [`Display`](fmt::Display), which writes the stamp of the moment it is
/// formatted.
///
/// Outside a simulation (no simulation running on this thread) the stamp
/// is `(outside simulation)`. Formatting it never panics, never draws from
/// the choice source and never changes the run's fingerprint.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use detsim::log::SimStamp;
///
/// assert_eq!(SimStamp.to_string(), "(outside simulation)");
///
/// let mut sim = detsim::Sim::builder().build();
/// sim.run(async {
///     detsim::time::sleep(Duration::from_millis(1250)).await;
///     assert_eq!(SimStamp.to_string(), "+1.250000000s node=main task=0 'main'");
///     let db = detsim::node::Node::builder("db").build();
///     let h = detsim::task::Builder::new()
///         .name("compactor")
///         .node(&db)
///         .spawn(async { SimStamp.to_string() });
///     assert_eq!(h.await.unwrap(), "+1.250000000s node=db task=1 'compactor'");
/// })
/// .unwrap();
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct SimStamp;

impl FormatTime for SimStamp {
    fn format_time(&self, w: &mut Writer<'_>) -> fmt::Result {
        write_stamp(w)
    }
}

impl fmt::Display for SimStamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_stamp(f)
    }
}

/// Writes the stamp for the simulation current on this thread, if any.
fn write_stamp(w: &mut dyn fmt::Write) -> fmt::Result {
    match context::try_current() {
        Some(rt) => write_runtime_stamp(&rt, w),
        None => w.write_str("(outside simulation)"),
    }
}

/// Reads only `Cell`s and `try_borrow`s the tables: an event logged while
/// the runtime is borrowed (from a destructor, say) gets a stamp with less
/// detail (`node=#1`, a task without its name) instead of a panic. Nothing
/// here draws from, or records on, the choice source.
fn write_runtime_stamp(rt: &Runtime, w: &mut dyn fmt::Write) -> fmt::Result {
    let since = rt.clock.now().since_start();
    write!(w, "+{}.{:09}s", since.as_secs(), since.subsec_nanos())?;

    let current = rt.current.get();
    let node = current.map_or(MAIN_NODE, |c| c.node);
    match rt.nodes.try_borrow() {
        Ok(nodes) => write!(w, " node={}", nodes.get(node).name)?,
        Err(_) => write!(w, " node=#{node}")?,
    }

    let Some(current) = current else {
        return w.write_str(" task=-");
    };
    write!(w, " task={}", current.id)?;
    if let Ok(tasks) = rt.tasks.try_borrow() {
        let slot = tasks.slot(current.index);
        // The slot may have been freed (the task is being dropped).
        if !slot.vacant && slot.id == current.id {
            if let Some(name) = &tasks.cold(current.index).name {
                write!(w, " '{name}'")?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::Sim;

    #[test]
    fn log_stamp_outside_a_simulation() {
        assert_eq!(SimStamp.to_string(), "(outside simulation)");
    }

    #[test]
    fn log_stamp_survives_borrowed_runtime_state() {
        let mut sim = Sim::builder().seed(3).build();
        sim.run(async {
            let n = crate::node::Node::builder("n").build();
            let h = crate::task::Builder::new()
                .name("worker")
                .node(&n)
                .spawn(async {
                    crate::time::sleep(Duration::from_nanos(5)).await;
                    let rt = context::try_current().unwrap();
                    let full = SimStamp.to_string();
                    let _tasks = rt.tasks.borrow_mut();
                    let _nodes = rt.nodes.borrow_mut();
                    (full, SimStamp.to_string())
                });
            let (full, degraded) = h.await.unwrap();
            assert_eq!(full, "+0.000000005s node=n task=1 'worker'");
            assert_eq!(degraded, "+0.000000005s node=#1 task=1");
        })
        .unwrap();
    }

    #[test]
    fn log_stamp_draws_nothing() {
        let mut sim = Sim::builder().seed(9).build();
        let unchanged = sim
            .run(async {
                let rt = context::try_current().unwrap();
                let before = rt.choices.borrow().tape();
                let fingerprint = rt.choices.borrow().fingerprint();
                for _ in 0..10 {
                    let _ = SimStamp.to_string();
                }
                let choices = rt.choices.borrow();
                choices.tape() == before && choices.fingerprint() == fingerprint
            })
            .unwrap();
        assert!(unchanged);
    }

    #[test]
    fn log_stamp_without_a_current_task() {
        let rt = Runtime::new(Sim::builder());
        let _enter = context::enter(&rt);
        assert_eq!(SimStamp.to_string(), "+0.000000000s node=main task=-");
    }
}
