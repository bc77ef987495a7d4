//! TCP over the simulated network: [`TcpListener`], [`TcpStream`] and
//! [`TcpSocket`].
//!
//! # The model
//!
//! A connection is two *ends*, each with a send buffer and a receive
//! buffer. What a writer writes is cut into segments (at most [`MSS`]
//! bytes) that travel through the same fabric and fault rules as UDP
//! datagrams: each segment gets a verdict, so it carries the link's
//! latency (jitter included), may be duplicated, and is subject to loss,
//! partitions and clogs.
//!
//! * **Reliable and ordered.** Segments are numbered; the receiver puts
//!   early ones aside and hands bytes to the reader in order, and drops
//!   duplicates. A segment the network loses (loss rate, partition, a
//!   destination node that is down) is not lost to the stream: it is sent
//!   again after a retransmission timeout of [`RTO_MIN`], doubling at each
//!   attempt up to [`RTO_MAX`], with a fresh verdict each time. Loss on a
//!   TCP link therefore shows up as delay, never as missing or reordered
//!   bytes, and a partition stalls the connection until it heals.
//! * **Handshake.** `connect` sends a SYN; the listener's node answers with
//!   a SYN-ACK: one round trip of link latency. The server side is queued
//!   for `accept` when the SYN arrives. Nobody listening → an RST back and
//!   `ConnectionRefused` (after the round trip); `connect` then tries the
//!   next address the target resolves to, if any (a name's IPv6 address
//!   after its IPv4 one), as tokio's does. A connect that is
//!   abandoned (its future dropped, e.g. by a `timeout`) before its SYN got
//!   through stops retransmitting the SYN, and the listener never accepts
//!   it, even after a partition heals.
//! * **Flow control.** The bytes a writer has sent that the peer's reader
//!   has not yet read are bounded by the receive window ([`RECV_WINDOW`]);
//!   beyond it, written bytes wait in the send buffer ([`SEND_BUFFER`]), and
//!   when that is full `write` waits. So a writer whose reader does not
//!   read blocks after `RECV_WINDOW + SEND_BUFFER` bytes. Acknowledgements
//!   are not simulated as packets while the return path works: the window
//!   reopens for the writer the moment the reader reads, provided an ACK
//!   could travel back at that moment (reader's node → writer's node not
//!   partitioned, not clogged, the writer's node alive; traffic within a
//!   node always can). When it could not, the read sends a window update
//!   segment instead, which is lost, retransmitted and held like any
//!   other: the writer stays blocked until the return path heals (or the
//!   clog ends), and past the retransmission limits the connection times
//!   out. So a one-way partition of the return path stalls even a stream
//!   that only flows the other way.
//! * **No flush pitfall.** `write` hands bytes to the network at once (as
//!   far as the window allows); `flush` is never needed for delivery and
//!   returns at once, as tokio's does on a real socket (so write-flush-read
//!   loops on both ends cannot deadlock on each other's buffers).
//! * **Half-close.** `shutdown(Write)` (or `AsyncWriteExt::close`, or
//!   dropping an [`OwnedWriteHalf`]) sends a FIN after the buffered data:
//!   the peer reads the remaining bytes, then `Ok(0)`, and can still write
//!   back. Like `flush`, it returns at once (tokio's `poll_shutdown` on a
//!   real socket does not wait for the peer to read either), so two peers
//!   that both close with bytes waiting for each other's window do not
//!   deadlock. Dropping a stream closes both directions; data that arrives at
//!   a closed end is answered with an RST (the writer then gets
//!   `ConnectionReset`). Once both FINs went through (whichever side
//!   closed first), `peer_addr` fails with `NotConnected`, as Linux's
//!   `getpeername` does; while only one did, it still answers.
//! * **Crashes.** A killed node behaves like a process killed on a running
//!   host: its kernel resets its connections. Its own ends close (handles
//!   that outlive it get `ConnectionAborted`), and each peer gets an RST
//!   one link latency later: its reads return the bytes that had already
//!   arrived, then `ConnectionReset`; its writes fail with
//!   `ConnectionReset`. After a restart the node's ports are free again and
//!   new connections work.
//! * **Timeouts.** As on Linux, retransmission is bounded: a SYN is
//!   retransmitted [`DEFAULT_TCP_SYN_RETRIES`] times (then `connect` fails
//!   with `TimedOut`, 7.8 s after the first loss), any other segment
//!   [`DEFAULT_TCP_RETRIES`] times (then its sender's end fails with
//!   `TimedOut`, reads and writes, 22.2 s after the first loss); see
//!   the constants for the exact times. So a permanent stall (a partition
//!   that never heals, a node that stays down) ends in a clear error for
//!   the end that sends, not in a run that hits its time limit. As on
//!   Linux (`tcp_write_timeout` → `tcp_write_err` → `tcp_done`), that end
//!   fails alone and silently (no RST) and its host forgets the
//!   connection (see *Failed ends*): the peer hears nothing and stays
//!   open until its next segment reaches that host and draws an RST
//!   (`ConnectionReset`): its data or FIN, a keepalive or zero-window
//!   probe, a segment it sent during the partition, lost and sent
//!   again once the partition heals, or the window update its reader
//!   sends on draining a window the failed end had filled (see *Failed
//!   ends*). A peer that only reads otherwise, with no
//!   keepalive and no timeout of its own, sends nothing and waits
//!   forever, as it would on Linux: give it keepalive
//!   ([`TcpStream::set_keepalive`]) or an application timeout. (During
//!   the handshake, a SYN-ACK that never gets through fails both ends:
//!   the client's `connect` waits for nothing else.) Change the limits with
//!   [`Network::set_tcp_syn_retries`](crate::Network::set_tcp_syn_retries)
//!   and [`Network::set_tcp_retries`](crate::Network::set_tcp_retries)
//!   (`None`: a stall lasts until it heals). Independently, with
//!   [`Network::set_tcp_timeout`](crate::Network::set_tcp_timeout) set to
//!   `Some(d)`, a segment that could not be delivered for `d` since it was
//!   first sent fails its sender's end the same way (the simulator's
//!   stand-in for a user timeout); whichever comes first applies.
//! * **Keepalive.** An idle connection with
//!   [`TcpStream::set_keepalive`] on probes its peer as Linux's keepalive
//!   timer does, and fails with `TimedOut` when the probes go unanswered
//!   (a peer that lost power, a partition), or `ConnectionReset` when a
//!   restarted peer answers with an RST; see `keepalive.rs` and
//!   [`Network::set_tcp_keepalive`](crate::Network::set_tcp_keepalive).
//! * **Orphans.** An end closed by its application, its FIN through, the
//!   peer's FIN not come (`FIN_WAIT2`), is forgotten by its host after
//!   [`DEFAULT_TCP_FIN_TIMEOUT`] (Linux's `tcp_fin_timeout`), counted as
//!   Linux does from when the ACK of its FIN is back (one return trip
//!   after the FIN's arrival, at the latency the link gives without a
//!   draw: exact for a constant latency, the minimum of a random one):
//!   what the peer sends it afterwards (a probe, its FIN) draws an RST;
//!   see `fin_timeout.rs` and
//!   [`Network::set_tcp_fin_timeout`](crate::Network::set_tcp_fin_timeout).
//!   A FIN that arrives while the return path is cut (a partition) has
//!   its ACK lost: the peer reads EOF, but the end, as Linux's in
//!   `FIN_WAIT1`, sends its FIN again after each retransmission timeout,
//!   like a lost segment, and the countdown starts only from the ACK of
//!   the first FIN that arrives with the return path open. (An end still
//!   held that shut its writing side down sends its FIN again just the
//!   same, and fails with `TimedOut` at the retransmission limit.)
//!   An orphan whose FIN (or data) is never acknowledged (a partition,
//!   either way) gives up at the retransmission limit or the stall
//!   timeout, as
//!   any end does: it dies alone and silently (counted as a timeout; its
//!   other segments waiting to be sent again go with it). Its peer hears
//!   nothing and stays open: a reader waits, and its next segment (data,
//!   its FIN, a keepalive probe) meets a host that forgot the connection
//!   and draws an RST (`ConnectionReset`). (Linux bounds an orphan's
//!   retransmissions by `tcp_orphan_retries`; here the one limit applies.)
//! * **Failed ends.** An end that failed of its own doing (it timed out:
//!   retransmissions, keepalive or zero-window probes unanswered; or it
//!   reset the connection itself, on new data after both its directions
//!   were shut) is out of its host's tables at once, as Linux's
//!   `tcp_done` leaves it, even while its application still holds its
//!   handles. If its own RST was lost (or it sent none), what the peer
//!   sends next (data, its FIN, a window update, a probe) draws an RST:
//!   the peer's next read or write fails with `ConnectionReset` (a
//!   broken pipe in `CLOSE_WAIT`, as Linux's `tcp_reset` says). An end
//!   that failed because it received an RST answers nothing: the peer
//!   that reset it has no socket left for an answer to reach, and a late
//!   segment of its that the RST overtook draws no RST. A failed end,
//!   whatever failed it, sends nothing more, as Linux's `tcp_done` and
//!   `tcp_reset` purge the write queue: its lost segments are not sent
//!   again, and reading the bytes it still holds opens no window for
//!   the peer. The peer of a failed end does not know it failed, and
//!   announces a window its reads reopen, as Linux's reader does
//!   (`__tcp_cleanup_rbuf`): when a read reopens a window that was shut
//!   to half the receive buffer or less (a writer filled it), at least
//!   doubling it (by an [`MSS`] or half the buffer at least, Linux's
//!   silly-window avoidance), a window update segment goes to the
//!   failed end, whatever the return path, through the fault rules like
//!   any segment. A host that forgot the connection (or a node killed
//!   and restarted) answers it with an RST: the reader's next read,
//!   after the bytes it still holds, or write fails with
//!   `ConnectionReset`. Lost, the update is not sent again (Linux never
//!   retransmits a pure ACK, and a failed writer sends no zero-window
//!   probe to ask again), and the reader waits. A read of a few bytes
//!   from a window that was mostly open announces nothing.
//! * **Zero-window probes.** A writer whose bytes wait behind a full
//!   window, with nothing in flight, probes its peer as Linux's persist
//!   timer does: a peer that is gone fails it with `TimedOut` after
//!   [`DEFAULT_TCP_RETRIES`] unanswered probes (22.2 s); see `persist.rs`.
//!
//! Every decision is a network draw of the run's choice source with 0 the
//! simplest outcome, so an all-zero tape is a perfect network. Connects,
//! accepts, resets, timeouts and retransmissions are folded into the
//! fingerprint, and counted in [`NetStats::tcp`](crate::NetStats::tcp).

mod arrive;
mod bound;
mod close;
mod conn;
mod express;
mod fin_timeout;
mod handle;
mod keepalive;
mod listener;
mod options;
mod owned;
mod persist;
mod readiness;
mod ready;
mod recv_buf;
mod retransmit;
mod slab;
mod socket;
mod split;
mod state;
mod stream;
#[cfg(feature = "tokio-io")]
mod tokio_io;

use sim_core::ext::EventKind;

use crate::addr::WireAddr;
use crate::fabric::AddrEvent;

pub(crate) use conn::with_spare;
pub(crate) use slab::Key;
pub(crate) use state::TcpState;

/// Connection end `end` (0 or 1, its index in a connection's two ends)
/// as an index known to be in bounds: the hot paths index both ends with
/// it, with no bounds check (an end is never anything else).
#[inline(always)]
pub(crate) fn side(end: usize) -> usize {
    debug_assert!(end < 2, "a connection has two ends");
    end & 1
}

pub use fin_timeout::DEFAULT_TCP_FIN_TIMEOUT;
pub use keepalive::{DEFAULT_KEEPALIVE_INTERVAL, DEFAULT_KEEPALIVE_PROBES, DEFAULT_KEEPALIVE_TIME};
pub use listener::{Incoming, TcpListener};
pub use owned::{OwnedReadHalf, OwnedWriteHalf, ReuniteError};
pub use socket::TcpSocket;
pub use split::{ReadHalf, WriteHalf};
pub use stream::TcpStream;

/// The largest payload of one segment, in bytes.
///
/// ```
/// use futures::io::AsyncWriteExt;
/// use detsim::net::{MSS, Network, TcpListener, TcpStream};
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// let l = TcpListener::bind("127.0.0.1:80").await.unwrap();
/// let mut c = TcpStream::connect("127.0.0.1:80").await.unwrap();
/// let sent = Network::current().stats().total().sent; // SYN, SYN-ACK
/// c.write_all(&vec![0u8; 2 * MSS + 1]).await.unwrap();
/// assert_eq!(Network::current().stats().total().sent - sent, 3); // three segments
/// # drop(l);
/// # }).unwrap();
/// ```
pub const MSS: usize = 16 * 1024;
/// How many bytes one end accepts from its peer that its reader has not
/// read yet (the receive window), unless its socket set another size
/// ([`TcpSocket::set_recv_buffer_size`]).
///
/// A writer whose peer never reads has `RECV_WINDOW` bytes on their way
/// and [`SEND_BUFFER`] more waiting locally, then `write` waits:
///
/// ```
/// use futures::FutureExt;
/// use futures::io::AsyncWriteExt;
/// use detsim::net::{RECV_WINDOW, SEND_BUFFER, TcpListener, TcpStream};
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// let l = TcpListener::bind("127.0.0.1:80").await.unwrap();
/// let mut c = TcpStream::connect("127.0.0.1:80").await.unwrap();
/// let (_unread, _) = l.accept().await.unwrap();
/// let mut accepted = 0;
/// while let Some(n) = c.write(&[0u8; 4096]).now_or_never() {
///     accepted += n.unwrap();
/// }
/// assert_eq!(accepted, RECV_WINDOW + SEND_BUFFER);
/// # }).unwrap();
/// ```
pub const RECV_WINDOW: usize = 64 * 1024;
/// How many written bytes wait in an end's send buffer for the window to
/// open before `write` blocks (see [`RECV_WINDOW`]), unless its socket set
/// another size ([`TcpSocket::set_send_buffer_size`]).
///
/// ```
/// assert_eq!(detsim::net::SEND_BUFFER, 64 * 1024);
/// ```
pub const SEND_BUFFER: usize = 64 * 1024;
/// The first retransmission timeout after a segment is lost (Linux's
/// `TCP_RTO_MIN`).
///
/// A SYN lost to a partition is sent again `RTO_MIN` later:
///
/// ```
/// use std::time::Duration;
/// use detsim::node::Node;
/// use detsim::time::Instant;
/// use detsim::net::{Network, RTO_MIN, TcpListener, TcpStream};
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// let server = Node::builder("server").init(|| async {
///     let l = TcpListener::bind("0.0.0.0:80").await.unwrap();
///     loop { drop(l.accept().await.unwrap()); }
/// }).build();
/// detsim::time::sleep(Duration::from_millis(1)).await;
/// let net = Network::current();
/// net.partition(&Node::current(), &server);
/// detsim::spawn(async move {
///     detsim::time::sleep(Duration::from_millis(10)).await;
///     Network::current().heal_all();
/// });
/// let start = Instant::now();
/// let _s = TcpStream::connect("server:80").await.unwrap();
/// // The retransmitted SYN, then a round trip of the default 1 ms.
/// assert_eq!(Instant::now() - start, RTO_MIN + Duration::from_millis(2));
/// # }).unwrap();
/// ```
pub const RTO_MIN: std::time::Duration = std::time::Duration::from_millis(200);
/// The longest retransmission timeout (the backoff doubles up to this).
///
/// ```
/// use detsim::net::{RTO_MAX, RTO_MIN};
/// // 0.2, 0.4, 0.8, 1.6, 1.6, ... seconds.
/// assert_eq!(RTO_MIN * 8, RTO_MAX);
/// ```
pub const RTO_MAX: std::time::Duration = std::time::Duration::from_millis(1600);
/// How many times a SYN is retransmitted before `connect` fails with
/// `TimedOut` (Linux's `tcp_syn_retries`), unless
/// [`Network::set_tcp_syn_retries`](crate::Network::set_tcp_syn_retries)
/// says otherwise. With the RTO_MIN..RTO_MAX backoff the retransmissions
/// leave 0.2, 0.6, 1.4, 3.0, 4.6 and 6.2 s after the SYN was first lost,
/// and the connect gives up one RTO after the last: **7.8 s** after a SYN
/// lost when sent (a partition), plus one link latency per attempt when
/// the SYN is lost on arrival (7 × 1 ms = 7.807 s to a node that is down).
///
/// ```
/// use std::time::Duration;
/// use detsim::net::{DEFAULT_TCP_SYN_RETRIES, RTO_MAX, RTO_MIN};
/// // The first send's timeout, then one per retransmission.
/// let (mut rto, mut waited) = (RTO_MIN, Duration::ZERO);
/// for _ in 0..=DEFAULT_TCP_SYN_RETRIES {
///     waited += rto;
///     rto = (rto * 2).min(RTO_MAX);
/// }
/// assert_eq!(waited, Duration::from_millis(7800));
/// ```
pub const DEFAULT_TCP_SYN_RETRIES: u32 = 6;
/// How many times any other segment (data, FIN, SYN-ACK, window update)
/// is retransmitted before its sender's end fails with `TimedOut`, alone
/// (Linux's `tcp_retries2`), unless
/// [`Network::set_tcp_retries`](crate::Network::set_tcp_retries) says
/// otherwise. The 15th retransmission leaves 20.6 s after the first loss
/// (0.2, 0.6, 1.4, 3.0 s, then every 1.6 s), and the end gives up
/// one RTO later: **22.2 s** after a segment lost when sent, plus one link
/// latency per attempt when it is lost on arrival (16 ms more to a node
/// that is down at the default 1 ms).
///
/// ```
/// use std::time::Duration;
/// use detsim::net::{DEFAULT_TCP_RETRIES, RTO_MAX, RTO_MIN};
/// let (mut rto, mut waited) = (RTO_MIN, Duration::ZERO);
/// for _ in 0..=DEFAULT_TCP_RETRIES {
///     waited += rto;
///     rto = (rto * 2).min(RTO_MAX);
/// }
/// assert_eq!(waited, Duration::from_millis(22_200));
/// ```
pub const DEFAULT_TCP_RETRIES: u32 = 15;

pub(crate) static CONNECT: AddrEvent = AddrEvent {
    v4: EventKind {
        code: 0x4e10,
        name: "tcp: connect (client, server)",
    },
    v6: EventKind {
        code: 0x4e50,
        name: "tcp: IPv6 connect (client, server)",
    },
};
pub(crate) static ACCEPT: AddrEvent = AddrEvent {
    v4: EventKind {
        code: 0x4e11,
        name: "tcp: connection queued for accept (server, client)",
    },
    v6: EventKind {
        code: 0x4e51,
        name: "tcp: IPv6 connection queued for accept (server, client)",
    },
};
pub(crate) static RESET: AddrEvent = AddrEvent {
    v4: EventKind {
        code: 0x4e12,
        name: "tcp: connection end failed (local, peer | error << 48)",
    },
    v6: EventKind {
        code: 0x4e52,
        name: "tcp: IPv6 connection end failed (local, peer | error << 48)",
    },
};
pub(crate) static RETRANSMIT: AddrEvent = AddrEvent {
    v4: EventKind {
        code: 0x4e13,
        name: "tcp: segment retransmitted (src, dst)",
    },
    v6: EventKind {
        code: 0x4e53,
        name: "tcp: IPv6 segment retransmitted (src, dst)",
    },
};

pub(crate) static KEEPALIVE_PROBE: AddrEvent = AddrEvent {
    v4: EventKind {
        code: 0x4e14,
        name: "tcp: keepalive probe (local, peer | probes unanswered << 48)",
    },
    v6: EventKind {
        code: 0x4e54,
        name: "tcp: IPv6 keepalive probe (local, peer | probes unanswered << 48)",
    },
};

pub(crate) static WINDOW_PROBE: AddrEvent = AddrEvent {
    v4: EventKind {
        code: 0x4e15,
        name: "tcp: zero-window probe (local, peer | probes unanswered << 48)",
    },
    v6: EventKind {
        code: 0x4e55,
        name: "tcp: IPv6 zero-window probe (local, peer | probes unanswered << 48)",
    },
};

/// What a segment carries.
#[derive(Clone, Debug)]
pub(crate) enum Kind {
    Syn,
    SynAck,
    Data(Vec<u8>),
    Fin,
    /// Not numbered: acted on when it arrives. `answer`: it answers a
    /// segment (a SYN nobody listens for, data for a closed end or one
    /// its host forgot), whose
    /// sender would send that segment again and draw another RST, so a
    /// lost one is sent again in its place. An unsolicited RST (a node's
    /// kill, an abort, a closed listener's queue) is lost for good, as
    /// TCP never retransmits an RST: its peer stays half-open until it
    /// sends something and is answered (or times out).
    Rst {
        answer: bool,
    },
    /// A window update the reader's end sends when its read could not be
    /// acknowledged at once (the return path was cut or clogged), or
    /// when its read reopened a window its failed peer had filled (see
    /// `Conn::window_update`). Not numbered; on arrival the writer learns
    /// everything its peer has read by then (a host that forgot the
    /// writer's end answers with an RST).
    Ack,
    /// A keepalive probe (see `keepalive.rs`). Not numbered, never sent
    /// again: the peer's kernel answers it with a [`Kind::ProbeAck`] (or
    /// an RST, if it has no such connection).
    Probe,
    /// The answer to a [`Kind::Probe`]. Not numbered, never sent again.
    ProbeAck,
}

/// A TCP segment on the wire.
#[derive(Clone, Debug)]
pub(crate) struct Segment {
    pub(crate) conn: Key,
    /// The receiving end (0 the connecting side, 1 the accepting side).
    pub(crate) to: usize,
    /// Per-direction sequence number (segments, not bytes).
    pub(crate) seq: u64,
    pub(crate) kind: Kind,
    /// When it was first sent (nanoseconds), for the stall timeout.
    pub(crate) first_sent: u64,
    /// Retransmissions so far.
    pub(crate) attempt: u32,
}

/// A segment the TCP layer asks the fabric to send.
#[derive(Debug)]
pub(crate) struct Outgoing {
    pub(crate) from: u32,
    pub(crate) src: WireAddr,
    pub(crate) dst: WireAddr,
    pub(crate) seg: Segment,
}

/// A node named `name` with a listener bound on its port 80, for unit
/// tests.
#[cfg(test)]
pub(crate) async fn listening_node(name: &str) -> (sim_core::node::Node, TcpListener) {
    let node = sim_core::node::Node::builder(name).build();
    let listener = node
        .spawn(async { TcpListener::bind("0.0.0.0:80").await.unwrap() })
        .await
        .unwrap();
    (node, listener)
}
