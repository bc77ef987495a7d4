//! Bugs that faults bring out: message reordering (the network's latency
//! draws), split brain (a partition's timing) and a lost write (a crash's
//! timing).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use detsim::net::{Latency, LinkConfig, Network, UdpSocket};
use detsim::node::Node;
use detsim::time::{self, Instant};
use detsim::{FailureKind, rand};

use super::{Bug, Run, background, join};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn word(buf: &[u8], i: usize) -> u32 {
    u32::from_le_bytes(buf[4 * i..4 * i + 4].try_into().unwrap())
}

fn words(w: [u32; 3]) -> [u8; 12] {
    let mut out = [0u8; 12];
    for (i, v) in w.iter().enumerate() {
        out[4 * i..4 * i + 4].copy_from_slice(&v.to_le_bytes());
    }
    out
}

/// A writer sends two versions of a value 3 ms apart over UDP with 1–10 ms
/// of jitter; the replica applies whatever arrives. Depth 1: the second
/// datagram delivered before the first. The fix applies only newer
/// versions.
pub const MESSAGE_REORDERING: Bug = Bug {
    name: "message_reordering",
    depth: 1,
    tasks: 6,
    kind: FailureKind::Panic,
    message: "message reordering: the replica kept the older value",
    fault_driven: true,
    program: message_reordering,
};

fn message_reordering(fixed: bool) -> Run {
    Box::pin(async move {
        Network::current()
            .set_default(LinkConfig::new().latency(Latency::uniform(ms(1), ms(10))))
            .unwrap();
        let state = Arc::new(Mutex::new((0u32, 0u32)));
        let s = state.clone();
        let _replica = Node::builder("replica")
            .init(move || {
                let state = s.clone();
                async move {
                    let sock = UdpSocket::bind("0.0.0.0:9000").await.unwrap();
                    let mut buf = [0u8; 12];
                    loop {
                        sock.recv_from(&mut buf).await.unwrap();
                        let (version, value) = (word(&buf, 0), word(&buf, 1));
                        let mut st = state.lock().unwrap();
                        if !fixed || version > st.0 {
                            *st = (version, value);
                        }
                    }
                }
            })
            .build();
        let others = background();
        let sock = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        sock.send_to(&words([1, 10, 0]), "replica:9000")
            .await
            .unwrap();
        time::sleep(ms(3)).await;
        sock.send_to(&words([2, 20, 0]), "replica:9000")
            .await
            .unwrap();
        time::sleep(ms(50)).await;
        join(others).await;
        let value = state.lock().unwrap().1;
        assert!(
            value == 20,
            "message reordering: the replica kept the older value {value}"
        );
    })
}

const HEARTBEAT: Duration = Duration::from_millis(10);
const ELECTION_TIMEOUT: Duration = Duration::from_millis(50);
const LEASE: Duration = Duration::from_millis(30);

/// Who believes it leads; claiming while the other leads is split brain.
type Leaders = Arc<Mutex<[bool; 2]>>;

fn claim(leaders: &Leaders, me: usize) {
    let mut l = leaders.lock().unwrap();
    l[me] = true;
    assert!(!l[1 - me], "split brain: two leaders at once");
}

/// A leader heartbeats a follower every 10 ms; the follower takes over
/// after 50 ms without one. A partition at a random moment lasts a random
/// time. Depth 1: the partition outlasting the election timeout, while the
/// old leader, which never checks that it is still heard, keeps leading.
/// The fix: the leader steps down when no heartbeat was acknowledged for
/// 30 ms (a lease shorter than the election timeout).
pub const SPLIT_BRAIN: Bug = Bug {
    name: "split_brain",
    depth: 1,
    tasks: 7,
    kind: FailureKind::Panic,
    message: "split brain: two leaders at once",
    fault_driven: true,
    program: split_brain,
};

fn split_brain(fixed: bool) -> Run {
    Box::pin(async move {
        let leaders: Leaders = Arc::default();
        let l = leaders.clone();
        let leader = Node::builder("n1")
            .init(move || {
                let leaders = l.clone();
                async move {
                    let sock = UdpSocket::bind("0.0.0.0:7000").await.unwrap();
                    claim(&leaders, 0);
                    let (mut last_ack, mut tick) = (Instant::now(), Instant::now());
                    let mut buf = [0u8; 12];
                    loop {
                        match time::timeout_at(tick, sock.recv_from(&mut buf)).await {
                            Ok(r) => {
                                r.unwrap();
                                last_ack = Instant::now();
                            }
                            Err(_) if fixed && last_ack.elapsed() > LEASE => {
                                leaders.lock().unwrap()[0] = false;
                                return;
                            }
                            Err(_) => {
                                tick += HEARTBEAT;
                                sock.send_to(&words([0; 3]), "n2:7000").await.unwrap();
                            }
                        }
                    }
                }
            })
            .build();
        let l = leaders.clone();
        let follower = Node::builder("n2")
            .init(move || {
                let leaders = l.clone();
                async move {
                    let sock = UdpSocket::bind("0.0.0.0:7000").await.unwrap();
                    let (mut last_heartbeat, mut tick) = (Instant::now(), Instant::now());
                    let mut buf = [0u8; 12];
                    loop {
                        match time::timeout_at(tick, sock.recv_from(&mut buf)).await {
                            Ok(r) => {
                                let (_, from) = r.unwrap();
                                last_heartbeat = Instant::now();
                                sock.send_to(&words([1; 3]), from).await.unwrap();
                            }
                            Err(_) if last_heartbeat.elapsed() >= ELECTION_TIMEOUT => {
                                claim(&leaders, 1);
                                return;
                            }
                            Err(_) => tick += HEARTBEAT,
                        }
                    }
                }
            })
            .build();
        let others = background();
        time::sleep(ms(rand::gen_range(0..100))).await;
        let net = Network::current();
        net.partition(&leader, &follower);
        time::sleep(ms(rand::gen_range(0..100))).await;
        net.heal(&leader, &follower);
        time::sleep(ms(100)).await;
        join(others).await;
    })
}

/// A key-value node acknowledges a put once it is in memory and flushes
/// memory to its durable store every 20 ms; a crash at a random moment
/// (then a restart, which reloads the durable store) loses what was
/// acknowledged but not flushed. Depth 1: the crash between an
/// acknowledgement and the next flush. The fix makes the write durable
/// before acknowledging it.
///
/// The durable store is an in-memory map that outlives the node's tasks
/// (what a synced file is to a process): the test does not depend on
/// the simulated disk.
pub const LOST_WRITE_AFTER_CRASH: Bug = Bug {
    name: "lost_write_after_crash",
    depth: 1,
    tasks: 8,
    kind: FailureKind::Panic,
    message: "lost write after crash: acknowledged key",
    fault_driven: true,
    program: lost_write_after_crash,
};

const PUT: u32 = 0;
const GET: u32 = 1;
const MISSING: u32 = u32::MAX;

fn lost_write_after_crash(fixed: bool) -> Run {
    kv_store(fixed, None)
}

/// The key-value node of [`LOST_WRITE_AFTER_CRASH`] and its client. With
/// `plan`, the plan's faults replace the random crash (the plan's nodes:
/// `db` and `main`); when the plan is over, every partition heals and
/// `db` restarts if it is down, and the client reads the keys back.
pub fn kv_store(fixed: bool, plan: Option<detsim::net::FaultPlan>) -> Run {
    Box::pin(async move {
        let durable: Arc<Mutex<BTreeMap<u32, u32>>> = Arc::default();
        let d = durable.clone();
        let db = Node::builder("db")
            .init(move || {
                let durable = d.clone();
                async move {
                    let memory = Arc::new(Mutex::new(durable.lock().unwrap().clone()));
                    let (m, dur) = (memory.clone(), durable.clone());
                    let _flusher = detsim::spawn(async move {
                        loop {
                            time::sleep(ms(20)).await;
                            let snapshot = m.lock().unwrap().clone();
                            dur.lock().unwrap().extend(snapshot);
                        }
                    });
                    let sock = UdpSocket::bind("0.0.0.0:7000").await.unwrap();
                    let mut buf = [0u8; 12];
                    loop {
                        let (_, from) = sock.recv_from(&mut buf).await.unwrap();
                        let (op, key, value) = (word(&buf, 0), word(&buf, 1), word(&buf, 2));
                        let reply = if op == PUT {
                            memory.lock().unwrap().insert(key, value);
                            if fixed {
                                durable.lock().unwrap().insert(key, value);
                            }
                            value
                        } else {
                            memory.lock().unwrap().get(&key).copied().unwrap_or(MISSING)
                        };
                        sock.send_to(&words([op, key, reply]), from).await.unwrap();
                    }
                }
            })
            .build();
        let victim = db;
        let chaos = match plan {
            Some(plan) => detsim::spawn(async move {
                plan.run().await.unwrap();
                // The plan is over: the system gets to recover.
                Network::current().heal_all();
                if !victim.is_alive() {
                    victim.restart();
                }
            }),
            None => {
                let crash_at = ms(rand::gen_range(0..40));
                detsim::spawn(async move {
                    time::sleep(crash_at).await;
                    victim.kill();
                    time::sleep(ms(3)).await;
                    victim.restart();
                })
            }
        };
        let others = background();
        let sock = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        let call = async |op: u32, key: u32, value: u32| -> u32 {
            let mut buf = [0u8; 12];
            loop {
                sock.send_to(&words([op, key, value]), "db:7000")
                    .await
                    .unwrap();
                if let Ok(r) = time::timeout(ms(5), sock.recv_from(&mut buf)).await {
                    r.unwrap();
                    if word(&buf, 0) == op && word(&buf, 1) == key {
                        return word(&buf, 2);
                    }
                }
            }
        };
        for key in 1..=4 {
            call(PUT, key, key * 10).await;
            time::sleep(ms(5)).await;
        }
        chaos.await.unwrap();
        join(others).await;
        time::sleep(ms(10)).await;
        for key in 1..=4 {
            let got = call(GET, key, 0).await;
            assert!(
                got == key * 10,
                "lost write after crash: acknowledged key {key} is gone"
            );
        }
    })
}
