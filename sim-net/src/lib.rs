//! The detsim simulated network: addresses, names, UDP, and faults
//! (latency, loss, duplication, partitions, clogging), every random
//! decision drawn from the run's seed.
//!
//! Reach it as `detsim::net`. Everything here works inside a simulation
//! (`Sim::run`, `#[sim_test]`) and panics outside one.
//!
//! # Layering
//!
//! Three layers, as in turmoil's network:
//!
//! 1. **sockets** ([`UdpSocket`]): per-node port tables, binding rules
//!    (`AddrInUse`, `AddrNotAvailable`, ephemeral ports from 49152),
//!    receive buffers, and the io errors tokio would give;
//! 2. **the fabric**: carries datagrams between nodes on the virtual
//!    clock. One in-flight queue ordered by due time and send order, and
//!    one timer armed for the earliest: no hidden tasks, so the network
//!    adds no scheduling decisions;
//! 3. **fault rules** ([`Network`], [`LinkConfig`], [`Latency`]): for each
//!    datagram sent, a verdict (dropped by a partition or by loss, or
//!    delivered after a latency, perhaps twice).
//!
//! # Addresses
//!
//! Node `n` (by id; `main` is 0) has the address `10.0.0.{n+1}` and its
//! name as hostname: [`lookup_host`]`("db:5432")`, `UdpSocket::send_to(buf,
//! "db:5432")`. `127.0.0.1` and `localhost` are the node itself; traffic
//! within a node skips the fault rules and arrives at once. IPv6 is not
//! simulated yet.
//!
//! # The fault model
//!
//! Every link (directed, node to node) has a [`LinkConfig`]: a latency
//! distribution (constant, uniform, long-tailed), a loss rate and a
//! duplication rate; [`Network::set_default`] sets it for all links,
//! [`Network::set_link`] for one pair. The default is a quiet network
//! (a constant 1 ms, nothing lost or duplicated), which makes no draws.
//! On top: partitions ([`Network::partition`], one-way
//! [`Network::partition_oneway`], [`Network::heal`]) drop what is sent
//! across them; clogs ([`Network::clog_node`], [`Network::clog_link`])
//! hold datagrams, including those already on the wire, until they end.
//! Everything can change at any moment of the run, from any task.
//!
//! Each decision is one draw from the choice source, shaped so that 0 is
//! the simplest outcome: delivered, at the minimum latency, not
//! duplicated. An all-zero tape is a perfect network, and shrinking a
//! failing tape removes faults. Sends, deliveries and drops are folded
//! into the run's fingerprint.
//!
//! A node's sockets close when it is killed; datagrams for a node that is
//! down, or for a port nothing is bound to, are dropped and counted
//! ([`Network::stats`], [`Network::netstat`]).
//!
//! # Example
//!
//! ```
//! use std::time::Duration;
//! use sim_core::node::Node;
//! use sim_net::{Network, UdpSocket};
//!
//! let mut sim = sim_core::Sim::builder().seed(1).build();
//! sim.run(async {
//!     Node::builder("server").init(|| async {
//!         let sock = UdpSocket::bind("0.0.0.0:9000").await.unwrap();
//!         let mut buf = [0u8; 64];
//!         loop {
//!             let (n, from) = sock.recv_from(&mut buf).await.unwrap();
//!             sock.send_to(&buf[..n], from).await.unwrap();
//!         }
//!     }).build();
//!     let net = Network::current();
//!     let client = UdpSocket::bind("0.0.0.0:0").await.unwrap();
//!     net.partition(&Node::current(), &Node::lookup("server").unwrap());
//!     client.send_to(b"lost", "server:9000").await.unwrap();
//!     net.heal_all();
//!     client.send_to(b"hello", "server:9000").await.unwrap();
//!     let mut buf = [0u8; 64];
//!     let (n, _) = client.recv_from(&mut buf).await.unwrap();
//!     assert_eq!(&buf[..n], b"hello");
//!     assert_eq!(net.stats().drops.partition, 1);
//! }).unwrap();
//! ```
#![forbid(unsafe_code)]

mod addr;
mod config;
mod fabric;
mod network;
mod ports;
mod rules;
mod state;
mod stats;
mod tcp;
mod udp;

pub use addr::{ToSocketAddrs, lookup_host, node_addr};
pub use config::{Latency, LinkConfig, NetConfigError};
pub use network::Network;
pub use stats::{DropCounts, LinkStats, NetStats, Netstat, SocketRow, TcpStats};
pub use tcp::{
    MSS, OwnedReadHalf, OwnedWriteHalf, RECV_WINDOW, RTO_MAX, RTO_MIN, SEND_BUFFER, TcpListener,
    TcpStream,
};
pub use udp::{MAX_DATAGRAM, UdpSocket};
