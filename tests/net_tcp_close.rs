//! Closing TCP streams: futures' `AsyncWriteExt::close` and tokio's
//! `AsyncWriteExt::shutdown` return at once, as tokio's `poll_shutdown`
//! does on a real socket (a `shutdown(SHUT_WR)` that queues the FIN after
//! the buffered bytes), and never wait for the peer to read (waiting made
//! two peers that both write more than the window and then close before
//! reading deadlock on each other). Dropping a stream with input nobody
//! read resets the connection, as Linux does: the peer reads what had
//! arrived, then `ConnectionReset` (not EOF).

mod common;

use std::io::ErrorKind;
use std::time::Duration;

use common::{run, tcp_pair};
use detsim::net::{RECV_WINDOW, TcpListener, TcpStream};
use detsim::{Sim, spawn, time};

/// More than the peer's window: part of it waits in the send buffer.
const BIG: usize = RECV_WINDOW + RECV_WINDOW / 2;

#[test]
fn both_peers_write_past_the_window_close_then_read_everything() {
    use futures::io::{AsyncReadExt, AsyncWriteExt};
    run(async {
        let (c, s) = tcp_pair().await;
        let side = |mut s: TcpStream, byte: u8| async move {
            s.write_all(&vec![byte; BIG]).await.unwrap();
            // Returns at once, the FIN queued after the unsent bytes.
            time::timeout(Duration::from_secs(60), s.close())
                .await
                .expect("close waited for the peer to read")
                .unwrap();
            let mut got = Vec::new();
            s.read_to_end(&mut got).await.unwrap();
            got
        };
        let a = spawn(side(c, 1));
        let b = spawn(side(s, 2));
        assert_eq!(a.await.unwrap(), vec![2; BIG]);
        assert_eq!(b.await.unwrap(), vec![1; BIG]);
    });
}

#[test]
fn tokio_shutdown_returns_at_once_and_the_peer_still_gets_every_byte_then_eof() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    run(async {
        let (mut c, mut s) = tcp_pair().await;
        c.write_all(&vec![9; BIG]).await.unwrap();
        let before = time::Instant::now();
        AsyncWriteExt::shutdown(&mut c).await.unwrap();
        assert_eq!(time::Instant::now(), before, "shutdown waited");
        // Nothing more can be written, as after shutdown(Write).
        let err = c.write_all(b"late").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokenPipe);
        // A second shutdown is a no-op.
        AsyncWriteExt::shutdown(&mut c).await.unwrap();
        let mut got = Vec::new();
        s.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, vec![9; BIG]);
    });
}

#[test]
fn closing_a_write_half_whose_bytes_wait_for_the_window_returns_at_once() {
    use futures::io::{AsyncReadExt, AsyncWriteExt};
    run(async {
        let (c, mut s) = tcp_pair().await;
        let (_rd, mut wr) = c.into_split();
        wr.write_all(&vec![3; BIG]).await.unwrap();
        time::timeout(Duration::from_secs(1), wr.close())
            .await
            .expect("close waited for the peer to read")
            .unwrap();
        let mut got = Vec::new();
        s.read_to_end(&mut got).await.unwrap();
        assert_eq!(got.len(), BIG);
    });
}

#[test]
fn close_on_a_reset_connection_is_not_connected_naming_the_reset() {
    use futures::io::AsyncWriteExt;
    run(async {
        let (mut c, s) = tcp_pair().await;
        drop(s);
        // Data to a closed end is answered with an RST; the peer's FIN had
        // come first (CLOSE_WAIT), so the connection failed with a broken
        // pipe. The socket is closed then (TCP_CLOSE), where Linux's
        // shutdown(2), and so tokio's poll_shutdown, is ENOTCONN.
        c.write_all(b"x").await.unwrap();
        time::sleep(Duration::from_millis(1)).await;
        let err = c.close().await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotConnected);
        assert!(err.to_string().contains("broken pipe"), "{err}");
        assert_eq!(
            c.shutdown(std::net::Shutdown::Both).unwrap_err().kind(),
            ErrorKind::NotConnected
        );
    });
}

#[test]
fn shutdown_after_both_sides_closed_is_not_connected() {
    use futures::io::AsyncWriteExt;
    run(async {
        let (mut c, mut s) = tcp_pair().await;
        c.close().await.unwrap();
        s.close().await.unwrap();
        time::sleep(Duration::from_millis(5)).await;
        // Each FIN arrived: both sockets are closed.
        for stream in [&c, &s] {
            let err = stream.shutdown(std::net::Shutdown::Write).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::NotConnected);
            assert!(err.to_string().contains("both sides closed"), "{err}");
        }
        // A half-closed connection still takes a shutdown, as Linux.
        let (c, _s) = tcp_pair().await;
        c.shutdown(std::net::Shutdown::Write).unwrap();
        c.shutdown(std::net::Shutdown::Write).unwrap();
    });
}

/// A server on its own node that reads `read` bytes of each request,
/// answers `reply`, then drops the stream; a client on another node
/// (1 ms away) that sends `request` and reads until EOF or an error.
/// Returns what the client read and how its read ended.
fn close_after_reading(
    request: usize,
    read: usize,
    reply: &'static [u8],
) -> (Vec<u8>, Option<ErrorKind>) {
    use detsim::node::Node;
    use futures::io::{AsyncReadExt, AsyncWriteExt};
    let mut sim = Sim::builder().build();
    sim.run(async move {
        Node::builder("server")
            .init(move || async move {
                let l = TcpListener::bind("0.0.0.0:80").await.unwrap();
                let (mut s, _) = l.accept().await.unwrap();
                let mut buf = vec![0u8; read];
                s.read_exact(&mut buf).await.unwrap();
                // Let the whole request arrive before answering.
                time::sleep(Duration::from_millis(10)).await;
                s.write_all(reply).await.unwrap();
                drop(s);
            })
            .build();
        let client = Node::builder("client").build();
        client
            .spawn(async move {
                let mut c = TcpStream::connect("server:80").await.unwrap();
                c.write_all(&vec![7; request]).await.unwrap();
                let mut got = Vec::new();
                let mut buf = [0u8; 64];
                loop {
                    match c.read(&mut buf).await {
                        Ok(0) => return (got, None),
                        Ok(n) => got.extend_from_slice(&buf[..n]),
                        Err(e) => return (got, Some(e.kind())),
                    }
                }
            })
            .await
            .unwrap()
    })
    .unwrap()
}

#[test]
fn closing_after_reading_everything_is_a_graceful_eof() {
    let (got, err) = close_after_reading(8, 8, b"answer");
    assert_eq!((got.as_slice(), err), (&b"answer"[..], None));
}

#[test]
fn closing_with_unread_input_resets_the_peer_after_what_had_arrived() {
    // The server reads 8 of 12 bytes: its close sends an RST, which comes
    // after the answer (sent first, same path): the client reads the
    // answer, then the reset instead of EOF.
    let (got, err) = close_after_reading(12, 8, b"answer");
    assert_eq!(got, b"answer");
    assert_eq!(err, Some(ErrorKind::ConnectionReset));
}

#[test]
fn closing_with_unread_input_discards_what_was_still_to_send() {
    // An answer larger than the client's window and the server's send
    // buffer together: part of it still waits in the server's send
    // buffer at the close, and the RST discards it.
    static BIG_REPLY: [u8; 3 * RECV_WINDOW] = [5; 3 * RECV_WINDOW];
    let (got, err) = close_after_reading(12, 8, &BIG_REPLY);
    assert!(
        got.len() < BIG_REPLY.len(),
        "the whole answer arrived: {}",
        got.len()
    );
    assert_eq!(err, Some(ErrorKind::ConnectionReset));
}
