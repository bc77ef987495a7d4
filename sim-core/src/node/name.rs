//! Which names can name a node: any name but those the simulated network
//! resolves to something other than the node.
//!
//! The network (sim-net's `resolve_host`, and its `"host:port"` parsing)
//! reads a host as an IP literal first (`10.0.0.2`, `::1`, `[::1]`), then
//! as `localhost` (any ASCII case, one trailing dot allowed), and only then
//! as a node name. A node named like either could never be reached by its
//! name, so [`NodeBuilder::build`](super::NodeBuilder::build) refuses it.
//! This module mirrors those rules; keep the two in step.

use std::fmt;
use std::net::{IpAddr, SocketAddrV6};

/// Why a name cannot name a node.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum BadName {
    /// An IP literal, bare or in brackets: the address itself.
    Ip(IpAddr),
    /// A bracketed IPv6 literal with a scope id (`[fe80::1%2]`): its
    /// `"host:port"` form is that socket address.
    ScopedIp(SocketAddrV6),
    /// `localhost`: the loopback address of whoever looks it up.
    Localhost,
}

/// Why `name` cannot name a node, if it cannot (see the module docs).
pub(crate) fn bad_name(name: &str) -> Option<BadName> {
    let bare = name
        .strip_prefix('[')
        .and_then(|n| n.strip_suffix(']'))
        .unwrap_or(name);
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Some(BadName::Ip(ip));
    }
    // Only a bracketed name can be a socket address once ":port" is
    // appended but not an IP address alone (std's scope ids, `%2`).
    if name.starts_with('[') {
        if let Ok(addr) = format!("{name}:0").parse::<SocketAddrV6>() {
            return Some(BadName::ScopedIp(addr));
        }
    }
    let host = name
        .strip_suffix('.')
        .filter(|n| !n.is_empty())
        .unwrap_or(name);
    host.eq_ignore_ascii_case("localhost")
        .then_some(BadName::Localhost)
}

impl fmt::Display for BadName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BadName::Ip(ip) => write!(
                f,
                "the network reads it as the IP address {ip}, never as a node's name; \
                 pick a name that is not an IP address"
            ),
            BadName::ScopedIp(addr) => write!(
                f,
                "the network reads it with a port (\"host:port\") as the IPv6 address {} \
                 with scope id {}, never as a node's name; pick a name that is not an IP \
                 address",
                addr.ip(),
                addr.scope_id()
            ),
            BadName::Localhost => write!(
                f,
                "the network resolves it to the loopback address (127.0.0.1, then ::1) of \
                 the node that looks it up, never to a node; pick another name"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_literals_bare_or_bracketed_are_refused() {
        for name in [
            "10.0.0.1",
            "10.0.0.99",
            "127.0.0.1",
            "0.0.0.0",
            "::1",
            "[::1]",
            "[::]",
            "fd00::2",
            "FD00::2",
            "[fd00::5]",
            "[10.0.0.1]",
            "::ffff:10.0.0.1",
        ] {
            let ip = name.trim_matches(['[', ']']).parse().unwrap();
            assert_eq!(bad_name(name), Some(BadName::Ip(ip)), "{name}");
        }
    }

    #[test]
    fn a_bracketed_ipv6_literal_with_a_scope_id_is_refused() {
        let Some(BadName::ScopedIp(addr)) = bad_name("[fe80::1%2]") else {
            panic!("not refused");
        };
        assert_eq!(
            (addr.ip().to_string(), addr.scope_id()),
            ("fe80::1".into(), 2)
        );
        // Without brackets, or with a scope std does not parse, the
        // "host:port" form splits at the last colon and finds the node.
        assert_eq!(bad_name("fe80::1%2"), None);
        assert_eq!(bad_name("[fe80::1%eth0]"), None);
    }

    #[test]
    fn localhost_in_any_case_with_one_trailing_dot_is_refused() {
        for name in [
            "localhost",
            "LOCALHOST",
            "LocalHost",
            "localhost.",
            "LOCALHOST.",
        ] {
            assert_eq!(bad_name(name), Some(BadName::Localhost), "{name}");
        }
    }

    #[test]
    fn names_the_network_resolves_to_their_node_are_accepted() {
        for name in [
            "main",
            "db",
            "Db",
            "replica-1",
            "client-3",
            "a-b_c.d",
            "x.",
            ".",
            "..",
            "",
            "localhost..",
            "localhost-2",
            "my.localhost",
            "1.2.3.4.",
            "1.2.3",
            "010.0.0.1",
            "db:80",
            "10.0.0.1:80",
            "[::1]:80",
            "[db]",
            "[",
            " db",
            "a\tb",
            "ünïcode",
        ] {
            assert_eq!(bad_name(name), None, "{name:?}");
        }
    }

    #[test]
    fn each_reason_says_what_the_network_does_and_the_fix() {
        for name in ["10.0.0.1", "[fe80::1%2]", "localhost"] {
            let why = bad_name(name).unwrap().to_string();
            assert!(why.contains("never"), "{why}");
            assert!(why.contains("pick a"), "{why}");
        }
    }
}
