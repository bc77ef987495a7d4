//! `SocketMock`'s stall timeout at its extreme: `stall_timeout(Duration::MAX)`
//! means no stall timeout, so a call that can never proceed is a deadlock
//! reported at once, naming the mock and the step.

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
