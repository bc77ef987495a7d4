//! `SocketMock`: a small Redis-like line-protocol client, generic over
//! the stream (tests/mock_socket/kv.rs), tested against scripts: happy
//! path, split writes, waits, injected errors, flush/shutdown, EOF, steps
//! added mid-test, split halves; the same client over a real detsim
//! `TcpStream`; tokio's traits; determinism. The failure messages are in
//! tests/mock_socket_messages.rs.

mod common;
#[path = "mock_socket/kv.rs"]
mod kv;

use std::io::ErrorKind;
use std::time::Duration;

use common::ms;
use detsim::net::{SocketMock, TcpStream};
use detsim::{Sim, spawn, time};
use futures::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use kv::{Kv, Reply, expected_session, kv_server, session, session_script};

// ------------------------------------------------------------ behaviour

#[test]
fn happy_path_the_client_against_a_script() {
    Sim::builder()
        .build()
        .run(async {
            let mock = session_script().build();
            let handle = mock.handle();
            assert_eq!(session(mock).await.unwrap(), expected_session());
            assert!(handle.is_done());
            assert_eq!(time::Instant::now().since_start(), Duration::ZERO);
        })
        .unwrap();
}

#[test]
fn split_writes_match_one_step_and_one_write_may_span_steps() {
    Sim::builder()
        .build()
        .run(async {
            // The client writes "SET", " ", "k", " ", "v", "\r\n": six writes, one step.
            let mut kv = Kv::new(
                SocketMock::builder()
                    .expect_write(b"SET k v\r\n")
                    .reply(b"+OK\r\n")
                    .build(),
            );
            assert_eq!(
                kv.command(&["SET", "k", "v"]).await.unwrap(),
                Reply::Status("OK".into())
            );
            // One write covering three consecutive steps, and the wait-free
            // eof between them does not split it.
            let mut mock = SocketMock::builder()
                .expect_write(b"MULTI\r\n")
                .expect_write(b"INCR a\r\n")
                .eof()
                .expect_write(b"EXEC\r\n")
                .build();
            let n = mock.write(b"MULTI\r\nINCR a\r\nEXEC\r\n").await.unwrap();
            assert_eq!(n, 21);
            assert!(mock.is_done());
            // A write longer than the write steps before a reply is short;
            // the rest meets the reply step next call.
            let mut mock = SocketMock::builder()
                .expect_write(b"A\r\n")
                .reply(b"+OK\r\n")
                .allow_unconsumed()
                .build();
            assert_eq!(mock.write(b"A\r\nB\r\n").await.unwrap(), 3);
        })
        .unwrap();
}

#[test]
fn a_reply_after_wait_arrives_exactly_that_much_later() {
    Sim::builder()
        .seed(9)
        .build()
        .run(async {
            let mut kv = Kv::new(
                SocketMock::builder()
                    .wait(ms(3)) // the server greets after 3 ms
                    .reply(b"+READY\r\n")
                    .expect_write(b"GET slow\r\n")
                    .wait(ms(250))
                    .reply(b"$2\r\nok\r\n")
                    .build(),
            );
            assert_eq!(kv.recv().await.unwrap(), Reply::Status("READY".into()));
            assert_eq!(time::Instant::now().since_start(), ms(3));
            time::sleep(ms(10)).await; // the client dawdles before asking
            let asked = time::Instant::now();
            let reply = kv.command(&["GET", "slow"]).await.unwrap();
            assert_eq!(reply, Reply::Bulk(Some("ok".into())));
            // The wait counts from the write it follows, to the nanosecond.
            assert_eq!(asked.elapsed(), ms(250));
            assert_eq!(time::Instant::now().since_start(), ms(263));
        })
        .unwrap();
}

#[test]
fn read_and_write_errors_reach_the_client() {
    Sim::builder()
        .build()
        .run(async {
            let mut kv = Kv::new(
                SocketMock::builder()
                    .name("flaky")
                    .expect_write(b"PING\r\n")
                    .read_error(ErrorKind::ConnectionReset)
                    .write_error(ErrorKind::BrokenPipe)
                    .build(),
            );
            let err = kv.command(&["PING"]).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::ConnectionReset);
            assert_eq!(
                err.to_string(),
                "read_error(ConnectionReset) scripted by SocketMock 'flaky' at step #1"
            );
            let err = kv.command(&["PING"]).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::BrokenPipe);
            assert!(err.to_string().contains("step #2"), "{err}");
        })
        .unwrap();
}

#[test]
fn expect_flush_and_expect_shutdown_check_the_client_does_them() {
    Sim::builder()
        .build()
        .run(async {
            let mock = SocketMock::builder()
                .expect_write(b"QUIT\r\n")
                .expect_flush()
                .reply(b"+OK\r\n")
                .expect_shutdown()
                .build();
            let handle = mock.handle();
            let kv = Kv::new(mock);
            assert_eq!(kv.quit().await.unwrap(), Reply::Status("OK".into()));
            assert!(handle.is_done());
            // A second close is a no-op, as on a real socket.
            let mut mock = SocketMock::builder().expect_shutdown().build();
            mock.close().await.unwrap();
            mock.close().await.unwrap();
        })
        .unwrap();
}

#[test]
fn eof_makes_every_later_read_return_zero() {
    Sim::builder()
        .build()
        .run(async {
            // The server dies in the middle of a bulk reply.
            let mut kv = Kv::new(
                SocketMock::builder()
                    .expect_write(b"GET k\r\n")
                    .reply(b"$5\r\nhe")
                    .eof()
                    .build(),
            );
            let err = kv.command(&["GET", "k"]).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::UnexpectedEof);
            let mut rest = Vec::new();
            assert_eq!(kv.io.read_to_end(&mut rest).await.unwrap(), 0);
            assert_eq!(kv.io.read(&mut [0u8; 4]).await.unwrap(), 0);
        })
        .unwrap();
}

#[test]
fn a_handle_adds_steps_while_the_client_waits() {
    Sim::builder()
        .build()
        .run(async {
            let mock = SocketMock::builder()
                .name("pubsub")
                .expect_write(b"SUBSCRIBE news\r\n")
                .build();
            let handle = mock.handle();
            let client = spawn(async move {
                let mut kv = Kv::new(mock);
                kv.send(&["SUBSCRIBE", "news"]).await.unwrap();
                let mut got = Vec::new();
                while let Ok(reply) = kv.recv().await {
                    got.push((time::Instant::now().since_start(), reply));
                }
                got
            });
            time::sleep(Duration::from_secs(1)).await;
            assert!(handle.is_done()); // the subscribe was written
            handle.reply(b"+first\r\n");
            time::sleep(Duration::from_secs(1)).await;
            handle.clone().wait(ms(500)).reply(b"+second\r\n").eof();
            let got = client.await.unwrap();
            assert_eq!(
                got,
                [
                    (Duration::from_secs(1), Reply::Status("first".into())),
                    (ms(2500), Reply::Status("second".into())),
                ]
            );
            handle.assert_done();
        })
        .unwrap();
}

#[test]
fn split_halves_read_and_write_from_two_tasks() {
    Sim::builder()
        .build()
        .run(async {
            let script = || {
                SocketMock::builder()
                    .expect_write(b"SUB a\r\n")
                    .reply(b"+a1\r\n")
                    .wait(ms(5))
                    .reply(b"+a2\r\n")
                    .expect_write(b"UNSUB a\r\n")
                    .reply(b"+bye\r\n")
                    .eof()
            };
            // The reader starts first and waits at the first expect_write:
            // with split halves that is legitimate.
            let (rd, mut wr) = script().build().into_split();
            let reader = spawn(async move {
                let mut lines = BufReader::new(rd).lines();
                let mut got = Vec::new();
                while let Some(line) = futures::StreamExt::next(&mut lines).await {
                    got.push(line.unwrap());
                }
                got
            });
            time::sleep(ms(1)).await;
            wr.write_all(b"SUB a\r\n").await.unwrap();
            time::sleep(ms(10)).await;
            wr.write_all(b"UNSUB a\r\n").await.unwrap();
            assert_eq!(reader.await.unwrap(), ["+a1", "+a2", "+bye"]);
            drop(wr);
            // futures' split over the whole mock works the same way.
            let (rd, mut wr) = script().build().split();
            let reader = spawn(async move {
                let mut all = String::new();
                BufReader::new(rd).read_to_string(&mut all).await.unwrap();
                all
            });
            wr.write_all(b"SUB a\r\n").await.unwrap();
            time::sleep(ms(10)).await;
            wr.write_all(b"UNSUB a\r\n").await.unwrap();
            assert_eq!(reader.await.unwrap(), "+a1\r\n+a2\r\n+bye\r\n");
        })
        .unwrap();
}

#[test]
fn allow_unconsumed_lets_the_client_stop_early() {
    Sim::builder()
        .build()
        .run(async {
            let mock = session_script().allow_unconsumed().build();
            let mut kv = Kv::new(mock);
            kv.command(&["PING"]).await.unwrap();
            assert!(!kv.io.get_ref().is_done());
            drop(kv); // no panic
        })
        .unwrap();
}

#[test]
fn works_without_a_simulation_when_nothing_waits() {
    let got = futures::executor::block_on(session(session_script().build())).unwrap();
    assert_eq!(got, expected_session());
}

// ------------------------------------------------------------ the same client over TCP

#[test]
fn the_same_client_runs_over_a_real_tcp_stream() {
    for seed in 0..5 {
        Sim::builder()
            .seed(seed)
            .build()
            .run(async {
                kv_server();
                time::sleep(ms(1)).await;
                let stream = TcpStream::connect("kv:6379").await.unwrap();
                assert_eq!(session(stream).await.unwrap(), expected_session());
            })
            .unwrap();
    }
}

// ------------------------------------------------------------ tokio's traits

#[test]
fn tokio_io_traits_follow_the_same_script() {
    use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _};
    Sim::builder()
        .build()
        .run(async {
            let mock = SocketMock::builder()
                .name("tokio")
                .expect_write(b"PING\r\n")
                .wait(ms(7))
                .reply(b"+PONG\r\n")
                .expect_flush()
                .expect_shutdown()
                .build();
            let (rd, mut wr) = tokio::io::split(mock);
            let mut rd = tokio::io::BufReader::new(rd);
            tokio::io::AsyncWriteExt::write_all(&mut wr, b"PI")
                .await
                .unwrap();
            wr.write_all(b"NG\r\n").await.unwrap();
            let mut line = String::new();
            rd.read_line(&mut line).await.unwrap();
            assert_eq!(line, "+PONG\r\n");
            assert_eq!(time::Instant::now().since_start(), ms(7));
            wr.flush().await.unwrap();
            wr.shutdown().await.unwrap();
            let mock = rd.into_inner().unsplit(wr);
            mock.assert_done();
        })
        .unwrap();
}

// ------------------------------------------------------------ determinism

#[test]
fn runs_with_mocks_are_deterministic_across_seeds() {
    let run = |seed: u64| {
        let mut sim = Sim::builder().seed(seed).build();
        let out = sim
            .run(async {
                let mut clients = Vec::new();
                for c in 0..4u64 {
                    let mock = SocketMock::builder()
                        .expect_write(format!("SET c {c}\r\n"))
                        .wait(ms(c + 1))
                        .reply(b"+OK\r\n")
                        .build();
                    let handle = mock.handle();
                    clients.push(spawn(async move {
                        let mut kv = Kv::new(mock);
                        kv.command(&["SET", "c", &c.to_string()]).await.unwrap();
                        handle
                            .expect_write(b"GET c\r\n")
                            .reply(format!("${}\r\n{c}\r\n", 1));
                        let r = kv.command(&["GET", "c"]).await.unwrap();
                        (c, r, time::Instant::now().since_start())
                    }));
                }
                let mut out = Vec::new();
                for c in clients {
                    out.push(c.await.unwrap());
                }
                out
            })
            .unwrap();
        (out, sim.fingerprint())
    };
    for seed in 0..100 {
        let (a, fa) = run(seed);
        let (b, fb) = run(seed);
        assert_eq!(fa, fb, "seed {seed}");
        assert_eq!(a, b);
        assert_eq!(a[3].2, ms(4));
    }
}

#[test]
fn flushes_and_shutdowns_follow_the_table() {
    Sim::builder()
        .build()
        .run(async {
            let mut mock = SocketMock::builder()
                .expect_write(b"a")
                .wait(ms(4))
                .expect_flush()
                .write_error(ErrorKind::BrokenPipe)
                .expect_shutdown()
                .reply(b"late")
                .build();
            mock.flush().await.unwrap(); // not asked for: changes nothing
            mock.write_all(b"a").await.unwrap();
            // The flush the script expects comes after the wait: it waits.
            mock.flush().await.unwrap();
            assert_eq!(time::Instant::now().since_start(), ms(4));
            let err = mock.close().await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::BrokenPipe);
            mock.close().await.unwrap();
            mock.flush().await.unwrap(); // after the shutdown: a no-op
            let mut buf = [0u8; 4];
            mock.read_exact(&mut buf).await.unwrap(); // reads go on after a shutdown
            mock.assert_done();
        })
        .unwrap();
}

#[detsim::sim_test(seeds = 20, check_determinism)]
async fn a_sim_test_runs_the_client_against_a_script_for_every_seed() {
    let mock = session_script().build();
    let client = spawn(session(mock));
    time::sleep(ms(1)).await;
    assert_eq!(client.await.unwrap().unwrap(), expected_session());
}
