//! Addresses and names: every node has an IPv4 and an IPv6 address and
//! its name as hostname.
//!
//! Node `n` (by id, `main` being 0) has the IPv4 address `10.0.0.0 + n +
//! 1` and the IPv6 address `fd00:: + n + 1` (a unique local address in
//! `fd00::/8`, the same count in its low 32 bits): `main` is `10.0.0.1` and
//! `fd00::1`, the first node built is `10.0.0.2` and `fd00::2`, and so on
//! (the IPv4 count carries into the higher bytes past 254; the IPv6 one is
//! hexadecimal, so node 9 is `fd00::a`). `127.0.0.1`, `::1` and
//! `localhost` are the node itself, and so is the unspecified address
//! (`0.0.0.0`, `[::]`) as a destination, as on Linux: it means loopback. A node name resolves to its IPv4
//! address first, then its IPv6 one; `localhost` to `127.0.0.1`, then
//! `::1`.
//!
//! IPv6 sockets behave like Linux sockets with `IPV6_V6ONLY` set (the
//! default on Windows and the BSDs): `[::]` means every IPv6 address of
//! the node and nothing else, so a `[::]:80` listener does not accept IPv4
//! connections and can be bound next to a `0.0.0.0:80` one. A socket never
//! talks to the other family: a UDP socket sending to (or connecting to)
//! an address of the other family gets `InvalidInput` (Linux answers
//! `EAFNOSUPPORT`, which std reports as an uncategorized error that cannot
//! be matched on; `InvalidInput` is the nearest stable kind). Flow labels
//! and scope ids are not simulated: they read back as 0.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use sim_core::ext;
use sim_core::node::Node;

/// The first ephemeral port (IANA's dynamic range, as Windows and BSDs use).
pub(crate) const EPHEMERAL_FIRST: u16 = 49152;

/// The IPv6 prefix of node addresses: `fd00::/96`, the node's count in the
/// low 32 bits.
const V6_PREFIX: u128 = 0xfd00 << 112;

/// The IPv4 address of node `id`.
pub(crate) fn node_ip(id: u32) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(Ipv4Addr::new(10, 0, 0, 0)) + id + 1)
}

/// The IPv6 address of node `id`.
pub(crate) fn node_ip6(id: u32) -> Ipv6Addr {
    Ipv6Addr::from(V6_PREFIX | (u128::from(id) + 1))
}

/// The address of node `id` in `ip`'s family.
pub(crate) fn node_ip_like(id: u32, ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => IpAddr::V4(node_ip(id)),
        IpAddr::V6(_) => IpAddr::V6(node_ip6(id)),
    }
}

/// The loopback address of `ip`'s family.
pub(crate) fn loopback_like(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::LOCALHOST),
    }
}

/// `dst` as a destination: the unspecified address (`0.0.0.0`, `[::]`)
/// means the node itself, over loopback, as on Linux and the BSDs (so
/// connecting to a wildcard listener's `local_addr()` works).
pub(crate) fn destination(dst: SocketAddr) -> SocketAddr {
    if dst.ip().is_unspecified() {
        SocketAddr::new(loopback_like(dst.ip()), dst.port())
    } else {
        dst
    }
}

/// The count (node id + 1) an IPv6 node address carries, if `ip` has the
/// form of one.
pub(crate) fn v6_count(ip: Ipv6Addr) -> Option<u32> {
    let bits = u128::from(ip);
    let count = bits as u32;
    (bits >> 32 == V6_PREFIX >> 32 && count != 0).then_some(count)
}

/// The node id that owns `ip`, if a node of the running simulation has it.
pub(crate) fn node_of_ip(ip: IpAddr) -> Option<u32> {
    let offset = match ip {
        IpAddr::V4(ip) => {
            let offset = u32::from(ip).checked_sub(u32::from(Ipv4Addr::new(10, 0, 0, 1)))?;
            if offset >= 1 << 24 {
                return None;
            }
            offset
        }
        IpAddr::V6(ip) => v6_count(ip)? - 1,
    };
    ext::node(offset).map(|n| n.id().as_u32())
}

/// Whether node `id` owns `ip` as its own address (not loopback).
pub(crate) fn is_node_ip(id: u32, ip: IpAddr) -> bool {
    ip == node_ip_like(id, ip)
}

/// The 32-bit code of an IPv6 address on the wire and in event words:
/// `::1` is 0, a node's `fd00::n` is `n`, any other address this.
pub(crate) const V6_OTHER: u32 = u32::MAX;

/// Bit 48 of a [`WireAddr`]: the address is IPv6.
const V6_BIT: u64 = 1 << 48;

/// The low 48 bits of a [`WireAddr`]: an event word's address.
pub(crate) const ADDR_BITS: u64 = V6_BIT - 1;

/// A socket address as the fabric carries it, in one word: `ip << 16 |
/// port`, and for IPv6 bit 48 set and the 32-bit code of [`V6_OTHER`] as
/// `ip`. Exact for everything that reaches a node (node addresses and
/// loopback); an IPv6 address outside the simulation keeps only its port
/// (it is dropped as "no such host" when sent). Its low 48 bits are the
/// address in event words. Eight bytes, so a segment or datagram in
/// flight carries its addresses as cheaply as with IPv4 alone.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct WireAddr(u64);

impl WireAddr {
    pub(crate) fn new(a: SocketAddr) -> WireAddr {
        let (ip, v6) = match a {
            SocketAddr::V4(a) => (u32::from(*a.ip()), 0),
            SocketAddr::V6(a) if a.ip().is_loopback() => (0, V6_BIT),
            SocketAddr::V6(a) => (v6_count(*a.ip()).unwrap_or(V6_OTHER), V6_BIT),
        };
        WireAddr((u64::from(ip) << 16) | u64::from(a.port()) | v6)
    }

    /// The address of an event word (its low 48 bits) of one family.
    pub(crate) fn from_word(word: u64, v6: bool) -> WireAddr {
        WireAddr(word & ADDR_BITS | if v6 { V6_BIT } else { 0 })
    }

    /// The address for sockets (an address outside the simulation as `::`).
    pub(crate) fn get(self) -> SocketAddr {
        let (ip, port) = ((self.0 >> 16) as u32, self.0 as u16);
        if self.is_ipv6() {
            let ip = match ip {
                0 => Ipv6Addr::LOCALHOST,
                V6_OTHER => Ipv6Addr::UNSPECIFIED,
                n => Ipv6Addr::from(V6_PREFIX | u128::from(n)),
            };
            SocketAddr::new(IpAddr::V6(ip), port)
        } else {
            SocketAddr::new(IpAddr::V4(Ipv4Addr::from(ip)), port)
        }
    }

    pub(crate) fn is_ipv6(self) -> bool {
        self.0 & V6_BIT != 0
    }

    /// The address as an event word (the low 48 bits).
    pub(crate) fn word(self) -> u64 {
        self.0 & ADDR_BITS
    }

    fn ip(self) -> u32 {
        (self.0 >> 16) as u32
    }

    pub(crate) fn is_loopback(self) -> bool {
        if self.is_ipv6() {
            self.ip() == 0
        } else {
            Ipv4Addr::from(self.ip()).is_loopback()
        }
    }

    /// The node id this address names if it is a node's own (not
    /// loopback) address, whether or not that node exists (yet).
    pub(crate) fn node_id(self) -> Option<u32> {
        if self.is_ipv6() {
            match self.ip() {
                0 | V6_OTHER => None,
                n => Some(n - 1),
            }
        } else {
            let offset = self
                .ip()
                .checked_sub(u32::from(Ipv4Addr::new(10, 0, 0, 1)))?;
            (offset < 1 << 24).then_some(offset)
        }
    }

    /// Whether this is node `id`'s own (not loopback) address.
    pub(crate) fn is_of(self, id: u32) -> bool {
        if self.is_ipv6() {
            u64::from(self.ip()) == u64::from(id) + 1
        } else {
            self.ip() == u32::from(node_ip(id))
        }
    }
}

impl From<SocketAddr> for WireAddr {
    fn from(a: SocketAddr) -> WireAddr {
        WireAddr::new(a)
    }
}

impl std::fmt::Debug for WireAddr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.get())
    }
}

/// Where a datagram from `src` (a socket of node `from`) to `dst` comes
/// from: an unspecified (`0.0.0.0`, `[::]`) source becomes the loopback
/// address for loopback traffic, else the node's address of `dst`'s
/// family.
pub(crate) fn source(from: u32, src: SocketAddr, dst: SocketAddr) -> SocketAddr {
    match (src.ip().is_unspecified(), dst.ip().is_loopback()) {
        (true, true) => SocketAddr::new(dst.ip(), src.port()),
        (true, false) => SocketAddr::new(node_ip_like(from, dst.ip()), src.port()),
        _ => src,
    }
}

/// The IPv4 address of a node.
///
/// # Panics
///
/// Inside a simulation other than the node's (a handle kept from an earlier run).
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
#[track_caller]
pub fn node_addr(node: &Node) -> IpAddr {
    IpAddr::V4(node_ip(checked_id(node, "detsim::net::node_addr")))
}

/// `node`'s id, once checked to be a node of the running simulation: a
/// handle kept from another simulation would otherwise stand for whichever
/// node has its id here (or for none).
///
/// # Panics
///
/// Inside a simulation, for a node of another one, with the message
/// `Node`'s own methods give. (Outside any simulation it checks nothing:
/// the caller's own lookup says where it was called.)
#[track_caller]
pub(crate) fn checked_id(node: &Node, api: &str) -> u32 {
    let id = node.id().as_u32();
    if ext::try_instance().is_some() && ext::node(id) != Some(*node) {
        panic!(
            "{api} was called with a node of a different simulation from the one running: \
             detsim handles belong to one simulation; use them inside the `Sim::run` that \
             made them"
        );
    }
    id
}

/// The IPv6 address of a node: `fd00::` plus its id plus one (see the
/// [crate docs](crate#addresses)).
///
/// # Panics
///
/// Inside a simulation other than the node's (a handle kept from an earlier run).
///
/// ```
/// # let mut sim = sim_core::Sim::builder().build();
/// # sim.run(async {
/// use sim_core::node::Node;
/// assert_eq!(sim_net::node_addr_v6(&Node::current()).to_string(), "fd00::1");
/// let db = Node::builder("db").build();
/// assert_eq!(sim_net::node_addr_v6(&db).to_string(), "fd00::2");
/// # }).unwrap();
/// ```
#[track_caller]
pub fn node_addr_v6(node: &Node) -> Ipv6Addr {
    node_ip6(checked_id(node, "detsim::net::node_addr_v6"))
}

/// Things that name socket addresses, as tokio's `ToSocketAddrs`:
/// `SocketAddr`, `(IpAddr, u16)`, `(Ipv4Addr, u16)`, `(Ipv6Addr, u16)`,
/// `(&str, u16)`, `"host:port"` (a node name, `localhost` or an IP
/// literal, IPv6 in brackets: `"[fd00::2]:80"`), `String`s of those, and
/// `&[SocketAddr]` (several addresses, in order).
///
/// What uses the addresses, as tokio does: `TcpStream::connect`,
/// `TcpListener::bind`, `UdpSocket::bind` and `UdpSocket::connect` try
/// each in turn until one succeeds (so a name reaches a node that
/// listens only on IPv6 after its IPv4 address refuses) and return the
/// last error when none does; `UdpSocket::send_to` uses the first only.
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
                Ok(vec![plain(SocketAddr::from(*self))])
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
    (Ipv6Addr, u16),
    ([u8; 4], u16),
    ([u16; 8], u16)
);

impl sealed::Sealed for [SocketAddr] {}
/// Each address of the slice, in order (flow labels and scope ids
/// dropped), as tokio's `&[SocketAddr]`: `bind` and `connect` try them in
/// turn.
impl ToSocketAddrs for [SocketAddr] {
    fn resolve(&self) -> io::Result<Vec<SocketAddr>> {
        Ok(self.iter().map(|a| plain(*a)).collect())
    }
}

impl sealed::Sealed for (&str, u16) {}
impl ToSocketAddrs for (&str, u16) {
    fn resolve(&self) -> io::Result<Vec<SocketAddr>> {
        let port = self.1;
        Ok(resolve_host(self.0)?
            .into_iter()
            .map(|ip| SocketAddr::new(ip, port))
            .collect())
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
            return Ok(vec![plain(addr)]);
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

/// A host name (node name, `localhost`) or IP literal to its addresses:
/// IPv4 first, then IPv6.
///
/// Node names that this (or the `"host:port"` parsing of `str`) reads as
/// something else are refused when the node is built (sim-core's
/// `node::name` mirrors these rules: keep the two in step).
fn resolve_host(host: &str) -> io::Result<Vec<IpAddr>> {
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(vec![ip]);
    }
    // A fully qualified name's trailing dot names the same host.
    let name = host
        .strip_suffix('.')
        .filter(|n| !n.is_empty())
        .unwrap_or(host);
    if name.eq_ignore_ascii_case("localhost") {
        return Ok(vec![
            IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(Ipv6Addr::LOCALHOST),
        ]);
    }
    // A node whose own name ends in a dot ("x.") is found by it when no
    // node has the name without the dot.
    match lookup_node(name).or_else(|| lookup_node(host)) {
        Some(node) => Ok(vec![node_addr(&node), IpAddr::V6(node_addr_v6(&node))]),
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

/// The node a host name names: its exact name, else (host names are
/// case-insensitive, as in DNS) the one node whose name differs only in
/// ASCII case. Two such nodes (`"a"` and `"A"`) leave it unresolved.
fn lookup_node(name: &str) -> Option<Node> {
    if let Some(node) = Node::lookup(name) {
        return Some(node);
    }
    let names = ext::node_names();
    let mut alike = names.iter().filter(|n| n.eq_ignore_ascii_case(name));
    match (alike.next(), alike.next()) {
        (Some(only), None) => Node::lookup(only),
        _ => None,
    }
}

/// `addr` without a flow label or scope id (not simulated).
fn plain(addr: SocketAddr) -> SocketAddr {
    match addr {
        SocketAddr::V6(a) => SocketAddr::V6(SocketAddrV6::new(*a.ip(), a.port(), 0, 0)),
        v4 => v4,
    }
}

/// Resolves `host` (see [`ToSocketAddrs`]) to socket addresses, as tokio's
/// `lookup_host`: a node name resolves to its node's IPv4 address, then its
/// IPv6 address (names are case-insensitive, as in DNS, unless two nodes'
/// names differ only in case; a trailing dot is allowed, `"db.:5432"`,
/// and a node named with one, `"x."`, is found by it when no node is
/// named `"x"`);
/// `localhost` to `127.0.0.1`, then `::1`; IP literals
/// (`"10.0.0.2:80"`, `"[fd00::2]:80"`) to themselves. Instant (no virtual
/// time passes).
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
/// let addrs: Vec<_> = sim_net::lookup_host("cache:11211").await.unwrap().collect();
/// assert_eq!(addrs[0].to_string(), "10.0.0.2:11211");
/// assert_eq!(addrs[1].to_string(), "[fd00::2]:11211");
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

/// The error of `bind`, `connect` and `send_to` when `addr` resolves to no
/// address at all (no [`ToSocketAddrs`] of this crate does; kept for the
/// contract of tokio's).
pub(crate) fn no_address() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        "could not resolve to any addresses",
    )
}

/// Calls `f` with each address `addr` resolves to, in order, until one
/// succeeds, as tokio's `bind` (and `UdpSocket::connect`) do: the first
/// success wins; when every address fails, the last error. Resolution
/// errors come as they are.
pub(crate) fn try_each<T: ToSocketAddrs + ?Sized, R>(
    addr: &T,
    mut f: impl FnMut(SocketAddr) -> io::Result<R>,
) -> io::Result<R> {
    let mut last = None;
    for a in addr.resolve()? {
        match f(a) {
            Ok(r) => return Ok(r),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(no_address))
}

/// What `send_to` says when the first of several addresses (the only one
/// it uses) is of the other family than the socket's: the family
/// mismatch, and when another address is of the socket's family, the two
/// ways to reach it.
pub(crate) fn first_of_other_family(local: SocketAddr, addrs: &[SocketAddr]) -> io::Error {
    let first = addrs[0];
    let Some(same) = addrs.iter().find(|a| a.is_ipv6() == local.is_ipv6()) else {
        return family_mismatch(local, first);
    };
    let (family, other) = families(local);
    let all: Vec<String> = addrs.iter().map(ToString::to_string).collect();
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "address family not supported: the {family} socket {local} cannot reach the \
             {other} address {first}, the first of {} (send_to uses only the first address, \
             as tokio's does); send to {same} instead, or connect() the socket (connect tries \
             each address) and use send()",
            all.join(", ")
        ),
    )
}

/// The family of `local` and the other one, as words.
fn families(local: SocketAddr) -> (&'static str, &'static str) {
    if local.is_ipv6() {
        ("IPv6", "IPv4")
    } else {
        ("IPv4", "IPv6")
    }
}

/// A socket of one family asked to reach an address of the other.
/// Linux's `ENETUNREACH` for an IPv4-mapped IPv6 address
/// (`[::ffff:10.0.0.2]`): detsim's IPv6 sockets are IPv6-only (as with
/// `IPV6_V6ONLY`), so that address leads nowhere; the message names the
/// IPv4 address to use instead.
pub(crate) fn v4_mapped(dst: SocketAddr) -> io::Result<()> {
    let IpAddr::V6(ip) = dst.ip() else {
        return Ok(());
    };
    match ip.to_ipv4_mapped() {
        None => Ok(()),
        Some(v4) => Err(io::Error::new(
            io::ErrorKind::NetworkUnreachable,
            format!(
                "network unreachable: {dst} is an IPv4-mapped address, and detsim's IPv6 sockets \
                 are IPv6-only (IPV6_V6ONLY); use the IPv4 address {} instead",
                SocketAddr::new(IpAddr::V4(v4), dst.port())
            ),
        )),
    }
}

pub(crate) fn family_mismatch(local: SocketAddr, dst: SocketAddr) -> io::Error {
    let (family, other) = families(local);
    let any = if local.is_ipv6() {
        "0.0.0.0:0"
    } else {
        "[::]:0"
    };
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "address family not supported: the {family} socket {local} cannot reach the \
             {other} address {dst}; bind an {other} socket (e.g. {any}) for it"
        ),
    )
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
    fn node_v6_addresses_count_from_fd00_1() {
        assert_eq!(node_ip6(0).to_string(), "fd00::1");
        assert_eq!(node_ip6(9).to_string(), "fd00::a");
        assert_eq!(node_ip6(300).to_string(), "fd00::12d");
        assert_eq!(node_ip6(u32::MAX - 1).to_string(), "fd00::ffff:ffff");
        assert_eq!(v6_count(node_ip6(300)), Some(301));
        for not_a_node in ["fd00::", "fd00::1:0:0", "fd01::1", "::1", "::"] {
            assert_eq!(v6_count(not_a_node.parse().unwrap()), None, "{not_a_node}");
        }
    }

    #[test]
    fn wire_addresses_keep_what_reaches_a_node() {
        for a in [
            "10.0.0.2:80",
            "127.0.0.1:1",
            "0.0.0.0:0",
            "192.168.1.1:65535",
            "[fd00::1]:49152",
            "[fd00::ffff:fffe]:7",
            "[::1]:9",
        ] {
            let a: SocketAddr = a.parse().unwrap();
            assert_eq!(WireAddr::new(a).get(), a, "{a}");
            assert_eq!(WireAddr::new(a).is_ipv6(), a.is_ipv6(), "{a}");
        }
        let foreign = WireAddr::new("[2001:db8::1]:5".parse().unwrap());
        assert_eq!(foreign.get().to_string(), "[::]:5");
        assert!(WireAddr::new("[fd00::3]:1".parse().unwrap()).is_of(2));
        assert!(WireAddr::new("10.0.0.3:1".parse().unwrap()).is_of(2));
        assert!(!WireAddr::new("10.0.0.3:1".parse().unwrap()).is_of(1));
        assert!(WireAddr::new("[::1]:1".parse().unwrap()).is_loopback());
        assert!(WireAddr::new("127.0.0.9:1".parse().unwrap()).is_loopback());
        assert!(!WireAddr::new("[fd00::1]:1".parse().unwrap()).is_loopback());
    }

    #[test]
    fn literals_resolve_without_a_simulation() {
        let a = "10.0.0.9:80".resolve().unwrap();
        assert_eq!(a[0].to_string(), "10.0.0.9:80");
        let b = (Ipv4Addr::LOCALHOST, 7).resolve().unwrap();
        assert_eq!(b[0].to_string(), "127.0.0.1:7");
        assert_eq!(("[::1]", 5).resolve().unwrap()[0].to_string(), "[::1]:5");
        assert_eq!(
            "[fd00::2%3]:80".resolve().unwrap()[0].to_string(),
            "[fd00::2]:80"
        );
        let v6 = (Ipv6Addr::LOCALHOST, 7).resolve().unwrap();
        assert_eq!(v6[0].to_string(), "[::1]:7");
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
