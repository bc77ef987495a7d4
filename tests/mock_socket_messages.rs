//! `SocketMock`'s failure modes: every message (wrong bytes, a call past
//! the end of the script, a write where a shutdown is expected, steps
//! left on drop, stalls, waiting outside a simulation, contradictory
//! scripts) checked with insta, and that a waiting call never hangs.

#[macro_use]
mod common;
#[path = "mock_socket/kv.rs"]
mod kv;

use std::time::Duration;

use common::{ms, panic_message};
use detsim::net::SocketMock;
use detsim::{Sim, spawn, time};
use futures::io::{AsyncReadExt, AsyncWriteExt};
use kv::{Kv, failure, ping_pong, session_script};

#[test]
fn a_wrong_write_shows_both_byte_strings_and_where_they_differ() {
    let f = failure(async {
        let mut kv = Kv::new(session_script().build());
        kv.command(&["PING"]).await.unwrap();
        kv.command(&["SET", "greetings", "hello"]).await.unwrap();
    });
    assert!(f.is_panic());
    assert_report_snapshot!(f.message());
}

#[test]
fn a_write_past_the_end_of_the_script_fails_at_once() {
    let f = failure(async {
        let mut kv = ping_pong().await;
        kv.command(&["PING"]).await.unwrap();
    });
    assert_eq!(f.time().since_start(), Duration::ZERO);
    assert_report_snapshot!(f.message());
}

#[test]
fn a_read_past_the_end_of_the_script_fails_at_once() {
    let f = failure(async {
        let mut kv = ping_pong().await;
        let _ = kv.recv().await;
    });
    assert_report_snapshot!(f.message());
}

#[test]
fn a_write_where_shutdown_is_expected_fails() {
    let f = failure(async {
        let mut kv = Kv::new(
            SocketMock::builder()
                .name("smtp")
                .expect_write(b"QUIT\r\n")
                .reply(b"221 bye\r\n")
                .expect_shutdown()
                .build(),
        );
        kv.send(&["QUIT"]).await.unwrap();
        kv.line().await.unwrap();
        kv.send(&["NOOP"]).await.unwrap();
    });
    assert_report_snapshot!(f.message());
}

#[test]
fn a_shutdown_where_bytes_are_expected_fails() {
    let f = failure(async {
        let mut mock = SocketMock::builder().expect_write(b"QUIT\r\n").build();
        mock.write_all(b"QU").await.unwrap();
        mock.close().await.unwrap();
    });
    assert_report_snapshot!(f.message());
}

#[test]
fn dropping_a_mock_with_steps_left_lists_them() {
    let f = failure(async {
        let mut kv = Kv::new(session_script().build());
        kv.command(&["PING"]).await.unwrap();
        kv.send(&["SET", "greeting", "hello"]).await.unwrap();
        // Past the BufReader: two bytes of "+OK\r\n".
        kv.io.get_mut().read_exact(&mut [0u8; 2]).await.unwrap();
    });
    assert_report_snapshot!(f.message());
}

#[test]
fn a_read_that_was_never_earned_stalls_then_fails_naming_the_step() {
    let f = failure(async {
        let mut kv = Kv::new(
            SocketMock::builder()
                .name("kv")
                .expect_write(b"PING\r\n")
                .reply(b"+PONG\r\n")
                .build(),
        );
        time::sleep(ms(5)).await;
        // The client waits for a greeting this server never sends.
        kv.recv().await.unwrap();
    });
    // Virtual time: the default stall timeout, from when the read blocked.
    assert_eq!(f.time().since_start(), Duration::from_secs(60) + ms(5));
    assert_report_snapshot!(f.message());
}

#[test]
fn a_pipelining_writer_stalls_on_an_unread_reply_then_fails() {
    let f = failure(async {
        let mut kv = Kv::new(
            SocketMock::builder()
                .stall_timeout(Duration::from_secs(1))
                .expect_write(b"INCR a\r\n")
                .reply(b":1\r\n")
                .expect_write(b"INCR a\r\n")
                .reply(b":2\r\n")
                .build(),
        );
        kv.send(&["INCR", "a"]).await.unwrap();
        kv.send(&["INCR", "a"]).await.unwrap();
    });
    assert_eq!(f.time().since_start(), Duration::from_secs(1));
    assert_report_snapshot!(f.message());
}

#[test]
fn a_zero_stall_timeout_fails_a_waiting_call_at_once() {
    let f = failure(async {
        let mut mock = SocketMock::builder()
            .stall_timeout(Duration::ZERO)
            .expect_write(b"x")
            .build();
        let _ = mock.read(&mut [0u8; 1]).await;
    });
    assert_eq!(f.time().since_start(), Duration::ZERO);
    assert!(f.message().contains("has waited 0ns"), "{f}");
}

#[test]
fn a_wait_outside_a_simulation_fails_instead_of_hanging() {
    let msg = panic_message(|| {
        let mut mock = SocketMock::builder()
            .name("no-sim")
            .wait(ms(5))
            .reply(b"late")
            .build();
        let _ = futures::executor::block_on(mock.read(&mut [0u8; 4]));
    });
    assert_report_snapshot!(msg);
}

#[test]
fn a_contradictory_script_is_refused_where_it_is_written() {
    let msg = panic_message(|| {
        let _ = SocketMock::builder()
            .name("bad")
            .reply(b"bye")
            .eof()
            .reply(b"more");
    });
    assert_report_snapshot!(msg);
    let msg = panic_message(|| {
        let mock = SocketMock::builder().expect_shutdown().build();
        mock.handle().expect_write(b"late");
    });
    assert!(
        msg.contains("comes after expect_shutdown() at step #0"),
        "{msg}"
    );
}

#[test]
fn assert_done_lists_what_is_left() {
    let msg = panic_message(|| {
        let mock = session_script().allow_unconsumed().build();
        mock.assert_done();
    });
    assert!(
        msg.starts_with("SocketMock 'kv' is not done with 16 of 16 steps left:"),
        "{msg}"
    );
    assert!(msg.ends_with("#15 expect_shutdown()"), "{msg}");
}

#[test]
fn a_mock_that_failed_stays_quiet_when_dropped() {
    // The mismatch is the failure; the drop of the half-used mock while
    // unwinding adds nothing (a second panic would abort the process).
    let f = failure(async {
        let mut mock = SocketMock::builder().expect_write(b"a").reply(b"b").build();
        let _ = mock.write(b"z").await;
    });
    assert!(
        f.message()
            .starts_with("SocketMock 'socket': unexpected write at step #0")
    );
    // A panic in the code under test is not hidden by the mock's drop.
    let f = failure(async {
        let _mock = SocketMock::builder().reply(b"unread").build();
        panic!("the client's own bug");
    });
    assert_eq!(f.message(), "the client's own bug");
}

#[test]
fn with_auto_advance_off_a_waiting_mock_is_a_deadlock_naming_the_mock_and_its_stall_timer() {
    // The stall timer is armed, but a paused clock never reaches it: the
    // run fails as a deadlock (not a hang), naming the blocked task, the
    // mock and the step it is parked at, and the timer due at the stall
    // timeout.
    let mut sim = Sim::builder().auto_advance(false).build();
    let f = sim
        .run(async {
            let mut mock = SocketMock::builder()
                .name("paused")
                .expect_write(b"x")
                .build();
            let _ = mock.read(&mut [0u8; 1]).await;
        })
        .unwrap_err();
    assert!(f.is_deadlock());
    assert_report_snapshot!(f.to_string());
}

#[test]
fn a_task_the_mock_woke_is_no_longer_said_to_wait_for_it() {
    // The main task parks reading (noted), another task's write moves the
    // script on (the note goes), the main task gets its reply and then
    // waits forever elsewhere: the deadlock does not blame the mock.
    // (FIFO: the main task reads before the writer runs.)
    let mut sim = Sim::builder()
        .auto_advance(false)
        .scheduler(detsim::Scheduler::Fifo)
        .build();
    let f = sim
        .run(async {
            let mock = SocketMock::builder()
                .name("woken")
                .expect_write(b"x")
                .reply(b"y")
                .build();
            let (mut r, mut w) = mock.into_split();
            let writer = spawn(async move {
                w.write_all(b"x").await.unwrap();
                w
            });
            let mut buf = [0u8; 1];
            r.read_exact(&mut buf).await.unwrap();
            assert_eq!(buf, *b"y");
            let _w = writer.await.unwrap();
            std::future::pending::<()>().await;
        })
        .unwrap_err();
    assert!(f.is_deadlock());
    let text = f.to_string();
    assert!(!text.contains("SocketMock"), "{text}");
    assert!(!text.contains("waits for"), "{text}");
}

#[test]
fn dropping_the_last_handle_fails_a_call_waiting_at_the_end_at_once() {
    let f = failure(async {
        let mut mock = SocketMock::builder().name("feed").build();
        let handle = mock.handle();
        // Detached: its panic fails the run.
        drop(spawn(async move {
            let _ = mock.read(&mut [0u8; 1]).await;
        }));
        time::sleep(ms(3)).await;
        drop(handle); // nothing can add steps any more
        time::sleep(Duration::from_secs(1)).await;
        unreachable!("the reader's panic fails the run first");
    });
    assert_eq!(f.time().since_start(), ms(3));
    assert!(
        f.message()
            .starts_with("SocketMock 'feed': unexpected read at the end of the script (0 steps"),
        "{f}"
    );
}

#[test]
fn a_read_abandoned_by_a_timeout_is_not_blamed_when_the_task_then_blocks_elsewhere() {
    // The main task parks reading the mock (noted), gives up after 10 ms
    // (`timeout` drops the read), then waits on a channel nobody sends
    // on. The mock lives on, its stall timer fires at +60s and wakes the
    // task once more; then nothing can run. The deadlock names no mock:
    // the task was polled again without parking on it.
    let mut sim = Sim::builder().build();
    let f = sim
        .run(async {
            let mut mock = SocketMock::builder()
                .name("abandoned")
                .expect_write(b"x")
                .allow_unconsumed()
                .build();
            let mut buf = [0u8; 1];
            let read = time::timeout(ms(10), mock.read(&mut buf)).await;
            assert!(read.is_err(), "the script cannot reply before a write");
            let (_tx, rx) = futures::channel::oneshot::channel::<()>();
            let _ = rx.await;
            drop(mock);
        })
        .unwrap_err();
    assert!(f.is_deadlock());
    let text = f.to_string();
    assert!(!text.contains("SocketMock"), "{text}");
    assert_report_snapshot!(text);
}

#[test]
fn a_task_polled_again_while_still_parked_on_the_mock_is_still_said_to_wait_for_it() {
    // The main task reads the mock joined with a channel another task
    // feeds three messages: each wakes it, and each poll parks on the
    // mock again, renewing the note. The deadlock still names the mock.
    let mut sim = Sim::builder().auto_advance(false).build();
    let f = sim
        .run(async {
            let mut mock = SocketMock::builder()
                .name("repolled")
                .expect_write(b"x")
                .allow_unconsumed()
                .build();
            let (tx, rx) = futures::channel::mpsc::unbounded::<u8>();
            let feeder = spawn(async move {
                for i in 0..3 {
                    tx.unbounded_send(i).unwrap();
                    detsim::yield_now().await;
                }
                std::future::pending::<()>().await;
            });
            let mut buf = [0u8; 1];
            let got = futures::stream::StreamExt::collect::<Vec<u8>>(rx);
            let _ = futures::join!(mock.read(&mut buf), got);
            drop(feeder);
        })
        .unwrap_err();
    assert!(f.is_deadlock());
    let text = f.to_string();
    assert!(
        text.contains(
            "task 0 'main' on node 'main' waits for SocketMock 'repolled': a read is parked at step #0"
        ),
        "{text}"
    );
}
