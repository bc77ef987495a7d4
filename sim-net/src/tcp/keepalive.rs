//! TCP keepalive: `SO_KEEPALIVE` on a connection end, and Linux's
//! keepalive timer, which finds a peer that vanished without a word (a
//! node that lost power, a partition) on a connection nobody writes to.
//!
//! # The timer (Linux's `tcp_keepalive_timer`)
//!
//! An open end with keepalive on has an [`Alarm`] of its own. When it
//! fires at `now`:
//!
//! * bytes or a FIN wait in the end's send buffer, or a segment of its
//!   own has not reached the peer yet (lost and sent again, or on its
//!   way: Linux's `packets_out`): the retransmission timeouts watch the
//!   connection; check again `time` later;
//! * otherwise, if nothing arrived from the peer for `time` or more: past
//!   `probes` unanswered probes (with a stall timeout set, see
//!   [`Network::set_tcp_timeout`], Linux's `TCP_USER_TIMEOUT` rule
//!   instead: a probe is out and nothing arrived for the stall timeout),
//!   the end sends an RST and fails with `TimedOut`; else it sends a
//!   probe (an empty segment the peer's kernel answers, never
//!   retransmitted) and checks again `interval` later;
//! * otherwise, check again `time` after the last arrival.
//!
//! Any segment from the peer (a probe's answer, data, a window update)
//! counts as hearing from it and ends a series of unanswered probes; so
//! does a segment of this end's reaching the peer (its ACK would come
//! back: ACKs are not simulated as packets), except a probe, which only
//! its answer acknowledges, and a pure ACK (a probe's answer, a window
//! update), which nothing acknowledges. So a connection to a peer that
//! is gone fails `time + probes * interval` after the peer last spoke: 2 h 11 min 15 s with Linux's defaults,
//! which [`Network::set_tcp_keepalive`] changes. A restarted node has no
//! such connection: its kernel answers the probe with an RST, and the end
//! fails with `ConnectionReset` after one probe.
//!
//! The timer stops for good once the end is closed (its handles are
//! gone), has failed, or both FINs went through (Linux's `TCP_CLOSE`).
//!
//! The timer is pending work, as on a real host: a run whose tasks all
//! wait on idle connections with keepalive on is not a deadlock; virtual
//! time moves to the next probe, up to the run's time limit.

use std::io;
use std::rc::Rc;
use std::time::Duration;

use sim_clock::{Alarm, Instant, Ring};
use sim_core::ext;

use super::conn::{Conn, Effects, Phase};
use super::state::TcpState;
use super::state::nanos;
use super::{KEEPALIVE_PROBE, Key, Kind, TcpSocket, TcpStream};
use crate::config::NetConfigError;
use crate::network::Network;
use crate::state::Net;

/// Linux's `tcp_keepalive_time`: idle time before the first probe.
pub const DEFAULT_KEEPALIVE_TIME: Duration = Duration::from_secs(7200);
/// Linux's `tcp_keepalive_intvl`: time between unanswered probes.
pub const DEFAULT_KEEPALIVE_INTERVAL: Duration = Duration::from_secs(75);
/// Linux's `tcp_keepalive_probes`: unanswered probes before the end fails.
pub const DEFAULT_KEEPALIVE_PROBES: u32 = 9;

/// The network's keepalive settings (Linux's `tcp_keepalive_*` sysctls),
/// in nanoseconds.
#[derive(Clone, Copy, Debug)]
pub(crate) struct KeepaliveConfig {
    time: u64,
    interval: u64,
    probes: u32,
}

impl Default for KeepaliveConfig {
    fn default() -> KeepaliveConfig {
        KeepaliveConfig {
            time: nanos(DEFAULT_KEEPALIVE_TIME),
            interval: nanos(DEFAULT_KEEPALIVE_INTERVAL),
            probes: DEFAULT_KEEPALIVE_PROBES,
        }
    }
}

/// The keepalive timer of an open end with keepalive on.
pub(crate) struct Keepalive {
    alarm: Alarm,
    /// Probes sent since the peer was last heard from.
    probes_out: u32,
    /// When the first of those probes went out.
    series: u64,
}

impl std::fmt::Debug for Keepalive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keepalive")
            .field("deadline", &self.alarm.deadline())
            .field("probes_out", &self.probes_out)
            .finish()
    }
}

/// What the keepalive alarm of end `end` of connection `conn` does: it
/// looks the network up by the simulation's instance (it fires rarely).
struct KeepaliveRing {
    instance: u64,
    conn: Key,
    end: usize,
}

impl Ring for KeepaliveRing {
    fn ring(&self) {
        let (conn, end) = (self.conn, self.end);
        Net::try_with(self.instance, |net| {
            net.act(|inner, wakers| {
                let (config, user_timeout) = (inner.tcp.keepalive, inner.tcp.timeout);
                inner.tcp.with_conn(conn, wakers, |c, fx| {
                    c.keepalive_due(end, config, user_timeout, fx)
                });
            });
        });
    }
}

impl TcpState {
    /// Starts the keepalive timer of `conn`'s end `end` if keepalive is on
    /// there and the end is open (and it has none yet): its first check is
    /// `time` from now, as Linux's when the option is set or the
    /// connection is established.
    pub(crate) fn start_keepalive(&mut self, conn: Key, end: usize) {
        let (now, time) = (self.now, self.keepalive.time);
        let Some(c) = self.conns.get_mut(conn) else {
            return;
        };
        let e = &mut c.ends[end];
        if !e.keepalive_on || e.keepalive.is_some() || e.phase != Phase::Open || e.killed {
            return;
        }
        let ring = KeepaliveRing {
            instance: ext::instance("detsim::net"),
            conn,
            end,
        };
        let alarm = Alarm::new(Rc::new(ring));
        alarm.arm(Instant::from_nanos(now.saturating_add(time)));
        e.keepalive = Some(Box::new(Keepalive {
            alarm,
            probes_out: 0,
            series: 0,
        }));
    }
}

impl Conn {
    /// A keepalive probe or its answer arrived at `end` (which heard from
    /// its peer: see `Conn::arrive`). A probe is answered as Linux's
    /// kernel does: by the connection if it stands, else (the end failed,
    /// or its node was killed and is up again without it) with an RST.
    pub(crate) fn probed(&mut self, end: usize, kind: Kind, fx: &mut Effects<'_>) {
        if let Kind::ProbeAck = kind {
            return;
        }
        let e = &self.ends[end];
        let gone = e.killed || matches!(e.phase, Phase::Failed(_)) || self.forgotten(end, fx.now);
        if !gone {
            fx.send(self, end, Kind::ProbeAck);
        } else if !matches!(self.ends[1 - end].phase, Phase::Failed(_)) {
            // Not sent again if lost: the prober's next probe draws
            // another.
            fx.send(self, end, Kind::Rst { answer: false });
        }
    }

    /// Both FINs went through: Linux's sockets are in `TCP_CLOSE`, which
    /// its keepalive timer skips, so both alarms go now (left armed, they
    /// would keep a run whose tasks all wait busy until their next check).
    pub(crate) fn stop_keepalives(&mut self) {
        for e in &mut self.ends {
            e.keepalive = None;
        }
    }

    /// `end`'s keepalive alarm fired (see the module docs).
    fn keepalive_due(
        &mut self,
        end: usize,
        config: KeepaliveConfig,
        user_timeout: Option<u64>,
        fx: &mut Effects<'_>,
    ) {
        let now = fx.now;
        // Heard from the peer: a segment arrived here, or one of this
        // end's arrived there (and was acknowledged: ACKs are not packets
        // here, see `tcp/mod.rs`). A probe's arrival does not count (its
        // answer does), so a probe whose answer is lost is unanswered.
        // A pure ACK (a probe's answer, a window update) counts here
        // only: the peer hears nothing acknowledge it.
        let e = &self.ends[end];
        let heard = e
            .last_heard
            .max(e.last_pure_ack)
            .max(self.ends[1 - end].last_heard);
        // Linux's timer leaves a connection with anything unacknowledged
        // or unsent (`packets_out`, the write queue) to the
        // retransmission timeouts: here bytes or a FIN waiting to go, or
        // a numbered segment the peer has not taken in yet (lost and
        // being sent again, or on its way).
        let in_flight = self.ends[1 - end].recv_seq < self.ends[end].send_seq;
        // Both FINs went through: Linux's socket is in `TCP_CLOSE`, which
        // its timer skips.
        let finished = self.closed(end);
        let e = &mut self.ends[end];
        let idle_with_output = e.has_output() || in_flight;
        let live = e.phase == Phase::Open && !e.closed && !e.killed && !finished;
        let Some(ka) = e.keepalive.as_mut().filter(|_| live) else {
            e.keepalive = None;
            return;
        };
        if ka.probes_out > 0 && heard >= ka.series {
            ka.probes_out = 0;
        }
        let idle = now.saturating_sub(heard);
        let next = if idle_with_output {
            now.saturating_add(config.time)
        } else if idle >= config.time {
            // As Linux's with `TCP_USER_TIMEOUT` (here the stall
            // timeout): once a probe is out, the silence's length decides,
            // not the probe count.
            let gave_up = match user_timeout {
                Some(t) => ka.probes_out > 0 && idle >= t,
                None => ka.probes_out >= config.probes,
            };
            if gave_up {
                // Linux's `tcp_send_active_reset`, then ETIMEDOUT.
                e.keepalive = None;
                fx.send(self, end, Kind::Rst { answer: false });
                self.fail(end, io::ErrorKind::TimedOut, fx);
                // Done (`tcp_done`): if the RST is lost, what the peer
                // sends next draws another (see `Conn::arrive`).
                self.forget(end, now);
                return;
            }
            if ka.probes_out == 0 {
                ka.series = now;
            }
            ka.probes_out += 1;
            let next = now.saturating_add(config.interval);
            ka.alarm.arm(Instant::from_nanos(next));
            fx.counts.keepalive_probes += 1;
            let probes = u64::from(ka.probes_out);
            KEEPALIVE_PROBE.emit(e.local, e.peer, 0, probes << 48);
            fx.send(self, end, Kind::Probe);
            return;
        } else {
            heard.saturating_add(config.time)
        };
        ka.alarm.arm(Instant::from_nanos(next));
    }
}

impl TcpStream {
    /// Sets `SO_KEEPALIVE` (what socket2's `SockRef::set_keepalive` does
    /// on a tokio stream): with it on, a connection nobody writes to
    /// probes its peer after [`DEFAULT_KEEPALIVE_TIME`] without hearing
    /// from it, and fails with `TimedOut` after
    /// [`DEFAULT_KEEPALIVE_PROBES`] unanswered probes
    /// [`DEFAULT_KEEPALIVE_INTERVAL`] apart (see
    /// [`Network::set_tcp_keepalive`] to shorten them). It is how a
    /// reader finds a peer whose node lost power
    /// ([`Network::set_kill_resets_peers(false)`](crate::Network::set_kill_resets_peers))
    /// or sits behind a partition. Off by default, as on Linux.
    ///
    /// # Errors
    ///
    /// `ConnectionAborted` once the connection is gone.
    ///
    /// ```
    /// use std::time::Duration;
    /// use detsim::net::{Network, TcpListener, TcpStream};
    /// use detsim::node::Node;
    /// use futures::io::AsyncReadExt;
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let net = Network::current();
    /// net.set_tcp_keepalive(Duration::from_secs(60), Duration::from_secs(10), 3).unwrap();
    /// net.set_kill_resets_peers(false); // a kill is a power cut: no RST
    /// let server = Node::builder("server").build();
    /// let l = server.spawn(async { TcpListener::bind("0.0.0.0:80").await.unwrap() }).await.unwrap();
    /// let mut c = TcpStream::connect("server:80").await.unwrap();
    /// let (_s, _) = l.accept().await.unwrap();
    /// c.set_keepalive(true).unwrap();
    /// server.kill();
    /// let err = c.read(&mut [0u8; 8]).await.unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::TimedOut);
    /// // 60 s idle, then 3 probes 10 s apart, and one interval more.
    /// assert_eq!(detsim::time::Instant::now().since_start(), Duration::from_millis(90_002));
    /// # }).unwrap();
    /// ```
    pub fn set_keepalive(&self, on: bool) -> io::Result<()> {
        let h = &self.h;
        let net = Net::of(h.instance, "detsim::net::TcpStream::set_keepalive");
        net.act(|inner, _| {
            let Some(c) = inner.tcp.conns.get_mut(h.conn) else {
                return Err(io::Error::new(
                    io::ErrorKind::ConnectionAborted,
                    "the connection was closed",
                ));
            };
            let e = &mut c.ends[h.end];
            e.keepalive_on = on;
            if on {
                inner.tcp.start_keepalive(h.conn, h.end);
            } else {
                e.keepalive = None;
            }
            Ok(())
        })
    }

    /// `SO_KEEPALIVE` as last set (off on a new stream unless its
    /// [`TcpSocket`] or listener's socket set it); see
    /// [`set_keepalive`](Self::set_keepalive).
    ///
    /// # Errors
    ///
    /// `ConnectionAborted` once the connection is gone.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// # let _l = detsim::net::TcpListener::bind("127.0.0.1:80").await.unwrap();
    /// let s = detsim::net::TcpStream::connect("127.0.0.1:80").await.unwrap();
    /// assert!(!s.keepalive().unwrap());
    /// s.set_keepalive(true).unwrap();
    /// assert!(s.keepalive().unwrap());
    /// # }).unwrap();
    /// ```
    pub fn keepalive(&self) -> io::Result<bool> {
        self.h
            .peek_conn("detsim::net::TcpStream::keepalive", |c, end| {
                Ok(c.ends[end].keepalive_on)
            })
    }
}

impl TcpSocket {
    /// Sets `SO_KEEPALIVE`: tokio's `set_keepalive`. The stream it
    /// connects, or the streams its listener accepts, start with
    /// keepalive on (see [`TcpStream::set_keepalive`]).
    ///
    /// # Errors
    ///
    /// `ConnectionAborted` once the socket's node was killed.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// use detsim::net::{TcpSocket, TcpStream};
    /// let socket = TcpSocket::new_v4().unwrap();
    /// socket.set_keepalive(true).unwrap();
    /// assert!(socket.keepalive().unwrap());
    /// socket.bind("127.0.0.1:80".parse().unwrap()).unwrap();
    /// let listener = socket.listen(16).unwrap();
    /// let _c = TcpStream::connect("127.0.0.1:80").await.unwrap();
    /// let (s, _) = listener.accept().await.unwrap();
    /// assert!(s.keepalive().unwrap()); // inherited
    /// # }).unwrap();
    /// ```
    pub fn set_keepalive(&self, keepalive: bool) -> io::Result<()> {
        self.with("detsim::net::TcpSocket::set_keepalive", |s| {
            s.opts.keepalive = keepalive;
        })
    }

    /// `SO_KEEPALIVE` as last set (off by default): tokio's `keepalive`.
    ///
    /// # Errors
    ///
    /// As [`set_keepalive`](Self::set_keepalive).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let socket = detsim::net::TcpSocket::new_v4().unwrap();
    /// assert!(!socket.keepalive().unwrap());
    /// # }).unwrap();
    /// ```
    pub fn keepalive(&self) -> io::Result<bool> {
        self.with("detsim::net::TcpSocket::keepalive", |s| s.opts.keepalive)
    }
}

impl Network {
    /// Sets the keepalive timing of every connection with keepalive on
    /// (Linux's `tcp_keepalive_time`, `tcp_keepalive_intvl` and
    /// `tcp_keepalive_probes` sysctls; the defaults are Linux's: 2 h,
    /// 75 s, 9): the idle time before the first probe, the time between
    /// unanswered probes, and how many go unanswered before the end fails
    /// with `TimedOut`. Timers already running take the new values at
    /// their next check.
    ///
    /// # Errors
    ///
    /// A [`NetConfigError`] for a time or interval under a second (zero,
    /// or below Linux's minimum for `TCP_KEEPIDLE` and `TCP_KEEPINTVL`:
    /// a nanosecond keepalive would probe a billion times per virtual
    /// second), or a probe count of 0 or above 127 (Linux's `TCP_KEEPCNT`
    /// range). Nothing changes then.
    ///
    /// ```
    /// use std::time::Duration;
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let net = detsim::net::Network::current();
    /// net.set_tcp_keepalive(Duration::from_secs(30), Duration::from_secs(5), 4).unwrap();
    /// assert_eq!(net.tcp_keepalive(), (Duration::from_secs(30), Duration::from_secs(5), 4));
    /// let err = net.set_tcp_keepalive(Duration::ZERO, Duration::from_secs(5), 4).unwrap_err();
    /// assert!(err.to_string().contains("keepalive"));
    /// # }).unwrap();
    /// ```
    pub fn set_tcp_keepalive(
        &self,
        time: Duration,
        interval: Duration,
        probes: u32,
    ) -> Result<(), NetConfigError> {
        if time.is_zero() || interval.is_zero() {
            return Err(NetConfigError::new(
                "keepalive",
                format!("time {time:?}, interval {interval:?}"),
                "a keepalive time or interval of zero would probe without end",
                "give a keepalive time and interval above zero",
            ));
        }
        if time < Duration::from_secs(1) || interval < Duration::from_secs(1) {
            return Err(NetConfigError::new(
                "keepalive",
                format!("time {time:?}, interval {interval:?}"),
                "a keepalive time or interval under a second (Linux's minimum for \
                 TCP_KEEPIDLE and TCP_KEEPINTVL) probes an idle connection so often that \
                 virtual time barely moves",
                "give a keepalive time and interval of at least 1 s",
            ));
        }
        if !(1..=127).contains(&probes) {
            return Err(NetConfigError::new(
                "keepalive",
                format!("{probes} probes"),
                "a probe count is outside Linux's TCP_KEEPCNT range",
                "give 1 to 127 keepalive probes",
            ));
        }
        let net = self.net("detsim::net::Network::set_tcp_keepalive");
        net.inner.borrow_mut().tcp.keepalive = KeepaliveConfig {
            time: nanos(time),
            interval: nanos(interval),
            probes,
        };
        Ok(())
    }

    /// The keepalive timing: (time, interval, probes); see
    /// [`set_tcp_keepalive`](Self::set_tcp_keepalive).
    ///
    /// ```
    /// use detsim::net::{DEFAULT_KEEPALIVE_INTERVAL, DEFAULT_KEEPALIVE_PROBES, DEFAULT_KEEPALIVE_TIME};
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let k = detsim::net::Network::current().tcp_keepalive();
    /// assert_eq!(k, (DEFAULT_KEEPALIVE_TIME, DEFAULT_KEEPALIVE_INTERVAL, DEFAULT_KEEPALIVE_PROBES));
    /// # }).unwrap();
    /// ```
    pub fn tcp_keepalive(&self) -> (Duration, Duration, u32) {
        let net = self.net("detsim::net::Network::tcp_keepalive");
        let k = net.inner.borrow().tcp.keepalive;
        (
            Duration::from_nanos(k.time),
            Duration::from_nanos(k.interval),
            k.probes,
        )
    }
}
