//! Port tables: which addresses and ports of a node are bound, with the
//! binding rules (`AddrNotAvailable`, `AddrInUse`, ephemeral ports from
//! 49152, per node). UDP and TCP each have one: their port spaces are
//! separate, as on a real host. IPv4 and IPv6 bindings share a protocol's
//! ports, but a wildcard covers only its own family (IPv6 sockets are
//! `IPV6_V6ONLY`): `0.0.0.0:80` and `[::]:80` can both be bound.

use std::collections::BTreeMap;
use std::io;
use std::net::{IpAddr, SocketAddr};

use crate::addr::{EPHEMERAL_FIRST, is_node_ip, node_ip_like};
use crate::state::node_name;

/// The bindings of one protocol: `(node, port)` to each binding's address
/// and owner (an index the protocol's own tables give meaning to).
#[derive(Debug, Default)]
pub(crate) struct PortTable {
    bindings: BTreeMap<(u32, u16), Vec<(IpAddr, u32)>>,
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
        let port = match addr.port() {
            0 => self.ephemeral_port(node, ip)?,
            p if self.port_taken(node, p, ip) => {
                return Err(io::Error::new(
                    io::ErrorKind::AddrInUse,
                    format!("address already in use: {addr} on node {}", node_name(node)),
                ));
            }
            p => p,
        };
        self.bindings
            .entry((node, port))
            .or_default()
            .push((ip, owner));
        Ok(SocketAddr::new(ip, port))
    }

    /// Whether binding `ip:port` would clash: the same address, or a
    /// wildcard on either side, within one family.
    fn port_taken(&self, node: u32, port: u16, ip: IpAddr) -> bool {
        self.bindings.get(&(node, port)).is_some_and(|bound| {
            bound.iter().any(|(b, _)| {
                *b == ip
                    || (b.is_ipv6() == ip.is_ipv6() && (b.is_unspecified() || ip.is_unspecified()))
            })
        })
    }

    fn ephemeral_port(&mut self, node: u32, ip: IpAddr) -> io::Result<u16> {
        let span = u32::from(u16::MAX - EPHEMERAL_FIRST) + 1;
        let mut port = *self.ephemeral.get(&node).unwrap_or(&EPHEMERAL_FIRST);
        for _ in 0..span {
            let next = if port == u16::MAX {
                EPHEMERAL_FIRST
            } else {
                port + 1
            };
            if !self.port_taken(node, port, ip) {
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
            bound.retain(|(_, o)| *o != owner);
            if bound.is_empty() {
                self.bindings.remove(&(node, port));
            }
        }
    }

    /// The owner on `node` that receives traffic for `dst`: an exact
    /// address binding first, then a wildcard one of `dst`'s family.
    pub(crate) fn receiver(&self, node: u32, dst: SocketAddr) -> Option<u32> {
        let bound = self.bindings.get(&(node, dst.port()))?;
        let exact = bound.iter().find(|(ip, _)| *ip == dst.ip());
        let any = || {
            bound
                .iter()
                .find(|(ip, _)| ip.is_unspecified() && ip.is_ipv6() == dst.is_ipv6())
        };
        exact.or_else(any).map(|(_, o)| *o)
    }

    /// A killed node starts its ephemeral ports over.
    pub(crate) fn node_killed(&mut self, node: u32) {
        self.ephemeral.remove(&node);
    }
}
