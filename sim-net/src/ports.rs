//! Port tables: which addresses and ports of a node are bound, with the
//! binding rules (`AddrNotAvailable`, `AddrInUse`, ephemeral ports from
//! 49152, per node). UDP and TCP each have one: their port spaces are
//! separate, as on a real host. IPv4 and IPv6 bindings share a protocol's
//! ports, but a wildcard covers only its own family (IPv6 sockets are
//! `IPV6_V6ONLY`): `0.0.0.0:80` and `[::]:80` can both be bound.
//!
//! TCP bindings also carry Linux's `SO_REUSEADDR` rule: two bindings of
//! overlapping addresses clash unless both have `reuse` set and the one
//! already there is not listening ([`Flags`]). UDP bindings never set it.

use std::collections::BTreeMap;
use std::io;
use std::net::{IpAddr, SocketAddr};

use crate::addr::{EPHEMERAL_FIRST, is_node_ip, node_ip_like};
use crate::state::node_name;

/// How a binding shares its port (TCP only; UDP bindings are all
/// [`Flags::default`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Flags {
    /// `SO_REUSEADDR`: may share a port with other `reuse` bindings that
    /// are not listening.
    pub(crate) reuse: bool,
    /// A TCP listener: receives SYNs ([`PortTable::listener`]).
    pub(crate) listening: bool,
}

/// One binding of a port: its address, owner and flags.
#[derive(Debug)]
struct Binding {
    ip: IpAddr,
    owner: u32,
    flags: Flags,
}

impl Binding {
    /// Whether a binding of `ip` with `reuse` may not share the port with
    /// this one: overlapping addresses (the same, or a wildcard on either
    /// side within one family), unless both reuse the address and this
    /// one is not listening (Linux's `inet_csk_bind_conflict`).
    fn clashes(&self, ip: IpAddr, reuse: bool) -> bool {
        overlap(self.ip, ip) && !(reuse && self.flags.reuse && !self.flags.listening)
    }
}

/// Whether bindings of `a` and `b` (on one port) cover a common address.
pub(crate) fn overlap(a: IpAddr, b: IpAddr) -> bool {
    a == b || (a.is_ipv6() == b.is_ipv6() && (a.is_unspecified() || b.is_unspecified()))
}

/// The bindings of one protocol: `(node, port)` to each binding's address
/// and owner (an index the protocol's own tables give meaning to).
#[derive(Debug, Default)]
pub(crate) struct PortTable {
    bindings: BTreeMap<(u32, u16), Vec<Binding>>,
    /// The next ephemeral port to try, by node.
    ephemeral: BTreeMap<u32, u16>,
}

impl PortTable {
    /// Binds `addr` on `node` for `owner` (port 0: an ephemeral port);
    /// returns the bound address.
    pub(crate) fn bind(
        &mut self,
        node: u32,
        addr: SocketAddr,
        owner: u32,
    ) -> io::Result<SocketAddr> {
        // A UDP socket may bind an IPv4 group address, as on Linux: it
        // then takes only that group's datagrams (see `udp/multicast.rs`).
        let group = matches!(addr.ip(), IpAddr::V4(ip) if ip.is_multicast());
        if !group {
            check_address(node, addr)?;
        }
        self.bind_checked(node, addr, owner, Flags::default(), |_, _| false)
    }

    /// [`bind`](Self::bind) with `flags`, where `held(port, ip)` says
    /// whether something outside the table holds `ip:port` in a way that
    /// clashes with this binding (TCP's accepted connections).
    pub(crate) fn bind_as(
        &mut self,
        node: u32,
        addr: SocketAddr,
        owner: u32,
        flags: Flags,
        held: impl Fn(u16, IpAddr) -> bool,
    ) -> io::Result<SocketAddr> {
        check_address(node, addr)?;
        self.bind_checked(node, addr, owner, flags, held)
    }

    /// [`bind_as`](Self::bind_as) of an address `node` may bind.
    fn bind_checked(
        &mut self,
        node: u32,
        addr: SocketAddr,
        owner: u32,
        flags: Flags,
        held: impl Fn(u16, IpAddr) -> bool,
    ) -> io::Result<SocketAddr> {
        let ip = addr.ip();
        let port = match addr.port() {
            0 => self.ephemeral_port(node, ip, &held)?,
            p if self.clash(node, p, ip, flags.reuse, u32::MAX) || held(p, ip) => {
                return Err(in_use(node, addr));
            }
            p => p,
        };
        self.bindings
            .entry((node, port))
            .or_default()
            .push(Binding { ip, owner, flags });
        Ok(SocketAddr::new(ip, port))
    }

    /// Whether a binding of `ip:port` with `reuse` would clash with one
    /// there other than `except`'s.
    fn clash(&self, node: u32, port: u16, ip: IpAddr, reuse: bool, except: u32) -> bool {
        self.bindings.get(&(node, port)).is_some_and(|bound| {
            bound
                .iter()
                .any(|b| b.owner != except && b.clashes(ip, reuse))
        })
    }

    /// Gives `owner`'s binding of `port` on `node` to `new_owner` with
    /// `flags` and address `ip`, with no check (a bound socket becoming a
    /// connection: Linux narrows a wildcard binding to the source address
    /// and checks only the connection's 4-tuple).
    pub(crate) fn rebind(
        &mut self,
        node: u32,
        port: u16,
        owner: u32,
        ip: IpAddr,
        new_owner: u32,
        flags: Flags,
    ) {
        let bound = self.bindings.entry((node, port)).or_default();
        match bound.iter_mut().find(|b| b.owner == owner) {
            Some(b) => {
                *b = Binding {
                    ip,
                    owner: new_owner,
                    flags,
                }
            }
            None => bound.push(Binding {
                ip,
                owner: new_owner,
                flags,
            }),
        }
    }

    /// Makes `owner`'s binding of `port` on `node` a listener owned by
    /// `new_owner`, if no other binding there clashes with a listener of
    /// its address (Linux checks again at `listen`: another socket with
    /// `SO_REUSEADDR` may have bound the address meanwhile, and may even
    /// be listening now).
    pub(crate) fn listen(
        &mut self,
        node: u32,
        port: u16,
        owner: u32,
        new_owner: u32,
        held: impl Fn(u16, IpAddr) -> bool,
    ) -> io::Result<()> {
        let bound = self.bindings.get(&(node, port));
        let Some(b) = bound.and_then(|v| v.iter().find(|b| b.owner == owner)) else {
            return Ok(());
        };
        let (ip, reuse) = (b.ip, b.flags.reuse);
        if self.clash(node, port, ip, reuse, owner) || held(port, ip) {
            return Err(in_use(node, SocketAddr::new(ip, port)));
        }
        let b = self
            .bindings
            .get_mut(&(node, port))
            .and_then(|v| v.iter_mut().find(|b| b.owner == owner))
            .expect("found above");
        b.owner = new_owner;
        b.flags.listening = true;
        Ok(())
    }
}

/// `AddrNotAvailable` unless node `node` owns `addr`'s address (its own,
/// loopback, or the unspecified address).
pub(crate) fn check_address(node: u32, addr: SocketAddr) -> io::Result<()> {
    let ip = addr.ip();
    if !(ip.is_unspecified() || ip.is_loopback() || is_node_ip(node, ip)) {
        let (loopback, any) = if ip.is_ipv6() {
            ("::1", "::")
        } else {
            ("127.0.0.1", "0.0.0.0")
        };
        return Err(io::Error::new(
            io::ErrorKind::AddrNotAvailable,
            format!(
                "cannot assign requested address {addr}: node {} owns {}, {loopback} and {any}",
                node_name(node),
                node_ip_like(node, ip)
            ),
        ));
    }
    Ok(())
}

/// The error of a bind to `addr` on `node` that clashes.
fn in_use(node: u32, addr: SocketAddr) -> io::Error {
    io::Error::new(
        io::ErrorKind::AddrInUse,
        format!("address already in use: {addr} on node {}", node_name(node)),
    )
}

impl PortTable {
    /// Whether any binding of `ip:port` is there (an ephemeral port must
    /// be free of them, whatever their flags).
    fn port_taken(&self, node: u32, port: u16, ip: IpAddr) -> bool {
        self.bindings
            .get(&(node, port))
            .is_some_and(|bound| bound.iter().any(|b| overlap(b.ip, ip)))
    }

    fn ephemeral_port(
        &mut self,
        node: u32,
        ip: IpAddr,
        held: &impl Fn(u16, IpAddr) -> bool,
    ) -> io::Result<u16> {
        let span = u32::from(u16::MAX - EPHEMERAL_FIRST) + 1;
        let mut port = *self.ephemeral.get(&node).unwrap_or(&EPHEMERAL_FIRST);
        for _ in 0..span {
            let next = if port == u16::MAX {
                EPHEMERAL_FIRST
            } else {
                port + 1
            };
            if !self.port_taken(node, port, ip) && !held(port, ip) {
                self.ephemeral.insert(node, next);
                return Ok(port);
            }
            port = next;
        }
        Err(io::Error::new(
            io::ErrorKind::AddrInUse,
            format!(
                "no free ephemeral port on node {} (all of {EPHEMERAL_FIRST}..=65535 are bound)",
                node_name(node)
            ),
        ))
    }

    /// Removes `owner`'s binding of `port` on `node`.
    pub(crate) fn unbind(&mut self, node: u32, port: u16, owner: u32) {
        if let Some(bound) = self.bindings.get_mut(&(node, port)) {
            bound.retain(|b| b.owner != owner);
            if bound.is_empty() {
                self.bindings.remove(&(node, port));
            }
        }
    }

    /// The owner on `node` that receives traffic for `dst`: an exact
    /// address binding first, then a wildcard one of `dst`'s family.
    pub(crate) fn receiver(&self, node: u32, dst: SocketAddr) -> Option<u32> {
        self.find(node, dst, |_| true)
    }

    /// The TCP listener on `node` that takes SYNs for `dst`: an exact
    /// address listener first, then a wildcard one of `dst`'s family
    /// (other bindings of the port, connections and bound sockets, take
    /// none).
    pub(crate) fn listener(&self, node: u32, dst: SocketAddr) -> Option<u32> {
        self.find(node, dst, |f| f.listening)
    }

    /// The first binding with flags `ok` for `dst`: exact, then wildcard.
    #[inline]
    fn find(&self, node: u32, dst: SocketAddr, ok: impl Fn(Flags) -> bool) -> Option<u32> {
        let bound = self.bindings.get(&(node, dst.port()))?;
        let exact = bound.iter().find(|b| b.ip == dst.ip() && ok(b.flags));
        let any = || {
            bound
                .iter()
                .find(|b| b.ip.is_unspecified() && b.ip.is_ipv6() == dst.is_ipv6() && ok(b.flags))
        };
        exact.or_else(any).map(|b| b.owner)
    }

    /// A killed node starts its ephemeral ports over.
    pub(crate) fn node_killed(&mut self, node: u32) {
        self.ephemeral.remove(&node);
    }
}
