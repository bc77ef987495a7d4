//! The virtual-time limit and the step limit each stop a run with their own
//! kind of failure and a message saying how to raise them.

#[macro_use]
mod common;

use std::time::Duration;

use detsim::{FailureKind, Sim, spawn, time, yield_now};

#[test]
fn the_time_limit_stops_a_livelock() {
    let mut sim = Sim::builder()
        .seed(1)
        .time_limit(Duration::from_secs(10))
        .build();
    let failure = sim
        .run(async {
            let (tx, rx) = futures::channel::oneshot::channel::<()>();
            // A heartbeat keeps timers busy; the answer never comes.
            let _heartbeat = spawn(async move {
                let _tx = tx;
                loop {
                    time::sleep(Duration::from_secs(1)).await;
                }
            });
            rx.await.ok();
        })
        .unwrap_err();
    assert_eq!(failure.kind(), FailureKind::TimeLimit);
    assert!(failure.is_time_limit());
    assert_eq!(failure.time().since_start(), Duration::from_secs(10));
    assert_eq!(failure.blocked_tasks().len(), 2);
    assert_report_snapshot!(failure.headline());
}

#[test]
fn the_default_time_limit_is_one_hour() {
    let mut sim = Sim::builder().build();
    let failure = sim.run(time::sleep(Duration::from_secs(3601))).unwrap_err();
    assert!(failure.is_time_limit());
    let mut sim = Sim::builder().build();
    sim.run(time::sleep(Duration::from_secs(3600))).unwrap();
}

#[test]
fn the_step_limit_stops_a_busy_loop() {
    let mut sim = Sim::builder().max_steps(1_000).build();
    let failure = sim
        .run(async {
            let _spinner = spawn(async {
                loop {
                    yield_now().await;
                }
            });
            loop {
                yield_now().await;
            }
        })
        .unwrap_err();
    assert_eq!(failure.kind(), FailureKind::StepLimit);
    assert_eq!(failure.steps(), 1_000);
    assert_eq!(failure.time(), detsim::time::Instant::ZERO);
    assert_report_snapshot!(failure.headline());
}

#[test]
fn without_limits_long_runs_finish() {
    let mut sim = Sim::builder().no_time_limit().no_step_limit().build();
    sim.run(time::sleep(Duration::from_secs(86_400 * 365)))
        .unwrap();
    assert_eq!(sim.now().since_start().as_secs(), 86_400 * 365);
}

/// A datagram sent at `send_at` on the default 1 ms link, run with time
/// limit `limit`: the network's delivery is the only timer, so the time
/// limit meets the executor's shortcut for a lone network alarm.
fn deliver_one_datagram(limit: Duration) -> Result<Vec<u8>, detsim::Failure> {
    use detsim::net::UdpSocket;
    use detsim::node::Node;
    let mut sim = Sim::builder().seed(3).time_limit(limit).build();
    sim.run(async {
        let rx = Node::builder("rx").build().spawn(async {
            let sock = UdpSocket::bind("0.0.0.0:9").await.unwrap();
            let mut buf = [0u8; 8];
            let (n, _) = sock.recv_from(&mut buf).await.unwrap();
            buf[..n].to_vec()
        });
        detsim::yield_now().await; // rx binds
        let sock = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        sock.send_to(b"hi", "rx:9").await.unwrap();
        rx.await.unwrap()
    })
}

#[test]
fn the_time_limit_stops_a_network_delivery_past_it_and_lets_one_at_it_through() {
    let ms = Duration::from_millis(1);
    assert_eq!(deliver_one_datagram(ms).unwrap(), b"hi");
    let failure = deliver_one_datagram(ms - Duration::from_nanos(1)).unwrap_err();
    assert!(failure.is_time_limit());
    assert_eq!(
        failure.time().since_start(),
        Duration::ZERO,
        "time did not move"
    );
    assert!(
        failure.headline().starts_with(
            "time limit: virtual time would pass the limit of 999999ns (the next wakeup is at +1ms)"
        ),
        "{}",
        failure.headline()
    );
}
