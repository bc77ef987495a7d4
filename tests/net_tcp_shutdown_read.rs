//! `shutdown(Read)` as Linux does it (checked live with Python on this
//! machine's Linux): bytes queued before it and bytes arriving after it
//! are still read, then reads return `Ok(0)` instead of waiting; the peer
//! is told nothing, so it fills the window of a reader that no longer
//! reads; and closing with unread bytes resets the peer, as any close
//! with unread input does.

mod common;

use std::io::ErrorKind;
use std::net::Shutdown;

use common::ms;
use detsim::net::{Interest, RECV_WINDOW, Ready, SEND_BUFFER};
use detsim::time;
use futures::io::{AsyncReadExt, AsyncWriteExt};

#[test]
fn queued_and_arriving_bytes_are_read_then_eof() {
    common::run(async {
        let (mut c, mut s) = common::tcp_pair_to_server().await;
        s.write_all(b"before").await.unwrap();
        time::sleep(ms(2)).await;
        c.shutdown(Shutdown::Read).unwrap();
        let mut buf = [0u8; 16];
        assert_eq!(c.read(&mut buf).await.unwrap(), 6);
        assert_eq!(&buf[..6], b"before");
        assert_eq!(
            c.read(&mut buf).await.unwrap(),
            0,
            "nothing queued: Ok(0) at once"
        );
        s.write_all(b"after").await.unwrap();
        assert_eq!(
            c.ready(Interest::READABLE).await.unwrap(),
            Ready::READABLE | Ready::READ_CLOSED
        );
        time::sleep(ms(2)).await;
        assert_eq!(c.read(&mut buf).await.unwrap(), 5, "what arrived after");
        assert_eq!(&buf[..5], b"after");
        assert_eq!(c.read(&mut buf).await.unwrap(), 0);
        // This side still writes.
        c.write_all(b"reply").await.unwrap();
        let mut got = [0u8; 5];
        s.read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"reply");
    });
}

#[test]
fn the_peer_fills_the_window_of_a_reader_that_shut_reading() {
    common::run(async {
        let (c, s) = common::tcp_pair_to_server().await;
        c.shutdown(Shutdown::Read).unwrap();
        let mut taken = 0;
        loop {
            match s.try_write(&[1u8; 4096]) {
                Ok(n) => taken += n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(taken, RECV_WINDOW + SEND_BUFFER);
        time::sleep(ms(50)).await;
        assert!(
            s.try_write(b"x").is_err(),
            "the window stays shut: the bytes wait to be read"
        );
        let mut buf = vec![0u8; 8192];
        assert_eq!(c.try_read(&mut buf).unwrap(), 8192);
    });
}

#[test]
fn closing_with_unread_bytes_after_a_read_shutdown_resets_the_peer() {
    common::run(async {
        let (c, mut s) = common::tcp_pair_to_server().await;
        s.write_all(b"unread").await.unwrap();
        time::sleep(ms(2)).await;
        c.shutdown(Shutdown::Read).unwrap();
        drop(c);
        time::sleep(ms(2)).await;
        let err = s.read(&mut [0u8; 4]).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionReset);
    });
}

/// Review: once both directions are shut (`Shutdown::Both`, or `Read`
/// after `Write`: Linux's FIN_WAIT1/FIN_WAIT2 with `RCV_SHUTDOWN`), new
/// data is not queued: Linux's `tcp_rcv_state_process` resets ("RFC 1122
/// says we MUST send a reset"): this end fails with `ConnectionReset`
/// and the peer, in CLOSE_WAIT, gets an RST (`EPIPE`: `BrokenPipe`).
#[test]
fn review_data_after_shutting_both_ways_resets() {
    common::run(async {
        let (mut c, mut s) = common::tcp_pair_to_server().await;
        c.shutdown(Shutdown::Both).unwrap();
        assert_eq!(s.read(&mut [0u8; 8]).await.unwrap(), 0, "the FIN");
        s.write_all(b"late").await.unwrap();
        time::sleep(ms(5)).await;
        let mut buf = [0u8; 8];
        let err = c.read(&mut buf).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionReset, "not the late bytes");
        let err = s.write_all(b"more").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokenPipe);
    });
}

/// Review: a read shutdown then a write shutdown is the same FIN_WAIT
/// state as `Both`: new data resets (a read shutdown alone keeps it).
#[test]
fn review_read_then_write_shutdown_resets_on_data_too() {
    common::run(async {
        let (c, mut s) = common::tcp_pair_to_server().await;
        c.shutdown(Shutdown::Read).unwrap();
        c.shutdown(Shutdown::Write).unwrap();
        assert_eq!(s.read(&mut [0u8; 8]).await.unwrap(), 0, "the FIN");
        s.write_all(b"late").await.unwrap();
        time::sleep(ms(5)).await;
        let err = s.write_all(b"more").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokenPipe);
    });
}

/// Review: a reset after a read shutdown is reported by the next read
/// (Linux's `tcp_recvmsg` checks `sk_err` before `RCV_SHUTDOWN`), once,
/// then reads return `Ok(0)`; only a FIN that came first makes it `Ok(0)`.
#[test]
fn review_a_reset_after_a_read_shutdown_is_reported_once() {
    common::run(async {
        let (mut c, s) = common::tcp_pair_to_server().await;
        c.shutdown(Shutdown::Read).unwrap();
        s.set_zero_linger().unwrap();
        drop(s); // an abortive close: an RST
        time::sleep(ms(5)).await;
        let mut buf = [0u8; 8];
        let err = c.read(&mut buf).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionReset);
        assert_eq!(c.read(&mut buf).await.unwrap(), 0);
    });
}
