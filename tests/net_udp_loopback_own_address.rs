//! A socket bound to loopback may send to its own node's address, as on
//! Linux (the route to a host's own address is the loopback interface):
//! the datagram arrives, from the loopback address, and the answer goes
//! back over loopback. Only another node is out of its reach.

mod common;

use std::io::ErrorKind;

use common::{addr, run};
use detsim::net::UdpSocket;
use detsim::node::Node;

#[test]
fn a_loopback_socket_reaches_its_own_nodes_address() {
    run(async {
        let server = UdpSocket::bind("0.0.0.0:9").await.unwrap();
        let lo = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        assert_eq!(lo.send_to(b"v4", "10.0.0.1:9").await.unwrap(), 2);
        let mut buf = [0u8; 8];
        let (n, from) = server.recv_from(&mut buf).await.unwrap();
        assert_eq!((&buf[..n], from), (&b"v4"[..], lo.local_addr().unwrap()));
        server.send_to(b"back", from).await.unwrap();
        let (n, _) = lo.recv_from(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"back");
        // The same by name, and over IPv6.
        assert_eq!(lo.send_to(b"x", "main:9").await.unwrap(), 1);
        assert_eq!(server.recv_from(&mut buf).await.unwrap().0, 1);
        let server6 = UdpSocket::bind("[::]:9").await.unwrap();
        let lo6 = UdpSocket::bind("[::1]:0").await.unwrap();
        lo6.send_to(b"v6", "[fd00::1]:9").await.unwrap();
        let (n, from) = server6.recv_from(&mut buf).await.unwrap();
        assert_eq!(
            (&buf[..n], from),
            (
                &b"v6"[..],
                addr(&format!("[::1]:{}", lo6.local_addr().unwrap().port()))
            )
        );
        // A connected loopback socket too.
        lo.connect("10.0.0.1:9").await.unwrap();
        lo.send(b"c").await.unwrap();
        assert_eq!(server.recv_from(&mut buf).await.unwrap().0, 1);
    });
}

#[test]
fn a_loopback_socket_still_cannot_reach_another_node() {
    run(async {
        Node::builder("db").build();
        let lo = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        for to in ["10.0.0.2:9", "db:9"] {
            let err = lo.send_to(b"x", to).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "{to}");
            assert!(err.to_string().contains("off its node"), "{err}");
        }
    });
}
