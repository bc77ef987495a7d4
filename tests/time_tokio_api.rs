//! The parts of tokio's time API that ported code reaches for:
//! `Interval::reset_immediately`/`reset_after`/`reset_at`,
//! `Timeout::get_mut` and `time::error::Elapsed`.

use std::time::Duration;

use detsim::Sim;
use detsim::time::{self, Instant, MissedTickBehavior};

fn ms(t: Instant) -> u128 {
    t.since_start().as_millis()
}

#[test]
fn interval_resets_follow_tokio() {
    let mut sim = Sim::builder().strict(true).build();
    sim.run(async {
        let mut iv = time::interval(Duration::from_millis(100));
        assert_eq!(ms(iv.tick().await), 0);
        // Armed (polled, pending) when reset: the new deadline replaces it.
        assert!(futures::poll!(Box::pin(iv.tick())).is_pending());
        time::sleep(Duration::from_millis(30)).await;
        iv.reset_immediately();
        assert_eq!(ms(iv.tick().await), 30);
        assert_eq!(ms(iv.tick().await), 130);
        iv.reset_after(Duration::from_millis(5));
        assert_eq!(ms(iv.tick().await), 135);
        assert_eq!(ms(iv.tick().await), 235);
        iv.reset_at(Instant::ZERO + Duration::from_secs(1));
        assert_eq!(ms(iv.tick().await), 1000);
        assert_eq!(ms(Instant::now()), 1000);
        // A deadline in the past: the tick is late, at once.
        iv.set_missed_tick_behavior(MissedTickBehavior::Delay);
        iv.reset_at(Instant::ZERO + Duration::from_millis(950));
        assert_eq!(ms(iv.tick().await), 950);
        assert_eq!(ms(Instant::now()), 1000);
        assert_eq!(ms(iv.tick().await), 1100);
        // Too far to represent: 30 years ahead, no overflow.
        iv.reset_after(Duration::MAX);
        assert!(futures::poll!(Box::pin(iv.tick())).is_pending());
    })
    .unwrap();
    // The last reset left a timer armed by the interval, now dropped.
    assert!(sim.report().hygiene().is_clean());
}

#[test]
fn timeout_get_mut_and_the_error_module() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let mut t = time::timeout(Duration::from_secs(1), std::future::pending::<()>());
        let inner: &mut std::future::Pending<()> = t.get_mut();
        assert!(futures::poll!(inner).is_pending());
        let e: time::error::Elapsed = t.await.unwrap_err();
        assert_eq!(e.to_string(), "deadline has elapsed");
    })
    .unwrap();
}
