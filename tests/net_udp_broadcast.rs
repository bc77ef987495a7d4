//! UDP broadcast: without `set_broadcast(true)` a send to (or connect to)
//! `255.255.255.255` fails with `PermissionDenied`, as on Linux; with it,
//! every node gets a copy (the sender's node included), each through its
//! link's fault rules, and on arrival the node's socket bound to `0.0.0.0`
//! on the port takes it (sockets bound to one address or connected to a
//! peer do not); a node with no such socket then drops it.

mod common;

use std::io::ErrorKind;
use std::net::SocketAddr;

use common::ms;
use detsim::net::{Latency, LinkConfig, Network, UdpSocket};
use detsim::node::Node;
use detsim::{Sim, time};
use futures::channel::mpsc;
use futures::{SinkExt, StreamExt};

const BROADCAST: &str = "255.255.255.255:9999";

#[test]
fn broadcast_without_so_broadcast_is_permission_denied() {
    common::run(async {
        let s = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        assert!(!s.broadcast().unwrap());
        let err = s.send_to(b"x", BROADCAST).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::PermissionDenied);
        assert_eq!(
            err.to_string(),
            "permission denied: cannot send to the broadcast address 255.255.255.255:9999 \
             without SO_BROADCAST; call set_broadcast(true) on the socket first"
        );
        let to: SocketAddr = BROADCAST.parse().unwrap();
        let err = s.try_send_to(b"x", to).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::PermissionDenied);
        let err = s.connect(BROADCAST).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::PermissionDenied);
        assert!(
            err.to_string()
                .contains("cannot connect to the broadcast address")
        );
        assert!(err.to_string().contains("set_broadcast(true)"));
        assert_eq!(s.peer_addr().unwrap_err().kind(), ErrorKind::NotConnected);
        // Nothing was sent.
        assert_eq!(Network::current().stats().total().sent, 0);
    });
}

/// A node that binds `addr` and forwards what it receives (payload, sender)
/// to `tx`, forever.
fn listener(
    name: &str,
    addr: &'static str,
    tx: mpsc::UnboundedSender<(String, Vec<u8>, SocketAddr)>,
) -> Node {
    let who = name.to_string();
    Node::builder(name)
        .init(move || {
            let (who, mut tx) = (who.clone(), tx.clone());
            async move {
                let sock = UdpSocket::bind(addr).await.unwrap();
                let mut buf = [0u8; 64];
                loop {
                    let (n, from) = sock.recv_from(&mut buf).await.unwrap();
                    tx.send((who.clone(), buf[..n].to_vec(), from))
                        .await
                        .unwrap();
                }
            }
        })
        .build()
}

#[test]
fn a_broadcast_reaches_every_wildcard_socket_on_the_port() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let (tx, mut rx) = mpsc::unbounded();
        listener("a", "0.0.0.0:9999", tx.clone());
        listener("b", "0.0.0.0:9999", tx.clone());
        listener("other-port", "0.0.0.0:9998", tx.clone());
        // Linux delivers broadcasts to wildcard-bound sockets only.
        let pinned = Node::builder("pinned").build();
        let pinned_addr = format!("{}:9999", detsim::net::node_addr(&pinned));
        let pinned_sock = pinned
            .spawn(async move { UdpSocket::bind(pinned_addr).await.unwrap() })
            .await
            .unwrap();
        listener("ipv6", "[::]:9999", tx.clone());
        // The sender's own node hears it too.
        let own = UdpSocket::bind("0.0.0.0:9999").await.unwrap();
        time::sleep(ms(1)).await;

        let sender = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        sender.set_broadcast(true).unwrap();
        assert!(sender.broadcast().unwrap());
        assert_eq!(sender.send_to(b"hello, all", BROADCAST).await.unwrap(), 10);
        let me: SocketAddr = "10.0.0.1:49152".parse().unwrap();
        let mut buf = [0u8; 16];
        // Over loopback: here at once, from the node's address.
        assert_eq!(own.try_recv_from(&mut buf).unwrap(), (10, me));
        time::sleep(ms(5)).await;
        let mut got = Vec::new();
        while let Ok(m) = rx.try_recv() {
            got.push(m);
        }
        got.sort();
        assert_eq!(
            got,
            vec![
                ("a".to_string(), b"hello, all".to_vec(), me),
                ("b".to_string(), b"hello, all".to_vec(), me),
            ]
        );
        assert_eq!(
            pinned_sock.try_recv_from(&mut buf).unwrap_err().kind(),
            ErrorKind::WouldBlock
        );
        // One datagram per node: a, b and the sender's node take theirs;
        // the three nodes with no wildcard socket on the port drop theirs.
        let stats = Network::current().stats();
        assert_eq!((stats.total().sent, stats.total().delivered), (6, 3));
        assert_eq!((stats.drops.total(), stats.drops.no_socket), (3, 3));
        assert_eq!(stats.link("main", "a").delivered, 1);
        assert_eq!(stats.link("main", "main").delivered, 1);
        assert_eq!(stats.link("main", "pinned").dropped, 1);
    })
    .unwrap();
}

#[test]
fn each_copy_meets_its_own_link() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let (tx, mut rx) = mpsc::unbounded();
        let a = listener("a", "0.0.0.0:9999", tx.clone());
        let b = listener("b", "0.0.0.0:9999", tx.clone());
        listener("c", "0.0.0.0:9999", tx.clone());
        time::sleep(ms(1)).await;
        let net = Network::current();
        net.partition(&Node::current(), &a);
        net.set_link(
            &Node::current(),
            &b,
            LinkConfig::new().latency(Latency::constant(ms(50))),
        )
        .unwrap();
        let sender = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        sender.set_broadcast(true).unwrap();
        let start = time::Instant::now();
        sender.send_to(b"hi", BROADCAST).await.unwrap();
        let (first, ..) = rx.next().await.unwrap();
        assert_eq!((first.as_str(), time::Instant::now() - start), ("c", ms(1)));
        let (second, ..) = rx.next().await.unwrap();
        assert_eq!(
            (second.as_str(), time::Instant::now() - start),
            ("b", ms(50))
        );
        time::sleep(ms(100)).await;
        assert!(rx.try_recv().is_err(), "a is cut off");
        assert_eq!(net.stats().drops.partition, 1);
    })
    .unwrap();
}

#[test]
fn a_socket_connected_to_the_broadcast_address_sends_broadcasts() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let (tx, mut rx) = mpsc::unbounded();
        listener("a", "0.0.0.0:9999", tx.clone());
        time::sleep(ms(1)).await;
        let s = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        assert!(format!("{s:?}").ends_with("broadcast: false }"), "{s:?}");
        s.set_broadcast(true).unwrap();
        // Debug output shows the flag (SO_BROADCAST).
        assert!(format!("{s:?}").ends_with("broadcast: true }"), "{s:?}");
        s.connect(BROADCAST).await.unwrap();
        assert_eq!(s.peer_addr().unwrap().to_string(), BROADCAST);
        // The source address is the node's, as Linux picks it.
        assert_eq!(s.local_addr().unwrap().to_string(), "10.0.0.1:49152");
        s.send(b"one").await.unwrap();
        let (_, data, from) = rx.next().await.unwrap();
        assert_eq!((data, from), (b"one".to_vec(), s.local_addr().unwrap()));
        // SO_BROADCAST is checked at every send, as on Linux.
        s.set_broadcast(false).unwrap();
        let err = s.send(b"two").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::PermissionDenied);
        assert_eq!(
            s.try_send(b"two").unwrap_err().kind(),
            ErrorKind::PermissionDenied
        );
    })
    .unwrap();
}

#[test]
fn only_the_limited_broadcast_address_is_special() {
    common::run(async {
        // Node 254 is 10.0.0.255: the network has no subnet, so there is
        // no directed broadcast address, only node addresses.
        let nodes: Vec<Node> = (1..=254)
            .map(|i| Node::builder(format!("n{i}")).build())
            .collect();
        assert_eq!(
            detsim::net::node_addr(&nodes[253]).to_string(),
            "10.0.0.255"
        );
        let s = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        s.send_to(b"x", "10.0.0.255:9").await.unwrap();
        s.send_to(b"x", "10.255.255.255:9").await.unwrap();
        // IPv6 has no broadcast.
        let s6 = UdpSocket::bind("[::]:0").await.unwrap();
        s6.send_to(b"x", "[ff02::1]:9").await.unwrap();
    });
}

#[test]
fn a_broadcast_from_a_loopback_socket_is_invalid() {
    common::run(async {
        let s = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        s.set_broadcast(true).unwrap();
        let err = s.send_to(b"x", BROADCAST).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
    });
}

#[test]
fn set_broadcast_fails_once_the_node_is_killed() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let node = Node::builder("n").build();
        let sock = node
            .spawn(async { UdpSocket::bind("0.0.0.0:0").await.unwrap() })
            .await
            .unwrap();
        node.kill();
        let err = sock.set_broadcast(true).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionAborted);
        assert_eq!(
            sock.broadcast().unwrap_err().kind(),
            ErrorKind::ConnectionAborted
        );
    })
    .unwrap();
}

/// Which socket gets a copy is decided when it arrives, as a host does:
/// one bound after the send but before the arrival gets it, one closed in
/// between does not, and a node that is down drops it.
#[test]
fn the_receiver_is_the_socket_bound_when_the_copy_arrives() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let late = Node::builder("late").build();
        let gone = Node::builder("gone").build();
        let down = Node::builder("down").build();
        let leaving = gone
            .spawn(async { UdpSocket::bind("0.0.0.0:9999").await.unwrap() })
            .await
            .unwrap();
        down.spawn(async { UdpSocket::bind("0.0.0.0:9999").await.unwrap() })
            .await
            .unwrap();
        let sender = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        sender.set_broadcast(true).unwrap();
        sender.send_to(b"hi", BROADCAST).await.unwrap();
        // The copies take the default link's 1 ms.
        let bound = late
            .spawn(async { UdpSocket::bind("0.0.0.0:9999").await.unwrap() })
            .await
            .unwrap();
        drop(leaving);
        down.kill();
        time::sleep(ms(2)).await;
        let mut buf = [0u8; 8];
        let (n, from) = bound.try_recv_from(&mut buf).unwrap();
        assert_eq!(
            (&buf[..n], from.to_string().as_str()),
            (&b"hi"[..], "10.0.0.1:49152")
        );
        let drops = Network::current().stats().drops;
        // main and gone: no socket; down: node down.
        assert_eq!((drops.no_socket, drops.node_down), (2, 1));
    })
    .unwrap();
}

/// `SO_BROADCAST` is the socket's state: the netstat snapshot shows it,
/// and turning it off again takes it away.
#[test]
fn netstat_shows_so_broadcast() {
    common::run(async {
        let on = UdpSocket::bind("0.0.0.0:9999").await.unwrap();
        let off = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        on.set_broadcast(true).unwrap();
        let table = Network::current().netstat();
        let flags: Vec<(u16, bool)> = table
            .sockets
            .iter()
            .map(|r| (r.local.port(), r.broadcast))
            .collect();
        assert_eq!(flags, [(9999, true), (49152, false)]);
        let text = table.to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[1].ends_with("  SO_BROADCAST"), "{text}");
        assert!(
            lines[1].starts_with("udp   main         0.0.0.0:9999"),
            "{text}"
        );
        assert!(!lines[2].contains("SO_BROADCAST"), "{text}");
        assert!(format!("{on:?}").contains("broadcast: true"));
        on.set_broadcast(false).unwrap();
        assert!(!Network::current().netstat().sockets[0].broadcast);
        drop(off);
    });
}
