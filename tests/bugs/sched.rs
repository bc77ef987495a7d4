//! Bugs of task order: an order violation, an atomicity violation across
//! an await, a lost wakeup, a lock-order deadlock and a timeout racing a
//! response.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use detsim::{FailureKind, spawn, time, yield_now};
use futures::StreamExt;
use futures::channel::{mpsc, oneshot};

use super::{Bug, Run, background, join};

/// A request handler reads the configuration that a loader task publishes
/// after two setup steps; the handler serves six other steps first and
/// assumes that is long enough. Depth 1: the handler's read before the
/// loader's write. The fix waits for the loader's signal.
pub const ORDER_VIOLATION: Bug = Bug {
    name: "order_violation",
    depth: 1,
    tasks: 7,
    kind: FailureKind::Panic,
    message: "order violation: the config was read before it was published",
    fault_driven: false,
    program: order_violation,
};

fn order_violation(fixed: bool) -> Run {
    Box::pin(async move {
        let config: Arc<Mutex<Option<u16>>> = Arc::default();
        let (ready, published) = oneshot::channel::<()>();
        let c = config.clone();
        let handler = spawn(async move {
            if fixed {
                published.await.unwrap();
            }
            for _ in 0..6 {
                yield_now().await;
            }
            *c.lock().unwrap()
        });
        let c = config.clone();
        let loader = spawn(async move {
            yield_now().await;
            yield_now().await;
            *c.lock().unwrap() = Some(8080);
            let _ = ready.send(());
        });
        let others = background();
        let seen = handler.await.unwrap();
        assert!(
            seen.is_some(),
            "order violation: the config was read before it was published"
        );
        loader.await.unwrap();
        join(others).await;
    })
}

/// Two withdrawals of 80 from an account of 100 each check the balance,
/// write an audit record (an await), then debit. One is slow (a fraud
/// check of ten steps before it looks at the balance), one is fast.
/// Depth 2: the fast check after the slow check, and before the slow
/// debit. The fix checks and debits in one step.
pub const ATOMICITY_VIOLATION: Bug = Bug {
    name: "atomicity_violation",
    depth: 2,
    tasks: 7,
    kind: FailureKind::Panic,
    message: "atomicity violation: withdrew 160 from an account of 100",
    fault_driven: false,
    program: atomicity_violation,
};

fn atomicity_violation(fixed: bool) -> Run {
    Box::pin(async move {
        let balance = Arc::new(AtomicI64::new(100));
        let withdrawn = Arc::new(AtomicI64::new(0));
        let withdrawals: Vec<_> = [10, 0]
            .into_iter()
            .map(|fraud_check_steps| {
                let (balance, withdrawn) = (balance.clone(), withdrawn.clone());
                spawn(async move {
                    for _ in 0..fraud_check_steps {
                        yield_now().await;
                    }
                    let b = balance.load(Ordering::SeqCst);
                    if b >= 80 {
                        if fixed {
                            balance.store(b - 80, Ordering::SeqCst);
                        }
                        yield_now().await; // the audit record
                        if !fixed {
                            balance.store(balance.load(Ordering::SeqCst) - 80, Ordering::SeqCst);
                        }
                        withdrawn.fetch_add(80, Ordering::SeqCst);
                    }
                })
            })
            .collect();
        let others = background();
        join(withdrawals).await;
        join(others).await;
        let w = withdrawn.load(Ordering::SeqCst);
        assert!(
            w <= 100,
            "atomicity violation: withdrew {w} from an account of 100"
        );
    })
}

/// A consumer checks a flag and, finding it unset, prepares (an await)
/// and then registers for a wakeup; the producer computes for ten steps,
/// sets the flag and wakes whoever is registered. Depth 2: the consumer's
/// check before the producer's set, and the producer's wake before the
/// consumer's registration; the consumer then waits forever. The fix
/// registers first and checks after.
pub const LOST_WAKEUP: Bug = Bug {
    name: "lost_wakeup",
    depth: 2,
    tasks: 7,
    kind: FailureKind::Deadlock,
    message: "deadlock: the main task can never finish",
    fault_driven: false,
    program: lost_wakeup,
};

type Slot = Arc<Mutex<Option<oneshot::Sender<()>>>>;

fn lost_wakeup(fixed: bool) -> Run {
    Box::pin(async move {
        let ready = Arc::new(AtomicBool::new(false));
        let slot: Slot = Arc::default();
        let (r, s) = (ready.clone(), slot.clone());
        let consumer = spawn(async move {
            let (tx, rx) = oneshot::channel();
            if fixed {
                *s.lock().unwrap() = Some(tx);
                if r.load(Ordering::SeqCst) {
                    return;
                }
            } else {
                if r.load(Ordering::SeqCst) {
                    return;
                }
                yield_now().await; // prepare to wait
                *s.lock().unwrap() = Some(tx);
            }
            let _ = rx.await;
        });
        let producer = spawn(async move {
            for _ in 0..10 {
                yield_now().await; // compute the value
            }
            ready.store(true, Ordering::SeqCst);
            if let Some(tx) = slot.lock().unwrap().take() {
                let _ = tx.send(());
            }
        });
        let others = background();
        join(others).await;
        producer.await.unwrap();
        consumer.await.unwrap();
    })
}

/// Two transfers lock two accounts (async mutexes) in opposite orders,
/// with an await between the two locks; the second transfer first
/// validates its request for ten steps. Depth 2: each takes its first lock
/// before the other takes its second. The fix locks in one global order.
pub const LOCK_ORDER_DEADLOCK: Bug = Bug {
    name: "lock_order_deadlock",
    depth: 2,
    tasks: 7,
    kind: FailureKind::Deadlock,
    message: "deadlock: the main task can never finish",
    fault_driven: false,
    program: lock_order_deadlock,
};

fn lock_order_deadlock(fixed: bool) -> Run {
    Box::pin(async move {
        let accounts = Arc::new([
            tokio::sync::Mutex::new(100u32),
            tokio::sync::Mutex::new(100),
        ]);
        let transfers: Vec<_> = [(0usize, 1usize), (1, 0)]
            .into_iter()
            .map(|(from, to)| {
                let accounts = accounts.clone();
                let validation_steps = if from == 0 { 0 } else { 10 };
                let (first, second) = if fixed {
                    (from.min(to), from.max(to))
                } else {
                    (from, to)
                };
                spawn(async move {
                    for _ in 0..validation_steps {
                        yield_now().await;
                    }
                    let mut a = accounts[first].lock().await;
                    yield_now().await; // log the transfer
                    let mut b = accounts[second].lock().await;
                    *a -= 10;
                    *b += 10;
                })
            })
            .collect();
        let others = background();
        join(others).await;
        join(transfers).await;
    })
}

/// A client calls a payment server with a 10 ms timeout and retries once
/// on timeout; the server takes exactly 10 ms. At 10 ms both wake: if the
/// client runs first it times out and retries, and the payment is charged
/// twice. Depth 1: the client's wakeup before the server's. The fix sends
/// an idempotency key that the server deduplicates.
pub const TIMEOUT_RACE: Bug = Bug {
    name: "timeout_race",
    depth: 1,
    tasks: 6,
    kind: FailureKind::Panic,
    message: "timeout race: the payment was charged twice",
    fault_driven: false,
    program: timeout_race,
};

fn timeout_race(fixed: bool) -> Run {
    Box::pin(async move {
        let charges = Arc::new(AtomicU32::new(0));
        let (calls, mut requests) = mpsc::unbounded::<(u32, oneshot::Sender<u32>)>();
        let c = charges.clone();
        let server = spawn(async move {
            let mut seen = BTreeSet::new();
            while let Some((key, reply)) = requests.next().await {
                time::sleep(Duration::from_millis(10)).await;
                if !fixed || seen.insert(key) {
                    c.fetch_add(1, Ordering::SeqCst);
                }
                let _ = reply.send(c.load(Ordering::SeqCst));
            }
        });
        let others = background();
        let (reply, answer) = oneshot::channel();
        calls.unbounded_send((7, reply)).unwrap();
        if time::timeout(Duration::from_millis(10), answer)
            .await
            .is_err()
        {
            let (reply, answer) = oneshot::channel();
            calls.unbounded_send((7, reply)).unwrap();
            answer.await.unwrap();
        }
        drop(calls);
        server.await.unwrap();
        join(others).await;
        assert!(
            charges.load(Ordering::SeqCst) == 1,
            "timeout race: the payment was charged twice"
        );
    })
}
