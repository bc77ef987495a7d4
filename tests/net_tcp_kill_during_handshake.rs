//! A node killed while a connection's SYN is on the wire: the host that
//! has not seen the SYN yet knows nothing of the connection, so its crash
//! sends nothing. The SYN meets a node that is down (retransmitted, as a
//! lost one: `TimedOut` if it stays down, the connection if it comes back
//! with its listener in time), and a client that crashed mid-handshake
//! leaves no connection for the listener to accept.

mod common;

use std::io::{self, ErrorKind};
use std::time::Duration;

use common::{ms, since_start};
use detsim::JoinHandle;
use detsim::net::{Latency, LinkConfig, Network, TcpListener, TcpStream};
use detsim::node::Node;
use futures::io::{AsyncReadExt, AsyncWriteExt};

/// A node that answers each connection on port 80 with `b"hi"`.
fn greeter() -> Node {
    Node::builder("srv")
        .init(|| async {
            let l = TcpListener::bind("0.0.0.0:80").await.unwrap();
            loop {
                let (mut s, _) = l.accept().await.unwrap();
                s.write_all(b"hi").await.unwrap();
            }
        })
        .build()
}

#[test]
fn a_server_killed_before_the_syn_arrives_times_the_connect_out_not_refused() {
    common::run(async {
        let (_srv, connect) = server_killed_with_a_syn_on_the_wire().await;
        let start = since_start();
        let err = connect.await.unwrap().map(|_| ()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut, "{err}");
        assert!(
            since_start() - start > Duration::from_secs(7),
            "{:?}",
            since_start() - start
        );
        assert_eq!(Network::current().stats().tcp.refused, 0);
    });
}

#[test]
fn a_server_back_up_in_time_answers_the_retransmitted_syn() {
    common::run(async {
        let (srv, connect) = server_killed_with_a_syn_on_the_wire().await;
        time_passes(ms(50)).await; // the SYN found the node down
        srv.restart();
        let mut s = connect.await.unwrap().unwrap();
        let mut buf = [0u8; 2];
        s.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"hi");
        let tcp = Network::current().stats().tcp;
        assert_eq!((tcp.retransmits, tcp.refused, tcp.accepted), (1, 0, 1));
    });
}

#[test]
fn a_client_killed_before_its_syn_arrives_leaves_nothing_to_accept() {
    common::run(async {
        ten_ms_latency();
        let cli = Node::builder("cli")
            .init(|| async {
                let _ = TcpStream::connect("main:80").await;
            })
            .build();
        let l = TcpListener::bind("0.0.0.0:80").await.unwrap();
        time_passes(ms(5)).await;
        cli.kill();
        let accepted = detsim::time::timeout(ms(1000), l.accept()).await;
        assert!(
            accepted.is_err(),
            "accepted a ghost: {:?}",
            accepted.map(|r| r.map(|(_, p)| p))
        );
        assert_eq!(Network::current().stats().tcp.accepted, 0);
    });
}

/// A constant 10 ms latency on every link.
fn ten_ms_latency() {
    Network::current()
        .set_default(LinkConfig::new().latency(Latency::constant(ms(10))))
        .unwrap();
}

/// A greeter node killed while a connect's SYN (10 ms of latency) is
/// half way to it: the node and the connect, still running.
async fn server_killed_with_a_syn_on_the_wire() -> (Node, JoinHandle<io::Result<TcpStream>>) {
    ten_ms_latency();
    let srv = greeter();
    time_passes(ms(1)).await;
    let connect = detsim::spawn(TcpStream::connect("10.0.0.2:80"));
    time_passes(ms(5)).await; // the SYN is half way
    srv.kill();
    (srv, connect)
}

async fn time_passes(d: Duration) {
    detsim::time::sleep(d).await;
}
