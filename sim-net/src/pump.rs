//! The delivery pump: the one timer that delivers what is due on the
//! wire.
//!
//! The pump is an [`Alarm`], made on first use and then moved and re-armed
//! in place: [`Net::rearm`] arms it for the in-flight queue's earliest due
//! time whenever that changed (an armed alarm that fires no later stays as
//! it is), and disarms it once nothing is in flight. Its deadline is
//! mirrored in [`Net::pump_at`](crate::state::Net::pump_at), so the usual
//! outcome (nothing to change) touches neither the alarm nor the clock.
//! When it fires, the clock rings the network itself ([`PumpRing`], a weak
//! handle: no lookup of the simulation or its network), which delivers
//! everything due ([`Net::deliver_due`]) and re-arms for what is left.

use std::rc::{Rc, Weak};

use sim_clock::{Alarm, Instant, Ring};
use sim_core::ext;

use crate::state::Net;

/// The pump's [`Ring`]: the network, held weakly (the clock's alarm slot
/// does not keep it alive), delivers what is due. The clock rings it on
/// the simulation's thread while the simulation runs, so no lookup of the
/// network is needed.
struct PumpRing(Weak<Net>);

impl Ring for PumpRing {
    fn ring(&self) {
        if let Some(net) = self.0.upgrade() {
            net.deliver_due_inline();
        }
    }
}

/// The pump's ring for a network that is not its simulation's extension
/// (never in practice): a [word waker](ext::word_waker) holding the
/// simulation's instance, which looks its network up.
struct PumpWaker;

impl ext::WordWake for PumpWaker {
    fn wake(instance: u64) {
        // Fired by the clock on the simulation's thread; elsewhere (the
        // simulation gone) there is nothing to deliver to.
        Net::try_with(instance, Net::deliver_due);
    }
}

impl Net {
    /// Arms the pump for `next`, the earliest in-flight datagram's due
    /// time (or disarms it: nothing in flight). An alarm already armed for
    /// that time or earlier stays as it is: when it fires, the pump
    /// re-arms for what is due next.
    ///
    /// Called by [`act`](Self::act) only when the in-flight queue changed
    /// (or the pump fired, which marks it changed), with the act's virtual
    /// time `now`. The alarm's deadline is mirrored in
    /// [`Net::pump_at`](crate::state::Net::pump_at), so the usual outcome
    /// (nothing to change) borrows nothing.
    #[inline(always)]
    pub(crate) fn rearm(&self, next: Option<u64>, now: u64) {
        // What `Alarm::deadline` says: the deadline armed, until the clock
        // reaches it (then it fired).
        let armed = self.pump_at.get().filter(|&at| now < at);
        match (next, armed) {
            (None, None) => {}
            (Some(at), Some(armed_at)) if armed_at <= at => {}
            (None, Some(_)) => self.disarm_pump(),
            (Some(at), _) => self.arm_pump(at),
        }
    }

    /// Disarms the pump (nothing in flight).
    #[inline(never)]
    fn disarm_pump(&self) {
        self.pump_at.set(None);
        if let Some(alarm) = self.pump.get() {
            alarm.disarm();
        }
    }

    /// Arms the pump for `at` (kept out of line: [`rearm`](Self::rearm)'s
    /// usual outcome is to change nothing).
    #[inline(never)]
    fn arm_pump(&self, at: u64) {
        self.pump_at.set(Some(at));
        // Due in the future (due datagrams were delivered).
        self.pump
            .get_or_init(|| self.new_pump_alarm())
            .arm(Instant::from_nanos(at));
    }

    /// The pump's alarm, made on its first arming: it rings this network,
    /// the running simulation's.
    #[cold]
    #[inline(never)]
    fn new_pump_alarm(&self) -> Alarm {
        let instance = ext::instance("detsim::net");
        let ring: Rc<dyn Ring> = match ext::try_get_for::<Net>(instance) {
            Some(net) if std::ptr::eq(&*net, self) => Rc::new(PumpRing(Rc::downgrade(&net))),
            _ => Rc::new(ext::word_waker::<PumpWaker>(instance)),
        };
        Alarm::new(ring)
    }
}
