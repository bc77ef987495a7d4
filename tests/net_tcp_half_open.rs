//! Half-open connections: TCP never retransmits an RST, so when the RST
//! a node's kill sends is lost (a partition), its peer keeps an open
//! connection and learns of the crash only when it sends something: an
//! RST answers it once the node is up again, and with the node still
//! down its data times out. An RST that answers a segment (a SYN nobody
//! listens for) stands in for that segment's own retransmission, so it is
//! sent again when lost.

mod common;

use std::io::ErrorKind;
use std::time::Duration;

use common::ms;
use detsim::net::{LinkConfig, Network, TcpListener, TcpStream};
use detsim::node::Node;
use detsim::{Sim, time};
use futures::io::{AsyncReadExt, AsyncWriteExt};

/// A server that accepts one connection and holds it.
fn holding_server() -> Node {
    Node::builder("srv")
        .init(|| async {
            let l = TcpListener::bind("0.0.0.0:80").await.unwrap();
            let (_s, _) = l.accept().await.unwrap();
            std::future::pending::<()>().await;
        })
        .build()
}

/// Connects to the holding server, then kills it behind a partition (the
/// kill's RST is dropped) and heals: the client's end is half-open.
async fn half_open_connection(srv: &Node) -> TcpStream {
    time::sleep(ms(1)).await;
    let net = Network::current();
    let c = TcpStream::connect("srv:80").await.unwrap();
    time::sleep(ms(5)).await;
    net.partition(&Node::current(), srv);
    srv.kill();
    time::sleep(ms(100)).await;
    net.heal_all();
    c
}

#[test]
fn a_lost_rst_leaves_the_peer_half_open_until_it_sends_to_the_restarted_node() {
    let mut sim = Sim::builder().seed(1).build();
    sim.run(async {
        let srv = holding_server();
        let mut c = half_open_connection(&srv).await;
        // Nothing tells the idle client: its read waits (as on a real
        // network), and the lost RST is never sent again.
        let idle = time::timeout(Duration::from_secs(5), c.read(&mut [0u8; 1])).await;
        assert!(idle.is_err(), "the idle read ended: {idle:?}");
        let stats = Network::current().stats();
        assert_eq!((stats.tcp.resets, stats.tcp.retransmits), (0, 0));
        assert_eq!(stats.drops.partition, 1, "the kill's RST");
        // The node comes back; the client's next bytes reach a node with
        // no such connection any more, which answers with an RST.
        srv.restart();
        c.write_all(b"anyone?").await.unwrap();
        let err = c.read(&mut [0u8; 1]).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{err}");
        assert_eq!(Network::current().stats().tcp.resets, 1);
    })
    .unwrap();
}

#[test]
fn data_sent_on_a_half_open_connection_to_a_node_still_down_times_out() {
    let mut sim = Sim::builder().seed(2).build();
    sim.run(async {
        let srv = holding_server();
        let mut c = half_open_connection(&srv).await;
        Network::current().set_tcp_retries(Some(3));
        c.write_all(b"anyone?").await.unwrap();
        let err = c.read(&mut [0u8; 1]).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut, "{err}");
        assert_eq!(Network::current().stats().tcp.timeouts, 1);
    })
    .unwrap();
}

#[test]
fn an_rst_answering_a_syn_is_sent_again_when_lost_so_connect_is_refused() {
    // Over a lossy link with nobody listening, a connect ends in
    // `ConnectionRefused` (a lost RST is sent again in place of the
    // client's retransmitted SYN), or in `TimedOut` when the SYN itself
    // was lost more often than its retries allow; it never hangs.
    let mut refused = 0;
    for seed in 0..50 {
        let mut sim = Sim::builder().seed(seed).build();
        let kind = sim
            .run(async {
                Node::builder("srv").build();
                Network::current()
                    .set_default(LinkConfig::new().loss(0.5))
                    .unwrap();
                TcpStream::connect("srv:80").await.unwrap_err().kind()
            })
            .unwrap();
        match kind {
            ErrorKind::ConnectionRefused => refused += 1,
            ErrorKind::TimedOut => {}
            other => panic!("seed {seed}: {other:?}"),
        }
    }
    assert!(refused >= 40, "only {refused} of 50 connects were refused");
}
