//! The TCP tables of one simulation: listeners, connections, the TCP port
//! space, the outbox of segments to send, counters, the retry limits and
//! the stall timeout (applied in `retransmit.rs`).

use std::collections::{BTreeSet, VecDeque};
use std::io;
use std::net::SocketAddr;
use std::task::{Context, Poll, Waker};

use sim_core::ext;

use super::bound::{DEFAULT_BACKLOG, Sock, SockOpts, held_by_accepted};
use super::conn::{BufPool, Conn, Effects, End, Phase};
use super::slab::Slab;
use super::{ACCEPT, CONNECT, Key, Kind, Outgoing, Segment};
use crate::addr::{destination, is_node_ip, loopback_like, node_ip_like, node_of_ip};
use crate::ports::{Flags, PortTable};
use crate::rules::Rules;
use crate::state::node_name;
use crate::stats::TcpStats;
use crate::waiters::Waiters;

/// Port owners with this bit are connections (client ends); with
/// [`SOCK_OWNER`], bound sockets ([`TcpSocket`](super::TcpSocket)s not
/// connected or listening yet); with neither, listeners.
pub(super) const CONN_OWNER: u32 = 1 << 31;
/// Port owners with this bit are bound sockets (see [`CONN_OWNER`]).
pub(super) const SOCK_OWNER: u32 = 1 << 30;

/// A listening socket.
#[derive(Debug)]
pub(crate) struct Listener {
    pub(crate) node: u32,
    pub(crate) local: SocketAddr,
    /// Connections whose SYN arrived, waiting for `accept`.
    pub(crate) queue: VecDeque<Key>,
    /// Its `accept`s (and the latest `poll_accept`) waiting.
    pub(crate) waiters: Waiters,
    /// Its node was killed.
    pub(crate) closed: bool,
    /// The accept queue is full once it holds more than this (Linux's
    /// rule: `backlog + 1` connections); `None`: unbounded
    /// ([`TcpListener::bind`](super::TcpListener::bind)).
    pub(crate) backlog: Option<u32>,
    /// The options its accepted connections inherit.
    pub(crate) opts: SockOpts,
}

#[derive(Debug)]
pub(crate) struct TcpState {
    pub(super) ports: PortTable,
    /// Sockets made by [`TcpSocket`](super::TcpSocket), until they connect
    /// or listen.
    pub(crate) sockets: Slab<Sock>,
    pub(crate) listeners: Slab<Listener>,
    pub(crate) conns: Slab<Conn>,
    pub(crate) outbox: VecDeque<Outgoing>,
    pub(crate) counts: TcpStats,
    /// The stall timeout, in nanoseconds.
    pub(crate) timeout: Option<u64>,
    /// Retransmissions of a SYN before a connect gives up (`None`: no
    /// limit).
    pub(crate) syn_retries: Option<u32>,
    /// Retransmissions of any other segment before its connection gives
    /// up (`None`: no limit).
    pub(crate) retries: Option<u32>,
    /// Whether a node's kill resets its connections' peers at once (see
    /// [`Network::set_kill_resets_peers`](crate::Network::set_kill_resets_peers)).
    pub(crate) kill_resets: bool,
    /// The keepalive timing (see `keepalive.rs`).
    pub(crate) keepalive: super::keepalive::KeepaliveConfig,
    /// `tcp_fin_timeout` in nanoseconds (see `fin_timeout.rs`).
    pub(crate) fin_timeout: u64,
    /// Reads whose window update is still to be decided (see
    /// [`Effects::acks`]).
    pub(crate) acks: Vec<(Key, usize)>,
    /// Payload buffers for reuse.
    pub(crate) pool: BufPool,
    /// The virtual time (nanoseconds) of the network operation under way,
    /// set by [`Net::act`](crate::state::Net::act) (time does not move
    /// during one).
    pub(crate) now: u64,
    /// Whether the fault rules had no partition and no clog when that
    /// operation began (set by `Net::act` too).
    pub(crate) quiet: bool,
    /// The simulation's node liveness (always set by `Net::default`;
    /// `None` only for a bare `TcpState`, which then asks the runtime
    /// every time): when no node is dead, a liveness question needs no
    /// lookup.
    pub(crate) liveness: Option<ext::Liveness>,
    /// Wakers replaced or freed during the network operation under way,
    /// which [`Net::act`](crate::state::Net::act) drops after its borrow
    /// ends: a waker's destructor is user code, and may use the network.
    pub(crate) trash: Vec<Waker>,
    /// Every connection end by its node and addresses, which never
    /// change: what [`reset_stale`](Self::reset_stale) looks up instead
    /// of scanning every connection at each SYN.
    pub(super) by_route: BTreeSet<RouteEntry>,
}

/// A connection end in [`TcpState::by_route`]: its node, its local and
/// peer addresses as event words (cheap to compare; two addresses may
/// share one, so a lookup checks the end's own), then its connection's
/// slot index and generation and the end (so entries of one route come
/// in slot order).
pub(super) type RouteEntry = (u32, u64, u64, u32, u32, u8);

fn route_entry(e: &End, key: Key, end: usize) -> RouteEntry {
    let (local, peer) = e.wire;
    (
        e.node,
        local.word(),
        peer.word(),
        key.index,
        key.generation,
        end as u8,
    )
}

impl Default for TcpState {
    fn default() -> TcpState {
        TcpState {
            ports: PortTable::default(),
            sockets: Slab::default(),
            listeners: Slab::default(),
            conns: Slab::default(),
            outbox: VecDeque::new(),
            counts: TcpStats::default(),
            timeout: None,
            syn_retries: Some(super::DEFAULT_TCP_SYN_RETRIES),
            retries: Some(super::DEFAULT_TCP_RETRIES),
            kill_resets: true,
            keepalive: Default::default(),
            fin_timeout: nanos(super::DEFAULT_TCP_FIN_TIMEOUT),
            acks: Vec::new(),
            pool: BufPool::default(),
            now: 0,
            quiet: true,
            liveness: None,
            trash: Vec::new(),
            by_route: BTreeSet::new(),
        }
    }
}

pub(crate) fn nanos(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

impl TcpState {
    /// Whether no node of the simulation is dead (see [`ext::Liveness`]).
    #[inline]
    pub(crate) fn all_alive(&self) -> bool {
        self.liveness.as_ref().is_some_and(ext::Liveness::all_alive)
    }

    /// [`ext::node_alive`] for a node that exists, without the lookup
    /// while every node is alive.
    #[inline]
    pub(crate) fn node_alive(&self, node: u32) -> bool {
        self.all_alive() || ext::node_alive(node)
    }

    /// Runs `f` on connection `key` with the effects plumbing, then frees
    /// what closed. `None` when the connection is gone.
    #[inline]
    pub(crate) fn with_conn<R>(
        &mut self,
        key: Key,
        wakers: &mut Vec<Waker>,
        f: impl FnOnce(&mut Conn, &mut Effects<'_>) -> R,
    ) -> Option<R> {
        self.with_conn_ruled(key, None, wakers, f)
    }

    /// [`with_conn`](Self::with_conn), the effects seeing the fault
    /// `rules` if given (see [`Effects::rules`]).
    #[inline]
    fn with_conn_ruled<R>(
        &mut self,
        key: Key,
        rules: Option<&Rules>,
        wakers: &mut Vec<Waker>,
        f: impl FnOnce(&mut Conn, &mut Effects<'_>) -> R,
    ) -> Option<R> {
        let all_alive = self.all_alive();
        let conn = self.conns.get_mut(key)?;
        let mut fx = Effects {
            outbox: &mut self.outbox,
            counts: &mut self.counts,
            wakers,
            acks: &mut self.acks,
            pool: &mut self.pool,
            trash: &mut self.trash,
            now: self.now,
            fin_timeout: self.fin_timeout,
            quiet: self.quiet,
            all_alive,
            rules,
        };
        let out = f(conn, &mut fx);
        if conn.ends[0].closed || conn.ends[1].closed {
            self.collect(key);
        }
        Some(out)
    }

    /// Sends the window updates of the reads since the last call: at once
    /// (no packet) when the return path could carry an ACK now — local, or
    /// not cut, not clogged, and the writer's node alive — otherwise as a
    /// [`Kind::Ack`] segment that waits for the return path.
    pub(crate) fn flush_acks(&mut self, rules: &Rules, wakers: &mut Vec<Waker>) {
        let now = self.now;
        let mut acks = std::mem::take(&mut self.acks);
        for (key, reader) in acks.drain(..) {
            let Some(conn) = self.conns.get(key) else {
                continue;
            };
            let (from, to) = (conn.ends[reader].node, conn.ends[1 - reader].node);
            let reachable = from == to
                || (!rules.is_cut(from, to)
                    && rules.clogged_until(from, to, now).is_none()
                    && self.node_alive(to));
            self.with_conn(key, wakers, |conn, fx| {
                conn.window_update(reader, reachable, fx);
            });
        }
        // Keep the vector's capacity for the next reads.
        if self.acks.is_empty() {
            self.acks = acks;
        }
    }

    /// Releases a closed client end's port; removes a connection whose
    /// ends are both closed.
    fn collect(&mut self, key: Key) {
        let Some(conn) = self.conns.get_mut(key) else {
            return;
        };
        let client = &mut conn.ends[0];
        if client.closed && client.port_bound {
            client.port_bound = false;
            let (node, port) = (client.node, client.local.port());
            self.ports.unbind(node, port, CONN_OWNER | key.index);
        }
        if conn.ends.iter().all(|e| e.closed) {
            for e in &mut conn.ends {
                self.trash.extend(e.reader.take());
                self.trash.extend(e.writer.take());
            }
            for (end, e) in conn.ends.iter().enumerate() {
                self.by_route.remove(&route_entry(e, key, end));
            }
            self.conns.remove(key);
        }
    }

    /// Opens a listener on `node` at `addr`, as tokio's
    /// `TcpListener::bind` does: with `SO_REUSEADDR` (on Unix), and here
    /// with no accept-queue limit.
    pub(crate) fn listen(&mut self, node: u32, addr: SocketAddr) -> io::Result<Key> {
        let key = self.listeners.next_key();
        let flags = Flags {
            reuse: true,
            listening: true,
        };
        let held = held_by_accepted(&self.conns, &self.by_route, node, true);
        let local = self.ports.bind_as(node, addr, key.index, flags, held)?;
        let opts = SockOpts {
            reuse: true,
            ..SockOpts::default()
        };
        Ok(self.new_listener(node, local, Some(DEFAULT_BACKLOG), opts))
    }

    /// Inserts a listener whose port is bound (its owner: the key this
    /// returns).
    pub(super) fn new_listener(
        &mut self,
        node: u32,
        local: SocketAddr,
        backlog: Option<u32>,
        opts: SockOpts,
    ) -> Key {
        self.listeners.insert(Listener {
            node,
            local,
            queue: VecDeque::new(),
            waiters: Waiters::default(),
            closed: false,
            backlog,
            opts,
        })
    }

    /// Closes a listener (its handle was dropped): connections waiting to
    /// be accepted are reset. Not when its node is being killed (the kill
    /// cancels the task that held it): a dead node sends nothing, and the
    /// kill resets those connections itself, once. The server end sends
    /// the RST, so only the client end it resets counts as a reset.
    pub(crate) fn close_listener(&mut self, key: Key, wakers: &mut Vec<Waker>) {
        let Some(mut l) = self.listeners.remove(key) else {
            return;
        };
        l.waiters.drain_into(&mut self.trash);
        if !l.closed {
            self.ports.unbind(l.node, l.local.port(), key.index);
        }
        if !self.node_alive(l.node) {
            return;
        }
        for c in l.queue {
            self.with_conn(c, wakers, |conn, fx| {
                if conn.ends[1].closed {
                    return;
                }
                fx.send(conn, 1, Kind::Rst { answer: false });
                conn.fail_uncounted(1, io::ErrorKind::ConnectionReset, fx);
                conn.ends[1].closed = true;
                // Freed at once, as an end closed after it failed (see
                // `Conn::close`): if the RST is lost, the client's next
                // segment (its FIN too) draws another.
                conn.forget(1, fx.now);
            });
        }
    }

    /// The next connection waiting on listener `key`; else `cx`'s waker
    /// waits, for the future owning `slot` (`None`: the poll function's
    /// caller), and the waker it replaces goes to the trash.
    pub(crate) fn poll_accept(
        &mut self,
        key: Key,
        cx: &mut Context<'_>,
        slot: Option<&mut Option<u32>>,
    ) -> Poll<io::Result<Key>> {
        let Some(l) = self.listeners.get_mut(key) else {
            return Poll::Ready(Err(aborted("listener")));
        };
        if l.closed {
            return Poll::Ready(Err(killed(l.node)));
        }
        while let Some(c) = l.queue.pop_front() {
            if let Some(conn) = self.conns.get_mut(c) {
                conn.ends[1].handles = 2;
                return Poll::Ready(Ok(c));
            }
        }
        self.trash.extend(l.waiters.park(slot, cx.waker()));
        Poll::Pending
    }

    /// Starts a connection from `node` to `dst`: the client end gets an
    /// ephemeral port, the SYN goes to the outbox.
    pub(crate) fn connect(&mut self, node: u32, dst: SocketAddr) -> io::Result<Key> {
        self.connect_from(node, dst, None)
    }

    /// [`connect`](Self::connect), from socket `from` if given: from its
    /// bound address (its binding becomes the connection's), with its
    /// options.
    pub(super) fn connect_from(
        &mut self,
        node: u32,
        dst: SocketAddr,
        from: Option<(Key, &Sock)>,
    ) -> io::Result<Key> {
        let dst = destination(dst);
        let loopback = dst.ip().is_loopback();
        let server_node = if loopback || is_node_ip(node, dst.ip()) {
            Some(node)
        } else {
            node_of_ip(dst.ip())
        };
        // The client's socket is of the destination's family.
        let src_ip = if loopback {
            loopback_like(dst.ip())
        } else {
            node_ip_like(node, dst.ip())
        };
        let key = self.conns.next_key();
        let opts = from.map(|(_, s)| s.opts).unwrap_or_default();
        let flags = Flags {
            reuse: opts.reuse,
            listening: false,
        };
        let owner = CONN_OWNER | key.index;
        let local = match from.and_then(|(k, s)| Some((k, s.local?))) {
            None => self
                .ports
                .bind_as(node, SocketAddr::new(src_ip, 0), owner, flags, |_, _| false)
                .map_err(no_source_port)?,
            Some((sock, bound)) => {
                // A wildcard binding narrows to the source address.
                let ip = if bound.ip().is_unspecified() {
                    src_ip
                } else {
                    bound.ip()
                };
                let local = SocketAddr::new(ip, bound.port());
                self.check_tuple(node, local, dst)?;
                let port = bound.port();
                self.ports
                    .rebind(node, port, SOCK_OWNER | sock.index, ip, owner, flags);
                local
            }
        };
        let mut client = End::new(node, local, dst);
        client.handles = 2;
        client.port_bound = true;
        opts.apply(&mut client);
        let mut server = End::new(server_node.unwrap_or(u32::MAX), dst, local);
        // What the server end may send: the client's receive buffer.
        server.window = opts.recv_buffer;
        server.closed = server_node.is_none();
        self.by_route.insert(route_entry(&client, key, 0));
        self.by_route.insert(route_entry(&server, key, 1));
        let key = self.conns.insert(Conn {
            key,
            ends: [client, server],
        });
        self.counts.connects += 1;
        CONNECT.emit(local, dst, 0, 0);
        let mut wakers = Vec::new();
        self.with_conn(key, &mut wakers, |conn, fx| fx.send(conn, 0, Kind::Syn));
        debug_assert!(wakers.is_empty());
        Ok(key)
    }

    /// A segment arrived at its destination node (which is up); `rules`
    /// are the network's fault rules, for the return trip of a FIN's ACK
    /// (see [`Effects::ack_back`]).
    ///
    /// Returns the sender's FIN when it went through (this segment, or a
    /// FIN put aside that this segment let in) but its ACK cannot come
    /// back, the return path cut (see `fin_timeout.rs`): to its sender it
    /// is a lost segment, for the fabric to send again after its backoff.
    /// A FIN that came before its turn takes the backoff from scratch.
    #[inline]
    pub(crate) fn arrive(
        &mut self,
        seg: Segment,
        rules: &Rules,
        wakers: &mut Vec<Waker>,
    ) -> Option<Segment> {
        if let Kind::Syn = seg.kind {
            self.syn(seg, wakers);
            return None;
        }
        let (conn, to) = (seg.conn, seg.to);
        let opens = matches!(seg.kind, Kind::SynAck);
        let (first_sent, attempt) = match seg.kind {
            Kind::Fin => (seg.first_sent, seg.attempt),
            _ => (self.now, 0),
        };
        let lost_ack = self.with_conn_ruled(conn, Some(rules), wakers, |c, fx| {
            c.arrive(to, seg.seq, seg.kind, fx);
            c.take_lost_fin_ack(1 - to)
        });
        if opens {
            self.start_keepalive(conn, to);
        }
        lost_ack.flatten().map(|seq| Segment {
            conn,
            to,
            seq,
            kind: Kind::Fin,
            first_sent,
            attempt,
        })
    }

    /// A SYN arrived: queue the connection at the listener and answer with
    /// a SYN-ACK, or refuse it with an RST.
    fn syn(&mut self, seg: Segment, wakers: &mut Vec<Waker>) {
        let Some(conn) = self.conns.get(seg.conn) else {
            return;
        };
        let server = &conn.ends[1];
        if server.phase != Phase::Connecting || server.closed {
            return; // a duplicate, or the connection already ended
        }
        let Some(lkey) = self.listener_for(server.node, server.local) else {
            self.with_conn(seg.conn, wakers, |conn, fx| {
                fx.send(conn, 1, Kind::Rst { answer: true });
                conn.ends[1].closed = true;
            });
            return;
        };
        self.reset_stale(seg.conn, wakers);
        let opts = self.listeners.get(lkey).expect("found above").opts;
        self.with_conn(seg.conn, wakers, |conn, fx| {
            // The SYN-ACK carries the server's receive window.
            conn.ends[0].window = opts.recv_buffer;
            let e = &mut conn.ends[1];
            opts.apply(e);
            e.phase = Phase::Open;
            e.recv_seq = 1;
            e.last_heard = fx.now;
            ACCEPT.emit(e.local, e.peer, 0, 0);
            fx.counts.accepted += 1;
            fx.send(conn, 1, Kind::SynAck);
        });
        self.start_keepalive(seg.conn, 1);
        let l = self.listeners.get_mut(lkey).expect("found above");
        l.queue.push_back(seg.conn);
        l.waiters.drain_into(wakers);
    }

    /// The listener that takes a SYN for `local` on `node`.
    fn listener_for(&self, node: u32, local: SocketAddr) -> Option<Key> {
        let index = self.ports.listener(node, local)?;
        self.listeners
            .iter()
            .find(|(k, l)| k.index == index && !l.closed)
            .map(|(k, _)| k)
    }

    /// Whether `seg` is a new connection's SYN whose listener's accept
    /// queue is full: the fabric then drops it, and the client sends it
    /// again after its retransmission timeout, as Linux drops a SYN when
    /// the accept queue is full.
    #[inline]
    pub(crate) fn accept_queue_full(&self, seg: &Segment) -> bool {
        if !matches!(seg.kind, Kind::Syn) {
            return false;
        }
        self.syn_overflows(seg.conn)
    }

    #[cold]
    fn syn_overflows(&self, conn: Key) -> bool {
        let Some(c) = self.conns.get(conn) else {
            return false;
        };
        let s = &c.ends[1];
        if s.phase != Phase::Connecting || s.closed {
            return false;
        }
        self.listener_for(s.node, s.local).is_some_and(|k| {
            let l = self.listeners.get(k).expect("found");
            l.backlog.is_some_and(|b| l.queue.len() > b as usize)
        })
    }

    /// Resets the connection ends that hold the 4-tuple of `conn`'s SYN,
    /// which its listener is about to take: a half-open connection whose
    /// peer restarted (its RST lost) and reconnects from the same port, as
    /// ephemeral ports count from 49152 again after a restart. On Linux
    /// the SYN meets that socket and draws a challenge ACK, the new client
    /// answers with an RST, which resets it, and the client's next SYN
    /// (a retransmission later) connects; here the stale end is reset as
    /// that RST would and the SYN is taken at once.
    fn reset_stale(&mut self, conn: Key, wakers: &mut Vec<Waker>) {
        let Some(c) = self.conns.get(conn) else {
            return;
        };
        let s = &c.ends[1];
        let (node, local, peer) = (s.node, s.local, s.peer);
        let (l, p) = (s.wire.0.word(), s.wire.1.word());
        // In slot order, as a scan of every connection would find them.
        let stale: Vec<(Key, usize)> = self
            .by_route
            .range((node, l, p, 0, 0, 0)..=(node, l, p, u32::MAX, u32::MAX, u8::MAX))
            .map(|&(_, _, _, index, generation, end)| (Key { index, generation }, end as usize))
            .filter(|&(k, end)| {
                k != conn
                    && self.conns.get(k).is_some_and(|c| {
                        let e = &c.ends[end];
                        e.local == local && e.peer == peer && !e.closed && e.phase == Phase::Open
                    })
            })
            .collect();
        for (k, end) in stale {
            self.with_conn(k, wakers, |c, fx| {
                c.arrive(end, 0, Kind::Rst { answer: true }, fx);
            });
        }
    }

    /// `node` was killed: its listeners close, its connection ends are
    /// reset (their peers get an RST, unless kills are silent), its ports
    /// are free again.
    pub(crate) fn node_killed(&mut self, node: u32, wakers: &mut Vec<Waker>) {
        for key in self.listeners.keys() {
            let l = self.listeners.get_mut(key).expect("listed");
            if l.node == node && !l.closed {
                l.closed = true;
                l.queue.clear();
                l.waiters.drain_into(wakers);
                let port = l.local.port();
                self.ports.unbind(node, port, key.index);
            }
        }
        let resets = self.kill_resets;
        for key in self.conns.keys() {
            self.with_conn(key, wakers, |conn, fx| {
                for end in 0..2 {
                    if conn.ends[end].node == node {
                        conn.kill(end, resets, fx);
                    }
                }
            });
        }
        self.sockets_killed(node);
        self.ports.node_killed(node);
    }
}

/// The error for an operation on a handle whose state is gone.
pub(crate) fn aborted(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::ConnectionAborted,
        format!("the {what} was closed"),
    )
}

/// The error for a handle whose node was killed.
pub(crate) fn killed(node: u32) -> io::Error {
    io::Error::new(
        io::ErrorKind::ConnectionAborted,
        format!(
            "the socket was closed because its node {} was killed",
            node_name(node)
        ),
    )
}

impl TcpState {
    /// Netstat rows: listeners, then connection ends (not closed), in
    /// creation-slot order.
    pub(crate) fn netstat_rows(&self, names: &[String]) -> Vec<crate::stats::SocketRow> {
        let name = |n: u32| names.get(n as usize).cloned().unwrap_or_default();
        let mut rows = Vec::new();
        for (_, l) in self.listeners.iter().filter(|(_, l)| !l.closed) {
            rows.push(crate::stats::SocketRow {
                proto: "tcp",
                state: Some("LISTEN"),
                node: name(l.node),
                local: l.local,
                peer: None,
                recv_queue: l.queue.len(),
                recv_bytes: 0,
                send_bytes: 0,
                broadcast: false,
            });
        }
        for (_, c) in self.conns.iter() {
            for (end, e) in c
                .ends
                .iter()
                .enumerate()
                .filter(|(_, e)| (!e.closed && e.phase != Phase::Connecting) || e.handles > 0)
            {
                rows.push(crate::stats::SocketRow {
                    proto: "tcp",
                    state: Some(c.state_name(end)),
                    node: name(e.node),
                    local: e.local,
                    peer: Some(e.peer),
                    recv_queue: 0,
                    recv_bytes: e.recv_buf.len(),
                    send_bytes: e.send_buf.len(),
                    broadcast: false,
                });
            }
        }
        rows
    }
}

/// A connect that finds no free ephemeral port fails as Linux's does,
/// with `EADDRNOTAVAIL` (`AddrNotAvailable`); a `bind` to port 0 gets
/// `AddrInUse` for the same.
fn no_source_port(e: io::Error) -> io::Error {
    if e.kind() == io::ErrorKind::AddrInUse {
        io::Error::new(io::ErrorKind::AddrNotAvailable, e.to_string())
    } else {
        e
    }
}

#[cfg(test)]
mod tests {
    use futures::io::AsyncWriteExt;

    use crate::TcpStream;
    use crate::state::Net;

    /// The route index holds exactly the live connections' ends: filled
    /// at connect, emptied when a connection goes.
    #[test]
    fn the_route_index_follows_the_connections() {
        let mut sim = sim_core::Sim::builder().build();
        sim.run(async {
            let (_server, l) = super::super::listening_node("server").await;
            let instance = sim_core::ext::instance("test");
            let indexed = || {
                let net = Net::of(instance, "test");
                let inner = net.inner.borrow();
                let n = inner.tcp.by_route.len();
                (n, inner.tcp.conns.iter().count() * 2)
            };
            let mut open = Vec::new();
            for _ in 0..20 {
                let c = TcpStream::connect("server:80").await.unwrap();
                let (s, _) = l.accept().await.unwrap();
                open.push((c, s));
            }
            assert_eq!(indexed(), (40, 40));
            for (mut c, mut s) in open {
                c.close().await.unwrap();
                s.close().await.unwrap();
            }
            sim_core::time::sleep(std::time::Duration::from_millis(10)).await;
            assert_eq!(indexed(), (0, 0));
        })
        .unwrap();
    }
}
