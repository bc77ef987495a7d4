//! One store node: a small Raft (terms, votes, log replication, commit by
//! majority) with a planted bug in how it acknowledges puts.
//!
//! * Every node starts as a follower. One that hears from no leader for an
//!   election timeout (150–300 ms, drawn from the seed) becomes a
//!   candidate: it bumps its term, votes for itself and asks the others;
//!   a node grants one vote per term, only to a candidate whose log is at
//!   least as up to date as its own. A majority (2 of 3) makes a leader.
//! * The leader appends each put to its log, syncs it, and replicates its
//!   log to the followers, which sync before they answer. An entry stored
//!   on a majority in the leader's term is committed. Reads append a no-op
//!   and answer once it commits, so a deposed leader cannot answer one.
//! * Term, vote and log survive crashes ([`Durable`]): a node persists
//!   them before it answers anything that depends on them.
//!
//! **The planted bug**: the buggy store acknowledges a put as soon as it
//! is in the leader's own synced log, before a majority has it. If that
//! leader then crashes or is cut off, the others elect a leader without the
//! entry, and when the old leader comes back its log is overwritten: an
//! acknowledged write is gone. The fixed store acknowledges only once the
//! entry is committed.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Duration;

use detsim::time::{self, Instant};
use detsim::{rand, spawn_local};
use futures::lock::Mutex;

use crate::storage::{Durable, Entry};
use crate::wire::{self, Words};

/// The store's nodes (hostnames).
pub(crate) const NODES: [&str; 3] = ["kv1", "kv2", "kv3"];
/// How often a leader sends each follower what it is missing (or a
/// heartbeat).
const HEARTBEAT: Duration = Duration::from_millis(15);
/// How often a node checks whether its leader went quiet.
const TICK: Duration = Duration::from_millis(10);
/// How long a put or read may wait for its entry to commit.
const COMMIT_WAIT: Duration = Duration::from_millis(400);
/// The most entries one append carries.
const BATCH: usize = 16;

/// Which leader each term had and when it was elected, across every node
/// and restart: the checker's record for "no two leaders in one term".
pub(crate) type Leaders = Rc<RefCell<BTreeMap<u64, (&'static str, Instant)>>>;

enum Role {
    Follower,
    Candidate,
    /// Per follower: the next index to send and the highest index known
    /// to be stored there.
    Leader {
        next: BTreeMap<&'static str, u64>,
        matched: BTreeMap<&'static str, u64>,
    },
}

struct State {
    me: &'static str,
    durable: Durable,
    role: Role,
    commit: u64,
    leader_hint: Option<String>,
    last_heard: Instant,
    election_timeout: Duration,
}

type Shared = Rc<Mutex<State>>;

fn election_timeout() -> Duration {
    Duration::from_millis(rand::gen_range(150..300))
}

fn last_index_term(log: &[Entry]) -> (u64, u64) {
    (log.len() as u64, log.last().map_or(0, |e| e.term))
}

impl State {
    fn peers(&self) -> impl Iterator<Item = &'static str> + use<> {
        let me = self.me;
        NODES.into_iter().filter(move |n| *n != me)
    }

    fn is_leader_of(&self, term: u64) -> bool {
        matches!(self.role, Role::Leader { .. }) && self.durable.term == term
    }

    /// A higher term seen anywhere: follow it. Returns whether the durable
    /// state changed.
    fn observe_term(&mut self, term: u64) -> bool {
        if term <= self.durable.term {
            return false;
        }
        self.durable.term = term;
        self.durable.voted_for = None;
        self.role = Role::Follower;
        true
    }

    /// The highest index stored on a majority in the current term.
    fn advance_commit(&mut self) {
        let Role::Leader { matched, .. } = &self.role else {
            return;
        };
        for n in (self.commit + 1..=self.durable.log.len() as u64).rev() {
            let copies = 1 + matched.values().filter(|&&m| m >= n).count();
            if copies * 2 > NODES.len()
                && self.durable.log[n as usize - 1].term == self.durable.term
            {
                self.commit = n;
                return;
            }
        }
    }

    /// The value of `key` after applying the log up to `index`.
    fn value_at(&self, key: &str, index: u64) -> Option<&str> {
        self.durable.log[..index as usize]
            .iter()
            .filter_map(|e| e.put.as_ref())
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .next_back()
    }
}

/// A store node's `main`: recover from disk, serve, and keep time.
/// `fixed` picks when a put is acknowledged (see the module docs).
pub(crate) async fn run(me: &'static str, fixed: bool, leaders: Leaders) {
    let durable = Durable::load()
        .await
        .unwrap_or_else(|e| panic!("{me}: cannot recover its state from disk: {e}"));
    let state: Shared = Rc::new(Mutex::new(State {
        me,
        durable,
        role: Role::Follower,
        commit: 0,
        leader_hint: None,
        last_heard: Instant::now(),
        election_timeout: election_timeout(),
    }));
    let server = state.clone();
    spawn_local(async move {
        let handle = move |request: String| handle(server.clone(), fixed, request);
        if let Err(e) = wire::serve(handle).await {
            panic!("{me}: cannot serve on port {}: {e}", wire::PORT);
        }
    });
    loop {
        time::sleep(TICK).await;
        let due = {
            let s = state.lock().await;
            !matches!(s.role, Role::Leader { .. })
                && Instant::now() - s.last_heard >= s.election_timeout
        };
        if due {
            campaign(&state, &leaders).await;
        }
    }
}

async fn campaign(state: &Shared, leaders: &Leaders) {
    let (term, request) = {
        let mut s = state.lock().await;
        s.durable.term += 1;
        s.durable.voted_for = Some(s.me.to_owned());
        s.role = Role::Candidate;
        s.last_heard = Instant::now();
        s.election_timeout = election_timeout();
        if s.durable.save().await.is_err() {
            return;
        }
        let (index, last_term) = last_index_term(&s.durable.log);
        let term = s.durable.term;
        (term, format!("vote {term} {} {index} {last_term}", s.me))
    };
    let peers: Vec<_> = state.lock().await.peers().collect();
    let replies = futures::future::join_all(
        peers
            .iter()
            .map(|p| wire::call(p, &request, wire::RPC_TIMEOUT)),
    )
    .await;
    let mut s = state.lock().await;
    let mut votes = 1;
    for reply in replies.into_iter().flatten() {
        let mut w = Words::new(&reply);
        let (Ok(_), Ok(their_term), Ok(granted)) =
            (w.word("kind"), w.num("term"), w.num("granted"))
        else {
            continue;
        };
        if s.observe_term(their_term) {
            let _ = s.durable.save().await;
            return;
        }
        votes += granted as usize;
    }
    if votes * 2 <= NODES.len() || !matches!(s.role, Role::Candidate) || s.durable.term != term {
        return;
    }
    // Won: record it for the checker, then claim the term with a no-op.
    let me = s.me;
    if let Some((other, _)) = leaders.borrow_mut().insert(term, (me, Instant::now())) {
        if other != me {
            panic!("split brain: {other} and {me} were both elected leader of term {term}");
        }
    }
    let len = s.durable.log.len() as u64;
    let peers: Vec<_> = s.peers().collect();
    s.role = Role::Leader {
        next: peers.iter().map(|p| (*p, len + 1)).collect(),
        matched: peers.iter().map(|p| (*p, 0)).collect(),
    };
    s.leader_hint = Some(me.to_owned());
    s.durable.log.push(Entry { term, put: None });
    if s.durable.save().await.is_err() {
        s.role = Role::Follower;
        return;
    }
    drop(s);
    for peer in peers {
        spawn_local(replicate(state.clone(), term, peer));
    }
}

/// While leader of `term`: send `peer` what it lacks, every heartbeat.
async fn replicate(state: Shared, term: u64, peer: &'static str) {
    loop {
        let request = {
            let s = state.lock().await;
            let Role::Leader { next, .. } = &s.role else {
                return;
            };
            if s.durable.term != term {
                return;
            }
            let next = next[peer];
            let prev = next - 1;
            let prev_term = if prev == 0 {
                0
            } else {
                s.durable.log[prev as usize - 1].term
            };
            let entries: Vec<String> = s.durable.log[prev as usize..]
                .iter()
                .take(BATCH)
                .map(Entry::encode)
                .collect();
            format!(
                "append {term} {} {prev} {prev_term} {} {} {}",
                s.me,
                s.commit,
                entries.len(),
                entries.join(" ")
            )
        };
        if !detsim::buggify!() {
            // (buggify: this round's append is lost on the way out)
            if let Ok(reply) = wire::call(peer, &request, wire::RPC_TIMEOUT).await {
                on_append_reply(&state, term, peer, &reply).await;
            }
        }
        time::sleep(HEARTBEAT).await;
    }
}

async fn on_append_reply(state: &Shared, term: u64, peer: &'static str, reply: &str) {
    let mut w = Words::new(reply);
    let (Ok(_), Ok(their_term), Ok(ok), Ok(matched_to)) =
        (w.word("kind"), w.num("term"), w.num("ok"), w.num("match"))
    else {
        return;
    };
    let mut s = state.lock().await;
    if s.observe_term(their_term) {
        let _ = s.durable.save().await;
        return;
    }
    if !s.is_leader_of(term) {
        return;
    }
    let Role::Leader { next, matched } = &mut s.role else {
        return;
    };
    if ok == 1 {
        let m = matched.get_mut(peer).expect("a peer");
        *m = (*m).max(matched_to);
        next.insert(peer, *m + 1);
        s.advance_commit();
    } else {
        let n = next.get_mut(peer).expect("a peer");
        *n = (*n - 1).max(1);
    }
}

async fn handle(state: Shared, fixed: bool, request: String) -> String {
    if detsim::buggify!() {
        // A slow handler: GC pause, busy thread.
        time::sleep(Duration::from_millis(rand::gen_range(1..40))).await;
    }
    let mut w = Words::new(&request);
    let reply = match w.word("request") {
        Ok("vote") => on_vote(&state, &mut w).await,
        Ok("append") => on_append(&state, &mut w).await,
        Ok("put") => on_put(&state, fixed, &mut w).await,
        Ok("get") => on_get(&state, &mut w).await,
        Ok(other) => Err(format!("unknown request `{other}`")),
        Err(e) => Err(e),
    };
    reply.unwrap_or_else(|e| format!("err {e}"))
}

async fn on_vote(state: &Shared, w: &mut Words<'_>) -> Result<String, String> {
    let (term, candidate) = (w.num("term")?, w.word("candidate")?);
    let (index, last_term) = (w.num("last index")?, w.num("last term")?);
    let mut s = state.lock().await;
    let mut dirty = s.observe_term(term);
    let (my_index, my_term) = last_index_term(&s.durable.log);
    let up_to_date = (last_term, index) >= (my_term, my_index);
    let free = s
        .durable
        .voted_for
        .as_deref()
        .is_none_or(|v| v == candidate);
    let grant = term == s.durable.term && free && up_to_date;
    if grant {
        dirty |= s.durable.voted_for.is_none();
        s.durable.voted_for = Some(candidate.to_owned());
        s.last_heard = Instant::now();
    }
    if dirty {
        s.durable.save().await.map_err(|e| e.to_string())?;
    }
    Ok(format!("vote {} {}", s.durable.term, u8::from(grant)))
}

async fn on_append(state: &Shared, w: &mut Words<'_>) -> Result<String, String> {
    let (term, leader) = (w.num("term")?, w.word("leader")?);
    let (prev, prev_term) = (w.num("prev index")?, w.num("prev term")?);
    let (leader_commit, count) = (w.num("commit")?, w.num("count")?);
    let entries = (0..count)
        .map(|_| Entry::decode(w))
        .collect::<Result<Vec<_>, _>>()?;
    let mut s = state.lock().await;
    let mut dirty = s.observe_term(term);
    let reply =
        |s: &State, ok: bool, m: u64| format!("append {} {} {m}", s.durable.term, u8::from(ok));
    if term < s.durable.term {
        return Ok(reply(&s, false, 0));
    }
    s.role = Role::Follower;
    s.leader_hint = Some(leader.to_owned());
    s.last_heard = Instant::now();
    let log = &mut s.durable.log;
    let matches = prev == 0
        || log
            .get(prev as usize - 1)
            .is_some_and(|e| e.term == prev_term);
    if matches {
        for (i, e) in entries.into_iter().enumerate() {
            let at = prev as usize + i;
            if log.get(at).is_some_and(|have| have.term != e.term) {
                log.truncate(at);
            }
            if at >= log.len() {
                log.push(e);
                dirty = true;
            }
        }
        s.commit = s.commit.max(leader_commit.min(prev + count));
    }
    if dirty {
        s.durable.save().await.map_err(|e| e.to_string())?;
    }
    Ok(reply(&s, matches, if matches { prev + count } else { 0 }))
}

/// Appends `put` (or a no-op) to the leader's log and syncs it; `None` if
/// this node does not lead.
async fn append_local(state: &Shared, put: Option<(String, String)>) -> Result<(u64, u64), String> {
    let mut s = state.lock().await;
    if !matches!(s.role, Role::Leader { .. }) {
        return Err(format!(
            "redirect {}",
            s.leader_hint.as_deref().unwrap_or("-")
        ));
    }
    let term = s.durable.term;
    s.durable.log.push(Entry { term, put });
    s.durable.save().await.map_err(|e| format!("err {e}"))?;
    Ok((s.durable.log.len() as u64, term))
}

/// Waits until `index` commits while this node still leads `term`.
async fn committed(state: &Shared, index: u64, term: u64) -> Result<(), String> {
    let deadline = Instant::now() + COMMIT_WAIT;
    loop {
        {
            let s = state.lock().await;
            if !s.is_leader_of(term) {
                return Err("err lost leadership before it committed".into());
            }
            if s.commit >= index {
                return Ok(());
            }
        }
        if Instant::now() >= deadline {
            return Err("err not committed in time".into());
        }
        time::sleep(Duration::from_millis(2)).await;
    }
}

async fn on_put(state: &Shared, fixed: bool, w: &mut Words<'_>) -> Result<String, String> {
    let (key, value) = (w.word("key")?.to_owned(), w.word("value")?.to_owned());
    let (index, term) = match append_local(state, Some((key, value))).await {
        Ok(at) => at,
        Err(reply) => return Ok(reply),
    };
    if fixed {
        if let Err(reply) = committed(state, index, term).await {
            return Ok(reply);
        }
    }
    // THE PLANTED BUG (without `fixed`): the entry is only in this
    // leader's log, not yet on a majority, and we already say "ok".
    Ok("ok".into())
}

async fn on_get(state: &Shared, w: &mut Words<'_>) -> Result<String, String> {
    let key = w.word("key")?;
    let (index, term) = match append_local(state, None).await {
        Ok(at) => at,
        Err(reply) => return Ok(reply),
    };
    if let Err(reply) = committed(state, index, term).await {
        return Ok(reply);
    }
    let s = state.lock().await;
    Ok(match s.value_at(key, index) {
        Some(v) => format!("val {v}"),
        None => "none".into(),
    })
}
