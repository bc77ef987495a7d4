//! `SocketMock`'s `wait(d)` step at its extreme: `d` of virtual time passes,
//! as `sleep(d)` does, so `wait(Duration::MAX)` waits 30 years (the far
//! future of sleep, see tests/time_far_future.rs) instead of moving the
//! clock to the end of time, and the clock keeps working after it.

use std::time::Duration;

use detsim::Sim;
use detsim::net::SocketMock;
use detsim::time::{self, Instant};
use futures::io::AsyncReadExt;

/// sleep's horizon for deadlines that overflow (tokio's far future).
const THIRTY_YEARS: Duration = Duration::from_secs(86_400 * 365 * 30);

async fn read4(mock: &mut SocketMock) -> [u8; 4] {
    let mut buf = [0u8; 4];
    mock.read_exact(&mut buf).await.unwrap();
    buf
}

#[test]
fn a_wait_of_duration_max_lasts_thirty_years_and_later_waits_their_own_time() {
    let mut sim = Sim::builder().no_time_limit().build();
    sim.run(async {
        let mut mock = SocketMock::builder()
            .wait(Duration::MAX)
            .reply(b"late")
            .wait(Duration::from_secs(1))
            .reply(b"next")
            .build();
        assert_eq!(&read4(&mut mock).await, b"late");
        assert_eq!(Instant::now().since_start(), THIRTY_YEARS);
        assert_eq!(&read4(&mut mock).await, b"next");
        assert_eq!(
            Instant::now().since_start(),
            THIRTY_YEARS + Duration::from_secs(1)
        );
        let before = Instant::now();
        time::sleep(Duration::from_secs(1)).await;
        assert_eq!(Instant::now() - before, Duration::from_secs(1));
    })
    .unwrap();
}

#[test]
fn a_wait_of_duration_max_added_by_the_handle_lasts_thirty_years_too() {
    let mut sim = Sim::builder().no_time_limit().build();
    sim.run(async {
        time::sleep(Duration::from_secs(5)).await;
        let mut mock = SocketMock::builder().build();
        mock.handle().wait(Duration::MAX).reply(b"late");
        assert_eq!(&read4(&mut mock).await, b"late");
        assert_eq!(
            Instant::now().since_start(),
            Duration::from_secs(5) + THIRTY_YEARS
        );
    })
    .unwrap();
}

#[test]
fn under_a_time_limit_a_wait_of_duration_max_ends_the_run_as_a_sleep_would() {
    let limit = Duration::from_secs(60);
    let mut sim = Sim::builder().time_limit(limit).build();
    let failure = sim
        .run(async {
            let mut mock = SocketMock::builder()
                .name("db")
                .wait(Duration::MAX)
                .reply(b"late")
                .build();
            read4(&mut mock).await;
        })
        .unwrap_err();
    let text = failure.to_string();
    assert!(failure.is_time_limit(), "{text}");
    assert!(text.contains("SocketMock 'db'"), "{text}");
    let mut sim = Sim::builder().time_limit(limit).build();
    let sleeping = sim.run(time::sleep(Duration::MAX)).unwrap_err();
    assert_eq!(failure.time(), sleeping.time());
}
