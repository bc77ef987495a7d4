//! The code under test of the SocketMock tests (a small Redis-like
//! client, generic over the stream, and a server for it over detsim TCP),
//! the scripts that stand in for the server, and its test helpers. Shared by
//! tests/mock_socket.rs and tests/mock_socket_messages.rs.
#![allow(dead_code)] // each test file uses a part

use std::collections::BTreeMap;
use std::io::{self, ErrorKind};

use detsim::net::{SocketMock, SocketMockBuilder, TcpListener};
use detsim::node::Node;
use detsim::{Failure, Sim};
use futures::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};

/// What the server answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reply {
    Status(String),
    Error(String),
    Int(i64),
    Bulk(Option<String>),
}

/// A tiny Redis-like client: one line per command, a typed reply.
pub(crate) struct Kv<S> {
    pub(crate) io: BufReader<S>,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Kv<S> {
    pub(crate) fn new(stream: S) -> Kv<S> {
        Kv {
            io: BufReader::new(stream),
        }
    }

    /// Sends a command the way a careless client does: one write per
    /// argument (split writes), then a flush.
    pub(crate) async fn send(&mut self, args: &[&str]) -> io::Result<()> {
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

    pub(crate) async fn line(&mut self) -> io::Result<String> {
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

    pub(crate) async fn recv(&mut self) -> io::Result<Reply> {
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

    pub(crate) async fn command(&mut self, args: &[&str]) -> io::Result<Reply> {
        self.send(args).await?;
        self.recv().await
    }

    /// QUIT, then shut the writing side down.
    pub(crate) async fn quit(mut self) -> io::Result<Reply> {
        let reply = self.command(&["QUIT"]).await?;
        self.io.get_mut().close().await?;
        Ok(reply)
    }
}

/// The session both the script and the real server answer.
pub(crate) async fn session<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
) -> io::Result<Vec<Reply>> {
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

pub(crate) fn session_script() -> SocketMockBuilder {
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

pub(crate) fn expected_session() -> Vec<Reply> {
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
pub(crate) async fn ping_pong() -> Kv<SocketMock> {
    let mock = SocketMock::builder()
        .expect_write(b"PING\r\n")
        .reply(b"+PONG\r\n");
    let mut kv = Kv::new(mock.build());
    kv.command(&["PING"]).await.unwrap();
    kv
}

/// Runs `f` in a fresh simulation and returns the failure it must cause.
pub(crate) fn failure<F: Future>(f: F) -> Failure {
    Sim::builder()
        .build()
        .run(f)
        .err()
        .expect("the run should fail")
}

/// A node serving the protocol over detsim TCP.
pub(crate) fn kv_server() -> Node {
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
