//! A client node restarted while its RST could not get through (a
//! partition) reconnects from the same ephemeral port (ports count from
//! 49152 again), so its new SYN carries the 4-tuple of the connection the
//! server still holds, half-open. On Linux the SYN meets that established
//! socket, draws a challenge ACK, the client answers it with an RST, and
//! the stale connection is reset: its reader sees `ConnectionReset`.
//! detsim resets it as that RST would, and the listener takes the new
//! connection at once.

mod common;

use std::io::ErrorKind;

use common::ms;
use detsim::net::{Network, TcpListener, TcpStream};
use detsim::node::Node;
use futures::io::AsyncReadExt;

#[test]
fn a_reconnect_from_the_same_port_resets_the_half_open_connection() {
    let mut sim = detsim::Sim::builder().build();
    sim.run(async {
        let net = Network::current();
        let l = TcpListener::bind("0.0.0.0:80").await.unwrap();
        let cli = Node::builder("cli")
            .init(|| async {
                let _s = TcpStream::connect("main:80").await.unwrap();
                std::future::pending::<()>().await;
            })
            .build();
        let (mut stale, peer) = l.accept().await.unwrap();
        detsim::time::sleep(ms(100)).await; // the handshake is over
        net.partition(&cli, &Node::current());
        cli.kill(); // its RST is lost
        detsim::time::sleep(ms(10)).await;
        net.heal_all();
        cli.restart();
        let (_fresh, again) = l.accept().await.unwrap();
        assert_eq!(again, peer, "the same 4-tuple");
        let read = detsim::time::timeout(ms(5_000), stale.read(&mut [0u8; 1])).await;
        let err = read.expect("the stale reader waits for ever").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionReset);
        // One connection holds the 4-tuple now.
        let rows = net.netstat().sockets;
        let held: Vec<_> = rows
            .iter()
            .filter(|r| r.peer == Some(peer))
            .map(|r| r.state)
            .collect();
        assert_eq!(held, [Some("CLOSED"), Some("ESTABLISHED")], "{rows:?}");
        assert_eq!(net.stats().tcp.resets, 1);
    })
    .unwrap();
}
