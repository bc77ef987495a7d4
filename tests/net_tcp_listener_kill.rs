//! Review of a node kill with connections waiting in a listener's backlog:
//! the kill drops the listener (its task is cancelled) and resets the
//! node's connection ends. A dead node must not send anything of its own
//! on top: one RST per connection, from the kill, and the waiting client
//! sees `ConnectionReset` once.

use std::io::ErrorKind;
use std::time::Duration;

use detsim::Sim;
use detsim::net::{Network, TcpListener, TcpStream};
use detsim::node::Node;
use detsim::time;
use futures::io::AsyncReadExt;

#[test]
fn a_killed_node_resets_each_connection_of_its_backlog_once() {
    Sim::builder()
        .build()
        .run(async {
            let server = Node::builder("server")
                .init(|| async {
                    // Listens, never accepts.
                    let _l = TcpListener::bind("0.0.0.0:80").await.unwrap();
                    std::future::pending::<()>().await;
                })
                .build();
            time::sleep(Duration::from_millis(1)).await;
            let mut a = TcpStream::connect("server:80").await.unwrap();
            let mut b = TcpStream::connect("server:80").await.unwrap();
            server.kill();
            for s in [&mut a, &mut b] {
                let err = s.read(&mut [0u8; 4]).await.unwrap_err();
                assert_eq!(err.kind(), ErrorKind::ConnectionReset);
            }
            let stats = Network::current().stats();
            // Per connection: the SYN-ACK, then one RST.
            assert_eq!(stats.link("server", "main").sent, 4, "{stats}");
            // The two client ends; the server's ends were killed, not reset.
            assert_eq!(stats.tcp.resets, 2, "{stats}");
        })
        .unwrap();
}

/// A node "server" that listens on port 80 and drops its listener after
/// 10 ms without accepting, and lives on.
fn listener_dropping_server() -> Node {
    Node::builder("server")
        .init(|| async {
            let l = TcpListener::bind("0.0.0.0:80").await.unwrap();
            time::sleep(Duration::from_millis(10)).await;
            drop(l);
            std::future::pending::<()>().await;
        })
        .build()
}

#[test]
fn dropping_a_listener_of_a_live_node_still_resets_its_backlog() {
    Sim::builder()
        .build()
        .run(async {
            let server = listener_dropping_server();
            time::sleep(Duration::from_millis(1)).await;
            let mut c = TcpStream::connect("server:80").await.unwrap();
            let err = c.read(&mut [0u8; 4]).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::ConnectionReset);
            assert!(server.is_alive());
            let stats = Network::current().stats();
            assert_eq!(stats.link("server", "main").sent, 2, "{stats}");
        })
        .unwrap();
}

#[test]
fn dropping_a_listener_counts_one_reset_per_waiting_connection_its_client_end() {
    Sim::builder()
        .build()
        .run(async {
            listener_dropping_server();
            time::sleep(Duration::from_millis(1)).await;
            let mut a = TcpStream::connect("server:80").await.unwrap();
            let mut b = TcpStream::connect("server:80").await.unwrap();
            for s in [&mut a, &mut b] {
                let err = s.read(&mut [0u8; 4]).await.unwrap_err();
                assert_eq!(err.kind(), ErrorKind::ConnectionReset);
            }
            // The clients were reset by their peer; the server ends sent
            // the RSTs (as when the node is killed, above).
            let tcp = Network::current().stats().tcp;
            assert_eq!((tcp.accepted, tcp.resets), (2, 2), "{tcp:?}");
        })
        .unwrap();
}
