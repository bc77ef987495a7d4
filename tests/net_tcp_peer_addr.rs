//! `peer_addr` follows Linux's `getpeername` through a connection's close:
//! the peer stays known while the connection is half-closed (FIN_WAIT2 after
//! our `shutdown(Write)`, CLOSE_WAIT after the peer's FIN), and the call
//! fails with `NotConnected` once both FINs went through (whichever side
//! closed first) or the connection was reset; `local_addr` still answers,
//! and netstat and `Debug` then show the connection `CLOSED`.
//! Checked against std::net over Linux loopback: every case below returns
//! the same `Ok`/`ENOTCONN` there.

mod common;

use std::io::ErrorKind;
use std::net::Shutdown;
use std::time::Duration;

use common::{run, tcp_pair};
use detsim::net::{Network, TcpListener, TcpStream};
use detsim::node::Node;
use detsim::{Sim, time};
use futures::io::{AsyncReadExt, AsyncWriteExt};

/// Lets every segment in flight arrive.
async fn settle() {
    time::sleep(Duration::from_millis(10)).await;
}

/// Reads until EOF, expecting nothing.
async fn read_eof(s: &mut (impl futures::io::AsyncRead + Unpin)) {
    let mut rest = Vec::new();
    s.read_to_end(&mut rest).await.unwrap();
    assert!(rest.is_empty());
}

fn not_connected(r: std::io::Result<std::net::SocketAddr>) -> String {
    let err = r.expect_err("the peer is still known");
    assert_eq!(err.kind(), ErrorKind::NotConnected, "{err}");
    err.to_string()
}

#[test]
fn after_our_shutdown_then_the_peers_close_the_peer_is_not_connected() {
    run(async {
        let (mut c, mut s) = tcp_pair().await;
        let server = c.peer_addr().unwrap();
        c.shutdown(Shutdown::Write).unwrap();
        settle().await;
        // Half-closed: FIN_WAIT2 here, CLOSE_WAIT at the peer.
        assert_eq!(c.peer_addr().unwrap(), server);
        read_eof(&mut s).await;
        assert_eq!(s.peer_addr().unwrap(), c.local_addr().unwrap());
        drop(s);
        read_eof(&mut c).await;
        settle().await;
        let msg = not_connected(c.peer_addr());
        assert_eq!(
            msg,
            format!(
                "not connected: the connection {} -> {server} was closed by both sides",
                c.local_addr().unwrap()
            )
        );
        assert!(c.local_addr().is_ok());
    });
}

#[test]
fn after_the_peers_close_then_our_shutdown_the_peer_is_not_connected() {
    run(async {
        let (c, mut s) = tcp_pair().await;
        let client = s.peer_addr().unwrap();
        drop(c);
        read_eof(&mut s).await;
        // CLOSE_WAIT: the peer is still known.
        assert_eq!(s.peer_addr().unwrap(), client);
        s.shutdown(Shutdown::Write).unwrap();
        settle().await;
        not_connected(s.peer_addr());
        assert!(s.local_addr().is_ok());
    });
}

#[test]
fn when_both_shut_down_writing_neither_peer_is_connected() {
    run(async {
        let (c, s) = tcp_pair().await;
        c.shutdown(Shutdown::Write).unwrap();
        s.shutdown(Shutdown::Write).unwrap();
        settle().await;
        not_connected(c.peer_addr());
        not_connected(s.peer_addr());
    });
}

#[test]
fn shutting_down_both_directions_alone_keeps_the_peer() {
    run(async {
        let (c, _s) = tcp_pair().await;
        c.shutdown(Shutdown::Read).unwrap();
        settle().await;
        assert!(c.peer_addr().is_ok());
        c.shutdown(Shutdown::Both).unwrap();
        settle().await;
        // FIN_WAIT2 until the peer closes too.
        assert!(c.peer_addr().is_ok());
    });
}

#[test]
fn after_a_reset_the_peer_is_not_connected() {
    run(async {
        let (mut c, s) = tcp_pair().await;
        c.write_all(b"unread").await.unwrap();
        settle().await;
        drop(s); // closes with unread input: an RST
        settle().await;
        let msg = not_connected(c.peer_addr());
        assert!(msg.contains("reset"), "{msg}");
        assert!(c.local_addr().is_ok());
    });
}

#[test]
fn split_halves_are_not_connected_once_both_sides_closed() {
    run(async {
        let (c, mut s) = tcp_pair().await;
        let (mut rd, wr) = c.into_split();
        drop(wr); // shuts the writing side down
        read_eof(&mut s).await;
        assert!(rd.peer_addr().is_ok());
        drop(s);
        read_eof(&mut rd).await;
        settle().await;
        not_connected(rd.peer_addr());
    });
    run(async {
        let (c, s) = tcp_pair().await;
        let (rd, mut wr) = c.into_split();
        wr.close().await.unwrap(); // shuts the writing side down
        drop(s);
        settle().await;
        not_connected(wr.peer_addr());
        not_connected(rd.peer_addr());
    });
}

#[test]
fn the_last_fin_completes_the_close_only_when_it_arrives() {
    // Across nodes (1 ms apart): after our FIN leaves (LAST_ACK), the peer
    // stays known until the FIN arrives.
    let mut sim = Sim::builder().build();
    sim.run(async {
        Node::builder("server")
            .init(|| async {
                let l = TcpListener::bind("0.0.0.0:80").await.unwrap();
                let (s, _) = l.accept().await.unwrap();
                drop(s);
            })
            .build();
        let client = Node::builder("client").build();
        client
            .spawn(async {
                let mut c = TcpStream::connect("server:80").await.unwrap();
                read_eof(&mut c).await;
                c.shutdown(Shutdown::Write).unwrap();
                assert!(c.peer_addr().is_ok(), "before the FIN arrived");
                settle().await;
                not_connected(c.peer_addr());
            })
            .await
            .unwrap();
    })
    .unwrap();
}

/// The state netstat (and `Debug`) shows for the connection `s` is on.
fn state_of(s: &TcpStream) -> &'static str {
    let local = s.local_addr().unwrap();
    Network::current()
        .netstat()
        .sockets
        .iter()
        .find(|r| r.proto == "tcp" && r.local == local && r.peer.is_some())
        .and_then(|r| r.state)
        .expect("the connection is listed")
}

#[test]
fn netstat_and_debug_agree_with_peer_addr_through_the_close() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        Node::builder("server")
            .init(|| async {
                let l = TcpListener::bind("0.0.0.0:80").await.unwrap();
                let (mut s, _) = l.accept().await.unwrap();
                read_eof(&mut s).await;
                s.shutdown(Shutdown::Write).unwrap();
                time::sleep(Duration::from_secs(1)).await;
            })
            .build();
        let mut c = TcpStream::connect("server:80").await.unwrap();
        assert_eq!(state_of(&c), "ESTABLISHED");
        c.shutdown(Shutdown::Write).unwrap();
        assert_eq!(state_of(&c), "FIN_WAIT");
        read_eof(&mut c).await;
        // Both FINs went through: closed, as peer_addr says.
        not_connected(c.peer_addr());
        assert_eq!(state_of(&c), "CLOSED");
        let debug = format!("{c:?}");
        assert!(debug.contains("state: \"CLOSED\""), "{debug}");
    })
    .unwrap();
    // Both shut down at once: each FIN is on the wire (CLOSING) until it
    // arrives.
    let mut sim = Sim::builder().build();
    sim.run(async {
        Node::builder("server")
            .init(|| async {
                let l = TcpListener::bind("0.0.0.0:80").await.unwrap();
                let (s, _) = l.accept().await.unwrap();
                time::sleep(Duration::from_millis(5)).await;
                s.shutdown(Shutdown::Write).unwrap();
                time::sleep(Duration::from_secs(1)).await;
            })
            .build();
        let c = TcpStream::connect("server:80").await.unwrap();
        time::sleep(Duration::from_millis(5)).await;
        c.shutdown(Shutdown::Write).unwrap();
        time::sleep(Duration::from_micros(1)).await;
        assert_eq!(state_of(&c), "CLOSING");
        settle().await;
        assert_eq!(state_of(&c), "CLOSED");
    })
    .unwrap();
}
