//! Duplicated segments are only delay and noise to TCP: a late duplicate
//! never reaches the reader twice, and never turns a clean close into a
//! reset.

mod common;

use common::ms;
use detsim::net::{Latency, LinkConfig, Network, TcpListener, TcpStream};
use detsim::node::Node;
use detsim::{Sim, time};
use futures::io::{AsyncReadExt, AsyncWriteExt};

/// A request and a response over a link that duplicates half of its
/// segments with a wide latency spread, so duplicates arrive late: the
/// server reads the whole request, answers and drops its stream (a clean
/// close, every byte read).
async fn exchange() -> std::io::Result<Vec<u8>> {
    Node::builder("srv")
        .init(|| async {
            let l = TcpListener::bind("0.0.0.0:80").await.unwrap();
            let (mut s, _) = l.accept().await.unwrap();
            let mut req = [0u8; 5];
            s.read_exact(&mut req).await.unwrap();
            s.write_all(b"response").await.unwrap();
        })
        .build();
    time::sleep(ms(1)).await;
    let link = LinkConfig::new()
        .latency(Latency::uniform(ms(1), ms(20)))
        .duplicate(0.5);
    Network::current().set_default(link).unwrap();
    let mut c = TcpStream::connect("srv:80").await?;
    c.write_all(b"hello").await?;
    let mut resp = Vec::new();
    c.read_to_end(&mut resp).await?;
    Ok(resp)
}

#[test]
fn a_late_duplicate_reaching_a_cleanly_closed_end_does_not_reset_the_peer() {
    let mut duplicated = 0;
    for seed in 0..200 {
        let mut sim = Sim::builder().seed(seed).build();
        let (got, dups) = sim
            .run(async {
                let got = exchange().await;
                let stats = Network::current().stats();
                let dups =
                    stats.link("main", "srv").duplicated + stats.link("srv", "main").duplicated;
                (got, dups)
            })
            .unwrap();
        match got {
            Ok(resp) => assert_eq!(resp, b"response", "seed {seed}"),
            Err(e) => panic!("seed {seed}: the client got {:?} ({e})", e.kind()),
        }
        duplicated += u64::from(dups > 0);
    }
    // The runs did meet duplicates (the case is exercised).
    assert!(duplicated > 50, "only {duplicated} runs saw a duplicate");
}
