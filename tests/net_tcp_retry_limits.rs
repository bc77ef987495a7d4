//! A permanent stall ends: as on Linux, a connect gives up after a bounded
//! number of SYN retransmissions (`tcp_syn_retries`) and an established
//! connection after a bounded number of data retransmissions
//! (`tcp_retries2`), both with `TimedOut` (the sender's end alone, as on
//! Linux), at virtual times fixed by the RTO_MIN..RTO_MAX backoff. The
//! limits are configurable; `None` is the old unbounded stall.

mod common;

use std::io::ErrorKind;

use common::ms;
use detsim::net::{DEFAULT_TCP_RETRIES, DEFAULT_TCP_SYN_RETRIES, Network, TcpListener, TcpStream};
use detsim::node::Node;
use detsim::{Sim, time};
use futures::io::{AsyncReadExt, AsyncWriteExt};

fn listening_node() -> Node {
    Node::builder("server")
        .init(|| async {
            let listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
            let mut held = Vec::new();
            loop {
                let (s, _) = listener.accept().await.unwrap();
                held.push(s); // never reads, never writes
            }
        })
        .build()
}

#[test]
fn the_defaults_are_linuxs() {
    assert_eq!((DEFAULT_TCP_SYN_RETRIES, DEFAULT_TCP_RETRIES), (6, 15));
    let mut sim = Sim::builder().build();
    sim.run(async {
        let net = Network::current();
        assert_eq!(net.tcp_syn_retries(), Some(6));
        assert_eq!(net.tcp_retries(), Some(15));
    })
    .unwrap();
}

#[test]
fn a_permanent_partition_times_an_established_connection_out() {
    let mut sim = Sim::builder().seed(21).build();
    sim.run(async {
        let net = Network::current();
        let server = listening_node();
        time::sleep(ms(1)).await;
        let mut s = TcpStream::connect("server:80").await.unwrap();
        net.partition(&Node::current(), &server); // forever
        let t = time::Instant::now();
        s.write_all(b"ping").await.unwrap();
        let err = s.read_exact(&mut [0u8; 4]).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut, "{err}");
        // Retransmissions at 0.2, 0.6, 1.4, 3.0 s, then every 1.6 s: the
        // 15th at 20.6 s; the connection gives up one RTO later.
        assert_eq!(t.elapsed(), ms(22_200));
        // Reported once: then a broken pipe, as Linux's EPIPE.
        assert_eq!(
            s.write(b"x").await.unwrap_err().kind(),
            ErrorKind::BrokenPipe
        );
        // Only the client fails, as on Linux (`tcp_write_err`, no RST):
        // the server end, which sends nothing, heard nothing and stays
        // open (see tests/net_tcp_timeout_one_end.rs).
        let tcp = net.stats().tcp;
        assert_eq!((tcp.retransmits, tcp.timeouts), (15, 1), "{tcp:?}");
        let netstat = net.netstat();
        let server_ends: Vec<_> = netstat
            .sockets
            .iter()
            .filter(|r| r.node == "server" && r.peer.is_some())
            .map(|r| r.state)
            .collect();
        assert_eq!(server_ends, [Some("ESTABLISHED")]);
    })
    .unwrap();
}

#[test]
fn a_connect_to_a_killed_node_times_out() {
    let mut sim = Sim::builder().seed(22).build();
    sim.run(async {
        let server = listening_node();
        time::sleep(ms(1)).await;
        server.kill();
        let t = time::Instant::now();
        let err = TcpStream::connect("server:80").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut, "{err}");
        // Each of the SYN and its 6 retransmissions is dropped at the dead
        // node one 1 ms latency after it left: 6.207 s for the last, then
        // one RTO. The name tries the IPv4 address, then the IPv6 one (as
        // tokio's connect): twice that.
        assert_eq!(t.elapsed(), ms(2 * 7_807));
        let tcp = Network::current().stats().tcp;
        assert_eq!(tcp.retransmits, 2 * 6);
        // One timeout an attempt: the server end the SYN never reached is
        // not counted.
        assert_eq!((tcp.connects, tcp.timeouts), (2, 2), "{tcp:?}");
    })
    .unwrap();
}

#[test]
fn a_permanent_stall_ends_even_without_a_time_limit() {
    let mut sim = Sim::builder().seed(23).no_time_limit().build();
    sim.run(async {
        let net = Network::current();
        let server = listening_node();
        time::sleep(ms(1)).await;
        let mut s = TcpStream::connect("server:80").await.unwrap();
        net.partition(&Node::current(), &server);
        s.write_all(b"ping").await.unwrap();
        let err = s.read(&mut [0u8; 4]).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut);
    })
    .unwrap();
}

#[test]
fn the_limits_are_configurable_and_none_stalls_until_the_heal() {
    let mut sim = Sim::builder().seed(24).build();
    sim.run(async {
        let net = Network::current();
        let server = listening_node();
        time::sleep(ms(1)).await;
        net.partition(&Node::current(), &server);
        // One address, so each connect is one attempt (a name would try
        // IPv6 after IPv4).
        let at = std::net::SocketAddr::new(detsim::net::node_addr(&server), 80);
        net.set_tcp_syn_retries(Some(2));
        let t = time::Instant::now();
        let err = TcpStream::connect(at).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut);
        assert_eq!(t.elapsed(), ms(200 + 400 + 800));
        // The stall timeout still applies when it comes first.
        net.set_tcp_syn_retries(None);
        net.set_tcp_timeout(Some(ms(1000)));
        let t = time::Instant::now();
        let err = TcpStream::connect(at).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut);
        assert_eq!(t.elapsed(), ms(1000));
        // No limit, no timeout: a stall lasts until the heal.
        net.set_tcp_timeout(None);
        assert_eq!(net.tcp_syn_retries(), None);
        detsim::spawn(async move {
            time::sleep(ms(60_000)).await;
            Network::current().heal_all();
        });
        TcpStream::connect(at).await.unwrap();
        assert!(time::Instant::now().since_start() > ms(60_000));
    })
    .unwrap();
}
