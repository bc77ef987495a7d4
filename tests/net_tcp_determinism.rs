//! Same seed, same TCP run: 300 seeds × 2 runs of a TCP workload with
//! every fault enabled (jitter, loss, duplication, a partition with a TCP
//! timeout, a clog, a server killed and restarted mid-transfer) give
//! identical fingerprints, tapes, outcomes and counters.

mod common;

use common::ms;
use detsim::net::{Latency, LinkConfig, Network, TcpStream};
use detsim::node::Node;
use detsim::{Sim, spawn, time};
use futures::io::{AsyncReadExt, AsyncWriteExt};

fn echo_server(name: String) -> Node {
    common::tcp_echo_node(name, "0.0.0.0:7")
}

/// One client: 8 requests, reconnecting after any error; returns
/// (answered, errors by kind).
async fn client(target: &'static str) -> (u32, Vec<String>) {
    let mut answered = 0;
    let mut errors = Vec::new();
    let mut stream: Option<TcpStream> = None;
    for i in 0..8u32 {
        if stream.is_none() {
            match time::timeout(ms(400), TcpStream::connect(target)).await {
                Ok(Ok(s)) => stream = Some(s),
                Ok(Err(e)) => errors.push(format!("connect {:?}", e.kind())),
                Err(_) => errors.push("connect elapsed".into()),
            }
        }
        let Some(s) = stream.as_mut() else { continue };
        let call = async {
            s.write_all(&i.to_le_bytes()).await?;
            let mut buf = [0u8; 4];
            s.read_exact(&mut buf).await?;
            Ok::<_, std::io::Error>(u32::from_le_bytes(buf))
        };
        match time::timeout(ms(300), call).await {
            Ok(Ok(v)) if v == i => answered += 1,
            Ok(Ok(_)) => errors.push("mismatch".into()),
            Ok(Err(e)) => {
                errors.push(format!("{:?}", e.kind()));
                stream = None;
            }
            Err(_) => {
                errors.push("elapsed".into());
                stream = None;
            }
        }
    }
    (answered, errors)
}

async fn workload() -> (Vec<(u32, Vec<String>)>, String) {
    let net = Network::current();
    net.set_default(
        LinkConfig::new()
            .latency(Latency::uniform(ms(1), ms(10)))
            .loss(0.05)
            .duplicate(0.05),
    )
    .unwrap();
    net.set_tcp_timeout(Some(ms(250)));
    let servers: Vec<Node> = (0..2).map(|i| echo_server(format!("server-{i}"))).collect();
    let (s0, s1) = (servers[0], servers[1]);
    let chaos = spawn(async move {
        let net = Network::current();
        time::sleep(ms(detsim::rand::gen_range(5..60))).await;
        net.partition(&s0, &Node::current());
        time::sleep(ms(detsim::rand::gen_range(50..400))).await;
        net.heal_all();
        net.clog_node(&s1, ms(40));
        time::sleep(ms(detsim::rand::gen_range(1..100))).await;
        s1.restart();
    });
    time::sleep(ms(1)).await;
    let mut clients = Vec::new();
    for c in 0..3u32 {
        let target = if c % 2 == 0 {
            "server-0:7"
        } else {
            "server-1:7"
        };
        clients.push(
            Node::builder(format!("client-{c}"))
                .build()
                .spawn(client(target)),
        );
    }
    common::join_with_stats(clients, chaos).await
}

#[test]
fn three_hundred_seeds_run_twice_with_tcp_and_faults_give_identical_runs() {
    let runs = common::run_each_seed_twice(0..300, workload);
    common::assert_seeds_differ(&runs, 250);
}

#[test]
fn a_recorded_tape_replays_the_tcp_run_exactly() {
    let mut a = Sim::builder().seed(42).build();
    let out = a.run(workload()).unwrap();
    let mut r = Sim::builder().seed(7).tape(a.tape()).build();
    assert_eq!(r.run(workload()).unwrap(), out);
    assert_eq!(r.fingerprint(), a.fingerprint());
}

#[test]
fn the_determinism_check_passes_with_tcp() {
    Sim::builder().seed(5).check_determinism(workload).unwrap();
}

#[test]
fn the_faults_actually_bite() {
    let mut timeouts = 0;
    let mut resets = 0;
    let mut errors = 0;
    for seed in 0..20 {
        let mut sim = Sim::builder().seed(seed).build();
        let (out, _) = sim.run(workload()).unwrap();
        errors += out.iter().map(|(_, e)| e.len()).sum::<usize>();
        let sim_stats = sim.run(async { Network::current().stats().tcp }).unwrap();
        timeouts += sim_stats.timeouts;
        resets += sim_stats.resets;
    }
    assert!(
        errors > 0 && timeouts > 0 && resets > 0,
        "{errors} {timeouts} {resets}"
    );
}
