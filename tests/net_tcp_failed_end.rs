//! A connection end that failed of its own doing (it timed out, or it
//! reset the connection itself) is gone from its host, as Linux's
//! `tcp_done` takes the socket out of the lookup tables at once, even
//! while the application still holds its handle: if its own RST was lost
//! (or it sent none), what the peer sends next draws an RST, and the
//! peer's next read or write fails with `ConnectionReset`. An end that
//! failed because it received an RST answers nothing: the peer that
//! reset it has no socket left for an answer to reach (and TCP never
//! answers an RST with an RST).
//!
//! And a failed end sends nothing more, as Linux's `tcp_done` and
//! `tcp_reset` purge the write queue (`tcp_write_queue_purge`): its lost
//! segments are not sent again, whether it timed out or an RST reset it,
//! while its application still holds it, and reading what it still
//! holds opens no window for the peer.

mod common;

use std::io::ErrorKind;
use std::net::Shutdown;
use std::time::Duration;

use common::{ms, pair_with_server_node};
use detsim::net::{Latency, LinkConfig, Network, TcpListener, TcpStream};
use detsim::node::Node;
use detsim::time;
use futures::io::{AsyncReadExt, AsyncWriteExt};

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// The client's keepalive gives up behind a partition (its RST is lost
/// too); the client keeps its stream. Returns the server end, whose
/// node can reach the client again, and the failed client end.
async fn timed_out_client() -> (TcpStream, TcpStream) {
    let net = Network::current();
    net.set_tcp_keepalive(secs(5), secs(1), 2).unwrap();
    let (server, c, s) = pair_with_server_node().await;
    c.set_keepalive(true).unwrap();
    net.partition(&Node::current(), &server);
    time::sleep(secs(10)).await;
    let err = c.take_error().unwrap().map(|e| e.kind());
    assert_eq!(err, Some(ErrorKind::TimedOut), "its RST was lost");
    net.heal_all();
    (s, c)
}

#[test]
fn a_timed_out_end_still_held_resets_the_peers_next_write() {
    common::run(async {
        let (mut s, _c) = timed_out_client().await;
        s.write_all(b"hello?").await.unwrap();
        time::sleep(ms(10)).await;
        let err = s.write_all(b"more").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{err}");
        let tcp = Network::current().stats().tcp;
        assert_eq!((tcp.timeouts, tcp.resets), (1, 1), "{tcp:?}");
    });
}

#[test]
fn a_timed_out_end_still_held_resets_the_peers_next_read() {
    common::run(async {
        let (mut s, _c) = timed_out_client().await;
        s.write_all(b"hello?").await.unwrap();
        // The answer to the request is an RST, 2 ms later.
        let err = s.read(&mut [0u8; 8]).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{err}");
    });
}

#[test]
fn a_timed_out_end_still_held_resets_the_peers_fin() {
    common::run(async {
        let (s, mut c) = timed_out_client().await;
        s.shutdown(Shutdown::Write).unwrap();
        time::sleep(ms(10)).await;
        let err = s.take_error().unwrap().map(|e| e.kind());
        assert_eq!(err, Some(ErrorKind::ConnectionReset));
        // The failed end itself: its error was reported; EOF since.
        assert_eq!(c.read(&mut [0u8; 8]).await.unwrap(), 0);
    });
}

/// An end that shut both directions meets new data: it resets the
/// connection (Linux's `tcp_rcv_state_process`, "RFC 1122 says we MUST
/// send a reset") and its socket is done. Its RST is lost to a one-way
/// partition; the peer's next data, after the heal, draws another.
#[test]
fn an_end_that_reset_the_connection_itself_answers_the_peers_next_data() {
    common::run(async {
        let net = Network::current();
        let (server, mut c, s) = pair_with_server_node().await;
        s.shutdown(Shutdown::Both).unwrap();
        assert_eq!(c.read(&mut [0u8; 8]).await.unwrap(), 0, "its FIN");
        net.partition_oneway(&server, &Node::current());
        c.write_all(b"unwanted").await.unwrap(); // draws the lost RST
        time::sleep(ms(10)).await;
        net.heal_all();
        assert!(c.take_error().unwrap().is_none(), "the RST was lost");
        c.write_all(b"again").await.unwrap();
        time::sleep(ms(10)).await;
        let err = c.write_all(b"and again").await.unwrap_err();
        // In CLOSE_WAIT (the server's FIN came), Linux's `tcp_reset`
        // says EPIPE.
        assert_eq!(err.kind(), ErrorKind::BrokenPipe, "{err}");
        drop(s);
    });
}

/// The server's RST overtakes its own data (sent earlier on a slow
/// link): the client fails when the RST arrives, and the late data finds
/// an end reset by its peer. It drops it without an answer: the peer
/// that reset it has no socket for an RST to reach.
#[test]
fn an_end_reset_by_its_peer_answers_nothing() {
    common::run(async {
        let net = Network::current();
        let (server, mut c, mut s) = pair_with_server_node().await;
        let me = Node::current();
        let slow = LinkConfig::new().latency(Latency::constant(ms(100)));
        net.set_link(&me, &server, slow).unwrap();
        let sent = net.stats().total().sent;
        s.write_all(b"late").await.unwrap(); // arrives in 100 ms
        net.reset_link(&me, &server);
        s.set_zero_linger().unwrap();
        drop(s); // its RST arrives in 1 ms
        let err = c.read(&mut [0u8; 8]).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{err}");
        time::sleep(ms(200)).await;
        let stats = net.stats();
        // The data and the RST: nothing answered the late data.
        assert_eq!(stats.total().sent - sent, 2, "{stats:?}");
        assert_eq!(stats.total().delivered, stats.total().sent);
        assert_eq!(
            c.read(&mut [0u8; 8]).await.unwrap(),
            0,
            "no data after a reset"
        );
    });
}

/// A listener dropped with a connection still in its accept queue resets
/// it, and the server end is freed at once, as an end closed after it
/// failed: with its RST lost, the client's FIN draws another, rather
/// than being acknowledged as if the close were clean.
#[test]
fn a_connection_reset_in_a_dropped_listeners_queue_answers_the_clients_fin() {
    common::run(async {
        let net = Network::current();
        let server = Node::builder("server").build();
        let l = server
            .spawn(async { TcpListener::bind("0.0.0.0:80").await.unwrap() })
            .await
            .unwrap();
        let c = TcpStream::connect("server:80").await.unwrap();
        net.partition(&server, &Node::current());
        drop(l); // its RST is lost
        time::sleep(secs(1)).await;
        net.heal_all();
        assert!(c.take_error().unwrap().is_none(), "the RST was lost");
        c.shutdown(Shutdown::Write).unwrap();
        time::sleep(ms(10)).await;
        let err = c.take_error().unwrap().map(|e| e.kind());
        assert_eq!(err, Some(ErrorKind::ConnectionReset));
    });
}

/// An end that timed out while its application holds it sends nothing
/// more: its other lost segment (written 5 s after the first) is not
/// sent again after the failure. It was sent again 12 times before:
/// at 5.2, 5.6, 6.4, 8.0 s, then every 1.6 s until 20.8 s.
#[test]
fn an_end_that_timed_out_sends_nothing_more() {
    common::run(async {
        let net = Network::current();
        let (server, mut c, _s) = pair_with_server_node().await;
        net.partition(&Node::current(), &server);
        c.write_all(b"a").await.unwrap();
        time::sleep(secs(5)).await;
        c.write_all(b"b").await.unwrap();
        let err = c.read(&mut [0u8; 4]).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut, "{err}");
        let at_failure = net.stats().tcp.retransmits;
        assert_eq!(at_failure, 15 + 12);
        time::sleep(secs(60)).await;
        assert_eq!(net.stats().tcp.retransmits, at_failure);
    });
}

/// An end reset by its peer (its data lost to a one-way partition, the
/// peer's RST getting through) sends nothing more either, though its
/// application still holds it: its lost data is not sent again.
#[test]
fn an_end_reset_by_its_peer_sends_nothing_more() {
    common::run(async {
        let net = Network::current();
        let (server, mut c, s) = pair_with_server_node().await;
        net.partition_oneway(&Node::current(), &server);
        c.write_all(b"lost").await.unwrap();
        time::sleep(ms(300)).await; // sent again once, at 200 ms
        assert_eq!(net.stats().tcp.retransmits, 1);
        s.set_zero_linger().unwrap();
        drop(s); // its RST gets through
        time::sleep(ms(10)).await;
        let err = c.take_error().unwrap().map(|e| e.kind());
        assert_eq!(err, Some(ErrorKind::ConnectionReset));
        let sent = net.stats().total().sent;
        time::sleep(secs(60)).await;
        net.heal_all();
        time::sleep(secs(60)).await;
        let stats = net.stats();
        assert_eq!(stats.tcp.retransmits, 1, "{stats:?}");
        assert_eq!(stats.total().sent, sent, "{stats:?}");
        drop(c);
    });
}

/// An end reset by its peer still returns the bytes that had arrived;
/// reading them sends no window update (its return path cut, it would
/// have been a segment): a failed end is out of its host's tables.
#[test]
fn a_failed_end_reading_what_it_holds_sends_no_window_update() {
    common::run(async {
        let net = Network::current();
        let (server, mut c, mut s) = pair_with_server_node().await;
        s.write_all(b"held").await.unwrap();
        time::sleep(ms(10)).await;
        net.partition_oneway(&Node::current(), &server);
        s.set_zero_linger().unwrap();
        drop(s); // its RST gets through
        time::sleep(ms(10)).await;
        let sent = net.stats().total().sent;
        let mut buf = [0u8; 8];
        assert_eq!(c.read(&mut buf).await.unwrap(), 4);
        let err = c.read(&mut buf).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{err}");
        time::sleep(secs(1)).await;
        let stats = net.stats();
        assert_eq!(stats.total().sent, sent, "{stats:?}");
    });
}
