//! Retransmission: when a lost segment is sent again, and when its
//! connection gives up (the retry limits, the stall timeout).

use std::io;
use std::task::Waker;

use super::conn::Phase;
use super::state::{TcpState, nanos};
use super::{Kind, RETRANSMIT, RTO_MAX, RTO_MIN, Segment};

impl TcpState {
    /// The stall deadline of a segment, if a timeout is set.
    fn deadline(&self, seg: &Segment) -> Option<u64> {
        self.timeout.map(|t| seg.first_sent.saturating_add(t))
    }

    /// Whether a lost segment is still worth sending: its connection
    /// exists, its sender has not failed (nor was killed) and its host
    /// has not forgotten the connection, and it is not the SYN of a
    /// connect that was abandoned. An unsolicited RST never is (see
    /// [`Kind::Rst`]).
    fn live(&self, seg: &Segment) -> bool {
        let now = self.now;
        self.conns.get(seg.conn).is_some_and(|c| {
            let sender = 1 - seg.to;
            let from = &c.ends[sender];
            let abandoned = from.closed && from.phase == Phase::Connecting;
            match seg.kind {
                Kind::Rst { answer } => answer,
                // A window update matters while both ends stand: sent
                // again, it stands for the answers the writer's
                // zero-window probes would draw. One to a failed writer
                // (see `Conn::window_update`) is not: Linux never
                // retransmits a pure ACK, and nothing probes for it.
                Kind::Ack => {
                    !from.killed && !c.ends.iter().any(|e| matches!(e.phase, Phase::Failed(_)))
                }
                // As Linux's keepalive probes and their answers: a lost one
                // is not sent again (the keepalive timer sends the next).
                Kind::Probe | Kind::ProbeAck => false,
                // A FIN whose ACK is back (one sent again got through)
                // needs no more sending.
                Kind::Fin if c.ends[seg.to].eof && from.fin_acked_at != u64::MAX => false,
                // A failed end (timed out, reset, killed) or one its host
                // forgot (an abort) sends nothing more: as Linux's
                // `tcp_done` and `tcp_reset` purge the write queue
                // (`tcp_write_queue_purge`), nothing of it is sent again.
                _ => {
                    !(abandoned
                        || matches!(from.phase, Phase::Failed(_))
                        || from.killed
                        || c.forgotten(sender, now))
                }
            }
        })
    }

    /// When to send a lost segment again (`None`: not at all, or its
    /// connection timed out now).
    pub(crate) fn retry_at(
        &mut self,
        seg: &Segment,
        now: u64,
        wakers: &mut Vec<Waker>,
    ) -> Option<u64> {
        if !self.live(seg) {
            return None;
        }
        let rto = nanos(RTO_MIN)
            .saturating_mul(1 << seg.attempt.min(16))
            .min(nanos(RTO_MAX));
        let at = now.saturating_add(rto);
        match self.deadline(seg) {
            Some(d) if d <= now => {
                self.time_out(seg, wakers);
                None
            }
            Some(d) => Some(at.min(d)),
            None => Some(at),
        }
    }

    /// A lost segment's retransmission timer fired: the segment to send
    /// again, or `None` (gone, or its connection timed out).
    pub(crate) fn retransmit(
        &mut self,
        mut seg: Segment,
        now: u64,
        wakers: &mut Vec<Waker>,
    ) -> Option<Segment> {
        if !self.live(&seg) {
            return None;
        }
        if self.deadline(&seg).is_some_and(|d| d <= now) {
            self.time_out(&seg, wakers);
            return None;
        }
        let limit = match seg.kind {
            Kind::Syn => self.syn_retries,
            _ => self.retries,
        };
        if limit.is_some_and(|l| seg.attempt >= l) {
            // One RTO after the last retransmission, the sender gives up
            // (as Linux does). An RST is only dropped: nobody waits for it.
            if !matches!(seg.kind, Kind::Rst { .. }) {
                self.time_out(&seg, wakers);
            }
            return None;
        }
        seg.attempt += 1;
        self.counts.retransmits += 1;
        let c = self.conns.get(seg.conn).expect("live");
        let from = &c.ends[1 - seg.to];
        RETRANSMIT.emit(from.local, from.peer, 0, 0);
        Some(seg)
    }

    /// `seg` outlasted the retransmission limit or the stall timeout: its
    /// sender fails with `TimedOut`, alone, and its host forgets the
    /// connection ([`Conn::forget`](super::conn::Conn::forget)), as
    /// Linux's `tcp_write_timeout` → `tcp_write_err` → `tcp_done` does
    /// (no RST is sent). The peer is told nothing: it stays open until
    /// its next segment (data, a FIN, a keepalive or zero-window probe,
    /// or one lost in a partition and sent again after the heal) reaches
    /// the forgotten end and draws an RST (see
    /// [`Conn::arrive`](super::conn::Conn::arrive)), and waits forever if
    /// it sends nothing, as on Linux. The sender's other segments waiting
    /// to be sent again go with it (see [`live`](Self::live)). That holds
    /// for an orphan (an end its application closed, see
    /// `fin_timeout.rs`) as for an end still held.
    ///
    /// During the handshake (the peer has not opened: the SYN, or the
    /// SYN-ACK and what the server sent behind it, never got through),
    /// both ends fail: a client whose SYN-ACK is lost waits for nothing
    /// else. A server end the SYN never reached does not exist on its
    /// host: it closes uncounted, so a connect that times out counts one
    /// timeout.
    fn time_out(&mut self, seg: &Segment, wakers: &mut Vec<Waker>) {
        let from = 1 - seg.to;
        self.with_conn(seg.conn, wakers, |conn, fx| {
            let handshake = conn.ends[seg.to].phase == Phase::Connecting;
            for end in 0..2 {
                let e = &conn.ends[end];
                let fails = if end == from {
                    let abandoned = e.closed && e.phase == Phase::Connecting;
                    !(e.killed || abandoned || matches!(e.phase, Phase::Failed(_)))
                } else {
                    handshake && !e.closed
                };
                if !fails {
                    continue;
                }
                if end == 1 && e.phase == Phase::Connecting {
                    conn.fail_uncounted(end, io::ErrorKind::TimedOut, fx);
                } else {
                    conn.fail(end, io::ErrorKind::TimedOut, fx);
                }
                // Out of its host's tables (`tcp_done`): what reaches it
                // later draws an RST (see `Conn::arrive`).
                conn.forget(end, fx.now);
            }
        });
    }

    /// A segment went to an address no node has: its sender fails with
    /// `HostUnreachable`.
    pub(crate) fn unroutable(&mut self, seg: &Segment, wakers: &mut Vec<Waker>) {
        self.with_conn(seg.conn, wakers, |conn, fx| {
            conn.fail(1 - seg.to, io::ErrorKind::HostUnreachable, fx);
        });
    }
}
