//! madsim's side of `benches/net.rs` (issue 4, "Speed"): the same two
//! workloads, built with `RUSTFLAGS="--cfg madsim"` by `benches/net.sh`.
//!
//! The process serves the bench over stdin/stdout so that the runs
//! alternate with detsim's and turmoil's (paired repetitions) and stay warm:
//! each input line is a command, each answer one line.
//!
//! * `net_rpc <round_trips>` -> `ns <elapsed>`: one runtime, one TCP
//!   connection, `round_trips` sequential 64-byte request/response round
//!   trips at a fixed 1 ms one-way latency; only `block_on` is timed.
//! * `sim_setup <first_seed> <runs>` -> `ns <elapsed> rss <bytes>`: `runs`
//!   whole simulations (runtime built, 3 nodes, 2 echo servers, a client
//!   connecting to both and doing 10 round trips with each, runtime
//!   dropped), all timed; `rss` is the resident set after the last one.
//!
//! madsim's latency is a `Range<Duration>` drawn with `gen_range`, which
//! panics on an empty range, so "a fixed 1 ms" is `1 ms..1 ms + 1 ns`.

#[cfg(not(madsim))]
fn main() {
    eprintln!("build with RUSTFLAGS=\"--cfg madsim\" (benches/net.sh does)");
    std::process::exit(2);
}

#[cfg(madsim)]
fn main() {
    use std::io::{BufRead, Write};
    let stdin = std::io::stdin();
    let mut out = std::io::stdout();
    for line in stdin.lock().lines() {
        let line = line.expect("stdin");
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["net_rpc", n] => {
                let n: u64 = n.parse().expect("round trips");
                let ns = sim::net_rpc(n);
                writeln!(out, "ns {ns}").unwrap();
            }
            ["sim_setup", first, runs] => {
                let first: u64 = first.parse().expect("first seed");
                let runs: u64 = runs.parse().expect("runs");
                let start = std::time::Instant::now();
                for seed in first..first + runs {
                    sim::sim_setup(seed);
                }
                let ns = start.elapsed().as_nanos();
                writeln!(out, "ns {ns} rss {}", sim::resident_bytes()).unwrap();
            }
            ["quit"] | [] => break,
            other => panic!("unknown command {other:?}"),
        }
        out.flush().unwrap();
    }
}

#[cfg(madsim)]
mod sim {
    use std::net::{IpAddr, SocketAddr};
    use std::time::{Duration, Instant};

    use madsim::net::{TcpListener, TcpStream};
    use madsim::runtime::{Handle, Runtime};
    use madsim::{Config, time};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// Request and response size.
    const MSG: usize = 64;
    /// Round trips per server in `sim_setup`.
    const SETUP_ROUND_TRIPS: u64 = 10;
    /// Seed of the `net_rpc` run.
    const RPC_SEED: u64 = 42;

    pub(crate) fn resident_bytes() -> u64 {
        let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
        let pages: u64 = statm
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        pages * 4096
    }

    fn runtime(seed: u64) -> Runtime {
        let mut config = Config::default();
        config.net.packet_loss_rate = 0.0;
        config.net.send_latency =
            Duration::from_millis(1)..Duration::from_millis(1) + Duration::from_nanos(1);
        Runtime::with_seed_and_config(seed, config)
    }

    fn ip(n: u8) -> IpAddr {
        IpAddr::from([10, 0, 0, n])
    }

    /// A TCP echo server on `addr`: one task per connection.
    async fn echo_server(addr: SocketAddr) {
        let listener = TcpListener::bind(addr).await.unwrap();
        loop {
            let (mut stream, _) = listener.accept().await.unwrap();
            madsim::task::spawn(async move {
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

    /// One request/response round trip of `MSG` bytes; returns a checksum.
    async fn round_trip(stream: &mut TcpStream, i: u64) -> u64 {
        let mut req = [0u8; MSG];
        req[..8].copy_from_slice(&i.to_le_bytes());
        stream.write_all(&req).await.unwrap();
        stream.flush().await.unwrap();
        let mut resp = [0u8; MSG];
        stream.read_exact(&mut resp).await.unwrap();
        u64::from_le_bytes(resp[..8].try_into().unwrap())
    }

    pub(crate) fn net_rpc(n: u64) -> u128 {
        let rt = runtime(RPC_SEED);
        let start = Instant::now();
        let sum = rt.block_on(async move {
            let h = Handle::current();
            let server = h.create_node().name("server").ip(ip(1)).build();
            server.spawn(echo_server(SocketAddr::new(ip(1), 7)));
            let client = h.create_node().name("client").ip(ip(2)).build();
            client
                .spawn(async move {
                    time::sleep(Duration::from_millis(1)).await;
                    let mut s = TcpStream::connect(SocketAddr::new(ip(1), 7)).await.unwrap();
                    let mut sum = 0u64;
                    for i in 0..n {
                        sum += round_trip(&mut s, i).await;
                    }
                    sum
                })
                .await
                .unwrap()
        });
        let elapsed = start.elapsed().as_nanos();
        assert_eq!(sum, n * n.saturating_sub(1) / 2, "madsim net_rpc checksum");
        drop(rt);
        elapsed
    }

    pub(crate) fn sim_setup(seed: u64) {
        let rt = runtime(seed);
        let sum = rt.block_on(async move {
            let h = Handle::current();
            for n in [1u8, 2] {
                let node = h.create_node().name(format!("echo{n}")).ip(ip(n)).build();
                node.spawn(echo_server(SocketAddr::new(ip(n), 7)));
            }
            let client = h.create_node().name("client").ip(ip(3)).build();
            client
                .spawn(async move {
                    time::sleep(Duration::from_millis(1)).await;
                    let mut a = TcpStream::connect(SocketAddr::new(ip(1), 7)).await.unwrap();
                    let mut b = TcpStream::connect(SocketAddr::new(ip(2), 7)).await.unwrap();
                    let mut sum = 0u64;
                    for i in 0..SETUP_ROUND_TRIPS {
                        sum += round_trip(&mut a, i).await;
                        sum += round_trip(&mut b, i).await;
                    }
                    sum
                })
                .await
                .unwrap()
        });
        assert_eq!(sum, 90, "madsim sim_setup checksum");
        drop(rt);
    }
}
