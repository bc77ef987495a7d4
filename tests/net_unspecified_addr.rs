//! Review of destination addresses tokio users pass without thinking:
//!
//! * the unspecified address (`0.0.0.0`, `[::]`) as a destination means
//!   the node itself, as on Linux (and the BSDs): the common test pattern
//!   `bind("0.0.0.0:0")` then `connect(listener.local_addr())` connects
//!   over loopback instead of failing with `HostUnreachable`;
//! * a UDP datagram sent to port 0 is refused with `InvalidInput` (Linux's
//!   `EINVAL`) instead of vanishing.

mod common;

use std::io::ErrorKind;

use common::{ms, run};
use detsim::net::{Network, TcpListener, TcpStream, UdpSocket};
use detsim::node::Node;
use detsim::time;
use futures::io::{AsyncReadExt, AsyncWriteExt};

#[test]
fn connecting_to_a_wildcard_listeners_own_address_reaches_it_over_loopback() {
    run(async {
        for (any, loopback) in [("0.0.0.0:0", "127.0.0.1"), ("[::]:0", "::1")] {
            let l = TcpListener::bind(any).await.unwrap();
            let addr = l.local_addr().unwrap();
            assert!(addr.ip().is_unspecified());
            let mut c = TcpStream::connect(addr).await.unwrap();
            let (mut s, peer) = l.accept().await.unwrap();
            // As on Linux: the connection is a loopback one.
            assert_eq!(c.peer_addr().unwrap().ip().to_string(), loopback);
            assert_eq!(c.peer_addr().unwrap().port(), addr.port());
            assert_eq!(peer, c.local_addr().unwrap());
            assert_eq!(s.local_addr().unwrap(), c.peer_addr().unwrap());
            c.write_all(b"hi").await.unwrap();
            let mut buf = [0u8; 2];
            s.read_exact(&mut buf).await.unwrap();
            assert_eq!(&buf, b"hi");
        }
    });
}

#[test]
fn connecting_to_the_unspecified_address_stays_on_the_node_and_skips_faults() {
    run(async {
        let other = Node::builder("other").build();
        let net = Network::current();
        net.partition(&Node::current(), &other);
        let l = TcpListener::bind("127.0.0.1:7").await.unwrap();
        let start = time::Instant::now();
        let _c = TcpStream::connect("0.0.0.0:7").await.unwrap();
        assert_eq!(time::Instant::now(), start, "loopback is instant");
        let (_s, _) = l.accept().await.unwrap();
        // Nothing listens on port 8: refused, not unreachable.
        let err = TcpStream::connect("0.0.0.0:8").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
    });
}

#[test]
fn a_datagram_to_the_unspecified_address_arrives_at_the_node_itself() {
    run(async {
        let rx = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        let to = rx.local_addr().unwrap();
        let tx = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        assert_eq!(tx.send_to(b"any", to).await.unwrap(), 3);
        let mut buf = [0u8; 8];
        let (n, from) = time::timeout(ms(10), rx.recv_from(&mut buf))
            .await
            .expect("the datagram never arrived")
            .unwrap();
        assert_eq!(&buf[..n], b"any");
        assert_eq!(
            from.to_string(),
            format!("127.0.0.1:{}", tx.local_addr().unwrap().port())
        );

        // connect() too: the peer is the loopback address, so the replies
        // from the node itself pass the connected socket's filter.
        let v6 = UdpSocket::bind("[::]:0").await.unwrap();
        let port = v6.local_addr().unwrap().port();
        let c6 = UdpSocket::bind("[::]:0").await.unwrap();
        c6.connect(("::", port)).await.unwrap();
        assert_eq!(c6.peer_addr().unwrap().to_string(), format!("[::1]:{port}"));
        c6.send(b"six").await.unwrap();
        let (n, from) = time::timeout(ms(10), v6.recv_from(&mut buf))
            .await
            .expect("the datagram never arrived")
            .unwrap();
        assert_eq!(&buf[..n], b"six");
        v6.send_to(b"back", from).await.unwrap();
        let n = time::timeout(ms(10), c6.recv(&mut buf))
            .await
            .expect("the reply was filtered out")
            .unwrap();
        assert_eq!(&buf[..n], b"back");
    });
}

#[test]
fn a_datagram_to_port_zero_is_invalid_input() {
    run(async {
        let s = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        for target in ["127.0.0.1:0", "10.0.0.1:0", "0.0.0.0:0"] {
            let err = s.send_to(b"x", target).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "{target}");
            assert!(err.to_string().contains("port 0"), "{err}");
        }
        let stats = Network::current().stats();
        assert_eq!(stats.total().sent, 0, "nothing went out");
    });
}
