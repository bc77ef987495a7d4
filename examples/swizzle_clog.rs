//! FoundationDB's swizzle-clog on a five-node cluster: a seeded subset of
//! nodes is clogged one at a time, then unclogged in a seeded order, while
//! a prober pings every node over UDP. Clogged nodes answer late (their
//! traffic is held, not lost); the others answer in one round trip.
//!
//! ```text
//! cargo run --example swizzle_clog             # seed 7
//! cargo run --example swizzle_clog -- 42       # another seed, another swizzle
//! ```

use std::time::Duration;

use detsim::net::{Network, UdpSocket};
use detsim::node::Node;
use detsim::time::{self, Instant};
use detsim::{Sim, spawn};

fn main() {
    let seed = std::env::args()
        .nth(1)
        .map(|s| s.parse().expect("a seed (u64)"))
        .unwrap_or(7);
    let mut sim = Sim::builder().seed(seed).build();
    sim.run(async {
        let nodes: Vec<Node> = (0..5)
            .map(|i| {
                Node::builder(format!("n{i}"))
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
        let swizzle = spawn(Network::current().swizzle_clog(nodes, Duration::from_millis(200)));
        let mut probes = Vec::new();
        for i in 0..5 {
            probes.push(spawn(async move {
                let sock = UdpSocket::bind("0.0.0.0:0").await.unwrap();
                let mut worst = Duration::ZERO;
                for _ in 0..100 {
                    let sent = Instant::now();
                    sock.send_to(b"ping", format!("n{i}:7")).await.unwrap();
                    sock.recv_from(&mut [0u8; 16]).await.unwrap();
                    worst = worst.max(Instant::now() - sent);
                    time::sleep(Duration::from_millis(10)).await;
                }
                worst
            }));
        }
        let s = swizzle.await.unwrap();
        let names = |v: &[Node]| v.iter().map(|n| n.name().to_owned()).collect::<Vec<_>>();
        println!("seed {seed}");
        println!("clogged   {:?}", names(&s.clogged));
        println!("unclogged {:?}", names(&s.unclogged));
        println!("swizzle over at {:?}", Instant::now().since_start());
        for (i, p) in probes.into_iter().enumerate() {
            println!("n{i}: worst round trip {:?}", p.await.unwrap());
        }
    })
    .unwrap();
    println!("fingerprint {}", sim.fingerprint());
}
