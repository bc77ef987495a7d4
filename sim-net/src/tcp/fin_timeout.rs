//! The end of an orphaned connection: Linux's `tcp_fin_timeout`.
//!
//! An end whose handles are all gone ([closed](Conn::close)) and whose FIN
//! has reached the peer, while the peer's FIN has not come (`FIN_WAIT2`:
//! the peer is in `CLOSE_WAIT` and may never close), is an *orphan*: no
//! application will read from it again. Linux keeps such a socket for
//! `tcp_fin_timeout` (60 s by default; at least 3.5 retransmission
//! timeouts, as `tcp_fin_time` rounds it up), then destroys it. From then
//! on, the host has no socket for the connection, so whatever the peer
//! sends it (a keepalive probe, its FIN once it closes, a retransmission)
//! is answered with an RST, and the peer's connection fails.
//!
//! An end records when that happens ([`End::gone_at`], set when the
//! orphan's FIN arrives at the peer, or at the close when it had arrived
//! already), and the arrival paths read it lazily: no timer is armed and
//! the run's events are the same until the peer sends something.
//!
//! As on Linux, the countdown starts when the ACK of the orphan's FIN is
//! back (`tcp_rcv_state_process`, `FIN_WAIT1` to `FIN_WAIT2`; or at
//! `tcp_close` if it came back already). ACKs are not packets here: the
//! FIN's arrival at the peer stands for its ACK's departure, and the ACK
//! is back one return trip later ([`End::fin_acked_at`]), the latency
//! the link from the peer's node to the orphan's gives with no draw from
//! the choice source (so the countdown adds no draw and changes no
//! run's schedule). With a constant latency that is exact. With a
//! random one (uniform, long-tailed) it is the distribution's minimum,
//! the latency a draw of 0 gives: the real ACK would have taken a
//! latency of its own, so the orphan may be forgotten up to the spread
//! of the distribution (its `max - min`) early. A clog of the return
//! link holds the ACK until it ends, as it would hold a packet.
//!
//! A cut of the return link (a partition, one-way or not, in place when
//! the FIN arrives) loses the ACK: the peer has the FIN (its reads return
//! `Ok(0)`), but the end does not know, and, as on Linux (`FIN_WAIT1`),
//! sends its FIN again after the retransmission timeout, like a lost
//! segment (a fresh verdict each time, the same backoff and limits), and
//! no countdown starts. Each FIN that arrives is acknowledged again (the
//! peer's duplicate ACK): the first whose ACK can travel back starts the
//! countdown, from when that ACK is back. If none can before the
//! retransmission limit (or the stall timeout), the end gives up alone,
//! as below. This only happens with a partition, so a run without one
//! makes no more draws than before. (On Linux any segment from the peer
//! acknowledges the FIN too; here only the FIN's own retransmission
//! does, at most one backoff later.)
//!
//! Data sent to the orphan before that resets the peer too, as on Linux
//! (`tcp_rcv_state_process`: new data after the receive side was shut
//! down), whatever the timeout: see [`Conn::arrive`].
//!
//! An end closed abortively (a zero linger time, unread input), or closed
//! after it failed, is forgotten at its close: Linux frees such a socket
//! at once, so if its own RST was lost, the peer's next segment draws one.
//!
//! An orphan whose own segments go unacknowledged (its FIN lost to a
//! partition: `FIN_WAIT1`) is not waiting for the peer but retransmitting:
//! at the retransmission limit (or the stall timeout) it fails alone and
//! is forgotten at once, as any end whose segments time out does (see
//! `retransmit.rs`), as Linux's `tcp_write_timeout` gives up on a dead
//! socket (`tcp_write_err`, no RST). The peer is told nothing: it
//! stays open until what it sends next draws an RST. (Linux bounds an
//! orphan's retransmissions by `tcp_orphan_retries`, 8 by default, rather
//! than `tcp_retries2`; here the one limit of
//! [`Network::set_tcp_retries`] applies to both.)
//!
//! [`End::gone_at`]: super::conn::End::gone_at
//! [`End::fin_acked_at`]: super::conn::End::fin_acked_at

use std::time::Duration;

use super::conn::{Conn, Effects};
use super::state::nanos;
use crate::network::Network;

/// Linux's `tcp_fin_timeout`: how long an orphaned connection end
/// (closed by its application, its FIN acknowledged, the peer's FIN not
/// come) stays before its host forgets it. See
/// [`Network::set_tcp_fin_timeout`].
pub const DEFAULT_TCP_FIN_TIMEOUT: Duration = Duration::from_secs(60);

/// The shortest time an orphan stays, whatever the setting: Linux's
/// `tcp_fin_time` rounds a shorter timeout up to 3.5 retransmission
/// timeouts (here [`RTO_MIN`](super::RTO_MIN)).
pub(crate) fn fin_time(timeout: u64) -> u64 {
    let floor = nanos(super::RTO_MIN) / 2 * 7;
    timeout.max(floor)
}

impl Effects<'_> {
    /// When an ACK that node `from` sends now would reach node `to`,
    /// without a draw from the choice source: after the link's latency
    /// as a draw of 0 gives it (the constant, for a constant latency; the
    /// minimum of a random one), and not before a clog of the link ends;
    /// `None` if the link is cut now (a partition): the ACK is lost.
    /// Within a node, now. Without the fault rules (an arrival always has
    /// them), now.
    pub(crate) fn ack_back(&self, from: u32, to: u32) -> Option<u64> {
        let Some(rules) = self.rules.filter(|_| from != to) else {
            return Some(self.now);
        };
        if rules.is_cut(from, to) {
            return None;
        }
        let latency = nanos(rules.link(from, to).latency_dist().min());
        let at = self.now.saturating_add(latency);
        Some(match rules.clogged_until(from, to, self.now) {
            Some(until) => at.max(until),
            None => at,
        })
    }
}

impl Conn {
    /// `end`'s FIN (or a retransmission of it) arrived at the peer now:
    /// records when its ACK is back at `end` (see the module docs), or,
    /// the return path cut, that the ACK is lost and the FIN is to be
    /// sent again ([`End::fin_ack_lost`](super::conn::End::fin_ack_lost)).
    pub(crate) fn fin_acked(&mut self, end: usize, fx: &Effects<'_>) {
        if self.ends[end].fin_acked_at == u64::MAX {
            match fx.ack_back(self.ends[1 - end].node, self.ends[end].node) {
                Some(at) => self.ends[end].fin_acked_at = at,
                None => self.ends[end].fin_ack_lost = true,
            }
        }
    }

    /// The number of `end`'s FIN if its ACK was just lost (see
    /// [`fin_acked`](Self::fin_acked)), for the caller to send it again;
    /// clears the mark.
    #[inline]
    pub(crate) fn take_lost_fin_ack(&mut self, end: usize) -> Option<u64> {
        let e = &mut self.ends[end];
        if !e.fin_ack_lost {
            return None;
        }
        e.fin_ack_lost = false;
        // The FIN is the last numbered segment an end sends.
        Some(e.send_seq - 1)
    }

    /// `end` may just have become an orphan (see the module docs): closed,
    /// its FIN at the peer and acknowledged, the peer's FIN not here.
    /// Starts its countdown if so (once): from when the ACK of its FIN is
    /// back, or from now if it was back already. Not while that ACK is
    /// lost (the return path was cut when the FIN arrived): the end is
    /// still retransmitting its FIN (Linux's `FIN_WAIT1`).
    pub(crate) fn maybe_orphaned(&mut self, end: usize, fx: &Effects<'_>) {
        let peer_has_fin = self.ends[1 - end].eof;
        let e = &mut self.ends[end];
        if e.closed
            && !e.killed
            && !e.eof
            && peer_has_fin
            && e.gone_at == u64::MAX
            && e.fin_acked_at != u64::MAX
        {
            let start = e.fin_acked_at.max(fx.now);
            e.gone_at = start.saturating_add(fin_time(fx.fin_timeout));
        }
    }

    /// `end`'s host forgets the connection at `now`, if it had not
    /// planned to earlier: from then on, what the peer sends it draws an
    /// RST (see [`Conn::arrive`]).
    #[inline]
    pub(crate) fn forget(&mut self, end: usize, now: u64) {
        let e = &mut self.ends[end];
        e.gone_at = e.gone_at.min(now);
    }

    /// Whether `end`'s host has forgotten the connection at `now`: an
    /// orphan past its timeout (see the module docs), or an end that died
    /// (see [`forget`](Self::forget)).
    #[inline]
    pub(crate) fn forgotten(&self, end: usize, now: u64) -> bool {
        self.ends[end].gone_at <= now
    }
}

impl Network {
    /// Sets `tcp_fin_timeout`: how long a connection end stays once its
    /// application closed it and its FIN went through (from when the
    /// FIN's ACK is back: one return trip after the arrival of the FIN,
    /// or of its first retransmission that arrives with the return path
    /// open, see the `tcp` module docs), while the peer has not closed (Linux's
    /// `FIN_WAIT2` orphan). After it, the end's host
    /// answers anything the peer sends with an RST: a peer that still
    /// holds its side (in `CLOSE_WAIT`) fails at its next keepalive probe
    /// (`BrokenPipe`), and its write shutdown is answered with an RST
    /// (`ConnectionReset`, from `take_error`); what it writes draws an RST
    /// whatever the timeout, as an orphan reads nothing. Linux's default
    /// is 60 s ([`DEFAULT_TCP_FIN_TIMEOUT`]); as Linux does, a timeout
    /// shorter than 3.5 retransmission timeouts (700 ms) counts as
    /// 700 ms. Applies to ends that become orphans from then on.
    ///
    /// ```
    /// use std::time::Duration;
    /// use detsim::net::{Network, TcpListener, TcpStream};
    /// use futures::io::{AsyncReadExt, AsyncWriteExt};
    ///
    /// let mut sim = detsim::Sim::builder().build();
    /// sim.run(async {
    ///     let net = Network::current();
    ///     net.set_tcp_fin_timeout(Duration::from_secs(5));
    ///     net.set_tcp_keepalive(Duration::from_secs(10), Duration::from_secs(1), 3)
    ///         .unwrap();
    ///     let listener = TcpListener::bind("127.0.0.1:80").await.unwrap();
    ///     let client = TcpStream::connect("127.0.0.1:80").await.unwrap();
    ///     let (mut server, _) = listener.accept().await.unwrap();
    ///     server.set_keepalive(true).unwrap();
    ///     drop(client); // its FIN arrives; the server never closes
    ///     assert_eq!(server.read(&mut [0u8; 8]).await.unwrap(), 0);
    ///     // 10 s later the server's keepalive probe meets a host that
    ///     // forgot the connection 5 s after the FIN: an RST.
    ///     detsim::time::sleep(Duration::from_secs(11)).await;
    ///     let err = server.write_all(b"late").await.unwrap_err();
    ///     assert_eq!(err.kind(), std::io::ErrorKind::BrokenPipe);
    /// })
    /// .unwrap();
    /// ```
    pub fn set_tcp_fin_timeout(&self, timeout: Duration) {
        let net = self.net("detsim::net::Network::set_tcp_fin_timeout");
        net.inner.borrow_mut().tcp.fin_timeout = nanos(timeout);
    }

    /// `tcp_fin_timeout` as set (see
    /// [`set_tcp_fin_timeout`](Self::set_tcp_fin_timeout)).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// use detsim::net::{DEFAULT_TCP_FIN_TIMEOUT, Network};
    /// assert_eq!(Network::current().tcp_fin_timeout(), DEFAULT_TCP_FIN_TIMEOUT);
    /// # }).unwrap();
    /// ```
    pub fn tcp_fin_timeout(&self) -> Duration {
        let net = self.net("detsim::net::Network::tcp_fin_timeout");
        let t = net.inner.borrow().tcp.fin_timeout;
        Duration::from_nanos(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_timeout_is_rounded_up_to_three_and_a_half_rtos() {
        assert_eq!(fin_time(0), 700_000_000);
        assert_eq!(fin_time(1), 700_000_000);
        assert_eq!(fin_time(60_000_000_000), 60_000_000_000);
    }
}
