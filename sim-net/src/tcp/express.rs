//! The express write: the usual write of a request/response stream, put
//! on the wire without the general machinery.
//!
//! A write normally goes through [`Net::act`](crate::state::Net::act):
//! the connection queues segments in an outbox, the fabric asks the fault
//! rules for each one's verdict, queues it, and the act then re-arms the
//! pump and wakes whoever the operation woke. When the network is quiet
//! and every link has the same constant latency (no partition, clog,
//! loss, duplication or per-link rule: the verdict is "deliver after the
//! latency" and draws nothing), and the write fits in one segment that the
//! window lets through at once, all of that comes down to: copy the bytes
//! into a segment, count and trace its send, queue it at `now + latency`,
//! re-arm the pump. [`Net::express_write`] does exactly that, and
//! declines (changing nothing) whenever any of those conditions does not
//! hold, for the general path to do the write.
//!
//! It changes nothing observable: the same segment with the same number,
//! the same event in the trace and the fingerprint, the same counters, the
//! same in-flight key, and no draw from the choice source, as the general
//! path would produce (`tests/net_express.rs` runs workloads both ways and
//! compares their fingerprints).

use std::cell::Cell;
use std::task::Waker;

use super::conn::{BufPool, Conn, Phase};
use super::slab::Slab;
use super::{Key, Kind, MSS, Segment, TcpState, side};
use crate::fabric;
use crate::state::Net;

impl Net {
    /// Writes `buf` from end `end` of connection `conn` on the express
    /// path (see the module documentation): `true` when all of `buf` was
    /// sent, `false` (nothing changed) when the general path must do it.
    #[inline]
    pub(crate) fn express_write(&self, conn: Key, end: usize, buf: &[u8]) -> bool {
        if buf.is_empty() || buf.len() > MSS {
            return false;
        }
        let Ok(mut guard) = self.inner.try_borrow_mut() else {
            return false;
        };
        let inner = &mut *guard;
        // A zero latency delivers at once, which only the general path
        // does.
        let Some(latency) = inner.rules.express_latency() else {
            return false;
        };
        let tcp = &mut inner.tcp;
        // Window updates to decide, or wakers to drop (a write from a
        // waker, while the operation that woke it has not dropped its
        // trash yet): the general path's act does both, at its end.
        if !tcp.acks.is_empty() || !tcp.trash.is_empty() {
            return false;
        }
        let Some(c) = tcp.conns.get_mut(conn) else {
            return false;
        };
        let end = side(end);
        let to = c.ends[1 - end].node;
        let e = &mut c.ends[end];
        if e.phase != Phase::Open
            || e.killed
            || e.write_shutdown
            || e.writer.is_some()
            || !e.send_buf.is_empty()
            || e.node == to
            || e.window.saturating_sub(e.unread) < buf.len()
        {
            return false;
        }
        // Virtual time does not move during the write.
        let now = self.now();
        let mut data = tcp.pool.take();
        data.extend_from_slice(buf);
        e.unread += buf.len();
        let seg = Segment {
            conn,
            to: 1 - end,
            seq: e.send_seq,
            kind: Kind::Data(data),
            first_sent: now,
            attempt: 0,
        };
        e.send_seq += 1;
        let (from, (src, dst)) = (e.node, e.wire);
        if e.link == u32::MAX {
            e.link = inner.links.link(from, to);
        }
        let link = e.link;
        let at = now.saturating_add(latency);
        let next = fabric::send_express(inner, (from, to, link), (src, dst), seg, at);
        drop(guard);
        self.rearm(next, now);
        true
    }
}

impl TcpState {
    /// The connection of `seg` if `seg` is data it takes in the usual
    /// way: the next segment expected at an open end that still reads,
    /// with nothing put aside, on a connection neither end of which
    /// closed. Arriving, it then only joins the receive buffer and wakes
    /// the end's waiters ([`arrive_express`](Self::arrive_express)), as
    /// [`Conn::arrive`](super::conn::Conn::arrive) would do with it.
    /// Takes the connection table alone, so the caller can go on to use
    /// the rest of the state (one lookup for the check and the arrival).
    #[inline(always)]
    pub(crate) fn takes_express<'a>(
        conns: &'a mut Slab<Conn>,
        seg: &Segment,
    ) -> Option<&'a mut Conn> {
        let Kind::Data(_) = seg.kind else {
            return None;
        };
        let c = conns.get_mut(seg.conn)?;
        let to = side(seg.to);
        let (e, sender) = (&c.ends[to], &c.ends[1 - to]);
        // A closed end anywhere leaves clean-up to the general path.
        let takes = e.phase == Phase::Open
            && !e.closed
            && !sender.closed
            && !e.read_shutdown
            && seg.seq == e.recv_seq
            && e.early.is_empty();
        takes.then_some(c)
    }

    /// Delivers `data`, the payload of a segment to end `to` of `c`,
    /// which [`takes_express`](Self::takes_express) gave; `now` is the
    /// act's virtual time, `pool` the payload pool, `spare` the buffer
    /// `wakers` takes if it has none (see [`End::wake_all_now`]).
    ///
    /// [`End::wake_all_now`]: super::conn::End::wake_all_now
    #[inline(always)]
    pub(crate) fn arrive_express(
        c: &mut Conn,
        to: usize,
        data: Vec<u8>,
        (now, pool): (u64, &mut BufPool),
        (wakers, spare): (&mut Vec<Waker>, &Cell<Vec<Waker>>),
    ) {
        let e = &mut c.ends[side(to)];
        e.recv_seq += 1;
        e.last_heard = now;
        e.recv_buf.append(data, pool);
        e.wake_all_now(wakers, spare);
    }
}

#[cfg(test)]
mod tests {
    use sim_core::node::Node;

    use super::super::TcpStream;
    use crate::state::Net;
    use crate::{LinkConfig, Network};

    /// Whether a 1-byte write from `s` takes the express path now.
    fn express(s: &TcpStream) -> bool {
        let net = Net::of(s.h.instance, "test");
        net.express_write(s.h.conn, s.h.end, b"x")
    }

    #[test]
    fn only_a_quiet_network_with_one_constant_latency_takes_it() {
        let mut sim = sim_core::Sim::builder().build();
        sim.run(async {
            let (server, l) = super::super::listening_node("server").await;
            let c = TcpStream::connect("server:80").await.unwrap();
            let net = Network::current();
            assert!(express(&c), "a quiet network");
            assert!(!Net::of(c.h.instance, "test").express_write(c.h.conn, c.h.end, &[]));
            let me = Node::current();
            net.partition(&me, &server);
            assert!(!express(&c), "a partition");
            net.heal_all();
            assert!(express(&c));
            net.clog_node(&server, std::time::Duration::from_millis(5));
            assert!(!express(&c), "a clog");
            net.unclog_node(&server);
            net.set_link(&me, &server, net.default_config()).unwrap();
            assert!(!express(&c), "a per-link rule");
            net.reset_link(&me, &server);
            net.set_default(LinkConfig::new().loss(0.1)).unwrap();
            assert!(!express(&c), "loss");
            net.set_default(LinkConfig::new()).unwrap();
            assert!(express(&c));
            c.shutdown(std::net::Shutdown::Write).unwrap();
            assert!(!express(&c), "shut down");
            drop(l);
        })
        .unwrap();
    }
}
