//! detsim vs madsim vs turmoil: the network speed targets of issue 4.
//!
//! | workload | what | target |
//! |---|---|---|
//! | `net_rpc` | 100k sequential 64-byte request/response round trips over one TCP connection, fixed 1 ms one-way latency | detsim ≥ 3× faster per round trip than madsim, ≥ 20× than turmoil |
//! | `sim_setup` | 1,000 whole simulations (seeds 0..999): 3 nodes, 2 TCP echo servers, a client that connects to both and does 10 round trips with each (64 bytes, alternating), then teardown | detsim ≥ 3× madsim's runs per second, no memory growth |
//!
//! The three runtimes run the same code shape: an echo server task per
//! node (`bind`, `accept` loop, one task per connection echoing what it
//! reads), a client on its own node that sleeps 1 ms (so the servers are
//! bound), connects, and for each round trip writes 64 bytes carrying the
//! round trip's index, flushes, and reads 64 bytes back; the echoed
//! indices are summed and checked. Latency is a constant 1 ms one way on
//! all three (madsim: `send_latency = 1 ms..1 ms + 1 ns`, since its draw
//! panics on an empty range; turmoil: `min_message_latency` =
//! `max_message_latency` = 1 ms, default 1 ms tick). detsim runs with its
//! defaults (Random scheduler, slow-poll detection on) apart from lifted
//! step and time limits.
//!
//! madsim needs `RUSTFLAGS="--cfg madsim"`, so its side lives in
//! `benches/peers/madsim-net` (outside the workspace). `benches/net.sh`
//! builds it and passes its path in `DETSIM_MADSIM_NET`; this bench starts
//! it once and sends it one command per repetition over stdin, so madsim's
//! runs alternate with detsim's and turmoil's in the same repetitions and
//! stay warm. Without `DETSIM_MADSIM_NET` the madsim rows are skipped.
//!
//! Method: one warm-up, then [`REPS`] repetitions, runtimes alternating
//! within each; for `net_rpc` only the run itself is timed (building the
//! runtime is not), for `sim_setup` all 1,000 runs are timed, building and
//! dropping included. The ratio is the median over repetitions of
//! `peer time / detsim time` (pairs run back to back). Memory: each
//! runtime's `sim_setup` runs again in a fresh process (this binary
//! re-executed with `--memory <runtime>`, or a fresh madsim process), and
//! the resident set is read after 100 and after 1,000 runs.
//!
//! ```text
//! bash benches/net.sh
//! ```
//!
//! A positional argument filters rows: `net_rpc`, or one row such as
//! `net_rpc/detsim`. `DETSIM_BENCH_SCALE=<divisor>` divides both workloads
//! by the divisor and runs them once without warm-up, for profilers and
//! instruction counts (`perf stat -e instructions:u`).

#[path = "common/rows.rs"]
mod rows;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

/// Timed repetitions per (workload, runtime).
const REPS: usize = 7;
/// Round trips in `net_rpc`.
const RPC_ROUND_TRIPS: u64 = 100_000;
/// Simulations per `sim_setup` repetition.
const SETUP_RUNS: u64 = 1_000;
/// Round trips per server in each `sim_setup` simulation.
const SETUP_ROUND_TRIPS: u64 = 10;
/// Request and response size.
const MSG: usize = 64;
/// Seed of the `net_rpc` run.
const RPC_SEED: u64 = 42;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn resident_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

/// The echoed indices of `n` round trips: `0 + 1 + ... + n-1`.
fn rpc_sum(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}

/// The checksum of one `sim_setup` simulation (two servers).
const SETUP_SUM: u64 = 2 * (SETUP_ROUND_TRIPS * (SETUP_ROUND_TRIPS - 1) / 2);

/// The request of round trip `i`: `i` in the first 8 bytes.
fn request(i: u64) -> [u8; MSG] {
    let mut req = [0u8; MSG];
    req[..8].copy_from_slice(&i.to_le_bytes());
    req
}

fn index(resp: &[u8; MSG]) -> u64 {
    u64::from_le_bytes(resp[..8].try_into().unwrap())
}

mod det {
    //! detsim's side.
    use super::*;
    use detsim::net::{Latency, LinkConfig, Network, TcpListener, TcpStream};
    use detsim::node::Node;
    use detsim::{Sim, spawn, time};
    use futures::io::{AsyncReadExt, AsyncWriteExt};

    fn sim(seed: u64) -> Sim {
        Sim::builder()
            .seed(seed)
            .no_step_limit()
            .no_time_limit()
            .build()
    }

    fn fixed_latency() {
        Network::current()
            .set_default(LinkConfig::new().latency(Latency::constant(ms(1))))
            .unwrap();
    }

    fn echo_node(name: &str) -> Node {
        Node::builder(name)
            .init(|| async {
                let listener = TcpListener::bind("0.0.0.0:7").await.unwrap();
                loop {
                    let (mut stream, _) = listener.accept().await.unwrap();
                    spawn(async move {
                        let mut buf = [0u8; 8192];
                        loop {
                            let n = stream.read(&mut buf).await.unwrap();
                            if n == 0 {
                                break;
                            }
                            stream.write_all(&buf[..n]).await.unwrap();
                            stream.flush().await.unwrap();
                        }
                    });
                }
            })
            .build()
    }

    async fn round_trip(s: &mut TcpStream, i: u64) -> u64 {
        s.write_all(&request(i)).await.unwrap();
        s.flush().await.unwrap();
        let mut resp = [0u8; MSG];
        s.read_exact(&mut resp).await.unwrap();
        index(&resp)
    }

    pub(super) fn net_rpc(n: u64) -> Duration {
        let mut sim = sim(RPC_SEED);
        let start = Instant::now();
        let sum = sim
            .run(async move {
                fixed_latency();
                echo_node("server");
                let client = Node::builder("client").build();
                client
                    .spawn(async move {
                        time::sleep(ms(1)).await;
                        let mut s = TcpStream::connect("server:7").await.unwrap();
                        let mut sum = 0;
                        for i in 0..n {
                            sum += round_trip(&mut s, i).await;
                        }
                        sum
                    })
                    .await
                    .unwrap()
            })
            .unwrap();
        let elapsed = start.elapsed();
        assert_eq!(sum, rpc_sum(n), "detsim net_rpc checksum");
        elapsed
    }

    pub(super) fn sim_setup(seed: u64) {
        let mut sim = sim(seed);
        let sum = sim
            .run(async move {
                fixed_latency();
                echo_node("echo1");
                echo_node("echo2");
                let client = Node::builder("client").build();
                client
                    .spawn(async move {
                        time::sleep(ms(1)).await;
                        let mut a = TcpStream::connect("echo1:7").await.unwrap();
                        let mut b = TcpStream::connect("echo2:7").await.unwrap();
                        let mut sum = 0;
                        for i in 0..SETUP_ROUND_TRIPS {
                            sum += round_trip(&mut a, i).await;
                            sum += round_trip(&mut b, i).await;
                        }
                        sum
                    })
                    .await
                    .unwrap()
            })
            .unwrap();
        assert_eq!(sum, SETUP_SUM, "detsim sim_setup checksum");
        drop(sim);
    }
}

mod tur {
    //! turmoil's side.
    use super::*;
    use std::cell::Cell;
    use std::rc::Rc;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use turmoil::net::{TcpListener, TcpStream};

    fn sim<'a>(seed: u64, duration: Duration) -> turmoil::Sim<'a> {
        turmoil::Builder::new()
            .rng_seed(seed)
            .min_message_latency(ms(1))
            .max_message_latency(ms(1))
            .simulation_duration(duration)
            .build()
    }

    async fn echo_server() -> turmoil::Result {
        let listener = TcpListener::bind("0.0.0.0:7").await?;
        loop {
            let (mut stream, _) = listener.accept().await?;
            tokio::spawn(async move {
                let mut buf = [0u8; 8192];
                loop {
                    let n = stream.read(&mut buf).await.unwrap();
                    if n == 0 {
                        break;
                    }
                    stream.write_all(&buf[..n]).await.unwrap();
                    stream.flush().await.unwrap();
                }
            });
        }
    }

    async fn round_trip(s: &mut TcpStream, i: u64) -> u64 {
        s.write_all(&request(i)).await.unwrap();
        s.flush().await.unwrap();
        let mut resp = [0u8; MSG];
        s.read_exact(&mut resp).await.unwrap();
        index(&resp)
    }

    pub(super) fn net_rpc(n: u64) -> Duration {
        // 2 ms per round trip, plus the connect; ample room.
        let mut sim = sim(RPC_SEED, Duration::from_secs(10 * n + 60));
        let out = Rc::new(Cell::new(0));
        let sum = out.clone();
        sim.host("server", echo_server);
        sim.client("client", async move {
            tokio::time::sleep(ms(1)).await;
            let mut s = TcpStream::connect("server:7").await?;
            let mut total = 0;
            for i in 0..n {
                total += round_trip(&mut s, i).await;
            }
            sum.set(total);
            Ok(())
        });
        let start = Instant::now();
        sim.run().unwrap();
        let elapsed = start.elapsed();
        assert_eq!(out.get(), rpc_sum(n), "turmoil net_rpc checksum");
        elapsed
    }

    pub(super) fn sim_setup(seed: u64) {
        let mut sim = sim(seed, Duration::from_secs(60));
        let out = Rc::new(Cell::new(0));
        let sum = out.clone();
        sim.host("echo1", echo_server);
        sim.host("echo2", echo_server);
        sim.client("client", async move {
            tokio::time::sleep(ms(1)).await;
            let mut a = TcpStream::connect("echo1:7").await?;
            let mut b = TcpStream::connect("echo2:7").await?;
            let mut total = 0;
            for i in 0..SETUP_ROUND_TRIPS {
                total += round_trip(&mut a, i).await;
                total += round_trip(&mut b, i).await;
            }
            sum.set(total);
            Ok(())
        });
        sim.run().unwrap();
        assert_eq!(out.get(), SETUP_SUM, "turmoil sim_setup checksum");
        drop(sim);
    }
}

/// The madsim process (benches/peers/madsim-net), driven over stdin.
struct Madsim {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Madsim {
    fn start(path: &str) -> Madsim {
        let mut child = Command::new(path)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start madsim bench {path}: {e}"));
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Madsim {
            child,
            stdin,
            stdout,
        }
    }

    /// Sends one command; returns the numbers after `ns` and `rss`.
    fn command(&mut self, cmd: &str) -> (Duration, Option<u64>) {
        writeln!(self.stdin, "{cmd}").unwrap();
        self.stdin.flush().unwrap();
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["ns", ns] => (Duration::from_nanos(ns.parse().unwrap()), None),
            ["ns", ns, "rss", rss] => (
                Duration::from_nanos(ns.parse().unwrap()),
                Some(rss.parse().unwrap()),
            ),
            _ => panic!("madsim bench answered {line:?} to {cmd:?}"),
        }
    }
}

impl Drop for Madsim {
    fn drop(&mut self) {
        let _ = writeln!(self.stdin, "quit");
        let _ = self.stdin.flush();
        let _ = self.child.wait();
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Runtime {
    Detsim,
    Madsim,
    Turmoil,
}

impl Runtime {
    fn label(self) -> &'static str {
        match self {
            Runtime::Detsim => "detsim",
            Runtime::Madsim => "madsim",
            Runtime::Turmoil => "turmoil",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Workload {
    NetRpc,
    SimSetup,
}

/// One repetition of workload `w` on `rt`, `ops` round trips (`net_rpc`)
/// or simulations (`sim_setup`).
fn run_once(w: Workload, rt: Runtime, ops: u64, madsim: &mut Option<Madsim>) -> Duration {
    match (w, rt) {
        (Workload::NetRpc, Runtime::Detsim) => det::net_rpc(ops),
        (Workload::NetRpc, Runtime::Turmoil) => tur::net_rpc(ops),
        (Workload::NetRpc, Runtime::Madsim) => {
            let m = madsim.as_mut().unwrap();
            m.command(&format!("net_rpc {ops}")).0
        }
        (Workload::SimSetup, Runtime::Detsim) => {
            let start = Instant::now();
            (0..ops).for_each(det::sim_setup);
            start.elapsed()
        }
        (Workload::SimSetup, Runtime::Turmoil) => {
            let start = Instant::now();
            (0..ops).for_each(tur::sim_setup);
            start.elapsed()
        }
        (Workload::SimSetup, Runtime::Madsim) => {
            let m = madsim.as_mut().unwrap();
            m.command(&format!("sim_setup 0 {ops}")).0
        }
    }
}

/// `--memory <runtime>`: sim_setup seeds 0..99, then 100..999, in this
/// fresh process; prints `rss <after 100> <after 1000>`.
fn memory_child(rt: &str) {
    let one: fn(u64) = match rt {
        "detsim" => det::sim_setup,
        "turmoil" => tur::sim_setup,
        _ => panic!("--memory {rt}: unknown runtime"),
    };
    (0..100).for_each(one);
    let after_100 = resident_bytes();
    (100..SETUP_RUNS).for_each(one);
    println!("rss {after_100} {}", resident_bytes());
}

fn memory(rt: Runtime, madsim_path: Option<&str>) -> Option<(u64, u64)> {
    match rt {
        Runtime::Madsim => {
            let mut m = Madsim::start(madsim_path?);
            let a = m.command("sim_setup 0 100").1?;
            let b = m
                .command(&format!("sim_setup 100 {}", SETUP_RUNS - 100))
                .1?;
            Some((a, b))
        }
        _ => {
            let out = Command::new(std::env::current_exe().ok()?)
                .args(["--memory", rt.label()])
                .output()
                .ok()?;
            let text = String::from_utf8_lossy(&out.stdout);
            let line = text.lines().find(|l| l.starts_with("rss "))?;
            let mut it = line.split_whitespace().skip(1).map(|x| x.parse().ok());
            Some((it.next()??, it.next()??))
        }
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(pos) = args.iter().position(|a| a == "--memory") {
        memory_child(&args[pos + 1]);
        return;
    }
    let filter: Option<&str> = args
        .iter()
        .find(|a| !a.starts_with('-'))
        .map(String::as_str);
    let scale = rows::scale();
    let (warmup, reps) = if scale == 1 { (true, REPS) } else { (false, 1) };
    let madsim_path = std::env::var("DETSIM_MADSIM_NET").ok();
    let mut madsim = madsim_path.as_deref().map(Madsim::start);

    let mut all_runtimes = vec![Runtime::Detsim];
    if madsim.is_some() {
        all_runtimes.push(Runtime::Madsim);
    }
    all_runtimes.push(Runtime::Turmoil);

    println!("detsim vs madsim 0.2 vs turmoil 0.7: network workloads of issue 4");
    println!("command: bash benches/net.sh   (machine: see BENCHMARKS.md)");
    println!(
        "method: {} warm-up + {reps} repetitions, runtimes alternating; ratio = median of paired peer/detsim times",
        if warmup { "1" } else { "no" }
    );
    if madsim.is_none() {
        println!(
            "DETSIM_MADSIM_NET not set: madsim rows skipped (benches/net.sh builds and sets it)"
        );
    }
    if scale != 1 {
        println!(
            "DETSIM_BENCH_SCALE={scale}: sizes divided by {scale}, no warm-up, one repetition"
        );
    }
    println!();
    println!(
        "{:<10} {:<8} {:>12} {:>22} {:>11} {:>8} {:>7}  result",
        "workload", "runtime", "ns/op", "min..max ns/op", "runs/s", "ratio", "target"
    );

    let mut failed: Vec<String> = Vec::new();
    let mut judged = 0;
    for (w, name, ops, unit) in [
        (
            Workload::NetRpc,
            "net_rpc",
            RPC_ROUND_TRIPS / scale,
            "round trips",
        ),
        (
            Workload::SimSetup,
            "sim_setup",
            SETUP_RUNS / scale,
            "simulations",
        ),
    ] {
        let runtimes: Vec<Runtime> = all_runtimes
            .iter()
            .copied()
            .filter(|rt| filter.is_none_or(|f| rows::row_selected(f, name, rt.label())))
            .collect();
        if runtimes.is_empty() {
            continue;
        }
        if warmup {
            for &rt in &runtimes {
                run_once(w, rt, ops, &mut madsim);
            }
        }
        let mut times: Vec<Vec<Duration>> = vec![Vec::new(); runtimes.len()];
        for _ in 0..reps {
            for (i, &rt) in runtimes.iter().enumerate() {
                times[i].push(run_once(w, rt, ops, &mut madsim));
            }
        }
        let ns = |d: Duration| d.as_nanos() as f64 / ops as f64;
        for (i, &rt) in runtimes.iter().enumerate() {
            let per_op: Vec<f64> = times[i].iter().map(|&d| ns(d)).collect();
            let med = median(per_op.clone());
            let min = per_op.iter().copied().fold(f64::INFINITY, f64::min);
            let max = per_op.iter().copied().fold(0.0, f64::max);
            let target = match (w, rt) {
                (_, Runtime::Detsim) => None,
                (Workload::NetRpc, Runtime::Madsim) => Some(3.0),
                (Workload::NetRpc, Runtime::Turmoil) => Some(20.0),
                (Workload::SimSetup, Runtime::Madsim) => Some(3.0),
                (Workload::SimSetup, Runtime::Turmoil) => None,
            };
            let (ratio, verdict) = if rt == Runtime::Detsim || runtimes[0] != Runtime::Detsim {
                (String::from("-"), "")
            } else {
                let ratio = median(
                    times[i]
                        .iter()
                        .zip(&times[0])
                        .map(|(p, d)| p.as_secs_f64() / d.as_secs_f64())
                        .collect(),
                );
                let verdict = match target {
                    None => "(info)",
                    Some(t) => {
                        judged += 1;
                        if ratio >= t {
                            "PASS"
                        } else {
                            failed.push(format!("{name} vs {}", rt.label()));
                            "FAIL"
                        }
                    }
                };
                (format!("{ratio:.2}x"), verdict)
            };
            let runs_per_s = if w == Workload::SimSetup {
                format!("{:.0}", 1e9 / med)
            } else {
                String::from("-")
            };
            println!(
                "{:<10} {:<8} {:>12.1} {:>22} {:>11} {:>8} {:>7}  {verdict}",
                name,
                rt.label(),
                med,
                format!("{min:.1}..{max:.1}"),
                runs_per_s,
                ratio,
                target.map_or(String::from("-"), |t| format!("{t:.1}x")),
            );
        }
        println!("{:<10} ({ops} {unit} per repetition)", "");
    }

    if scale == 1 && filter.is_none_or(|f| "sim_setup".contains(f)) {
        drop(madsim.take());
        println!();
        println!("sim_setup memory (fresh process per runtime, resident set):");
        for &rt in &all_runtimes {
            match memory(rt, madsim_path.as_deref()) {
                Some((a, b)) => println!(
                    "  {:<8} after 100 runs {:>8} KiB, after 1000 runs {:>8} KiB ({:+.1} KiB per run)",
                    rt.label(),
                    a / 1024,
                    b / 1024,
                    (b as f64 - a as f64) / 1024.0 / 900.0
                ),
                None => println!("  {:<8} not measured", rt.label()),
            }
        }
    }
    println!();
    println!(
        "ratio = median over repetitions of peer time / detsim time, each set run back to back (how many times faster detsim is)"
    );
    if judged == 0 {
        println!("no target judged");
    } else if failed.is_empty() {
        println!("all {judged} judged targets met");
    } else {
        println!("targets NOT met: {}", failed.join(", "));
    }
}
