//! Addresses and names: every node has an IPv4 address and its name as
//! hostname.
//!
//! Node `n` (by id, `main` being 0) has address `10.0.0.0 + n + 1`: `main`
//! is `10.0.0.1`, the first node built is `10.0.0.2`, and so on (the
//! count carries into the higher bytes past 254). `127.0.0.1` and
//! `localhost` are the node itself. IPv6 is not simulated yet.

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use sim_core::ext;
use sim_core::node::Node;

/// The first ephemeral port (IANA's dynamic range, as Windows and BSDs use).
pub(crate) const EPHEMERAL_FIRST: u16 = 49152;

/// The address of node `id`.
pub(crate) fn node_ip(id: u32) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(Ipv4Addr::new(10, 0, 0, 0)) + id + 1)
}

/// The node id that owns `ip`, if a node of the running simulation has it.
pub(crate) fn node_of_ip(ip: Ipv4Addr) -> Option<u32> {
    let offset = u32::from(ip).checked_sub(u32::from(Ipv4Addr::new(10, 0, 0, 1)))?;
    if offset >= 1 << 24 {
        return None;
    }
    ext::node(offset).map(|n| n.id().as_u32())
}

/// The address of a node.
///
/// # Panics
///
/// Outside the node's simulation.
///
/// ```
/// # let mut sim = sim_core::Sim::builder().build();
/// # sim.run(async {
/// use sim_core::node::Node;
/// assert_eq!(sim_net::node_addr(&Node::current()).to_string(), "10.0.0.1");
/// let db = Node::builder("db").build();
/// assert_eq!(sim_net::node_addr(&db).to_string(), "10.0.0.2");
/// # }).unwrap();
/// ```
pub fn node_addr(node: &Node) -> IpAddr {
    IpAddr::V4(node_ip(node.id().as_u32()))
}

/// Things that name socket addresses, as tokio's `ToSocketAddrs`:
/// `SocketAddr`, `(IpAddr, u16)`, `(&str, u16)`, `"host:port"` (a node
/// name, `localhost` or an IP literal) and `String`s of those.
///
/// Sealed: resolution happens inside the simulation, from its nodes.
///
/// ```
/// # let mut sim = sim_core::Sim::builder().build();
/// # sim.run(async {
/// sim_core::node::Node::builder("db").build();
/// let mut addrs = sim_net::lookup_host(("db", 5432)).await.unwrap();
/// assert_eq!(addrs.next().unwrap().to_string(), "10.0.0.2:5432");
/// # }).unwrap();
/// ```
pub trait ToSocketAddrs: sealed::Sealed {
    #[doc(hidden)]
    fn resolve(&self) -> io::Result<Vec<SocketAddr>>;
}

mod sealed {
    pub trait Sealed {}
}

macro_rules! direct {
    ($($t:ty),*) => {$(
        impl sealed::Sealed for $t {}
        impl ToSocketAddrs for $t {
            fn resolve(&self) -> io::Result<Vec<SocketAddr>> {
                Ok(vec![SocketAddr::from(*self)])
            }
        }
    )*};
}

direct!(
    SocketAddr,
    SocketAddrV4,
    SocketAddrV6,
    (IpAddr, u16),
    (Ipv4Addr, u16),
    ([u8; 4], u16)
);

impl sealed::Sealed for (&str, u16) {}
impl ToSocketAddrs for (&str, u16) {
    fn resolve(&self) -> io::Result<Vec<SocketAddr>> {
        Ok(vec![SocketAddr::new(resolve_host(self.0)?, self.1)])
    }
}

impl sealed::Sealed for (String, u16) {}
impl ToSocketAddrs for (String, u16) {
    fn resolve(&self) -> io::Result<Vec<SocketAddr>> {
        (self.0.as_str(), self.1).resolve()
    }
}

impl sealed::Sealed for str {}
impl ToSocketAddrs for str {
    fn resolve(&self) -> io::Result<Vec<SocketAddr>> {
        if let Ok(addr) = self.parse::<SocketAddr>() {
            return Ok(vec![addr]);
        }
        let Some((host, port)) = self.rsplit_once(':') else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("invalid socket address '{self}': expected host:port"),
            ));
        };
        let port: u16 = port.parse().map_err(|_| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("invalid port value in '{self}'"),
            )
        })?;
        (host, port).resolve()
    }
}

impl sealed::Sealed for String {}
impl ToSocketAddrs for String {
    fn resolve(&self) -> io::Result<Vec<SocketAddr>> {
        self.as_str().resolve()
    }
}

impl<T: ToSocketAddrs + ?Sized> sealed::Sealed for &T {}
impl<T: ToSocketAddrs + ?Sized> ToSocketAddrs for &T {
    fn resolve(&self) -> io::Result<Vec<SocketAddr>> {
        (**self).resolve()
    }
}

/// A host name (node name, `localhost`) or IP literal to an address.
fn resolve_host(host: &str) -> io::Result<IpAddr> {
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(ip);
    }
    if host.eq_ignore_ascii_case("localhost") {
        return Ok(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    match Node::lookup(host) {
        Some(node) => Ok(node_addr(&node)),
        None => Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!(
                "failed to lookup address information: unknown host '{host}' \
                 (hosts are the simulation's node names: {})",
                ext::node_names().join(", ")
            ),
        )),
    }
}

/// Resolves `host` (see [`ToSocketAddrs`]) to socket addresses, as tokio's
/// `lookup_host`: node names resolve to their node's address, `localhost`
/// to `127.0.0.1`, IP literals to themselves. Instant (no virtual time
/// passes).
///
/// # Errors
///
/// `NotFound` for an unknown host (the message names it and lists the
/// nodes), `InvalidInput` for a malformed address or port.
///
/// # Panics
///
/// Outside a simulation.
///
/// ```
/// # let mut sim = sim_core::Sim::builder().build();
/// # sim.run(async {
/// sim_core::node::Node::builder("cache").build();
/// let addr = sim_net::lookup_host("cache:11211").await.unwrap().next().unwrap();
/// assert_eq!(addr.to_string(), "10.0.0.2:11211");
/// let err = sim_net::lookup_host("nope:1").await.map(|_| ()).unwrap_err();
/// assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
/// assert!(err.to_string().contains("'nope'"));
/// # }).unwrap();
/// ```
pub async fn lookup_host<T: ToSocketAddrs>(
    host: T,
) -> io::Result<impl Iterator<Item = SocketAddr>> {
    Ok(host.resolve()?.into_iter())
}

/// The first address `addr` resolves to, as an IPv4 socket address.
pub(crate) fn resolve_v4<T: ToSocketAddrs + ?Sized>(addr: &T) -> io::Result<SocketAddrV4> {
    let addrs = addr.resolve()?;
    let mut saw_v6 = None;
    for a in addrs {
        match a {
            SocketAddr::V4(v4) => return Ok(v4),
            SocketAddr::V6(v6) => saw_v6 = Some(v6),
        }
    }
    match saw_v6 {
        Some(v6) => Err(io::Error::new(
            io::ErrorKind::AddrNotAvailable,
            format!("{v6}: IPv6 is not simulated yet; use the nodes' IPv4 addresses"),
        )),
        None => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "could not resolve to any addresses",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_addresses_count_from_ten_zero_zero_one() {
        assert_eq!(node_ip(0), Ipv4Addr::new(10, 0, 0, 1));
        assert_eq!(node_ip(1), Ipv4Addr::new(10, 0, 0, 2));
        assert_eq!(node_ip(300), Ipv4Addr::new(10, 0, 1, 45));
    }

    #[test]
    fn literals_resolve_without_a_simulation() {
        let a = "10.0.0.9:80".resolve().unwrap();
        assert_eq!(a[0].to_string(), "10.0.0.9:80");
        let b = (Ipv4Addr::LOCALHOST, 7).resolve().unwrap();
        assert_eq!(b[0].to_string(), "127.0.0.1:7");
        assert_eq!(("[::1]", 5).resolve().unwrap()[0].to_string(), "[::1]:5");
        assert_eq!(
            "host".resolve().unwrap_err().kind(),
            io::ErrorKind::InvalidInput
        );
        assert_eq!(
            "host:99999".resolve().unwrap_err().kind(),
            io::ErrorKind::InvalidInput
        );
    }
}
