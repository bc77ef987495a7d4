//! IPv4 multicast on detsim's `UdpSocket`: a send to a group reaches the
//! member nodes (one copy each, through each link's faults), the sender's
//! own node with `IP_MULTICAST_LOOP`, nobody else with TTL 0; leaving,
//! dropping the socket or a kill ends a membership; bad arguments get
//! Linux's errors; and runs replay exactly.

mod common;

use std::cell::RefCell;
use std::io::ErrorKind;
use std::net::{Ipv4Addr, SocketAddr};
use std::rc::Rc;

use common::{ms, since_start};
use detsim::net::{Latency, LinkConfig, Network, UdpSocket};
use detsim::node::Node;
use detsim::time;

const GROUP: Ipv4Addr = Ipv4Addr::new(239, 1, 2, 3);
const ANY: Ipv4Addr = Ipv4Addr::UNSPECIFIED;

fn group_addr(port: u16) -> SocketAddr {
    SocketAddr::from((GROUP, port))
}

/// What the member nodes received: `"<node> got <payload> at <ms>"`.
type Log = Rc<RefCell<Vec<String>>>;

/// A node named `name` whose socket on `0.0.0.0:5000` joins [`GROUP`]
/// (unless `join` is false) and receives datagrams until the run ends,
/// noting each in `log`.
fn member(name: &str, join: bool, log: &Log) -> Node {
    let (name, log) = (name.to_owned(), log.clone());
    Node::builder(name.clone())
        .init(move || {
            let (name, log) = (name.clone(), log.clone());
            async move {
                let sock = UdpSocket::bind("0.0.0.0:5000").await.unwrap();
                if join {
                    sock.join_multicast_v4(GROUP, ANY).unwrap();
                }
                let mut buf = [0u8; 64];
                loop {
                    let (n, _) = sock.recv_from(&mut buf).await.unwrap();
                    let text = String::from_utf8_lossy(&buf[..n]).into_owned();
                    let at = since_start().as_millis();
                    log.borrow_mut().push(format!("{name} got {text} at {at}"));
                }
            }
        })
        .build()
}

#[test]
fn a_group_send_reaches_each_member_node_once() {
    let log = Log::default();
    common::run(async {
        member("a", true, &log);
        member("b", true, &log);
        member("outsider", false, &log);
        time::sleep(ms(1)).await;
        let sock = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        assert_eq!(sock.send_to(b"hello", group_addr(5000)).await.unwrap(), 5);
        time::sleep(ms(10)).await;
        let stats = Network::current().stats();
        assert_eq!(stats.total().sent, 2, "a copy per member node only");
        assert_eq!(stats.total().delivered, 2);
        assert_eq!(stats.drops.no_socket, 0);
    });
    let mut got = log.borrow().clone();
    got.sort();
    assert_eq!(got, ["a got hello at 2", "b got hello at 2"]);
}

#[test]
fn the_senders_node_gets_a_copy_at_once_unless_loop_is_off() {
    common::run(async {
        let sock = UdpSocket::bind("0.0.0.0:5000").await.unwrap();
        sock.join_multicast_v4(GROUP, ANY).unwrap();
        let t0 = since_start();
        sock.send_to(b"self", group_addr(5000)).await.unwrap();
        let mut buf = [0u8; 8];
        let (n, from) = sock.recv_from(&mut buf).await.unwrap();
        assert_eq!((&buf[..n], since_start()), (&b"self"[..], t0));
        assert_eq!(from.to_string(), "10.0.0.1:5000");
        sock.set_multicast_loop_v4(false).unwrap();
        sock.send_to(b"self", group_addr(5000)).await.unwrap();
        assert!(
            time::timeout(ms(10), sock.recv_from(&mut buf))
                .await
                .is_err()
        );
    });
}

#[test]
fn ttl_zero_stays_on_the_node() {
    let log = Log::default();
    common::run(async {
        member("a", true, &log);
        time::sleep(ms(1)).await;
        let local = UdpSocket::bind("0.0.0.0:5000").await.unwrap();
        local.join_multicast_v4(GROUP, ANY).unwrap();
        let sock = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        sock.set_multicast_ttl_v4(0).unwrap();
        sock.send_to(b"near", group_addr(5000)).await.unwrap();
        let mut buf = [0u8; 8];
        assert_eq!(local.recv_from(&mut buf).await.unwrap().0, 4);
        time::sleep(ms(10)).await;
        assert_eq!(Network::current().stats().total().sent, 1);
    });
    assert!(log.borrow().is_empty(), "node a got nothing");
}

#[test]
fn leaving_dropping_and_killing_end_a_membership() {
    common::run(async {
        let a = Node::builder("a").build();
        let sock = a
            .spawn(async {
                let s = UdpSocket::bind("0.0.0.0:5000").await.unwrap();
                s.join_multicast_v4(GROUP, ANY).unwrap();
                s
            })
            .await
            .unwrap();
        let sender = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        let net = Network::current();
        // In flight when the node leaves: dropped on arrival.
        sender.send_to(b"1", group_addr(5000)).await.unwrap();
        sock.leave_multicast_v4(GROUP, ANY).unwrap();
        time::sleep(ms(5)).await;
        assert_eq!(net.stats().drops.no_socket, 1);
        assert!(sock.try_recv_from(&mut [0u8; 4]).is_err());
        // Not a member: nothing is sent at all.
        sender.send_to(b"2", group_addr(5000)).await.unwrap();
        assert_eq!(net.stats().total().sent, 1);
        // Membership is the node's (IP_MULTICAST_ALL): another socket's
        // join makes the node a member for the bound socket.
        let other = a
            .spawn(async {
                let s = UdpSocket::bind("0.0.0.0:6000").await.unwrap();
                s.join_multicast_v4(GROUP, ANY).unwrap();
                s
            })
            .await
            .unwrap();
        sender.send_to(b"3", group_addr(5000)).await.unwrap();
        time::sleep(ms(5)).await;
        let mut buf = [0u8; 4];
        assert_eq!(sock.try_recv_from(&mut buf).unwrap().0, 1);
        assert_eq!(&buf[..1], b"3");
        drop(other);
        sender.send_to(b"4", group_addr(5000)).await.unwrap();
        assert_eq!(net.stats().total().sent, 2, "dropped: no member left");
        // A kill ends it too; the restarted node must join again.
        sock.join_multicast_v4(GROUP, ANY).unwrap();
        a.kill();
        a.restart();
        sender.send_to(b"5", group_addr(5000)).await.unwrap();
        assert_eq!(net.stats().total().sent, 2);
    });
}

#[test]
fn a_partition_or_loss_takes_a_copy_not_the_others() {
    let log = Log::default();
    common::run(async {
        let a = member("a", true, &log);
        member("b", true, &log);
        time::sleep(ms(1)).await;
        let net = Network::current();
        net.partition(&Node::current(), &a);
        let sock = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        sock.send_to(b"cut", group_addr(5000)).await.unwrap();
        time::sleep(ms(5)).await;
        assert_eq!(net.stats().drops.partition, 1);
    });
    assert_eq!(*log.borrow(), ["b got cut at 2"]);
}

#[test]
fn bad_arguments_get_linuxs_errors() {
    common::run(async {
        let s = UdpSocket::bind("0.0.0.0:5000").await.unwrap();
        let err = s
            .join_multicast_v4(Ipv4Addr::new(10, 0, 0, 2), ANY)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(err.to_string().contains("not a multicast group"), "{err}");
        let err = s
            .join_multicast_v4(GROUP, Ipv4Addr::new(10, 9, 9, 9))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrNotAvailable);
        assert!(
            err.to_string()
                .contains("give 0.0.0.0 or the node's address 10.0.0.1"),
            "{err}"
        );
        s.join_multicast_v4(GROUP, Ipv4Addr::new(10, 0, 0, 1))
            .unwrap();
        let err = s.join_multicast_v4(GROUP, ANY).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrInUse);
        let err = s
            .leave_multicast_v4(Ipv4Addr::new(239, 9, 9, 9), ANY)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrNotAvailable);
        assert!(err.to_string().contains("not a member"), "{err}");
        let err = s.set_multicast_ttl_v4(256).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        let err = s.set_multicast_loop_v6(true).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(err.to_string().contains("IPv4 socket"), "{err}");

        let s6 = UdpSocket::bind("[::]:5000").await.unwrap();
        let err = s6.join_multicast_v4(GROUP, ANY).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(err.to_string().contains("IPv6 socket"), "{err}");
        let err = s6
            .join_multicast_v6(&"ff02::fb".parse().unwrap(), 0)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unsupported);
        assert!(err.to_string().contains("use an IPv4 group"), "{err}");
        assert!(s6.multicast_loop_v6().unwrap());
    });
}

#[test]
fn a_socket_joins_at_most_twenty_groups() {
    common::run(async {
        let s = UdpSocket::bind("0.0.0.0:5000").await.unwrap();
        for i in 0..20 {
            s.join_multicast_v4(Ipv4Addr::new(239, 0, 0, i), ANY)
                .unwrap();
        }
        let err = s
            .join_multicast_v4(Ipv4Addr::new(239, 0, 0, 20), ANY)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Other);
        assert!(err.to_string().contains("ENOBUFS"), "{err}");
        assert!(err.to_string().contains("leave one first"), "{err}");
        // Per socket, as Linux's limit: another socket may join.
        let t = UdpSocket::bind("0.0.0.0:5001").await.unwrap();
        t.join_multicast_v4(Ipv4Addr::new(239, 0, 0, 20), ANY)
            .unwrap();
        s.leave_multicast_v4(Ipv4Addr::new(239, 0, 0, 0), ANY)
            .unwrap();
        s.join_multicast_v4(Ipv4Addr::new(239, 0, 0, 20), ANY)
            .unwrap();
    });
}

/// Group sends under loss, duplication and jitter to three members:
/// each seed runs the same way twice, and the seeds differ.
#[test]
fn group_sends_under_faults_are_deterministic() {
    let runs = common::run_each_seed_twice(0..200, || async {
        let net = Network::current();
        net.set_default(
            LinkConfig::new()
                .latency(Latency::uniform(ms(1), ms(9)))
                .loss(0.2)
                .duplicate(0.1),
        )
        .unwrap();
        let log = Log::default();
        for name in ["a", "b", "c"] {
            member(name, true, &log);
        }
        time::sleep(ms(1)).await;
        let sock = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        for i in 0..20u8 {
            sock.send_to(&[b'a' + i], group_addr(5000)).await.unwrap();
            time::sleep(ms(detsim::rand::gen_range(0..5))).await;
        }
        time::sleep(ms(200)).await;
        let stats = net.stats();
        let got = log.borrow().join(", ");
        (
            (stats.total().sent, stats.total().delivered),
            format!("{:?} {got}", stats.drops),
        )
    });
    common::assert_seeds_differ(&runs, 20);
}

/// Linux lets a UDP socket bind to a group address (`inet_bind` accepts
/// `RTN_MULTICAST`), a common way to receive only that group's traffic
/// on a port: such a socket takes the group's datagrams once the node
/// joined, nothing else (it sends from the node's address: see
/// `review_a_socket_bound_to_a_group_sends_from_the_node_address`).
#[test]
fn a_socket_bound_to_the_group_address_receives_the_group() {
    common::run(async {
        let sock = UdpSocket::bind(group_addr(5000)).await.unwrap();
        assert_eq!(sock.local_addr().unwrap(), group_addr(5000));
        sock.join_multicast_v4(GROUP, ANY).unwrap();
        let sender = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        sender.send_to(b"g", group_addr(5000)).await.unwrap();
        let mut buf = [0u8; 4];
        assert_eq!(sock.recv_from(&mut buf).await.unwrap().0, 1);
        // Only that group: unicast to the port finds no socket.
        sender.send_to(b"u", "10.0.0.1:5000").await.unwrap();
        let other = Ipv4Addr::new(239, 9, 9, 9);
        sock.join_multicast_v4(other, ANY).unwrap();
        sender.send_to(b"o", (other, 5000)).await.unwrap();
        time::sleep(ms(5)).await;
        assert!(sock.try_recv_from(&mut buf).is_err());
        assert_eq!(Network::current().stats().drops.no_socket, 2);
        // TCP cannot bind one.
        let err = detsim::net::TcpListener::bind(group_addr(80))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrNotAvailable);
    });
}

/// Review: Linux's `inet_bind` keeps a group as the receive address
/// only: the source of what the socket sends is the device's address
/// ("inet_saddr = 0; /* Use device */"), so a socket bound to a group
/// sends, from the node's address and its port, and reports the group as
/// its local address.
#[test]
fn review_a_socket_bound_to_a_group_sends_from_the_node_address() {
    common::run(async {
        let peer = Node::builder("peer").build();
        let rx = peer
            .spawn(async { UdpSocket::bind("0.0.0.0:9").await.unwrap() })
            .await
            .unwrap();
        let sock = UdpSocket::bind(group_addr(5000)).await.unwrap();
        let dst = SocketAddr::new(Network::current().addr_of(&peer), 9);
        assert_eq!(sock.send_to(b"x", dst).await.unwrap(), 1);
        let mut buf = [0u8; 4];
        let (n, from) = rx.recv_from(&mut buf).await.unwrap();
        assert_eq!((n, from), (1, "10.0.0.1:5000".parse().unwrap()));
        assert_eq!(sock.local_addr().unwrap(), group_addr(5000));
        // The answer to that address finds no socket: the socket takes
        // only the group's datagrams.
        rx.send_to(b"y", from).await.unwrap();
        time::sleep(ms(5)).await;
        assert!(sock.try_recv_from(&mut buf).is_err());
    });
}
