//! A connect abandoned while its SYN cannot get through (the client drops
//! the connect future, e.g. on a `timeout`) is gone for good: its SYN is
//! not retransmitted any more, its connection is collected, and the
//! server never accepts a ghost of it after the network heals.

mod common;

use common::ms;
use detsim::net::{Network, TcpListener, TcpStream};
use detsim::node::Node;
use detsim::{Sim, spawn, time};

#[test]
fn a_connect_abandoned_during_a_partition_is_never_accepted_after_the_heal() {
    let mut sim = Sim::builder().seed(11).build();
    sim.run(async {
        let net = Network::current();
        let accepted = std::rc::Rc::new(std::cell::Cell::new(0u32));
        let server = Node::builder("server").build();
        let counter = accepted.clone();
        server.spawn_local(async move {
            let listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
            loop {
                let (s, _) = listener.accept().await.unwrap();
                counter.set(counter.get() + 1);
                drop(s);
            }
        });
        time::sleep(ms(1)).await;
        net.partition(&Node::current(), &server);
        for _ in 0..5 {
            let r = time::timeout(ms(300), TcpStream::connect("server:80")).await;
            assert!(r.is_err(), "the SYN cannot get through");
        }
        let retransmits = net.stats().tcp.retransmits;
        time::sleep(ms(10_000)).await;
        assert_eq!(
            net.stats().tcp.retransmits,
            retransmits,
            "abandoned SYNs are not retransmitted"
        );
        net.heal_all();
        time::sleep(ms(10_000)).await;
        assert_eq!(accepted.get(), 0, "no ghost connection is accepted");
        assert_eq!(net.stats().tcp.accepted, 0);
        assert!(
            net.netstat()
                .sockets
                .iter()
                .all(|r| r.state == Some("LISTEN")),
            "{}",
            net.netstat()
        );
        // A fresh connect works.
        let c = spawn(async { TcpStream::connect("server:80").await.map(drop) });
        c.await.unwrap().unwrap();
        assert_eq!(net.stats().tcp.accepted, 1);
    })
    .unwrap();
}
