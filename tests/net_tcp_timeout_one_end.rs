//! A connection end whose segment reaches the retransmission limit (or
//! the stall timeout) fails alone, as on Linux: `tcp_write_timeout` →
//! `tcp_write_err` → `tcp_done` takes the socket out of its host's
//! tables and sends nothing (no RST). The peer is told nothing: it stays
//! open until its next segment (data, a FIN, a keepalive probe, a
//! retransmission lost in the partition and sent again after the heal)
//! reaches the host that forgot the connection and draws an RST
//! (`ConnectionReset`); a peer that only reads, without keepalive or a
//! timeout of its own, waits forever, as on Linux.
//! (That a failed end sends nothing more: tests/net_tcp_failed_end.rs.)

mod common;

use std::io::ErrorKind;
use std::time::Duration;

use common::{ms, pair_with_server_node};
use detsim::net::{LinkConfig, Network, TcpListener, TcpStream};
use detsim::node::Node;
use detsim::{Sim, spawn, time};
use futures::io::{AsyncReadExt, AsyncWriteExt};

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// The netstat states of the TCP connection ends on `node`.
fn states(node: &str) -> Vec<&'static str> {
    let netstat = Network::current().netstat();
    netstat
        .sockets
        .iter()
        .filter(|r| r.proto == "tcp" && r.node == node && r.peer.is_some())
        .filter_map(|r| r.state)
        .collect()
}

/// The client writes into a partition that outlasts the retransmission
/// limit: it fails with `TimedOut` 22.2 s after the write, alone. The
/// server end heard nothing: it stays established, with no error.
async fn client_timed_out() -> (Node, TcpStream, TcpStream) {
    client_timed_out_after(ms(22_200)).await
}

/// [`client_timed_out`] with the network's timeouts as they are set: the
/// client fails with `TimedOut` `after` the write.
async fn client_timed_out_after(after: Duration) -> (Node, TcpStream, TcpStream) {
    let net = Network::current();
    let (server, mut c, s) = pair_with_server_node().await;
    net.partition(&Node::current(), &server);
    let t = time::Instant::now();
    c.write_all(b"ping").await.unwrap();
    let err = c.read(&mut [0u8; 4]).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TimedOut, "{err}");
    assert_eq!(t.elapsed(), after);
    (server, c, s)
}

#[test]
fn a_data_timeout_fails_the_sender_alone() {
    common::run(async {
        let (_server, _c, s) = client_timed_out().await;
        assert!(
            s.take_error().unwrap().is_none(),
            "the server heard nothing"
        );
        assert_eq!(states("server"), ["ESTABLISHED"]);
        let tcp = Network::current().stats().tcp;
        assert_eq!((tcp.timeouts, tcp.resets), (1, 0), "{tcp:?}");
    });
}

/// Linux's behaviour, kept: a peer that only reads, with no keepalive
/// and no timeout of its own, sends nothing, so nothing tells it; it
/// waits forever, even once the partition healed.
#[test]
fn a_peer_that_only_reads_waits_forever() {
    common::run(async {
        let (_server, _c, mut s) = client_timed_out().await;
        Network::current().heal_all();
        let waited = time::timeout(secs(1800), s.read(&mut [0u8; 4])).await;
        assert!(waited.is_err(), "still waiting half an hour later");
        assert_eq!(states("server"), ["ESTABLISHED"]);
    });
}

#[test]
fn after_the_heal_the_peers_next_write_draws_an_rst() {
    common::run(async {
        let (_server, _c, mut s) = client_timed_out().await;
        Network::current().heal_all();
        s.write_all(b"pong").await.unwrap();
        time::sleep(ms(10)).await;
        let err = s.write_all(b"more").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{err}");
        let tcp = Network::current().stats().tcp;
        assert_eq!((tcp.timeouts, tcp.resets), (1, 1), "{tcp:?}");
    });
}

/// The server answers 10 s into the partition: its answer is lost and
/// sent again (at 10.2, 10.6, 11.4, 13.0 s, then every 1.6 s). The
/// client gives up at 22.2 s; the partition heals at 25 s; the
/// retransmission at 25.8 s reaches the forgotten client end and draws
/// an RST, back at 25.802 s.
#[test]
fn the_peers_segments_lost_in_the_partition_draw_an_rst_once_healed() {
    common::run(async {
        let net = Network::current();
        let (server, mut c, mut s) = pair_with_server_node().await;
        net.partition(&Node::current(), &server);
        let t = time::Instant::now();
        c.write_all(b"ping").await.unwrap();
        let answer = spawn(async move {
            time::sleep(secs(10)).await;
            s.write_all(b"pong").await.unwrap();
            let err = s.read(&mut [0u8; 4]).await.unwrap_err();
            (err.kind(), t.elapsed())
        });
        let err = c.read(&mut [0u8; 4]).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut, "{err}");
        assert_eq!(t.elapsed(), ms(22_200));
        time::sleep(ms(25_000) - t.elapsed()).await;
        net.heal_all();
        let (kind, at) = answer.await.unwrap();
        assert_eq!(kind, ErrorKind::ConnectionReset);
        assert_eq!(at, ms(25_802));
        let tcp = net.stats().tcp;
        assert_eq!((tcp.timeouts, tcp.resets), (1, 1), "{tcp:?}");
    });
}

/// A reading peer with keepalive finds out: its first probe after the
/// heal reaches the forgotten end and draws an RST.
#[test]
fn a_reading_peer_with_keepalive_learns_from_its_probes_rst() {
    common::run(async {
        let net = Network::current();
        net.set_tcp_keepalive(secs(30), secs(5), 3).unwrap();
        let (server, mut c, mut s) = pair_with_server_node().await;
        s.set_keepalive(true).unwrap();
        net.partition(&Node::current(), &server);
        c.write_all(b"ping").await.unwrap();
        let err = c.read(&mut [0u8; 4]).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut, "{err}");
        net.heal_all();
        let healed = time::Instant::now();
        let err = s.read(&mut [0u8; 4]).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{err}");
        // Idle for 30 s since the handshake: the first probe.
        assert!(healed.elapsed() < secs(10), "{:?}", healed.elapsed());
        let tcp = net.stats().tcp;
        assert_eq!((tcp.timeouts, tcp.resets), (1, 1), "{tcp:?}");
        assert_eq!(tcp.keepalive_probes, 1, "{tcp:?}");
    });
}

#[test]
fn a_stall_timeout_fails_the_sender_alone() {
    common::run(async {
        let net = Network::current();
        net.set_tcp_timeout(Some(secs(2)));
        let (_server, _c, s) = client_timed_out_after(secs(2)).await;
        assert!(
            s.take_error().unwrap().is_none(),
            "the server heard nothing"
        );
        assert_eq!(states("server"), ["ESTABLISHED"]);
        net.heal_all();
        s.shutdown(std::net::Shutdown::Write).unwrap(); // its FIN draws an RST
        time::sleep(ms(10)).await;
        let err = s.take_error().unwrap().map(|e| e.kind());
        assert_eq!(err, Some(ErrorKind::ConnectionReset));
        assert_eq!(net.stats().tcp.timeouts, 1);
    });
}

/// The handshake is the exception: a server whose SYN-ACK never gets
/// through gives up, and so does the client's `connect`, which waits for
/// nothing else (its SYN arrived, so it is not sent again).
#[test]
fn a_lost_syn_ack_still_fails_the_connect() {
    common::run(async {
        let net = Network::current();
        let server = Node::builder("server").build();
        let _l = server
            .spawn(async { TcpListener::bind("0.0.0.0:80").await.unwrap() })
            .await
            .unwrap();
        net.partition_oneway(&server, &Node::current());
        let t = time::Instant::now();
        let err = TcpStream::connect("10.0.0.2:80").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut, "{err}");
        assert_eq!(t.elapsed(), ms(22_201));
    });
}

/// A client and an echo server exchange requests under loss, while
/// partitions come and go at random times; the retry limit is low, so
/// ends time out alone and their peers learn by RSTs (or wait). Outcome:
/// each request's result, and the counters.
async fn workload() -> (Vec<Result<u64, ErrorKind>>, String) {
    let net = Network::current();
    net.set_default(LinkConfig::new().loss(0.1)).unwrap();
    net.set_tcp_retries(Some(3));
    net.set_tcp_keepalive(secs(2), secs(1), 2).unwrap();
    let server = Node::builder("server")
        .init(|| async {
            let l = TcpListener::bind("0.0.0.0:7").await.unwrap();
            loop {
                let (mut s, _) = l.accept().await.unwrap();
                s.set_keepalive(true).unwrap();
                spawn(async move {
                    let mut buf = [0u8; 8];
                    while s.read_exact(&mut buf).await.is_ok() {
                        if s.write_all(&buf).await.is_err() {
                            break;
                        }
                    }
                });
            }
        })
        .build();
    let nodes: Vec<Node> = (0..2)
        .map(|n| Node::builder(format!("client-{n}")).build())
        .collect();
    let cut = nodes.clone();
    let chaos = spawn(async move {
        let net = Network::current();
        for _ in 0..3 {
            time::sleep(ms(detsim::rand::gen_range(100..3000))).await;
            let victim = &cut[detsim::rand::gen_range(0..cut.len())];
            net.partition(&server, victim);
            time::sleep(ms(detsim::rand::gen_range(500..6000))).await;
            net.heal_all();
        }
    });
    let mut clients = Vec::new();
    for node in &nodes {
        clients.push(node.spawn(async move {
            let mut out = Vec::new();
            let mut conn: Option<TcpStream> = None;
            for i in 0..12u64 {
                if conn.is_none() {
                    match TcpStream::connect("10.0.0.2:7").await {
                        Ok(s) => conn = Some(s),
                        Err(e) => {
                            out.push(Err(e.kind()));
                            continue;
                        }
                    }
                }
                let s = conn.as_mut().unwrap();
                let round = async {
                    s.write_all(&i.to_le_bytes()).await?;
                    let mut buf = [0u8; 8];
                    s.read_exact(&mut buf).await?;
                    Ok::<u64, std::io::Error>(u64::from_le_bytes(buf))
                };
                match time::timeout(secs(8), round).await {
                    Ok(Ok(v)) => out.push(Ok(v)),
                    Ok(Err(e)) => {
                        out.push(Err(e.kind()));
                        conn = None;
                    }
                    // No answer: the next request goes on the same
                    // connection, and learns if the server's end is gone.
                    Err(_) => out.push(Err(ErrorKind::WouldBlock)),
                }
                time::sleep(ms(detsim::rand::gen_range(50..800))).await;
            }
            out
        }));
    }
    let (outs, stats) = common::join_with_stats(clients, chaos).await;
    (outs.into_iter().flatten().collect(), stats)
}

#[test]
fn sixty_seeds_with_one_sided_timeouts_run_twice_give_identical_runs() {
    let runs = common::run_each_seed_twice(0..60, workload);
    common::assert_seeds_differ(&runs, 40);
    let failed = |k: ErrorKind| {
        runs.iter()
            .filter(|(_, (out, _))| out.contains(&Err(k)))
            .count()
    };
    assert!(failed(ErrorKind::TimedOut) > 0, "some ends time out");
    let counter = |stats: &str, name: &str| -> u64 {
        let at = stats.find(&format!("{name} ")).expect(name) + name.len() + 1;
        let digits: String = stats[at..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().unwrap()
    };
    let reset = runs
        .iter()
        .filter(|(_, (_, stats))| counter(stats, "resets") > 0)
        .count();
    assert!(reset > 0, "some peers learn by an RST");
}

#[test]
fn a_seed_with_one_sided_timeouts_replays_from_its_tape() {
    let mut a = Sim::builder().seed(5).build();
    let out = a.run(workload()).unwrap();
    let mut r = Sim::builder().seed(99).tape(a.tape()).build();
    assert_eq!(r.run(workload()).unwrap(), out);
    assert_eq!(r.fingerprint(), a.fingerprint());
}
