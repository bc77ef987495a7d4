//! One simulated run of the store: three nodes, a client, a seeded fault
//! schedule, and the checker.
//!
//! For [`CHAOS`] of virtual time a client writes while faults hit the
//! cluster: node crashes (with restarts), partitions that cut one node
//! off, and network latency spikes, each chosen from the seed. Then the
//! network heals, every node is up, and the checker reads back every key:
//! each acknowledged put must be readable with its value or a later one
//! (a put the client saw fail or time out may or may not have happened).
//! The other invariant, one leader per term, is checked as leaders are
//! elected ([`crate::node::Leaders`]).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Duration;

use detsim::net::{Latency, LinkConfig, Network};
use detsim::node::Node;
use detsim::time::{self, Instant};
use detsim::{Failure, Fingerprint, Sim, Trace, rand, task};
use futures::channel::oneshot;

use crate::node::{self, Leaders, NODES};
use crate::wire;

/// How long the fault schedule and the client's writes last.
pub(crate) const CHAOS: Duration = Duration::from_secs(3);
/// How long the client waits for one reply.
const CLIENT_TIMEOUT: Duration = Duration::from_millis(500);
/// Distinct keys the client writes (few, so keys are overwritten).
const KEYS: u64 = 6;

/// What one run did.
pub(crate) struct Outcome {
    /// The checker's verdict: `Ok` with the run's statistics, or the failure.
    pub(crate) result: Result<Stats, Failure>,
    /// The fingerprint of everything the run decided.
    pub(crate) fingerprint: Fingerprint,
    /// The run's trace, when it was asked for.
    pub(crate) trace: Option<Trace>,
    /// What happened, in virtual time: every fault the schedule injected
    /// and every election won.
    pub(crate) story: Vec<(Instant, String)>,
}

/// The fault schedule's record of what it did.
type Story = Rc<RefCell<Vec<(Instant, String)>>>;

fn note(story: &Story, what: String) {
    story.borrow_mut().push((Instant::now(), what));
}

/// What a passing run did.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Stats {
    /// Puts the store acknowledged.
    pub(crate) acked: u64,
    /// Puts that failed or timed out (outcome unknown to the client).
    pub(crate) unknown: u64,
    /// Faults the schedule injected.
    pub(crate) faults: u64,
}

/// Runs the store under `seed`'s schedule; `fixed` picks the corrected
/// store, `trace` records the run's trace.
pub(crate) fn run(seed: u64, fixed: bool, trace: bool) -> Outcome {
    let mut sim = Sim::builder().seed(seed).trace(trace).build();
    let leaders = Leaders::default();
    let story = Story::default();
    let result = sim.run(scenario(fixed, leaders.clone(), story.clone()));
    let mut story = story.take();
    let elections = leaders.borrow();
    let elections = elections
        .iter()
        .map(|(term, (node, at))| (*at, format!("{node} elected leader of term {term}")));
    story.extend(elections);
    story.sort_by_key(|(at, _)| *at); // stable: faults first at one instant
    Outcome {
        story,
        fingerprint: sim.fingerprint(),
        trace: match &result {
            Err(f) => f.trace().cloned(),
            Ok(_) => sim.trace(),
        },
        result,
    }
}

/// One run of the store as the body of a `#[sim_test]` (the simulation is
/// the caller's): what `tests/demo_kv_store.rs` sweeps with `cargo detsim`.
#[allow(dead_code)] // the example itself drives `run`
pub(crate) async fn check(fixed: bool) -> Stats {
    scenario(fixed, Leaders::default(), Story::default()).await
}

async fn scenario(fixed: bool, leaders: Leaders, story: Story) -> Stats {
    let nodes: Vec<Node> = NODES
        .iter()
        .map(|&name| {
            let leaders = leaders.clone();
            Node::builder(name)
                .init(move || node::run(name, fixed, leaders.clone()))
                .build()
        })
        .collect();
    let client = Node::builder("client").build();
    let stats = Rc::new(RefCell::new(Stats::default()));
    let (done, finished) = oneshot::channel();
    // Not awaited through its handle: a checker panic fails the run at
    // once, naming task 'client' on node 'client'.
    let workload = task::Builder::new()
        .name("client")
        .node(&client)
        .spawn_local(client_run(stats.clone(), done));
    drop(workload);
    stats.borrow_mut().faults = chaos(&nodes, &story).await;
    finished.await.expect("the client finishes");
    *stats.borrow()
}

/// The seeded fault schedule; returns how many faults it injected. Every
/// choice is a draw whose 0 is "no fault" (or the mildest one).
async fn chaos(nodes: &[Node], story: &Story) -> u64 {
    let net = Network::current();
    let started = Instant::now();
    let mut recoveries = Vec::new();
    let mut faults = 0;
    while Instant::now() - started < CHAOS {
        time::sleep(Duration::from_millis(rand::gen_range(20..300))).await;
        let victim = nodes[rand::gen_range(0..nodes.len())];
        match rand::gen_range(0..4) {
            0 => continue, // a quiet spell
            1 => {
                victim.kill();
                let down = Duration::from_millis(rand::gen_range(50..600));
                note(
                    story,
                    format!("{} crashes, down for {down:?}", victim.name()),
                );
                let story = story.clone();
                recoveries.push(detsim::spawn_local(async move {
                    time::sleep(down).await;
                    victim.restart();
                    note(&story, format!("{} restarts", victim.name()));
                }));
            }
            2 => {
                let others: Vec<Node> = nodes.iter().copied().filter(|n| *n != victim).collect();
                for o in &others {
                    net.partition(&victim, o);
                }
                let cut = Duration::from_millis(rand::gen_range(50..800));
                note(
                    story,
                    format!("{} is cut off from the others for {cut:?}", victim.name()),
                );
                let story = story.clone();
                recoveries.push(detsim::spawn_local(async move {
                    time::sleep(cut).await;
                    let net = Network::current();
                    for o in &others {
                        net.heal(&victim, o);
                    }
                    note(&story, format!("{} reconnects", victim.name()));
                }));
            }
            _ => {
                let worst = Duration::from_millis(rand::gen_range(2..40));
                net.set_default(
                    LinkConfig::new().latency(Latency::uniform(Duration::from_millis(1), worst)),
                )
                .expect("a valid latency");
                note(story, format!("network latency now 1ms..{worst:?}"));
            }
        }
        faults += 1;
    }
    for r in recoveries {
        r.await.expect("a recovery task");
    }
    // The storm is over: a healthy network, every node up.
    net.heal_all();
    net.set_default(LinkConfig::new())
        .expect("the default link");
    for n in nodes {
        if !n.is_alive() {
            n.restart();
        }
    }
    note(story, "faults over: network healed, every node up".into());
    faults
}

/// A client that finds the leader by following redirects.
struct Client {
    guess: usize,
}

impl Client {
    /// Sends `request` until a leader answers it, or gives up after a few
    /// tries (`None`: the outcome is unknown).
    async fn request(&mut self, request: &str, tries: u32) -> Option<String> {
        for _ in 0..tries {
            let node = NODES[self.guess];
            match wire::call(node, request, CLIENT_TIMEOUT).await {
                Ok(reply) if reply.starts_with("redirect ") => {
                    let hint = &reply["redirect ".len()..];
                    match NODES.iter().position(|n| *n == hint) {
                        Some(i) if i != self.guess => {
                            self.guess = i;
                            continue;
                        }
                        _ => self.guess = (self.guess + 1) % NODES.len(),
                    }
                }
                Ok(reply) if !reply.starts_with("err ") => return Some(reply),
                _ => self.guess = (self.guess + 1) % NODES.len(),
            }
            time::sleep(Duration::from_millis(20)).await;
        }
        None
    }
}

/// An acknowledged put, as the client saw it.
struct Acked {
    seq: u64,
    at: Instant,
}

async fn client_run(stats: Rc<RefCell<Stats>>, done: oneshot::Sender<()>) {
    let started = Instant::now();
    let mut client = Client { guess: 0 };
    // Per key, the latest acknowledged put. Values are `v<seq>`, seq
    // growing, so "its value or a later one" is `seq >= acked seq`.
    let mut acked: BTreeMap<String, Acked> = BTreeMap::new();
    let mut seq = 0;
    while Instant::now() - started < CHAOS {
        seq += 1;
        let key = format!("k{}", seq % KEYS);
        let reply = client.request(&format!("put {key} v{seq}"), 3).await;
        if reply.as_deref() == Some("ok") {
            stats.borrow_mut().acked += 1;
            acked.insert(
                key,
                Acked {
                    seq,
                    at: Instant::now(),
                },
            );
        } else {
            stats.borrow_mut().unknown += 1;
        }
        time::sleep(Duration::from_millis(rand::gen_range(0..20))).await;
    }
    // Wait out the chaos (the schedule heals everything), then read back.
    time::sleep(Duration::from_secs(1)).await;
    for (key, put) in &acked {
        let Some(reply) = client.request(&format!("get {key}"), 50).await else {
            panic!("no leader answered `get {key}` in 50 tries after the cluster healed");
        };
        let read = reply
            .strip_prefix("val v")
            .and_then(|s| s.parse::<u64>().ok());
        if read.is_none_or(|r| r < put.seq) {
            panic!(
                "lost acknowledged write: `put {key} v{}` was acknowledged at {}, \
                 but after the cluster healed `get {key}` returned `{reply}`",
                put.seq, put.at,
            );
        }
    }
    let _ = done.send(());
}
