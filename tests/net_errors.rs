//! Bad input: each gives its `io::ErrorKind` (the one tokio would give) or
//! a configuration error, with a message that names the culprit; never a
//! panic.

mod common;

use std::io::ErrorKind;
use std::time::Duration;

use common::run;
use detsim::net::{
    Latency, LinkConfig, MAX_DATAGRAM, Network, TcpListener, TcpStream, UdpSocket, lookup_host,
};
use detsim::node::Node;

#[test]
fn binding_an_address_the_node_does_not_own() {
    run(async {
        let other = Node::builder("other").build();
        let err = UdpSocket::bind("10.0.0.2:80").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrNotAvailable);
        let msg = err.to_string();
        assert!(
            msg.contains("10.0.0.2:80") && msg.contains("'main'"),
            "{msg}"
        );
        // The same address is fine on its own node.
        let ok = other
            .spawn(async { UdpSocket::bind("10.0.0.2:80").await.map(|_| ()) })
            .await
            .unwrap();
        assert!(ok.is_ok());
        let err = UdpSocket::bind("192.168.1.1:0").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrNotAvailable);
        let err = UdpSocket::bind("[fd00::2]:0").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrNotAvailable);
        assert!(err.to_string().contains("fd00::1"), "{err}");
    });
}

#[test]
fn binding_a_taken_port() {
    run(async {
        let _a = UdpSocket::bind("0.0.0.0:53").await.unwrap();
        for addr in ["0.0.0.0:53", "127.0.0.1:53", "10.0.0.1:53"] {
            let err = UdpSocket::bind(addr).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::AddrInUse, "{addr}");
            assert!(err.to_string().contains("address already in use"), "{err}");
        }
        // Specific addresses share a port.
        let _b = UdpSocket::bind("127.0.0.1:54").await.unwrap();
        let _c = UdpSocket::bind("10.0.0.1:54").await.unwrap();
        // Dropping a socket frees its port.
        drop(_a);
        UdpSocket::bind("0.0.0.0:53").await.unwrap();
    });
}

#[test]
fn ephemeral_ports_count_per_node_and_skip_taken_ones() {
    run(async {
        let _fixed = UdpSocket::bind("0.0.0.0:49153").await.unwrap();
        let a = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        let b = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        assert_eq!(a.local_addr().unwrap().port(), 49152);
        assert_eq!(b.local_addr().unwrap().port(), 49154);
        let other = Node::builder("other").build();
        let port = other
            .spawn(async {
                let s = UdpSocket::bind("0.0.0.0:0").await.unwrap();
                s.local_addr().unwrap().port()
            })
            .await
            .unwrap();
        assert_eq!(port, 49152);
    });
}

#[test]
fn no_ephemeral_port_left_is_addr_not_available_for_connect_and_addr_in_use_for_bind() {
    run(async {
        let _listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
        // Every ephemeral port of the node taken.
        let mut held = Vec::new();
        for port in 49152..=65535u16 {
            held.push(TcpListener::bind(("0.0.0.0", port)).await.unwrap());
        }
        // As on Linux: connect gets EADDRNOTAVAIL, bind to port 0 EADDRINUSE.
        let err = TcpStream::connect("127.0.0.1:80").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrNotAvailable, "{err}");
        assert!(err.to_string().contains("no free ephemeral port"), "{err}");
        let err = TcpListener::bind("0.0.0.0:0").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrInUse, "{err}");
        held.pop();
        TcpStream::connect("127.0.0.1:80").await.unwrap();
    });
}

#[test]
fn host_names_ignore_ascii_case_and_a_trailing_dot_unless_two_nodes_clash() {
    run(async {
        Node::builder("Db").build();
        let db: Vec<_> = lookup_host("Db:1").await.unwrap().collect();
        for name in ["db:1", "DB.:1", "localhost.:1"] {
            let got: Vec<_> = lookup_host(name).await.unwrap().collect();
            let want = if name.starts_with("localhost") {
                lookup_host("localhost:1").await.unwrap().collect()
            } else {
                db.clone()
            };
            assert_eq!(got, want, "{name}");
        }
        // Names that differ only in case are two hosts: only exact names
        // resolve then.
        Node::builder("DB").build();
        assert_ne!(
            lookup_host("DB:1").await.unwrap().next(),
            db.first().copied()
        );
        let err = lookup_host("db:1").await.map(|_| ()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        let err = lookup_host(".:1").await.map(|_| ()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
    });
}

#[test]
fn an_unknown_host() {
    run(async {
        Node::builder("db").build();
        let err = lookup_host("dbb:5432").await.map(|_| ()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        let msg = err.to_string();
        assert!(msg.contains("'dbb'") && msg.contains("main, db"), "{msg}");
        let sock = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        let err = sock.send_to(b"x", "nowhere:1").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        let err = sock.connect("nowhere:1").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
    });
}

#[test]
fn malformed_addresses() {
    run(async {
        for bad in ["db", "db:port", "db:70000", ""] {
            let err = lookup_host(bad).await.map(|_| ()).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bad:?}");
        }
        let addrs: Vec<_> = lookup_host("localhost:8080").await.unwrap().collect();
        assert_eq!(addrs[0].to_string(), "127.0.0.1:8080");
    });
}

#[test]
fn an_oversized_datagram() {
    run(async {
        let sock = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let to = sock.local_addr().unwrap();
        let err = sock
            .send_to(&vec![0; MAX_DATAGRAM + 1], to)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(err.to_string().contains("65507"), "{err}");
        assert_eq!(
            sock.send_to(&vec![0; MAX_DATAGRAM], to).await.unwrap(),
            MAX_DATAGRAM
        );
    });
}

#[test]
fn send_and_peer_addr_without_connect() {
    run(async {
        let sock = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        assert_eq!(
            sock.send(b"x").await.unwrap_err().kind(),
            ErrorKind::NotConnected
        );
        assert_eq!(
            sock.peer_addr().unwrap_err().kind(),
            ErrorKind::NotConnected
        );
    });
}

#[test]
fn a_loopback_socket_sending_off_its_node() {
    run(async {
        Node::builder("db").build();
        let sock = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let err = sock.send_to(b"x", "db:1").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
    });
}

#[test]
fn impossible_link_configurations() {
    run(async {
        let net = Network::current();
        let a = Node::builder("a").build();
        let ms = Duration::from_millis;
        let cases = [
            (LinkConfig::new().loss(1.01), "loss"),
            (LinkConfig::new().loss(-0.5), "loss"),
            (LinkConfig::new().loss(f64::NAN), "loss"),
            (LinkConfig::new().duplicate(7.0), "duplicate"),
            (
                LinkConfig::new().latency(Latency::uniform(ms(10), ms(1))),
                "latency",
            ),
            (
                LinkConfig::new().latency(Latency::long_tail(ms(1), ms(50), ms(10))),
                "latency",
            ),
        ];
        for (config, setting) in cases {
            let err = net.set_default(config.clone()).unwrap_err();
            assert_eq!(err.setting(), setting);
            assert!(err.to_string().contains(setting), "{err}");
            let err = net.set_link(&a, &Node::current(), config).unwrap_err();
            assert_eq!(err.setting(), setting);
        }
        // Nothing changed.
        assert_eq!(net.default_config(), LinkConfig::new());
        assert_eq!(net.link_config(&a, &Node::current()), LinkConfig::new());
    });
}
