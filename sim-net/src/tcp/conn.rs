//! One connection: two ends, their buffers, and what a segment arriving at
//! an end does. Pure bookkeeping: segments to send go to an outbox, wakers
//! to a list, both handled by the caller.

use std::cell::Cell;
use std::collections::{BTreeMap, VecDeque};
use std::io;
use std::net::SocketAddr;
use std::task::Waker;
use std::time::Duration;

use sim_core::ext;

use super::recv_buf::RecvBuf;
use super::{Key, Kind, MSS, Outgoing, RECV_WINDOW, RESET, SEND_BUFFER, Segment};
use crate::addr::WireAddr;
use crate::rules::Rules;
use crate::stats::TcpStats;
use crate::ttl::DEFAULT_TTL;
use crate::waiters::Waiters;

/// Where an end is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    /// SYN sent (client), or SYN not arrived yet (server).
    Connecting,
    Open,
    /// Failed: reads (after buffered bytes) and writes return this error
    /// (a flush does nothing, as tokio's); a shutdown is `NotConnected`,
    /// as Linux's shutdown(2) on a closed socket, its message naming it.
    Failed(io::ErrorKind),
}

/// One side of a connection.
#[derive(Debug)]
pub(crate) struct End {
    pub(crate) node: u32,
    pub(crate) local: SocketAddr,
    pub(crate) peer: SocketAddr,
    /// `local` and `peer` as segments carry them (computed once).
    pub(crate) wire: (WireAddr, WireAddr),
    /// The number of the link from this end's node to its peer's in the
    /// network's link table ([`LinkTable::link`](crate::links::LinkTable::link)),
    /// once an express write looked it up (`u32::MAX` until then): the
    /// express paths count this end's sends and their deliveries there.
    pub(crate) link: u32,
    pub(crate) phase: Phase,
    /// Written, not yet sent (waiting for the window).
    pub(crate) send_buf: VecDeque<u8>,
    pub(crate) send_seq: u64,
    /// Bytes sent that the peer's reader has not read yet.
    pub(crate) unread: usize,
    /// The most `unread` may grow to: the peer's receive window (its
    /// receive buffer size, [`RECV_WINDOW`] unless its socket set one).
    pub(crate) window: usize,
    /// The most `send_buf` holds ([`SEND_BUFFER`] unless this end's
    /// socket set a size).
    pub(crate) send_cap: usize,
    /// `SO_REUSEADDR` of the socket this end belongs to (an accepted end:
    /// its listener's), for the bind rule (see `TcpState::held`).
    pub(crate) reuse: bool,
    pub(crate) write_shutdown: bool,
    pub(crate) fin_sent: bool,
    /// Arrived in order, not yet read.
    pub(crate) recv_buf: RecvBuf,
    pub(crate) recv_seq: u64,
    pub(crate) early: BTreeMap<u64, Kind>,
    pub(crate) eof: bool,
    pub(crate) read_shutdown: bool,
    pub(crate) reader: Option<Waker>,
    pub(crate) writer: Option<Waker>,
    /// The readiness waits (`readable`, `writable`, `peek`) on this end:
    /// any number of tasks at once, woken with the reader or the writer.
    pub(crate) ready: Waiters,
    /// Live handles (a stream counts 2: its read and write sides).
    pub(crate) handles: u8,
    /// No handle will use it again (dropped, refused, or killed).
    pub(crate) closed: bool,
    /// Its node was killed: nothing more is sent for it.
    pub(crate) killed: bool,
    /// The client end's port is bound in the TCP port table.
    pub(crate) port_bound: bool,
    /// Bytes this end's reader consumed (or discarded), ever.
    pub(crate) consumed_total: u64,
    /// The peer's `consumed_total` as this end last learned it.
    pub(crate) acked: u64,
    /// A window update ([`Kind::Ack`]) from this end is on its way.
    pub(crate) ack_in_flight: bool,
    /// A read, peek or write reported this end's failure already (see
    /// `handle::failed_read`): Linux reports a socket's error once.
    pub(crate) failure_reported: bool,
    /// `SO_LINGER` as set through the stream: `Some(ZERO)` makes the
    /// close abortive (see [`Conn::close`]); other values only read back.
    pub(crate) linger: Option<Duration>,
    /// `TCP_NODELAY` as set through the stream: it only reads back, as
    /// writes are never held to coalesce them.
    pub(crate) nodelay: bool,
    /// `IP_TTL` as set through the stream (64 by default, as Linux's
    /// `ip_default_ttl`): it only reads back, as the simulated network
    /// has no hops.
    pub(crate) ttl: u8,
    /// `SO_KEEPALIVE` as set (see `keepalive.rs`).
    pub(crate) keepalive_on: bool,
    /// The keepalive timer, while keepalive is on and the end is open.
    pub(crate) keepalive: Option<Box<super::keepalive::Keepalive>>,
    /// The persist timer, while bytes wait behind a shut window (see
    /// `persist.rs`).
    pub(crate) persist: Option<Box<super::persist::Persist>>,
    /// When a numbered segment from the peer (data, a FIN, the SYN-ACK)
    /// last arrived (nanoseconds; when the end opened, before any), for
    /// the keepalive timers of both ends: the peer hears it acknowledged
    /// (see `keepalive.rs`).
    pub(crate) last_heard: u64,
    /// When a pure ACK from the peer (a keepalive probe's answer, a
    /// window update) last arrived: for this end's keepalive timer only,
    /// as nothing acknowledges it to the peer.
    pub(crate) last_pure_ack: u64,
    /// When the ACK of this end's FIN is back at its node (nanoseconds;
    /// `u64::MAX` until the FIN arrived at the peer with the return path
    /// open): the FIN's arrival plus the return trip (see
    /// `fin_timeout.rs`).
    pub(crate) fin_acked_at: u64,
    /// This end's FIN (or a retransmission of it) just arrived at the
    /// peer while the return path was cut, so its ACK is lost: the FIN is
    /// to be sent again, as a lost segment is (see
    /// [`TcpState::arrive`](super::state::TcpState::arrive)).
    pub(crate) fin_ack_lost: bool,
    /// When this end's host forgets the connection (nanoseconds;
    /// `u64::MAX`: not planned): an orphan's `tcp_fin_timeout` (see
    /// `fin_timeout.rs`), the close of an end that failed or aborted
    /// (see `Conn::close`), or the failure of an end that failed of its
    /// own doing, timed out or reset by itself (see `Conn::forget`).
    pub(crate) gone_at: u64,
}

impl End {
    pub(crate) fn new(node: u32, local: SocketAddr, peer: SocketAddr) -> End {
        End {
            node,
            local,
            peer,
            wire: (local.into(), peer.into()),
            link: u32::MAX,
            phase: Phase::Connecting,
            send_buf: VecDeque::new(),
            send_seq: 0,
            unread: 0,
            window: RECV_WINDOW,
            send_cap: SEND_BUFFER,
            reuse: false,
            write_shutdown: false,
            fin_sent: false,
            recv_buf: RecvBuf::default(),
            recv_seq: 0,
            early: BTreeMap::new(),
            eof: false,
            read_shutdown: false,
            reader: None,
            writer: None,
            ready: Waiters::default(),
            handles: 0,
            closed: false,
            killed: false,
            port_bound: false,
            consumed_total: 0,
            acked: 0,
            ack_in_flight: false,
            failure_reported: false,
            linger: None,
            nodelay: false,
            ttl: DEFAULT_TTL,
            keepalive_on: false,
            keepalive: None,
            persist: None,
            last_heard: 0,
            last_pure_ack: 0,
            fin_acked_at: u64::MAX,
            fin_ack_lost: false,
            gone_at: u64::MAX,
        }
    }

    /// Whether bytes or a FIN wait in this end's send buffer.
    #[inline]
    pub(crate) fn has_output(&self) -> bool {
        !self.send_buf.is_empty() || (self.write_shutdown && !self.fin_sent)
    }

    pub(crate) fn wake_all(&mut self, wakers: &mut Vec<Waker>) {
        if let Some(w) = self.reader.take() {
            wakers.push(w);
        }
        if let Some(w) = self.writer.take() {
            wakers.push(w);
        }
        self.ready.drain_into(wakers);
    }

    /// [`wake_all`](Self::wake_all), waking a reader or writer that is a
    /// task at once (see [`ext::wake_task`]) while no waker collected
    /// earlier waits in `wakers`: the same wakes in the same order, with
    /// less to collect. Only for callers that wake `wakers` next, with
    /// nothing in between that wakes or drops a waker (an express
    /// arrival, whose act ends with the wakes). `wakers` may come without
    /// a buffer: a waker to collect first takes `spare`'s (see
    /// [`with_spare`]).
    #[inline]
    pub(crate) fn wake_all_now(&mut self, wakers: &mut Vec<Waker>, spare: &Cell<Vec<Waker>>) {
        if let Some(w) = self.reader.take() {
            wake_now_or_collect(w, wakers, spare);
        }
        if let Some(w) = self.writer.take() {
            wake_now_or_collect(w, wakers, spare);
        }
        if !self.ready.is_unused() {
            self.ready.drain_into(with_spare(wakers, spare));
        }
    }
}

/// Wakes `w` at once if it is a task's waker and no waker collected
/// earlier waits in `wakers`; collects it otherwise (see
/// [`End::wake_all_now`]).
#[inline(always)]
fn wake_now_or_collect(w: Waker, wakers: &mut Vec<Waker>, spare: &Cell<Vec<Waker>>) {
    if !wakers.is_empty() {
        wakers.push(w);
    } else if let Err(w) = ext::wake_task(w) {
        with_spare(wakers, spare).push(w);
    }
}

/// `wakers`, given `spare`'s buffer first if it has none: a wakers'
/// vector can start as `Vec::new()` (nothing to take or give back while
/// nothing is collected) and still reuse the network's kept buffer once
/// something is.
#[inline(always)]
pub(crate) fn with_spare<'a>(
    wakers: &'a mut Vec<Waker>,
    spare: &Cell<Vec<Waker>>,
) -> &'a mut Vec<Waker> {
    if wakers.capacity() == 0 {
        take_spare(wakers, spare);
    }
    wakers
}

#[cold]
#[inline(never)]
fn take_spare(wakers: &mut Vec<Waker>, spare: &Cell<Vec<Waker>>) {
    // Without a buffer, `wakers` holds nothing.
    *wakers = spare.take();
}

/// Counters, outbox and wakers: where connection work leaves its effects.
pub(crate) struct Effects<'a> {
    pub(crate) outbox: &'a mut VecDeque<Outgoing>,
    pub(crate) counts: &'a mut TcpStats,
    pub(crate) wakers: &'a mut Vec<Waker>,
    /// Reads to acknowledge (connection, reader's end): whether the ACK
    /// can travel back depends on the fault rules, so the fabric decides
    /// ([`TcpState::flush_acks`](super::state::TcpState::flush_acks)).
    pub(crate) acks: &'a mut Vec<(Key, usize)>,
    /// Payload buffers of delivered segments, for the next segments.
    pub(crate) pool: &'a mut BufPool,
    /// Wakers to drop once the network's borrow ends (see [`park`]).
    pub(crate) trash: &'a mut Vec<Waker>,
    pub(crate) now: u64,
    /// `tcp_fin_timeout` in nanoseconds (see `fin_timeout.rs`).
    pub(crate) fin_timeout: u64,
    /// No partition and no clog anywhere (see [`Conn::read_consumed`]).
    pub(crate) quiet: bool,
    /// No node of the simulation is dead (see
    /// [`TcpState::all_alive`](super::state::TcpState::all_alive)).
    pub(crate) all_alive: bool,
    /// The network's fault rules, for a segment's arrival (`None`
    /// elsewhere): when the ACK of a FIN would be back (see
    /// [`ack_back`](Self::ack_back)).
    pub(crate) rules: Option<&'a Rules>,
}

/// Emptied payload buffers of segments that arrived, reused for the
/// segments sent next: a steady request/response stream allocates no
/// payload after its first few segments. Bounded in count (and each
/// buffer holds at most [`MSS`] bytes), so it never grows with traffic.
#[derive(Debug, Default)]
pub(crate) struct BufPool {
    spare: Vec<Vec<u8>>,
}

impl BufPool {
    /// Buffers kept at most.
    const KEEP: usize = 64;

    /// An empty buffer (with some capacity when one was returned).
    #[inline]
    pub(crate) fn take(&mut self) -> Vec<u8> {
        self.spare.pop().unwrap_or_default()
    }

    /// Returns a payload buffer whose bytes were consumed.
    #[inline]
    pub(crate) fn put(&mut self, mut buf: Vec<u8>) {
        if self.spare.len() < Self::KEEP && buf.capacity() <= MSS {
            buf.clear();
            self.spare.push(buf);
        }
    }
}

/// Leaves `waker` in `slot` (a reader's or writer's): a waker there that
/// wakes the same task is kept, anything else is replaced and the old one
/// returned, for the caller to drop once the network's borrow ends (a
/// waker's destructor is user code, and may use the network). The clone
/// is made in the borrow: an `Arc`-based waker's clone runs no user code.
#[inline]
#[must_use = "the replaced waker must be dropped outside the network's borrow"]
pub(crate) fn park(slot: &mut Option<Waker>, waker: &Waker) -> Option<Waker> {
    match slot {
        Some(w) if w.will_wake(waker) => None,
        _ => slot.replace(waker.clone()),
    }
}

/// Moves the first `n` bytes of `from` to the end of `to` (two slice
/// copies, not a byte loop).
pub(crate) fn move_front(from: &mut VecDeque<u8>, n: usize, to: &mut Vec<u8>) {
    let (a, b) = from.as_slices();
    let head = n.min(a.len());
    to.extend_from_slice(&a[..head]);
    to.extend_from_slice(&b[..n - head]);
    remove_front(from, n);
}

/// Removes the first `n` bytes of `buf` (all of them is the usual case,
/// and a plain `clear`).
fn remove_front(buf: &mut VecDeque<u8>, n: usize) {
    if n == buf.len() {
        buf.clear();
    } else {
        buf.drain(..n);
    }
}

impl Effects<'_> {
    /// Queues a segment from `conn.ends[from]` to its peer.
    #[inline]
    pub(crate) fn send(&mut self, conn: &mut Conn, from: usize, kind: Kind) {
        let e = &mut conn.ends[from];
        let seq = if matches!(
            kind,
            Kind::Rst { .. } | Kind::Ack | Kind::Probe | Kind::ProbeAck
        ) {
            0
        } else {
            e.send_seq += 1;
            e.send_seq - 1
        };
        self.outbox.push_back(Outgoing {
            from: e.node,
            src: e.wire.0,
            dst: e.wire.1,
            seg: Segment {
                conn: conn.key,
                to: 1 - from,
                seq,
                kind,
                first_sent: self.now,
                attempt: 0,
            },
        });
    }
}

/// A connection: `ends[0]` connected, `ends[1]` accepted.
#[derive(Debug)]
pub(crate) struct Conn {
    pub(crate) key: Key,
    pub(crate) ends: [End; 2],
}

impl Conn {
    /// Sends what the window allows from `end`'s send buffer, then its FIN
    /// if it shut down and everything went out.
    pub(crate) fn pump(&mut self, end: usize, fx: &mut Effects<'_>) {
        if self.ends[end].phase != Phase::Open || self.ends[end].killed {
            return;
        }
        let mut sent = false;
        loop {
            let e = &mut self.ends[end];
            let room = e.window.saturating_sub(e.unread);
            let n = e.send_buf.len().min(room).min(MSS);
            if n == 0 {
                break;
            }
            let mut data = fx.pool.take();
            move_front(&mut e.send_buf, n, &mut data);
            e.unread += n;
            sent = true;
            fx.send(self, end, Kind::Data(data));
        }
        let e = &mut self.ends[end];
        if e.send_buf.is_empty() && e.write_shutdown && !e.fin_sent {
            e.fin_sent = true;
            sent = true;
            fx.send(self, end, Kind::Fin);
        }
        if sent {
            let e = &mut self.ends[end];
            fx.wakers.extend(e.writer.take());
            e.ready.drain_into(fx.wakers);
        }
        // Bytes left behind a shut window (or a window reopened): the
        // persist timer (see `persist.rs`).
        let e = &self.ends[end];
        if e.persist.is_some() || !e.send_buf.is_empty() {
            self.check_persist(end, sent, fx);
        }
    }

    /// Writes up to `room` bytes of `buf` from `end` (which is open for
    /// writing): with nothing waiting in the send buffer, what the window
    /// allows goes straight from `buf` into segments (one copy); the rest
    /// waits in the send buffer. Returns how many bytes were taken.
    #[inline]
    pub(crate) fn write(&mut self, end: usize, buf: &[u8], fx: &mut Effects<'_>) -> usize {
        let e = &mut self.ends[end];
        let n = buf.len().min(e.send_cap.saturating_sub(e.send_buf.len()));
        if !e.send_buf.is_empty() || e.phase != Phase::Open || e.killed {
            e.send_buf.extend(&buf[..n]);
            self.pump(end, fx);
            return n;
        }
        let mut rest = &buf[..n];
        loop {
            let e = &mut self.ends[end];
            let room = e.window.saturating_sub(e.unread);
            let k = rest.len().min(room).min(MSS);
            if k == 0 {
                break;
            }
            let mut data = fx.pool.take();
            data.extend_from_slice(&rest[..k]);
            rest = &rest[k..];
            e.unread += k;
            fx.send(self, end, Kind::Data(data));
        }
        if !rest.is_empty() {
            self.ends[end].send_buf.extend(rest);
            self.check_persist(end, rest.len() < n, fx);
        }
        // As `pump` does after sending: the writer's waker is spent.
        if rest.len() < n {
            if let Some(w) = self.ends[end].writer.take() {
                fx.wakers.push(w);
            }
        }
        n
    }

    /// `end`'s reader consumed (or discarded) `n` bytes: the peer's window
    /// reopens once it learns of it (see [`window_update`](Self::window_update)).
    pub(crate) fn consumed(&mut self, end: usize, n: usize, fx: &mut Effects<'_>) {
        if n == 0 {
            return;
        }
        self.ends[end].consumed_total += n as u64;
        fx.acks.push((self.key, end));
    }

    /// `end`'s reader consumed `n` bytes as the last thing a read does.
    /// With a quiet network (no partition, no clog) and the writer's node
    /// alive, the ACK could travel back now, so the writer learns at once,
    /// exactly as [`TcpState::flush_acks`](super::state::TcpState::flush_acks)
    /// would decide right after the read; otherwise the read is queued for
    /// it like any other ([`consumed`](Self::consumed)).
    #[inline]
    pub(crate) fn read_consumed(&mut self, end: usize, n: usize, fx: &mut Effects<'_>) {
        if n == 0 {
            return;
        }
        if self.ack_travels_now(end, fx.quiet, fx.all_alive) {
            self.ends[end].consumed_total += n as u64;
            self.window_update(end, true, fx);
        } else {
            self.consumed(end, n, fx);
        }
    }

    /// Whether an ACK from `reader` could reach its peer now: the network
    /// is `quiet` (no partition, no clog) and the peer's node is alive
    /// (or is the reader's own; `all_alive`: no node is dead).
    #[inline(always)]
    fn ack_travels_now(&self, reader: usize, quiet: bool, all_alive: bool) -> bool {
        let (from, to) = (self.ends[reader].node, self.ends[1 - reader].node);
        quiet && (from == to || all_alive || ext::node_alive(to))
    }

    /// A read of buffered bytes with no effects: what
    /// [`Handle::poll_read`](super::handle::Handle) then
    /// [`read_consumed`](Self::read_consumed) do, when that sends nothing,
    /// queues nothing and wakes nobody. That is so when the ACK can travel
    /// back now (see [`ack_travels_now`](Self::ack_travels_now)) and the
    /// writer has nothing waiting to go (its window reopening sends
    /// nothing): the usual read of a request/response stream. It then
    /// needs no network operation (no outbox, no pump, no wakers).
    /// `None`, having changed nothing, when the read is not such a read
    /// (nothing buffered, an empty `buf`, an end that failed, or effects
    /// to carry out).
    #[inline]
    pub(crate) fn read_quietly(
        &mut self,
        end: usize,
        buf: &mut [u8],
        quiet: bool,
        all_alive: bool,
    ) -> Option<usize> {
        let writer = 1 - end;
        // Not when either end failed (`learns`, tested here rather than
        // after the read, as it was: no more work per read): a failed
        // writer may be owed a window update segment (see
        // `window_update`); a failed reader's read tells the writer
        // nothing, which the general path does as well.
        if buf.is_empty()
            || self.ends[end].recv_buf.is_empty()
            || self.ends[writer].has_output()
            || !self.ack_travels_now(end, quiet, all_alive)
            || !self.learns(writer, end)
        {
            return None;
        }
        let e = &mut self.ends[end];
        let n = buf.len().min(e.recv_buf.len());
        e.recv_buf.read(&mut buf[..n]);
        e.consumed_total += n as u64;
        // `window_update(end, true)`: the writer learns at once, and has
        // nothing to send.
        let more = self.count_ack(writer);
        debug_assert!(!more, "a quiet read made the writer send");
        Some(n)
    }

    /// Tells `reader`'s peer what `reader` consumed: at once when an ACK
    /// could travel back now (`reachable`), else with a window update
    /// segment that waits, like any lost segment, for the return path.
    ///
    /// A writer that failed learns nothing, but the reader does not know
    /// it failed: when the read reopens the window as Linux's reader
    /// announces it (see [`reopens_window`](Self::reopens_window)), a
    /// window update segment goes out whatever the return path, through
    /// the fault rules like any segment. At a host that forgot the
    /// writer's end it draws an RST, which resets the reader (see
    /// [`Conn::arrive`]); lost, it is not sent again (see
    /// `TcpState::live`), as Linux never retransmits a pure ACK and the
    /// failed writer sends no zero-window probe to ask again.
    pub(crate) fn window_update(&mut self, reader: usize, reachable: bool, fx: &mut Effects<'_>) {
        let writer = 1 - reader;
        if !self.learns(writer, reader) {
            if self.owes_failed_writer_an_update(reader, fx.now) {
                self.ends[reader].ack_in_flight = true;
                fx.send(self, reader, Kind::Ack);
            }
            return;
        }
        if reachable {
            self.learn_ack(writer, fx);
        } else if !self.ends[reader].ack_in_flight
            && self.ends[reader].consumed_total > self.ends[writer].acked
        {
            self.ends[reader].ack_in_flight = true;
            fx.send(self, reader, Kind::Ack);
        }
    }

    /// Whether `writer` still takes window updates from `reader`: neither
    /// has failed (a failed reader, out of its host's tables, or killed,
    /// sends nothing: its reads of what it still holds open no window; a
    /// failed writer learns nothing, though it may be sent a window update
    /// segment, see [`window_update`](Self::window_update)).
    #[inline]
    fn learns(&self, writer: usize, reader: usize) -> bool {
        !matches!(self.ends[writer].phase, Phase::Failed(_))
            && !matches!(self.ends[reader].phase, Phase::Failed(_))
    }

    /// Whether `reader`'s reads since its peer failed call for a window
    /// update segment to it (see [`window_update`](Self::window_update)):
    /// the peer failed, `reader` stands (not failed, closed or forgotten),
    /// has none on its way, and the reads reopened the window (see
    /// [`reopens_window`](Self::reopens_window)).
    #[cold]
    #[inline(never)]
    fn owes_failed_writer_an_update(&self, reader: usize, now: u64) -> bool {
        let (r, w) = (&self.ends[reader], &self.ends[1 - reader]);
        matches!(w.phase, Phase::Failed(_))
            && !matches!(r.phase, Phase::Failed(_))
            && !r.closed
            && !r.ack_in_flight
            && !self.forgotten(reader, now)
            && self.reopens_window(reader)
    }

    /// Whether what `reader` read since it last told its peer reopens its
    /// receive window enough for Linux to announce it at once
    /// (`__tcp_cleanup_rbuf`): the window the peer was last told of has
    /// shrunk to at most half the receive buffer, and the window to offer
    /// now is at least twice that and not zero, a window of less than
    /// half the buffer counting as zero below one [`MSS`] or a sixteenth
    /// of the buffer (`__tcp_select_window`'s silly-window avoidance).
    /// Never once the peer's FIN came or reading was shut down
    /// (`RCV_SHUTDOWN`). So draining a window the writer filled
    /// announces it; reading a few bytes from a window that was mostly
    /// open does not.
    fn reopens_window(&self, reader: usize) -> bool {
        let (r, w) = (&self.ends[reader], &self.ends[1 - reader]);
        if r.eof || r.read_shutdown {
            return false;
        }
        let size = w.window as u64;
        let buffered = r.recv_buf.len() as u64;
        let received = r.consumed_total + buffered;
        // What is left of the window last announced: its right edge (what
        // the peer learned was consumed, plus the buffer) less what came.
        let told = (w.acked + size).saturating_sub(received);
        let free = size.saturating_sub(buffered);
        let offered = if free < size / 2 && (free < size / 16 || free < MSS as u64) {
            0
        } else {
            free
        };
        2 * told <= size && offered > 0 && offered >= 2 * told
    }

    /// `writer` learns what its peer consumed: its window reopens.
    pub(super) fn learn_ack(&mut self, writer: usize, fx: &mut Effects<'_>) {
        if self.count_ack(writer) {
            self.pump(writer, fx);
        }
    }

    /// The bookkeeping of [`learn_ack`](Self::learn_ack): `writer`'s
    /// window takes in what its peer consumed since it last learned.
    /// `true` when the window moved and `writer` has something waiting
    /// to go, for [`pump`](Self::pump) to send (with nothing waiting,
    /// `pump` would send nothing and wake nobody: the usual case of a
    /// request/response stream, whose writes went out at once).
    #[inline]
    fn count_ack(&mut self, writer: usize) -> bool {
        let total = self.ends[1 - writer].consumed_total;
        let w = &mut self.ends[writer];
        if total > w.acked {
            let n = usize::try_from(total - w.acked).unwrap_or(usize::MAX);
            w.unread = w.unread.saturating_sub(n);
            w.acked = total;
            return w.has_output();
        }
        false
    }

    /// `end` fails with `kind` (unless it already failed): buffered output
    /// is discarded, waiters wake.
    pub(crate) fn fail(&mut self, end: usize, kind: io::ErrorKind, fx: &mut Effects<'_>) {
        if self.fail_uncounted(end, kind, fx) {
            match kind {
                io::ErrorKind::ConnectionRefused => fx.counts.refused += 1,
                io::ErrorKind::TimedOut => fx.counts.timeouts += 1,
                // A reset in CLOSE_WAIT fails with a broken pipe.
                io::ErrorKind::ConnectionReset | io::ErrorKind::BrokenPipe => fx.counts.resets += 1,
                _ => {}
            }
        }
    }

    /// [`fail`](Self::fail) without counting it in
    /// [`TcpStats`]: for an end that failed of its own
    /// doing, not because of its peer. `true` if it failed now (not
    /// before).
    pub(crate) fn fail_uncounted(
        &mut self,
        end: usize,
        kind: io::ErrorKind,
        fx: &mut Effects<'_>,
    ) -> bool {
        let e = &mut self.ends[end];
        if matches!(e.phase, Phase::Failed(_)) {
            return false;
        }
        if end == 1 && e.phase == Phase::Connecting {
            // Never queued for accept, so no handle can ever close it.
            e.closed = true;
        }
        e.phase = Phase::Failed(kind);
        e.send_buf.clear();
        e.early.clear();
        // Its keepalive and persist alarms go (a failed end probes
        // nothing).
        e.keepalive = None;
        e.persist = None;
        e.wake_all(fx.wakers);
        RESET.emit(e.local, e.peer, 0, kind_code(kind) << 48);
        true
    }
}

/// A fixed code per failure kind for the fingerprint (`io::ErrorKind`'s
/// discriminants are not stable across toolchains, and a replay artifact
/// must keep its fingerprint).
fn kind_code(kind: io::ErrorKind) -> u64 {
    match kind {
        io::ErrorKind::ConnectionRefused => 1,
        io::ErrorKind::ConnectionReset => 2,
        io::ErrorKind::TimedOut => 3,
        io::ErrorKind::ConnectionAborted => 4,
        io::ErrorKind::BrokenPipe => 5,
        io::ErrorKind::HostUnreachable => 6,
        _ => 0xff,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deque holding `0..len` whose storage wraps around (its first
    /// bytes are at the end of the buffer).
    fn wrapped(len: u8) -> VecDeque<u8> {
        let mut d = VecDeque::with_capacity(16);
        d.extend([0xff; 12]);
        for _ in 0..12 {
            d.pop_front();
        }
        d.extend(0..len);
        assert!(!d.as_slices().1.is_empty(), "the storage wraps");
        d
    }

    #[test]
    fn moving_the_front_crosses_the_wrap() {
        let mut d = wrapped(10);
        let mut out = vec![42];
        move_front(&mut d, 6, &mut out);
        assert_eq!(out, [42, 0, 1, 2, 3, 4, 5]);
        assert_eq!(d, [6, 7, 8, 9]);
        move_front(&mut d, 4, &mut out);
        assert_eq!((out.len(), d.len()), (11, 0));
    }

    #[test]
    fn the_pool_hands_back_empty_buffers_and_stays_bounded() {
        let mut pool = BufPool::default();
        assert!(pool.take().is_empty());
        pool.put(vec![1, 2, 3]);
        let b = pool.take();
        assert!(b.is_empty() && b.capacity() >= 3);
        pool.put(Vec::with_capacity(MSS + 1)); // too big to keep
        assert_eq!(pool.take().capacity(), 0);
        for _ in 0..2 * BufPool::KEEP {
            pool.put(Vec::with_capacity(8));
        }
        assert_eq!(pool.spare.len(), BufPool::KEEP);
    }
}
