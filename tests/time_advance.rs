//! `time::advance(d)` with asynctest `ClockedTestCase` semantics: timers due
//! in the window fire at their exact deadlines, in order, with woken tasks
//! running in between, and the clock ends exactly at now + d.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use detsim::time::{self, Instant};
use detsim::{Sim, spawn};

type Log = Arc<Mutex<Vec<(&'static str, u64)>>>;

fn at(log: &Log, what: &'static str) {
    log.lock().unwrap().push((what, Instant::now().as_nanos()));
}

fn ms(n: u64) -> u64 {
    n * 1_000_000
}

#[test]
fn a_callback_at_t2_that_schedules_t3_fires_within_one_advance_of_3() {
    let mut sim = Sim::builder().auto_advance(false).build();
    let log: Log = Arc::default();
    let l = log.clone();
    sim.run(async move {
        let inner = l.clone();
        let _t = spawn(async move {
            time::sleep(Duration::from_millis(2)).await;
            at(&inner, "t2");
            let inner2 = inner.clone();
            // The callback at t=2 schedules one for t+1.
            spawn(async move {
                time::sleep(Duration::from_millis(1)).await;
                at(&inner2, "t3");
            });
        });
        time::advance(Duration::from_millis(3)).await;
        at(&l, "advanced");
    })
    .unwrap();
    assert_eq!(
        *log.lock().unwrap(),
        [("t2", ms(2)), ("t3", ms(3)), ("advanced", ms(3))]
    );
}

#[test]
fn timers_fire_at_exact_deadlines_in_order_and_the_clock_ends_at_now_plus_d() {
    for seed in 0..20 {
        let mut sim = Sim::builder().seed(seed).auto_advance(false).build();
        let log: Log = Arc::default();
        let l = log.clone();
        sim.run(async move {
            for (name, nanos) in [("c", 2_500_001), ("a", 7), ("b", 1_000_000)] {
                let l = l.clone();
                spawn(async move {
                    time::sleep(Duration::from_nanos(nanos)).await;
                    at(&l, name);
                });
            }
            let start = Instant::now();
            time::advance(Duration::from_millis(5)).await;
            assert_eq!(Instant::now() - start, Duration::from_millis(5));
        })
        .unwrap();
        assert_eq!(
            *log.lock().unwrap(),
            [("a", 7), ("b", 1_000_000), ("c", 2_500_001)],
            "seed {seed}"
        );
        assert_eq!(sim.now().as_nanos(), ms(5));
    }
}

#[test]
fn a_timer_at_the_end_of_the_window_fires_before_advance_returns() {
    let mut sim = Sim::builder().auto_advance(false).build();
    let log: Log = Arc::default();
    let l = log.clone();
    sim.run(async move {
        let l2 = l.clone();
        spawn(async move {
            time::sleep(Duration::from_secs(1)).await;
            at(&l2, "timer");
        });
        time::advance(Duration::from_secs(1)).await;
        at(&l, "advance");
    })
    .unwrap();
    assert_eq!(
        *log.lock().unwrap(),
        [("timer", 1_000_000_000), ("advance", 1_000_000_000)]
    );
}

#[test]
fn timers_beyond_the_window_stay_armed() {
    let mut sim = Sim::builder().auto_advance(false).build();
    sim.run(async {
        let late = spawn(time::sleep(Duration::from_secs(10)));
        time::advance(Duration::from_secs(3)).await;
        assert!(!late.is_finished());
        time::advance(Duration::from_secs(7)).await;
        detsim::yield_now().await;
        assert!(late.is_finished());
    })
    .unwrap();
    assert_eq!(sim.now().since_start(), Duration::from_secs(10));
}

#[test]
fn advance_zero_lets_runnable_tasks_run_without_moving_time() {
    let mut sim = Sim::builder().auto_advance(false).build();
    sim.run(async {
        let h = spawn(async { 5 });
        time::advance(Duration::ZERO).await;
        assert!(h.is_finished());
        assert_eq!(Instant::now(), Instant::ZERO);
    })
    .unwrap();
}

#[test]
fn advance_also_works_with_auto_advance_on() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let far = spawn(time::sleep(Duration::from_secs(100)));
        time::advance(Duration::from_secs(2)).await;
        assert_eq!(Instant::now().since_start(), Duration::from_secs(2));
        far.await.unwrap();
        assert_eq!(Instant::now().since_start(), Duration::from_secs(100));
    })
    .unwrap();
}

#[test]
fn auto_advance_can_be_switched_inside_the_run() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        assert!(time::auto_advance());
        time::set_auto_advance(false);
        let t = spawn(time::sleep(Duration::from_secs(1)));
        time::advance(Duration::from_millis(999)).await;
        assert!(!t.is_finished());
        time::set_auto_advance(true);
        t.await.unwrap();
        assert_eq!(Instant::now().since_start(), Duration::from_secs(1));
    })
    .unwrap();
}
