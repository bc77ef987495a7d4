//! How a connection ends: the close of an end's last handle (a FIN, or
//! an abortive RST), its node's kill, and the netstat-like name of where
//! an end is on the way.

use std::io;
use std::time::Duration;

use super::Kind;
use super::conn::{Conn, Effects, Phase};

impl Conn {
    /// The last handle of `end` is gone: FIN after the buffered bytes; or
    /// an abort, as Linux's `tcp_close` does it, if input arrived that
    /// nobody read or the linger time is zero (`set_zero_linger`): an RST,
    /// and what was still waiting to be sent is discarded.
    ///
    /// The RST goes out only while the connection is still open for the
    /// peer: not once both FINs went through (Linux's socket is closed
    /// then), and, for a zero linger time, not after this end's FIN was
    /// sent while the peer's FIN already arrived (`LAST_ACK`/`CLOSING`:
    /// nothing is left unsent, and Linux's `tcp_disconnect` sends no RST
    /// there).
    pub(crate) fn close(&mut self, end: usize, fx: &mut Effects<'_>) {
        let e = &mut self.ends[end];
        if e.closed {
            return;
        }
        e.closed = true;
        e.write_shutdown = true;
        // A closed end probes nothing (see `keepalive.rs`): its alarm
        // goes now, not at its next check, which could keep a run whose
        // tasks all wait busy until then.
        e.keepalive = None;
        if e.phase == Phase::Connecting {
            // An abandoned connect (the connect future was dropped): the
            // SYN is not retransmitted any more, and a server end its SYN
            // never reached is closed too, so the listener never accepts
            // a ghost of it and the connection is collected.
            let server = &mut self.ends[1];
            if end == 0 && server.phase == Phase::Connecting {
                server.closed = true;
            }
            return;
        }
        let e = &mut self.ends[end];
        if matches!(e.phase, Phase::Failed(_)) {
            // Linux's failed socket is in `TCP_CLOSE`, out of the lookup
            // tables (`tcp_done`), and goes with its last handle: what
            // the peer sends later (if this end's RST was lost) draws an
            // RST, as at a forgotten orphan (see `fin_timeout.rs`).
            e.gone_at = fx.now;
        }
        let unread = e.recv_buf.len();
        let zero_linger = e.linger == Some(Duration::ZERO);
        e.recv_buf.clear();
        if unread > 0 {
            self.consumed(end, unread, fx);
        }
        let e = &mut self.ends[end];
        let abort = (unread > 0 || zero_linger) && e.phase == Phase::Open && !e.killed;
        if abort {
            // Linux frees an aborted socket at once (`tcp_disconnect`,
            // then `TCP_CLOSE`): whatever the peer sends later (its FIN,
            // a keepalive probe) meets no socket and draws an RST, as at
            // an orphan past its `tcp_fin_timeout` (see `fin_timeout.rs`)
            // — what tells the peer if this end's own RST was lost.
            e.gone_at = fx.now;
        }
        let e = &self.ends[end];
        if abort && !self.closed(end) {
            // Closing with unread input resets the connection (RFC 2525
            // 2.17, what Linux and the BSDs do), and so does a zero
            // linger time: the peer's next read, after the bytes it
            // already has, or its next write fails with
            // `ConnectionReset`.
            let finished = unread == 0 && e.fin_sent && e.eof;
            let e = &mut self.ends[end];
            e.send_buf.clear();
            e.fin_sent = true;
            if !finished && !matches!(self.ends[1 - end].phase, Phase::Failed(_)) {
                fx.send(self, end, Kind::Rst { answer: false });
            }
            return;
        }
        if abort {
            return;
        }
        self.pump(end, fx);
        // Its FIN may have arrived already (a write shutdown before).
        self.maybe_orphaned(end, fx);
    }

    /// A netstat-like name of `end`'s state: `CLOSED` once the connection
    /// failed or both FINs went through ([`closed`](Self::closed)), as
    /// Linux's socket is then; `CLOSING` while both ends shut down but
    /// `end`'s FIN is still on its way.
    pub(crate) fn state_name(&self, end: usize) -> &'static str {
        let e = &self.ends[end];
        match e.phase {
            Phase::Connecting => "SYN_SENT",
            Phase::Failed(_) => "CLOSED",
            Phase::Open if self.closed(end) => "CLOSED",
            Phase::Open => match (e.write_shutdown, e.eof) {
                (false, false) => "ESTABLISHED",
                (true, false) => "FIN_WAIT",
                (false, true) => "CLOSE_WAIT",
                (true, true) => "CLOSING",
            },
        }
    }

    /// Whether both FINs went through, whichever side sent its own first:
    /// `end`'s FIN arrived at the peer (which acknowledges it, even once
    /// closed) and the peer's FIN arrived at `end`. Linux's socket is then
    /// in `TCP_CLOSE` (the `TIME_WAIT` that may follow lives in a separate
    /// timewait socket), and `getpeername` fails with `ENOTCONN`; while
    /// only one FIN went through (`FIN_WAIT2`, `CLOSE_WAIT`) it still
    /// answers.
    pub(crate) fn closed(&self, end: usize) -> bool {
        self.ends[end].eof && self.ends[1 - end].eof
    }

    /// `end`'s node was killed: it closes at once and, with `resets`,
    /// resets its peer. Without, the peer learns nothing (a machine that
    /// crashed sends nothing): its segments meet a node that is down and
    /// are retransmitted until it gives up, or until the node is back,
    /// which answers them with an RST (see [`arrive`](Self::arrive)).
    /// An orphan its host already forgot (`tcp_fin_timeout`) sends
    /// nothing either: the node has no socket of it left to reset.
    ///
    /// Before the SYN reached the server's node, that host knows nothing
    /// of the connection: its crash sends nothing (the SYN then meets a
    /// node that is down, and is retransmitted like a lost one, so a
    /// server back up with its listener in time still answers), and the
    /// client's crash closes the server end unseen, so the listener never
    /// accepts a ghost of it (as for an abandoned connect, see
    /// [`close`](Self::close)).
    pub(crate) fn kill(&mut self, end: usize, resets: bool, fx: &mut Effects<'_>) {
        if self.ends[end].killed {
            return;
        }
        if self.ends[1].phase == Phase::Connecting {
            if end == 1 {
                return;
            }
            self.ends[1].closed = true;
        }
        let peer_live = {
            let p = &self.ends[1 - end];
            !p.closed && !matches!(p.phase, Phase::Failed(_))
        };
        // An orphan its host forgot (see `fin_timeout.rs`) is no socket
        // of the node any more: its kill has nothing to reset.
        let forgotten = self.forgotten(end, fx.now);
        if resets && peer_live && !forgotten && self.ends[1 - end].node != u32::MAX {
            fx.send(self, end, Kind::Rst { answer: false });
        }
        self.fail(end, io::ErrorKind::ConnectionAborted, fx);
        let e = &mut self.ends[end];
        e.killed = true;
        e.closed = true;
        e.recv_buf.clear();
    }
}
