//! Real-world proof (issue 4, item 6): hyper 1.x, an HTTP/1.1 client and
//! server from crates.io, runs unchanged over detsim TCP. The only glue is
//! hyper-util's `TokioIo`, which adapts any tokio `AsyncRead + AsyncWrite`
//! (detsim's `TcpStream` with the `tokio-io` feature) to hyper's io traits.
//!
//! The server runs on its own node (spawned with detsim's `spawn`), the
//! client on another: many requests under 1–20 ms jitter, requests issued
//! during a partition (stalled until the heal, or failed by the TCP
//! timeout and retried on a new connection), and a determinism check over
//! dozens of seeds.

mod common;

use std::collections::BTreeSet;
use std::io::ErrorKind;
use std::time::Duration;

use bytes::Bytes;
use common::ms;
use detsim::net::{Latency, LinkConfig, Network, TcpListener, TcpStream};
use detsim::node::Node;
use detsim::time::{self, Instant};
use detsim::{Sim, spawn};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::client::conn::http1::SendRequest;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;

/// The server's handler: `POST /path` with a body answers
/// `"<path> <body length> <node>"`.
async fn handle(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, hyper::Error> {
    let path = req.uri().path().to_owned();
    let body = req.into_body().collect().await?.to_bytes();
    let node = Node::current();
    let text = format!("{path} {} {}", body.len(), node.name());
    Ok(Response::new(Full::new(Bytes::from(text))))
}

/// A node `name` serving HTTP/1.1 with hyper on port 80, one detsim task
/// per connection.
fn http_server(name: &str) -> Node {
    Node::builder(name)
        .init(|| async {
            let listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                spawn(async move {
                    // hyper's `Date` header reads the wall clock and its
                    // header-read timeout needs a timer: both off, so a
                    // response's bytes are a function of the seed.
                    let _ = hyper::server::conn::http1::Builder::new()
                        .auto_date_header(false)
                        .header_read_timeout(None)
                        .serve_connection(TokioIo::new(stream), service_fn(handle))
                        .await;
                });
            }
        })
        .build()
}

/// Opens an HTTP/1.1 connection to `addr`; its driver runs as a detsim task.
async fn connect(
    addr: &str,
) -> Result<SendRequest<Full<Bytes>>, Box<dyn std::error::Error + Send + Sync>> {
    let stream = TcpStream::connect(addr).await?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    spawn(async move {
        let _ = conn.await;
    });
    Ok(sender)
}

/// `POST path` with `body`; the response's status and text.
async fn post(
    sender: &mut SendRequest<Full<Bytes>>,
    path: &str,
    body: &'static [u8],
) -> Result<(StatusCode, String), hyper::Error> {
    sender.ready().await?;
    let req = Request::post(path)
        .header("host", "server")
        .body(Full::new(Bytes::from_static(body)))
        .expect("a valid request");
    let resp = sender.send_request(req).await?;
    let status = resp.status();
    let bytes = resp.into_body().collect().await?.to_bytes();
    Ok((status, String::from_utf8(bytes.to_vec()).expect("utf-8")))
}

fn jitter() {
    Network::current()
        .set_default(LinkConfig::new().latency(Latency::uniform(ms(1), ms(20))))
        .unwrap();
}

#[test]
fn hyper_client_and_server_exchange_requests_under_jitter() {
    for seed in 0..10 {
        let mut sim = Sim::builder().seed(seed).build();
        sim.run(async {
            jitter();
            http_server("server");
            time::sleep(ms(1)).await;
            let mut clients = Vec::new();
            for c in 0..3u32 {
                let node = Node::builder(format!("client-{c}")).build();
                clients.push(node.spawn(async move {
                    let mut sender = connect("server:80").await.unwrap();
                    for i in 0..10u32 {
                        let path = format!("/c{c}/r{i}");
                        let body: &'static [u8] = if i % 2 == 0 { b"" } else { &[7u8; 3000] };
                        let (status, text) = post(&mut sender, &path, body).await.unwrap();
                        assert_eq!(status, StatusCode::OK);
                        assert_eq!(text, format!("{path} {} server", body.len()));
                    }
                }));
            }
            for c in clients {
                c.await.unwrap();
            }
            // Thirty round trips of 2–40 ms each took virtual time, not real.
            assert!(Instant::now().since_start() > ms(60));
        })
        .unwrap();
    }
}

#[test]
fn a_request_issued_during_a_partition_completes_after_the_heal() {
    let mut sim = Sim::builder().seed(3).build();
    sim.run(async {
        jitter();
        let server = http_server("server");
        time::sleep(ms(1)).await;
        let client = Node::builder("client").build();
        let net = Network::current();
        let done = client
            .spawn(async move {
                let mut sender = connect("server:80").await.unwrap();
                let (_, before) = post(&mut sender, "/before", b"x").await.unwrap();
                assert_eq!(before, "/before 1 server");
                // Cut the link, then ask: the request stalls in TCP.
                net.partition(&Node::current(), &server);
                let heal_at = Instant::now() + Duration::from_secs(3);
                spawn(async move {
                    time::sleep_until(heal_at).await;
                    Network::current().heal_all();
                });
                let (status, during) = post(&mut sender, "/during", b"abc").await.unwrap();
                assert_eq!(status, StatusCode::OK);
                assert_eq!(during, "/during 3 server");
                assert!(Instant::now() >= heal_at, "answered only after the heal");
                // The same connection keeps working.
                let (_, after) = post(&mut sender, "/after", b"").await.unwrap();
                assert_eq!(after, "/after 0 server");
            })
            .await;
        done.unwrap();
        assert!(net.stats().tcp.retransmits > 0);
    })
    .unwrap();
}

#[test]
fn with_a_tcp_timeout_a_partitioned_request_fails_then_succeeds_after_the_heal() {
    let mut sim = Sim::builder().seed(11).build();
    sim.run(async {
        jitter();
        let net = Network::current();
        net.set_tcp_timeout(Some(Duration::from_secs(2)));
        let server = http_server("server");
        time::sleep(ms(1)).await;
        let client = Node::builder("client").build();
        client
            .spawn(async move {
                let mut sender = connect("server:80").await.unwrap();
                post(&mut sender, "/warmup", b"").await.unwrap();
                net.partition(&Node::current(), &server);
                let start = Instant::now();
                let err = post(&mut sender, "/lost", b"abc").await.unwrap_err();
                let waited = Instant::now() - start;
                assert!(waited >= Duration::from_secs(2), "failed after {waited:?}");
                // hyper reports the transport's error: TCP's TimedOut.
                let io = std::error::Error::source(&err)
                    .and_then(|e| e.downcast_ref::<std::io::Error>())
                    .map(std::io::Error::kind);
                assert_eq!(io, Some(ErrorKind::TimedOut), "{err:?}");
                // While the partition lasts, new connections time out too.
                let err = connect("server:80").await.expect_err("partitioned");
                let io = err.downcast_ref::<std::io::Error>().map(|e| e.kind());
                assert_eq!(io, Some(ErrorKind::TimedOut));
                net.heal_all();
                let mut sender = connect("server:80").await.unwrap();
                let (_, text) = post(&mut sender, "/retry", b"abc").await.unwrap();
                assert_eq!(text, "/retry 3 server");
            })
            .await
            .unwrap();
    })
    .unwrap();
}

/// The scenario of the determinism check: jitter, loss, a partition that
/// heals at a random moment, two clients. Returns what each request saw,
/// with its virtual completion time.
async fn scenario() -> Vec<String> {
    let net = Network::current();
    net.set_default(
        LinkConfig::new()
            .latency(Latency::uniform(ms(1), ms(20)))
            .loss(0.05),
    )
    .unwrap();
    let server = http_server("server");
    time::sleep(ms(1)).await;
    let chaos = spawn(async move {
        time::sleep(ms(detsim::rand::gen_range(10..200))).await;
        let victim = Node::lookup("client-0").unwrap();
        Network::current().partition(&victim, &server);
        time::sleep(ms(detsim::rand::gen_range(100..2000))).await;
        Network::current().heal_all();
    });
    let mut clients = Vec::new();
    for c in 0..2u32 {
        let node = Node::builder(format!("client-{c}")).build();
        clients.push(node.spawn(async move {
            let mut log = Vec::new();
            let mut sender = connect("server:80").await.unwrap();
            for i in 0..6u32 {
                let path = format!("/c{c}/r{i}");
                let out = post(&mut sender, &path, b"payload").await.unwrap();
                log.push(format!(
                    "{} {:?} {}",
                    Instant::now().since_start().as_micros(),
                    out.0,
                    out.1
                ));
            }
            log
        }));
    }
    let mut all = Vec::new();
    for c in clients {
        all.extend(c.await.unwrap());
    }
    chaos.await.unwrap();
    all
}

#[test]
fn forty_seeds_of_the_hyper_scenario_run_twice_give_identical_fingerprints() {
    let mut distinct = BTreeSet::new();
    for seed in 0..40 {
        let mut a = Sim::builder().seed(seed).build();
        let out_a = a.run(scenario()).unwrap();
        let mut b = Sim::builder().seed(seed).build();
        let out_b = b.run(scenario()).unwrap();
        assert_eq!(a.fingerprint(), b.fingerprint(), "seed {seed}");
        assert_eq!(out_a, out_b, "seed {seed}");
        assert_eq!(out_a.len(), 12, "every request was answered");
        distinct.insert(a.fingerprint());
    }
    assert_eq!(distinct.len(), 40, "every seed is a different run");
}

#[test]
fn the_determinism_check_passes_with_hyper() {
    Sim::builder().seed(8).check_determinism(scenario).unwrap();
}
