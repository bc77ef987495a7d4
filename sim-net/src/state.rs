//! The per-simulation network state: the socket table and port bindings
//! (the socket layer), the in-flight queue and counters (the fabric, see
//! [`crate::fabric`]) and the fault rules ([`crate::rules`]).
//!
//! It lives in sim-core's per-simulation extension storage, so it is
//! created with the first network call and dropped with the simulation.
//! Handles (`UdpSocket`, `Network`) are plain data that find it again.
//!
//! Borrow discipline: `inner` is borrowed only for table work; wakers are
//! collected and woken, and values dropped, after the borrow ends. That
//! includes a waker replaced by a newer one or freed with its connection,
//! listener or cancelled wait (the TCP layer's `trash`, [`Net::act`]'s to
//! drop; [`crate::waiters`]): a waker's destructor is user code and may use
//! the network. Wakers are cloned in the borrow, since an `Arc`-based
//! waker's clone runs no user code (only a hand-written `RawWaker` could,
//! and one whose clone uses the network is not supported).

use std::cell::{Cell, OnceCell, RefCell};
use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;
use std::rc::Rc;
use std::task::Waker;

use sim_core::ext::{self, Extension};
use sim_core::node::NodeId;

use crate::addr::WireAddr;
use crate::fabric::InFlight;
use crate::links::LinkTable;
use crate::ports::PortTable;
use crate::rules::{DropReason, Rules};
use crate::stats::DropCounts;
use crate::tcp::TcpState;
use crate::waiters::Waiters;
use crate::wire::Wire;

/// Bytes a socket's receive buffer holds (Linux's `rmem_default`); datagrams
/// arriving at a full buffer are dropped.
pub(crate) const RECV_BUFFER: usize = 212_992;

/// One open UDP socket.
#[derive(Debug)]
pub(crate) struct Socket {
    pub(crate) node: u32,
    pub(crate) local: SocketAddr,
    pub(crate) peer: Option<SocketAddr>,
    pub(crate) queue: VecDeque<(SocketAddr, Vec<u8>)>,
    pub(crate) queued_bytes: usize,
    /// Its `recv_from`s (and the latest `poll_recv_from`) waiting.
    pub(crate) waiters: Waiters,
    /// Set when the socket's node was killed: every operation fails.
    pub(crate) closed: bool,
    /// `SO_BROADCAST` (see `udp/broadcast.rs`).
    pub(crate) broadcast: bool,
    /// A connected socket's pending error: a datagram it sent to this
    /// address (its peer then) found no socket there, whose host answers
    /// ICMP port unreachable. Reported (and cleared) by the next receive
    /// or peek (before any queued datagram), send or `take_error`:
    /// Linux's `sk_err`, ECONNREFUSED.
    pub(crate) refused: Option<SocketAddr>,
    /// `IP_TTL` (only read back: the simulated network has no hops).
    pub(crate) ttl: u8,
    /// Multicast groups and options (see `udp/multicast.rs`).
    pub(crate) multicast: crate::udp::Multicast,
}

#[derive(Debug)]
struct Slot {
    generation: u32,
    socket: Option<Socket>,
}

/// A socket's key: slot index and generation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Key {
    pub(crate) index: u32,
    pub(crate) generation: u32,
}

#[derive(Debug, Default)]
pub(crate) struct Inner {
    pub(crate) rules: Rules,
    slots: Vec<Slot>,
    free: Vec<u32>,
    /// UDP bindings; owners are slot indices.
    ports: PortTable,
    pub(crate) in_flight: Wire<InFlight>,
    pub(crate) seq: u64,
    /// Datagrams sent so far (the last one's number).
    pub(crate) datagrams: u64,
    pub(crate) links: LinkTable,
    pub(crate) drops: DropCounts,
    pub(crate) tcp: TcpState,
    /// Node ids below this are known to exist: ids are dense and nodes are
    /// never removed, so once seen, a node count stays true.
    nodes_seen: u32,
    /// The simulation's event recorder, for the events of every send and
    /// delivery (`None`: made outside a simulation, never in practice).
    pub(crate) events: Option<ext::Recorder>,
}

impl Inner {
    /// The node whose own address `addr` is, if the simulation has it
    /// (asks the runtime only about ids not seen before).
    #[inline]
    pub(crate) fn node_of(&mut self, addr: WireAddr) -> Option<u32> {
        let id = addr.node_id()?;
        if id < self.nodes_seen || ext::node(id).is_some() {
            self.nodes_seen = self.nodes_seen.max(id + 1);
            return Some(id);
        }
        None
    }

    pub(crate) fn socket_mut(&mut self, key: Key) -> &mut Socket {
        let slot = &mut self.slots[key.index as usize];
        debug_assert_eq!(slot.generation, key.generation);
        slot.socket
            .as_mut()
            .expect("a socket handle outlived its slot")
    }

    /// The socket of `key`, if it is still there, to change.
    pub(crate) fn socket_opt_mut(&mut self, key: Key) -> Option<&mut Socket> {
        let slot = self.slots.get_mut(key.index as usize)?;
        (slot.generation == key.generation)
            .then_some(slot.socket.as_mut())
            .flatten()
    }

    /// The socket of `key`, if it is still there.
    pub(crate) fn socket(&self, key: Key) -> Option<&Socket> {
        let slot = self.slots.get(key.index as usize)?;
        (slot.generation == key.generation)
            .then_some(slot.socket.as_ref())
            .flatten()
    }

    /// Open sockets in slot order.
    pub(crate) fn sockets(&self) -> impl Iterator<Item = &Socket> {
        self.slots.iter().filter_map(|s| s.socket.as_ref())
    }

    /// Binds a new socket on `node` to `addr` (port 0: an ephemeral port).
    pub(crate) fn bind(&mut self, node: u32, addr: SocketAddr) -> io::Result<Key> {
        let index = match self.free.last() {
            Some(&i) => i,
            None => self.slots.len() as u32,
        };
        let local = self.ports.bind(node, addr, index)?;
        if self.free.pop().is_none() {
            self.slots.push(Slot {
                generation: 0,
                socket: None,
            });
        }
        let slot = &mut self.slots[index as usize];
        slot.socket = Some(Socket {
            node,
            local,
            peer: None,
            queue: VecDeque::new(),
            queued_bytes: 0,
            waiters: Waiters::default(),
            closed: false,
            broadcast: false,
            refused: None,
            ttl: crate::ttl::DEFAULT_TTL,
            multicast: crate::udp::Multicast::default(),
        });
        Ok(Key {
            index,
            generation: slot.generation,
        })
    }

    /// Frees a socket's slot (its handle was dropped).
    pub(crate) fn remove(&mut self, key: Key) -> Option<Socket> {
        let slot = self.slots.get_mut(key.index as usize)?;
        if slot.generation != key.generation {
            return None;
        }
        let socket = slot.socket.take()?;
        slot.generation = slot.generation.wrapping_add(1);
        self.free.push(key.index);
        if !socket.closed {
            self.ports
                .unbind(socket.node, socket.local.port(), key.index);
        }
        Some(socket)
    }

    /// The socket on `node` that receives datagrams for `dst`, if any.
    pub(crate) fn receiver(&self, node: u32, dst: SocketAddr) -> Option<u32> {
        self.ports.receiver(node, dst)
    }

    pub(crate) fn socket_at_mut(&mut self, index: u32) -> &mut Socket {
        self.slots[index as usize]
            .socket
            .as_mut()
            .expect("a bound socket has a slot")
    }

    /// Closes every socket of a killed node; returns what to drop and wake.
    fn close_node(&mut self, node: u32) -> (Vec<Waker>, Vec<Vec<u8>>) {
        let mut wakers = Vec::new();
        let mut garbage = Vec::new();
        let mut unbind = Vec::new();
        for (index, slot) in self.slots.iter_mut().enumerate() {
            let Some(s) = slot.socket.as_mut() else {
                continue;
            };
            if s.node != node || s.closed {
                continue;
            }
            s.closed = true;
            s.queued_bytes = 0;
            garbage.extend(s.queue.drain(..).map(|(_, d)| d));
            s.waiters.drain_into(&mut wakers);
            unbind.push((s.local.port(), index as u32));
        }
        for (port, index) in unbind {
            self.ports.unbind(node, port, index);
        }
        self.ports.node_killed(node);
        (wakers, garbage)
    }

    pub(crate) fn count_drop(&mut self, from: u32, to: u32, why: DropReason) {
        self.links.get_mut(from, to).dropped += 1;
        self.drops.count(why);
    }
}

/// A node's name, for messages.
pub(crate) fn node_name(node: u32) -> String {
    ext::node(node).map_or_else(|| format!("#{node}"), |n| format!("'{}'", n.name()))
}

/// The network of one simulation.
pub(crate) struct Net {
    pub(crate) inner: RefCell<Inner>,
    /// The timer that delivers the next due datagram: one
    /// [`Alarm`](sim_clock::Alarm), moved and re-armed in place for each
    /// next due time (made on first use).
    pub(crate) pump: OnceCell<sim_clock::Alarm>,
    /// The deadline the pump's alarm was last armed for (`None` once
    /// disarmed): the alarm's own record, kept here so that deciding
    /// whether to re-arm reads neither [`pump`](Self::pump) nor the clock.
    pub(crate) pump_at: Cell<Option<u64>>,
    /// The wakers' vector of [`Net::act`], kept for the next act.
    pub(crate) wakers: Cell<Vec<Waker>>,
    /// The simulation's clock, kept: every operation reads the time.
    clock: Option<Rc<sim_clock::Clock>>,
}

impl Default for Net {
    /// The running simulation's new network, created on first use by
    /// [`ext::get`] or [`ext::get_for`] with the simulation current (so
    /// its liveness view is the simulation's).
    fn default() -> Net {
        let mut inner = Inner::default();
        inner.tcp.liveness = ext::liveness();
        inner.events = ext::recorder();
        Net {
            inner: RefCell::new(inner),
            pump: OnceCell::new(),
            pump_at: Cell::default(),
            wakers: Cell::default(),
            clock: sim_clock::Clock::try_current(),
        }
    }
}

impl Net {
    /// The virtual time now, in nanoseconds.
    #[inline]
    pub(crate) fn now(&self) -> u64 {
        match &self.clock {
            Some(clock) => clock.now().as_nanos(),
            // Created with no simulation current (never in practice).
            None => sim_clock::Instant::now().as_nanos(), // determinism: ok (virtual clock)
        }
    }
}

impl Net {
    /// The running simulation's network.
    #[track_caller]
    pub(crate) fn current(api: &str) -> Rc<Net> {
        ext::get::<Net>(api)
    }

    /// The network of simulation `instance`, which must be current.
    ///
    /// Handles look their network up on every operation, so the network
    /// last found on this thread is remembered, held strongly, with its
    /// instance: a lookup is then a check that `instance` is current and
    /// remembered, with no search of the simulation's extension storage.
    /// Instances are process-unique, so a remembered network never answers
    /// for another simulation, and the network's
    /// [`teardown`](Extension::teardown) forgets it, so it is still
    /// dropped with its simulation.
    #[track_caller]
    #[inline]
    pub(crate) fn of(instance: u64, api: &str) -> Rc<Net> {
        if ext::try_instance() == Some(instance) {
            let hit = LAST.with(|l| match &*l.borrow() {
                Some((i, net)) if *i == instance => Some(Rc::clone(net)),
                _ => None,
            });
            if let Some(net) = hit {
                return net;
            }
        }
        Net::of_slow(instance, api)
    }

    /// The lookup when the network is not the one remembered (kept out of
    /// line: the usual lookup is a few instructions): finds it (or panics
    /// naming `api`) and remembers it.
    #[cold]
    #[inline(never)]
    #[track_caller]
    fn of_slow(instance: u64, api: &str) -> Rc<Net> {
        let net = ext::get_for::<Net>(instance, api);
        // Busy only while [`try_with`](Self::try_with) runs (a lookup of
        // another simulation from inside a delivery): then not cached.
        let old = LAST.with(|l| {
            l.try_borrow_mut()
                .ok()
                .and_then(|mut l| l.replace((instance, Rc::clone(&net))))
        });
        drop(old);
        net
    }

    /// Runs `f` on the network of simulation `instance` if that simulation
    /// is current and has one (never creates, never panics). When the
    /// network is the one remembered, `f` runs while the cache is
    /// borrowed, with no counted reference (a lookup from `f` of another
    /// simulation's network, if another simulation ran inside `f`, is then
    /// not cached).
    #[inline]
    pub(crate) fn try_with(instance: u64, f: impl FnOnce(&Net)) {
        if ext::try_instance() != Some(instance) {
            return;
        }
        let missed = LAST.with(|l| match &*l.borrow() {
            Some((i, net)) if *i == instance => {
                f(net);
                None
            }
            _ => Some(f),
        });
        if let Some(f) = missed {
            if let Some(net) = ext::try_get_for::<Net>(instance) {
                f(&net);
            }
        }
    }
}

thread_local! {
    /// The network last looked up on this thread, with its simulation's
    /// instance.
    static LAST: RefCell<Option<(u64, Rc<Net>)>> = const { RefCell::new(None) };
}

impl Extension for Net {
    fn node_killed(&self, node: NodeId) {
        let (wakers, garbage) = self.inner.borrow_mut().close_node(node.as_u32());
        drop(garbage);
        for w in wakers {
            w.wake();
        }
        self.act(|inner, wakers| inner.tcp.node_killed(node.as_u32(), wakers));
    }

    /// Forgets this network if it is the one remembered on this thread
    /// (see [`Net::of`]), so that it is dropped with its simulation.
    fn teardown(&self) {
        let forgotten = LAST
            .try_with(|l| {
                let mut last = l.try_borrow_mut().ok()?;
                let mine = last
                    .as_ref()
                    .is_some_and(|(_, net)| std::ptr::eq(&**net, self));
                if mine { last.take() } else { None }
            })
            .ok()
            .flatten();
        drop(forgotten);
    }
}

#[cfg(test)]
mod tests {
    use std::rc::Weak;

    use super::*;

    /// The remembered network goes with its simulation: the cache holds it
    /// strongly, and its teardown lets go.
    #[test]
    fn a_remembered_network_is_dropped_with_its_simulation() {
        let mut sim = sim_core::Sim::builder().build();
        let weak: Weak<Net> = sim
            .run(async {
                let instance = ext::instance("test");
                let net = Net::of(instance, "test");
                assert!(Rc::ptr_eq(&net, &Net::of(instance, "test")));
                let mut found = None;
                Net::try_with(instance, |n| found = Some(std::ptr::eq(n, &*net)));
                assert_eq!(found, Some(true));
                Net::try_with(instance + 1, |_| panic!("not current"));
                Rc::downgrade(&net)
            })
            .unwrap();
        assert!(weak.upgrade().is_some(), "the simulation still holds it");
        drop(sim);
        assert!(weak.upgrade().is_none(), "remembered past its simulation");
        assert!(LAST.with(|l| l.borrow().is_none()));
    }
}
