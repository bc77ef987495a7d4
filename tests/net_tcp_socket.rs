//! `TcpSocket`, tokio's socket builder: bind before connect (the chosen
//! local port is the one both sides see), bind errors as Linux gives them
//! (foreign address, port taken, family, twice), ephemeral binds, listen
//! with and without a bind, the port reserved until the socket connects,
//! listens or is dropped, `SO_REUSEADDR`'s rule against the connections an
//! old listener accepted, the backlog, the buffer sizes, and the same run
//! for the same seed.

mod common;

use std::io::ErrorKind;

use common::{addr, ms, run};
use detsim::net::{Network, TcpListener, TcpSocket, TcpStream};
use detsim::node::Node;
use detsim::{Sim, spawn, time};
use futures::io::{AsyncReadExt, AsyncWriteExt};

/// A node `name` whose listener on port 80 accepts forever, keeping every
/// connection, and reports each peer address on `peers`.
fn server(name: &str, peers: futures::channel::mpsc::UnboundedSender<String>) -> Node {
    Node::builder(name)
        .init(move || {
            let peers = peers.clone();
            async move {
                let l = TcpListener::bind("0.0.0.0:80").await.unwrap();
                let mut kept = Vec::new();
                loop {
                    let (s, peer) = l.accept().await.unwrap();
                    peers.unbounded_send(peer.to_string()).unwrap();
                    kept.push(s);
                }
            }
        })
        .build()
}

#[test]
fn bind_then_connect_gives_the_chosen_port_to_both_sides() {
    run(async {
        let (tx, mut peers) = futures::channel::mpsc::unbounded();
        server("db", tx);
        time::sleep(ms(1)).await;
        let socket = TcpSocket::new_v4().unwrap();
        socket.bind(addr("0.0.0.0:4321")).unwrap();
        assert_eq!(socket.local_addr().unwrap(), addr("0.0.0.0:4321"));
        let s = socket.connect(addr("10.0.0.2:80")).await.unwrap();
        // The wildcard narrowed to the node's address toward the peer.
        assert_eq!(s.local_addr().unwrap(), addr("10.0.0.1:4321"));
        assert_eq!(s.peer_addr().unwrap(), addr("10.0.0.2:80"));
        use futures::StreamExt;
        assert_eq!(peers.next().await.unwrap(), "10.0.0.1:4321");
        // The connection holds the port now.
        let other = TcpSocket::new_v4().unwrap();
        let err = other.bind(addr("10.0.0.1:4321")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrInUse);
        // And gives it back when closed.
        drop(s);
        time::sleep(ms(5)).await;
        other.bind(addr("10.0.0.1:4321")).unwrap();
    });
}

#[test]
fn ipv6_sockets_bind_and_connect_over_ipv6() {
    run(async {
        let l = TcpListener::bind("[::]:80").await.unwrap();
        let socket = TcpSocket::new_v6().unwrap();
        socket.bind(addr("[fd00::1]:6000")).unwrap();
        let c = socket.connect(addr("[::1]:80")).await.unwrap();
        let (_s, peer) = l.accept().await.unwrap();
        assert_eq!(peer, addr("[fd00::1]:6000"));
        assert_eq!(c.local_addr().unwrap(), peer);
    });
}

#[test]
fn binding_an_address_of_another_node_is_addr_not_available() {
    run(async {
        Node::builder("db").build();
        let socket = TcpSocket::new_v4().unwrap();
        let err = socket.bind(addr("10.0.0.2:80")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrNotAvailable);
        // The same words as TcpListener::bind's.
        let listener_err = TcpListener::bind("10.0.0.2:80").await.unwrap_err();
        assert_eq!(err.to_string(), listener_err.to_string());
        insta::assert_snapshot!(err.to_string(), @"cannot assign requested address 10.0.0.2:80: node 'main' owns 10.0.0.1, 127.0.0.1 and 0.0.0.0");
        // The socket is still unbound, and can bind elsewhere.
        assert_eq!(socket.local_addr().unwrap(), addr("0.0.0.0:0"));
        socket.bind(addr("10.0.0.1:80")).unwrap();
    });
}

#[test]
fn a_taken_port_is_addr_in_use() {
    run(async {
        let _l = TcpListener::bind("0.0.0.0:80").await.unwrap();
        let socket = TcpSocket::new_v4().unwrap();
        let err = socket.bind(addr("127.0.0.1:80")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrInUse);
        insta::assert_snapshot!(err.to_string(), @"address already in use: 127.0.0.1:80 on node 'main'");
        // SO_REUSEADDR does not let a socket share a listener's port.
        socket.set_reuseaddr(true).unwrap();
        assert_eq!(
            socket.bind(addr("127.0.0.1:80")).unwrap_err().kind(),
            ErrorKind::AddrInUse
        );
        // A bound socket takes the port from a listener too.
        let a = TcpSocket::new_v4().unwrap();
        a.bind(addr("0.0.0.0:81")).unwrap();
        let err = TcpListener::bind("0.0.0.0:81").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrInUse);
    });
}

#[test]
fn port_zero_binds_an_ephemeral_port_from_the_nodes_allocator() {
    run(async {
        let a = TcpSocket::new_v4().unwrap();
        a.bind(addr("0.0.0.0:0")).unwrap();
        assert_eq!(a.local_addr().unwrap(), addr("0.0.0.0:49152"));
        let b = TcpSocket::new_v4().unwrap();
        b.bind(addr("127.0.0.1:0")).unwrap();
        assert_eq!(b.local_addr().unwrap(), addr("127.0.0.1:49153"));
        // TcpStream::connect's ephemeral ports come from the same counter.
        let _l = TcpListener::bind("127.0.0.1:80").await.unwrap();
        let c = TcpStream::connect("127.0.0.1:80").await.unwrap();
        assert_eq!(c.local_addr().unwrap(), addr("127.0.0.1:49154"));
    });
}

#[test]
fn family_mismatch_and_binding_twice_are_invalid_input() {
    run(async {
        let v4 = TcpSocket::new_v4().unwrap();
        let err = v4.bind(addr("[::]:80")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        insta::assert_snapshot!(err.to_string(), @"address family not supported: an IPv4 TcpSocket cannot bind to the IPv6 address [::]:80; make the socket with TcpSocket::new_v6()");
        let v6 = TcpSocket::new_v6().unwrap();
        let err = v6.connect(addr("127.0.0.1:80")).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        insta::assert_snapshot!(err.to_string(), @"address family not supported: an IPv6 TcpSocket cannot connect to the IPv4 address 127.0.0.1:80; make the socket with TcpSocket::new_v4()");
        v4.bind(addr("0.0.0.0:80")).unwrap();
        let err = v4.bind(addr("0.0.0.0:81")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        insta::assert_snapshot!(err.to_string(), @"invalid argument: the socket is already bound to 0.0.0.0:80");
    });
}

#[test]
fn a_socket_bound_to_loopback_cannot_reach_another_node() {
    run(async {
        Node::builder("db").build();
        let socket = TcpSocket::new_v4().unwrap();
        socket.bind(addr("127.0.0.1:5000")).unwrap();
        let err = socket.connect(addr("10.0.0.2:80")).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        insta::assert_snapshot!(err.to_string(), @"invalid argument: the socket is bound to the loopback address 127.0.0.1:5000, which cannot reach 10.0.0.2:80 on another node; bind it to the node's address or the unspecified address instead");
        // The failed connect consumed the socket and freed its port.
        let again = TcpSocket::new_v4().unwrap();
        again.bind(addr("127.0.0.1:5000")).unwrap();
    });
}

#[test]
fn listen_then_accept() {
    run(async {
        let socket = TcpSocket::new_v4().unwrap();
        socket.bind(addr("10.0.0.1:8080")).unwrap();
        let l = socket.listen(128).unwrap();
        assert_eq!(l.local_addr().unwrap(), addr("10.0.0.1:8080"));
        let client = spawn(async {
            let mut c = TcpStream::connect("main:8080").await.unwrap();
            c.write_all(b"hello").await.unwrap();
        });
        let (mut s, _) = l.accept().await.unwrap();
        let mut got = String::new();
        s.read_to_string(&mut got).await.unwrap();
        assert_eq!(got, "hello");
        client.await.unwrap();
    });
}

#[test]
fn listen_without_bind_takes_an_ephemeral_port_on_the_unspecified_address() {
    run(async {
        let l = TcpSocket::new_v6().unwrap().listen(16).unwrap();
        assert_eq!(l.local_addr().unwrap(), addr("[::]:49152"));
        let c = TcpStream::connect(l.local_addr().unwrap()).await.unwrap();
        assert_eq!(c.peer_addr().unwrap(), addr("[::1]:49152"));
    });
}

#[test]
fn a_bound_port_is_reserved_until_the_socket_is_dropped() {
    run(async {
        let socket = TcpSocket::new_v4().unwrap();
        socket.bind(addr("0.0.0.0:9000")).unwrap();
        // Reserved: neither a listener nor another socket gets it, and
        // nothing answers on it (a bound socket takes no connections).
        assert_eq!(
            TcpListener::bind("0.0.0.0:9000").await.unwrap_err().kind(),
            ErrorKind::AddrInUse
        );
        let err = TcpStream::connect("127.0.0.1:9000").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
        drop(socket);
        let _l = TcpListener::bind("0.0.0.0:9000").await.unwrap();
    });
}

#[test]
fn a_killed_nodes_sockets_close_and_free_their_ports() {
    run(async {
        let (tx, rx) = futures::channel::oneshot::channel();
        let node = Node::builder("app").build();
        node.spawn(async move {
            let socket = TcpSocket::new_v4().unwrap();
            socket.bind(addr("0.0.0.0:7000")).unwrap();
            // The socket escapes its node.
            tx.send(socket).unwrap();
        })
        .await
        .unwrap();
        let socket = rx.await.unwrap();
        node.kill();
        let err = socket.local_addr().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionAborted);
        insta::assert_snapshot!(err.to_string(), @"the socket was closed because its node 'app' was killed");
        node.restart();
        let l = node
            .spawn(async { TcpListener::bind("0.0.0.0:7000").await.map(|_| ()) })
            .await
            .unwrap();
        l.unwrap();
    });
}

/// An old listener's accepted connection holds the port: without
/// `SO_REUSEADDR` a new bind fails (the classic restart bug), with it on
/// both sockets the new listener binds.
#[test]
fn reuseaddr_lets_a_new_listener_bind_beside_the_old_ones_connections() {
    for reuse in [false, true] {
        run(async move {
            let old = TcpSocket::new_v4().unwrap();
            old.set_reuseaddr(reuse).unwrap();
            old.bind(addr("0.0.0.0:80")).unwrap();
            let old = old.listen(16).unwrap();
            let _c = TcpStream::connect("127.0.0.1:80").await.unwrap();
            let (_accepted, _) = old.accept().await.unwrap();
            drop(old);
            let new = TcpSocket::new_v4().unwrap();
            new.set_reuseaddr(true).unwrap();
            let r = new.bind(addr("0.0.0.0:80"));
            if reuse {
                let l = new.listen(16).unwrap();
                // The new listener takes the next connection.
                let _c2 = TcpStream::connect("127.0.0.1:80").await.unwrap();
                let _ = l.accept().await.unwrap();
            } else {
                assert_eq!(r.unwrap_err().kind(), ErrorKind::AddrInUse);
                // As TcpListener::bind's (which sets SO_REUSEADDR).
                let err = TcpListener::bind("0.0.0.0:80").await.unwrap_err();
                assert_eq!(err.kind(), ErrorKind::AddrInUse);
            }
        });
    }
}

#[test]
fn two_reuseaddr_sockets_share_a_port_but_only_one_listens() {
    run(async {
        let a = TcpSocket::new_v4().unwrap();
        let b = TcpSocket::new_v4().unwrap();
        for s in [&a, &b] {
            s.set_reuseaddr(true).unwrap();
            s.bind(addr("0.0.0.0:7000")).unwrap();
        }
        let _la = a.listen(1).unwrap();
        let err = b.listen(1).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrInUse);
    });
}

#[test]
fn two_sockets_on_one_address_cannot_connect_to_the_same_peer() {
    run(async {
        let _l = TcpListener::bind("127.0.0.1:80").await.unwrap();
        let a = TcpSocket::new_v4().unwrap();
        let b = TcpSocket::new_v4().unwrap();
        for s in [&a, &b] {
            s.set_reuseaddr(true).unwrap();
            s.bind(addr("127.0.0.1:7000")).unwrap();
        }
        let _ca = a.connect(addr("127.0.0.1:80")).await.unwrap();
        let err = b.connect(addr("127.0.0.1:80")).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrNotAvailable);
    });
}

#[test]
fn reuseport_is_unsupported_rather_than_ignored() {
    run(async {
        let s = TcpSocket::new_v4().unwrap();
        let err = s.set_reuseport(true).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unsupported);
        insta::assert_snapshot!(err.to_string(), @"SO_REUSEPORT is not simulated by detsim: listeners cannot share a port; use one listener and hand its connections to several tasks instead");
        assert!(!s.reuseport().unwrap());
    });
}

/// A full accept queue drops SYNs: with backlog 1 (two queued, as Linux
/// counts) the third client waits for an accept, and with no accept at
/// all it times out after its SYN retransmissions.
#[test]
fn the_backlog_bounds_the_accept_queue() {
    run(async {
        let l = TcpSocket::new_v4().unwrap().listen(1).unwrap();
        let at = l.local_addr().unwrap();
        let _a = TcpStream::connect(at).await.unwrap();
        let _b = TcpStream::connect(at).await.unwrap();
        let start = time::Instant::now();
        let err = TcpStream::connect(at).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut);
        assert_eq!(time::Instant::now() - start, ms(7800));
        let drops = Network::current().stats().drops.accept_queue_full;
        assert_eq!(drops, 7, "the SYN and its 6 retransmissions");
        let third = spawn(TcpStream::connect(at));
        time::sleep(ms(100)).await;
        let _ = l.accept().await.unwrap();
        third.await.unwrap().unwrap();
    });
}

#[test]
fn buffer_sizes_are_honoured_on_both_sides() {
    run(async {
        use futures::FutureExt;
        let ls = TcpSocket::new_v4().unwrap();
        ls.set_recv_buffer_size(10_000).unwrap();
        ls.set_send_buffer_size(5_000).unwrap();
        let l = ls.listen(4).unwrap();
        let cs = TcpSocket::new_v4().unwrap();
        cs.set_recv_buffer_size(20_000).unwrap();
        cs.set_send_buffer_size(6_000).unwrap();
        let mut c = cs.connect(l.local_addr().unwrap()).await.unwrap();
        let (mut s, _) = l.accept().await.unwrap();
        let fill = |s: &mut TcpStream| {
            let mut n = 0;
            while let Some(k) = s.write(&[1u8; 1000]).now_or_never() {
                n += k.unwrap();
            }
            n
        };
        // The server's window (10,000) plus the client's send buffer.
        assert_eq!(fill(&mut c), 10_000 + 6_000);
        // The client's window (20,000) plus the server's send buffer.
        assert_eq!(fill(&mut s), 20_000 + 5_000);
    });
}

/// The workload of the determinism test: clients on three nodes bind
/// chosen or ephemeral ports and talk to a server whose listener has a
/// small backlog, over a lossy, jittery network with a partition.
async fn workload() -> (Vec<Vec<String>>, String) {
    let net = Network::current();
    net.set_default(
        detsim::net::LinkConfig::new()
            .latency(detsim::net::Latency::uniform(ms(1), ms(20)))
            .loss(0.1),
    )
    .unwrap();
    let server = Node::builder("server")
        .init(|| async {
            let s = TcpSocket::new_v4().unwrap();
            s.set_reuseaddr(true).unwrap();
            s.set_recv_buffer_size(8192).unwrap();
            s.bind(addr("0.0.0.0:80")).unwrap();
            let l = s.listen(1).unwrap();
            loop {
                let (mut c, _) = l.accept().await.unwrap();
                // A slow acceptor: the queue fills up, SYNs are dropped.
                time::sleep(ms(40)).await;
                spawn(async move {
                    let mut buf = [0u8; 4096];
                    while let Ok(n) = c.read(&mut buf).await {
                        if n == 0 || c.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                });
            }
        })
        .build();
    time::sleep(ms(1)).await;
    let mut clients = Vec::new();
    for i in 0..4u16 {
        clients.push(
            Node::builder(format!("client-{i}"))
                .build()
                .spawn(async move {
                    let mut log = Vec::new();
                    for round in 0..3u16 {
                        let s = TcpSocket::new_v4().unwrap();
                        if round % 2 == 0 {
                            s.bind(addr(&format!("0.0.0.0:{}", 5000 + round))).unwrap();
                        }
                        let conn = time::timeout(ms(3000), s.connect(addr("10.0.0.2:80"))).await;
                        let mut c = match conn {
                            Ok(Ok(c)) => c,
                            other => {
                                log.push(format!("{other:?}").chars().take(40).collect());
                                continue;
                            }
                        };
                        let local = c.local_addr().unwrap();
                        let msg = vec![i as u8; 20_000];
                        let echo = async {
                            c.write_all(&msg).await?;
                            let mut back = vec![0u8; msg.len()];
                            c.read_exact(&mut back).await?;
                            Ok::<_, std::io::Error>(back == msg)
                        };
                        let r = time::timeout(ms(5000), echo).await;
                        log.push(format!(
                            "{local} {r:?} at {:?}",
                            time::Instant::now().since_start()
                        ));
                    }
                    log
                }),
        );
    }
    let chaos = spawn(async move {
        time::sleep(ms(30)).await;
        let net = Network::current();
        net.partition(&Node::lookup("client-1").unwrap(), &server);
        time::sleep(ms(400)).await;
        net.heal_all();
    });
    common::join_with_stats(clients, chaos).await
}

#[test]
fn three_hundred_seeds_run_twice_with_sockets_give_identical_runs() {
    let runs = common::run_each_seed_twice(0..300, workload);
    common::assert_seeds_differ(&runs, 200);
}

#[test]
fn the_determinism_check_passes_with_sockets() {
    Sim::builder().seed(3).check_determinism(workload).unwrap();
}

#[test]
fn outside_a_simulation_the_constructor_names_itself_and_the_fix() {
    let msg = common::panic_message(|| drop(TcpSocket::new_v4()));
    assert_eq!(
        msg,
        "detsim::net::TcpSocket::new_v4 was called outside a detsim simulation: call it from \
         code running inside `Sim::run` (or a `#[sim_test]`), on the simulation's thread"
    );
}

/// As tokio's: the socket and its connect future move between tasks.
#[test]
fn the_socket_and_its_connect_future_are_send() {
    fn send_sync<T: Send + Sync>(_: &T) {}
    fn send<T: Send>(_: &T) {}
    run(async {
        let s = TcpSocket::new_v4().unwrap();
        send_sync(&s);
        let f = s.connect(addr("127.0.0.1:80"));
        send(&f);
        assert_eq!(f.await.unwrap_err().kind(), ErrorKind::ConnectionRefused);
    });
}

#[test]
fn nodelay_and_linger_pass_on_to_the_streams() {
    run(async {
        // A listener's options reach the streams it accepts, as Linux's
        // accepted sockets copy them.
        let listening = TcpSocket::new_v4().unwrap();
        listening.bind(addr("0.0.0.0:80")).unwrap();
        listening.set_nodelay(true).unwrap();
        listening.set_zero_linger().unwrap();
        let l = listening.listen(16).unwrap();
        // A connecting socket's reach its stream.
        let connecting = TcpSocket::new_v4().unwrap();
        connecting.set_nodelay(true).unwrap();
        let mut c = connecting.connect(addr("10.0.0.1:80")).await.unwrap();
        assert!(c.nodelay().unwrap());
        assert_eq!(c.linger().unwrap(), None);
        let (accepted, _) = l.accept().await.unwrap();
        assert!(accepted.nodelay().unwrap());
        assert_eq!(accepted.linger().unwrap(), Some(std::time::Duration::ZERO));
        // The accepted stream's close is abortive.
        accepted.try_write(b"last").unwrap();
        drop(accepted);
        let mut buf = [0u8; 8];
        assert_eq!(c.read(&mut buf).await.unwrap(), 4);
        let err = c.read(&mut buf).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionReset);
        // A plain TcpListener's streams have the defaults.
        let plain = TcpListener::bind("0.0.0.0:81").await.unwrap();
        let _c2 = TcpStream::connect("10.0.0.1:81").await.unwrap();
        let (s2, _) = plain.accept().await.unwrap();
        assert!(!s2.nodelay().unwrap());
        assert_eq!(s2.linger().unwrap(), None);
    });
}

#[test]
fn a_bound_listener_has_tokios_backlog() {
    run(async {
        let l = TcpListener::bind("0.0.0.0:80").await.unwrap();
        // 1,025 connections fill the queue (backlog + 1, as Linux counts).
        let mut held = Vec::new();
        for _ in 0..1025 {
            held.push(TcpStream::connect("10.0.0.1:80").await.unwrap());
        }
        let late = spawn(TcpStream::connect("10.0.0.1:80"));
        time::sleep(ms(100)).await;
        let net = Network::current();
        assert_eq!(net.stats().drops.accept_queue_full, 1);
        assert!(!late.is_finished());
        let _ = l.accept().await.unwrap();
        late.await.unwrap().unwrap();
    });
}
