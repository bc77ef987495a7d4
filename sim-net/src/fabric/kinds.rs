//! The fabric's trace events: one [`EventKind`] per address family for
//! each thing that happens to a datagram or segment on the wire.

use sim_core::ext::{self, EventKind};

use crate::addr::WireAddr;

/// An event kind per address family. IPv6 traffic has its own codes (the
/// IPv4 code plus `0x40`), its addresses packed as [`WireAddr::word`]
/// says, so IPv4 events (and the fingerprints of IPv4 runs) are what they
/// always were.
#[derive(Debug)]
pub(crate) struct AddrEvent {
    pub(crate) v4: EventKind,
    pub(crate) v6: EventKind,
}

impl AddrEvent {
    /// Records the event of `a` and `b` (of one family): `a.word() | x`,
    /// `b.word() ^ y`.
    pub(crate) fn emit(
        &'static self,
        a: impl Into<WireAddr>,
        b: impl Into<WireAddr>,
        x: u64,
        y: u64,
    ) {
        self.emit_by(None, a, b, x, y);
    }

    /// [`emit`](Self::emit) through `events`, the simulation's recorder
    /// (kept by the network: no lookup of the simulation), if given.
    #[inline(always)]
    pub(crate) fn emit_by(
        &'static self,
        events: Option<&ext::Recorder>,
        a: impl Into<WireAddr>,
        b: impl Into<WireAddr>,
        x: u64,
        y: u64,
    ) {
        let (a, b) = (a.into(), b.into());
        let kind = if a.is_ipv6() { &self.v6 } else { &self.v4 };
        let (a, b) = (a.word() | x, b.word() ^ y);
        match events {
            Some(events) => events.event(kind, a, b),
            None => ext::event(kind, a, b),
        }
    }
}

pub(crate) static SEND: AddrEvent = AddrEvent {
    v4: EventKind {
        code: 0x4e01,
        name: "net: segment sent (src | len << 48, dst ^ (seq mod 2^16) << 48)",
    },
    v6: EventKind {
        code: 0x4e41,
        name: "net: IPv6 segment sent (src | len << 48, dst ^ (seq mod 2^16) << 48)",
    },
};
pub(crate) static DELIVER: AddrEvent = AddrEvent {
    v4: EventKind {
        code: 0x4e02,
        name: "net: segment delivered (src | len << 48, dst ^ (seq mod 2^16) << 48)",
    },
    v6: EventKind {
        code: 0x4e42,
        name: "net: IPv6 segment delivered (src | len << 48, dst ^ (seq mod 2^16) << 48)",
    },
};
pub(crate) static DATAGRAM_SEND: AddrEvent = AddrEvent {
    v4: EventKind {
        code: 0x4e05,
        name: "net: datagram sent (src | len << 48, dst ^ (number mod 2^16) << 48)",
    },
    v6: EventKind {
        code: 0x4e45,
        name: "net: IPv6 datagram sent (src | len << 48, dst ^ (number mod 2^16) << 48)",
    },
};
pub(crate) static DATAGRAM_DELIVER: AddrEvent = AddrEvent {
    v4: EventKind {
        code: 0x4e06,
        name: "net: datagram delivered (src | len << 48, dst ^ (number mod 2^16) << 48)",
    },
    v6: EventKind {
        code: 0x4e46,
        name: "net: IPv6 datagram delivered (src | len << 48, dst ^ (number mod 2^16) << 48)",
    },
};
pub(crate) static UNREACHABLE_SEND: AddrEvent = AddrEvent {
    v4: EventKind {
        code: 0x4e07,
        name: "net: ICMP port unreachable sent (refused address, datagram's sender)",
    },
    v6: EventKind {
        code: 0x4e47,
        name: "net: ICMPv6 port unreachable sent (refused address, datagram's sender)",
    },
};
pub(crate) static UNREACHABLE_DELIVER: AddrEvent = AddrEvent {
    v4: EventKind {
        code: 0x4e08,
        name: "net: ICMP port unreachable delivered (refused address, datagram's sender)",
    },
    v6: EventKind {
        code: 0x4e48,
        name: "net: ICMPv6 port unreachable delivered (refused address, datagram's sender)",
    },
};
pub(crate) static DROP: AddrEvent = AddrEvent {
    v4: EventKind {
        code: 0x4e03,
        name: "net: datagram dropped (src, dst | reason << 48)",
    },
    v6: EventKind {
        code: 0x4e43,
        name: "net: IPv6 datagram dropped (src, dst | reason << 48)",
    },
};
pub(crate) static DUPLICATE: AddrEvent = AddrEvent {
    v4: EventKind {
        code: 0x4e04,
        name: "net: datagram duplicated (src, dst)",
    },
    v6: EventKind {
        code: 0x4e44,
        name: "net: IPv6 datagram duplicated (src, dst)",
    },
};
