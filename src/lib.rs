//! Deterministic simulation testing for async Rust.
//!
//! detsim runs async code on a seeded, single-threaded executor with a
//! virtual clock. Every nondeterministic choice (which task runs next, which
//! of two timers due at the same instant fires first, every random number)
//! is a draw from one seeded source, recorded on a [`Tape`]. A run is a pure
//! function of its seed: a failing schedule replays exactly, as often as you
//! like.
//!
//! # A first simulation
//!
//! ```
//! use std::time::Duration;
//! use detsim::{Sim, spawn, time};
//!
//! let mut sim = Sim::builder().seed(7).build();
//! let out = sim.run(async {
//!     let slow = spawn(async {
//!         time::sleep(Duration::from_secs(3)).await;
//!         "slow"
//!     });
//!     let fast = spawn(async { "fast" });
//!     (fast.await.unwrap(), slow.await.unwrap())
//! }).unwrap();
//! assert_eq!(out, ("fast", "slow"));
//! // Three virtual seconds passed; the test took microseconds.
//! assert_eq!(sim.now().since_start(), Duration::from_secs(3));
//! ```
//!
//! Same seed, same interleaving, same timestamps, same [`Fingerprint`]:
//!
//! ```
//! # use detsim::Sim;
//! let fingerprint = |seed| {
//!     let mut sim = Sim::builder().seed(seed).build();
//!     sim.run(async {
//!         let tasks: Vec<_> = (0..4).map(|i| detsim::spawn(async move {
//!             detsim::yield_now().await;
//!             i
//!         })).collect();
//!         for t in tasks { t.await.unwrap(); }
//!     }).unwrap();
//!     sim.fingerprint()
//! };
//! assert_eq!(fingerprint(7), fingerprint(7));
//! assert_ne!(fingerprint(7), fingerprint(8));
//! ```
//!
//! # Finding a bug by sweeping seeds
//!
//! Each seed is one schedule. A race that needs an unlucky interleaving
//! shows up on some seeds, and the seed is all it takes to see it again:
//!
//! ```
//! use std::sync::{Arc, Mutex};
//! use detsim::Sim;
//!
//! // Read-modify-write with an await in between: a lost update.
//! async fn racy_counter() -> u32 {
//!     let counter = Arc::new(Mutex::new(0));
//!     let mut tasks = Vec::new();
//!     for _ in 0..2 {
//!         let counter = counter.clone();
//!         tasks.push(detsim::spawn(async move {
//!             let seen = *counter.lock().unwrap();
//!             detsim::yield_now().await;
//!             *counter.lock().unwrap() = seen + 1;
//!         }));
//!     }
//!     for t in tasks { t.await.unwrap(); }
//!     let n = *counter.lock().unwrap();
//!     n
//! }
//!
//! let failing = (0..100u64).find(|&seed| {
//!     Sim::builder().seed(seed).build().run(racy_counter()).unwrap() != 2
//! });
//! let seed = failing.expect("some schedule loses an update");
//! // Replaying the seed gives the same lost update.
//! assert_eq!(Sim::builder().seed(seed).build().run(racy_counter()).unwrap(), 1);
//! ```
//!
//! # Tests: `#[sim_test]`
//!
//! In a test suite, [`sim_test`] does the sweeping: the `async fn` runs
//! under the simulator once per seed, and a failure prints the seed, the
//! failing task and node, the virtual time and the exact command that
//! replays it (`DETSIM_SEED=0x… cargo test -p … -- … --exact`), and writes
//! a replay [`harness::Artifact`] under `target/detsim/failures/`:
//!
//! ```
//! use std::time::Duration;
//! use detsim::{sim_test, spawn, time};
//!
//! #[sim_test(seeds = 100, time_limit = "10s")]
//! async fn the_slow_replica_catches_up() {
//!     let replica = spawn(async {
//!         time::sleep(Duration::from_millis(detsim::rand::gen_range(1..500))).await;
//!         "caught up"
//!     });
//!     assert_eq!(replica.await.unwrap(), "caught up");
//! }
//! ```
//!
//! `DETSIM_SEEDS=10000 DETSIM_JOBS=2 cargo test` sweeps more seeds on two
//! threads; `DETSIM_REPLAY=<artifact>` replays a failure's exact draws and
//! checks its fingerprint; `RUST_LOG=debug` prints `tracing` events stamped
//! with virtual time, node and task ([`log`]). The [`harness`] module lists
//! every environment variable.
//!
//! # Time
//!
//! Time is virtual ([`time::Instant`], nanosecond resolution) and moves
//! only when nothing is runnable: the clock jumps to the next timer. Code
//! between two awaits takes no time. [`time::sleep`], [`time::timeout`] and
//! [`time::interval`] work as in tokio.
//!
//! To own the clock, as asynctest's `ClockedTestCase` does, turn
//! auto-advance off and call [`time::advance`]: timers due in the window fire
//! at their exact deadlines, in order, with woken tasks running in between,
//! and the clock ends exactly at `now + d`.
//!
//! ```
//! use std::time::Duration;
//! use std::sync::{Arc, Mutex};
//! use detsim::{Sim, time};
//!
//! let mut sim = Sim::builder().auto_advance(false).build();
//! sim.run(async {
//!     let log = Arc::new(Mutex::new(Vec::new()));
//!     let l = log.clone();
//!     let _ticker = detsim::spawn(async move {
//!         time::sleep(Duration::from_secs(2)).await;
//!         l.lock().unwrap().push(time::Instant::now().since_start().as_secs());
//!         time::sleep(Duration::from_secs(1)).await; // due at t=3
//!         l.lock().unwrap().push(time::Instant::now().since_start().as_secs());
//!     });
//!     time::advance(Duration::from_secs(3)).await;
//!     assert_eq!(*log.lock().unwrap(), [2, 3]);
//!     assert_eq!(time::Instant::now().since_start(), Duration::from_secs(3));
//! }).unwrap();
//! ```
//!
//! # Nodes
//!
//! A [`node::Node`] is a named group of tasks standing for one machine:
//! kill it (its tasks are dropped, destructors run), restart it (its init
//! closure runs again), pause and resume it, or ask it to shut down
//! gracefully ([`node::Node::shutdown`], heard in
//! [`node::shutdown_signal`]).
//!
//! ```
//! use std::time::Duration;
//! use detsim::{Sim, node::Node, time};
//!
//! let mut sim = Sim::builder().build();
//! sim.run(async {
//!     let server = Node::builder("server")
//!         .init(|| async {
//!             loop { time::sleep(Duration::from_millis(100)).await; }
//!         })
//!         .build();
//!     time::sleep(Duration::from_secs(1)).await;
//!     server.kill();
//!     server.restart();
//!     assert_eq!(server.restarts(), 1);
//!     server.kill();
//! }).unwrap();
//! ```
//!
//! # Disk
//!
//! Every node has its own simulated disk, [`fs`], with `tokio::fs`'s shape.
//! Writes are volatile until `sync_data`/`sync_all`, and new names until
//! their directory is synced; killing a node (or [`fs::Disk::crash`]) loses
//! what is volatile and keeps what was synced. Faults (I/O errors, a full
//! disk, read corruption, latency, torn writes) are opt-in through
//! [`fs::DiskConfig`].
//!
//! ```
//! use detsim::{Sim, fs, node::Node};
//!
//! let mut sim = Sim::builder().build();
//! sim.run(async {
//!     let n = Node::builder("db").build();
//!     n.spawn(async {
//!         fs::write("/kept", "synced").await.unwrap();
//!         fs::File::open("/kept").await.unwrap().sync_all().await.unwrap();
//!         fs::sync_dir("/").await.unwrap();
//!         fs::write("/lost", "never synced").await.unwrap();
//!     }).await.unwrap();
//!     n.restart(); // a crash: the disk keeps only what was synced
//!     let survivors = n.spawn(async {
//!         (fs::try_exists("/kept").await.unwrap(), fs::try_exists("/lost").await.unwrap())
//!     });
//!     assert_eq!(survivors.await.unwrap(), (true, false));
//! }).unwrap();
//! ```
//!
//! # When a run fails
//!
//! [`Sim::run`] returns a [`Failure`]: a panic (in the main future, in a
//! node's init task, or in a task whose `JoinHandle` nobody awaited), a
//! deadlock (listing the blocked tasks with their names, nodes and spawn
//! locations), the virtual-time or step limit, or, in strict mode, tasks
//! and timers left behind. It carries the seed, the tape and the
//! fingerprint.
//!
//! ```
//! let mut sim = detsim::Sim::builder().seed(3).build();
//! let failure = sim.run(async {
//!     let (_tx, rx) = futures::channel::oneshot::channel::<()>();
//!     let waiter = detsim::task::Builder::new().name("waiter").spawn(rx);
//!     waiter.await.unwrap().unwrap(); // nobody will ever send
//! }).unwrap_err();
//! assert!(failure.is_deadlock());
//! assert!(failure.to_string().contains("'waiter'"));
//! ```
//!
//! # Replaying and checking determinism
//!
//! [`Builder::tape`] replays a recorded run draw for draw;
//! [`Builder::check_determinism`] runs a seed twice and, if the runs differ
//! (a `HashMap` iteration order, the real clock), names the first event
//! where they parted.
//!
//! # Finding bugs: buggify and assertions across seeds
//!
//! [`buggify!`] is FoundationDB's fault-injection point (a call site is
//! active in one run in four and then fires one reach in four);
//! [`assert_always!`] and [`assert_unreachable!`] fail a run at once;
//! [`assert_sometimes!`] and [`assert_reachable!`] must hold in at least one
//! run of a sweep, so a sweep whose faults never reach the interesting code
//! fails instead of passing vacuously. [`Builder::trace`] records a readable
//! [`Trace`] of a run, for reading a failure or for a snapshot test.
//!
//! ```
//! use std::time::Duration;
//! use detsim::{Assertions, Sim, TraceKind, assert_always, assert_sometimes, buggify, time};
//!
//! async fn request() -> Duration {
//!     let start = time::Instant::now();
//!     if buggify!() {
//!         time::sleep(Duration::from_secs(2)).await; // a slow replica
//!     }
//!     let took = start.elapsed();
//!     assert_always!(took <= Duration::from_secs(2), "a request takes at most 2 s");
//!     assert_sometimes!(took > Duration::ZERO, "some request was slow");
//!     took
//! }
//!
//! let mut seen = Assertions::default();
//! for seed in 0..100 {
//!     let mut sim = Sim::builder().seed(seed).build();
//!     sim.run(request()).unwrap();
//!     seen.merge(&sim.assertions());
//! }
//! assert!(seen.unmet().is_empty(), "buggify made some request slow:\n{seen}");
//!
//! let mut sim = Sim::builder().seed(3).trace(true).build();
//! sim.run(request()).unwrap();
//! let trace = sim.trace().unwrap().without(&[TraceKind::Poll, TraceKind::Draw]);
//! assert!(trace.to_string().contains("assert_always!"));
//! ```
//!
//! # Rules for code under simulation
//!
//! * Use [`rand`] instead of OS randomness, [`time`] instead of
//!   `std::time`/`tokio::time`.
//! * Do not iterate a `std::collections::HashMap` with its random hasher
//!   where the order can change the schedule; use `BTreeMap` or a fixed
//!   hasher.
//! * Do not start OS threads inside a simulation; a wake from another
//!   thread is delivered but reported ([`Report::foreign_wakes`]).
//! * Race futures with `futures::select_biased!` (or `tokio::select!` with
//!   `biased;`): plain `futures::select!` picks among ready branches with
//!   a generator of its own that no seed reaches.
//! * Executor-agnostic primitives (futures' channels, `async-lock`,
//!   `tokio::sync`) work unchanged.

pub use sim_core::{
    ArmedTimer, Builder, ConfigError, DEFAULT_MAX_STEPS, DEFAULT_PCT_STEPS, DEFAULT_SLOW_POLL,
    DEFAULT_TIME_LIMIT, DEFAULT_TRACE_LIMIT, Divergence, Failure, FailureKind, Fingerprint,
    ForeignWake, Hygiene, JoinHandle, Report, Scheduler, Sim, SlowPoll, Tape, log, node, rand,
    spawn, spawn_blocking, spawn_local, task, time, yield_now,
};

pub use sim_core::harness;
pub use sim_core::{CALIBRATION_RUNS, estimate_pct_steps, shrink};

pub use sim_core::fs;

// Finding bugs (buggify!, assertions across seeds) and traces.
pub use sim_core::{
    AssertKind, AssertionStats, Assertions, BuggifyMode, DEFAULT_BUGGIFY_PROBABILITY, Trace,
    TraceKind, TraceLine, assert_always, assert_reachable, assert_sometimes, assert_unreachable,
    assertions, buggify, trace,
};

pub mod net {
    // The `sim-net` crate's own documentation (src/net.md links to
    // sim-net/src/net.md): the layering, addresses, fault model and TCP.
    #![doc = include_str!("net.md")]
    pub use sim_net::*;

    /// The stream halves at tokio's paths (`tokio::net::tcp::*`), so that
    /// code written against tokio needs only its `tokio::net` prefix
    /// changed. The same types as [`detsim::net::OwnedReadHalf`](crate::net::OwnedReadHalf)
    /// and the others.
    ///
    /// ```
    /// use detsim::net::TcpStream;
    /// use detsim::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
    ///
    /// fn halves(s: TcpStream) -> (OwnedReadHalf, OwnedWriteHalf) {
    ///     s.into_split()
    /// }
    /// # let _ = halves;
    /// ```
    pub mod tcp {
        pub use sim_net::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, ReuniteError, WriteHalf};
    }
}
pub mod mock {
    //! Mocks for async code: [`AsyncMock`], Python's `AsyncMock`
    //! (asynctest's `CoroutineMock`), and [`SocketMock`], a scripted peer
    //! with the io traits of [`TcpStream`](crate::net::TcpStream) (its
    //! tutorial is on its page).
    //!
    // The AsyncMock guide of sim-core's mock module (src/mock.md links to
    // sim-core/src/mock/mock.md).
    #![doc = include_str!("mock.md")]
    pub use sim_core::mock::*;
    pub use sim_net::{
        SocketMock, SocketMockBuilder, SocketMockHandle, SocketMockReadHalf, SocketMockWriteHalf,
    };
}
pub use sim_macros::sim_test;

/// proptest integration (cargo feature `proptest`, on by default):
/// [`proptest::tapes`] and [`proptest::fault_plans`] generate schedules
/// and timed faults, [`proptest::builder`] runs a tape, and
/// [`proptest::check!`] turns a failed run into a proptest failure with a
/// replay artifact and the `cargo test` command that replays it. proptest shrinks a failing tape toward fewer and
/// smaller draws, and a failing plan toward fewer, earlier, plainer
/// faults.
///
/// ```
/// use std::time::Duration;
/// use proptest::prelude::*;
/// use detsim::proptest::{builder, check, fault_plans, tapes};
///
/// proptest! {
///     // #[test] in a test file; here, called below.
///     fn survives(tape in tapes(32), plan in fault_plans(&["a", "b"], Duration::from_millis(100), 3)) {
///         check!("survives", builder(&tape), async move {
///             let _a = detsim::node::Node::builder("a").build();
///             let _b = detsim::node::Node::builder("b").build();
///             plan.run().await.unwrap();
///         })?;
///     }
/// }
/// # survives();
/// ```
#[cfg(feature = "proptest")]
pub mod proptest {
    pub use sim_core::proptest::*;
    pub use sim_net::fault_plans;
}

/// What `#[sim_test]` expands to calls; not a stable API.
#[doc(hidden)]
pub mod __private {
    pub use sim_core::__test_spec as test_spec;
    pub use sim_core::harness::{CompiledFeatures, TestAttrs, TestOutput, TestSpec, run_test};
}
