//! What a segment arriving at a connection end does: the in-order
//! bookkeeping of numbered segments, and the answers of an end that is
//! closed, failed or forgotten.

use std::io;

use super::Kind;
use super::conn::{Conn, Effects, Phase};

impl Conn {
    /// A numbered segment or an RST arrived at `end` (not the SYN, which
    /// the listener side handles).
    #[inline]
    pub(crate) fn arrive(&mut self, end: usize, seq: u64, kind: Kind, fx: &mut Effects<'_>) {
        // For the keepalive timers (see `keepalive.rs`): a segment from
        // the peer, but a probe, which only its answer acknowledges; a
        // pure ACK is heard here, but not acknowledged to the peer.
        if matches!(kind, Kind::ProbeAck | Kind::Ack) {
            self.ends[end].last_pure_ack = fx.now;
        } else if !matches!(kind, Kind::Probe) {
            self.ends[end].last_heard = fx.now;
        }
        if let Kind::Probe | Kind::ProbeAck = kind {
            self.probed(end, kind, fx);
            return;
        }
        if let Kind::Rst { answer } = kind {
            let e = &mut self.ends[end];
            if !e.closed && !answer && end == 0 && e.phase == Phase::Connecting {
                // An RST the accepted end sent of itself (an abortive
                // close, its node's kill, its listener dropped) overtook
                // the SYN-ACK sent before it. On Linux `accept` returns a
                // connection only once the handshake is complete, so the
                // client saw the SYN-ACK first: it opens (its `connect`
                // succeeds), then the RST resets it. The late SYN-ACK
                // then finds a failed end and is dropped.
                e.phase = Phase::Open;
                e.recv_seq = 1;
                fx.counts.established += 1;
                self.fail(end, io::ErrorKind::ConnectionReset, fx);
                return;
            }
            let e = &self.ends[end];
            // Both FINs went through: Linux's socket is in `TCP_CLOSE`,
            // out of the lookup tables, so an RST (a forgotten orphan's
            // answer to a late duplicate of this end's FIN, a restarted
            // node's) finds nothing to reset.
            if !e.closed && !self.closed(end) {
                // As Linux's `tcp_reset`: refused in SYN_SENT; in
                // CLOSE_WAIT (the peer's FIN came, this end still
                // writes) a broken pipe; else reset.
                let why = if e.phase == Phase::Connecting && end == 0 {
                    io::ErrorKind::ConnectionRefused
                } else if e.eof && !e.write_shutdown {
                    io::ErrorKind::BrokenPipe
                } else {
                    io::ErrorKind::ConnectionReset
                };
                self.fail(end, why, fx);
            }
            return;
        }
        if let Kind::Ack = kind {
            self.ends[1 - end].ack_in_flight = false;
            if self.ends[end].killed || self.forgotten(end, fx.now) {
                // Its node is up again (a segment for a node that is down
                // never gets here), and its new incarnation has no such
                // socket; or its host forgot the connection (see
                // `fin_timeout.rs`): Linux answers any segment but an RST
                // with one.
                if !matches!(self.ends[1 - end].phase, Phase::Failed(_)) {
                    fx.send(self, end, Kind::Rst { answer: true });
                }
                return;
            }
            if !matches!(self.ends[end].phase, Phase::Failed(_)) {
                self.learn_ack(end, fx);
            }
            return;
        }
        if self.ends[end].closed {
            let forgotten = self.forgotten(end, fx.now);
            let e = &self.ends[end];
            let duplicate = seq < e.recv_seq || e.early.contains_key(&seq);
            if duplicate && !forgotten {
                // A late duplicate of a segment that arrived before the
                // close: nothing new, so nothing to answer (a real closed
                // socket only acknowledges it). An RST here would reset a
                // connection that closed cleanly. The peer's FIN sent
                // again, its ACK lost to a cut return path, is
                // acknowledged again (see `fin_timeout.rs`).
                if matches!(kind, Kind::Fin) && e.eof {
                    self.fin_acked(1 - end, fx);
                    self.maybe_orphaned(1 - end, fx);
                }
                return;
            }
            // Nobody will read it: the sender learns with an RST. (A
            // duplicate reaches here only once the host forgot the
            // connection: its bytes were counted the first time.)
            if let (Kind::Data(d), false) = (&kind, duplicate) {
                let n = d.len();
                self.consumed(end, n, fx);
            }
            let peer_failed = matches!(self.ends[1 - end].phase, Phase::Failed(_));
            if matches!(kind, Kind::Fin) && !self.ends[end].killed && !forgotten {
                // A closed socket still acknowledges the peer's FIN: the
                // peer's side of the close completes (see `Conn::closed`).
                // (So does a FIN sent again, its ACK lost to a cut
                // return path, if the first came after the close.)
                // A killed one is gone, and so is an orphan past its
                // `tcp_fin_timeout` (see `fin_timeout.rs`): its node
                // answers with an RST.
                self.ends[end].eof = true;
                self.fin_acked(1 - end, fx);
                if self.closed(end) {
                    self.stop_keepalives();
                }
            } else if !peer_failed {
                // Also at an end its node's kill closed: the node is up
                // again (a segment for a node that is down never gets
                // here), and its new incarnation has no such socket.
                fx.send(self, end, Kind::Rst { answer: true });
            }
            return;
        }
        if matches!(self.ends[end].phase, Phase::Failed(_)) {
            // The RST is unnumbered and may overtake data: once an end has
            // failed, later data is dropped, so a read never returns data
            // after an error.
            //
            // An end that failed of its own doing (it timed out, or reset
            // the connection itself: see `Conn::forget`) is out of its
            // host's tables, as Linux's `tcp_done` leaves it, even while
            // its application holds it: the segment meets no socket and
            // draws an RST, which fails the peer (its own RST may have
            // been lost, or it sent none). An end reset by its peer
            // answers nothing: the peer that reset it has no socket left
            // for an RST to reach, and a late segment of its (one the RST
            // overtook) must not draw one.
            let peer_failed = matches!(self.ends[1 - end].phase, Phase::Failed(_));
            if self.forgotten(end, fx.now) && !peer_failed {
                fx.send(self, end, Kind::Rst { answer: true });
            }
            return;
        }
        let e = &mut self.ends[end];
        if seq < e.recv_seq || e.early.contains_key(&seq) {
            // A duplicate. Of the FIN that came: the peer sent it again,
            // its ACK lost to a cut return path (see `fin_timeout.rs`);
            // this end acknowledges it again.
            if matches!(kind, Kind::Fin) && e.eof {
                self.fin_acked(1 - end, fx);
                self.maybe_orphaned(1 - end, fx);
            }
            return;
        }
        if e.read_shutdown && e.write_shutdown && matches!(kind, Kind::Data(_)) {
            // New data after both directions were shut (Linux's FIN_WAIT1
            // or FIN_WAIT2 with RCV_SHUTDOWN): not queued, as after a read
            // shutdown alone, but a reset ("RFC 1122 says we MUST send a
            // reset", `tcp_rcv_state_process`): this end fails, and the
            // peer gets an RST.
            if let Kind::Data(d) = kind {
                fx.pool.put(d);
            }
            fx.send(self, end, Kind::Rst { answer: false });
            self.fail(end, io::ErrorKind::ConnectionReset, fx);
            // Linux's socket is done (`tcp_done`): if the RST is lost,
            // the peer's next segment draws another.
            self.forget(end, fx.now);
            return;
        }
        let mut opened = false;
        let mut fin = false;
        // The segment expected next is taken at once; an early one waits
        // in `early` until the gap before it is filled.
        let mut next = if seq == e.recv_seq {
            Some(kind)
        } else {
            e.early.insert(seq, kind);
            None
        };
        while let Some(kind) = next.take().or_else(|| e.early.remove(&e.recv_seq)) {
            e.recv_seq += 1;
            match kind {
                Kind::SynAck => {
                    if e.phase == Phase::Connecting {
                        e.phase = Phase::Open;
                        opened = true;
                    }
                }
                // After a read shutdown too: Linux queues what arrives,
                // and reads return it before `Ok(0)`.
                Kind::Data(d) => e.recv_buf.append(d, fx.pool),
                Kind::Fin => {
                    e.eof = true;
                    fin = true;
                }
                Kind::Syn | Kind::Rst { .. } | Kind::Ack | Kind::Probe | Kind::ProbeAck => {}
            }
            if e.early.is_empty() {
                break;
            }
        }
        e.wake_all(fx.wakers);
        if fin {
            if self.closed(end) {
                self.stop_keepalives();
            }
            // The peer's FIN arrived: a peer closed already is now an
            // orphan (see `fin_timeout.rs`), from when this end's ACK of
            // the FIN is back.
            self.fin_acked(1 - end, fx);
            self.maybe_orphaned(1 - end, fx);
        }
        if opened {
            fx.counts.established += 1;
            self.pump(end, fx);
        }
    }
}
