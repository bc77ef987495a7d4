//! Graceful shutdown: `Node::shutdown` raises a node's signal (SIGTERM's
//! part) and cancels nothing; its tasks hear it in `shutdown_signal`, drain
//! and return; `Node::stopped` waits for the last of them; a grace period
//! ends in a kill. The signal is per incarnation, an event of the run, and
//! deterministic; misuse on the main node gets a clear message.

mod common;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use common::panic_message;
use detsim::net::{TcpListener, TcpStream};
use detsim::node::{Node, shutdown_signal};
use detsim::time::{self, Instant, SystemTime};
use detsim::{Sim, TraceKind, spawn};
use futures::io::{AsyncReadExt, AsyncWriteExt};
use futures::{FutureExt, select_biased};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn now_ms() -> u64 {
    Instant::now().as_nanos() / 1_000_000
}

/// A server that echoes over TCP until asked to shut down, then stops
/// accepting, lets each open connection finish its request, writes
/// "bye" to its log and returns: what a SIGTERM handler does.
fn draining_server(log: Rc<RefCell<Vec<String>>>) -> Node {
    Node::builder("server")
        .init(move || {
            let log = log.clone();
            async move {
                let listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
                let mut signal = shutdown_signal().fuse();
                let mut conns = Vec::new();
                loop {
                    select_biased! {
                        _ = signal => break,
                        accepted = listener.accept().fuse() => {
                            let (mut s, _) = accepted.unwrap();
                            conns.push(spawn(async move {
                                let mut buf = [0u8; 4];
                                s.read_exact(&mut buf).await.unwrap();
                                // A slow request: 30 ms of work.
                                time::sleep(ms(30)).await;
                                s.write_all(&buf).await.unwrap();
                            }));
                        }
                    }
                }
                log.borrow_mut().push(format!("{} ms: signal", now_ms()));
                drop(listener);
                for c in conns {
                    c.await.unwrap();
                }
                log.borrow_mut().push(format!("{} ms: bye", now_ms()));
            }
        })
        .build()
}

#[test]
fn a_server_drains_its_connections_and_stops_without_a_kill() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let mut sim = Sim::builder().build();
    let l = log.clone();
    let echoed = sim
        .run(async move {
            let server = draining_server(l);
            time::sleep(ms(10)).await;
            let mut s = TcpStream::connect("server:80").await.unwrap();
            s.write_all(b"ping").await.unwrap();
            // The request is being served when the signal comes.
            time::sleep(ms(5)).await;
            assert!(!server.is_shutting_down());
            server.shutdown();
            assert!(server.is_shutting_down());
            let mut buf = [0u8; 4];
            s.read_exact(&mut buf).await.unwrap();
            time::timeout(ms(1_000), server.stopped())
                .await
                .expect("the server stops within its grace period");
            assert!(server.is_alive(), "stopped, not killed");
            // A new connection finds nobody listening.
            let refused = TcpStream::connect("server:80").await.unwrap_err();
            assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
            buf
        })
        .unwrap();
    assert_eq!(&echoed, b"ping");
    let log = log.borrow();
    // Signal at 10 + 1 (connect) + 1 (SYN-ACK) + 5 ms; the request, which
    // arrived at 13 ms, is answered 30 ms later, and only then "bye".
    assert_eq!(*log, ["17 ms: signal", "43 ms: bye"]);
}

#[test]
fn a_server_that_ignores_the_signal_is_killed_when_the_grace_period_ends() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let stubborn = Node::builder("stubborn")
            .init(|| async {
                loop {
                    time::sleep(ms(10)).await;
                }
            })
            .build();
        time::sleep(ms(5)).await;
        stubborn.shutdown();
        let grace = ms(100);
        let timed_out = time::timeout(grace, stubborn.stopped()).await.is_err();
        assert!(timed_out);
        assert_eq!(now_ms(), 105);
        stubborn.kill();
        // Killed: nothing is left on it.
        stubborn.stopped().await;
        assert!(!stubborn.is_alive());
    })
    .unwrap();
}

#[test]
fn stopped_waits_for_every_task_of_the_node_including_the_ones_they_spawn() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let n = Node::builder("n").build();
        n.spawn(async {
            time::sleep(ms(10)).await;
            // A child outlives its parent.
            spawn(time::sleep(ms(50)));
        });
        n.spawn(async { time::sleep(ms(20)).await });
        // A task on another node does not count.
        Node::builder("other").build().spawn(time::sleep(ms(500)));
        n.stopped().await;
        assert_eq!(now_ms(), 60);
        // Nothing on it: ready at once, and again.
        n.stopped().await;
        assert_eq!(now_ms(), 60);
    })
    .unwrap();
}

#[test]
fn a_task_that_panics_or_is_aborted_counts_as_stopped() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let n = Node::builder("n").build();
        let panics = n.spawn(async {
            time::sleep(ms(5)).await;
            panic!("boom");
        });
        let forever = n.spawn(std::future::pending::<()>());
        let waiter = spawn(n.stopped());
        time::sleep(ms(10)).await;
        assert!(panics.await.unwrap_err().is_panic());
        assert!(!waiter.is_finished());
        forever.abort();
        waiter.await.unwrap();
        assert_eq!(now_ms(), 10);
    })
    .unwrap();
}

#[test]
fn the_signal_belongs_to_one_incarnation() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let heard = Rc::new(RefCell::new(Vec::new()));
        let h = heard.clone();
        let n = Node::builder("n")
            .init(move || {
                let h = h.clone();
                async move {
                    shutdown_signal().await;
                    h.borrow_mut().push(now_ms());
                }
            })
            .build();
        time::sleep(ms(10)).await;
        n.shutdown();
        n.stopped().await;
        assert_eq!(*heard.borrow(), [10]);
        // Restarted: the signal is lowered, the new init waits again.
        n.restart();
        assert!(!n.is_shutting_down());
        time::sleep(ms(10)).await;
        assert_eq!(*heard.borrow(), [10]);
        n.shutdown();
        n.stopped().await;
        assert_eq!(*heard.borrow(), [10, 20]);
    })
    .unwrap();
}

#[test]
fn asking_twice_or_asking_a_node_that_is_down_records_one_event() {
    let mut sim = Sim::builder()
        .epoch(SystemTime::UNIX_EPOCH)
        .trace(true)
        .build();
    sim.run(async {
        let up = Node::builder("up").build();
        let down = Node::builder("down").build();
        down.kill();
        up.shutdown();
        up.shutdown();
        down.shutdown();
        assert!(!down.is_shutting_down(), "a node that is down is not asked");
    })
    .unwrap();
    let trace = sim
        .trace()
        .unwrap()
        .filter(|l| l.kind() == TraceKind::Node)
        .to_string();
    insta::assert_snapshot!(trace);
}

#[test]
fn a_signal_polled_on_a_task_of_the_node_listens_to_that_node() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let n = Node::builder("n").build();
        // Made on main, first polled on n.
        let waiting = n.spawn(shutdown_signal());
        time::sleep(ms(3)).await;
        assert!(!waiting.is_finished());
        n.shutdown();
        waiting.await.unwrap();
        assert_eq!(now_ms(), 3);
    })
    .unwrap();
}

#[test]
fn misuse_on_the_main_node_says_what_to_do_instead() {
    let mut sim = Sim::builder().build();
    let err = sim
        .run(async { shutdown_signal().await })
        .unwrap_err()
        .to_string();
    let first = err.lines().next().unwrap();
    assert_report_snapshot!(first);
    let mut sim = Sim::builder().build();
    sim.run(async {
        let shutdown = panic_message(|| Node::current().shutdown());
        insta::assert_snapshot!("shutdown_main", shutdown);
        let stopped = panic_message(|| drop(Node::current().stopped()));
        insta::assert_snapshot!("stopped_main", stopped);
    })
    .unwrap();
}

/// A workload that shuts nodes down at drawn times, with a network under
/// jitter: for the same-seed-same-run check.
async fn workload() -> (Vec<u64>, Vec<bool>) {
    let net = detsim::net::Network::current();
    net.set_default(
        detsim::net::LinkConfig::new().latency(detsim::net::Latency::uniform(ms(1), ms(9))),
    )
    .unwrap();
    let log = Rc::new(RefCell::new(Vec::new()));
    let server = draining_server(log.clone());
    let workers: Vec<Node> = (0..3)
        .map(|i| {
            Node::builder(format!("worker-{i}"))
                .init(|| async {
                    let mut signal = shutdown_signal().fuse();
                    loop {
                        let nap = ms(detsim::rand::gen_range(1..20));
                        select_biased! {
                            _ = signal => break,
                            _ = time::sleep(nap).fuse() => {}
                        }
                    }
                    time::sleep(ms(detsim::rand::gen_range(0..40))).await;
                })
                .build()
        })
        .collect();
    let clients: Vec<_> = (0..3)
        .map(|_| {
            spawn(async {
                time::sleep(ms(detsim::rand::gen_range(1..30))).await;
                // Refused once the server stopped listening.
                if let Ok(mut s) = TcpStream::connect("server:80").await {
                    let _ = s.write_all(b"abcd").await;
                    let mut buf = [0u8; 4];
                    let _ = s.read_exact(&mut buf).await;
                }
            })
        })
        .collect();
    time::sleep(ms(detsim::rand::gen_range(5..50))).await;
    server.shutdown();
    let mut stopped_in_time = Vec::new();
    for w in &workers {
        time::sleep(ms(detsim::rand::gen_range(0..10))).await;
        w.shutdown();
        let ok = time::timeout(ms(25), w.stopped()).await.is_ok();
        if !ok {
            w.kill();
        }
        stopped_in_time.push(ok);
    }
    for c in clients {
        c.await.unwrap();
    }
    server.stopped().await;
    let times = log
        .borrow()
        .iter()
        .map(|l| l.split(' ').next().unwrap().parse().unwrap())
        .collect();
    (times, stopped_in_time)
}

#[test]
fn shutdowns_at_drawn_times_replay_exactly_300_seeds_twice() {
    let mut outcomes = std::collections::BTreeSet::new();
    for seed in 0..300 {
        let run = || {
            let mut sim = Sim::builder().seed(seed).build();
            let out = sim.run(workload()).unwrap();
            (sim.fingerprint(), out)
        };
        let (a, b) = (run(), run());
        assert_eq!(a, b, "seed {seed}");
        outcomes.insert(a.1.1.clone());
    }
    // The grace period ends both ways across the seeds.
    assert!(outcomes.len() > 1, "{outcomes:?}");
}

/// A waker that counts nothing itself: its `Arc`'s strong count says how
/// many clones of it are alive (the runtime's included).
struct Counted;

impl std::task::Wake for Counted {
    fn wake(self: std::sync::Arc<Self>) {}
}

/// Polls `f` once with a fresh counted waker; returns the waker's `Arc`.
fn poll_once<F: std::future::Future>(f: std::pin::Pin<&mut F>) -> std::sync::Arc<Counted> {
    let arc = std::sync::Arc::new(Counted);
    let waker = std::task::Waker::from(arc.clone());
    let mut cx = std::task::Context::from_waker(&waker);
    assert!(f.poll(&mut cx).is_pending());
    arc
}

#[test]
fn waiting_futures_dropped_early_leave_no_waker_behind() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let n = Node::builder("n").build();
        n.spawn(std::future::pending::<()>());
        let on_n = Node::builder("other").build();
        let polled = n
            .spawn(async move {
                let mut arcs = Vec::new();
                for _ in 0..100 {
                    let mut signal = Box::pin(shutdown_signal());
                    arcs.push(poll_once(signal.as_mut()));
                }
                arcs
            })
            .await
            .unwrap();
        // Each signal was dropped at the end of its loop turn: its clone too.
        assert!(polled.iter().all(|a| std::sync::Arc::strong_count(a) == 1));
        let stopped = on_n
            .spawn(async move {
                let mut arcs = Vec::new();
                for _ in 0..100 {
                    let mut s = Box::pin(n.stopped());
                    arcs.push(poll_once(s.as_mut()));
                }
                arcs
            })
            .await
            .unwrap();
        assert!(stopped.iter().all(|a| std::sync::Arc::strong_count(a) == 1));
        // One waiting future, polled with two wakers in turn, keeps one.
        let mut s = Box::pin(n.stopped());
        let first = poll_once(s.as_mut());
        let second = poll_once(s.as_mut());
        assert_eq!(std::sync::Arc::strong_count(&first), 1, "replaced");
        assert_eq!(std::sync::Arc::strong_count(&second), 2, "kept");
    })
    .unwrap();
}

#[test]
fn teardown_drops_the_wakers_of_futures_that_outlive_the_run() {
    let mut sim = Sim::builder().build();
    let (stopped, arc) = sim
        .run(async {
            let n = Node::builder("n").build();
            n.spawn(std::future::pending::<()>());
            let mut stopped = Box::pin(n.stopped());
            let arc = poll_once(stopped.as_mut());
            assert_eq!(std::sync::Arc::strong_count(&arc), 2);
            (stopped, arc)
        })
        .unwrap();
    // Still waiting: the simulation is there to be run again.
    assert_eq!(std::sync::Arc::strong_count(&arc), 2);
    drop(sim);
    assert_eq!(std::sync::Arc::strong_count(&arc), 1);
    // Dropped after its simulation: nothing to do, no panic.
    drop(stopped);
}

#[test]
fn a_signal_moved_to_another_node_is_ready_when_its_node_is_killed() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let n = Node::builder("n").build();
        let (tx, rx) = futures::channel::oneshot::channel();
        n.spawn(async move {
            let mut signal = Box::pin(shutdown_signal());
            // Bound to n by this first poll, then handed over.
            let _ = futures::poll!(signal.as_mut());
            tx.send(signal).ok().unwrap();
            std::future::pending::<()>().await;
        });
        let signal = rx.await.unwrap();
        let waiting = spawn(signal);
        time::sleep(ms(5)).await;
        assert!(!waiting.is_finished());
        n.kill();
        time::timeout(ms(100), waiting)
            .await
            .expect("woken by the kill")
            .unwrap();
        assert_eq!(now_ms(), 5);
    })
    .unwrap();
}

#[test]
fn stopped_resolves_when_the_node_restarts() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let n = Node::builder("n").init(std::future::pending::<()>).build();
        let waiting = spawn(n.stopped());
        time::sleep(ms(5)).await;
        assert!(!waiting.is_finished());
        n.restart();
        waiting.await.unwrap();
        assert_eq!(now_ms(), 5);
        // The new incarnation runs its init task: not stopped.
        let fresh = time::timeout(ms(10), n.stopped()).await;
        assert!(fresh.is_err());
    })
    .unwrap();
}

#[test]
fn a_paused_node_stops_after_its_resume() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let n = Node::builder("n")
            .init(|| async { shutdown_signal().await })
            .build();
        time::sleep(ms(1)).await;
        n.pause();
        n.shutdown();
        let waiting = spawn(n.stopped());
        time::sleep(ms(10)).await;
        assert!(!waiting.is_finished(), "paused: its init cannot run");
        n.resume();
        waiting.await.unwrap();
        assert_eq!(now_ms(), 11);
    })
    .unwrap();
}
