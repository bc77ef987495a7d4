//! Node questions for extensions: which nodes exist, which are alive
//! (one lookup each, or none while every node is up: [`Liveness`]), and
//! their names.

use std::cell::Cell;
use std::rc::Rc;

use crate::context;
use crate::node::{Node, NodeId};

/// The node with id `id`, if the running simulation has one.
///
/// # Panics
///
/// Outside a simulation.
///
/// ```
/// # let mut sim = sim_core::Sim::builder().build();
/// # sim.run(async {
/// assert_eq!(sim_core::ext::node(0).unwrap().name(), "main");
/// assert!(sim_core::ext::node(7).is_none());
/// # }).unwrap();
/// ```
#[track_caller]
#[inline]
pub fn node(id: u32) -> Option<Node> {
    context::with_current("detsim::net (a node lookup)", |rt| {
        let exists = (id as usize) < rt.nodes.borrow().len();
        exists.then_some(Node {
            instance: rt.instance,
            id: NodeId(id),
        })
    })
}

/// Whether the running simulation has a node with id `id` and it is alive
/// (not killed): `node(id).is_some_and(|n| n.is_alive())` in one lookup.
///
/// # Panics
///
/// Outside a simulation.
///
/// ```
/// # let mut sim = sim_core::Sim::builder().build();
/// # sim.run(async {
/// let db = sim_core::node::Node::builder("db").build();
/// assert!(sim_core::ext::node_alive(db.id().as_u32()));
/// db.kill();
/// assert!(!sim_core::ext::node_alive(db.id().as_u32()));
/// assert!(!sim_core::ext::node_alive(7));
/// # }).unwrap();
/// ```
#[track_caller]
#[inline]
pub fn node_alive(id: u32) -> bool {
    context::with_current("detsim::net (a node lookup)", |rt| {
        let nodes = rt.nodes.borrow();
        (id as usize) < nodes.len() && nodes.get(NodeId(id)).alive
    })
}

/// A view of whether every node of one simulation is alive, kept current
/// by the runtime as nodes are killed and restarted: a hot path checks
/// [`all_alive`](Liveness::all_alive) (one load, no thread-local lookup)
/// and asks [`node_alive`] only when some node is down.
///
/// It is exact at every moment, not a cache: the count changes in the
/// same step as a node's `alive` flag, before the killed node's tasks are
/// dropped, so a destructor that runs during the kill already sees it.
///
/// ```
/// # let mut sim = sim_core::Sim::builder().build();
/// # sim.run(async {
/// let live = sim_core::ext::liveness().unwrap();
/// let db = sim_core::node::Node::builder("db").build();
/// assert!(live.all_alive());
/// db.kill();
/// assert!(!live.all_alive());
/// db.restart();
/// assert!(live.all_alive());
/// # }).unwrap();
/// ```
#[derive(Clone, Debug)]
pub struct Liveness(Rc<Cell<u32>>);

impl Liveness {
    /// Whether no node of the simulation is dead right now.
    ///
    /// ```
    /// # let mut sim = sim_core::Sim::builder().build();
    /// # sim.run(async {
    /// assert!(sim_core::ext::liveness().unwrap().all_alive());
    /// # }).unwrap();
    /// ```
    #[inline]
    pub fn all_alive(&self) -> bool {
        self.0.get() == 0
    }
}

/// The running simulation's [`Liveness`], or `None` outside a simulation.
///
/// ```
/// assert!(sim_core::ext::liveness().is_none());
/// ```
pub fn liveness() -> Option<Liveness> {
    context::try_current().map(|rt| Liveness(rt.dead_nodes.clone()))
}

/// The names of the running simulation's nodes, by id.
///
/// # Panics
///
/// Outside a simulation.
///
/// ```
/// # let mut sim = sim_core::Sim::builder().build();
/// # sim.run(async {
/// sim_core::node::Node::builder("db").build();
/// assert_eq!(sim_core::ext::node_names(), ["main", "db"]);
/// # }).unwrap();
/// ```
#[track_caller]
pub fn node_names() -> Vec<String> {
    let rt = context::current("detsim::net (node names)");
    let nodes = rt.nodes.borrow();
    (0..nodes.len())
        .map(|i| nodes.name(NodeId(i as u32)).to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::*;

    #[test]
    fn liveness_agrees_with_node_alive_even_in_a_killed_node_s_destructors() {
        thread_local! {
            static SEEN: RefCell<Vec<(bool, bool)>> = const { RefCell::new(Vec::new()) };
        }
        struct OnDrop(u32, Liveness);
        impl Drop for OnDrop {
            fn drop(&mut self) {
                SEEN.with(|s| {
                    s.borrow_mut()
                        .push((self.1.all_alive(), node_alive(self.0)))
                });
            }
        }
        let mut sim = crate::Sim::builder().build();
        sim.run(async {
            let live = liveness().unwrap();
            let a = Node::builder("a").build();
            let b = Node::builder("b").build();
            let guard = OnDrop(a.id().as_u32(), live.clone());
            a.spawn_local(async move {
                let _g = guard;
                std::future::pending::<()>().await;
            });
            crate::yield_now().await;
            assert!(live.all_alive());
            a.kill();
            assert!(!live.all_alive());
            b.kill();
            a.restart();
            assert!(!live.all_alive(), "b is still down");
            b.restart();
            assert!(live.all_alive());
            // Restarting a live node kills it first: down, then up again.
            a.restart();
            assert!(live.all_alive());
        })
        .unwrap();
        let seen = SEEN.with(|s| s.borrow().clone());
        assert_eq!(seen, [(false, false)], "the destructor ran during the kill");
    }
}
