//! More situations for the TCP express paths (see `tests/net_express.rs`):
//! each workload runs on several seeds in three modes, and the runs must
//! be alike event for event, poll for poll.
//!
//! * `Express`: as it is;
//! * `NoWriteExpress`: a per-link rule with the default's own
//!   configuration between two idle nodes: same verdicts, no draw, but no
//!   express write (an express arrival needs only a quiet network, so it
//!   still happens);
//! * `General`: a partition between the two idle nodes, which no traffic
//!   crosses: the network is not quiet, so neither express path applies.
//!
//! The whole trace (spawns, polls, clock moves, draws and the network's
//! events, with their times, nodes and tasks) must be the same, but for
//! the partition's own fault line; the fingerprint too between the first
//! two modes (the third adds the partition's event).

mod common;

use std::future::Future;
use std::net::{Shutdown, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use common::ms;
use detsim::net::{Latency, LinkConfig, Network, TcpListener, TcpStream};
use detsim::node::Node;
use detsim::{rand, spawn, time};
use futures::io::{AsyncReadExt, AsyncWriteExt};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Express,
    NoWriteExpress,
    General,
}

/// Two idle nodes, and the mode's rule between them.
fn set_mode(mode: Mode) {
    let net = Network::current();
    let (a, b) = (
        Node::builder("idle-a").build(),
        Node::builder("idle-b").build(),
    );
    match mode {
        Mode::Express => {}
        Mode::NoWriteExpress => net.set_link(&a, &b, net.default_config()).unwrap(),
        Mode::General => net.partition(&a, &b),
    }
}

/// The trace as text, without the idle partition's fault line.
fn trace_text(sim: &detsim::Sim) -> Vec<String> {
    sim.trace()
        .unwrap()
        .lines()
        .iter()
        .filter(|l| !l.text().starts_with("net: partition node"))
        .map(|l| l.to_string())
        .collect()
}

fn check<F, Fut>(seeds: std::ops::Range<u64>, workload: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = String> + 'static,
{
    for seed in seeds {
        let mut runs = Vec::new();
        for mode in [Mode::Express, Mode::NoWriteExpress, Mode::General] {
            let mut sim = detsim::Sim::builder()
                .seed(seed)
                .trace(true)
                .trace_limit(usize::MAX)
                .build();
            let fut = workload();
            let out = sim
                .run(async move {
                    set_mode(mode);
                    let out = fut.await;
                    format!("{out}\n{}", Network::current().stats())
                })
                .unwrap();
            runs.push((mode, out, trace_text(&sim), sim.fingerprint(), sim.now()));
        }
        let (_, out0, trace0, fp0, now0) = &runs[0];
        for (mode, out, trace, fp, now) in &runs[1..] {
            assert_eq!(out0, out, "seed {seed}, {mode:?}: outputs");
            if trace0 != trace {
                let i = trace0.iter().zip(trace).take_while(|(a, b)| a == b).count();
                let lo = i.saturating_sub(8);
                panic!(
                    "seed {seed}, {mode:?}: traces differ at line {i}\nexpress:\n{}\n{mode:?}:\n{}",
                    trace0[lo..(i + 8).min(trace0.len())].join("\n"),
                    trace[lo..(i + 8).min(trace.len())].join("\n"),
                );
            }
            assert_eq!(now0, now, "seed {seed}, {mode:?}: end time");
            if *mode == Mode::NoWriteExpress {
                assert_eq!(fp0, fp, "seed {seed}, {mode:?}: fingerprint");
            }
        }
    }
}

/// The clients' results in spawn order, joined by `; `, once the chaos
/// task (if any) is done too.
async fn joined(
    clients: Vec<detsim::JoinHandle<String>>,
    chaos: Option<detsim::JoinHandle<()>>,
) -> String {
    let mut out = Vec::new();
    for c in clients {
        out.push(c.await.unwrap());
    }
    if let Some(chaos) = chaos {
        chaos.await.unwrap();
    }
    out.join("; ")
}

/// Round trips of random small sizes to `to`, with pauses.
async fn rpc(to: SocketAddr, rounds: u32) -> String {
    let mut s = match TcpStream::connect(to).await {
        Ok(s) => s,
        Err(e) => return format!("connect: {:?}", e.kind()),
    };
    let mut total = 0;
    for i in 0..rounds {
        let len = rand::gen_range(1..600usize);
        let msg: Vec<u8> = (0..len).map(|k| (k as u32 + i) as u8).collect();
        let (mut rd, mut wr) = TcpStream::split(&mut s);
        let (w, r) = futures::join!(wr.write_all(&msg), async {
            let mut back = vec![0u8; len];
            rd.read_exact(&mut back).await.map(|()| back)
        });
        match (w, r) {
            (Ok(()), Ok(back)) => {
                assert_eq!(back, msg);
                total += len;
            }
            (w, r) => return format!("{total} bytes, then {:?}", w.err().or(r.err())),
        }
        time::sleep(ms(rand::gen_range(0..6))).await;
    }
    format!("{total} bytes")
}

#[test]
fn ipv6_round_trips() {
    check(0..8, || async {
        let e = common::tcp_echo_node("echo6", "[::]:7");
        let clients: Vec<_> = (0..3)
            .map(|c| {
                let n = Node::builder(format!("c{c}")).build();
                let to = SocketAddr::new(detsim::net::node_addr_v6(&e).into(), 7);
                n.spawn(rpc(to, 25))
            })
            .collect();
        joined(clients, None).await
    });
}

/// Latency changes mid-run: constant ones (zero, huge), jitter (keys out
/// of order), and back.
#[test]
fn latency_changes() {
    check(0..12, || async {
        let e = common::tcp_echo_node("echo", "0.0.0.0:7");
        let to = SocketAddr::new(Network::current().addr_of(&e), 7);
        let clients: Vec<_> = (0..3)
            .map(|c| Node::builder(format!("c{c}")).build().spawn(rpc(to, 40)))
            .collect();
        let chaos = spawn(async {
            let net = Network::current();
            for _ in 0..12 {
                time::sleep(ms(rand::gen_range(1..30))).await;
                let c = match rand::gen_range(0..5u32) {
                    0 => LinkConfig::new().latency(Latency::constant(Duration::ZERO)),
                    1 => LinkConfig::new().latency(Latency::constant(ms(rand::gen_range(1..9)))),
                    2 => LinkConfig::new().latency(Latency::uniform(ms(1), ms(8))),
                    3 => LinkConfig::new().latency(Latency::constant(Duration::from_secs(2))),
                    _ => LinkConfig::new(),
                };
                net.set_default(c).unwrap();
            }
            net.set_default(LinkConfig::new()).unwrap();
        });
        joined(clients, Some(chaos)).await
    });
}

/// Clogs that end early (`unclog_*`), while traffic flows.
#[test]
fn clogs_ended_early() {
    check(0..12, || async {
        let e = common::tcp_echo_node("echo", "0.0.0.0:7");
        let to = SocketAddr::new(Network::current().addr_of(&e), 7);
        let nodes: Vec<Node> = (0..3)
            .map(|c| Node::builder(format!("c{c}")).build())
            .collect();
        let clients: Vec<_> = nodes.iter().map(|n| n.spawn(rpc(to, 40))).collect();
        let chaos = spawn(async move {
            let net = Network::current();
            for _ in 0..10 {
                time::sleep(ms(rand::gen_range(1..20))).await;
                let n = nodes[rand::gen_range(0..3usize)];
                if rand::gen_bool(0.5) {
                    net.clog_node(&n, ms(rand::gen_range(5..50)));
                    time::sleep(ms(rand::gen_range(0..5))).await;
                    net.unclog_node(&n);
                } else {
                    net.clog_link(&e, &n, ms(rand::gen_range(5..50)));
                    time::sleep(ms(rand::gen_range(0..5))).await;
                    net.unclog_link(&e, &n);
                }
            }
        });
        joined(clients, Some(chaos)).await
    });
}

/// Several tasks on one stream: `readable` + `try_read`, `peek`,
/// `writable` + `try_write` from two tasks; a half-close, then a read
/// shutdown at the server while the client still writes.
#[test]
fn readiness_waiters_and_half_close() {
    check(0..12, || async {
        let server = Node::builder("server").build();
        let l = server
            .spawn(async { TcpListener::bind("0.0.0.0:80").await.unwrap() })
            .await
            .unwrap();
        let srv = server.spawn(async move {
            let (s, _) = l.accept().await.unwrap();
            let s = Arc::new(s);
            let mut log = Vec::new();
            // Readers: readable + try_read, and a peeker.
            let s2 = s.clone();
            let peeker = spawn(async move {
                let mut b = [0u8; 8];
                let mut n = 0;
                for _ in 0..5 {
                    if let Ok(Ok(k)) = time::timeout(ms(4), s2.peek(&mut b)).await {
                        n += k;
                    }
                    time::sleep(ms(rand::gen_range(0..3))).await;
                }
                n
            });
            let mut got = 0;
            let mut buf = [0u8; 300];
            while got < 2000 {
                s.readable().await.unwrap();
                match s.try_read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => got += n,
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                    Err(e) => panic!("{e}"),
                }
            }
            log.push(format!("got {got}, peeked {}", peeker.await.unwrap()));
            // Writers: two tasks with writable + try_write.
            let mut ws = Vec::new();
            for t in 0..2u8 {
                let s = s.clone();
                ws.push(spawn(async move {
                    let mut sent = 0;
                    for _ in 0..20 {
                        s.writable().await.unwrap();
                        let len = rand::gen_range(1..200usize);
                        if let Ok(n) = s.try_write(&vec![t; len]) {
                            sent += n;
                        }
                        time::sleep(ms(rand::gen_range(0..3))).await;
                    }
                    sent
                }));
            }
            for w in ws {
                log.push(format!("sent {}", w.await.unwrap()));
            }
            s.shutdown(Shutdown::Write).unwrap();
            // Until the client's FIN; then a read shutdown while it writes.
            loop {
                s.readable().await.unwrap();
                match s.try_read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
            }
            // Both FINs may have arrived by now: the socket is closed and
            // shutdown is NotConnected, as on Linux.
            if let Err(e) = s.shutdown(Shutdown::Read) {
                assert_eq!(e.kind(), std::io::ErrorKind::NotConnected, "{e}");
            }
            time::sleep(ms(30)).await;
            log.join(", ")
        });
        let to = SocketAddr::new(Network::current().addr_of(&server), 80);
        let mut c = TcpStream::connect(to).await.unwrap();
        let mut sent = 0;
        while sent < 2000 {
            let n = rand::gen_range(1..300usize).min(2000 - sent);
            c.write_all(&vec![1u8; n]).await.unwrap();
            sent += n;
            time::sleep(ms(rand::gen_range(0..3))).await;
        }
        let mut back = Vec::new();
        c.read_to_end(&mut back).await.unwrap();
        // Half-closed by the server: write on, then close our side.
        for _ in 0..5 {
            let _ = c.write_all(&[9u8; 40]).await;
            time::sleep(ms(rand::gen_range(0..3))).await;
        }
        let _ = c.close().await;
        for _ in 0..5 {
            let _ = c.write(&[9u8; 40]).await;
            time::sleep(ms(rand::gen_range(1..10))).await;
        }
        format!("{} back; {}", back.len(), srv.await.unwrap())
    });
}

/// The peer's node is killed while data is in flight to it (and from it),
/// then restarted; the writer connects again.
#[test]
fn peer_killed_with_data_in_flight() {
    check(0..12, || async {
        let e = common::tcp_echo_node("echo", "0.0.0.0:7");
        let to = SocketAddr::new(Network::current().addr_of(&e), 7);
        let c = Node::builder("c").build();
        let client = c.spawn(async move {
            let mut out = Vec::new();
            for _ in 0..3 {
                let s = loop {
                    match TcpStream::connect(to).await {
                        Ok(s) => break s,
                        Err(_) => time::sleep(ms(3)).await,
                    }
                };
                let (mut rd, mut wr) = s.split();
                let w = async {
                    let mut n = 0;
                    loop {
                        let len = rand::gen_range(1..400usize);
                        if n > 40_000 {
                            let _ = wr.close().await;
                            break n;
                        }
                        if wr.write_all(&vec![5u8; len]).await.is_err() {
                            break n;
                        }
                        n += len;
                        if rand::gen_bool(0.5) {
                            time::sleep(ms(rand::gen_range(0..2))).await;
                        }
                    }
                };
                let r = async {
                    let mut buf = [0u8; 1000];
                    let mut n = 0;
                    loop {
                        match rd.read(&mut buf).await {
                            Ok(0) | Err(_) => break n,
                            Ok(k) => n += k,
                        }
                    }
                };
                let (w, r) = futures::join!(w, r);
                out.push(format!("{w}/{r}"));
            }
            out.join(" ")
        });
        for _ in 0..3 {
            time::sleep(ms(rand::gen_range(5..40))).await;
            e.kill();
            time::sleep(ms(rand::gen_range(0..5))).await;
            e.restart();
        }
        client.await.unwrap()
    });
}

/// A waker that runs `on_wake` when woken and logs its drop.
struct Hook {
    name: &'static str,
    log: Arc<std::sync::Mutex<Vec<String>>>,
    on_wake: Box<dyn Fn() + Send + Sync>,
}

impl std::task::Wake for Hook {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.log
            .lock()
            .unwrap()
            .push(format!("{} woken", self.name));
        (self.on_wake)();
        self.log.lock().unwrap().push(format!("{} done", self.name));
    }
}

impl Drop for Hook {
    fn drop(&mut self) {
        self.log
            .lock()
            .unwrap()
            .push(format!("{} dropped", self.name));
    }
}

/// Reentrancy: a node's kill wakes a reader whose waker writes on another
/// connection, in the same network operation that frees a connection (and
/// with it a stale waker, whose destructor is user code): the write must
/// not run that destructor earlier than it would otherwise run.
#[test]
fn a_waker_that_writes_while_the_network_has_wakers_to_drop() {
    use futures::io::AsyncRead;
    use std::pin::Pin;
    use std::task::{Context, Waker};
    check(0..1, || async {
        let (a, b, y) = (
            Node::builder("a").build(),
            Node::builder("b").build(),
            Node::builder("y").build(),
        );
        let lb = b
            .spawn(async { TcpListener::bind("0.0.0.0:80").await.unwrap() })
            .await
            .unwrap();
        let ly = y
            .spawn(async { TcpListener::bind("0.0.0.0:80").await.unwrap() })
            .await
            .unwrap();
        let to_b = SocketAddr::new(Network::current().addr_of(&b), 80);
        let to_y = SocketAddr::new(Network::current().addr_of(&y), 80);
        // A connection from `a` to `b`, both handles here.
        let mut on_a = a.spawn(TcpStream::connect(to_b)).await.unwrap().unwrap();
        let (mut on_b, _) = lb.accept().await.unwrap();
        // Another, from here to `y`, that the waker writes on.
        let s2 = Arc::new(TcpStream::connect(to_y).await.unwrap());
        let (_y_end, _) = ly.accept().await.unwrap();
        let log = Arc::new(std::sync::Mutex::new(Vec::new()));
        let stale = Waker::from(Arc::new(Hook {
            name: "stale",
            log: log.clone(),
            on_wake: Box::new(|| {}),
        }));
        let log2 = log.clone();
        let writer = Waker::from(Arc::new(Hook {
            name: "writer",
            log: log.clone(),
            on_wake: Box::new(move || {
                let n = s2.try_write(b"x");
                log2.lock()
                    .unwrap()
                    .push(format!("wrote {:?}", n.map_err(|e| e.kind())));
            }),
        }));
        let mut buf = [0u8; 8];
        // `b`'s end keeps a stale reader waker, then closes.
        let p = Pin::new(&mut on_b).poll_read(&mut Context::from_waker(&stale), &mut buf);
        assert!(p.is_pending());
        drop(stale);
        drop(on_b);
        // `a`'s end waits to read with the writing waker.
        let p = Pin::new(&mut on_a).poll_read(&mut Context::from_waker(&writer), &mut buf);
        assert!(p.is_pending());
        drop(writer);
        // Before `b`'s FIN arrives: the kill wakes the reader and frees the
        // connection (both ends closed).
        a.kill();
        time::sleep(ms(10)).await;
        drop(on_a);
        log.lock().unwrap().join(", ")
    });
}
