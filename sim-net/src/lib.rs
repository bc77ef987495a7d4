//! The detsim simulated network: addresses, names, TCP, UDP, and faults
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
//! 1. **sockets** ([`UdpSocket`], [`TcpListener`], [`TcpStream`]):
//!    per-node port tables (one for UDP, one for TCP), binding rules
//!    (`AddrInUse`, `AddrNotAvailable`, ephemeral ports from 49152),
//!    buffers, TCP's connection state, and the io errors tokio would give;
//! 2. **the fabric**: carries datagrams and TCP segments between nodes on
//!    the virtual clock. One in-flight queue ordered by due time and send order, and
//!    one timer armed for the earliest: no hidden tasks, so the network
//!    adds no scheduling decisions;
//! 3. **fault rules** ([`Network`], [`LinkConfig`], [`Latency`]): for each
//!    datagram or segment sent, a verdict (dropped by a partition or by loss, or
//!    delivered after a latency, perhaps twice).
//!
//! # Addresses
//!
//! Node `n` (by id; `main` is 0) has the address `10.0.0.{n+1}`, the IPv6
//! address `fd00::{n+1}` (a unique local address, the count in hex:
//! [`node_addr`], [`node_addr_v6`]) and its name as hostname:
//! [`lookup_host`]`("db:5432")` gives `10.0.0.2:5432` then
//! `[fd00::2]:5432`. `127.0.0.1`, `::1` and `localhost` are the node
//! itself (and so is `0.0.0.0` or `[::]` as a destination, as on Linux:
//! connecting to a wildcard listener's `local_addr()` works); traffic
//! within a node skips the fault rules and arrives at once. As in tokio, `TcpStream::connect`, `TcpListener::bind`,
//! `UdpSocket::bind` and `UdpSocket::connect` try each address a name
//! (or a `&[SocketAddr]`) resolves to in turn until one succeeds, and
//! return the last error if none does: `TcpStream::connect("db:80")`
//! reaches a server listening only on `[::]:80` once the IPv4 attempt is
//! refused. `UdpSocket::send_to` uses the first address only (the IPv4
//! one for a name): from an IPv6 socket, send to an IPv6 literal
//! (`"[fd00::2]:53"`) or `connect` by name and `send`.
//!
//! IPv6 traffic goes through the same links, faults and counters as
//! IPv4 (they are per node). IPv6 sockets are IPv6-only, like Linux
//! sockets with `IPV6_V6ONLY`: a `[::]:80` listener does not accept IPv4
//! connections, and `0.0.0.0:80` and `[::]:80` can both be bound. A UDP
//! socket sending to (or connecting to) an address of the other family
//! gets `InvalidInput` (Linux answers `EAFNOSUPPORT`, which std reports as
//! an uncategorized kind no code can match; `InvalidInput` is the nearest
//! stable one). Flow labels and scope ids are not simulated: they read
//! back as 0.
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
//! [`Network::swizzle_clog`] runs FoundationDB's swizzle-clog over a set
//! of nodes.
//! Everything can change at any moment of the run, from any task.
//!
//! Each decision is one draw from the choice source, shaped so that 0 is
//! the simplest outcome: delivered, at the minimum latency, not
//! duplicated. An all-zero tape is a perfect network, and shrinking a
//! failing tape removes faults. Sends, deliveries (each with its payload
//! length and a TCP segment's sequence number or a datagram's number,
//! counted from 1 per network in the order sent) and drops are folded
//! into the run's fingerprint and shown in its trace. A clog, like every fault rule, never touches traffic
//! within a node. Debug output of sockets and the [`Network`] shows
//! addresses and state, never a process-wide counter, so it does not
//! depend on which tests ran before.
//!
//! A node's sockets close when it is killed; datagrams for a node that is
//! down, or for a port nothing is bound to, are dropped and counted
//! ([`Network::stats`], [`Network::netstat`]). TCP segments to a node that
//! is down are retransmitted like lost ones.
//!
//! # TCP
//!
//! [`TcpListener`] and [`TcpStream`] (with owned halves from
//! [`TcpStream::into_split`]) have tokio's API and implement futures'
//! `AsyncRead`/`AsyncWrite`, and tokio's with the cargo feature
//! `tokio-io`. Segments go through the same fault rules as
//! datagrams, but TCP turns faults into time, never into damaged streams:
//!
//! | fault | what a TCP user sees |
//! |---|---|
//! | latency, jitter | `connect` takes a round trip; bytes arrive later, in order |
//! | duplication | nothing (duplicates are dropped, also at an end already closed) |
//! | loss | delay: retransmission after [`RTO_MIN`], doubling to [`RTO_MAX`] |
//! | partition, node down | a stall until it heals; `TimedOut` after [`DEFAULT_TCP_SYN_RETRIES`] SYN (7.8 s per address tried) or [`DEFAULT_TCP_RETRIES`] data (22.2 s) retransmissions ([`Network::set_tcp_retries`]), or past [`Network::set_tcp_timeout`] |
//! | clog | segments held until it ends |
//! | return path cut or clogged (one-way partition, `clog_link`) | the reader's window updates cannot reach the writer: it blocks once the window is full, until the heal/clog ends, else `TimedOut` after the retransmission limit |
//! | peer node killed | `ConnectionReset` (after the bytes that already arrived); if the kill's RST is lost (a partition), the connection is half-open, as on a real network: an idle reader waits, and the next bytes sent draw an RST once the node is up again, or time out while it is down |
//! | peer closed (dropped) its stream with input it had not read | `ConnectionReset` (after the bytes that already arrived), as on Linux |
//! | writing on after the peer closed its stream (its FIN came) | the first write draws an RST; the next read or write fails with `BrokenPipe`, as on Linux in CLOSE_WAIT |
//! | own node killed | `ConnectionAborted` on handles that outlive it |
//! | nobody listening | `ConnectionRefused` after a round trip (per address tried: a name tries IPv4, then IPv6) |
//!
//! Flow control: a writer blocks once [`RECV_WINDOW`] bytes are unread by
//! the peer and [`SEND_BUFFER`] more wait locally. `write` sends at once
//! (no flush needed); `flush` returns at once, as on a real socket;
//! `shutdown(Write)` / `close()` is a half-close that also returns at once
//! (the FIN follows the buffered bytes; the peer reads them, then EOF, and
//! can still write back). Acknowledgements are not simulated as packets:
//! the window reopens when the reader reads, if an ACK could travel back
//! at that moment (not partitioned, not clogged, the writer's node alive);
//! otherwise a window update segment waits for the return path like a lost
//! segment.
//!
//! ```
//! use futures::io::{AsyncReadExt, AsyncWriteExt};
//! use detsim::node::Node;
//! use detsim::net::{Network, TcpListener, TcpStream};
//!
//! let mut sim = detsim::Sim::builder().seed(1).build();
//! sim.run(async {
//!     let server = Node::builder("server").init(|| async {
//!         let listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
//!         let (mut s, _) = listener.accept().await.unwrap();
//!         let mut req = [0u8; 4];
//!         s.read_exact(&mut req).await.unwrap();
//!         s.write_all(b"pong").await.unwrap();
//!     }).build();
//!     detsim::time::sleep(std::time::Duration::from_millis(1)).await;
//!     let mut s = TcpStream::connect("server:80").await.unwrap();
//!     // A partition only delays the request: it is retransmitted after
//!     // the heal.
//!     let net = Network::current();
//!     net.partition(&Node::current(), &server);
//!     s.write_all(b"ping").await.unwrap();
//!     detsim::spawn(async move {
//!         detsim::time::sleep(std::time::Duration::from_millis(100)).await;
//!         Network::current().heal_all();
//!     });
//!     let mut reply = [0u8; 4];
//!     s.read_exact(&mut reply).await.unwrap();
//!     assert_eq!(&reply, b"pong");
//!     assert_eq!(net.stats().tcp.retransmits, 1);
//! }).unwrap();
//! ```
//!
//! # Example
//!
//! ```
//! use std::time::Duration;
//! use detsim::node::Node;
//! use detsim::net::{Network, UdpSocket};
//!
//! let mut sim = detsim::Sim::builder().seed(1).build();
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
mod events;
mod fabric;
#[cfg(feature = "proptest")]
mod fault_strategy;
mod faults;
mod io_traits;
mod links;
mod mock;
mod network;
mod ports;
mod rules;
mod state;
mod stats;
mod swizzle;
mod tcp;
mod udp;
mod waiters;
mod wire;

pub use addr::{ToSocketAddrs, lookup_host, node_addr, node_addr_v6};
pub use config::{Latency, LinkConfig, NetConfigError};
#[cfg(feature = "proptest")]
pub use fault_strategy::fault_plans;
pub use faults::{Fault, FaultError, FaultPlan, TimedFault};
pub use mock::{
    SocketMock, SocketMockBuilder, SocketMockHandle, SocketMockReadHalf, SocketMockWriteHalf,
};
pub use network::Network;
pub use stats::{DropCounts, LinkStats, NetStats, Netstat, SocketRow, TcpStats};
pub use swizzle::Swizzled;
pub use tcp::{
    DEFAULT_TCP_RETRIES, DEFAULT_TCP_SYN_RETRIES, Incoming, MSS, OwnedReadHalf, OwnedWriteHalf,
    RECV_WINDOW, RTO_MAX, RTO_MIN, SEND_BUFFER, TcpListener, TcpStream,
};
pub use udp::{MAX_DATAGRAM, MAX_DATAGRAM_V6, UdpSocket};
