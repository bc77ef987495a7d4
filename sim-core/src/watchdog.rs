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
//! on stderr, since it may never return to be reported.
//!
//! Real time here only feeds diagnostics: it never touches the schedule.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, Weak};
use std::time::{Duration, Instant};

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
    watch: Mutex<Watch>,
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
            watch: Mutex::new(Watch::default()),
        });
        let mut beacons = lock(&registry.beacons);
        beacons.retain(|w| w.strong_count() > 0);
        beacons.push(Arc::downgrade(&beacon));
        registry.wake.notify_one();
        Some(beacon)
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
            eprintln!(
                "detsim: a poll of task {} (seed {:#x}) has held simulation thread {} for {:?} and \
                 not returned (an infinite loop or blocking call in async code?)",
                self.task.load(Ordering::Relaxed),
                self.seed,
                self.thread,
                running
            );
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
