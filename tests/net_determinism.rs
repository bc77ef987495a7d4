//! Same seed, same network: 300 seeds × 2 runs of a workload with every
//! fault enabled (jitter, a long tail, loss, duplication, a partition, a
//! clog, a node killed and restarted) give identical fingerprints, tapes,
//! outcomes and counters; different seeds give different runs.

mod common;

use common::ms;
use detsim::net::{Latency, LinkConfig, Network, UdpSocket};
use detsim::node::Node;
use detsim::{Sim, spawn, time};

async fn workload() -> (Vec<u32>, String) {
    let net = Network::current();
    net.set_default(
        LinkConfig::new()
            .latency(Latency::uniform(ms(1), ms(8)))
            .loss(0.1)
            .duplicate(0.05),
    )
    .unwrap();
    let servers: Vec<Node> = (0..2)
        .map(|i| {
            Node::builder(format!("server-{i}"))
                .init(|| async {
                    let sock = UdpSocket::bind("0.0.0.0:7").await.unwrap();
                    let mut buf = [0u8; 16];
                    loop {
                        let (n, from) = sock.recv_from(&mut buf).await.unwrap();
                        sock.send_to(&buf[..n], from).await.unwrap();
                    }
                })
                .build()
        })
        .collect();
    net.set_link(
        &servers[0],
        &Node::current(),
        LinkConfig::new().latency(Latency::long_tail(ms(1), ms(3), ms(200))),
    )
    .unwrap();
    let (s0, s1) = (servers[0], servers[1]);
    let chaos = spawn(async move {
        let net = Network::current();
        time::sleep(ms(detsim::rand::gen_range(5..40))).await;
        net.partition(&s0, &Node::current());
        time::sleep(ms(20)).await;
        net.heal_all();
        net.clog_node(&s1, ms(15));
        time::sleep(ms(10)).await;
        s1.restart();
    });
    let mut clients = Vec::new();
    for c in 0..3u32 {
        clients.push(
            Node::builder(format!("client-{c}"))
                .build()
                .spawn(async move {
                    let sock = UdpSocket::bind("0.0.0.0:0").await.unwrap();
                    let mut answered = 0;
                    for i in 0..12u32 {
                        let target = if i % 2 == 0 {
                            "server-0:7"
                        } else {
                            "server-1:7"
                        };
                        sock.send_to(&i.to_le_bytes(), target).await.unwrap();
                        let mut buf = [0u8; 16];
                        if let Ok(r) = time::timeout(ms(15), sock.recv_from(&mut buf)).await {
                            r.unwrap();
                            answered += 1;
                        }
                    }
                    answered * 100 + c
                }),
        );
    }
    common::join_with_stats(clients, chaos).await
}

#[test]
fn three_hundred_seeds_run_twice_with_faults_give_identical_runs() {
    let runs = common::run_each_seed_twice(0..300, workload);
    common::assert_seeds_differ(&runs, 250);
}

#[test]
fn a_recorded_tape_replays_the_network_exactly() {
    let mut a = Sim::builder().seed(42).build();
    let out = a.run(workload()).unwrap();
    let mut r = Sim::builder().seed(7).tape(a.tape()).build();
    assert_eq!(r.run(workload()).unwrap(), out);
    assert_eq!(r.fingerprint(), a.fingerprint());
}

#[test]
fn the_determinism_check_passes_with_the_network() {
    detsim::Sim::builder()
        .seed(5)
        .check_determinism(workload)
        .unwrap();
}
