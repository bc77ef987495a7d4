//! A deadline too far to represent (`sleep(Duration::MAX)`, a timeout,
//! interval or `advance` of `Duration::MAX`) is put 30 years ahead, as
//! tokio does (its `Instant::far_future`), instead of at the end of time:
//! the clock stays usable, so a 1 s sleep afterwards takes 1 s. `Instant`
//! arithmetic overflows like std's.

use std::time::Duration;

use detsim::Sim;
use detsim::time::{self, Instant};

/// tokio's horizon for deadlines that overflow.
const THIRTY_YEARS: Duration = Duration::from_secs(86_400 * 365 * 30);

fn unlimited() -> Sim {
    Sim::builder().no_time_limit().build()
}

/// A 1 s sleep takes exactly 1 s of virtual time.
async fn one_second_sleep_takes_one_second() {
    let before = Instant::now();
    time::sleep(Duration::from_secs(1)).await;
    assert_eq!(Instant::now() - before, Duration::from_secs(1));
}

#[test]
fn sleeping_duration_max_waits_thirty_years_and_time_keeps_working() {
    let mut sim = unlimited();
    sim.run(async {
        let start = Instant::now();
        let sleep = time::sleep(Duration::MAX);
        assert_eq!(sleep.deadline(), start + THIRTY_YEARS);
        sleep.await;
        assert_eq!(Instant::now(), start + THIRTY_YEARS);
        one_second_sleep_takes_one_second().await;
        // Again, from the later instant.
        time::sleep(Duration::MAX).await;
        assert_eq!(
            Instant::now(),
            start + THIRTY_YEARS * 2 + Duration::from_secs(1)
        );
        one_second_sleep_takes_one_second().await;
    })
    .unwrap();
}

#[test]
fn a_sleep_made_outside_the_simulation_is_capped_when_first_polled() {
    let mut sim = unlimited();
    let sleep = time::sleep(Duration::MAX);
    sim.run(async move {
        time::sleep(Duration::from_secs(5)).await;
        sleep.await;
        assert_eq!(
            Instant::now().since_start(),
            Duration::from_secs(5) + THIRTY_YEARS
        );
        one_second_sleep_takes_one_second().await;
    })
    .unwrap();
}

#[test]
fn a_timeout_of_duration_max_expires_after_thirty_years() {
    let mut sim = unlimited();
    sim.run(async {
        let r = time::timeout(Duration::MAX, std::future::pending::<()>()).await;
        assert!(r.is_err());
        assert_eq!(Instant::now().since_start(), THIRTY_YEARS);
        one_second_sleep_takes_one_second().await;
        // A future that finishes first still wins, after its own time.
        let r = time::timeout(Duration::MAX, time::sleep(Duration::from_secs(2))).await;
        assert!(r.is_ok());
        assert_eq!(
            Instant::now().since_start(),
            THIRTY_YEARS + Duration::from_secs(3)
        );
    })
    .unwrap();
}

#[test]
fn an_interval_of_duration_max_ticks_every_thirty_years() {
    let mut sim = unlimited();
    sim.run(async {
        let mut iv = time::interval(Duration::MAX);
        assert_eq!(iv.tick().await, Instant::ZERO);
        assert_eq!(iv.tick().await, Instant::ZERO + THIRTY_YEARS);
        one_second_sleep_takes_one_second().await;
        iv.reset();
        assert_eq!(
            iv.tick().await,
            Instant::ZERO + THIRTY_YEARS * 2 + Duration::from_secs(1)
        );
    })
    .unwrap();
}

#[test]
fn advancing_by_duration_max_moves_thirty_years() {
    let mut sim = Sim::builder().no_time_limit().auto_advance(false).build();
    sim.run(async {
        time::advance(Duration::MAX).await;
        assert_eq!(Instant::now().since_start(), THIRTY_YEARS);
        let sleep = time::sleep(Duration::from_secs(1));
        time::advance(Duration::from_secs(1)).await;
        assert!(sleep.is_elapsed());
        assert_eq!(
            Instant::now().since_start(),
            THIRTY_YEARS + Duration::from_secs(1)
        );
    })
    .unwrap();
}

#[test]
fn a_representable_far_deadline_is_kept_exactly() {
    let mut sim = unlimited();
    sim.run(async {
        // 100 years fits in u64 nanoseconds: no cap, as in tokio.
        let hundred_years = THIRTY_YEARS * 10 / 3;
        time::sleep(hundred_years).await;
        assert_eq!(Instant::now().since_start(), hundred_years);
        one_second_sleep_takes_one_second().await;
    })
    .unwrap();
}

#[test]
fn instant_arithmetic_overflows_like_std() {
    let mut sim = unlimited();
    sim.run(async {
        let now = Instant::now();
        let std_now = std::time::Instant::now(); // determinism: ok (comparing with std's API)
        assert_eq!(now.checked_add(Duration::MAX), None);
        assert_eq!(std_now.checked_add(Duration::MAX), None);
        assert_eq!(
            now.checked_add(Duration::from_secs(1)),
            Some(now + Duration::from_secs(1))
        );
        assert_eq!(now.checked_sub(Duration::from_nanos(1)), None);
        assert_eq!(now.saturating_add(Duration::MAX), Instant::FAR_FUTURE);
        let msg = panic_message(|| now + Duration::MAX);
        assert!(msg.contains("overflow when adding a duration"), "{msg}");
        let msg = panic_message(|| std_now + Duration::MAX);
        assert!(msg.contains("overflow when adding duration"), "{msg}");
    })
    .unwrap();
}

fn panic_message<T>(f: impl FnOnce() -> T + std::panic::UnwindSafe) -> String {
    let Err(panic) = std::panic::catch_unwind(f) else {
        panic!("expected a panic");
    };
    match panic.downcast::<String>() {
        Ok(s) => *s,
        Err(p) => p
            .downcast_ref::<&str>()
            .copied()
            .unwrap_or_default()
            .to_string(),
    }
}
