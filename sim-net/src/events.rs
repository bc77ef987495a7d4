//! How a trace shows the network's events: each event kind's two words
//! (see the `EventKind`s in `fabric/kinds.rs`, `tcp/mod.rs` and `swizzle.rs`)
//! turned back into addresses, lengths, sequence numbers and reasons.

use sim_core::__macro::linkme::distributed_slice;
use sim_core::ext::{EVENT_RENDERERS, EventRenderer};

use crate::addr::{V6_OTHER, WireAddr};

/// How one family's addresses read back from a word.
type Addr = fn(u64) -> String;

/// An IPv4 address from `WireAddr::word`'s `ip << 16 | port` (the top 16
/// bits ignored).
fn v4(word: u64) -> String {
    WireAddr::from_word(word, false).get().to_string()
}

/// An IPv6 address from `WireAddr::word`'s `code << 16 | port`: `::1`, a
/// node's `fd00::n`, or an address outside the simulation (not kept).
fn v6(word: u64) -> String {
    let a = WireAddr::from_word(word, true);
    if (word >> 16) as u32 == V6_OTHER {
        format!("[not a node]:{}", a.get().port())
    } else {
        a.get().to_string()
    }
}

/// `src | len << 48`, `dst ^ seq << 48`: a TCP segment's send or
/// delivery. The sequence number counts segments per direction and is
/// shown modulo 65,536 (the top 16 bits of the word), which is exact in
/// any trace worth reading; 0 (the SYN's) is not shown.
fn transfer(verb: &str, a: u64, b: u64, addr: Addr) -> String {
    let (len, seq) = (a >> 48, b >> 48);
    let mut text = format!("net: {verb} {} -> {} ({len} bytes", addr(a), addr(b));
    if seq > 0 {
        text.push_str(&format!(", seq {seq}"));
    }
    text.push(')');
    text
}

/// `src | len << 48`, `dst ^ number << 48`: a UDP datagram's send or
/// delivery, with its number (counted from 1 per network in the order
/// sent, modulo 65,536), so that a delivery names its send even among
/// datagrams of one length, reordered.
fn datagram(verb: &str, a: u64, b: u64, addr: Addr) -> String {
    let (len, number) = (a >> 48, b >> 48);
    format!(
        "net: {verb} {} -> {} ({len} bytes, datagram {number})",
        addr(a),
        addr(b)
    )
}

/// Registers the renderer of the event kind `code`.
macro_rules! renderer {
    ($name:ident, $code:expr, $render:expr) => {
        #[distributed_slice(EVENT_RENDERERS)]
        #[linkme(crate = sim_core::__macro::linkme)]
        static $name: EventRenderer = EventRenderer {
            code: $code,
            render: $render,
        };
    };
}

/// Registers the renderers of an address event: `code` with IPv4
/// addresses, `code + 0x40` with IPv6 ones (see `fabric::AddrEvent`).
macro_rules! addr_renderers {
    ($v4:ident, $v6:ident, $code:expr, $render:expr) => {
        renderer!($v4, $code, |a, b| $render(a, b, v4));
        renderer!($v6, $code + 0x40, |a, b| $render(a, b, v6));
    };
}

fn drop_reason(code: u64) -> &'static str {
    match code {
        1 => "lost",
        2 => "partitioned",
        3 => "no such host",
        4 => "node down",
        5 => "nothing bound",
        6 => "receive buffer full",
        7 => "accept queue full",
        _ => "dropped",
    }
}

fn error_kind(code: u64) -> &'static str {
    match code {
        1 => "connection refused",
        2 => "connection reset",
        3 => "timed out",
        4 => "connection aborted",
        5 => "broken pipe",
        6 => "host unreachable",
        _ => "failed",
    }
}

addr_renderers!(SEND, SEND6, 0x4e01, |a, b, at| transfer("send", a, b, at));

addr_renderers!(DELIVER, DELIVER6, 0x4e02, |a, b, at| transfer(
    "deliver", a, b, at
));

addr_renderers!(DATAGRAM_SEND, DATAGRAM_SEND6, 0x4e05, |a, b, at| datagram(
    "send", a, b, at
));

addr_renderers!(DATAGRAM_DELIVER, DATAGRAM_DELIVER6, 0x4e06, |a, b, at| {
    datagram("deliver", a, b, at)
});

addr_renderers!(
    UNREACHABLE_SEND,
    UNREACHABLE_SEND6,
    0x4e07,
    |a, b, at: Addr| { format!("net: send ICMP port unreachable {} -> {}", at(a), at(b)) }
);

addr_renderers!(
    UNREACHABLE_DELIVER,
    UNREACHABLE_DELIVER6,
    0x4e08,
    |a, b, at: Addr| format!("net: deliver ICMP port unreachable {} -> {}", at(a), at(b))
);

addr_renderers!(DROP, DROP6, 0x4e03, |a, b, at: Addr| {
    let why = drop_reason(b >> 48);
    format!("net: drop {} -> {} ({why})", at(a), at(b))
});

addr_renderers!(DUPLICATE, DUPLICATE6, 0x4e04, |a, b, at: Addr| format!(
    "net: duplicate {} -> {}",
    at(a),
    at(b)
));

addr_renderers!(CONNECT, CONNECT6, 0x4e10, |a, b, at: Addr| format!(
    "tcp: connect {} -> {}",
    at(a),
    at(b)
));

addr_renderers!(ACCEPT, ACCEPT6, 0x4e11, |a, b, at: Addr| format!(
    "tcp: {} queued {} for accept",
    at(a),
    at(b)
));

addr_renderers!(RESET, RESET6, 0x4e12, |a, b, at: Addr| {
    let why = error_kind(b >> 48);
    format!("tcp: {} (peer {}) {why}", at(a), at(b))
});

addr_renderers!(RETRANSMIT, RETRANSMIT6, 0x4e13, |a, b, at: Addr| format!(
    "tcp: retransmit {} -> {}",
    at(a),
    at(b)
));

addr_renderers!(
    KEEPALIVE_PROBE,
    KEEPALIVE_PROBE6,
    0x4e14,
    |a, b, at: Addr| {
        let n = b >> 48;
        format!("tcp: {} keepalive probe {n} to {}", at(a), at(b))
    }
);

addr_renderers!(WINDOW_PROBE, WINDOW_PROBE6, 0x4e15, |a, b, at: Addr| {
    let n = b >> 48;
    format!("tcp: {} window probe {n} to {}", at(a), at(b))
});

renderer!(CLOG, 0x4e20, |node, step| format!(
    "net: swizzle clogs node {node} (step {step})"
));

renderer!(UNCLOG, 0x4e21, |node, step| format!(
    "net: swizzle unclogs node {node} (step {step})"
));

/// `op | from << 8 | to << 36`, duration ns: a fault from `Network`
/// (`network.rs`), nodes by id.
fn fault(a: u64, b: u64) -> String {
    let (op, from, to) = (a & 0xff, (a >> 8) & 0x0fff_ffff, a >> 36);
    let d = std::time::Duration::from_nanos(b);
    match op {
        1 => format!("net: partition node {from} | node {to}"),
        2 => format!("net: partition node {from} -> node {to} (one way)"),
        3 => format!("net: heal node {from} | node {to}"),
        4 => "net: heal all partitions".to_owned(),
        5 => format!("net: clog node {from} for {d:?}"),
        6 => format!("net: unclog node {from}"),
        7 => format!("net: clog link node {from} -> node {to} for {d:?}"),
        8 => format!("net: unclog link node {from} -> node {to}"),
        _ => format!("net: fault {op}"),
    }
}

renderer!(FAULT, 0x4e30, fault);

#[cfg(test)]
mod tests {
    use super::*;

    fn render(code: u32, a: u64, b: u64) -> String {
        let r = EVENT_RENDERERS.iter().find(|r| r.code == code).unwrap();
        (r.render)(a, b)
    }

    fn word(s: &str) -> u64 {
        crate::addr::WireAddr::new(s.parse().unwrap()).word()
    }

    #[test]
    fn words_read_back_as_addresses() {
        let (src, dst) = (word("10.0.0.1:49152"), word("10.0.0.2:80"));
        assert_eq!(
            render(0x4e01, src | 5 << 48, dst ^ 3 << 48),
            "net: send 10.0.0.1:49152 -> 10.0.0.2:80 (5 bytes, seq 3)"
        );
        assert_eq!(
            render(0x4e06, src | 5 << 48, dst ^ 9 << 48),
            "net: deliver 10.0.0.1:49152 -> 10.0.0.2:80 (5 bytes, datagram 9)"
        );
        assert_eq!(
            render(0x4e14, src, dst ^ 2 << 48),
            "tcp: 10.0.0.1:49152 keepalive probe 2 to 10.0.0.2:80"
        );
        assert_eq!(
            render(0x4e08, dst, src),
            "net: deliver ICMP port unreachable 10.0.0.2:80 -> 10.0.0.1:49152"
        );
        assert_eq!(
            render(0x4e47, word("[fd00::2]:53"), word("[fd00::1]:49152")),
            "net: send ICMP port unreachable [fd00::2]:53 -> [fd00::1]:49152"
        );
        assert_eq!(
            render(0x4e03, src, dst ^ 2 << 48),
            "net: drop 10.0.0.1:49152 -> 10.0.0.2:80 (partitioned)"
        );
        assert_eq!(
            render(0x4e12, src, dst ^ 2 << 48),
            "tcp: 10.0.0.1:49152 (peer 10.0.0.2:80) connection reset"
        );
    }

    #[test]
    fn ipv6_words_read_back_as_addresses() {
        let (src, dst) = (word("[fd00::1]:49152"), word("[fd00::2]:80"));
        assert_eq!(
            render(0x4e41, src | 5 << 48, dst ^ 3 << 48),
            "net: send [fd00::1]:49152 -> [fd00::2]:80 (5 bytes, seq 3)"
        );
        assert_eq!(
            render(0x4e45, src | 5 << 48, dst ^ 9 << 48),
            "net: send [fd00::1]:49152 -> [fd00::2]:80 (5 bytes, datagram 9)"
        );
        assert_eq!(
            render(0x4e43, src, word("[2001:db8::1]:7") ^ 3 << 48),
            "net: drop [fd00::1]:49152 -> [not a node]:7 (no such host)"
        );
        assert_eq!(
            render(0x4e50, word("[::1]:49152"), word("[::1]:80")),
            "tcp: connect [::1]:49152 -> [::1]:80"
        );
        assert_eq!(
            render(
                0x4e52,
                word("[fd00::a]:80"),
                word("[fd00::12d]:5") ^ 2 << 48
            ),
            "tcp: [fd00::a]:80 (peer [fd00::12d]:5) connection reset"
        );
    }

    #[test]
    fn faults_name_their_nodes() {
        assert_eq!(
            render(0x4e30, 1 | 2 << 8 | 3 << 36, 0),
            "net: partition node 2 | node 3"
        );
        assert_eq!(
            render(0x4e30, 7 | 1 << 8 | 4 << 36, 5_000_000),
            "net: clog link node 1 -> node 4 for 5ms"
        );
        assert_eq!(render(0x4e30, 4, 0), "net: heal all partitions");
    }
}
