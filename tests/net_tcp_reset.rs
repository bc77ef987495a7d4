//! After a reset, a TCP read never returns data again (the RST is
//! unnumbered and may overtake data under jitter), and traffic still in
//! flight at the end of a strict run is not a timer left behind.

use std::io::ErrorKind;
use std::time::Duration;

use detsim::net::{Latency, LinkConfig, Network, TcpListener, TcpStream, UdpSocket};
use detsim::node::Node;
use detsim::{Sim, time};
use futures::io::{AsyncReadExt, AsyncWriteExt};

#[test]
fn a_read_never_returns_data_after_a_reset() {
    for seed in 0..40 {
        let mut sim = Sim::builder().seed(seed).build();
        sim.run(async {
            let jitter = Latency::uniform(Duration::from_millis(1), Duration::from_millis(50));
            Network::current()
                .set_default(LinkConfig::new().latency(jitter))
                .unwrap();
            let listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
            let writer = Node::builder("writer")
                .init(|| async {
                    let mut s = TcpStream::connect("main:80").await.unwrap();
                    for i in 0..200u8 {
                        if s.write_all(&[i; 100]).await.is_err() {
                            break;
                        }
                        time::sleep(Duration::from_millis(2)).await;
                    }
                    std::future::pending::<()>().await;
                })
                .build();
            let (mut s, _) = listener.accept().await.unwrap();
            // Data piles up unread, with segments still in flight at the kill.
            time::sleep(Duration::from_millis(200)).await;
            writer.kill();
            let mut buf = [0u8; 1000];
            let mut failed = false;
            for _ in 0..400 {
                match s.read(&mut buf).await {
                    Ok(0) => break,
                    Ok(_) => assert!(!failed, "seed {seed}: data after an error"),
                    Err(e) => {
                        assert_eq!(e.kind(), ErrorKind::ConnectionReset);
                        failed = true;
                    }
                }
                time::sleep(Duration::from_millis(1)).await;
            }
            assert!(failed, "seed {seed}: the reset never came");
        })
        .unwrap();
    }
}

#[test]
fn traffic_in_flight_at_the_end_of_a_strict_run_is_not_left_behind() {
    let mut sim = Sim::builder().seed(3).strict(true).build();
    sim.run(async {
        let _server = Node::builder("srv").build();
        let socket = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        socket.send_to(b"bye", "srv:9").await.unwrap();
    })
    .unwrap();
    assert!(sim.report().hygiene().armed_timers().is_empty());
}
