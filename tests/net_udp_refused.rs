//! ICMP port unreachable: a datagram that finds no socket at its
//! destination makes a sending socket *connected* to that address fail
//! its next receive or peek (before any queued datagram) or send with
//! `ConnectionRefused`, once, as Linux's ECONNREFUSED; an unconnected
//! sender hears nothing. The ICMP message travels back through the
//! network: the return link's latency, partitions and loss apply to it.

mod common;

use std::io::ErrorKind;

use common::{ms, since_start};
use detsim::net::{Latency, LinkConfig, Network, UdpSocket};
use detsim::node::Node;
use detsim::{Sim, time};

#[test]
fn a_connected_socket_learns_that_nothing_listens() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        Node::builder("srv").build();
        let s = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        s.connect("srv:9999").await.unwrap();
        s.send(b"hello?").await.unwrap();
        let mut buf = [0u8; 16];
        let err = time::timeout(ms(100), s.recv(&mut buf))
            .await
            .expect("the receive fails, it does not hang")
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
        assert!(err.to_string().contains("port unreachable"), "{err}");
        // Reported once: the next receive waits again.
        assert!(time::timeout(ms(100), s.recv(&mut buf)).await.is_err());
        // The next send after another refusal reports it instead.
        s.send(b"again").await.unwrap();
        time::sleep(ms(10)).await;
        let err = s.send(b"third").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
        assert_eq!(
            s.try_recv(&mut buf).unwrap_err().kind(),
            ErrorKind::WouldBlock
        );
    })
    .unwrap();
}

#[test]
fn on_the_same_node_too_and_the_error_comes_before_queued_datagrams() {
    // As Linux (checked live with Python on loopback): with a datagram
    // queued and the refusal pending, a peek or receive reports the
    // error first; the datagram comes next.
    let mut sim = Sim::builder().build();
    sim.run(async {
        let other = UdpSocket::bind("127.0.0.1:5000").await.unwrap();
        let s = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        s.connect("127.0.0.1:5000").await.unwrap();
        other
            .send_to(b"first", s.local_addr().unwrap())
            .await
            .unwrap();
        drop(other);
        s.send(b"to nobody").await.unwrap();
        let mut buf = [0u8; 16];
        let err = s.peek_from(&mut buf).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
        let n = s.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"first");
        let err = s.try_recv(&mut buf).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::WouldBlock);
    })
    .unwrap();
}

#[test]
fn the_error_names_the_address_that_refused() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let listening = UdpSocket::bind("127.0.0.1:5001").await.unwrap();
        let s = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        s.connect("127.0.0.1:9").await.unwrap();
        s.send(b"to nobody").await.unwrap();
        s.connect("127.0.0.1:5001").await.unwrap();
        let err = s.take_error().unwrap().expect("the refusal from port 9");
        assert!(
            err.to_string().contains("no socket at 127.0.0.1:9 "),
            "{err}"
        );
        drop(listening);
    })
    .unwrap();
}

#[test]
fn an_unconnected_sender_hears_nothing() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        Node::builder("srv").build();
        let s = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        s.send_to(b"hello?", "srv:9999").await.unwrap();
        let mut buf = [0u8; 16];
        assert!(time::timeout(ms(100), s.recv_from(&mut buf)).await.is_err());
        s.send_to(b"again", "srv:9999").await.unwrap();
    })
    .unwrap();
}

#[test]
fn a_broadcast_draws_no_refusal() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        Node::builder("a").build();
        let s = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        s.set_broadcast(true).unwrap();
        s.connect("255.255.255.255:9999").await.unwrap();
        // Nobody listens on 9999 anywhere: still no ICMP error.
        s.send(b"anyone?").await.unwrap();
        time::sleep(ms(10)).await;
        s.send(b"anyone?").await.unwrap();
        let mut buf = [0u8; 16];
        assert_eq!(
            s.try_recv(&mut buf).unwrap_err().kind(),
            ErrorKind::WouldBlock
        );
    })
    .unwrap();
}

#[test]
fn the_refusal_takes_the_return_links_latency() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let srv = Node::builder("srv").build();
        let net = Network::current();
        let link = LinkConfig::new().latency(Latency::constant(ms(5)));
        net.set_link(&srv, &Node::current(), link).unwrap();
        let s = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        s.connect("srv:9999").await.unwrap();
        let t0 = since_start();
        s.send(b"hello?").await.unwrap();
        let err = s.recv(&mut [0u8; 16]).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
        assert_eq!(since_start() - t0, ms(10), "5 ms there, 5 ms back");
        let link = &net.stats().links[&("srv".to_owned(), "main".to_owned())];
        assert_eq!((link.sent, link.delivered), (1, 1), "the ICMP message");
    })
    .unwrap();
}

#[test]
fn a_cut_return_path_loses_the_refusal() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let srv = Node::builder("srv").build();
        let net = Network::current();
        net.partition_oneway(&srv, &Node::current());
        let s = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        s.connect("srv:9999").await.unwrap();
        s.send(b"hello?").await.unwrap();
        let mut buf = [0u8; 16];
        assert!(
            time::timeout(ms(100), s.recv(&mut buf)).await.is_err(),
            "the ICMP message was cut off"
        );
        assert!(s.take_error().unwrap().is_none());
        assert_eq!(net.stats().drops.partition, 1);
        net.heal(&srv, &Node::current());
        s.send(b"again").await.unwrap();
        let err = s.recv(&mut buf).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
    })
    .unwrap();
}

#[test]
fn the_trace_shows_the_icmp_message() {
    let mut sim = Sim::builder().trace(true).build();
    sim.run(async {
        Node::builder("srv").build();
        let s = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        s.connect("srv:9999").await.unwrap();
        s.send(b"hello?").await.unwrap();
        let _ = s.recv(&mut [0u8; 16]).await;
    })
    .unwrap();
    let trace = sim.trace().unwrap().to_string();
    let net: Vec<&str> = trace.lines().filter(|l| l.contains("net: ")).collect();
    insta::assert_snapshot!(net.join("\n"));
}

/// Refusals under loss and jitter on both directions: each seed runs the
/// same way twice, and the seeds differ.
#[test]
fn refusals_under_faults_are_deterministic() {
    let runs = common::run_each_seed_twice(0..200, || async {
        let net = Network::current();
        net.set_default(
            LinkConfig::new()
                .latency(Latency::uniform(ms(1), ms(9)))
                .loss(0.3)
                .duplicate(0.1),
        )
        .unwrap();
        Node::builder("srv").build();
        let s = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        s.connect("srv:9999").await.unwrap();
        let mut refused = Vec::new();
        for i in 0..10u64 {
            let _ = s.send(&[i as u8]).await;
            if let Ok(Err(e)) = time::timeout(ms(12), s.recv(&mut [0u8; 4])).await {
                refused.push((i, e.kind(), since_start().as_micros() as u64));
            }
        }
        let stats = format!("{:?}", net.stats().drops);
        (refused, stats)
    });
    common::assert_seeds_differ(&runs, 20);
}
