//! What every TCP stream handle does, on its connection end: reads,
//! writes, flushes, shutdowns and the release of the handle.

use std::io;
use std::net::{Shutdown, SocketAddr};
use std::task::{Context, Poll};

use sim_core::ext;

use super::conn::{Conn, Effects, End, Phase, park};
use super::{Key, side};
use crate::state::{Net, node_name};

/// One connection end as seen by a handle (equal handles are the same
/// end of the same connection, in the same simulation).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Handle {
    pub(crate) instance: u64,
    pub(crate) conn: Key,
    pub(crate) end: usize,
}

impl Handle {
    /// Debug output for the handle type `name`: addresses and state, never
    /// the process-wide simulation instance (debug output must not depend
    /// on which tests ran before). Never panics, even outside the run.
    pub(crate) fn debug(&self, name: &str, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct(name);
        let net = ext::try_get_for::<Net>(self.instance);
        let inner = net.as_ref().and_then(|n| n.inner.try_borrow().ok());
        match inner.as_ref().and_then(|i| i.tcp.conns.get(self.conn)) {
            Some(c) => {
                let e = &c.ends[self.end];
                d.field("local", &e.local)
                    .field("peer", &e.peer)
                    .field("state", &c.state_name(self.end))
                    .finish()
            }
            None => d.finish_non_exhaustive(),
        }
    }

    /// Runs `f` on the connection (and sends what it queued), or fails
    /// with `ConnectionAborted` when the connection is gone.
    fn with<R>(
        &self,
        api: &str,
        f: impl FnOnce(&mut Conn, usize, &mut Effects<'_>) -> io::Result<R>,
    ) -> io::Result<R> {
        self.with_in(&Net::of(self.instance, api), f)
    }

    /// [`with`](Self::with) on the network already looked up.
    fn with_in<R>(
        &self,
        net: &Net,
        f: impl FnOnce(&mut Conn, usize, &mut Effects<'_>) -> io::Result<R>,
    ) -> io::Result<R> {
        let end = self.end;
        net.act(|inner, wakers| {
            inner
                .tcp
                .with_conn(self.conn, wakers, |c, fx| f(c, end, fx))
        })
        .unwrap_or_else(|| {
            Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "the connection was closed",
            ))
        })
    }

    /// A read that must wait (nothing buffered, no EOF, no error) only
    /// leaves its waker, and a read of buffered bytes with no effects
    /// (see [`Conn::read_quietly`]) only copies them out: both are done
    /// here without a network operation (nothing to send, re-arm or
    /// wake). `None` when the read needs one.
    fn read_in_place(
        &self,
        net: &Net,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Option<Poll<io::Result<usize>>> {
        let mut guard = net.inner.borrow_mut();
        let inner = &mut *guard;
        let c = inner.tcp.conns.get_mut(self.conn)?;
        let end = side(self.end);
        let e = &mut c.ends[end];
        let waits = !buf.is_empty()
            && e.recv_buf.is_empty()
            && !e.eof
            && !e.read_shutdown
            && !matches!(e.phase, Phase::Failed(_));
        if waits {
            let old = park(&mut e.reader, cx.waker());
            drop(guard);
            drop(old);
            return Some(Poll::Pending);
        }
        // Only a read of buffered bytes needs them.
        let quiet = inner.rules.is_quiet();
        let all_alive = inner
            .tcp
            .liveness
            .as_ref()
            .is_some_and(ext::Liveness::all_alive);
        c.read_quietly(end, buf, quiet, all_alive)
            .map(|n| Poll::Ready(Ok(n)))
    }

    /// Reads the connection end without changing anything (no effects to
    /// send or wake), or fails with `ConnectionAborted` when the
    /// connection is gone.
    fn peek<R>(&self, api: &str, f: impl FnOnce(&End) -> io::Result<R>) -> io::Result<R> {
        self.peek_conn(api, |c, end| f(&c.ends[end]))
    }

    /// Runs `f` on this end's state alone (socket options, the pending
    /// error), as setsockopt and getsockopt work whatever the
    /// connection's state (`ConnectionAborted` only once the connection
    /// is gone). Nothing is sent or woken.
    pub(super) fn with_end<R>(&self, api: &str, f: impl FnOnce(&mut End) -> R) -> io::Result<R> {
        let net = Net::of(self.instance, api);
        let mut inner = net.inner.borrow_mut();
        match inner.tcp.conns.get_mut(self.conn) {
            Some(c) => Ok(f(&mut c.ends[self.end])),
            None => Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "the connection was closed",
            )),
        }
    }

    /// [`peek`](Self::peek) at the whole connection (and this end's index).
    pub(super) fn peek_conn<R>(
        &self,
        api: &str,
        f: impl FnOnce(&Conn, usize) -> io::Result<R>,
    ) -> io::Result<R> {
        let net = Net::of(self.instance, api);
        let inner = net.inner.borrow();
        match inner.tcp.conns.get(self.conn) {
            Some(c) => f(c, self.end),
            None => Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "the connection was closed",
            )),
        }
    }

    /// Runs `f` on the connection, as [`with`](Self::with), for a poll
    /// function: `Ready(Err(ConnectionAborted))` when the connection is
    /// gone.
    pub(super) fn poll<R>(
        &self,
        api: &str,
        f: impl FnOnce(&mut Conn, usize, &mut Effects<'_>) -> Poll<io::Result<R>>,
    ) -> Poll<io::Result<R>> {
        self.poll_in(&Net::of(self.instance, api), f)
    }

    /// [`poll`](Self::poll) on the network already looked up.
    fn poll_in<R>(
        &self,
        net: &Net,
        f: impl FnOnce(&mut Conn, usize, &mut Effects<'_>) -> Poll<io::Result<R>>,
    ) -> Poll<io::Result<R>> {
        let mut out = Poll::Pending;
        let r = self.with_in(net, |c, end, fx| {
            out = f(c, end, fx);
            Ok(())
        });
        match r {
            Err(e) => Poll::Ready(Err(e)),
            Ok(()) => out,
        }
    }

    pub(crate) fn local_addr(&self) -> io::Result<SocketAddr> {
        self.peek("detsim::net::TcpStream::local_addr", |e| Ok(e.local))
    }

    /// Linux's `getpeername`: `ENOTCONN` once the connection failed (an
    /// RST or a timeout closed it) or closed (both FINs went through, see
    /// [`Conn::closed`]), the killed-node error once this end's node was
    /// killed.
    pub(crate) fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.peek_conn("detsim::net::TcpStream::peer_addr", |c, end| {
            let e = &c.ends[end];
            match e.phase {
                Phase::Failed(io::ErrorKind::ConnectionAborted) => {
                    Err(error(io::ErrorKind::ConnectionAborted, e))
                }
                Phase::Failed(kind) => Err(io::Error::new(
                    io::ErrorKind::NotConnected,
                    format!("not connected: {}", error(kind, e)),
                )),
                Phase::Open if c.closed(end) => Err(io::Error::new(
                    io::ErrorKind::NotConnected,
                    format!(
                        "not connected: the connection {} -> {} was closed by both sides",
                        e.local, e.peer
                    ),
                )),
                Phase::Connecting | Phase::Open => Ok(e.peer),
            }
        })
    }

    /// The peer's address whatever the connection's state: what `accept`
    /// returns (a queued connection reset before it was accepted still
    /// comes with its address, as Linux's `accept` gives it).
    pub(crate) fn accepted_peer(&self) -> io::Result<SocketAddr> {
        self.peek("detsim::net::TcpListener::accept", |e| Ok(e.peer))
    }

    /// Ready once the handshake finished (or failed).
    pub(crate) fn poll_connected(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll("detsim::net::TcpStream::connect", |c, end, fx| {
            let e = &mut c.ends[end];
            match e.phase {
                Phase::Open => Poll::Ready(Ok(())),
                // The SYN-ACK arrived (the handshake completed), then the
                // connection failed: `connect` succeeded, as on Linux;
                // the failure shows on the first read or write.
                Phase::Failed(_) if end == 0 && e.recv_seq > 0 => Poll::Ready(Ok(())),
                Phase::Failed(kind) => Poll::Ready(Err(error(kind, e))),
                Phase::Connecting => {
                    fx.trash.extend(park(&mut e.writer, cx.waker()));
                    Poll::Pending
                }
            }
        })
    }

    pub(crate) fn poll_read(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let net = Net::of(self.instance, "detsim::net::TcpStream::poll_read");
        if let Some(done) = self.read_in_place(&net, cx, buf) {
            return done;
        }
        self.poll_read_in(&net, cx, buf)
    }

    /// A read that needs a network operation (see
    /// [`read_in_place`](Self::read_in_place)): kept out of line so the
    /// usual reads, done in place, do not pay for its frame.
    #[inline(never)]
    fn poll_read_in(
        &self,
        net: &Net,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_in(net, |c, end, fx| {
            let e = &mut c.ends[end];
            if buf.is_empty() {
                return Poll::Ready(Ok(0));
            }
            if !e.recv_buf.is_empty() {
                let n = buf.len().min(e.recv_buf.len());
                e.recv_buf.read(&mut buf[..n]);
                c.read_consumed(end, n, fx);
                return Poll::Ready(Ok(n));
            }
            if e.eof {
                return Poll::Ready(Ok(0));
            }
            // After a read shutdown, a failure is still reported (once):
            // Linux's `tcp_recvmsg` checks `sk_err` before `RCV_SHUTDOWN`.
            if let Phase::Failed(kind) = e.phase {
                return Poll::Ready(failed_read(e, kind));
            }
            if e.read_shutdown {
                return Poll::Ready(Ok(0));
            }
            fx.trash.extend(park(&mut e.reader, cx.waker()));
            Poll::Pending
        })
    }

    pub(crate) fn poll_write(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let net = Net::of(self.instance, "detsim::net::TcpStream::poll_write");
        if net.express_write(self.conn, self.end, buf) {
            return Poll::Ready(Ok(buf.len()));
        }
        self.poll_in(&net, |c, end, fx| {
            let e = &mut c.ends[end];
            if let Phase::Failed(kind) = e.phase {
                return Poll::Ready(Err(failed_write(e, kind)));
            }
            if e.write_shutdown {
                return Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::BrokenPipe,
                    format!("broken pipe: {} shut down its writing side", e.local),
                )));
            }
            if buf.is_empty() {
                return Poll::Ready(Ok(0));
            }
            if e.send_buf.len() >= e.send_cap {
                fx.trash.extend(park(&mut e.writer, cx.waker()));
                return Poll::Pending;
            }
            Poll::Ready(Ok(c.write(end, buf, fx)))
        })
    }

    pub(crate) fn poll_flush(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // As on a real socket (and tokio's `TcpStream`, whose flush is a
        // no-op): bytes accepted by `write` are the kernel's to send, so
        // there is nothing to flush and nothing to wait for. Waiting for
        // the peer to read would deadlock `Framed`-style write-flush-read
        // loops on both ends; a failed connection shows on the next read
        // or write, as on a real socket.
        let _ = cx;
        Poll::Ready(Ok(()))
    }

    /// Shuts the writing side down, as `shutdown(Write)`: the FIN follows
    /// the buffered bytes, and the call returns at once. tokio's
    /// `poll_shutdown` on a real socket does not wait for the peer to read
    /// either; waiting for the FIN to leave would deadlock two peers that
    /// both close with bytes still waiting for the other's window.
    pub(crate) fn poll_close(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let _ = cx;
        Poll::Ready(self.shutdown_as("detsim::net::TcpStream::poll_close", Shutdown::Write))
    }

    pub(crate) fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.shutdown_as("detsim::net::TcpStream::shutdown", how)
    }

    /// [`shutdown`](Self::shutdown), naming `api` outside a simulation.
    fn shutdown_as(&self, api: &str, how: Shutdown) -> io::Result<()> {
        self.with(api, |c, end, fx| {
            if let Some(why) = closed_for_shutdown(c, end) {
                return Err(io::Error::new(io::ErrorKind::NotConnected, why));
            }
            if matches!(how, Shutdown::Read | Shutdown::Both) {
                // As Linux's: what was queued, and what still arrives,
                // is read first; then reads return `Ok(0)` at once
                // instead of waiting. (With the writing side shut too,
                // new data resets: see `Conn::arrive`.)
                let e = &mut c.ends[end];
                e.read_shutdown = true;
                fx.wakers.extend(e.reader.take());
            }
            if matches!(how, Shutdown::Write | Shutdown::Both) {
                c.ends[end].write_shutdown = true;
                c.pump(end, fx);
                // Writes fail at once now (`BrokenPipe`), as Linux's
                // EPOLLOUT on a shut sending side: a `poll_write` or
                // `poll_write_ready` waiting for room wakes even when the
                // window is shut and `pump` sent nothing.
                fx.wakers.extend(c.ends[end].writer.take());
            }
            // Reads (`Ok(0)`) or writes (`BrokenPipe`) no longer wait.
            c.ends[end].ready.drain_into(fx.wakers);
            Ok(())
        })
    }

    /// `n` handles of this end are gone; the last one closes it (unless
    /// its node is being killed: the kill resets it instead).
    pub(crate) fn release(&self, n: u8, shutdown_write: bool) {
        let Some(net) = ext::try_get_for::<Net>(self.instance) else {
            return;
        };
        let end = self.end;
        net.act(|inner, wakers| {
            inner.tcp.with_conn(self.conn, wakers, |c, fx| {
                let e = &mut c.ends[end];
                e.handles = e.handles.saturating_sub(n);
                let alive = fx.all_alive || ext::node_alive(e.node);
                if !alive || e.closed {
                    return;
                }
                if e.handles == 0 {
                    c.close(end, fx);
                } else if shutdown_write && !matches!(e.phase, Phase::Failed(_)) {
                    e.write_shutdown = true;
                    c.pump(end, fx);
                    // The read half's `ready(Interest::WRITABLE)` waits
                    // end: a write would fail at once now.
                    c.ends[end].ready.drain_into(fx.wakers);
                }
            })
        });
    }
}

/// The io error of a failed end.
/// A read (or peek) of an end that failed with `kind`: the error the
/// first time the failure is reported (by a read, peek or write), then
/// end of stream, as Linux reports a socket's error once (`sk_err`) and
/// a reset or timed-out socket reads EOF after. A killed node's handle
/// (`ConnectionAborted`) fails every time.
pub(crate) fn failed_read(e: &mut End, kind: io::ErrorKind) -> io::Result<usize> {
    if kind == io::ErrorKind::ConnectionAborted || !std::mem::replace(&mut e.failure_reported, true)
    {
        return Err(error(kind, e));
    }
    Ok(0)
}

/// A write to an end that failed with `kind`: the error the first time
/// the failure is reported (see [`failed_read`]), then `BrokenPipe`, as
/// Linux's EPIPE on a socket whose sending side is shut.
pub(crate) fn failed_write(e: &mut End, kind: io::ErrorKind) -> io::Error {
    if kind == io::ErrorKind::ConnectionAborted || !std::mem::replace(&mut e.failure_reported, true)
    {
        return error(kind, e);
    }
    io::Error::new(
        io::ErrorKind::BrokenPipe,
        format!(
            "broken pipe: the connection {} -> {} failed earlier ({}, reported then)",
            e.local,
            e.peer,
            error(kind, e)
        ),
    )
}

/// Why a `shutdown` of end `end` finds its socket closed (Linux's
/// TCP_CLOSE, where shutdown(2) is ENOTCONN): the connection failed
/// (reset, timed out, refused), or both sides closed and each FIN
/// arrived. `None` while it is connected.
fn closed_for_shutdown(c: &Conn, end: usize) -> Option<String> {
    let (e, peer) = (&c.ends[end], &c.ends[1 - end]);
    let why = match e.phase {
        Phase::Failed(kind) => error(kind, e).to_string(),
        _ if e.fin_sent && e.eof && peer.eof => {
            "both sides closed the connection (each FIN arrived)".to_owned()
        }
        _ => return None,
    };
    Some(format!(
        "not connected: the connection {} -> {} is closed ({why}); shutdown has nothing to do",
        e.local, e.peer
    ))
}

pub(crate) fn error(kind: io::ErrorKind, e: &End) -> io::Error {
    let msg = match kind {
        io::ErrorKind::ConnectionRefused => {
            format!("connection refused: nothing listens on {}", e.peer)
        }
        io::ErrorKind::ConnectionReset => format!("connection reset by peer {}", e.peer),
        io::ErrorKind::BrokenPipe => format!(
            "broken pipe: peer {} closed its side, then reset the connection",
            e.peer
        ),
        io::ErrorKind::TimedOut => format!(
            "connection {} -> {} timed out: a segment could not be delivered within the TCP \
             retransmission limit or timeout (Network::set_tcp_retries, \
             Network::set_tcp_syn_retries, Network::set_tcp_timeout)",
            e.local, e.peer
        ),
        io::ErrorKind::HostUnreachable => {
            format!("no route to host {}: no node has this address", e.peer.ip())
        }
        io::ErrorKind::ConnectionAborted => format!(
            "the connection {} -> {} was closed because its node {} was killed",
            e.local,
            e.peer,
            node_name(e.node)
        ),
        _ => format!("connection {} -> {} failed", e.local, e.peer),
    };
    io::Error::new(kind, msg)
}
