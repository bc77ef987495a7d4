//! After a reset, a TCP read never returns data again (the RST is
//! unnumbered and may overtake data under jitter), and traffic still in
//! flight at the end of a strict run is not a timer left behind.

use std::io::ErrorKind;
use std::time::Duration;

use detsim::net::{Latency, LinkConfig, Network, TcpListener, TcpStream, UdpSocket};
use detsim::node::Node;
use detsim::{Sim, time};
use futures::io::{AsyncReadExt, AsyncWriteExt};

#[test]
fn a_read_never_returns_data_after_a_reset() {
    for seed in 0..40 {
        let mut sim = Sim::builder().seed(seed).build();
        sim.run(async {
            let jitter = Latency::uniform(Duration::from_millis(1), Duration::from_millis(50));
            Network::current()
                .set_default(LinkConfig::new().latency(jitter))
                .unwrap();
            let listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
            let writer = Node::builder("writer")
                .init(|| async {
                    let mut s = TcpStream::connect("main:80").await.unwrap();
                    for i in 0..200u8 {
                        if s.write_all(&[i; 100]).await.is_err() {
                            break;
                        }
                        time::sleep(Duration::from_millis(2)).await;
                    }
                    std::future::pending::<()>().await;
                })
                .build();
            let (mut s, _) = listener.accept().await.unwrap();
            // Data piles up unread, with segments still in flight at the kill.
            time::sleep(Duration::from_millis(200)).await;
            writer.kill();
            let mut buf = [0u8; 1000];
            let mut failed = false;
            for _ in 0..400 {
                match s.read(&mut buf).await {
                    Ok(0) => break,
                    Ok(_) => assert!(!failed, "seed {seed}: data after an error"),
                    Err(e) => {
                        assert_eq!(e.kind(), ErrorKind::ConnectionReset);
                        failed = true;
                    }
                }
                time::sleep(Duration::from_millis(1)).await;
            }
            assert!(failed, "seed {seed}: the reset never came");
        })
        .unwrap();
    }
}

#[test]
fn traffic_in_flight_at_the_end_of_a_strict_run_is_not_left_behind() {
    let mut sim = Sim::builder().seed(3).strict(true).build();
    sim.run(async {
        let _server = Node::builder("srv").build();
        let socket = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        socket.send_to(b"bye", "srv:9").await.unwrap();
    })
    .unwrap();
    assert!(sim.report().hygiene().armed_timers().is_empty());
}

/// A connection from `client` to main's listener on port 80: (the client's
/// stream, main's stream), with `client`'s end escaped to main.
async fn pair(listener: &TcpListener, client: &Node) -> (TcpStream, TcpStream) {
    let (tx, rx) = futures::channel::oneshot::channel();
    client.spawn(async move {
        let _ = tx.send(TcpStream::connect("main:80").await.unwrap());
    });
    let (accepted, _) = listener.accept().await.unwrap();
    (rx.await.unwrap(), accepted)
}

#[test]
fn peer_addr_after_a_reset_is_not_connected_and_local_addr_still_answers() {
    // Linux's getpeername on a socket in state CLOSE (after an RST) is
    // ENOTCONN; getsockname still answers (checked on a real loopback
    // pair: a close with unread input resets the peer).
    Sim::builder()
        .build()
        .run(async {
            let listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
            let client = Node::builder("client").build();
            let (mut c, s) = pair(&listener, &client).await;
            let (local, peer) = (s.local_addr().unwrap(), s.peer_addr().unwrap());
            c.write_all(b"unread").await.unwrap();
            time::sleep(Duration::from_millis(5)).await;
            drop(s); // unread input: an RST to the client
            time::sleep(Duration::from_millis(5)).await;
            let err = c.peer_addr().unwrap_err();
            assert_eq!(err.kind(), ErrorKind::NotConnected);
            insta::assert_snapshot!(err.to_string(), @"not connected: connection reset by peer 10.0.0.1:80");
            assert_eq!(c.local_addr().unwrap(), peer);
            let err = c.read(&mut [0u8; 4]).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::ConnectionReset);
            assert_eq!(c.peer_addr().unwrap_err().kind(), ErrorKind::NotConnected);
            let (rd, wr) = c.into_split();
            assert_eq!(rd.peer_addr().unwrap_err().kind(), ErrorKind::NotConnected);
            assert_eq!(wr.peer_addr().unwrap_err().kind(), ErrorKind::NotConnected);
            assert_eq!(rd.local_addr().unwrap(), peer);
            // The other way: main's end reset by the client's node's kill.
            let (_c, s) = pair(&listener, &client).await;
            client.kill();
            time::sleep(Duration::from_millis(5)).await;
            assert_eq!(s.peer_addr().unwrap_err().kind(), ErrorKind::NotConnected);
            assert_eq!(s.local_addr().unwrap(), local);
        })
        .unwrap();
}

#[test]
fn a_connection_reset_while_waiting_in_the_backlog_is_accepted_with_its_peer() {
    // Linux's accept returns a queued connection even when an RST closed it
    // meanwhile (the address comes from accept, not getpeername); the
    // first read then reports the reset.
    Sim::builder()
        .build()
        .run(async {
            let listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
            let client = Node::builder("client")
                .init(|| async {
                    let _open = TcpStream::connect("main:80").await.unwrap();
                    std::future::pending::<()>().await;
                })
                .build();
            time::sleep(Duration::from_millis(5)).await;
            client.kill();
            time::sleep(Duration::from_millis(5)).await;
            let (mut s, from) = listener.accept().await.unwrap();
            assert_eq!(from.to_string(), "10.0.0.2:49152");
            let err = s.read(&mut [0u8; 4]).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::ConnectionReset);
            assert_eq!(s.peer_addr().unwrap_err().kind(), ErrorKind::NotConnected);
        })
        .unwrap();
}
