//! Slow-poll detection without reading a clock on the hot path.
//!
//! # Algorithm
//!
//! Each simulation with a threshold owns a [`Beacon`]: a counter it bumps
//! at the start and end of every poll (odd while a poll runs) plus the id of
//! the task being polled, both relaxed atomic stores. One watchdog thread per
//! process wakes every quarter of the smallest threshold and looks at every
//! beacon: an odd counter unchanged since an earlier look means one poll has
//! been running at least that long. Past the threshold it flags the poll;
//! when the poll ends, the simulation sees the flag and records a
//! [`SlowPoll`](crate::SlowPoll), reading the real clock only then. A poll
//! that runs on and on (an infinite loop, blocking I/O) gets a live warning
//! on stderr, since it may never return to be reported. That warning
//! names the task as the run's reports do (`task 3 'worker' on node
//! 'server'`): the watchdog cannot ask the simulation, whose state lives
//! on the thread the poll holds, so the simulation mirrors its nodes and
//! its spawns (but the common one, an unnamed task of the main node) into
//! its beacon's [`Directory`], kept by task slot, so as small as the task
//! table.
//!
//! A run can also take long with every poll returning at once (a livelock,
//! a loop of timers, a seed that does far more work than the others). The
//! `#[sim_test]` harness says which test and seed each run on a thread is
//! ([`watch_run`]); a simulation built there carries that [`RunWatch`] in
//! its beacon, and the watchdog gives one live warning, naming the test,
//! the seed, how long it has run, its polls so far and the command that
//! runs the seed alone, once the run has gone on past its threshold
//! (`DETSIM_SLOW_RUN`, default [`DEFAULT_SLOW_RUN`]) while its polls keep
//! returning. The run's start is the first look of the watchdog at it, so
//! the simulation thread reads no clock for it.
//!
//! The warnings are written to the process's stderr itself, not through
//! `eprintln!`: the watchdog thread would inherit the output capture of
//! the test that started it, and `cargo test` would show them to nobody.
//!
//! Real time here only feeds diagnostics: it never touches the schedule.

use std::cell::RefCell;
use std::panic::Location;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, Weak};
use std::time::{Duration, Instant};

use crate::node::{MAIN_NODE, NodeId};
use crate::task::{TaskId, TaskInfo};

/// How long one run (one seed) of a `#[sim_test]` may take, in real time,
/// before the watchdog names it; `DETSIM_SLOW_RUN` changes it.
pub(crate) const DEFAULT_SLOW_RUN: Duration = Duration::from_secs(10);

/// The run of a `#[sim_test]` seed, as the harness describes it to the
/// watchdog ([`watch_run`]): every simulation built on its thread while it
/// is set reports to it, and the watchdog names its seed at most once.
pub(crate) struct RunWatch {
    test: &'static str,
    seed: u64,
    /// How long the run may take before it is named.
    threshold: Duration,
    /// What follows `DETSIM_SEED=<seed> ` in the command that runs the
    /// seed alone (`cargo test -p ... -- <test> --exact`, with the
    /// `DETSIM_*` settings it needs).
    rerun: Arc<str>,
    state: Mutex<RunState>,
}

#[derive(Default)]
struct RunState {
    /// When the watchdog first saw a simulation of the run.
    since: Option<Instant>,
    /// Whether the run was named (or its seed by a blocked poll's warning).
    warned: bool,
}

thread_local! {
    static RUN: RefCell<Option<Arc<RunWatch>>> = const { RefCell::new(None) };
}

/// Until the guard drops, the simulations built on this thread are the
/// run of `seed` of `test`, named by the watchdog once it has run past
/// `threshold` while its polls keep returning. `rerun`: see
/// [`RunWatch::rerun`].
pub(crate) fn watch_run(
    test: &'static str,
    seed: u64,
    threshold: Duration,
    rerun: Arc<str>,
) -> RunGuard {
    let run = Arc::new(RunWatch {
        test,
        seed,
        threshold,
        rerun,
        state: Mutex::new(RunState::default()),
    });
    RunGuard {
        previous: RUN.with(|r| r.borrow_mut().replace(run)),
    }
}

/// Ends a [`watch_run`] when dropped.
pub(crate) struct RunGuard {
    previous: Option<Arc<RunWatch>>,
}

impl Drop for RunGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        RUN.with(|r| *r.borrow_mut() = previous);
    }
}

impl RunWatch {
    /// A look of the watchdog at a simulation of the run at `now`:
    /// `progressed` if its poll counter moved since the last look, with
    /// `polls` polls so far.
    fn check(&self, now: Instant, progressed: bool, polls: u64) {
        let mut state = lock(&self.state);
        let since = *state.since.get_or_insert(now);
        let ran = now.duration_since(since);
        if !progressed || state.warned || ran < self.threshold {
            return;
        }
        state.warned = true;
        drop(state);
        say(&self.warning(ran, polls));
    }

    /// The live warning of a run that has gone on for `ran`.
    fn warning(&self, ran: Duration, polls: u64) -> String {
        format!(
            "detsim: seed {:#x} of test {} has run for {:?} and goes on, its polls returning \
             ({polls} so far: a livelock, a loop of timers, or far more work than other seeds?); \
             run it alone: DETSIM_SEED={:#x} {}",
            self.seed,
            self.test,
            round_to_ms(ran),
            self.seed,
            self.rerun,
        )
    }

    /// The seed was named otherwise (a poll's live warning).
    fn named(&self) {
        lock(&self.state).warned = true;
    }
}

/// `d` to the millisecond, to print (`1.25s`, not `1.250371962s`).
fn round_to_ms(d: Duration) -> Duration {
    Duration::from_millis(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Writes a warning line to the process's stderr (see the module's docs).
fn say(line: &str) {
    // Unit tests listen instead (cli/tests/cli_sweep_hang.rs reads the
    // lines a test process writes).
    #[cfg(test)]
    return tests::heard(line);
    #[cfg(not(test))]
    {
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    }
}

pub(crate) struct Beacon {
    /// Odd while a poll runs.
    seq: AtomicU64,
    task: AtomicU64,
    /// The `seq` of a poll found slow, or 0.
    flagged: AtomicU64,
    threshold: Duration,
    thread: String,
    /// The simulation's seed, for the live warning: in a sweep, it names
    /// the seed that hangs.
    seed: u64,
    /// The `#[sim_test]` run this simulation belongs to, if any.
    run: Option<Arc<RunWatch>>,
    watch: Mutex<Watch>,
    /// The simulation's tasks and nodes, for the live warning to name.
    directory: Directory,
}

/// What the watchdog may say of the tasks of a simulation (see the
/// module's docs): written by the simulation thread at each spawn and
/// node creation, read by the watchdog thread only to warn. A spawn on
/// a node costs two relaxed stores (and a lock only for a named task),
/// so watching stays cheap for runs that spawn millions of tasks.
#[derive(Default)]
struct Directory {
    /// Each task slot's task: its id and node. Slots are reused, so this
    /// grows only as far as the task table does; segment `k` holds
    /// `SEGMENT << k` slots, allocated when a slot in it is first used.
    slots: [OnceLock<Box<[Mirror]>>; SEGMENTS],
    /// Names of tasks and nodes, which few spawns have.
    names: Mutex<Names>,
}

/// Slots in the first segment of a [`Directory`] (a power of two).
const SEGMENT: usize = 64;
/// Segments enough for every slot a simulation can have.
const SEGMENTS: usize = (crate::raw::MAX_TASKS as usize / SEGMENT).ilog2() as usize + 1;

/// One task slot, as the watchdog knows it.
#[derive(Default)]
struct Mirror {
    /// The id of the task last spawned into the slot, plus one (0: none).
    id: AtomicU64,
    node: AtomicU32,
}

#[derive(Default)]
struct Names {
    /// By task slot, the named task last spawned there (its id and name).
    tasks: Vec<Option<(TaskId, Arc<str>)>>,
    /// Node names by node id.
    nodes: Vec<Arc<str>>,
}

impl Directory {
    /// The segment and the offset in it of task slot `index`.
    fn place(index: u32) -> (usize, usize) {
        let i = index as usize + SEGMENT;
        let segment = (i.ilog2() - SEGMENT.ilog2()) as usize;
        (segment, i - (SEGMENT << segment))
    }

    #[inline]
    fn spawned(&self, index: u32, id: TaskId, name: Option<&Arc<str>>, node: NodeId) {
        let (segment, offset) = Self::place(index);
        let mirror = match self.slots.get(segment).and_then(OnceLock::get) {
            Some(slots) => slots.get(offset),
            None => self.grow(segment).get(offset),
        };
        if let Some(mirror) = mirror {
            mirror.id.store(id.0 + 1, Ordering::Relaxed);
            mirror.node.store(node.0, Ordering::Relaxed);
        }
        if let Some(name) = name {
            self.named(index, id, name);
        }
    }

    /// Segment `segment`, allocated (empty, past the last one).
    #[cold]
    fn grow(&self, segment: usize) -> &[Mirror] {
        match self.slots.get(segment) {
            Some(slots) => {
                slots.get_or_init(|| (0..SEGMENT << segment).map(|_| Mirror::default()).collect())
            }
            None => &[],
        }
    }

    /// Task `id`, spawned into slot `index`, is named `name`.
    #[cold]
    fn named(&self, index: u32, id: TaskId, name: &Arc<str>) {
        let mut names = lock(&self.names);
        let index = index as usize;
        if names.tasks.len() <= index {
            names.tasks.resize_with(index + 1, || None);
        }
        names.tasks[index] = Some((id, name.clone()));
    }

    fn node_created(&self, node: NodeId, name: &Arc<str>) {
        let mut names = lock(&self.names);
        let index = node.0 as usize;
        if names.nodes.len() <= index {
            names.nodes.resize_with(index + 1, || Arc::from("?"));
        }
        names.nodes[index] = name.clone();
    }

    /// Task `id` as the run's reports name it (see [`Beacon::spawned`]
    /// for a task the directory has no trace of).
    fn task_info(&self, id: u64) -> TaskInfo {
        let found = self
            .slots
            .iter()
            .enumerate()
            .filter_map(|(segment, slots)| Some((segment, slots.get()?)))
            .flat_map(|(segment, slots)| {
                let first = (SEGMENT << segment) - SEGMENT;
                slots.iter().enumerate().map(move |(i, m)| (first + i, m))
            })
            .find(|(_, m)| m.id.load(Ordering::Relaxed) == id + 1)
            .map(|(index, m)| (index, NodeId(m.node.load(Ordering::Relaxed))));
        let names = lock(&self.names);
        let (name, node) = match found {
            Some((index, node)) => match names.tasks.get(index) {
                Some(Some((named, name))) if named.0 == id => (Some(name.clone()), node),
                _ => (None, node),
            },
            None => (None, MAIN_NODE),
        };
        TaskInfo {
            id: TaskId(id),
            name,
            node,
            node_name: names
                .nodes
                .get(node.0 as usize)
                .cloned()
                .unwrap_or_else(|| Arc::from("?")),
            // Not shown.
            spawned_at: Location::caller(),
        }
    }
}

#[derive(Default)]
struct Watch {
    seen: u64,
    since: Option<Instant>,
    warned: bool,
}

struct Registry {
    beacons: Mutex<Vec<Weak<Beacon>>>,
    wake: Condvar,
}

static REGISTRY: OnceLock<Option<Registry>> = OnceLock::new();

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn registry() -> Option<&'static Registry> {
    REGISTRY
        .get_or_init(|| {
            // determinism: ok (diagnostics only; never touches a schedule)
            let spawned = std::thread::Builder::new()
                .name("detsim-watchdog".into())
                .spawn(watch_loop);
            spawned.ok().map(|_| Registry {
                beacons: Mutex::new(Vec::new()),
                wake: Condvar::new(),
            })
        })
        .as_ref()
}

impl Beacon {
    /// A beacon watched by the process's watchdog, or `None` if no watchdog
    /// thread can run here.
    pub(crate) fn register(threshold: Duration, seed: u64) -> Option<Arc<Beacon>> {
        let registry = registry()?;
        let thread = std::thread::current();
        let beacon = Arc::new(Beacon {
            seq: AtomicU64::new(0),
            task: AtomicU64::new(0),
            flagged: AtomicU64::new(0),
            threshold,
            thread: thread
                .name()
                .map_or_else(|| format!("{:?}", thread.id()), str::to_owned),
            seed,
            run: RUN.with(|r| r.borrow().clone()),
            watch: Mutex::new(Watch::default()),
            directory: Directory::default(),
        });
        let mut beacons = lock(&registry.beacons);
        beacons.retain(|w| w.strong_count() > 0);
        beacons.push(Arc::downgrade(&beacon));
        registry.wake.notify_one();
        Some(beacon)
    }

    /// Task `id` (named `name`, on `node`) was spawned into task slot
    /// `index`, replacing whatever task had the slot before. Unneeded for
    /// an unnamed task of the main node, the common spawn: the watchdog
    /// takes a task it has no trace of for one.
    #[inline]
    pub(crate) fn spawned(&self, index: u32, id: TaskId, name: Option<&Arc<str>>, node: NodeId) {
        self.directory.spawned(index, id, name, node);
    }

    /// Node `node` is named `name`.
    pub(crate) fn node_created(&self, node: NodeId, name: &Arc<str>) {
        self.directory.node_created(node, name);
    }

    /// The live warning of a poll that has held the simulation thread for
    /// `running`: it names the task being polled, its node and the seed.
    fn hang_warning(&self, running: Duration) -> String {
        let task = self.directory.task_info(self.task.load(Ordering::Relaxed));
        format!(
            "detsim: a poll of {task} (seed {:#x}) has held simulation thread {} for {:?} and \
             not returned (an infinite loop or blocking call in async code?)",
            self.seed,
            self.thread,
            round_to_ms(running)
        )
    }

    /// A poll of `task` starts.
    #[inline]
    pub(crate) fn enter(&self, task: u64) {
        self.task.store(task, Ordering::Relaxed);
        let s = self.seq.load(Ordering::Relaxed);
        self.seq.store(s + 1, Ordering::Release);
    }

    /// The poll ended; returns its duration if the watchdog found it slow.
    #[inline]
    pub(crate) fn exit(&self) -> Option<Duration> {
        let s = self.seq.load(Ordering::Relaxed);
        self.seq.store(s + 1, Ordering::Release);
        if self.flagged.load(Ordering::Acquire) != s {
            return None;
        }
        // determinism: ok (diagnostics only)
        let since = lock(&self.watch).since?;
        Some(since.elapsed().max(self.threshold))
    }

    fn check(&self, now: Instant) {
        let s = self.seq.load(Ordering::Acquire);
        let mut w = lock(&self.watch);
        if let Some(run) = &self.run {
            // `seq` counts two a poll.
            run.check(now, w.seen != s, s / 2);
        }
        if s % 2 == 0 || w.seen != s {
            *w = Watch {
                seen: s,
                since: (s % 2 == 1).then_some(now),
                warned: false,
            };
            return;
        }
        let Some(since) = w.since else { return };
        let running = now.duration_since(since);
        if running >= self.threshold && self.flagged.load(Ordering::Relaxed) != s {
            self.flagged.store(s, Ordering::Release);
        }
        let live_warning = (self.threshold * 10).max(Duration::from_secs(10));
        if running >= live_warning && !w.warned {
            w.warned = true;
            // The seed is named: no second line for its run.
            if let Some(run) = &self.run {
                run.named();
            }
            say(&self.hang_warning(running));
        }
    }
}

fn watch_loop() {
    loop {
        let Some(registry) = REGISTRY.get().and_then(Option::as_ref) else {
            // The registry is being initialised by the thread that spawned us.
            std::thread::sleep(Duration::from_millis(1));
            continue;
        };
        let beacons: Vec<Arc<Beacon>> = {
            let mut list = lock(&registry.beacons);
            list.retain(|w| w.strong_count() > 0);
            while list.is_empty() {
                list = registry.wake.wait(list).unwrap_or_else(|e| e.into_inner());
                list.retain(|w| w.strong_count() > 0);
            }
            list.iter().filter_map(Weak::upgrade).collect()
        };
        let tick = beacons
            .iter()
            .map(|b| b.threshold / 4)
            .min()
            .unwrap_or(Duration::from_millis(25))
            .clamp(Duration::from_millis(1), Duration::from_millis(250));
        let now = Instant::now(); // determinism: ok (diagnostics only)
        for b in &beacons {
            b.check(now);
        }
        drop(beacons);
        std::thread::sleep(tick);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every warning said in this process (tests run in parallel: each
    /// looks for its own seed).
    static HEARD: Mutex<Vec<String>> = Mutex::new(Vec::new());

    pub(super) fn heard(line: &str) {
        lock(&HEARD).push(line.to_owned());
    }

    fn said_of(seed: u64) -> Vec<String> {
        let needle = format!("seed {seed:#x} ");
        lock(&HEARD)
            .iter()
            .filter(|l| l.contains(&needle))
            .cloned()
            .collect()
    }

    /// Runs seed `seed` under a watch with `threshold`, polling for about
    /// `real` of real time, a poll every 2 ms.
    fn run_for(seed: u64, threshold: Duration, real: Duration) {
        let _watch = watch_run("t", seed, threshold, Arc::from("cargo test -- t --exact"));
        let mut sim = crate::Sim::builder().seed(seed).build();
        sim.run(async move {
            let start = Instant::now(); // determinism: ok (a test of the real-time watchdog)
            while start.elapsed() < real {
                std::thread::sleep(Duration::from_millis(2)); // determinism: ok (as above)
                crate::yield_now().await;
            }
        })
        .unwrap();
    }

    #[test]
    fn a_run_whose_polls_return_is_named_once_past_its_threshold() {
        run_for(
            0x5101,
            Duration::from_millis(100),
            Duration::from_millis(800),
        );
        let said = said_of(0x5101);
        assert_eq!(said.len(), 1, "{said:#?}");
        let line = &said[0];
        assert!(
            line.starts_with("detsim: seed 0x5101 of test t has run for "),
            "{line}"
        );
        assert!(
            line.contains(" and goes on, its polls returning ("),
            "{line}"
        );
        assert!(
            line.ends_with("; run it alone: DETSIM_SEED=0x5101 cargo test -- t --exact"),
            "{line}"
        );
    }

    #[test]
    fn a_run_within_its_threshold_is_not_named() {
        run_for(0x5102, Duration::from_secs(30), Duration::from_millis(200));
        assert!(said_of(0x5102).is_empty());
    }

    #[test]
    fn a_simulation_outside_a_watched_run_is_not_named() {
        let mut sim = crate::Sim::builder().seed(0x5103).build();
        sim.run(async {
            for _ in 0..100 {
                std::thread::sleep(Duration::from_millis(2)); // determinism: ok (a test of the real-time watchdog)
                crate::yield_now().await;
            }
        })
        .unwrap();
        assert!(said_of(0x5103).is_empty());
        // The watch ends with its guard.
        drop(watch_run("t", 1, Duration::ZERO, Arc::from("")));
        assert!(RUN.with(|r| r.borrow().is_none()));
    }

    /// The live warning the watchdog would give of the poll running now.
    fn hang_warning_now(running: Duration) -> String {
        let rt = crate::context::current("test");
        rt.beacon
            .as_ref()
            .expect("a watched simulation")
            .hang_warning(running)
    }

    #[test]
    fn a_hung_polls_warning_names_the_task_and_its_node() {
        let mut sim = crate::Sim::builder().seed(0x5104).build();
        let (main, named, unnamed, on_main, reused) = sim
            .run(async {
                let main = hang_warning_now(Duration::from_millis(12_345));
                let server = crate::node::Node::builder("server").build();
                let named = crate::task::Builder::new()
                    .name("sleeper")
                    .node(&server)
                    .spawn(async { hang_warning_now(Duration::from_secs(10)) });
                let unnamed = server.spawn(async { hang_warning_now(Duration::from_secs(10)) });
                let on_main = crate::spawn(async { hang_warning_now(Duration::from_secs(10)) });
                let (named, unnamed) = (named.await.unwrap(), unnamed.await.unwrap());
                // A slot last held by a task of 'server', now by one of 'main'.
                let reused = crate::spawn(async {
                    let rt = crate::context::current("test");
                    let index = rt.current.get().unwrap().index;
                    let (segment, offset) = Directory::place(index);
                    let beacon = rt.beacon.as_ref().unwrap();
                    let mirror = &beacon.directory.slots[segment].get().unwrap()[offset];
                    assert_eq!(mirror.node.load(Ordering::Relaxed), 1, "not a reused slot");
                    hang_warning_now(Duration::from_secs(10))
                });
                (
                    main,
                    named,
                    unnamed,
                    on_main.await.unwrap(),
                    reused.await.unwrap(),
                )
            })
            .unwrap();
        let thread = std::thread::current();
        let thread = thread.name().unwrap();
        assert_eq!(
            main,
            format!(
                "detsim: a poll of task 0 'main' on node 'main' (seed 0x5104) has held simulation \
                 thread {thread} for 12.345s and not returned (an infinite loop or blocking call \
                 in async code?)"
            )
        );
        assert!(
            named.starts_with("detsim: a poll of task 1 'sleeper' on node 'server' (seed 0x5104) "),
            "{named}"
        );
        assert!(
            unnamed.starts_with("detsim: a poll of task 2 on node 'server' (seed 0x5104) "),
            "{unnamed}"
        );
        assert!(
            on_main.starts_with("detsim: a poll of task 3 on node 'main' (seed 0x5104) "),
            "{on_main}"
        );
        assert!(
            reused.starts_with("detsim: a poll of task 4 on node 'main' (seed 0x5104) "),
            "{reused}"
        );
    }

    #[test]
    fn a_reused_task_slot_names_its_new_task() {
        let mut sim = crate::Sim::builder().seed(0x5105).build();
        let line = sim
            .run(async {
                crate::task::Builder::new()
                    .name("first")
                    .spawn(async {})
                    .await
                    .unwrap();
                let db = crate::node::Node::builder("db").build();
                crate::task::Builder::new()
                    .name("second")
                    .node(&db)
                    .spawn(async { hang_warning_now(Duration::from_secs(10)) })
                    .await
                    .unwrap()
            })
            .unwrap();
        assert!(
            line.starts_with("detsim: a poll of task 2 'second' on node 'db' (seed 0x5105) "),
            "{line}"
        );
    }

    #[test]
    fn a_directory_places_every_slot_once() {
        assert_eq!(Directory::place(0), (0, 0));
        assert_eq!(Directory::place(63), (0, 63));
        assert_eq!(Directory::place(64), (1, 0));
        assert_eq!(Directory::place(191), (1, 127));
        assert_eq!(Directory::place(192), (2, 0));
        // The last slot a simulation can have has a segment.
        let (segment, offset) = Directory::place(crate::raw::MAX_TASKS - 1);
        assert_eq!(segment, SEGMENTS - 1);
        assert!(offset < SEGMENT << segment);
    }

    #[test]
    fn a_task_in_a_later_segment_is_named() {
        let mut sim = crate::Sim::builder().seed(0x5106).build();
        let line = sim
            .run(async {
                let n = crate::node::Node::builder("n").build();
                // Slots 1..=1600 stay taken (the handles are kept).
                let waiting: Vec<_> = (0..1600)
                    .map(|_| crate::spawn(std::future::pending::<()>()))
                    .collect();
                let line = crate::task::Builder::new()
                    .name("late")
                    .node(&n)
                    .spawn(async { hang_warning_now(Duration::from_secs(10)) })
                    .await
                    .unwrap();
                waiting.iter().for_each(crate::task::JoinHandle::abort);
                line
            })
            .unwrap();
        assert!(
            line.starts_with("detsim: a poll of task 1601 'late' on node 'n' (seed 0x5106) "),
            "{line}"
        );
    }

    #[test]
    fn a_warning_rounds_its_duration_to_the_millisecond() {
        let run = RunWatch {
            test: "kv::t",
            seed: 0x2a,
            threshold: Duration::from_secs(10),
            rerun: Arc::from("DETSIM_SCHEDULER=pct:3 cargo test -p kv -- kv::t --exact"),
            state: Mutex::new(RunState::default()),
        };
        assert_eq!(
            run.warning(Duration::from_nanos(12_345_678_901), 777),
            "detsim: seed 0x2a of test kv::t has run for 12.345s and goes on, its polls returning \
             (777 so far: a livelock, a loop of timers, or far more work than other seeds?); run \
             it alone: DETSIM_SEED=0x2a DETSIM_SCHEDULER=pct:3 cargo test -p kv -- kv::t --exact"
        );
    }
}
