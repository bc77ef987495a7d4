//! TCP under faults: partitions stall connections (timing out with a TCP
//! timeout, flowing again after a heal), a one-way partition, a clog, loss
//! as retransmission delay, a server crash during a transfer and a
//! restart.

mod common;

use std::io::ErrorKind;

use common::ms;
use detsim::net::{LinkConfig, Network, RTO_MIN, TcpListener, TcpStream};
use detsim::node::Node;
use detsim::{Sim, spawn, time};
use futures::io::{AsyncReadExt, AsyncWriteExt};

/// A node running a request/response server on port 80: each 8-byte
/// request is answered with the same 8 bytes.
fn server_node() -> Node {
    Node::builder("server")
        .init(|| async {
            let listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
            loop {
                let (mut s, _) = listener.accept().await.unwrap();
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
        .build()
}

async fn request(s: &mut TcpStream, i: u64) -> std::io::Result<()> {
    s.write_all(&i.to_le_bytes()).await?;
    let mut buf = [0u8; 8];
    s.read_exact(&mut buf).await?;
    assert_eq!(u64::from_le_bytes(buf), i);
    Ok(())
}

#[test]
fn a_partition_times_requests_out_and_after_heal_they_succeed() {
    let mut sim = Sim::builder().seed(1).build();
    sim.run(async {
        let net = Network::current();
        net.set_tcp_timeout(Some(ms(2000)));
        let server = server_node();
        time::sleep(ms(1)).await;
        let mut s = TcpStream::connect("server:80").await.unwrap();
        request(&mut s, 1).await.unwrap();
        net.partition(&Node::current(), &server);
        let t = time::Instant::now();
        let err = request(&mut s, 2).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut);
        assert_eq!(t.elapsed(), ms(2000), "exactly the TCP timeout");
        // The timeout was reported (once, as Linux's socket error): the
        // stream is closed now, writes are a broken pipe, reads EOF; a
        // new connect while partitioned times out too.
        let err = s.write(b"x").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokenPipe);
        assert!(err.to_string().contains("timed out"), "{err}");
        assert_eq!(s.read(&mut [0u8; 4]).await.unwrap(), 0);
        let err = TcpStream::connect("server:80").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut);
        net.heal_all();
        let mut s = TcpStream::connect("server:80").await.unwrap();
        request(&mut s, 3).await.unwrap();
        let tcp = net.stats().tcp;
        // The first connection's client (its server end, which only
        // reads, heard nothing: it times out alone, as on Linux), and
        // the connect (its IPv4 then its IPv6 address).
        assert_eq!(tcp.timeouts, 3, "{tcp:?}");
        assert!(tcp.retransmits > 0);
    })
    .unwrap();
}

#[test]
fn a_healed_partition_lets_the_stalled_data_flow() {
    let mut sim = Sim::builder().seed(2).build();
    sim.run(async {
        let net = Network::current();
        net.set_tcp_timeout(Some(ms(10_000)));
        let server = server_node();
        time::sleep(ms(1)).await;
        let mut s = TcpStream::connect("server:80").await.unwrap();
        net.partition(&Node::current(), &server);
        let healer = spawn(async move {
            time::sleep(ms(3000)).await;
            Network::current().heal_all();
        });
        let t = time::Instant::now();
        request(&mut s, 7).await.unwrap();
        healer.await.unwrap();
        // Retransmissions back off 200, 400, 800, 1600 ms: the first after
        // the heal at 3 s goes out at 4.6 s, then one round trip.
        assert_eq!(t.elapsed(), ms(4600 + 2));
        assert_eq!(net.stats().tcp.timeouts, 0);
    })
    .unwrap();
}

#[test]
fn a_one_way_partition_stalls_the_replies() {
    let mut sim = Sim::builder().seed(3).build();
    sim.run(async {
        let net = Network::current();
        let server = server_node();
        time::sleep(ms(1)).await;
        let mut s = TcpStream::connect("server:80").await.unwrap();
        net.partition_oneway(&server, &Node::current());
        let reply = time::timeout(ms(1000), request(&mut s, 1)).await;
        assert!(reply.is_err(), "the request arrives, the reply cannot");
        assert_eq!(net.stats().link("main", "server").dropped, 0);
        assert!(net.stats().link("server", "main").dropped > 0);
    })
    .unwrap();
}

#[test]
fn a_clog_holds_segments_and_loss_is_only_delay() {
    let mut sim = Sim::builder().seed(4).build();
    sim.run(async {
        let net = Network::current();
        let server = server_node();
        time::sleep(ms(1)).await;
        let mut s = TcpStream::connect("server:80").await.unwrap();
        net.clog_node(&server, ms(300));
        let t = time::Instant::now();
        request(&mut s, 1).await.unwrap();
        assert_eq!(t.elapsed(), ms(301), "held until the clog ends");
        net.set_link(&Node::current(), &server, LinkConfig::new().loss(1.0))
            .unwrap();
        let fixer = spawn(async move {
            time::sleep(ms(300)).await;
            Network::current().reset_link(&Node::current(), &server);
        });
        let t = time::Instant::now();
        request(&mut s, 2).await.unwrap();
        fixer.await.unwrap();
        // Lost at 0, again at 200 ms; the link is fixed at 300 ms and the
        // third try (200 + 400 ms) passes.
        assert_eq!(t.elapsed(), RTO_MIN * 3 + ms(2));
        assert_eq!(net.stats().tcp.retransmits, 2);
    })
    .unwrap();
}

#[test]
fn a_server_crash_during_a_transfer_resets_the_client_and_a_restart_serves_again() {
    let mut sim = Sim::builder().seed(5).build();
    sim.run(async {
        let server = Node::builder("server")
            .init(|| async {
                let listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
                loop {
                    let (mut s, _) = listener.accept().await.unwrap();
                    spawn(async move {
                        // Streams a large body in small writes.
                        let chunk = [1u8; 1000];
                        for _ in 0..10_000 {
                            s.write_all(&chunk).await.unwrap();
                            time::sleep(ms(1)).await;
                        }
                    });
                }
            })
            .build();
        time::sleep(ms(1)).await;
        let mut s = TcpStream::connect("server:80").await.unwrap();
        let killer = spawn(async move {
            time::sleep(ms(50)).await;
            server.kill();
            time::sleep(ms(10)).await;
            server.restart();
        });
        let mut received = 0;
        let mut buf = [0u8; 4096];
        let err = loop {
            match s.read(&mut buf).await {
                Ok(0) => panic!("a crash is not a clean EOF"),
                Ok(n) => received += n,
                Err(e) => break e,
            }
        };
        assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{err}");
        assert!(received > 10_000 && received < 100_000, "{received}");
        // The reset was reported by the read: a write is a broken pipe.
        assert_eq!(
            s.write(b"x").await.unwrap_err().kind(),
            ErrorKind::BrokenPipe
        );
        killer.await.unwrap();
        // After the restart a new connection works.
        let mut s = TcpStream::connect("server:80").await.unwrap();
        let mut first = [0u8; 1000];
        s.read_exact(&mut first).await.unwrap();
        assert_eq!(first, [1u8; 1000]);
        let tcp = Network::current().stats().tcp;
        assert_eq!((tcp.resets, tcp.accepted), (1, 2));
    })
    .unwrap();
}

#[test]
fn a_killed_node_sees_its_own_sockets_closed() {
    let mut sim = Sim::builder().seed(6).build();
    sim.run(async {
        let listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
        let client = Node::builder("client").build();
        // The client's stream escapes its node (sent back to main).
        let (tx, rx) = futures::channel::oneshot::channel();
        client.spawn(async move {
            let s = TcpStream::connect("main:80").await.unwrap();
            let _ = tx.send(s);
        });
        let (mut accepted, _) = listener.accept().await.unwrap();
        let mut escaped = rx.await.unwrap();
        client.kill();
        let err = escaped.write(b"x").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionAborted);
        assert!(err.to_string().contains("'client' was killed"), "{err}");
        let err = accepted.read(&mut [0u8; 4]).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionReset);
    })
    .unwrap();
}
