//! ICMP port unreachable: a datagram that finds no socket at its
//! destination makes a sending socket *connected* to that address fail
//! its next receive or peek (before any queued datagram) or send with
//! `ConnectionRefused`, once, as Linux's ECONNREFUSED; an unconnected
//! sender hears nothing.

mod common;

use std::io::ErrorKind;

use common::ms;
use detsim::net::UdpSocket;
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
