//! Same seed, same run, for the tokio-style API added to sim-net: 100
//! seeds × 2 runs of a workload with jitter, loss, duplication, a
//! partition and a clog, through split halves copied by `tokio::io::copy`
//! (a proxy), `readable`/`try_read` and `writable`/`try_write` loops,
//! `peek`, reunited halves, UDP broadcast (each copy meeting its link's
//! faults) received with `readable`/`try_recv_from` and `peek_from`: equal
//! fingerprints, tapes, outputs and counters; different seeds differ.

mod common;

use std::io::ErrorKind;

use common::ms;
use detsim::net::{Latency, LinkConfig, Network, TcpListener, TcpStream, UdpSocket};
use detsim::node::Node;
use detsim::{spawn, time};
use tokio::io::AsyncWriteExt;

/// Reads until EOF with `readable` + `try_read`.
async fn read_all_nonblocking(s: &TcpStream) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 1500];
    loop {
        s.readable().await.unwrap();
        match s.try_read(&mut buf) {
            Ok(0) => return out,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::WouldBlock => continue,
            Err(e) => panic!("{e}"),
        }
    }
}

/// Writes all of `data` with `writable` + `try_write`.
async fn write_all_nonblocking(s: &TcpStream, mut data: &[u8]) {
    while !data.is_empty() {
        s.writable().await.unwrap();
        match s.try_write(data) {
            Ok(n) => data = &data[n..],
            Err(e) if e.kind() == ErrorKind::WouldBlock => continue,
            Err(e) => panic!("{e}"),
        }
    }
}

fn backend() -> Node {
    Node::builder("backend")
        .init(|| async {
            let l = TcpListener::bind("0.0.0.0:7").await.unwrap();
            loop {
                let (s, _) = l.accept().await.unwrap();
                spawn(async move {
                    // Peek at the first byte, then echo everything back
                    // through the owned halves, and reunite them.
                    let mut first = [0u8; 1];
                    let mut s = s;
                    assert_eq!(s.peek(&mut first).await.unwrap(), 1);
                    let (mut rd, mut wr) = s.into_split();
                    tokio::io::copy(&mut rd, &mut wr).await.unwrap();
                    s = rd.reunite(wr).unwrap();
                    AsyncWriteExt::shutdown(&mut s).await.unwrap();
                });
            }
        })
        .build()
}

fn proxy() -> Node {
    Node::builder("proxy")
        .init(|| async {
            let l = TcpListener::bind("0.0.0.0:8080").await.unwrap();
            loop {
                let (mut client, _) = l.accept().await.unwrap();
                spawn(async move {
                    let mut upstream = TcpStream::connect("backend:7").await.unwrap();
                    let (mut crd, mut cwr) = client.split();
                    let (mut urd, mut uwr) = upstream.split();
                    let up = async {
                        tokio::io::copy(&mut crd, &mut uwr).await?;
                        uwr.shutdown().await
                    };
                    let down = async {
                        tokio::io::copy(&mut urd, &mut cwr).await?;
                        cwr.shutdown().await
                    };
                    futures::future::try_join(up, down).await.unwrap();
                });
            }
        })
        .build()
}

async fn workload() -> (Vec<String>, String) {
    let net = Network::current();
    net.set_default(
        LinkConfig::new()
            .latency(Latency::uniform(ms(1), ms(10)))
            .loss(0.1)
            .duplicate(0.05),
    )
    .unwrap();
    let backend = backend();
    let proxy = proxy();
    let mut tasks = Vec::new();
    // UDP listeners on 0.0.0.0:9999, started first so the broadcasts find
    // them bound: each peeks at a datagram, then takes it, until a quiet
    // spell.
    for i in 0..3u32 {
        let node = Node::builder(format!("listener-{i}")).build();
        tasks.push(node.spawn(async move {
            let sock = UdpSocket::bind("0.0.0.0:9999").await.unwrap();
            let mut got = Vec::new();
            loop {
                match time::timeout(ms(300), sock.readable()).await {
                    Err(_) => break,
                    Ok(r) => r.unwrap(),
                }
                let mut head = [0u8; 1];
                let (_, from) = sock.peek_from(&mut head).await.unwrap();
                let mut buf = [0u8; 8];
                match sock.try_recv_from(&mut buf) {
                    Ok((n, f)) => {
                        assert_eq!((buf[0], f), (head[0], from));
                        got.push(buf[..n][0]);
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => continue,
                    Err(e) => panic!("{e}"),
                }
            }
            format!("listener-{i}: {got:?}")
        }));
    }
    let chaos = spawn(async move {
        let net = Network::current();
        time::sleep(ms(detsim::rand::gen_range(5..30))).await;
        net.partition(&proxy, &backend);
        time::sleep(ms(30)).await;
        net.heal_all();
        net.clog_node(&backend, ms(20));
    });
    time::sleep(ms(1)).await;
    let caster = Node::builder("caster").build();
    tasks.push(caster.spawn(async {
        let sock = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        sock.set_broadcast(true).unwrap();
        for i in 0..10u8 {
            sock.writable().await.unwrap();
            sock.try_send_to(&[i], "255.255.255.255:9999".parse().unwrap())
                .unwrap();
            time::sleep(ms(5)).await;
        }
        "caster: done".to_string()
    }));
    for c in 0..3u32 {
        tasks.push(
            Node::builder(format!("client-{c}"))
                .build()
                .spawn(async move {
                    let s = TcpStream::connect("proxy:8080").await.unwrap();
                    let msg: Vec<u8> = (0..20_000u32).map(|i| (i * (c + 1)) as u8).collect();
                    write_all_nonblocking(&s, &msg).await;
                    s.shutdown(std::net::Shutdown::Write).unwrap();
                    let back = read_all_nonblocking(&s).await;
                    assert_eq!(back, msg);
                    format!("client-{c}: {} bytes back", back.len())
                }),
        );
    }
    common::join_with_stats(tasks, chaos).await
}

#[test]
fn a_hundred_seeds_run_twice_with_faults_give_identical_runs() {
    let runs = common::run_each_seed_twice(0..100, workload);
    common::assert_seeds_differ(&runs, 80);
}

#[test]
fn the_determinism_check_passes() {
    detsim::Sim::builder()
        .seed(11)
        .check_determinism(workload)
        .unwrap();
}
