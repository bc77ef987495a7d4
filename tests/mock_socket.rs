//! `SocketMock`: a small Redis-like line-protocol client, generic over
//! the stream, tested against scripts (happy path, split writes, waits,
//! injected errors, flush/shutdown, EOF, steps added mid-test, split
//! halves), every failure mode's message checked with insta, the same
//! client over a real detsim `TcpStream`, tokio's traits, determinism.

#[macro_use]
mod common;

use std::collections::BTreeMap;
use std::io::{self, ErrorKind};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

use detsim::net::{SocketMock, TcpListener, TcpStream};
use detsim::node::Node;
use detsim::{Failure, Sim, spawn, time};
use futures::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

// ------------------------------------------------------------ the client

/// What the server answered.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Reply {
    Status(String),
    Error(String),
    Int(i64),
    Bulk(Option<String>),
}

/// A tiny Redis-like client: one line per command, a typed reply.
struct Kv<S> {
    io: BufReader<S>,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Kv<S> {
    fn new(stream: S) -> Kv<S> {
        Kv {
            io: BufReader::new(stream),
        }
    }

    /// Sends a command the way a careless client does: one write per
    /// argument (split writes), then a flush.
    async fn send(&mut self, args: &[&str]) -> io::Result<()> {
        let w = self.io.get_mut();
        for (i, arg) in args.iter().enumerate() {
            if i > 0 {
                w.write_all(b" ").await?;
            }
            w.write_all(arg.as_bytes()).await?;
        }
        w.write_all(b"\r\n").await?;
        w.flush().await
    }

    async fn line(&mut self) -> io::Result<String> {
        let mut line = String::new();
        self.io.read_line(&mut line).await?;
        if !line.ends_with("\r\n") {
            return Err(io::Error::new(
                ErrorKind::UnexpectedEof,
                format!("connection closed after {line:?}"),
            ));
        }
        line.truncate(line.len() - 2);
        Ok(line)
    }

    async fn recv(&mut self) -> io::Result<Reply> {
        let line = self.line().await?;
        let bad = || io::Error::new(ErrorKind::InvalidData, format!("bad reply {line:?}"));
        let (kind, rest) = line.split_at_checked(1).ok_or_else(bad)?;
        Ok(match kind {
            "+" => Reply::Status(rest.to_owned()),
            "-" => Reply::Error(rest.to_owned()),
            ":" => Reply::Int(rest.parse().map_err(|_| bad())?),
            "$" if rest == "-1" => Reply::Bulk(None),
            "$" => {
                let len: usize = rest.parse().map_err(|_| bad())?;
                let mut data = vec![0u8; len + 2];
                self.io.read_exact(&mut data).await?;
                data.truncate(len);
                Reply::Bulk(Some(String::from_utf8(data).map_err(|_| bad())?))
            }
            _ => return Err(bad()),
        })
    }

    async fn command(&mut self, args: &[&str]) -> io::Result<Reply> {
        self.send(args).await?;
        self.recv().await
    }

    /// QUIT, then shut the writing side down.
    async fn quit(mut self) -> io::Result<Reply> {
        let reply = self.command(&["QUIT"]).await?;
        self.io.get_mut().close().await?;
        Ok(reply)
    }
}

/// The session both the script and the real server answer.
async fn session<S: AsyncRead + AsyncWrite + Unpin>(stream: S) -> io::Result<Vec<Reply>> {
    let mut kv = Kv::new(stream);
    let mut out = Vec::new();
    for cmd in [
        &["PING"][..],
        &["SET", "greeting", "hello"],
        &["GET", "greeting"],
        &["GET", "missing"],
        &["INCR", "n"],
        &["FLY"],
    ] {
        out.push(kv.command(cmd).await?);
    }
    out.push(kv.quit().await?);
    Ok(out)
}

fn session_script() -> detsim::net::SocketMockBuilder {
    SocketMock::builder()
        .name("kv")
        .expect_write(b"PING\r\n")
        .reply(b"+PONG\r\n")
        .expect_write(b"SET greeting hello\r\n")
        .reply(b"+OK\r\n")
        .expect_write(b"GET greeting\r\n")
        .reply(b"$5\r\nhello\r\n")
        .expect_write(b"GET missing\r\n")
        .reply(b"$-1\r\n")
        .expect_write(b"INCR n\r\n")
        .reply(b":1\r\n")
        .expect_write(b"FLY\r\n")
        .reply(b"-ERR unknown command\r\n")
        .expect_write(b"QUIT\r\n")
        .reply(b"+OK\r\n")
        .eof()
        .expect_shutdown()
}

fn expected_session() -> Vec<Reply> {
    vec![
        Reply::Status("PONG".into()),
        Reply::Status("OK".into()),
        Reply::Bulk(Some("hello".into())),
        Reply::Bulk(None),
        Reply::Int(1),
        Reply::Error("ERR unknown command".into()),
        Reply::Status("OK".into()),
    ]
}

/// A client that has run a one-PING script to its end.
async fn ping_pong() -> Kv<SocketMock> {
    let mock = SocketMock::builder()
        .expect_write(b"PING\r\n")
        .reply(b"+PONG\r\n");
    let mut kv = Kv::new(mock.build());
    kv.command(&["PING"]).await.unwrap();
    kv
}

/// Runs `f` in a fresh simulation and returns the failure it must cause.
fn failure<F: Future>(f: F) -> Failure {
    Sim::builder()
        .build()
        .run(f)
        .err()
        .expect("the run should fail")
}

/// The message of a panic outside a simulation.
fn panic_message(f: impl FnOnce()) -> String {
    let err = catch_unwind(AssertUnwindSafe(f)).expect_err("it should panic");
    match err.downcast::<String>() {
        Ok(s) => *s,
        Err(err) => err.downcast_ref::<&str>().unwrap().to_string(),
    }
}

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

/// A node serving the protocol over detsim TCP.
fn kv_server() -> Node {
    Node::builder("kv")
        .init(|| async {
            let listener = TcpListener::bind("0.0.0.0:6379").await.unwrap();
            let (stream, _) = listener.accept().await.unwrap();
            let (rd, mut wr) = stream.into_split();
            let mut lines = BufReader::new(rd).lines();
            let mut data = BTreeMap::<String, String>::new();
            while let Some(line) = futures::StreamExt::next(&mut lines).await {
                let line = line.unwrap();
                let args: Vec<&str> = line.trim_end_matches('\r').split(' ').collect();
                let reply = match args[..] {
                    ["PING"] => "+PONG\r\n".to_owned(),
                    ["SET", k, v] => {
                        data.insert(k.into(), v.into());
                        "+OK\r\n".to_owned()
                    }
                    ["GET", k] => match data.get(k) {
                        Some(v) => format!("${}\r\n{v}\r\n", v.len()),
                        None => "$-1\r\n".to_owned(),
                    },
                    ["INCR", k] => {
                        let n = data.get(k).map_or(0, |v| v.parse::<i64>().unwrap()) + 1;
                        data.insert(k.into(), n.to_string());
                        format!(":{n}\r\n")
                    }
                    ["QUIT"] => {
                        wr.write_all(b"+OK\r\n").await.unwrap();
                        break;
                    }
                    _ => "-ERR unknown command\r\n".to_owned(),
                };
                wr.write_all(reply.as_bytes()).await.unwrap();
            }
            wr.close().await.unwrap();
        })
        .build()
}

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

// ------------------------------------------------------------ failure messages

#[test]
fn a_wrong_write_shows_both_byte_strings_and_where_they_differ() {
    let f = failure(async {
        let mut kv = Kv::new(session_script().build());
        kv.command(&["PING"]).await.unwrap();
        kv.command(&["SET", "greetings", "hello"]).await.unwrap();
    });
    assert!(f.is_panic());
    insta::assert_snapshot!(f.message());
}

#[test]
fn a_write_past_the_end_of_the_script_fails_at_once() {
    let f = failure(async {
        let mut kv = ping_pong().await;
        kv.command(&["PING"]).await.unwrap();
    });
    assert_eq!(f.time().since_start(), Duration::ZERO);
    insta::assert_snapshot!(f.message());
}

#[test]
fn a_read_past_the_end_of_the_script_fails_at_once() {
    let f = failure(async {
        let mut kv = ping_pong().await;
        let _ = kv.recv().await;
    });
    insta::assert_snapshot!(f.message());
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
    insta::assert_snapshot!(f.message());
}

#[test]
fn a_shutdown_where_bytes_are_expected_fails() {
    let f = failure(async {
        let mut mock = SocketMock::builder().expect_write(b"QUIT\r\n").build();
        mock.write_all(b"QU").await.unwrap();
        mock.close().await.unwrap();
    });
    insta::assert_snapshot!(f.message());
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
    insta::assert_snapshot!(f.message());
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
    insta::assert_snapshot!(f.message());
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
    insta::assert_snapshot!(f.message());
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
    insta::assert_snapshot!(msg);
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
    insta::assert_snapshot!(msg);
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
fn with_auto_advance_off_a_waiting_mock_is_a_deadlock_naming_its_stall_timer() {
    // The stall timer is armed, but a paused clock never reaches it: the
    // run fails as a deadlock (not a hang), naming the blocked task and
    // the timer due at the stall timeout.
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

#[detsim::sim_test(seeds = 20, check_determinism)]
async fn a_sim_test_runs_the_client_against_a_script_for_every_seed() {
    let mock = session_script().build();
    let client = spawn(session(mock));
    time::sleep(ms(1)).await;
    assert_eq!(client.await.unwrap().unwrap(), expected_session());
}
