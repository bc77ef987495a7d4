//! `SocketMock`'s stall timeout at its extreme: `stall_timeout(Duration::MAX)`
//! means no stall timeout, so a call that can never proceed is a deadlock
//! reported at once, naming the mock and the step; and a time-limit failure
//! says what each blocked task waits for, as a deadlock report does.

use std::time::Duration;

use detsim::Sim;
use detsim::net::SocketMock;
use futures::io::AsyncReadExt;

#[test]
fn a_stall_timeout_of_duration_max_is_a_deadlock_now_not_a_jump_to_the_end_of_time() {
    let mut sim = Sim::builder().build();
    let failure = sim
        .run(async {
            let mut mock = SocketMock::builder()
                .name("db")
                .stall_timeout(Duration::MAX)
                .expect_write(b"hello")
                .build();
            let _ = mock.read(&mut [0u8; 8]).await; // a reply it has not earned
        })
        .unwrap_err();
    let text = failure.to_string();
    assert_eq!(failure.time().since_start(), Duration::ZERO, "{text}");
    assert!(text.contains("deadlock"), "{text}");
    assert!(text.contains("SocketMock 'db'"), "{text}");
    assert!(text.contains("expect_write(5 bytes \"hello\")"), "{text}");
}

#[test]
fn a_time_limit_failure_says_what_each_blocked_task_waits_for() {
    // The mock waits forever, but a heartbeat keeps time going: the run
    // ends at the time limit, and the report names the mock's step as a
    // deadlock report would.
    let mut sim = Sim::builder().time_limit(Duration::from_secs(5)).build();
    let failure = sim
        .run(async {
            detsim::spawn(async {
                loop {
                    detsim::time::sleep(Duration::from_secs(1)).await;
                }
            });
            let mut mock = SocketMock::builder()
                .name("db")
                .stall_timeout(Duration::MAX)
                .expect_write(b"hello")
                .build();
            let _ = mock.read(&mut [0u8; 8]).await;
        })
        .unwrap_err();
    let text = failure.to_string();
    assert!(failure.is_time_limit(), "{text}");
    assert!(
        text.contains("waits for SocketMock 'db'")
            && text.contains("expect_write(5 bytes \"hello\")"),
        "{text}"
    );
}

#[test]
fn what_blocked_tasks_wait_for_is_listed_for_the_first_twenty() {
    let mut sim = Sim::builder().build();
    let failure = sim
        .run(async {
            let mut waiting = Vec::new();
            for i in 0..25 {
                waiting.push(detsim::spawn(async move {
                    let mut mock = SocketMock::builder()
                        .name(format!("db{i}"))
                        .stall_timeout(Duration::MAX)
                        .expect_write(b"hello")
                        .build();
                    let _ = mock.read(&mut [0u8; 8]).await;
                }));
            }
            for w in waiting {
                let _ = w.await;
            }
        })
        .unwrap_err();
    let text = failure.to_string();
    assert!(failure.is_deadlock(), "{text}");
    assert_eq!(
        text.matches(" waits for SocketMock 'db").count(),
        20,
        "{text}"
    );
    assert!(
        text.contains("… and 5 more blocked tasks said what they wait for"),
        "{text}"
    );
}
