//! IPv6: every node also has `fd00::{id+1}`, `::1` is loopback, `[::]`
//! binds every IPv6 address of a node (IPv6-only), names resolve to IPv4
//! then IPv6, and TCP and UDP work over IPv6 end to end, through the same
//! faults, counters, netstat and trace as IPv4.

mod common;

use std::io::ErrorKind;
use std::net::SocketAddr;
use std::time::Duration;

use common::{addr, ms, since_start};
use detsim::net::{
    Latency, LinkConfig, MAX_DATAGRAM, MAX_DATAGRAM_V6, Network, TcpListener, TcpStream, UdpSocket,
    lookup_host, node_addr_v6,
};
use detsim::node::Node;
use detsim::time::{self, Instant, SystemTime};
use detsim::{Sim, spawn};
use futures::io::{AsyncReadExt, AsyncWriteExt};

/// A node that echoes TCP on `[::]:80`.
fn tcp_echo6(name: &str) -> Node {
    common::tcp_echo_node(name, "[::]:80")
}

#[test]
fn tcp_echo_over_ipv6_reports_ipv6_addresses_on_both_ends() {
    let mut sim = Sim::builder().seed(1).build();
    sim.run(async {
        let server = Node::builder("server")
            .init(|| async {
                let listener = TcpListener::bind("[::]:80").await.unwrap();
                assert_eq!(listener.local_addr().unwrap(), addr("[::]:80"));
                let (mut s, peer) = listener.accept().await.unwrap();
                assert_eq!(peer, addr("[fd00::1]:49152"));
                assert_eq!(s.local_addr().unwrap(), addr("[fd00::2]:80"));
                assert_eq!(s.peer_addr().unwrap(), peer);
                let mut req = [0u8; 4];
                s.read_exact(&mut req).await.unwrap();
                s.write_all(&req).await.unwrap();
            })
            .build();
        assert_eq!(node_addr_v6(&server).to_string(), "fd00::2");
        time::sleep(ms(1)).await;
        let mut s = TcpStream::connect("[fd00::2]:80").await.unwrap();
        // One round trip of the default 1 ms latency, as over IPv4.
        assert_eq!(since_start(), ms(3));
        assert_eq!(s.local_addr().unwrap(), addr("[fd00::1]:49152"));
        assert_eq!(s.peer_addr().unwrap(), addr("[fd00::2]:80"));
        s.write_all(b"ping").await.unwrap();
        let mut reply = [0u8; 4];
        s.read_exact(&mut reply).await.unwrap();
        assert_eq!(&reply, b"ping");
        assert_eq!(since_start(), ms(5));
    })
    .unwrap();
}

#[test]
fn udp_over_ipv6_by_name_and_by_literal() {
    let mut sim = Sim::builder().seed(2).build();
    sim.run(async {
        common::udp_echo_node("server", "[::]:7");
        let sock = UdpSocket::bind("[::]:0").await.unwrap();
        assert_eq!(sock.local_addr().unwrap(), addr("[::]:49152"));
        // send_to by name uses the first address, IPv4, as tokio's: the
        // error names the one to use.
        let err = sock.send_to(b"by name", "server:7").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(
            err.to_string().contains("send to [fd00::2]:7 instead"),
            "{err}"
        );
        sock.send_to(b"literal", "[fd00::2]:7").await.unwrap();
        let mut buf = [0u8; 16];
        let (n, from) = sock.recv_from(&mut buf).await.unwrap();
        assert_eq!((&buf[..n], from), (&b"literal"[..], addr("[fd00::2]:7")));
        assert_eq!(since_start(), ms(2));
        // connect by name tries each address: the IPv6 one is taken. Only
        // datagrams from the peer are kept.
        sock.connect("server:7").await.unwrap();
        assert_eq!(sock.peer_addr().unwrap(), addr("[fd00::2]:7"));
        sock.send(b"by name").await.unwrap();
        let n = sock.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"by name");
        let stats = Network::current().stats();
        assert_eq!(stats.link("main", "server").sent, 2);
        assert_eq!(stats.link("server", "main").delivered, 2);
    })
    .unwrap();
}

#[test]
fn a_udp_datagram_over_ipv6_carries_up_to_65527_bytes_and_the_error_names_the_ipv6_limit() {
    // Linux: 65,535 - 8 over IPv6 (the payload length excludes the IPv6
    // header), 65,535 - 8 - 20 over IPv4; one byte more is EMSGSIZE.
    let mut sim = Sim::builder().build();
    sim.run(async {
        let v6 = UdpSocket::bind("[::1]:0").await.unwrap();
        let me = v6.local_addr().unwrap();
        assert_eq!(MAX_DATAGRAM_V6, 65_527);
        assert_eq!(
            v6.send_to(&vec![6; MAX_DATAGRAM_V6], me).await.unwrap(),
            MAX_DATAGRAM_V6
        );
        let mut buf = vec![0u8; 70_000];
        let (n, from) = v6.recv_from(&mut buf).await.unwrap();
        assert_eq!((n, from), (MAX_DATAGRAM_V6, me));
        let err = v6
            .send_to(&vec![6; MAX_DATAGRAM_V6 + 1], me)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        insta::assert_snapshot!(err.to_string(), @"message too long: a UDP datagram carries at most 65527 bytes over IPv6, got 65528");
        // send() on a connected socket checks the same limit.
        v6.connect(me).await.unwrap();
        assert_eq!(
            v6.send(&vec![6; MAX_DATAGRAM_V6]).await.unwrap(),
            MAX_DATAGRAM_V6
        );
        let err = v6.send(&vec![6; MAX_DATAGRAM_V6 + 1]).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        // IPv4 keeps its smaller limit, and its message says so.
        let v4 = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let err = v4
            .send_to(&vec![4; MAX_DATAGRAM + 1], v4.local_addr().unwrap())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        insta::assert_snapshot!(err.to_string(), @"message too long: a UDP datagram carries at most 65507 bytes over IPv4, got 65508");
    })
    .unwrap();
}

#[test]
fn lookup_host_gives_the_ipv4_address_then_the_ipv6_one() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        Node::builder("db").build();
        let all = |v: Vec<SocketAddr>| v.iter().map(|a| a.to_string()).collect::<Vec<_>>();
        let db: Vec<_> = lookup_host("db:5432").await.unwrap().collect();
        assert_eq!(all(db), ["10.0.0.2:5432", "[fd00::2]:5432"]);
        let db: Vec<_> = lookup_host(("db", 1)).await.unwrap().collect();
        assert_eq!(all(db), ["10.0.0.2:1", "[fd00::2]:1"]);
        let me: Vec<_> = lookup_host("localhost:9").await.unwrap().collect();
        assert_eq!(all(me), ["127.0.0.1:9", "[::1]:9"]);
        for literal in ["[fd00::2]:80", "[fd00:0:0:0:0:0:0:2]:80"] {
            let v6: Vec<_> = lookup_host(literal).await.unwrap().collect();
            assert_eq!(all(v6), ["[fd00::2]:80"], "{literal}");
        }
        for host in ["fd00::2", "[fd00::2]"] {
            let v6: Vec<_> = lookup_host((host, 80)).await.unwrap().collect();
            assert_eq!(all(v6), ["[fd00::2]:80"], "{host}");
        }
        // A scope id is not simulated: it reads back as none.
        let scoped: Vec<_> = lookup_host("[fd00::2%4]:80").await.unwrap().collect();
        assert_eq!(all(scoped), ["[fd00::2]:80"]);
        let err = lookup_host("[fd00::2:80").await.map(|_| ()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
    })
    .unwrap();
}

#[test]
fn ipv6_loopback_stays_inside_the_node_and_arrives_at_once() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let listener = TcpListener::bind("[::1]:0").await.unwrap();
        let at = listener.local_addr().unwrap();
        assert_eq!(at, addr("[::1]:49152"));
        let accept = spawn(async move { listener.accept().await.unwrap() });
        let mut c = TcpStream::connect(at).await.unwrap();
        let (mut s, peer) = accept.await.unwrap();
        assert_eq!(c.local_addr().unwrap(), peer);
        assert_eq!(peer.ip().to_string(), "::1");
        c.write_all(b"hi").await.unwrap();
        let mut buf = [0u8; 2];
        s.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"hi");

        let u = UdpSocket::bind("[::1]:0").await.unwrap();
        u.send_to(b"self", u.local_addr().unwrap()).await.unwrap();
        let mut buf = [0u8; 8];
        let (n, from) = u.recv_from(&mut buf).await.unwrap();
        assert_eq!((&buf[..n], from), (&b"self"[..], u.local_addr().unwrap()));
        // A node's own IPv6 address is local too.
        let own = UdpSocket::bind("[fd00::1]:0").await.unwrap();
        own.send_to(b"own", own.local_addr().unwrap())
            .await
            .unwrap();
        let (n, _) = own.recv_from(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"own");
        // A loopback socket reaches its node's own address (as on
        // Linux), but cannot send off the node.
        u.send_to(b"lo", own.local_addr().unwrap()).await.unwrap();
        let (n, from) = own.recv_from(&mut buf).await.unwrap();
        assert_eq!((&buf[..n], from), (&b"lo"[..], u.local_addr().unwrap()));
        Node::builder("other").build();
        let err = u.send_to(b"x", "[fd00::2]:7").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert_eq!(since_start(), Duration::ZERO, "no link latency");
    })
    .unwrap();
}

#[test]
fn binding_an_ipv6_address_the_node_does_not_own_is_addr_not_available() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let other = Node::builder("other").build();
        let err = UdpSocket::bind("[fd00::2]:80").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrNotAvailable);
        insta::assert_snapshot!(err.to_string(), @"cannot assign requested address [fd00::2]:80: node 'main' owns fd00::1, ::1 and ::");
        let err = TcpListener::bind("[2001:db8::1]:80").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrNotAvailable);
        // The same address is fine on its own node.
        let ok = other
            .spawn(async { TcpListener::bind("[fd00::2]:80").await.map(|_| ()) })
            .await
            .unwrap();
        assert!(ok.is_ok());
    })
    .unwrap();
}

#[test]
fn ipv6_wildcards_cover_ipv6_only_and_clash_within_their_family() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let _v4 = UdpSocket::bind("0.0.0.0:53").await.unwrap();
        let v6 = UdpSocket::bind("[::]:53").await.unwrap();
        for taken in ["[::]:53", "[::1]:53", "[fd00::1]:53"] {
            let err = UdpSocket::bind(taken).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::AddrInUse, "{taken}");
        }
        let _l4 = TcpListener::bind("0.0.0.0:80").await.unwrap();
        let _l6 = TcpListener::bind("[::1]:80").await.unwrap();
        // `[::]:53` gets only IPv6 datagrams: the IPv4 one goes to
        // `0.0.0.0:53`.
        let client = UdpSocket::bind("[::]:0").await.unwrap();
        client.send_to(b"6", "[::1]:53").await.unwrap();
        let mut buf = [0u8; 4];
        let (n, from) = v6.recv_from(&mut buf).await.unwrap();
        assert_eq!((&buf[..n], from), (&b"6"[..], addr("[::1]:49152")));
        let client4 = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        client4.send_to(b"4", "127.0.0.1:53").await.unwrap();
        assert_eq!(
            v6.try_recv_from(&mut buf).unwrap_err().kind(),
            ErrorKind::WouldBlock
        );
    })
    .unwrap();
}

#[test]
fn a_socket_of_one_family_cannot_reach_the_other_family() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        Node::builder("server")
            .init(|| async {
                let l = TcpListener::bind("0.0.0.0:80").await.unwrap();
                loop {
                    drop(l.accept().await.unwrap());
                }
            })
            .build();
        let v4 = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        let err = v4.send_to(b"x", "[fd00::2]:7").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        insta::assert_snapshot!(err.to_string(), @"address family not supported: the IPv4 socket 0.0.0.0:49152 cannot reach the IPv6 address [fd00::2]:7; bind an IPv6 socket (e.g. [::]:0) for it");
        let err = v4.connect("[::1]:7").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        let v6 = UdpSocket::bind("[::]:0").await.unwrap();
        let err = v6.send_to(b"x", "10.0.0.2:7").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        insta::assert_snapshot!(err.to_string(), @"address family not supported: the IPv6 socket [::]:49153 cannot reach the IPv4 address 10.0.0.2:7; bind an IPv4 socket (e.g. 0.0.0.0:0) for it");
        let err = v6.connect("127.0.0.1:7").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert_eq!(Network::current().stats().link("main", "server").sent, 0);
        // A `0.0.0.0` listener does not take IPv6 connections (nor a
        // `[::]` one IPv4 connections): refused, as on Linux with
        // IPV6_V6ONLY.
        time::sleep(ms(1)).await;
        let err = TcpStream::connect("[fd00::2]:80").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
        // A name connects to its IPv4 address (the first it resolves to).
        let s = TcpStream::connect("server:80").await.unwrap();
        assert_eq!(s.peer_addr().unwrap(), addr("10.0.0.2:80"));
    })
    .unwrap();
}

/// One UDP request with a 50 ms timeout: whether it was answered.
async fn ping(sock: &UdpSocket) -> bool {
    sock.send(b"ping").await.unwrap();
    let mut buf = [0u8; 8];
    time::timeout(ms(50), sock.recv(&mut buf)).await.is_ok()
}

#[test]
fn partitions_and_clogs_apply_to_ipv6_traffic() {
    let mut sim = Sim::builder().seed(3).build();
    sim.run(async {
        let server = common::udp_echo_node("server", "[::]:7");
        let me = Node::current();
        let net = Network::current();
        let sock = UdpSocket::bind("[::]:0").await.unwrap();
        sock.connect("server:7").await.unwrap();
        assert!(ping(&sock).await);
        net.partition(&me, &server);
        assert!(!ping(&sock).await);
        net.heal(&me, &server);
        assert!(ping(&sock).await);
        net.partition_oneway(&server, &me);
        assert!(!ping(&sock).await, "the reply is cut");
        net.heal_all();
        net.clog_node(&server, ms(30));
        let start = Instant::now();
        assert!(ping(&sock).await);
        assert_eq!(start.elapsed(), ms(31), "held until the clog ends");
        let stats = net.stats();
        assert_eq!(stats.drops.partition, 2);
        assert_eq!(stats.link("main", "server").dropped, 1);
        assert_eq!(stats.link("server", "main").dropped, 1);

        // TCP over IPv6 stalls through a partition and resumes after it.
        tcp_echo6("tcp");
        time::sleep(ms(1)).await;
        let tcp = Node::lookup("tcp").unwrap();
        let mut s = TcpStream::connect(("fd00::3", 80)).await.unwrap();
        net.partition(&me, &tcp);
        s.write_all(b"late").await.unwrap();
        spawn(async {
            time::sleep(ms(100)).await;
            Network::current().heal_all();
        });
        let mut reply = [0u8; 4];
        s.read_exact(&mut reply).await.unwrap();
        assert_eq!(&reply, b"late");
        assert!(net.stats().tcp.retransmits >= 1);
    })
    .unwrap();
}

#[test]
fn netstat_and_the_trace_show_ipv6_sockets_and_traffic() {
    let mut sim = Sim::builder()
        .seed(4)
        .epoch(SystemTime::UNIX_EPOCH)
        .trace(true)
        .build();
    let table = sim
        .run(async {
            tcp_echo6("server");
            time::sleep(ms(1)).await;
            let mut s = TcpStream::connect("[fd00::2]:80").await.unwrap();
            s.write_all(b"hey").await.unwrap();
            let mut buf = [0u8; 3];
            s.read_exact(&mut buf).await.unwrap();
            let u = UdpSocket::bind("[::]:0").await.unwrap();
            u.send_to(b"?", "[fd00::99]:9").await.unwrap();
            u.send_to(b"!", "[2001:db8::1]:9").await.unwrap();
            time::sleep(ms(2)).await;
            Network::current().netstat().to_string()
        })
        .unwrap();
    insta::assert_snapshot!("netstat", table);
    let trace = sim.trace().unwrap().to_string();
    let net: Vec<&str> = trace
        .lines()
        .filter(|l| l.contains("net: ") || l.contains("tcp: "))
        .collect();
    insta::assert_snapshot!("trace", net.join("\n"));
}

/// UDP and TCP over IPv6 between four nodes with jitter, a long tail,
/// loss, duplication, a partition and a clog.
async fn faulty_ipv6_workload() -> (Vec<u32>, String) {
    let net = Network::current();
    net.set_default(
        LinkConfig::new()
            .latency(Latency::uniform(ms(1), ms(8)))
            .loss(0.1)
            .duplicate(0.05),
    )
    .unwrap();
    let udp = common::udp_echo_node("udp", "[::]:7");
    let tcp = tcp_echo6("tcp");
    let nodes: Vec<Node> = (0..2)
        .map(|c| Node::builder(format!("client-{c}")).build())
        .collect();
    let first = nodes[0];
    net.set_link(
        &udp,
        &nodes[1],
        LinkConfig::new().latency(Latency::long_tail(ms(1), ms(3), ms(200))),
    )
    .unwrap();
    let chaos = spawn(async move {
        let net = Network::current();
        time::sleep(ms(detsim::rand::gen_range(5..40))).await;
        net.partition(&udp, &first);
        time::sleep(ms(20)).await;
        net.heal_all();
        net.clog_node(&tcp, ms(15));
    });
    let mut clients = Vec::new();
    for (c, node) in (0..2u32).zip(nodes) {
        clients.push(node.spawn(async move {
            let sock = UdpSocket::bind("[::]:0").await.unwrap();
            let mut answered = 0;
            for i in 0..10u32 {
                sock.send_to(&i.to_le_bytes(), "[fd00::2]:7").await.unwrap();
                let mut buf = [0u8; 16];
                if let Ok(r) = time::timeout(ms(15), sock.recv_from(&mut buf)).await {
                    r.unwrap();
                    answered += 1;
                }
            }
            let mut s = TcpStream::connect("[fd00::3]:80").await.unwrap();
            for i in 0..5u8 {
                s.write_all(&[i; 3]).await.unwrap();
                let mut buf = [0u8; 3];
                s.read_exact(&mut buf).await.unwrap();
                assert_eq!(buf, [i; 3]);
            }
            answered * 100 + c
        }));
    }
    common::join_with_stats(clients, chaos).await
}

#[test]
fn a_hundred_seeds_run_twice_with_faults_over_ipv6_give_identical_runs() {
    let runs = common::run_each_seed_twice(0..100, faulty_ipv6_workload);
    common::assert_seeds_differ(&runs, 80);
    let lost: u64 = runs
        .iter()
        .map(|(_, (answered, _))| {
            answered
                .iter()
                .map(|a| u64::from(10 - a / 100))
                .sum::<u64>()
        })
        .sum();
    assert!(lost > 0, "the faults reach IPv6 datagrams");
}

/// IPv6 sockets are IPv6-only here, so an IPv4-mapped address
/// (`[::ffff:10.0.0.2]`) leads nowhere: `NetworkUnreachable` at once, as
/// Linux's `ENETUNREACH` with `IPV6_V6ONLY`, for a UDP send or connect and
/// a TCP connect alike, naming the IPv4 address to use (nothing is sent).
#[test]
fn an_ipv4_mapped_address_is_unreachable_at_once() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        Node::builder("srv").build();
        let s6 = UdpSocket::bind("[::]:0").await.unwrap();
        let err = s6.send_to(b"x", "[::ffff:10.0.0.2]:53").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NetworkUnreachable);
        assert!(
            err.to_string().contains("use the IPv4 address 10.0.0.2:53"),
            "{err}"
        );
        let err = s6.connect("[::ffff:10.0.0.2]:53").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NetworkUnreachable);
        let t = Instant::now();
        let err = TcpStream::connect("[::ffff:10.0.0.2]:80")
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NetworkUnreachable);
        assert_eq!(t.elapsed(), Duration::ZERO);
        assert_eq!(Network::current().stats().total().sent, 0);
    })
    .unwrap();
}
