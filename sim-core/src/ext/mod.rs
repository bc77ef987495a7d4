//! Extension points for detsim's own crates (`sim-net`, later the disk).
//!
//! Not a stable API: the facade does not re-export it and user code has no
//! reason to call it. It gives a crate layered on sim-core three things:
//!
//! * **per-simulation state**: [`get`] returns the running simulation's one
//!   value of a type (created with `Default` on first use), found by
//!   `TypeId` in a small vector (no hasher, so no iteration-order
//!   question). The values are dropped at teardown, after every task and
//!   before the clock is cleared, with the simulation current.
//! * **node lifecycle**: the [`Extension`] trait's hooks run after a node
//!   is killed (its tasks already dropped) and after it is restarted
//!   (before its init task is spawned). No runtime borrow is held while a
//!   hook runs.
//! * **the choice source and the fingerprint**: [`draw`] draws with its own
//!   `DrawKind` (so divergence reports say "a network
//!   draw"), and [`event`] folds a key event into the fingerprint.
//!
//! The state is reached through `Rc`s cloned out of the runtime, so an
//! extension keeps its own `RefCell`s and never holds one of the runtime's
//! while calling back into sim-core or waking a task.
//!
//! ```
//! use std::cell::Cell;
//! use sim_core::ext::{self, Extension};
//!
//! #[derive(Default)]
//! struct Counter(Cell<u32>);
//! impl Extension for Counter {}
//!
//! let mut sim = sim_core::Sim::builder().build();
//! sim.run(async {
//!     ext::get::<Counter>("example").0.set(3);
//!     assert_eq!(ext::get::<Counter>("example").0.get(), 3);
//! }).unwrap();
//! ```

use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use crate::choices::{DrawKind, Event};
use crate::context;
use crate::node::NodeId;
use crate::runtime::Runtime;
use crate::task::table::TaskTable;

mod nodes;
mod recorder;

pub use nodes::{Liveness, liveness, node, node_alive, node_names};
pub use recorder::{Recorder, recorder};

/// What a [`word_waker`] does when woken: `wake(word)` with the word the
/// waker was made with.
///
/// `wake` may run on any thread (a waker is `Send`), so it must check
/// where it runs, as [`try_instance`] lets it, before it touches a
/// simulation.
///
/// ```
/// use sim_core::ext::{self, WordWake};
/// use std::cell::Cell;
///
/// thread_local!(static WOKEN: Cell<u64> = const { Cell::new(0) });
/// struct Note;
/// impl WordWake for Note {
///     fn wake(word: u64) {
///         WOKEN.with(|w| w.set(word));
///     }
/// }
///
/// let waker = ext::word_waker::<Note>(7);
/// waker.clone().wake();
/// assert_eq!(WOKEN.with(Cell::get), 7);
/// ```
pub trait WordWake: 'static {
    /// The waker made with `word` was woken.
    fn wake(word: u64);
}

/// A waker that calls `W::wake(word)`: one word, no allocation, and no
/// reference count, so cloning and dropping it cost nothing (an
/// `Arc`-based waker pays two atomic operations per clone and drop).
/// For an extension's own timers, which the clock wakes once per firing.
///
/// ```
/// use sim_core::ext::{self, WordWake};
/// struct Nothing;
/// impl WordWake for Nothing {
///     fn wake(_: u64) {}
/// }
/// let a = ext::word_waker::<Nothing>(1);
/// assert!(a.will_wake(&a.clone()));
/// ```
pub fn word_waker<W: WordWake>(word: u64) -> std::task::Waker {
    crate::raw::word_waker::<W>(word)
}

/// Wakes `waker` at once if it is the waker of a simulation's task, and
/// gives it back otherwise.
///
/// A task's wake only marks the task runnable: it runs no user code and
/// takes none of an extension's borrows, so an extension may call this
/// while it holds its own state borrowed, instead of collecting the
/// waker to wake after the borrow ends. To keep the order in which tasks
/// become runnable (part of the schedule), wake this way only while no
/// waker collected earlier waits to be woken.
///
/// ```
/// let waker = std::task::Waker::noop().clone();
/// // Not a task's waker: given back, to wake the usual way.
/// let waker = sim_core::ext::wake_task(waker).unwrap_err();
/// waker.wake();
/// ```
#[inline]
pub fn wake_task(waker: std::task::Waker) -> Result<(), std::task::Waker> {
    crate::raw::wake_task(waker)
}

/// Per-simulation state of an extension crate, with node lifecycle hooks.
///
/// ```
/// use sim_core::{ext::Extension, node::NodeId};
/// #[derive(Default)]
/// struct Sockets;
/// impl Extension for Sockets {
///     fn node_killed(&self, _node: NodeId) { /* close its sockets */ }
/// }
/// ```
pub trait Extension: Any {
    /// `node` was killed; its tasks are already dropped.
    fn node_killed(&self, node: NodeId) {
        let _ = node;
    }

    /// `node` was restarted; its init task is spawned next.
    fn node_restarted(&self, node: NodeId) {
        let _ = node;
    }

    /// The simulation is being torn down: its tasks are dropped and every
    /// extension value is dropped next (each value's `teardown` runs
    /// first, in creation order). For letting go of what refers to the
    /// value from outside the simulation, such as a thread-local cache
    /// that holds it strongly, so that it is dropped with its simulation.
    ///
    /// ```
    /// use std::cell::Cell;
    /// use sim_core::ext::{self, Extension};
    /// thread_local!(static TORN: Cell<bool> = const { Cell::new(false) });
    /// #[derive(Default)]
    /// struct Cache;
    /// impl Extension for Cache {
    ///     fn teardown(&self) { TORN.set(true) }
    /// }
    /// let mut sim = sim_core::Sim::builder().build();
    /// sim.run(async { let _ = ext::get::<Cache>("example"); }).unwrap();
    /// drop(sim);
    /// assert!(TORN.get());
    /// ```
    fn teardown(&self) {}
}

/// A kind of extension event: a stable code (part of the fingerprint) and
/// a name (for divergence reports).
///
/// ```
/// static SEND: sim_core::ext::EventKind = sim_core::ext::EventKind { code: 1, name: "net send" };
/// assert_eq!(SEND.name, "net send");
/// ```
#[derive(Debug, PartialEq, Eq)]
pub struct EventKind {
    /// The code folded into the fingerprint; unique per extension event.
    pub code: u32,
    /// What the event is, as divergence reports print it.
    pub name: &'static str,
}

/// How a trace shows the events of one [`EventKind`] (by its code):
/// `render(a, b)` turns the event's two words into readable text. An
/// extension registers one per kind in `EVENT_RENDERERS`; a kind without
/// one shows as its name and the two words in hex.
///
/// ```
/// use sim_core::ext::{EVENT_RENDERERS, EventRenderer};
///
/// #[sim_core::__macro::linkme::distributed_slice(EVENT_RENDERERS)]
/// #[linkme(crate = sim_core::__macro::linkme)]
/// static PING: EventRenderer = EventRenderer {
///     code: 0x7001,
///     render: |a, b| format!("ping from node {a}, {b} bytes"),
/// };
/// assert!(EVENT_RENDERERS.iter().any(|r| r.code == 0x7001));
/// ```
#[derive(Debug)]
pub struct EventRenderer {
    /// The [`EventKind::code`] it renders.
    pub code: u32,
    /// The text of one event from its two words.
    pub render: fn(u64, u64) -> String,
}

/// Every [`EventRenderer`] of the binary, gathered at link time.
#[linkme::distributed_slice]
pub static EVENT_RENDERERS: [EventRenderer];

/// The trace text of an extension event.
pub(crate) fn render_event(kind: &EventKind, a: u64, b: u64) -> String {
    match EVENT_RENDERERS.iter().find(|r| r.code == kind.code) {
        Some(r) => (r.render)(a, b),
        None => format!("{} ({a:#x}, {b:#x})", kind.name),
    }
}

struct Entry {
    type_id: TypeId,
    any: Rc<dyn Any>,
    hooks: Rc<dyn Extension>,
}

/// The extension values of one simulation.
#[derive(Default)]
pub(crate) struct Extensions {
    entries: Vec<Entry>,
}

impl Extensions {
    pub(crate) fn find<T: Extension>(&self) -> Option<Rc<T>> {
        let id = TypeId::of::<T>();
        let entry = self.entries.iter().find(|e| e.type_id == id)?;
        Rc::downcast::<T>(entry.any.clone()).ok()
    }

    /// Every value's hooks, in creation order (to call outside the borrow).
    pub(crate) fn hooks(&self) -> Vec<Rc<dyn Extension>> {
        self.entries.iter().map(|e| e.hooks.clone()).collect()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Takes every value out (to tear down and drop outside the borrow):
    /// each value's hooks and the value.
    pub(crate) fn take(&mut self) -> Vec<(Rc<dyn Extension>, Rc<dyn Any>)> {
        std::mem::take(&mut self.entries)
            .into_iter()
            .map(|e| (e.hooks, e.any))
            .collect()
    }
}

/// What parked tasks wait for, by task id, as the primitives they wait
/// in said it (see [`park_note`]).
///
/// A note holds only while its task has not been polled since it was
/// set. A primitive sets it on every poll that parks the task there, so a
/// task that is polled again and does not park there again (it got
/// through, or dropped the wait, say in a `select!` or a `timeout`, and
/// now blocks on something else) leaves a stale note behind, which the
/// report skips. "Polled since" is read from the task slot's enqueue
/// stamp, which the executor bumps anyway before every poll (a wake
/// during a poll only marks the task and bumps it after the poll, so the
/// stamp is constant for the whole poll): noting it costs the executor
/// nothing, where clearing notes at the start of each poll would put a
/// map lookup on its hot path. The stamp is a wrapping `u32`, so a note
/// could only come back to life after exactly 2^32 more polls of its task.
#[derive(Default)]
pub(crate) struct ParkNotes(RefCell<BTreeMap<u64, Note>>);

/// One task's note and where it was taken.
struct Note {
    /// The task's slot and that slot's enqueue stamp in the noting poll.
    index: u32,
    stamp: u32,
    text: String,
}

impl Extension for ParkNotes {}

impl ParkNotes {
    /// The note of `task` if one is set and still holds: the task sits in
    /// the slot it was noted in and has not been polled since.
    pub(crate) fn of(&self, tasks: &TaskTable, task: u64) -> Option<String> {
        let notes = self.0.borrow();
        let note = notes.get(&task)?;
        // Slots are never freed back to the allocator, so the index is in
        // range; the slot may hold another task by now.
        let slot = tasks.slot(note.index);
        let holds = !slot.vacant && slot.id.0 == task && slot.stamp == note.stamp;
        holds.then(|| note.text.clone())
    }
}

/// Notes what the running task is about to wait for (a mock's script
/// step, say), for a deadlock report to show next to the task: a task
/// that waits in a primitive the executor cannot see into is otherwise
/// just "blocked". Call it where the primitive parks the task (it returns
/// `Pending`), on every such poll, and [`unpark_note`] with the returned
/// id when it wakes the task or the task gets through. The note holds
/// until the task is next polled: if that poll does not note again (the
/// task dropped the wait and blocks elsewhere), the report leaves it out.
/// Returns `None` (and notes nothing) outside a simulation's task. The
/// executor never reads the notes while it runs: only a deadlock report
/// does.
///
/// The returned [`ParkToken`] names this note, not just the task: a
/// primitive that unparks late (its waiter is woken after the task moved
/// on and parked in another primitive) clears nothing but its own note.
///
/// ```
/// # let mut sim = sim_core::Sim::builder().auto_advance(false).build();
/// let f = sim.run(async {
///     let task = sim_core::ext::park_note(|| "the ping step of mock 'db'".into());
///     assert!(task.is_some());
///     std::future::pending::<()>().await
/// }).unwrap_err();
/// assert!(f.to_string().contains("task 0 'main' on node 'main' waits for the ping step of mock 'db'"));
///
/// // Polled again without noting again: the note no longer holds.
/// # let mut sim = sim_core::Sim::builder().auto_advance(false).build();
/// let f = sim.run(async {
///     sim_core::ext::park_note(|| "a reply".into());
///     sim_core::task::yield_now().await; // the next poll notes nothing
///     std::future::pending::<()>().await
/// }).unwrap_err();
/// assert!(!f.to_string().contains("waits for"));
/// ```
pub fn park_note(note: impl FnOnce() -> String) -> Option<ParkToken> {
    let rt = context::try_current()?;
    let current = rt.current.get()?;
    let stamp = rt.tasks.borrow().slot(current.index).stamp;
    let notes = get_in::<ParkNotes>(&rt);
    let note = Note {
        index: current.index,
        stamp,
        text: note(),
    };
    notes.0.borrow_mut().insert(current.id.0, note);
    Some(ParkToken {
        task: current.id.0,
        stamp,
    })
}

/// The note one [`park_note`] call set: its task and the poll it was set
/// in, for [`unpark_note`] to clear that note and no later one.
///
/// ```
/// # let mut sim = sim_core::Sim::builder().build();
/// # sim.run(async {
/// let token: sim_core::ext::ParkToken = sim_core::ext::park_note(|| "a reply".into()).unwrap();
/// sim_core::ext::unpark_note(token);
/// # }).unwrap();
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParkToken {
    task: u64,
    stamp: u32,
}

impl ParkToken {
    /// The id of the task that was noted.
    ///
    /// ```
    /// # let mut sim = sim_core::Sim::builder().build();
    /// # sim.run(async {
    /// let token = sim_core::ext::park_note(|| "a reply".into()).unwrap();
    /// assert_eq!(token.task(), 0); // the main task
    /// # }).unwrap();
    /// ```
    pub fn task(&self) -> u64 {
        self.task
    }
}

/// Clears the note that [`park_note`] returned `token` for, if it is
/// still the task's note (a note the task got in a later poll, parked in
/// another primitive, stays); nothing outside a simulation.
///
/// ```
/// # let mut sim = sim_core::Sim::builder().auto_advance(false).build();
/// let f = sim.run(async {
///     let mock_a = sim_core::ext::park_note(|| "mock A".into()).unwrap();
///     sim_core::task::yield_now().await;
///     sim_core::ext::park_note(|| "mock B".into());
///     sim_core::ext::unpark_note(mock_a); // late: mock B's note stays
///     std::future::pending::<()>().await
/// }).unwrap_err();
/// assert!(f.to_string().contains("waits for mock B"));
/// ```
pub fn unpark_note(token: ParkToken) {
    let Some(rt) = context::try_current() else {
        return;
    };
    let notes = rt.ext.borrow().find::<ParkNotes>();
    if let Some(notes) = notes {
        let mut notes = notes.0.borrow_mut();
        if notes
            .get(&token.task)
            .is_some_and(|n| n.stamp == token.stamp)
        {
            notes.remove(&token.task);
        }
    }
}

pub(crate) fn get_in<T: Extension + Default>(rt: &Runtime) -> Rc<T> {
    if let Some(v) = rt.ext.borrow().find::<T>() {
        return v;
    }
    // Built outside the borrow: `T::default` may use sim-core itself.
    let value = Rc::new(T::default());
    let mut ext = rt.ext.borrow_mut();
    if let Some(v) = ext.find::<T>() {
        return v;
    }
    ext.entries.push(Entry {
        type_id: TypeId::of::<T>(),
        any: value.clone(),
        hooks: value.clone(),
    });
    value
}

/// The running simulation's value of `T`, created on first use.
///
/// # Panics
///
/// Outside a simulation, naming `api`.
///
/// ```
/// # #[derive(Default)] struct S; impl sim_core::ext::Extension for S {}
/// # let mut sim = sim_core::Sim::builder().build();
/// # sim.run(async {
/// let s: std::rc::Rc<S> = sim_core::ext::get::<S>("detsim::example");
/// # let _ = s;
/// # }).unwrap();
/// ```
#[track_caller]
pub fn get<T: Extension + Default>(api: &str) -> Rc<T> {
    // Found in place (no reference-count traffic on the runtime); created
    // on first use with the runtime cloned out, as `T::default` may use
    // sim-core itself.
    match context::with_current(api, |rt| rt.ext.borrow().find::<T>()) {
        Some(v) => v,
        None => get_in(&context::current(api)),
    }
}

/// The value of `T` of simulation `instance` (see [`instance`]) if that
/// simulation is current here, creating it on first use.
///
/// # Panics
///
/// Outside a simulation or in another one, naming `api`.
///
/// ```
/// # #[derive(Default)] struct S; impl sim_core::ext::Extension for S {}
/// # let mut sim = sim_core::Sim::builder().build();
/// # sim.run(async {
/// let me = sim_core::ext::instance("example");
/// let _s = sim_core::ext::get_for::<S>(me, "example");
/// # }).unwrap();
/// ```
#[track_caller]
pub fn get_for<T: Extension + Default>(instance: u64, api: &str) -> Rc<T> {
    let found = context::with_current(api, |rt| {
        (rt.instance == instance).then(|| rt.ext.borrow().find::<T>())
    });
    match found {
        Some(Some(v)) => v,
        Some(None) => get_in(&context::for_instance(instance, api)),
        None => context::wrong_instance(api),
    }
}

/// The existing value of `T` of simulation `instance`, if that simulation
/// is current here and has one (for destructors: never creates, never
/// panics).
///
/// ```
/// # #[derive(Default)] struct S; impl sim_core::ext::Extension for S {}
/// assert!(sim_core::ext::try_get_for::<S>(1).is_none()); // no simulation here
/// ```
pub fn try_get_for<T: Extension>(instance: u64) -> Option<Rc<T>> {
    context::with_instance(instance, |rt| rt.ext.borrow().find::<T>()).flatten()
}

/// The identity of the running simulation (process-unique, never part of a
/// schedule), for plain-data handles that must find their simulation again.
///
/// # Panics
///
/// Outside a simulation, naming `api`.
///
/// ```
/// # let mut sim = sim_core::Sim::builder().build();
/// # sim.run(async {
/// assert_eq!(sim_core::ext::instance("x"), sim_core::ext::instance("x"));
/// # }).unwrap();
/// ```
#[track_caller]
#[inline]
pub fn instance(api: &str) -> u64 {
    context::with_current(api, |rt| rt.instance)
}

/// The identity of the simulation current on this thread, if any (see
/// [`instance`]; never panics).
///
/// ```
/// assert_eq!(sim_core::ext::try_instance(), None); // no simulation here
/// # let mut sim = sim_core::Sim::builder().build();
/// # sim.run(async {
/// assert_eq!(sim_core::ext::try_instance(), Some(sim_core::ext::instance("x")));
/// # }).unwrap();
/// ```
#[inline]
pub fn try_instance() -> Option<u64> {
    context::current_instance()
}

/// A draw in `0..bound` from the choice source, recorded as a network draw
/// (0 must be the simplest outcome). No draw at all when `bound <= 1`.
///
/// # Panics
///
/// Outside a simulation.
///
/// ```
/// # let mut sim = sim_core::Sim::builder().build();
/// # sim.run(async {
/// assert!(sim_core::ext::draw(10) < 10);
/// assert_eq!(sim_core::ext::draw(1), 0);
/// # }).unwrap();
/// ```
#[track_caller]
#[inline]
pub fn draw(bound: u64) -> u64 {
    context::with_current("detsim::net (a network draw)", |rt| {
        rt.choices.borrow_mut().draw(DrawKind::Net, bound)
    })
}

/// A draw in `0..bound` from the choice source, recorded as a disk draw
/// (0 must be the simplest outcome). No draw at all when `bound <= 1`.
///
/// # Panics
///
/// Outside a simulation.
///
/// ```
/// # let mut sim = sim_core::Sim::builder().build();
/// # sim.run(async {
/// assert!(sim_core::ext::disk_draw(10) < 10);
/// # }).unwrap();
/// ```
#[track_caller]
pub fn disk_draw(bound: u64) -> u64 {
    let rt = context::current("detsim::fs (a disk draw)");
    rt.choices.borrow_mut().draw(DrawKind::Disk, bound)
}

/// Whether an event of probability `rate` happens: one draw of 32 bits
/// through `draw`, none when `rate` is 0 or 1 (or NaN: never). A draw of 0
/// means "no" (unless `rate` is 1).
///
/// ```
/// assert!(!sim_core::ext::happens(0.0, &mut |_| unreachable!()));
/// assert!(sim_core::ext::happens(1.0, &mut |_| unreachable!()));
/// assert!(!sim_core::ext::happens(0.5, &mut |_| 0));
/// ```
pub fn happens(rate: f64, draw: &mut dyn FnMut(u64) -> u64) -> bool {
    if rate.is_nan() || rate <= 0.0 {
        return false;
    }
    if rate >= 1.0 {
        return true;
    }
    const SPAN: u64 = 1 << 32;
    let threshold = (rate * SPAN as f64) as u64; // < SPAN: rate < 1
    draw(SPAN) >= SPAN - threshold
}

/// Folds an extension event into the fingerprint (and the event log of a
/// determinism check).
///
/// # Panics
///
/// Outside a simulation.
///
/// ```
/// static PING: sim_core::ext::EventKind = sim_core::ext::EventKind { code: 9, name: "ping" };
/// # let mut sim = sim_core::Sim::builder().build();
/// # sim.run(async {
/// sim_core::ext::event(&PING, 1, 2);
/// # }).unwrap();
/// ```
#[track_caller]
#[inline]
pub fn event(kind: &'static EventKind, a: u64, b: u64) {
    context::with_current("detsim::net (a network event)", |rt| {
        rt.choices.borrow_mut().event(Event::Ext { kind, a, b });
    });
}

impl Runtime {
    /// Runs every extension's hook for a node event, with no borrow held.
    pub(crate) fn ext_node_hook(&self, node: NodeId, restarted: bool) {
        if self.ext.borrow().is_empty() {
            return;
        }
        let hooks = self.ext.borrow().hooks();
        for h in hooks {
            if restarted {
                h.node_restarted(node);
            } else {
                h.node_killed(node);
            }
        }
    }

    /// Tears down and drops every extension value (at teardown, before
    /// the clock clears: they may hold timers).
    pub(crate) fn ext_teardown(&self) {
        let values = self.ext.borrow_mut().take();
        let torn = crate::panic::catch(move || {
            for (hooks, _) in &values {
                hooks.teardown();
            }
            drop(values);
        });
        if let Err((_, record)) = torn {
            let info = crate::task::TaskInfo {
                id: crate::task::TaskId(u64::MAX),
                name: Some(std::sync::Arc::from("simulation state")),
                node: crate::node::MAIN_NODE,
                node_name: std::sync::Arc::from("-"),
                spawned_at: std::panic::Location::caller(),
            };
            self.fail(Runtime::panic_failure(
                info,
                record,
                "panicked while dropped",
            ));
        }
    }
}

/// Panics with `message`, reported at `location`: the failure of a run
/// (and a task's `JoinError`) says the panic happened there, not in the
/// extension's code that raised it. For a failure found in a poll or a
/// destructor on behalf of a call the user made earlier, whose location
/// the extension recorded with `#[track_caller]` (a mock's scripted
/// step, say). Outside a simulation the panic is printed as usual (at
/// this call), so a message should name the location too.
///
/// ```
/// let mut sim = sim_core::Sim::builder().build();
/// let step = std::panic::Location::caller(); // recorded when the user scripted it
/// let failure = sim.run(async move {
///     sim_core::ext::panic_at(step, "the step did not match".to_owned())
/// }).unwrap_err();
/// assert_eq!(failure.location(), Some(step.to_string().as_str()));
/// assert_eq!(failure.message(), "the step did not match");
/// ```
pub fn panic_at(location: &'static std::panic::Location<'static>, message: String) -> ! {
    crate::panic::panic_at(location, message)
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::*;

    thread_local! {
        static LOG: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    }

    fn log(s: String) {
        LOG.with(|l| l.borrow_mut().push(s));
    }

    #[derive(Default)]
    struct Watcher;

    impl Extension for Watcher {
        fn node_killed(&self, node: NodeId) {
            // Hooks may use sim-core again: no borrow is held.
            let name = node_names()[node.as_u32() as usize].clone();
            log(format!("killed {name}"));
        }
        fn node_restarted(&self, node: NodeId) {
            log(format!("restarted {node}"));
        }
        fn teardown(&self) {
            log(format!(
                "torn down, tasks gone: {}",
                crate::context::try_current().is_some_and(|rt| rt
                    .tasks
                    .borrow()
                    .occupied()
                    .count()
                    == 0)
            ));
        }
    }

    impl Drop for Watcher {
        fn drop(&mut self) {
            log(format!(
                "dropped, sim current: {}",
                crate::context::try_current().is_some()
            ));
        }
    }

    #[test]
    fn hooks_run_and_values_drop_at_teardown() {
        let mut sim = crate::Sim::builder().build();
        sim.run(async {
            let w1 = get::<Watcher>("test");
            let w2 = get::<Watcher>("test");
            assert!(Rc::ptr_eq(&w1, &w2));
            let n = crate::node::Node::builder("db").build();
            n.kill();
            n.restart();
            assert!(try_get_for::<Watcher>(instance("test")).is_some());
        })
        .unwrap();
        drop(sim);
        let got = LOG.with(|l| l.borrow().clone());
        assert_eq!(
            got,
            [
                "killed db",
                "restarted 1",
                "torn down, tasks gone: true",
                "dropped, sim current: true"
            ]
        );
    }

    #[test]
    fn wake_task_wakes_a_task_at_once_and_gives_any_other_waker_back() {
        use std::future::poll_fn;
        use std::task::Poll;
        let mut sim = crate::Sim::builder().build();
        let order = sim
            .run(async {
                let parked: Rc<RefCell<Vec<std::task::Waker>>> = Rc::default();
                let order: Rc<RefCell<Vec<u32>>> = Rc::default();
                let mut tasks = Vec::new();
                for i in 0..3 {
                    let (parked, order) = (parked.clone(), order.clone());
                    tasks.push(crate::spawn_local(async move {
                        let mut first = true;
                        poll_fn(|cx| {
                            if std::mem::take(&mut first) {
                                parked.borrow_mut().push(cx.waker().clone());
                                Poll::Pending
                            } else {
                                Poll::Ready(())
                            }
                        })
                        .await;
                        order.borrow_mut().push(i);
                    }));
                }
                while parked.borrow().len() < 3 {
                    crate::yield_now().await;
                }
                let wakers = std::mem::take(&mut *parked.borrow_mut());
                for w in wakers.into_iter().rev() {
                    assert!(wake_task(w).is_ok(), "a task's waker is woken in place");
                }
                for t in tasks {
                    t.await.unwrap();
                }
                assert!(wake_task(std::task::Waker::noop().clone()).is_err());
                Rc::try_unwrap(order).unwrap().into_inner()
            })
            .unwrap();
        assert_eq!(order.len(), 3);
    }

    #[test]
    fn rates_draw_only_when_uncertain_and_zero_means_no() {
        let mut draws = 0;
        let mut count = |b: u64| {
            draws += 1;
            b - 1
        };
        assert!(!happens(0.0, &mut count));
        assert!(happens(1.0, &mut count));
        assert_eq!(draws, 0);
        assert!(!happens(0.999, &mut |_| 0));
        assert!(happens(0.001, &mut |b| b - 1));
        // Half of the draws at rate 0.5.
        let hits = (0..1024u64)
            .filter(|i| happens(0.5, &mut |b| i * (b / 1024)))
            .count();
        assert_eq!(hits, 512);
    }

    #[test]
    fn net_draws_and_events_change_the_fingerprint() {
        static E: EventKind = EventKind {
            code: 1,
            name: "test event",
        };
        let fp = |with_event: bool| {
            let mut sim = crate::Sim::builder().seed(4).build();
            sim.run(async move {
                let _ = draw(100);
                if with_event {
                    event(&E, 1, 2);
                }
            })
            .unwrap();
            sim.fingerprint()
        };
        assert_eq!(fp(true), fp(true));
        assert_ne!(fp(true), fp(false));
    }
}
