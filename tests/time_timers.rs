//! Sleep, timeout, interval and wall-clock time on the virtual clock.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use detsim::time::{self, Instant, MissedTickBehavior, SystemTime};
use detsim::{Sim, Tape, spawn};

#[test]
fn sleeps_have_nanosecond_resolution() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        for n in [1, 7, 999_999, 1_000_001] {
            let start = Instant::now();
            time::sleep(Duration::from_nanos(n)).await;
            assert_eq!(Instant::now() - start, Duration::from_nanos(n));
        }
    })
    .unwrap();
    assert_eq!(sim.now().as_nanos(), 1 + 7 + 999_999 + 1_000_001);
}

#[test]
fn sleep_until_and_zero_sleeps() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        time::sleep(Duration::ZERO).await;
        time::sleep_until(Instant::from_nanos(50)).await;
        time::sleep_until(Instant::from_nanos(10)).await; // in the past
        assert_eq!(Instant::now().as_nanos(), 50);
    })
    .unwrap();
}

#[test]
fn timeout_gives_a_typed_elapsed_error() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let slow = time::timeout(Duration::from_secs(1), time::sleep(Duration::from_secs(2))).await;
        let elapsed: time::Elapsed = slow.unwrap_err();
        assert_eq!(elapsed.to_string(), "deadline has elapsed");
        assert_eq!(
            std::io::Error::from(elapsed).kind(),
            std::io::ErrorKind::TimedOut
        );
        assert_eq!(Instant::now().since_start(), Duration::from_secs(1));
        let fast = time::timeout(Duration::from_secs(1), async { 3 }).await;
        assert_eq!(fast, Ok(3));
        // Ready at the very deadline: the future wins.
        let tie = time::timeout(Duration::from_secs(1), time::sleep(Duration::from_secs(1))).await;
        assert!(tie.is_ok());
    })
    .unwrap();
}

#[test]
fn a_dropped_sleep_leaves_no_work_behind() {
    let mut sim = Sim::builder().strict(true).build();
    sim.run(async {
        // The losing branch of a timeout: a 1-hour timer, dropped.
        let r = time::timeout(Duration::from_secs(3600), async { 1 }).await;
        assert_eq!(r, Ok(1));
        let mut s = Box::pin(time::sleep(Duration::from_secs(60)));
        let _ = futures::poll!(&mut s); // armed
        drop(s);
        time::sleep(Duration::from_millis(1)).await;
    })
    .unwrap();
    // No jump to the abandoned deadlines, nothing left armed.
    assert_eq!(sim.now().since_start(), Duration::from_millis(1));
    assert!(sim.report().hygiene().is_clean());
    assert_eq!(sim.steps(), 2);
}

#[test]
fn same_instant_timers_fire_in_a_drawn_order() {
    let order = |tape: Option<Tape>, seed| {
        let log = Arc::new(Mutex::new(Vec::new()));
        let mut b = Sim::builder().seed(seed).scheduler(detsim::Scheduler::Fifo);
        if let Some(t) = tape {
            b = b.tape(t);
        }
        let mut sim = b.build();
        let l = log.clone();
        sim.run(async move {
            let tasks: Vec<_> = (0..4)
                .map(|i| {
                    let l = l.clone();
                    spawn(async move {
                        time::sleep(Duration::from_secs(1)).await;
                        l.lock().unwrap().push(i);
                    })
                })
                .collect();
            for t in tasks {
                t.await.unwrap();
            }
        })
        .unwrap();
        log.lock().unwrap().clone()
    };
    let seen: BTreeSet<_> = (0..40).map(|seed| order(None, seed)).collect();
    assert!(seen.len() > 10, "{seen:?}");
    // All zeros (FIFO, no epoch offset): arming order.
    assert_eq!(order(Some(Tape::new(vec![0; 64])), 0), [0, 1, 2, 3]);
}

#[test]
fn interval_ticks_on_the_grid_and_handles_missed_ticks() {
    let ticks = |behavior| {
        let mut sim = Sim::builder().build();
        sim.run(async move {
            let mut iv = time::interval(Duration::from_millis(10));
            iv.set_missed_tick_behavior(behavior);
            let mut seen = Vec::new();
            for i in 0..5 {
                let t = iv.tick().await;
                seen.push((
                    t.as_nanos() / 1_000_000,
                    Instant::now().as_nanos() / 1_000_000,
                ));
                if i == 1 {
                    // Busy for 35 ms: ticks at 20 and 30 are missed.
                    time::sleep(Duration::from_millis(35)).await;
                }
            }
            seen
        })
        .unwrap()
    };
    // (scheduled tick, time it completed), in ms.
    assert_eq!(
        ticks(MissedTickBehavior::Burst),
        [(0, 0), (10, 10), (20, 45), (30, 45), (40, 45)]
    );
    assert_eq!(
        ticks(MissedTickBehavior::Delay),
        [(0, 0), (10, 10), (20, 45), (55, 55), (65, 65)]
    );
    assert_eq!(
        ticks(MissedTickBehavior::Skip),
        [(0, 0), (10, 10), (20, 45), (50, 50), (60, 60)]
    );
}

#[test]
fn interval_reset_restarts_the_period() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let mut iv = time::interval(Duration::from_secs(1));
        iv.tick().await;
        time::sleep(Duration::from_millis(300)).await;
        iv.reset();
        let t = iv.tick().await;
        assert_eq!(t.as_nanos(), 1_300_000_000);
    })
    .unwrap();
}

#[test]
fn sleep_reset_moves_a_pending_deadline() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let mut s = Box::pin(time::sleep(Duration::from_secs(10)));
        let _ = futures::poll!(&mut s);
        s.as_mut().reset(Instant::ZERO + Duration::from_secs(2));
        s.await;
        assert_eq!(Instant::now().since_start(), Duration::from_secs(2));
    })
    .unwrap();
}

#[test]
fn wall_clock_starts_at_a_seeded_epoch() {
    let epoch = |seed| {
        let mut sim = Sim::builder().seed(seed).build();
        sim.run(async {
            let t0 = SystemTime::now();
            time::sleep(Duration::from_secs(5)).await;
            assert_eq!(
                SystemTime::now().duration_since(t0),
                Ok(Duration::from_secs(5))
            );
            t0
        })
        .unwrap()
    };
    assert_eq!(epoch(4), epoch(4));
    assert_ne!(epoch(4), epoch(5));
    let since_1970 = epoch(4)
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    // Between 2020-01-01 and 2030-01-01.
    assert!((1_577_836_800..1_893_456_000).contains(&since_1970));

    let fixed = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    let mut sim = Sim::builder().epoch(fixed).build();
    let now = sim.run(async { SystemTime::now() }).unwrap();
    assert_eq!(now, fixed);
    assert_eq!(sim.tape().len(), 0, "a fixed epoch draws nothing");
}

#[test]
fn delay_shifts_the_schedule_by_the_lateness_as_tokio_does() {
    let mut sim = Sim::builder().build();
    let ticks = sim
        .run(async {
            let mut iv = time::interval(Duration::from_secs(10));
            iv.set_missed_tick_behavior(MissedTickBehavior::Delay);
            let mut seen = vec![iv.tick().await];
            time::sleep(Duration::from_secs(15)).await;
            seen.push(iv.tick().await); // due at 10, late by 5
            seen.push(iv.tick().await); // 15 + 10
            seen.iter()
                .map(|t| t.since_start().as_secs())
                .collect::<Vec<_>>()
        })
        .unwrap();
    assert_eq!(ticks, [0, 10, 25]);
}

#[test]
fn an_interval_nobody_polls_leaves_no_timer_behind() {
    let mut sim = Sim::builder().build();
    let failure = sim
        .run(async {
            let mut iv = time::interval(Duration::from_secs(60));
            iv.tick().await;
            let (_tx, rx) = futures::channel::oneshot::channel::<()>();
            let _ = rx.await;
            drop(iv);
        })
        .unwrap_err();
    assert!(failure.is_deadlock());
    // Found at once: no jump to the interval's next deadline.
    assert_eq!(failure.time(), Instant::ZERO);
    assert_eq!(failure.steps(), 1);
}
