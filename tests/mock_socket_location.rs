//! A `SocketMock` failure points at the test, not at detsim's source: a
//! call the current step does not allow (a wrong write, a stall) at the
//! line that scripted that step, one past the end of the script and steps
//! left unused at the line that created the mock (`SocketMock::builder()`).
//! The location is the failure's (and a `JoinError`'s), and the message
//! says it too.

#[macro_use]
mod common;

use std::time::Duration;

use detsim::net::SocketMock;
use detsim::{Failure, Sim, spawn};
use futures::io::{AsyncReadExt, AsyncWriteExt};

fn failure(f: impl std::future::Future<Output = ()>) -> Failure {
    Sim::builder().build().run(f).unwrap_err()
}

/// `file:line:` of this file, for the line `line`.
fn at(line: u32) -> String {
    format!("{}:{line}:", file!())
}

#[test]
fn a_wrong_write_points_at_the_step_it_did_not_match() {
    let step = line!() + 5;
    let f = failure(async {
        let mut mock = SocketMock::builder()
            .name("primary")
            .expect_write(b"INC\n")
            .expect_write(b"INC\n")
            .reply(b"1\n")
            .build();
        mock.write_all(b"INC\n").await.unwrap();
        let _ = mock.write_all(b"GET\n").await;
    });
    assert!(f.is_panic());
    let location = f.location().unwrap();
    assert!(location.starts_with(&at(step)), "{location} vs line {step}");
    assert!(
        f.message()
            .ends_with(&format!("(step #1 was scripted at {location})")),
        "{}",
        f.message()
    );
    assert!(
        f.headline().contains(&format!("panicked at {location}:")),
        "{f}"
    );
    assert_report_snapshot!(f.to_string());
}

#[test]
fn steps_left_unused_point_at_where_the_mock_was_created() {
    let created = line!() + 2;
    let f = failure(async {
        let mut mock = SocketMock::builder()
            .name("primary")
            .expect_write(b"INC\n")
            .reply(b"1\n")
            .expect_write(b"INC\n")
            .build();
        mock.write_all(b"INC\n").await.unwrap();
        let mut buf = [0u8; 2];
        mock.read_exact(&mut buf).await.unwrap();
    });
    let location = f.location().unwrap();
    assert!(
        location.starts_with(&at(created)),
        "{location} vs line {created}"
    );
    assert!(
        f.message()
            .contains(&format!("(the mock was created at {location})")),
        "{}",
        f.message()
    );
    assert_report_snapshot!(f.to_string());
}

#[test]
fn a_write_past_the_end_of_the_script_points_at_where_the_mock_was_created() {
    let created = line!() + 2;
    let f = failure(async {
        let mut mock = SocketMock::builder().expect_write(b"a").build();
        mock.write_all(b"a").await.unwrap();
        let _ = mock.write_all(b"b").await;
    });
    assert!(f.location().unwrap().starts_with(&at(created)), "{f}");
}

#[test]
fn a_stall_points_at_the_step_the_call_waited_at() {
    let step = line!() + 4;
    let f = failure(async {
        let mut mock = SocketMock::builder()
            .stall_timeout(Duration::from_secs(1))
            .expect_write(b"hello")
            .build();
        let _ = mock.read(&mut [0u8; 8]).await;
    });
    assert!(f.location().unwrap().starts_with(&at(step)), "{f}");
}

#[test]
fn a_step_added_by_a_handle_points_at_the_handle_call() {
    let step = line!() + 4;
    let f = failure(async {
        let mut mock = SocketMock::builder().build();
        let handle = mock.handle();
        handle.expect_write(b"PING");
        drop(handle);
        let _ = mock.write_all(b"PONG").await;
    });
    assert!(f.location().unwrap().starts_with(&at(step)), "{f}");
}

#[test]
fn a_joined_task_sees_the_location_in_its_join_error() {
    let step = line!() + 4;
    Sim::builder()
        .build()
        .run(async move {
            let mut mock = SocketMock::builder().expect_write(b"INC\n").build();
            let err = spawn(async move {
                let _ = mock.write_all(b"GET\n").await;
            })
            .await
            .unwrap_err();
            assert!(err.is_panic());
            let text = err.to_string();
            assert!(
                text.contains(&format!("panicked at {}", at(step))),
                "{text}"
            );
        })
        .unwrap();
}

#[test]
fn outside_a_simulation_the_message_still_names_the_line() {
    let step = line!() + 2;
    let msg = common::panic_message(|| {
        let mut mock = SocketMock::builder().expect_write(b"INC\n").build();
        let _ = futures::executor::block_on(mock.write_all(b"GET\n"));
    });
    assert!(
        msg.contains(&format!("(step #0 was scripted at {}", at(step))),
        "{msg}"
    );
}
