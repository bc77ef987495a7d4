//! What the network shows of a run depends on the run only: payload sizes
//! are part of the fingerprint, debug output has no process-wide counters
//! in it, and a clog never holds traffic inside a node.

mod common;

use std::time::Duration;

use common::ms;
use detsim::net::{Network, TcpListener, TcpStream, UdpSocket};
use detsim::node::Node;
use detsim::{Sim, time};
use futures::io::AsyncWriteExt;

fn run_sending(payload: &'static [u8]) -> detsim::Fingerprint {
    let mut sim = Sim::builder().seed(41).build();
    sim.run(async move {
        let server = Node::builder("server").build();
        server.spawn(async {
            let l = TcpListener::bind("0.0.0.0:80").await.unwrap();
            let (s, _) = l.accept().await.unwrap();
            time::sleep(ms(100)).await;
            drop(s);
        });
        time::sleep(ms(1)).await;
        let udp = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        udp.send_to(payload, "server:9").await.unwrap();
        let mut s = TcpStream::connect("server:80").await.unwrap();
        s.write_all(payload).await.unwrap();
        time::sleep(ms(10)).await;
    })
    .unwrap();
    sim.fingerprint()
}

#[test]
fn payload_sizes_are_part_of_the_fingerprint() {
    assert_eq!(run_sending(b"abc"), run_sending(b"xyz"));
    assert_ne!(run_sending(b"abc"), run_sending(b"abcd"));
}

#[test]
fn a_node_clog_does_not_hold_its_own_loopback_traffic() {
    let mut sim = Sim::builder().seed(42).build();
    sim.run(async {
        let me = Node::current();
        Network::current().clog_node(&me, ms(1000));
        let rx = UdpSocket::bind("0.0.0.0:7").await.unwrap();
        let tx = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        let t = time::Instant::now();
        for dst in ["127.0.0.1:7", "main:7"] {
            tx.send_to(b"hi", dst).await.unwrap();
            let mut buf = [0u8; 8];
            rx.recv_from(&mut buf).await.unwrap();
        }
        let l = TcpListener::bind("127.0.0.1:80").await.unwrap();
        let c = detsim::spawn(async { TcpStream::connect("127.0.0.1:80").await.unwrap() });
        l.accept().await.unwrap();
        c.await.unwrap();
        assert_eq!(t.elapsed(), Duration::ZERO, "local traffic skips the clog");
    })
    .unwrap();
}

fn debug_output() -> String {
    let mut sim = Sim::builder().seed(43).build();
    sim.run(async {
        let l = TcpListener::bind("0.0.0.0:80").await.unwrap();
        let c = detsim::spawn(async { TcpStream::connect("main:80").await.unwrap() });
        let (s, _) = l.accept().await.unwrap();
        let c = c.await.unwrap();
        let u = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        let (rd, wr) = c.into_split();
        format!(
            "{l:?}\n{s:?}\n{rd:?}\n{wr:?}\n{u:?}\n{:?}",
            Network::current()
        )
    })
    .unwrap()
}

#[test]
fn debug_output_does_not_depend_on_test_order() {
    let first = debug_output();
    let second = debug_output();
    assert_eq!(first, second);
    assert!(first.contains("10.0.0.1:80"), "{first}");
    assert!(!first.contains("instance"), "{first}");
}
