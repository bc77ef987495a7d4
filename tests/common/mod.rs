//! Helpers shared by the integration tests.

/// Asserts a snapshot with `file.rs:line:col` locations redacted, so
/// editing a test file does not churn its snapshots.
#[macro_export]
macro_rules! assert_report_snapshot {
    ($value:expr) => {
        insta::with_settings!({filters => vec![(r"\.rs:\d+:\d+", ".rs:[line]")]}, {
            insta::assert_snapshot!($value);
        })
    };
}

/// Runs this test binary again, filtered to one test, with
/// `DETSIM_TEST_CHILD=1`: for scenarios that end the process (an abort) or
/// print to stderr outside any test capture. Returns (success, stderr).
#[allow(dead_code)]
pub(crate) fn run_child(test: &str) -> (bool, String) {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env("DETSIM_TEST_CHILD", "1")
        .env_remove("RUST_BACKTRACE")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Whether this process is the child of [`run_child`].
#[allow(dead_code)]
pub(crate) fn is_child() -> bool {
    std::env::var_os("DETSIM_TEST_CHILD").is_some()
}

/// The message of the panic `f` must raise (a `String` or `&str` payload).
#[allow(dead_code)]
pub(crate) fn panic_message(f: impl FnOnce()) -> String {
    let payload =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).expect_err("expected a panic");
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .expect("a panic with a string message")
}

/// Runs one test of this binary in a child with `env` (and no inherited
/// `DETSIM_*` variable, nor any of `also_remove`), with
/// `DETSIM_TEST_CHILD=1`. Returns (passed, stdout + stderr).
#[allow(dead_code)]
pub(crate) fn child_with_env(
    test: &str,
    env: &[(&str, &str)],
    also_remove: &[&str],
) -> (bool, String) {
    let mut cmd = std::process::Command::new(std::env::current_exe().unwrap());
    cmd.args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env("DETSIM_TEST_CHILD", "1")
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LOG");
    for (k, _) in std::env::vars() {
        if k.starts_with("DETSIM_") && k != "DETSIM_TEST_CHILD" || also_remove.contains(&&*k) {
            cmd.env_remove(k);
        }
    }
    cmd.envs(env.iter().copied());
    let out = cmd.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// The value of a `  name:  value` line of a failure report.
#[allow(dead_code)]
pub(crate) fn report_field<'a>(report: &'a str, name: &str) -> &'a str {
    let prefix = format!("  {name}:");
    report
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no `{name}:` line in:\n{report}"))
        .trim()
}

/// Runs `workload` under every seed twice and asserts the two runs are the
/// same run (fingerprint, tape, output, final virtual time); returns each
/// seed's fingerprint and output for the caller's own checks.
#[allow(dead_code)]
pub(crate) fn run_each_seed_twice<T, Fut>(
    seeds: std::ops::Range<u64>,
    workload: impl Fn() -> Fut,
) -> Vec<(detsim::Fingerprint, T)>
where
    Fut: std::future::Future<Output = T>,
    T: PartialEq + std::fmt::Debug,
{
    seeds
        .map(|seed| {
            let mut a = detsim::Sim::builder().seed(seed).build();
            let out_a = a.run(workload()).unwrap();
            let mut b = detsim::Sim::builder().seed(seed).build();
            let out_b = b.run(workload()).unwrap();
            assert_eq!(a.fingerprint(), b.fingerprint(), "seed {seed}");
            assert_eq!(a.tape(), b.tape(), "seed {seed}");
            assert_eq!(out_a, out_b, "seed {seed}");
            assert_eq!(a.now(), b.now(), "seed {seed}");
            (a.fingerprint(), out_a)
        })
        .collect()
}

/// Asserts that the runs of [`run_each_seed_twice`] (outputs `(_, stats
/// text)`) all have different fingerprints and that more than
/// `min_outcomes` of them end with different network counters (the faults
/// really vary between seeds).
#[allow(dead_code)]
pub(crate) fn assert_seeds_differ<T>(
    runs: &[(detsim::Fingerprint, (T, String))],
    min_outcomes: usize,
) {
    let distinct: std::collections::BTreeSet<_> = runs.iter().map(|(f, _)| *f).collect();
    let outcomes: std::collections::BTreeSet<_> = runs.iter().map(|(_, out)| &out.1).collect();
    assert_eq!(distinct.len(), runs.len(), "every seed is a different run");
    assert!(
        outcomes.len() > min_outcomes,
        "faults differ between seeds: {}",
        outcomes.len()
    );
}

/// `n` milliseconds.
#[allow(dead_code)]
pub(crate) fn ms(n: u64) -> std::time::Duration {
    std::time::Duration::from_millis(n)
}

/// The virtual time since the simulation started.
#[allow(dead_code)]
pub(crate) fn since_start() -> std::time::Duration {
    detsim::time::Instant::now().since_start()
}

/// A socket address literal (`"10.0.0.1:80"`, `"[::1]:7"`).
#[allow(dead_code)]
pub(crate) fn addr(s: &str) -> std::net::SocketAddr {
    s.parse().unwrap()
}

/// Runs `f` in a simulation with the default settings; it must pass.
#[allow(dead_code)]
pub(crate) fn run(f: impl std::future::Future<Output = ()>) {
    detsim::Sim::builder().build().run(f).unwrap();
}

/// A connected TCP pair over loopback, through a listener on
/// 127.0.0.1:80: (client, server).
#[allow(dead_code)]
pub(crate) async fn tcp_pair() -> (detsim::net::TcpStream, detsim::net::TcpStream) {
    let l = detsim::net::TcpListener::bind("127.0.0.1:80")
        .await
        .unwrap();
    let c = detsim::spawn(async {
        detsim::net::TcpStream::connect("127.0.0.1:80")
            .await
            .unwrap()
    });
    let (s, _) = l.accept().await.unwrap();
    (c.await.unwrap(), s)
}

/// A connection from `main` to a new node `server` (1 ms each way),
/// through a listener bound on its port 80: (client, server's end).
#[allow(dead_code)]
pub(crate) async fn tcp_pair_to_server() -> (detsim::net::TcpStream, detsim::net::TcpStream) {
    let l = detsim::node::Node::builder("server")
        .build()
        .spawn(async { detsim::net::TcpListener::bind("0.0.0.0:80").await.unwrap() })
        .await
        .unwrap();
    let c = detsim::net::TcpStream::connect("server:80").await.unwrap();
    let (s, _) = l.accept().await.unwrap();
    (c, s)
}

/// Fills the peer's window and the send buffer of `s` (whose peer does
/// not read) with `try_write`; returns the bytes taken.
#[allow(dead_code)]
pub(crate) fn fill_send_buffer(s: &detsim::net::TcpStream) -> usize {
    let mut taken = 0;
    loop {
        match s.try_write(&[7u8; 4096]) {
            Ok(n) => taken += n,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return taken,
            Err(e) => panic!("{e}"),
        }
    }
}

/// A node named `name` that echoes each UDP datagram (up to 2048 bytes)
/// sent to `addr` (`"0.0.0.0:7"`, `"[::]:7"`) back to its sender.
#[allow(dead_code)]
pub(crate) fn udp_echo_node(name: impl Into<String>, addr: &'static str) -> detsim::node::Node {
    detsim::node::Node::builder(name)
        .init(move || async move {
            let sock = detsim::net::UdpSocket::bind(addr).await.unwrap();
            let mut buf = vec![0u8; 2048];
            loop {
                let (n, from) = sock.recv_from(&mut buf).await.unwrap();
                sock.send_to(&buf[..n], from).await.unwrap();
            }
        })
        .build()
}

/// A node named `name` that echoes TCP on `addr` (`"0.0.0.0:7"`,
/// `"[::]:80"`): one task per connection writes back what it reads, until
/// EOF or an error; the accept loop ends when the listener fails (its
/// node was killed).
#[allow(dead_code)]
pub(crate) fn tcp_echo_node(name: impl Into<String>, addr: &'static str) -> detsim::node::Node {
    use futures::io::{AsyncReadExt, AsyncWriteExt};
    detsim::node::Node::builder(name)
        .init(move || async move {
            let listener = detsim::net::TcpListener::bind(addr).await.unwrap();
            loop {
                let Ok((mut s, _)) = listener.accept().await else {
                    return;
                };
                detsim::spawn(async move {
                    let mut buf = [0u8; 64];
                    loop {
                        match s.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => {
                                if s.write_all(&buf[..n]).await.is_err() {
                                    break;
                                }
                            }
                        }
                    }
                });
            }
        })
        .build()
}

/// The end of a determinism workload: each client's result (in spawn
/// order), once the chaos task is done too, and the network's counters.
#[allow(dead_code)]
pub(crate) async fn join_with_stats<T: 'static>(
    clients: Vec<detsim::JoinHandle<T>>,
    chaos: detsim::JoinHandle<()>,
) -> (Vec<T>, String) {
    let mut out = Vec::new();
    for c in clients {
        out.push(c.await.unwrap());
    }
    chaos.await.unwrap();
    (out, detsim::net::Network::current().stats().to_string())
}

/// Makes the current node's disk read-only as a journal abort does (a
/// journaled namespace whose every commit fails, then a sync that aborts
/// it), after writing the regular file `/f` and creating the directory
/// `/d` for the test's checks.
#[allow(dead_code)]
pub(crate) async fn abort_journal_with_f_and_d() {
    use detsim::fs::{self, DiskConfig, File, Namespace};
    let disk = detsim::fs::Disk::current();
    disk.configure(
        DiskConfig::new()
            .namespace(Namespace::Journal)
            .journal_error(1.0),
    )
    .unwrap();
    fs::write("/f", "x").await.unwrap();
    fs::create_dir("/d").await.unwrap();
    File::open("/f")
        .await
        .unwrap()
        .sync_all()
        .await
        .unwrap_err(); // aborts
}

/// A listener on port 80 of a new node `server` and a connection to it
/// from the current node: (the server node, client end, server end).
#[allow(dead_code)]
pub(crate) async fn pair_with_server_node() -> (
    detsim::node::Node,
    detsim::net::TcpStream,
    detsim::net::TcpStream,
) {
    let server = detsim::node::Node::builder("server").build();
    let l = server
        .spawn(async { detsim::net::TcpListener::bind("0.0.0.0:80").await.unwrap() })
        .await
        .unwrap();
    let c = detsim::net::TcpStream::connect("server:80").await.unwrap();
    let (s, _) = l.accept().await.unwrap();
    (server, c, s)
}

/// Reads `s` until it ends: the bytes read, and how it ended (`None` at
/// EOF, else the error's kind).
#[allow(dead_code)]
pub(crate) async fn read_until_end(
    s: &mut detsim::net::TcpStream,
) -> (usize, Option<std::io::ErrorKind>) {
    use futures::io::AsyncReadExt;
    let mut total = 0;
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        match s.read(&mut buf).await {
            Ok(0) => return (total, None),
            Ok(n) => total += n,
            Err(e) => return (total, Some(e.kind())),
        }
    }
}
