#![doc = include_str!("net.md")]
#![forbid(unsafe_code)]

mod addr;
mod config;
mod events;
mod fabric;
#[cfg(feature = "proptest")]
mod fault_strategy;
mod faults;
mod interest;
mod io_traits;
mod links;
mod mock;
mod network;
mod ports;
mod pump;
mod rules;
mod state;
mod stats;
mod swizzle;
mod tcp;
mod ttl;
mod udp;
mod waiters;
mod wire;

pub use addr::{ToSocketAddrs, lookup_host, node_addr, node_addr_v6};
pub use config::{Latency, LinkConfig, NetConfigError};
#[cfg(feature = "proptest")]
pub use fault_strategy::fault_plans;
pub use faults::{Fault, FaultError, FaultPlan, TimedFault};
pub use interest::{Interest, Ready};
pub use mock::{
    SocketMock, SocketMockBuilder, SocketMockHandle, SocketMockReadHalf, SocketMockWriteHalf,
};
pub use network::Network;
pub use stats::{DropCounts, LinkStats, NetStats, Netstat, SocketRow, TcpStats};
pub use swizzle::Swizzled;
pub use tcp::{
    DEFAULT_KEEPALIVE_INTERVAL, DEFAULT_KEEPALIVE_PROBES, DEFAULT_KEEPALIVE_TIME,
    DEFAULT_TCP_FIN_TIMEOUT, DEFAULT_TCP_RETRIES, DEFAULT_TCP_SYN_RETRIES, Incoming, MSS,
    OwnedReadHalf, OwnedWriteHalf, RECV_WINDOW, RTO_MAX, RTO_MIN, ReadHalf, ReuniteError,
    SEND_BUFFER, TcpListener, TcpSocket, TcpStream, WriteHalf,
};
pub use udp::{MAX_DATAGRAM, MAX_DATAGRAM_V6, UdpSocket};
