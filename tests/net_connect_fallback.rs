//! Several addresses for one target, as tokio handles them:
//! `TcpStream::connect`, `TcpListener::bind`, `UdpSocket::bind` and
//! `UdpSocket::connect` try each address a name (or a `&[SocketAddr]`)
//! resolves to in turn, the first success wins and the last error comes
//! back when all fail; the fallback is part of the run like any traffic
//! (same trace and fingerprint for a seed, every time).

mod common;

use std::io::ErrorKind;
use std::net::SocketAddr;
use std::time::Duration;

use common::{addr, ms, since_start};
use detsim::net::{
    Latency, LinkConfig, Network, TcpListener, TcpStream, UdpSocket, node_addr, node_addr_v6,
};
use detsim::node::Node;
use detsim::time::{self, Instant, SystemTime};
use detsim::{Sim, spawn};
use futures::io::{AsyncReadExt, AsyncWriteExt};

#[test]
fn connect_by_name_reaches_an_ipv6_only_listener_after_the_ipv4_refusal() {
    let mut sim = Sim::builder().seed(1).build();
    sim.run(async {
        common::tcp_echo_node("v6only", "[::]:80");
        time::sleep(ms(1)).await;
        let mut s = TcpStream::connect("v6only:80").await.unwrap();
        // 10.0.0.2:80 refuses after one round trip of 1 ms each way, then
        // [fd00::2]:80 answers after another.
        assert_eq!(since_start(), ms(5));
        assert_eq!(s.peer_addr().unwrap(), addr("[fd00::2]:80"));
        assert!(s.local_addr().unwrap().is_ipv6());
        s.write_all(b"ping").await.unwrap();
        let mut reply = [0u8; 4];
        s.read_exact(&mut reply).await.unwrap();
        assert_eq!(&reply, b"ping");
        assert_eq!(Network::current().stats().tcp.refused, 1);
    })
    .unwrap();
}

#[test]
fn the_fallback_shows_in_the_trace_as_a_refused_ipv4_attempt_then_ipv6() {
    let mut sim = Sim::builder()
        .seed(2)
        .epoch(SystemTime::UNIX_EPOCH)
        .trace(true)
        .build();
    sim.run(async {
        common::tcp_echo_node("v6only", "[::]:80");
        time::sleep(ms(1)).await;
        TcpStream::connect("v6only:80").await.unwrap();
    })
    .unwrap();
    let trace = sim.trace().unwrap().to_string();
    let net: Vec<&str> = trace
        .lines()
        .filter(|l| l.contains("net: ") || l.contains("tcp: "))
        .collect();
    insta::assert_snapshot!(net.join("\n"));
}

#[test]
fn a_list_of_addresses_connects_to_the_first_that_listens() {
    let mut sim = Sim::builder().seed(3).build();
    sim.run(async {
        let idle = Node::builder("idle").build();
        let server = common::tcp_echo_node("server", "0.0.0.0:80");
        time::sleep(ms(1)).await;
        let addrs = [
            SocketAddr::new(node_addr(&idle), 80),
            SocketAddr::new(node_addr(&server), 80),
        ];
        let s = TcpStream::connect(&addrs[..]).await.unwrap();
        assert_eq!(s.peer_addr().unwrap(), addrs[1]);
        // The refusal by `idle`, then the handshake with `server`.
        assert_eq!(since_start(), ms(5));
        // The same list the other way round: the first one listens.
        let t = Instant::now();
        let s = TcpStream::connect(&[addrs[1], addrs[0]][..]).await.unwrap();
        assert_eq!(s.peer_addr().unwrap(), addrs[1]);
        assert_eq!(t.elapsed(), ms(2));
    })
    .unwrap();
}

#[test]
fn when_every_address_fails_the_last_error_comes_back() {
    let mut sim = Sim::builder().seed(4).build();
    sim.run(async {
        let idle = Node::builder("idle").build();
        let refusing = SocketAddr::new(node_addr(&idle), 80);
        let nobody = addr("10.0.9.9:80");
        let err = TcpStream::connect(&[refusing, nobody][..])
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::HostUnreachable, "{err}");
        let err = TcpStream::connect(&[nobody, refusing][..])
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused, "{err}");
        // A name: refused over IPv4, then over IPv6.
        let t = Instant::now();
        let err = TcpStream::connect("idle:80").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
        assert_eq!(t.elapsed(), ms(4));
        assert_eq!(Network::current().stats().tcp.refused, 4);
    })
    .unwrap();
}

#[test]
fn nothing_to_try_fails_before_any_attempt() {
    let mut sim = Sim::builder().seed(5).build();
    sim.run(async {
        let err = TcpStream::connect(&[][..]).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert_eq!(err.to_string(), "could not resolve to any addresses");
        let err = TcpListener::bind(&[][..]).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        let err = UdpSocket::bind(&[][..]).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        let err = TcpStream::connect("nowhere:80").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        assert!(err.to_string().contains("unknown host 'nowhere'"), "{err}");
        assert_eq!(since_start(), Duration::ZERO, "no attempt was made");
    })
    .unwrap();
}

#[test]
fn bind_by_name_falls_back_to_ipv6_when_the_ipv4_port_is_taken() {
    let mut sim = Sim::builder().seed(6).build();
    sim.run(async {
        let me = Node::current();
        let v6 = SocketAddr::new(node_addr_v6(&me).into(), 80);
        let _v4 = TcpListener::bind("0.0.0.0:80").await.unwrap();
        let l = TcpListener::bind("main:80").await.unwrap();
        assert_eq!(l.local_addr().unwrap(), v6);
        // Both taken: the last error, of the IPv6 address.
        let err = TcpListener::bind("main:80").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrInUse);
        assert!(err.to_string().contains("[fd00::1]:80"), "{err}");

        let _u4 = UdpSocket::bind("0.0.0.0:53").await.unwrap();
        let u = UdpSocket::bind("main:53").await.unwrap();
        assert_eq!(u.local_addr().unwrap(), addr("[fd00::1]:53"));
        // A name binds its IPv4 address when it is free.
        let free = UdpSocket::bind("main:54").await.unwrap();
        assert_eq!(free.local_addr().unwrap(), addr("10.0.0.1:54"));
    })
    .unwrap();
}

#[test]
fn udp_connect_tries_each_address_and_send_to_uses_the_first() {
    let mut sim = Sim::builder().seed(7).build();
    sim.run(async {
        Node::builder("db").build();
        let v6 = UdpSocket::bind("[::]:0").await.unwrap();
        v6.connect("db:53").await.unwrap();
        assert_eq!(v6.peer_addr().unwrap(), addr("[fd00::2]:53"));
        // Only IPv4 addresses: each refused, the last one named.
        let err = v6
            .connect(&[addr("10.0.0.2:1"), addr("10.0.0.2:2")][..])
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(err.to_string().contains("10.0.0.2:2"), "{err}");
        assert_eq!(v6.peer_addr().unwrap(), addr("[fd00::2]:53"), "unchanged");
        // send_to by name: the first address only, IPv4 here.
        let err = v6.send_to(b"x", "db:53").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        insta::assert_snapshot!(err.to_string());
        let v4 = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        assert_eq!(v4.send_to(b"x", "db:53").await.unwrap(), 1);
        assert_eq!(Network::current().stats().link("main", "db").sent, 1);
    })
    .unwrap();
}

/// Clients that reach IPv6-only servers by name through a faulty network:
/// each connect goes through a refused IPv4 attempt first (or a timeout
/// when the SYN's answer is lost often enough), then IPv6.
async fn fallback_workload() -> (Vec<(String, u64)>, String) {
    let net = Network::current();
    net.set_default(
        LinkConfig::new()
            .latency(Latency::uniform(ms(1), ms(6)))
            .loss(0.2),
    )
    .unwrap();
    common::tcp_echo_node("a", "[::]:80");
    common::tcp_echo_node("b", "[::]:80");
    let chaos = spawn(async {});
    let mut clients = Vec::new();
    for c in 0..3 {
        let client = Node::builder(format!("client-{c}")).build();
        clients.push(client.spawn(async move {
            time::sleep(ms(1)).await;
            let target = if c % 2 == 0 { "a:80" } else { "b:80" };
            let mut s = TcpStream::connect(target).await.unwrap();
            s.write_all(b"hi").await.unwrap();
            let mut buf = [0u8; 2];
            s.read_exact(&mut buf).await.unwrap();
            let at = since_start().as_micros() as u64;
            (s.peer_addr().unwrap().to_string(), at)
        }));
    }
    common::join_with_stats(clients, chaos).await
}

#[test]
fn the_fallback_under_faults_is_the_same_run_for_a_seed_every_time() {
    let runs = common::run_each_seed_twice(0..20, fallback_workload);
    for (_, (clients, _)) in &runs {
        for (peer, _) in clients {
            assert!(peer.starts_with("[fd00::"), "reached over IPv6: {peer}");
        }
    }
    common::assert_seeds_differ(&runs, 10);
}
