//! A fault that cuts only the return path (reader → writer) still stalls
//! a one-way stream: the reader's reads reopen the writer's window only
//! when an ACK could travel back at that moment. Otherwise the window
//! update waits like a lost segment: it gets through after a heal or a
//! clog, and past the retransmission limit the connection times out.

mod common;

use std::io::ErrorKind;

use common::ms;
use detsim::net::{Network, TcpListener, TcpStream};
use detsim::node::Node;
use detsim::{Sim, time};
use futures::io::{AsyncReadExt, AsyncWriteExt};

/// A node that reads everything sent to port 80 and never answers.
fn sink_node() -> Node {
    Node::builder("sink")
        .init(|| async {
            let listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
            loop {
                let (mut s, _) = listener.accept().await.unwrap();
                detsim::spawn(async move {
                    let mut buf = vec![0u8; 64 * 1024];
                    while let Ok(n) = s.read(&mut buf).await {
                        if n == 0 {
                            break;
                        }
                    }
                });
            }
        })
        .build()
}

/// Writes 1 MiB chunks until an error or `total` bytes.
async fn stream_out(s: &mut TcpStream, total: usize) -> std::io::Result<usize> {
    let chunk = vec![7u8; 1 << 20];
    let mut sent = 0;
    while sent < total {
        s.write_all(&chunk).await?;
        sent += chunk.len();
    }
    Ok(sent)
}

#[test]
fn a_one_way_partition_of_the_return_path_times_a_writer_out() {
    let mut sim = Sim::builder().seed(31).build();
    sim.run(async {
        let net = Network::current();
        let sink = sink_node();
        time::sleep(ms(1)).await;
        let mut s = TcpStream::connect("sink:80").await.unwrap();
        net.partition_oneway(&sink, &Node::current());
        let t = time::Instant::now();
        let err = stream_out(&mut s, 64 << 20).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut, "{err}");
        // The window is full at once and its updates cannot come back:
        // the writer's persist timer probes (the probes arrive, their
        // answers are cut) and gives up after 15 unanswered probes, one
        // backoff after the last, as Linux's does. (The reader's window
        // update, lost 1 ms in, would time out by its own retransmission
        // limit 1 ms later.)
        assert_eq!(t.elapsed(), ms(22_200));
        assert_eq!(net.stats().tcp.window_probes, 15);
        assert_eq!(net.stats().link("main", "sink").dropped, 0);
    })
    .unwrap();
}

#[test]
fn a_writer_whose_return_path_heals_goes_on() {
    let mut sim = Sim::builder().seed(32).build();
    sim.run(async {
        let net = Network::current();
        let sink = sink_node();
        time::sleep(ms(1)).await;
        let mut s = TcpStream::connect("sink:80").await.unwrap();
        net.partition_oneway(&sink, &Node::current());
        detsim::spawn(async move {
            time::sleep(ms(3_000)).await;
            Network::current().heal_all();
        });
        let t = time::Instant::now();
        assert_eq!(stream_out(&mut s, 2 << 20).await.unwrap(), 2 << 20);
        assert!(t.elapsed() > ms(3_000), "blocked until the heal");
        assert_eq!(net.stats().tcp.timeouts, 0);
    })
    .unwrap();
}

#[test]
fn a_clogged_return_path_holds_the_writer_until_the_clog_ends() {
    let mut sim = Sim::builder().seed(33).build();
    sim.run(async {
        let net = Network::current();
        let sink = sink_node();
        time::sleep(ms(1)).await;
        let mut s = TcpStream::connect("sink:80").await.unwrap();
        net.clog_link(&sink, &Node::current(), ms(500));
        let t = time::Instant::now();
        assert_eq!(stream_out(&mut s, 1 << 20).await.unwrap(), 1 << 20);
        assert!(t.elapsed() >= ms(500), "{:?}", t.elapsed());
        assert!(t.elapsed() < ms(600), "{:?}", t.elapsed());
    })
    .unwrap();
}
