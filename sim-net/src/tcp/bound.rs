//! The table side of [`TcpSocket`](super::TcpSocket): sockets that are
//! made, given options and perhaps bound, before they connect or listen;
//! the bind rules that involve connections (`SO_REUSEADDR` against
//! accepted connections, a connection's 4-tuple).

use std::collections::BTreeSet;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use super::conn::{Conn, End, Phase};
use super::slab::{Key, Slab};
use super::state::{RouteEntry, SOCK_OWNER, TcpState, aborted, killed};
use super::{RECV_WINDOW, SEND_BUFFER};
use crate::addr::{destination, is_node_ip};
use crate::ports::{Flags, overlap};
use crate::state::node_name;

/// Linux's `somaxconn` (since 5.4): a larger backlog is cut to it.
pub(crate) const SOMAXCONN: u32 = 4096;

/// The backlog of [`TcpListener::bind`](super::TcpListener::bind)'s
/// listener: tokio's (and mio's) for its own `bind`.
pub(crate) const DEFAULT_BACKLOG: u32 = 1024;

/// The options a socket passes on to its connection or listener (and a
/// listener to the connections it accepts).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SockOpts {
    /// `SO_REUSEADDR`.
    pub(crate) reuse: bool,
    /// `SO_SNDBUF`, in bytes.
    pub(crate) send_buffer: usize,
    /// `SO_RCVBUF`, in bytes: the receive window.
    pub(crate) recv_buffer: usize,
    /// `TCP_NODELAY` (segments are never delayed either way).
    pub(crate) nodelay: bool,
    /// `SO_LINGER` (see [`Conn::close`](super::conn::Conn::close)).
    pub(crate) linger: Option<Duration>,
    /// `IP_TTL` (only read back).
    pub(crate) ttl: u8,
    /// `SO_KEEPALIVE` (see `keepalive.rs`).
    pub(crate) keepalive: bool,
}

impl SockOpts {
    /// Gives connection end `e` the options it inherits (an accepted end:
    /// its listener's, as Linux's accepted sockets copy them).
    pub(crate) fn apply(&self, e: &mut End) {
        e.send_cap = self.send_buffer;
        e.reuse = self.reuse;
        e.nodelay = self.nodelay;
        e.linger = self.linger;
        e.ttl = self.ttl;
        e.keepalive_on = self.keepalive;
    }
}

impl Default for SockOpts {
    fn default() -> SockOpts {
        SockOpts {
            reuse: false,
            send_buffer: SEND_BUFFER,
            recv_buffer: RECV_WINDOW,
            nodelay: false,
            linger: None,
            ttl: crate::ttl::DEFAULT_TTL,
            keepalive: false,
        }
    }
}

/// A socket not connected or listening yet.
#[derive(Debug)]
pub(crate) struct Sock {
    pub(crate) node: u32,
    pub(crate) v6: bool,
    /// Where it is bound (`None`: not yet).
    pub(crate) local: Option<SocketAddr>,
    pub(crate) opts: SockOpts,
    /// Its node was killed: its binding is gone, every call fails.
    pub(crate) closed: bool,
}

/// Whether an accepted connection end on `node` holds `ip:port` against a
/// new binding with `reuse` (for [`PortTable::bind_as`]). As on Linux, an
/// accepted socket shares its listener's port and its `SO_REUSEADDR`,
/// and holds the port until it is closed; client ends are in the port
/// table themselves. detsim has no `TIME_WAIT`: a closed end holds
/// nothing.
///
/// [`PortTable::bind_as`]: crate::ports::PortTable::bind_as
pub(super) fn held_by_accepted<'a>(
    conns: &'a Slab<Conn>,
    by_route: &'a BTreeSet<RouteEntry>,
    node: u32,
    reuse: bool,
) -> impl Fn(u16, IpAddr) -> bool + 'a {
    move |port, ip| {
        by_route
            .range((node, 0, 0, 0, 0, 0)..=(node, u64::MAX, u64::MAX, u32::MAX, u32::MAX, 1))
            .filter(|e| e.5 == 1)
            .any(|&(_, _, _, index, generation, _)| {
                conns.get(Key { index, generation }).is_some_and(|c| {
                    let e = &c.ends[1];
                    !e.closed
                        && e.phase != Phase::Connecting
                        && e.local.port() == port
                        && overlap(e.local.ip(), ip)
                        && !(reuse && e.reuse)
                })
            })
    }
}

impl TcpState {
    /// A new socket of `node`.
    pub(crate) fn socket_new(&mut self, node: u32, v6: bool) -> Key {
        self.sockets.insert(Sock {
            node,
            v6,
            local: None,
            opts: SockOpts::default(),
            closed: false,
        })
    }

    /// Socket `key`, if usable: an error once its node was killed.
    pub(crate) fn socket(&mut self, key: Key) -> io::Result<&mut Sock> {
        match self.sockets.get_mut(key) {
            Some(s) if s.closed => Err(killed(s.node)),
            Some(s) => Ok(s),
            None => Err(aborted("socket")),
        }
    }

    /// Sets socket `key`'s `SO_REUSEADDR`, in its binding too if it is
    /// bound (Linux reads the flag at each later bind of another socket).
    pub(crate) fn socket_set_reuse(&mut self, key: Key, reuse: bool) -> io::Result<()> {
        let s = self.socket(key)?;
        s.opts.reuse = reuse;
        if let Some(local) = s.local {
            let (node, owner) = (s.node, SOCK_OWNER | key.index);
            let flags = Flags {
                reuse,
                listening: false,
            };
            self.ports
                .rebind(node, local.port(), owner, local.ip(), owner, flags);
        }
        Ok(())
    }

    /// Binds socket `key` to `addr`.
    pub(crate) fn socket_bind(&mut self, key: Key, addr: SocketAddr) -> io::Result<()> {
        let s = self.socket(key)?;
        if let Some(local) = s.local {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("invalid argument: the socket is already bound to {local}"),
            ));
        }
        family(s.v6, addr, "bind to")?;
        let (node, reuse) = (s.node, s.opts.reuse);
        let flags = Flags {
            reuse,
            listening: false,
        };
        let held = held_by_accepted(&self.conns, &self.by_route, node, reuse);
        let local = self
            .ports
            .bind_as(node, addr, SOCK_OWNER | key.index, flags, held)?;
        self.sockets.get_mut(key).expect("checked").local = Some(local);
        Ok(())
    }

    /// Socket `key`'s handle was dropped (or it connected or listened):
    /// its binding goes.
    pub(crate) fn socket_close(&mut self, key: Key) {
        let Some(s) = self.sockets.remove(key) else {
            return;
        };
        if let (Some(local), false) = (s.local, s.closed) {
            self.ports
                .unbind(s.node, local.port(), SOCK_OWNER | key.index);
        }
    }

    /// Connects socket `key` (consumed) to `dst`: the connection's key.
    pub(crate) fn socket_connect(&mut self, key: Key, dst: SocketAddr) -> io::Result<Key> {
        self.socket(key)?;
        let s = self.sockets.remove(key).expect("checked");
        let conn = family(s.v6, dst, "connect to")
            .and_then(|()| crate::addr::v4_mapped(dst))
            .and_then(|()| loopback_only(&s, dst))
            .and_then(|()| self.connect_from(s.node, dst, Some((key, &s))));
        if conn.is_err() {
            // The socket is gone (tokio's `connect` takes it): so is its
            // binding, unless the connection took it.
            if let Some(local) = s.local {
                self.ports
                    .unbind(s.node, local.port(), SOCK_OWNER | key.index);
            }
        }
        conn
    }

    /// Makes socket `key` (consumed) a listener with `backlog`: the
    /// listener's key. An unbound socket is bound first to the unspecified
    /// address of its family and an ephemeral port, as Linux's `listen`
    /// does.
    pub(crate) fn socket_listen(&mut self, key: Key, backlog: u32) -> io::Result<Key> {
        if self.socket(key)?.local.is_none() {
            let any = if self.sockets.get(key).expect("checked").v6 {
                SocketAddr::from(([0u16; 8], 0))
            } else {
                SocketAddr::from(([0u8; 4], 0))
            };
            self.socket_bind(key, any)?;
        }
        let s = self.sockets.remove(key).expect("checked");
        let local = s.local.expect("bound above");
        let lkey = self.listeners.next_key();
        let held = held_by_accepted(&self.conns, &self.by_route, s.node, s.opts.reuse);
        let owner = SOCK_OWNER | key.index;
        if let Err(e) = self
            .ports
            .listen(s.node, local.port(), owner, lkey.index, held)
        {
            self.ports.unbind(s.node, local.port(), owner);
            return Err(e);
        }
        let backlog = Some(backlog.min(SOMAXCONN));
        Ok(self.new_listener(s.node, local, backlog, s.opts))
    }

    /// `node` was killed: its sockets close, their ports are free.
    pub(super) fn sockets_killed(&mut self, node: u32) {
        for key in self.sockets.keys() {
            let s = self.sockets.get_mut(key).expect("listed");
            if s.node != node || s.closed {
                continue;
            }
            s.closed = true;
            if let Some(local) = s.local {
                self.ports
                    .unbind(node, local.port(), SOCK_OWNER | key.index);
            }
        }
    }

    /// `AddrNotAvailable` when a connection end on `node` that is not
    /// closed or failed already has the 4-tuple `local`-`dst` (two
    /// sockets bound to one address with `SO_REUSEADDR`, connecting to one
    /// peer), as Linux's `connect` says.
    pub(super) fn check_tuple(
        &self,
        node: u32,
        local: SocketAddr,
        dst: SocketAddr,
    ) -> io::Result<()> {
        let (l, p) = (
            crate::addr::WireAddr::from(local).word(),
            crate::addr::WireAddr::from(dst).word(),
        );
        let taken = self
            .by_route
            .range((node, l, p, 0, 0, 0)..=(node, l, p, u32::MAX, u32::MAX, u8::MAX))
            .any(|&(_, _, _, index, generation, end)| {
                self.conns.get(Key { index, generation }).is_some_and(|c| {
                    let e = &c.ends[end as usize];
                    e.local == local
                        && e.peer == dst
                        && !e.closed
                        && !matches!(e.phase, Phase::Failed(_))
                })
            });
        if taken {
            return Err(io::Error::new(
                io::ErrorKind::AddrNotAvailable,
                format!(
                    "cannot assign requested address: a connection {local} -> {dst} already \
                     exists on node {} (sockets sharing an address with SO_REUSEADDR must \
                     connect to different peers)",
                    node_name(node)
                ),
            ));
        }
        Ok(())
    }
}

/// `InvalidInput` when `addr` is not of the socket's family (Linux says
/// `EAFNOSUPPORT` or `EINVAL`; std has no stable kind for the first).
fn family(v6: bool, addr: SocketAddr, what: &str) -> io::Result<()> {
    if addr.is_ipv6() == v6 {
        return Ok(());
    }
    let (family, other, new) = if v6 {
        ("IPv6", "IPv4", "new_v4")
    } else {
        ("IPv4", "IPv6", "new_v6")
    };
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "address family not supported: an {family} TcpSocket cannot {what} the {other} \
             address {addr}; make the socket with TcpSocket::{new}()"
        ),
    ))
}

/// `InvalidInput` for a socket bound to a loopback address that connects
/// beyond its node, as Linux's `EINVAL` (a loopback source cannot leave
/// the host).
fn loopback_only(s: &Sock, dst: SocketAddr) -> io::Result<()> {
    let Some(local) = s.local.filter(|l| l.ip().is_loopback()) else {
        return Ok(());
    };
    let dst = destination(dst);
    if dst.ip().is_loopback() || is_node_ip(s.node, dst.ip()) {
        return Ok(());
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "invalid argument: the socket is bound to the loopback address {local}, which \
             cannot reach {dst} on another node; bind it to the node's address or the \
             unspecified address instead"
        ),
    ))
}
