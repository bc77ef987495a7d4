//! A detsim waker used from another OS thread is safe: the wake is queued,
//! delivered at the next scheduling point, and reported as nondeterminism.

use std::future::poll_fn;
use std::task::Poll;

use detsim::Sim;

#[test]
fn a_wake_from_another_thread_is_delivered_and_reported() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        let mut sent = false;
        poll_fn(|cx| {
            if sent {
                return Poll::Ready(());
            }
            sent = true;
            let waker = cx.waker().clone();
            std::thread::Builder::new()
                .name("rogue".into())
                .spawn(move || {
                    let clone = waker.clone(); // clone and drop off-thread too
                    drop(waker);
                    clone.wake();
                })
                .unwrap()
                .join()
                .unwrap();
            Poll::Pending
        })
        .await;
    })
    .unwrap();
    let report = sim.report();
    assert_eq!(report.foreign_wakes().len(), 1);
    let wake = &report.foreign_wakes()[0];
    assert_eq!(wake.thread(), "rogue");
    assert_eq!(wake.task().unwrap().name(), Some("main"));
    assert!(report.has_warnings());
}

#[test]
fn wakers_outliving_their_simulation_are_harmless() {
    let mut sim = Sim::builder().build();
    let waker = sim
        .run(poll_fn(|cx| Poll::Ready(cx.waker().clone())))
        .unwrap();
    drop(sim);
    // The simulation is gone: waking is a no-op, from any thread.
    waker.wake_by_ref();
    std::thread::spawn(move || waker.wake()).join().unwrap();
    let mut other = Sim::builder().build();
    other.run(async {}).unwrap();
    assert!(other.report().foreign_wakes().is_empty());
}

#[test]
fn a_simulation_may_run_inside_another_simulations_task() {
    let mut outer = Sim::builder().seed(1).build();
    let inner_fp = outer
        .run(async {
            let h = detsim::spawn(async { detsim::yield_now().await });
            let mut inner = Sim::builder().seed(2).build();
            inner
                .run(async { detsim::spawn(async {}).await.unwrap() })
                .unwrap();
            h.await.unwrap();
            inner.fingerprint()
        })
        .unwrap();
    let mut alone = Sim::builder().seed(2).build();
    alone
        .run(async { detsim::spawn(async {}).await.unwrap() })
        .unwrap();
    assert_eq!(inner_fp, alone.fingerprint());
}
