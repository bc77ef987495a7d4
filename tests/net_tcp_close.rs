//! Review of TCP's half-close through the io traits: futures'
//! `AsyncWriteExt::close` and tokio's `AsyncWriteExt::shutdown` return at
//! once, as tokio's `poll_shutdown` does on a real socket (a
//! `shutdown(SHUT_WR)` that queues the FIN after the buffered bytes), and
//! never wait for the peer to read. Waiting for the FIN to leave made two
//! peers that both write more than the window and then close before
//! reading deadlock on each other.

use std::io::ErrorKind;
use std::time::Duration;

use detsim::net::{RECV_WINDOW, TcpListener, TcpStream};
use detsim::{Sim, spawn, time};

fn run(f: impl std::future::Future<Output = ()>) {
    Sim::builder().build().run(f).unwrap();
}

/// A connected pair over loopback: (client, server).
async fn pair() -> (TcpStream, TcpStream) {
    let l = TcpListener::bind("127.0.0.1:80").await.unwrap();
    let c = spawn(async { TcpStream::connect("127.0.0.1:80").await.unwrap() });
    let (s, _) = l.accept().await.unwrap();
    (c.await.unwrap(), s)
}

/// More than the peer's window: part of it waits in the send buffer.
const BIG: usize = RECV_WINDOW + RECV_WINDOW / 2;

#[test]
fn both_peers_write_past_the_window_close_then_read_everything() {
    use futures::io::{AsyncReadExt, AsyncWriteExt};
    run(async {
        let (c, s) = pair().await;
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
        let (mut c, mut s) = pair().await;
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
        let (c, mut s) = pair().await;
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
fn close_on_a_reset_connection_reports_the_reset() {
    use futures::io::AsyncWriteExt;
    run(async {
        let (mut c, s) = pair().await;
        drop(s);
        // Data to a closed end is answered with an RST.
        c.write_all(b"x").await.unwrap();
        time::sleep(Duration::from_millis(1)).await;
        let err = c.close().await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionReset);
    });
}
