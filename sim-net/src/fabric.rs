//! The fabric: carries datagrams and TCP segments between nodes on the
//! virtual clock.
//!
//! A send asks the fault rules for a [`Verdict`]; a delivered datagram or
//! segment waits in one in-flight queue ordered by `(due time, send
//! order)`. A TCP segment the verdict drops (loss, partition) or that
//! reaches a node that is down goes back into the same queue as a
//! *retransmission* entry, due after its backoff, and gets a fresh verdict
//! then. What the TCP layer wants sent (a SYN-ACK answering a SYN, data a
//! read let through the window) waits in its outbox and is sent before
//! the network's borrow ends. A
//! single timer (the *pump*) is armed for the earliest due time; when it
//! fires, every due datagram is handed to its receiving socket (or dropped:
//! node down, nothing bound, buffer full), and the pump re-arms. No task
//! is spawned, so the network adds no scheduling decisions of its own; it
//! adds one timer while something is in flight.
//!
//! Traffic inside a node (loopback, or a node sending to its own address)
//! skips the fault rules and arrives at once.
//!
//! In a quiet network with one constant latency, the usual TCP write and
//! the usual data arrival take *express paths* that skip the outbox, the
//! verdict and the general arrival ([`send_express`], `arrive_express`,
//! and the TCP side in `tcp/express.rs`): same segments, events, counters
//! and queue keys, in fewer steps.

use std::cell::Cell;
use std::net::SocketAddr;
use std::task::Waker;

use sim_clock::Instant;
use sim_core::ext;

use crate::addr::{WireAddr, source};
use crate::links::NOWHERE;
use crate::rules::{DropReason, Verdict};
use crate::state::{Inner, Net, RECV_BUFFER};
use crate::tcp::{Segment, TcpState, with_spare};

mod kinds;

pub(crate) use kinds::AddrEvent;
use kinds::{
    DATAGRAM_DELIVER, DATAGRAM_SEND, DELIVER, DROP, DUPLICATE, SEND, UNREACHABLE_DELIVER,
    UNREACHABLE_SEND,
};

/// A send's event and shape: the length in bits 48.. of the first word,
/// a segment's sequence number (or a datagram's number) modulo 2^16 in
/// bits 48.. of the second, above the address, so nondeterministic
/// payload sizes change the fingerprint and a trace can tell the sends
/// of one address pair apart. A delivery has the same shape.
fn send_shape(payload: &Payload) -> (&'static AddrEvent, u64, u64) {
    match payload {
        Payload::Datagram(d) => {
            let (len, number) = datagram_shape(d);
            (&DATAGRAM_SEND, len, number)
        }
        Payload::Segment(s) => {
            let (len, seq) = segment_shape(s);
            (&SEND, len, seq)
        }
        Payload::Unreachable => (&UNREACHABLE_SEND, 0, 0),
    }
}

fn datagram_shape(d: &Datagram) -> (u64, u64) {
    ((d.data.len() as u64) << 48, d.number << 48)
}

fn segment_shape(s: &Segment) -> (u64, u64) {
    let len = match &s.kind {
        crate::tcp::Kind::Data(d) => d.len(),
        _ => 0,
    };
    ((len as u64) << 48, s.seq << 48)
}

/// A UDP datagram on the wire: its bytes and its number, counted from 1
/// per network in the order sent (a duplicate keeps the original's), which
/// the trace shows so that a delivery names its send.
#[derive(Clone, Debug)]
pub(crate) struct Datagram {
    pub(crate) data: Vec<u8>,
    pub(crate) number: u64,
}

/// What travels: a UDP datagram, a TCP segment, or an ICMP port
/// unreachable.
#[derive(Clone, Debug)]
pub(crate) enum Payload {
    Datagram(Datagram),
    Segment(Segment),
    /// The answer of a host to a datagram that found no socket there
    /// (see [`answer_unreachable`]): its route runs back, from the
    /// refused address to the datagram's sender.
    Unreachable,
}

/// Where a datagram or segment goes: from a socket of node `from` at
/// `src` to `dst`, a socket of node `to` (the node that owns `dst`, or
/// [`NOWHERE`]).
#[derive(Clone, Copy, Debug)]
struct Route {
    from: u32,
    to: u32,
    src: WireAddr,
    dst: WireAddr,
}

/// A datagram or segment on the wire, or a segment waiting to be
/// retransmitted.
#[derive(Debug)]
pub(crate) struct InFlight {
    /// When the link's latency makes it due (a clog may hold it longer).
    due: u64,
    route: Route,
    payload: Payload,
    /// A TCP segment the network lost: when due it is sent again (a new
    /// verdict) rather than delivered.
    resend: bool,
}

impl Net {
    /// Runs `f` on the network's tables, then sends every TCP segment it
    /// queued, re-arms the pump and wakes whoever `f` (or an arrival)
    /// woke, and drops the wakers it replaced or freed, outside the borrow.
    ///
    /// Virtual time does not move during an act, so it is read once, into
    /// [`TcpState::now`](crate::tcp::TcpState::now). The wakers' vector is
    /// kept between acts (a nested act, from a waker, takes a fresh one).
    #[inline]
    pub(crate) fn act<R>(&self, f: impl FnOnce(&mut Inner, &mut Vec<Waker>) -> R) -> R {
        let mut wakers = self.wakers.take();
        let (out, next, trash) = {
            let mut inner = self.inner.borrow_mut();
            inner.tcp.now = self.now();
            inner.tcp.quiet = inner.rules.is_quiet();
            let out = f(&mut inner, &mut wakers);
            send_queued(&mut inner, &mut wakers);
            // The pump's next due time, if the in-flight queue changed.
            // Nothing is due at the end of time: what a clog with no end
            // holds waits for its unclog, and arms no timer the clock
            // would jump to.
            let next = inner
                .in_flight
                .take_changed()
                .then(|| inner.in_flight.next_due());
            let trash = !inner.tcp.trash.is_empty();
            (out, next.map(|n| (n, inner.tcp.now)), trash)
        };
        if let Some((next, now)) = next {
            self.rearm(next, now);
        }
        if !wakers.is_empty() {
            for w in &wakers {
                w.wake_by_ref();
            }
            wakers.clear();
        }
        self.wakers.set(wakers);
        // Last: a destructor that uses the network finds it consistent.
        if trash {
            self.empty_trash();
        }
        out
    }

    /// Drops the wakers the TCP layer replaced or freed (see
    /// [`TcpState::trash`](crate::tcp::TcpState::trash)), outside the
    /// borrow.
    #[cold]
    #[inline(never)]
    fn empty_trash(&self) {
        let trash = std::mem::take(&mut self.inner.borrow_mut().tcp.trash);
        drop(trash);
    }

    /// Sends `data` from `src` (a socket of node `from`) to `dst`; wakes
    /// receivers of anything that arrives at once.
    pub(crate) fn send(&self, from: u32, src: SocketAddr, dst: SocketAddr, data: &[u8]) {
        self.send_datagram(from, None, src, dst, data);
    }

    /// Sends a copy of a broadcast (`dst` is the broadcast address) from
    /// `src` (a socket of node `from`) to node `to`, which decides on
    /// arrival which socket gets it (see `udp/broadcast.rs`).
    pub(crate) fn send_broadcast_copy(
        &self,
        from: u32,
        to: u32,
        src: SocketAddr,
        dst: SocketAddr,
        data: &[u8],
    ) {
        self.send_datagram(from, Some(to), src, dst, data);
    }

    /// [`send`](Self::send), to node `to` if given (else the node that
    /// owns `dst`).
    fn send_datagram(
        &self,
        from: u32,
        to: Option<u32>,
        src: SocketAddr,
        dst: SocketAddr,
        data: &[u8],
    ) {
        self.act(|inner, wakers| {
            inner.datagrams += 1;
            let datagram = Datagram {
                data: data.to_vec(),
                number: inner.datagrams,
            };
            let (src, dst) = (WireAddr::new(source(from, src, dst)), WireAddr::new(dst));
            let payload = Payload::Datagram(datagram);
            match to {
                None => transmit(inner, from, src, dst, payload, wakers),
                Some(to) => transmit_to(inner, from, Some(to), src, dst, payload, wakers),
            }
        });
    }

    /// Delivers every datagram due now (the pump fired).
    #[inline(never)]
    pub(crate) fn deliver_due(&self) {
        self.deliver_due_inline();
    }

    /// [`deliver_due`](Self::deliver_due), inline: the pump's ring calls
    /// it once per firing.
    ///
    /// What [`act`](Self::act) does around delivering everything due, in
    /// the same order, but its wakers' vector starts without a buffer:
    /// the usual firing (express arrivals, whose task wakers are woken in
    /// place) collects nothing, so there is no kept vector to take and
    /// give back. Whatever has a waker to collect first takes the kept
    /// one ([`with_spare`]), which goes back at the end.
    #[inline(always)]
    pub(crate) fn deliver_due_inline(&self) {
        let mut wakers = Vec::new();
        let (next, now, trash) = {
            let mut guard = self.inner.borrow_mut();
            let inner = &mut *guard;
            inner.tcp.now = self.now();
            inner.tcp.quiet = inner.rules.is_quiet();
            let now = inner.tcp.now;
            while let Some(((_, seq), d)) = inner.in_flight.pop_due(now) {
                deliver(inner, seq, d, (&mut wakers, &self.wakers));
            }
            if !inner.tcp.acks.is_empty() || !inner.tcp.outbox.is_empty() {
                send_queued(inner, with_spare(&mut wakers, &self.wakers));
            }
            // The pump fired: re-arm it for what is left, whatever was
            // delivered (as `act` does once the queue changed). Nothing
            // is due at the end of time (see `act`).
            inner.in_flight.clear_changed();
            let next = inner.in_flight.next_due();
            (next, now, !inner.tcp.trash.is_empty())
        };
        self.rearm(next, now);
        if !wakers.is_empty() {
            for w in &wakers {
                w.wake_by_ref();
            }
            wakers.clear();
        }
        if wakers.capacity() != 0 {
            // The kept buffer (or one grown from it) goes back.
            self.wakers.set(wakers);
        }
        // Last: a destructor that uses the network finds it consistent.
        if trash {
            self.empty_trash();
        }
    }

    /// Re-times datagrams held by clogs that ended early, then delivers
    /// what is due.
    pub(crate) fn unclogged(&self) {
        let now = Instant::now().as_nanos(); // determinism: ok (virtual clock)
        {
            let mut inner = self.inner.borrow_mut();
            let Inner {
                in_flight, rules, ..
            } = &mut *inner;
            let held = in_flight.take_where(|k, d| {
                !d.resend
                    && d.due < k.0
                    && rules.clogged_until(d.route.from, d.route.to, now).is_none()
            });
            for (key, d) in held {
                in_flight.push((d.due.max(now), key.1), d);
            }
        }
        self.deliver_due();
    }
}

/// Delivers `d` (due now, send order `seq`), which the express arrival
/// declined: a retransmission is sent again, a clogged link holds it
/// back, anything else arrives. Kept out of line, so the pump's usual
/// loop (express arrivals only) stays small.
#[inline(never)]
fn deliver_general(inner: &mut Inner, seq: u64, d: InFlight, wakers: &mut Vec<Waker>) {
    let now = inner.tcp.now;
    if d.resend {
        let Payload::Segment(seg) = d.payload else {
            unreachable!("only TCP segments are retransmitted")
        };
        if let Some(seg) = inner.tcp.retransmit(seg, now, wakers) {
            let r = d.route;
            transmit(inner, r.from, r.src, r.dst, Payload::Segment(seg), wakers);
        }
        send_queued(inner, wakers);
        return;
    }
    // A clog that began while it was on the wire holds it back (keeping
    // its place in send order).
    if let Some(until) = inner.rules.clogged_until(d.route.from, d.route.to, now) {
        inner.in_flight.push((until, seq), d);
        return;
    }
    arrive(inner, d, wakers);
    send_queued(inner, wakers);
}

/// Sends every segment the TCP layer queued (arrivals may queue more).
fn send_queued(inner: &mut Inner, wakers: &mut Vec<Waker>) {
    loop {
        if !inner.tcp.acks.is_empty() {
            inner.tcp.flush_acks(&inner.rules, wakers);
        }
        let Some(out) = inner.tcp.outbox.pop_front() else {
            break;
        };
        transmit(
            inner,
            out.from,
            out.src,
            out.dst,
            Payload::Segment(out.seg),
            wakers,
        );
    }
}

/// Puts a datagram or segment on the wire: asks the fault rules for a
/// verdict and queues what survives (arriving at once when due now).
fn transmit(
    inner: &mut Inner,
    from: u32,
    src: WireAddr,
    dst: WireAddr,
    payload: Payload,
    wakers: &mut Vec<Waker>,
) {
    let to = if dst.is_loopback() || dst.is_of(from) {
        Some(from)
    } else {
        inner.node_of(dst)
    };
    transmit_to(inner, from, to, src, dst, payload, wakers);
}

/// [`transmit`] to node `to` (`None`: no node has `dst`); traffic to the
/// sender's own node skips the fault rules and arrives at once.
fn transmit_to(
    inner: &mut Inner,
    from: u32,
    to: Option<u32>,
    src: WireAddr,
    dst: WireAddr,
    payload: Payload,
    wakers: &mut Vec<Waker>,
) {
    let now = inner.tcp.now;
    let local = to == Some(from);
    let (event, len, seq) = send_shape(&payload);
    event.emit_by(inner.events.as_ref(), src, dst, len, seq);
    let Some(to) = to else {
        inner.links.get_mut(from, NOWHERE).sent += 1;
        let route = Route {
            from,
            to: NOWHERE,
            src,
            dst,
        };
        drop_event(inner, route, DropReason::NoHost);
        if let Payload::Segment(seg) = payload {
            inner.tcp.unroutable(&seg, wakers);
        }
        return;
    };
    inner.links.get_mut(from, to).sent += 1;
    let route = Route { from, to, src, dst };
    let verdict = if local {
        Verdict::Deliver {
            at: now,
            duplicate: None,
        }
    } else {
        inner.rules.verdict(from, to, now, &mut ext::draw)
    };
    let (at, duplicate) = match verdict {
        Verdict::Drop(why) => {
            drop_event(inner, route, why);
            if let Payload::Segment(seg) = payload {
                retry_later(inner, route, seg, now, wakers);
            }
            return;
        }
        Verdict::Deliver { at, duplicate } => (at, duplicate),
    };
    let d = InFlight {
        due: at,
        route,
        payload,
        resend: false,
    };
    match duplicate {
        None => queue(inner, d, now, wakers),
        Some(at2) => {
            let copy = InFlight {
                due: at2,
                payload: d.payload.clone(),
                ..d
            };
            queue(inner, d, now, wakers);
            inner.links.get_mut(from, to).duplicated += 1;
            DUPLICATE.emit_by(inner.events.as_ref(), src, dst, 0, 0);
            queue(inner, copy, now, wakers);
        }
    }
}

/// Puts a TCP segment from `from` to `to` on the wire, due `at`, without
/// a verdict (see [`Net::express_write`]): what [`transmit`] does for it
/// when the rules deliver it after a constant latency and nothing is
/// clogged. Returns the pump's next due time, as [`Net::act`] computes it
/// (the queue changed), for [`Net::rearm`].
#[inline(always)]
pub(crate) fn send_express(
    inner: &mut Inner,
    (from, to, link): (u32, u32, u32),
    (src, dst): (WireAddr, WireAddr),
    seg: Segment,
    at: u64,
) -> Option<u64> {
    let (len, seq) = segment_shape(&seg);
    inner.links.at(link).sent += 1;
    inner.seq += 1;
    let d = InFlight {
        due: at,
        route: Route { from, to, src, dst },
        payload: Payload::Segment(seg),
        resend: false,
    };
    inner.in_flight.push((at, inner.seq), d);
    // The push changed the queue: what `take_changed` says, and clears.
    inner.in_flight.clear_changed();
    let next = inner.in_flight.next_due();
    // After the push (the event does not depend on the queue), so the
    // record is not held across the recording.
    SEND.emit_by(inner.events.as_ref(), src, dst, len, seq);
    next
}

/// Queues `d` on the wire (after a clog of its link, if one holds it), or
/// hands it over at once when it is due now.
#[inline]
fn queue(inner: &mut Inner, d: InFlight, now: u64, wakers: &mut Vec<Waker>) {
    let clog = inner
        .rules
        .clogged_until(d.route.from, d.route.to, now)
        .unwrap_or(0);
    let at = d.due.max(clog);
    if at <= now {
        arrive(inner, d, wakers);
    } else {
        inner.seq += 1;
        let seq = inner.seq;
        inner.in_flight.push((at, seq), d);
    }
}

/// Queues a segment the network lost for retransmission after its
/// backoff (or times its connection out).
fn retry_later(inner: &mut Inner, route: Route, seg: Segment, now: u64, wakers: &mut Vec<Waker>) {
    let Some(at) = inner.tcp.retry_at(&seg, now, wakers) else {
        return;
    };
    inner.seq += 1;
    let seq = inner.seq;
    let d = InFlight {
        due: at,
        route,
        payload: Payload::Segment(seg),
        resend: true,
    };
    inner.in_flight.push((at, seq), d);
}

fn drop_event(inner: &mut Inner, r: Route, why: DropReason) {
    inner.count_drop(r.from, r.to, why);
    DROP.emit_by(inner.events.as_ref(), r.src, r.dst, 0, (why as u64) << 48);
}

/// Delivers `d` (due now, send order `seq`): on the express path when it
/// is data that its connection takes in the usual way (see
/// [`TcpState::takes_express`]) and nothing can hold it back (no clog
/// anywhere, its node alive), exactly as [`arrive`] would, in fewer
/// steps (one lookup of the connection for the check and the arrival);
/// else through [`deliver_general`].
///
/// [`TcpState::takes_express`]: crate::tcp::TcpState::takes_express
#[inline(always)]
fn deliver(
    inner: &mut Inner,
    seq: u64,
    d: InFlight,
    (wakers, spare): (&mut Vec<Waker>, &Cell<Vec<Waker>>),
) {
    let Inner {
        tcp, links, events, ..
    } = inner;
    let conn = match &d.payload {
        Payload::Segment(seg) if tcp.quiet && !d.resend && tcp.node_alive(d.route.to) => {
            TcpState::takes_express(&mut tcp.conns, seg)
        }
        _ => None,
    };
    let Some(c) = conn else {
        deliver_general(inner, seq, d, with_spare(wakers, spare));
        return;
    };
    let InFlight {
        route: r,
        payload: Payload::Segment(seg),
        ..
    } = d
    else {
        unreachable!("checked above")
    };
    // The sending end's link number (`u32::MAX` if it has none).
    let link = c.ends[1 - crate::tcp::side(seg.to)].link;
    let counts = if link == u32::MAX {
        links.get_mut(r.from, r.to)
    } else {
        links.at(link)
    };
    counts.delivered += 1;
    let (len, shape_seq) = segment_shape(&seg);
    DELIVER.emit_by(events.as_ref(), r.src, r.dst, len, shape_seq);
    let crate::tcp::Kind::Data(data) = seg.kind else {
        unreachable!("checked by takes_express")
    };
    TcpState::arrive_express(c, seg.to, data, (tcp.now, &mut tcp.pool), (wakers, spare));
}

/// Hands a due datagram to its receiving socket or a segment to its
/// connection, or drops it.
fn arrive(inner: &mut Inner, d: InFlight, wakers: &mut Vec<Waker>) {
    let r = d.route;
    let alive = inner.tcp.node_alive(r.to);
    let datagram = match d.payload {
        Payload::Segment(seg) => {
            if !alive {
                // Nobody answers at a node that is down: to the sender it
                // is a lost segment.
                drop_event(inner, r, DropReason::NodeDown);
                let now = inner.tcp.now;
                retry_later(inner, r, seg, now, wakers);
                return;
            }
            if inner.tcp.accept_queue_full(&seg) {
                // Linux drops the SYN: the client sends it again.
                drop_event(inner, r, DropReason::AcceptQueueFull);
                let now = inner.tcp.now;
                retry_later(inner, r, seg, now, wakers);
                return;
            }
            inner.links.get_mut(r.from, r.to).delivered += 1;
            let (len, seq) = segment_shape(&seg);
            DELIVER.emit_by(inner.events.as_ref(), r.src, r.dst, len, seq);
            if let Some(fin) = inner.tcp.arrive(seg, &inner.rules, wakers) {
                // A FIN whose ACK cannot come back (the return path is
                // cut): its sender sends it again, as a lost one.
                let now = inner.tcp.now;
                retry_later(inner, r, fin, now, wakers);
            }
            return;
        }
        Payload::Datagram(d) => d,
        Payload::Unreachable => {
            if !alive {
                drop_event(inner, r, DropReason::NodeDown);
                return;
            }
            inner.links.get_mut(r.from, r.to).delivered += 1;
            UNREACHABLE_DELIVER.emit_by(inner.events.as_ref(), r.src, r.dst, 0, 0);
            port_unreachable(inner, r, wakers);
            return;
        }
    };
    let receiver = if alive {
        inner.receiver(r.to, r.dst.get())
    } else {
        None
    };
    let why = match receiver {
        None if !alive => Some(DropReason::NodeDown),
        None => Some(DropReason::NoSocket),
        Some(_) if r.dst.get().ip().is_multicast() && !inner.joined(r.to, r.dst.get().ip()) => {
            // The node left the group while the copy was on its way.
            Some(DropReason::NoSocket)
        }
        Some(index) => {
            let s = inner.socket_at_mut(index);
            if s.peer.is_some_and(|p| p != r.src.get()) {
                Some(DropReason::NoSocket)
            } else if s.queued_bytes + datagram.data.len() > RECV_BUFFER {
                Some(DropReason::BufferFull)
            } else {
                None
            }
        }
    };
    if let Some(why) = why {
        drop_event(inner, r, why);
        if why == DropReason::NoSocket {
            answer_unreachable(inner, r, wakers);
        }
        return;
    }
    let index = receiver.expect("checked above");
    inner.links.get_mut(r.from, r.to).delivered += 1;
    let (len, number) = datagram_shape(&datagram);
    DATAGRAM_DELIVER.emit_by(inner.events.as_ref(), r.src, r.dst, len, number);
    let s = inner.socket_at_mut(index);
    s.queued_bytes += datagram.data.len();
    s.queue.push_back((r.src.get(), datagram.data));
    s.waiters.drain_into(wakers);
}

/// A datagram routed by `r` found no socket: its destination host
/// answers with an ICMP port unreachable, which travels back to the
/// sender's node through the fabric like any datagram (the return link's
/// latency, loss, partitions and clogs; never retransmitted). No host
/// answers a broadcast or multicast datagram with an ICMP error (RFC 1122,
/// 3.2.2). Linux's rate limit on ICMP errors (a burst of 50, then 1,000
/// a second) is not simulated.
fn answer_unreachable(inner: &mut Inner, r: Route, wakers: &mut Vec<Waker>) {
    let to_many = match r.dst.get().ip() {
        std::net::IpAddr::V4(ip) => ip.is_broadcast() || ip.is_multicast(),
        std::net::IpAddr::V6(ip) => ip.is_multicast(),
    };
    if to_many {
        return;
    }
    transmit_to(
        inner,
        r.to,
        Some(r.from),
        r.dst,
        r.src,
        Payload::Unreachable,
        wakers,
    );
}

/// An ICMP port unreachable routed by `icmp` (from the refused address
/// back to the datagram's sender) arrived: a sending socket connected to
/// the refused address keeps it as its pending error (see
/// `Socket::refused`), waking its receivers. An unconnected sender, or
/// one connected elsewhere by now, ignores it, as on Linux.
fn port_unreachable(inner: &mut Inner, icmp: Route, wakers: &mut Vec<Waker>) {
    let (sender, refused) = (icmp.dst.get(), icmp.src.get());
    let Some(index) = inner.receiver(icmp.to, sender) else {
        return;
    };
    let s = inner.socket_at_mut(index);
    if s.closed || s.peer != Some(refused) {
        return;
    }
    s.refused = Some(refused);
    s.waiters.drain_into(wakers);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tcp::{Key, Kind};

    /// The shape's second word goes above the address: past 65,536
    /// segments on a connection (or datagrams in a run) the number wraps,
    /// and the destination address in the same word stays intact.
    #[test]
    fn shapes_never_touch_the_address_bits() {
        let dst = WireAddr::new("10.0.0.2:80".parse().unwrap());
        let segment = Segment {
            conn: Key {
                index: 0,
                generation: 0,
            },
            to: 1,
            seq: 70_000,
            kind: Kind::Data(vec![1, 2, 3]),
            first_sent: 0,
            attempt: 0,
        };
        let datagram = Datagram {
            data: vec![7; 5],
            number: 65_536 + 9,
        };
        let low = (1u64 << 48) - 1;
        for (number, expect) in [
            (segment_shape(&segment).1, 70_000 % 65_536),
            (datagram_shape(&datagram).1, 9),
        ] {
            assert_eq!((dst.word() ^ number) & low, dst.word() & low);
            assert_eq!(number >> 48, expect);
        }
        assert_eq!(segment_shape(&segment).0 >> 48, 3);
        assert_eq!(datagram_shape(&datagram).0 >> 48, 5);
    }
}
