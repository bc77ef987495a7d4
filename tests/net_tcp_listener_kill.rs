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
use futures::io::{AsyncReadExt, AsyncWriteExt};
use futures::stream::{FusedStream, StreamExt};

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

/// A listener bound by `server` whose handle escaped to the caller's node.
async fn escaped_listener(server: &Node) -> TcpListener {
    let (tx, rx) = futures::channel::oneshot::channel();
    server.spawn(async move {
        let _ = tx.send(TcpListener::bind("0.0.0.0:80").await.unwrap());
    });
    rx.await.unwrap()
}

#[test]
fn an_accept_loop_that_continues_on_errors_ends_once_the_listener_node_is_killed() {
    Sim::builder()
        .build()
        .run(async {
            let server = Node::builder("server").build();
            let listener = escaped_listener(&server).await;
            // A server loop (on main) that logs accept errors and carries
            // on: the stream gives the error once, then ends; it does not
            // spin inside one poll, where no step limit could stop it.
            let acceptor = detsim::spawn(async move {
                let (mut served, mut errors) = (0, Vec::new());
                let mut incoming = listener.incoming();
                while let Some(r) = incoming.next().await {
                    match r {
                        Ok(mut s) => {
                            served += 1;
                            s.write_all(b"hi").await.unwrap();
                        }
                        Err(e) => {
                            errors.push(e);
                            assert!(errors.len() < 100, "the accept loop spins");
                            continue;
                        }
                    }
                }
                assert!(incoming.is_terminated());
                assert!(incoming.next().await.is_none(), "ended for good");
                // accept() itself keeps failing, as on a closed socket.
                let err = listener.accept().await.unwrap_err();
                assert_eq!(err.kind(), ErrorKind::ConnectionAborted);
                (served, errors)
            });
            let mut c = TcpStream::connect("server:80").await.unwrap();
            c.read_exact(&mut [0u8; 2]).await.unwrap();
            server.kill();
            let (served, errors) = acceptor.await.unwrap();
            assert_eq!(served, 1);
            assert_eq!(errors.len(), 1);
            assert_eq!(errors[0].kind(), ErrorKind::ConnectionAborted);
            insta::assert_snapshot!(errors[0].to_string(), @"the socket was closed because its node 'server' was killed");
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
