//! A UDP socket's receive queue holds 212,992 bytes of datagrams (Linux's
//! `rmem_default`): what arrives at a full queue is dropped and counted
//! as `buffer_full`; reading makes room again.

mod common;

use common::ms;
use detsim::net::{Network, UdpSocket};
use detsim::node::Node;
use detsim::{Sim, time};

#[test]
fn a_full_receive_queue_drops_and_reading_makes_room() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let sender = Node::builder("sender").build();
        let rx = UdpSocket::bind("0.0.0.0:9000").await.unwrap();
        let send = |from: u32, count: u32| {
            sender.spawn(async move {
                let s = UdpSocket::bind("0.0.0.0:0").await.unwrap();
                for i in from..from + count {
                    let mut d = vec![0u8; 1000];
                    d[..4].copy_from_slice(&i.to_le_bytes());
                    s.send_to(&d, "main:9000").await.unwrap();
                }
            })
        };
        send(0, 300).await.unwrap();
        time::sleep(ms(5)).await;
        // 212 datagrams of 1,000 bytes fit in 212,992 bytes; 88 are dropped.
        let net = Network::current();
        assert_eq!(net.stats().drops.buffer_full, 88);
        let mut buf = [0u8; 2000];
        for want in 0..100u32 {
            let (n, _) = rx.recv_from(&mut buf).await.unwrap();
            assert_eq!(
                (n, u32::from_le_bytes(buf[..4].try_into().unwrap())),
                (1000, want)
            );
        }
        // Room for 100 more (the next 12 of these are dropped).
        send(1000, 112).await.unwrap();
        time::sleep(ms(5)).await;
        assert_eq!(net.stats().drops.buffer_full, 100);
        let mut got = Vec::new();
        while let Ok(r) = time::timeout(ms(10), rx.recv_from(&mut buf)).await {
            r.unwrap();
            got.push(u32::from_le_bytes(buf[..4].try_into().unwrap()));
        }
        let want: Vec<u32> = (100..212).chain(1000..1100).collect();
        assert_eq!(got, want);
    })
    .unwrap();
}
