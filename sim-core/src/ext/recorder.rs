//! A simulation's event recorder, kept by an extension that records many
//! events (the network: one per segment sent and one per segment
//! delivered).

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

use super::EventKind;
use crate::choices::{Choices, Event};
use crate::context;

/// Folds extension events into one simulation's fingerprint (and event
/// log), as [`event`](super::event) does, without looking the simulation
/// up on each call: for an extension's hot paths. It records into the
/// simulation it was made in, whichever is current when it is used.
///
/// ```
/// static PING: sim_core::ext::EventKind = sim_core::ext::EventKind { code: 9, name: "ping" };
/// let run = |direct: bool| {
///     let mut sim = sim_core::Sim::builder().build();
///     sim.run(async move {
///         let recorder = sim_core::ext::recorder().unwrap();
///         if direct {
///             recorder.event(&PING, 1, 2);
///         } else {
///             sim_core::ext::event(&PING, 1, 2);
///         }
///     })
///     .unwrap();
///     sim.fingerprint()
/// };
/// assert_eq!(run(true), run(false), "the same event either way");
/// ```
#[derive(Clone)]
pub struct Recorder(Rc<RefCell<Choices>>);

impl Recorder {
    /// Folds an event of `kind` with words `a` and `b` into the
    /// simulation's fingerprint, as [`event`](super::event) does.
    ///
    /// ```
    /// static PING: sim_core::ext::EventKind = sim_core::ext::EventKind { code: 9, name: "ping" };
    /// # let mut sim = sim_core::Sim::builder().build();
    /// # sim.run(async {
    /// sim_core::ext::recorder().unwrap().event(&PING, 1, 2);
    /// # }).unwrap();
    /// ```
    #[inline(always)]
    pub fn event(&self, kind: &'static EventKind, a: u64, b: u64) {
        self.0.borrow_mut().event(Event::Ext { kind, a, b });
    }
}

impl fmt::Debug for Recorder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recorder").finish_non_exhaustive()
    }
}

/// The running simulation's [`Recorder`], or `None` outside a simulation.
///
/// ```
/// assert!(sim_core::ext::recorder().is_none());
/// # let mut sim = sim_core::Sim::builder().build();
/// # sim.run(async {
/// assert!(sim_core::ext::recorder().is_some());
/// # }).unwrap();
/// ```
pub fn recorder() -> Option<Recorder> {
    context::try_current().map(|rt| Recorder(rt.choices.clone()))
}
