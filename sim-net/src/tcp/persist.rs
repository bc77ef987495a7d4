//! The persist timer (Linux's zero-window probes): a writer whose bytes
//! wait behind a shut window asks its peer, now and then, whether it is
//! still there, and gives up when it goes unanswered.
//!
//! Without it, a writer blocked on a full window whose reader's node lost
//! power ([`Network::set_kill_resets_peers(false)`](crate::Network::set_kill_resets_peers))
//! would wait forever: no segment of its own is in flight to be
//! retransmitted, and a dead reader sends no window update.
//!
//! # The timer (Linux's `tcp_probe_timer`)
//!
//! When an open end has bytes (or its FIN) waiting and the peer's window
//! has no room, it arms an [`Alarm`] one [`RTO_MIN`] later. When that
//! fires with the window still shut and nothing of its own in flight (a
//! segment on its way or waiting to be sent again: then the
//! retransmission timeouts watch the connection, and the timer checks
//! again one [`RTO_MIN`] later): past
//! [`Network::set_tcp_retries`](crate::Network::set_tcp_retries)
//! unanswered probes ([`DEFAULT_TCP_RETRIES`] by default; `None`: no
//! limit), or once nothing arrived from the peer for the stall timeout
//! ([`Network::set_tcp_timeout`](crate::Network::set_tcp_timeout)) with a
//! probe out, the end sends an RST and fails with `TimedOut`; otherwise
//! it sends a probe (the keepalive's: an empty segment the peer's kernel
//! answers, never retransmitted) and arms again after the next backoff
//! (doubling from [`RTO_MIN`] to [`RTO_MAX`]). An answer (anything from
//! the peer) ends a series of unanswered probes; the backoff keeps
//! growing while the window stays shut, as Linux's does. A restarted
//! peer answers with an RST. The timer stops as soon as the window
//! reopens (the alarm is disarmed, so a window that reopens within
//! [`RTO_MIN`] costs no timer event), or the end closes or fails.
//!
//! [`RTO_MIN`]: crate::RTO_MIN
//! [`RTO_MAX`]: crate::RTO_MAX
//! [`DEFAULT_TCP_RETRIES`]: crate::DEFAULT_TCP_RETRIES

use std::io;
use std::rc::Rc;

use sim_clock::{Alarm, Instant, Ring};
use sim_core::ext;

use super::conn::{Conn, Effects, Phase};
use super::state::nanos;
use super::{Key, Kind, RTO_MAX, RTO_MIN, WINDOW_PROBE};
use crate::state::Net;

/// The persist timer of an end whose bytes wait behind a shut window.
pub(crate) struct Persist {
    alarm: Alarm,
    /// Probes sent (the backoff's exponent).
    sent: u32,
    /// Probes sent since the peer was last heard from.
    unanswered: u32,
    /// When the first of those went out.
    series: u64,
}

impl std::fmt::Debug for Persist {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Persist")
            .field("deadline", &self.alarm.deadline())
            .field("sent", &self.sent)
            .field("unanswered", &self.unanswered)
            .finish()
    }
}

/// What the persist alarm of end `end` of connection `conn` does: it
/// looks the network up by the simulation's instance (it fires rarely).
struct PersistRing {
    instance: u64,
    conn: Key,
    end: usize,
}

impl Ring for PersistRing {
    fn ring(&self) {
        let (conn, end) = (self.conn, self.end);
        Net::try_with(self.instance, |net| {
            net.act(|inner, wakers| {
                let limits = (inner.tcp.retries, inner.tcp.timeout);
                inner
                    .tcp
                    .with_conn(conn, wakers, |c, fx| c.persist_due(end, limits, fx));
            });
        });
    }
}

/// The backoff after `sent` probes: [`RTO_MIN`] doubling to [`RTO_MAX`].
fn backoff(sent: u32) -> u64 {
    nanos(RTO_MIN)
        .saturating_mul(1 << sent.min(16))
        .min(nanos(RTO_MAX))
}

impl Conn {
    /// Whether `end`'s bytes (or FIN) wait behind a window with no room.
    fn window_shut(&self, end: usize) -> bool {
        let e = &self.ends[end];
        let waiting = !e.send_buf.is_empty() || (e.write_shutdown && !e.fin_sent);
        waiting && e.unread >= e.window && e.phase == Phase::Open && !e.killed
    }

    /// After `end` sent what it could (`sent`: some bytes went, so the
    /// window had room): arms its persist timer if its bytes now wait
    /// behind a shut window, afresh if the window had room since it was
    /// armed (Linux clears the timer and its backoff when the window
    /// opens); disarms it if the window has room. Kept out of line: the
    /// usual send leaves room.
    #[cold]
    #[inline(never)]
    pub(crate) fn check_persist(&mut self, end: usize, sent: bool, fx: &Effects<'_>) {
        let shut = self.window_shut(end);
        let key = self.key;
        let e = &mut self.ends[end];
        let fresh = fx.now.saturating_add(backoff(0));
        match (&mut e.persist, shut) {
            // The window had room since the timer was armed: it starts
            // over (moved, not made again).
            (Some(p), true) if sent => {
                p.sent = 0;
                p.unanswered = 0;
                p.alarm.arm(Instant::from_nanos(fresh));
                return;
            }
            (Some(_), true) => return,
            _ => {}
        }
        match (shut, e.persist.is_some()) {
            (true, false) => {
                let ring = PersistRing {
                    instance: ext::instance("detsim::net"),
                    conn: key,
                    end,
                };
                let alarm = Alarm::new(Rc::new(ring));
                alarm.arm(Instant::from_nanos(fresh));
                e.persist = Some(Box::new(Persist {
                    alarm,
                    sent: 0,
                    unanswered: 0,
                    series: 0,
                }));
            }
            // The window reopened: dropping the alarm disarms it.
            (false, true) => e.persist = None,
            _ => {}
        }
    }

    /// `end`'s persist alarm fired (see the module docs); `limits` are the
    /// network's retransmission limit and stall timeout.
    fn persist_due(
        &mut self,
        end: usize,
        (retries, timeout): (Option<u32>, Option<u64>),
        fx: &mut Effects<'_>,
    ) {
        if !self.window_shut(end) {
            self.ends[end].persist = None;
            return;
        }
        let now = fx.now;
        if self.ends[1 - end].recv_seq < self.ends[end].send_seq {
            // A segment of its own is still on its way (or waits to be
            // sent again): the retransmission timeouts watch the
            // connection (Linux probes only with nothing in flight).
            // Check again one timeout later.
            if let Some(p) = self.ends[end].persist.as_mut() {
                p.alarm
                    .arm(Instant::from_nanos(now.saturating_add(backoff(0))));
            }
            return;
        }
        // Anything from the peer answers: a numbered segment, or a pure
        // ACK such as a probe's answer (Linux's `tcp_ack` clears
        // `icsk_probes_out` at every ACK), so a live reader that keeps its
        // window shut is probed for good, never timed out.
        let heard = {
            let e = &self.ends[end];
            e.last_heard.max(e.last_pure_ack)
        };
        let e = &mut self.ends[end];
        let Some(p) = e.persist.as_mut() else {
            return;
        };
        if p.unanswered > 0 && heard >= p.series {
            p.unanswered = 0;
        }
        let silent = now.saturating_sub(heard);
        let out_of_retries = retries.is_some_and(|r| p.unanswered >= r);
        let past_timeout = timeout.is_some_and(|t| p.unanswered > 0 && silent >= t);
        if out_of_retries || past_timeout {
            e.persist = None;
            fx.send(self, end, Kind::Rst { answer: false });
            self.fail(end, io::ErrorKind::TimedOut, fx);
            // Done (`tcp_done`): if the RST is lost, what the peer sends
            // next draws another (see `Conn::arrive`).
            self.forget(end, now);
            return;
        }
        if p.unanswered == 0 {
            p.series = now;
        }
        p.unanswered += 1;
        p.sent = p.sent.saturating_add(1);
        p.alarm
            .arm(Instant::from_nanos(now.saturating_add(backoff(p.sent))));
        fx.counts.window_probes += 1;
        let unanswered = u64::from(p.unanswered);
        WINDOW_PROBE.emit(e.local, e.peer, 0, unanswered << 48);
        fx.send(self, end, Kind::Probe);
    }
}
