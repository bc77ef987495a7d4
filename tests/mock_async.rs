//! `detsim::mock::AsyncMock`: behaviours, calls vs awaits, delay on the
//! virtual clock, block/release, `wait_for_awaits` under concurrency,
//! injection as a closure and behind a trait, determinism, and use outside
//! a simulation. (The assertions and their messages: mock_async_assert.rs.)

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use detsim::mock::{AsyncMock, Call};
use detsim::{Sim, spawn, time};
use futures::executor::block_on;

mod common;
use common::ms;
use common::panic_message;

/// The mock and its futures cross threads and go into `detsim::spawn`.
#[test]
fn mock_and_call_are_send_and_sync_for_send_types() {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>(_: &T) {}
    send_sync::<AsyncMock<(u32, String), Result<Vec<u8>, String>>>();
    send_sync::<detsim::mock::WaitForAwaits<u32, ()>>();
    let m = AsyncMock::<(u32, String), String>::new();
    let f = m.as_fn();
    send(&f);
    let call: Call<(u32, String), String> = f((1, "x".into()));
    send(&call);
}

#[test]
fn returns_applies_to_awaits_that_start_after_the_change() {
    let m = AsyncMock::<u32, &str>::named("lookup").returns("one");
    assert_eq!(block_on(m.call(1)), "one");
    // Made before the change, first polled after it: the await decides.
    let early = m.call(2);
    m.returns("two");
    assert_eq!(block_on(early), "two");
    assert_eq!(block_on(m.call(3)), "two");
    assert_eq!(m.calls(), [1, 2, 3]);
    assert_eq!(m.awaits(), [1, 2, 3]);
}

#[test]
fn an_await_keeps_the_answer_it_picked_when_the_behaviour_changes_in_flight() {
    let mut sim = Sim::builder().seed(5).build();
    let m = AsyncMock::<(), u8>::named("slow").returns(1);
    m.delay(ms(10));
    let mock = m.clone();
    let got = sim
        .run(async move {
            let in_flight = spawn(mock.call(()));
            mock.wait_for_awaits(1).await;
            mock.returns(2).delay(Duration::ZERO);
            (in_flight.await.unwrap(), mock.call(()).await)
        })
        .unwrap();
    assert_eq!(got, (1, 2));
    assert_eq!(sim.now().since_start(), ms(10));
}

#[test]
fn returns_seq_gives_values_in_await_order_then_fails_naming_mock_values_and_call() {
    let m = AsyncMock::<(u32, &str), u64>::named("next_id");
    m.returns_seq([10, 20]);
    let (a, b) = (m.call((1, "a")), m.call((2, "b")));
    assert_eq!(block_on(b), 10, "the first await takes the first value");
    assert_eq!(block_on(a), 20);
    let third = m.call((3, "c"));
    let msg = panic_message(|| {
        block_on(third);
    });
    insta::assert_snapshot!(msg);
    // The failing await is still recorded, as in Python.
    assert_eq!(m.await_count(), 3);
    // The mock stays usable: a fallback fixes later awaits.
    m.then_returns(0);
    assert_eq!(block_on(m.call((4, "d"))), 0);
}

#[test]
fn a_one_value_sequence_says_value_not_values() {
    let m = AsyncMock::<u8, u8>::named("once");
    m.returns_seq([1]);
    block_on(m.call(1));
    let msg = panic_message(|| {
        block_on(m.call(2));
    });
    assert!(
        msg.contains("its returns_seq of 1 value is used up"),
        "{msg}"
    );
}

#[test]
fn an_empty_sequence_fails_on_the_first_await() {
    let m = AsyncMock::<u8, u8>::named("empty");
    m.returns_seq([]);
    let msg = panic_message(|| {
        block_on(m.call(1));
    });
    assert!(msg.contains("returns_seq of 0 values is used up"), "{msg}");
}

#[test]
fn returns_seq_falls_back_to_a_value_or_a_side_effect() {
    let m = AsyncMock::<u32, u32>::named("double");
    m.returns_seq([100, 200]).then_returns(7);
    let got: Vec<u32> = (0..4).map(|i| block_on(m.call(i))).collect();
    assert_eq!(got, [100, 200, 7, 7]);

    m.returns_seq([1]).then_returns_with(|x| x * 2);
    let got: Vec<u32> = (5..8).map(|i| block_on(m.call(i))).collect();
    assert_eq!(got, [1, 12, 14]);

    // A new sequence drops the old fallback: set the fallback after it.
    m.returns_seq([9]);
    block_on(m.call(0));
    let msg = panic_message(|| {
        block_on(m.call(0));
    });
    assert!(msg.contains("used up"), "{msg}");

    // `returns` replaces a sequence still running.
    m.returns_seq([1, 2, 3]);
    m.returns(4);
    assert_eq!(block_on(m.call(0)), 4);
}

#[test]
fn awaiting_a_mock_with_no_behaviour_says_how_to_set_one() {
    let m = AsyncMock::<(u32, bool), String>::named("fetch_user");
    let msg = panic_message(|| {
        block_on(m.call((7, true)));
    });
    insta::assert_snapshot!(msg);
}

#[test]
fn returns_with_runs_the_side_effect_with_the_arguments() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let m = AsyncMock::<(u32, u32), u32>::named("add");
    m.returns_with(move |(a, b)| {
        log.lock().unwrap().push((a, b));
        a + b
    });
    assert_eq!(block_on(m.call((2, 3))), 5);
    assert_eq!(block_on(m.call((4, 5))), 9);
    assert_eq!(*seen.lock().unwrap(), [(2, 3), (4, 5)]);
}

#[test]
fn a_side_effect_may_use_the_mock_itself() {
    // It runs without the mock's lock held: reading the records or
    // changing the behaviour from inside does not deadlock.
    let m = AsyncMock::<u8, usize>::named("reentrant");
    let inner = m.clone();
    m.returns_with(move |_| {
        let n = inner.await_count();
        inner.returns(99);
        n
    });
    assert_eq!(block_on(m.call(1)), 1);
    assert_eq!(block_on(m.call(2)), 99);
}

#[test]
fn returns_with_async_awaits_the_side_effect_in_virtual_time() {
    let mut sim = Sim::builder().seed(1).build();
    let m = AsyncMock::<u64, String>::named("fetch");
    m.returns_with_async(|id| async move {
        time::sleep(ms(id)).await;
        format!("user {id}")
    });
    let mock = m.clone();
    let got = sim
        .run(async move {
            let a = spawn(mock.call(30));
            let b = spawn(mock.call(50));
            (a.await.unwrap(), b.await.unwrap())
        })
        .unwrap();
    assert_eq!(got, ("user 30".to_owned(), "user 50".to_owned()));
    assert_eq!(sim.now().since_start(), ms(50), "the two ran concurrently");
}

#[test]
fn fails_with_returns_the_error_and_returns_switches_back() {
    let m = AsyncMock::<String, Result<u64, std::io::ErrorKind>>::named("read");
    m.fails_with(std::io::ErrorKind::TimedOut);
    assert_eq!(
        block_on(m.call("a".into())),
        Err(std::io::ErrorKind::TimedOut)
    );
    assert_eq!(
        block_on(m.call("b".into())),
        Err(std::io::ErrorKind::TimedOut)
    );
    m.returns(Ok(3));
    assert_eq!(block_on(m.call("c".into())), Ok(3));
    // Errors in a sequence, for a flaky dependency.
    m.returns_seq([Err(std::io::ErrorKind::ConnectionReset), Ok(1)]);
    assert!(block_on(m.call("d".into())).is_err());
    assert_eq!(block_on(m.call("e".into())), Ok(1));
}

#[test]
fn delay_advances_virtual_time_exactly() {
    let mut sim = Sim::builder().seed(2).build();
    let m = AsyncMock::<u8, ()>::named("disk").returns(());
    m.delay(Duration::from_nanos(1_234_567));
    let mock = m.clone();
    let times = sim
        .run(async move {
            let start = time::Instant::now();
            mock.call(1).await;
            let one = start.elapsed();
            // Concurrent awaits each take the delay, side by side.
            let calls: Vec<_> = (0..5).map(|i| spawn(mock.call(i))).collect();
            for c in calls {
                c.await.unwrap();
            }
            let two = start.elapsed();
            mock.delay(ms(3));
            mock.call(9).await;
            (one, two, start.elapsed())
        })
        .unwrap();
    assert_eq!(times.0, Duration::from_nanos(1_234_567));
    assert_eq!(times.1, Duration::from_nanos(2 * 1_234_567));
    assert_eq!(times.2, Duration::from_nanos(2 * 1_234_567) + ms(3));
}

#[test]
fn delay_outside_a_simulation_panics_naming_the_api() {
    let m = AsyncMock::<u8, ()>::named("disk").returns(());
    m.delay(ms(5));
    let msg = panic_message(|| {
        block_on(m.call(1));
    });
    insta::assert_snapshot!(msg);
}

#[test]
fn without_delay_the_mock_works_under_any_executor() {
    // futures' block_on, blocking and releasing included: no detsim needed.
    let m = AsyncMock::<(u32, &str), u32>::named("plain").returns(1);
    m.block_until_released();
    let (a, b, released) = block_on(async {
        futures::join!(m.call((1, "a")), m.call((2, "b")), async {
            m.wait_for_awaits(2).await;
            assert_eq!(m.blocked_count(), 2);
            m.release()
        })
    });
    assert_eq!((a, b, released), (1, 1, 2));
    m.assert_has_awaits(&[(1, "a"), (2, "b")], false);
}

#[test]
fn a_release_from_another_thread_wakes_a_blocked_await() {
    let m = AsyncMock::<u8, u8>::named("cross_thread").returns(4);
    m.block_until_released();
    let mock = m.clone();
    let caller = std::thread::spawn(move || block_on(mock.call(1)));
    block_on(m.wait_for_awaits(1));
    assert!(m.release_one());
    assert_eq!(caller.join().unwrap(), 4);
}

/// Three callers reach a blocking mock in a seeded order; releasing one at
/// a time completes them in arrival order, on every seed.
#[test]
fn release_one_completes_blocked_awaits_in_arrival_order() {
    for seed in 0..50 {
        let mut sim = Sim::builder().seed(seed).build();
        let m = AsyncMock::<u32, u32>::named("commit").returns_with(|x| x);
        m.block_until_released();
        let mock = m.clone();
        let (arrived, completed) = sim
            .run(async move {
                let done = Arc::new(Mutex::new(Vec::new()));
                for i in 0..3 {
                    let (mock, done) = (mock.clone(), done.clone());
                    spawn(async move {
                        time::sleep(Duration::from_nanos(detsim::rand::gen_range(0..3))).await;
                        let v = mock.call(i).await;
                        done.lock().unwrap().push(v);
                    });
                }
                mock.wait_for_awaits(3).await;
                assert!(done.lock().unwrap().is_empty(), "all three are blocked");
                assert_eq!(mock.blocked_count(), 3);
                for n in 1..=3 {
                    assert!(mock.release_one());
                    while done.lock().unwrap().len() < n {
                        detsim::yield_now().await;
                    }
                }
                assert!(!mock.release_one());
                let completed = done.lock().unwrap().clone();
                (mock.awaits(), completed)
            })
            .unwrap();
        assert_eq!(arrived, completed, "seed {seed}");
    }
}

#[test]
fn release_frees_the_blocked_awaits_later_ones_block_until_unblock() {
    let mut sim = Sim::builder().seed(4).build();
    let m = AsyncMock::<u8, u8>::named("gate").returns(1);
    m.block_until_released();
    let mock = m.clone();
    sim.run(async move {
        let first: Vec<_> = (0..2).map(|i| spawn(mock.call(i))).collect();
        mock.wait_for_awaits(2).await;
        assert_eq!(mock.release(), 2);
        for h in first {
            assert_eq!(h.await.unwrap(), 1);
        }
        assert_eq!(mock.release(), 0, "nothing is blocked now");
        let later = spawn(mock.call(2));
        mock.wait_for_awaits(3).await;
        assert_eq!(mock.blocked_count(), 1, "still blocking");
        mock.unblock();
        assert_eq!(later.await.unwrap(), 1);
        assert_eq!(mock.call(3).await, 1, "not blocking any more");
    })
    .unwrap();
}

#[test]
fn a_released_await_then_takes_its_delay() {
    let mut sim = Sim::builder().seed(6).build();
    let m = AsyncMock::<(), ()>::named("held").returns(());
    m.block_until_released().delay(ms(7));
    let mock = m.clone();
    let elapsed = sim
        .run(async move {
            let h = spawn(mock.call(()));
            mock.wait_for_awaits(1).await;
            time::sleep(ms(100)).await;
            let released_at = time::Instant::now();
            mock.release();
            h.await.unwrap();
            released_at.elapsed()
        })
        .unwrap();
    assert_eq!(elapsed, ms(7));
}

#[test]
fn a_blocked_await_dropped_gives_up_its_place() {
    let m = AsyncMock::<u8, u8>::named("dropped").returns(0);
    m.block_until_released();
    let waker = futures::task::noop_waker();
    let mut cx = std::task::Context::from_waker(&waker);
    let mut first = m.call(1);
    let mut second = m.call(2);
    assert!(std::pin::Pin::new(&mut first).poll(&mut cx).is_pending());
    assert!(std::pin::Pin::new(&mut second).poll(&mut cx).is_pending());
    assert_eq!(m.blocked_count(), 2);
    drop(first);
    assert_eq!(m.blocked_count(), 1);
    assert!(m.release_one(), "releases the second, the first is gone");
    assert!(std::pin::Pin::new(&mut second).poll(&mut cx).is_ready());
}

/// Callers arrive at seeded times; several waiters each wait for their own
/// count. Each must wake at the virtual instant of the await that reaches
/// its count (not before, not later), having seen at least that many.
#[test]
fn wait_for_awaits_wakes_each_waiter_at_its_count_with_concurrent_callers() {
    for seed in 0..100 {
        let mut sim = Sim::builder().seed(seed).build();
        let await_times = Arc::new(Mutex::new(Vec::new()));
        let times = await_times.clone();
        let m = AsyncMock::<u32, ()>::named("save");
        // A sync side effect runs on the await's first poll (no block, no
        // delay): it stamps when each await happened.
        m.returns_with(move |_| times.lock().unwrap().push(time::Instant::now()));
        let mock = m.clone();
        let woke = sim
            .run(async move {
                let waiters: Vec<_> = [5, 1, 3, 8, 3]
                    .into_iter()
                    .map(|n| {
                        let mock = mock.clone();
                        spawn(async move {
                            mock.wait_for_awaits(n).await;
                            (n, mock.await_count(), time::Instant::now())
                        })
                    })
                    .collect();
                for i in 0..8 {
                    let mock = mock.clone();
                    spawn(async move {
                        time::sleep(ms(detsim::rand::gen_range(0..20))).await;
                        mock.call(i).await;
                    });
                }
                let mut woke = Vec::new();
                for w in waiters {
                    woke.push(w.await.unwrap());
                }
                woke
            })
            .unwrap();
        let await_times = await_times.lock().unwrap();
        for (n, count, at) in woke {
            assert!(count >= n, "seed {seed}: waiter for {n} woke at {count}");
            assert_eq!(at, await_times[n - 1], "seed {seed}: waiter for {n}");
        }
        assert_eq!(m.await_count(), 8);
    }
}

#[test]
fn wait_for_awaits_composes_with_timeout_and_counts_after_reset() {
    let mut sim = Sim::builder().seed(8).build();
    let m = AsyncMock::<u8, ()>::named("ping").returns(());
    let mock = m.clone();
    sim.run(async move {
        mock.call(1).await;
        mock.wait_for_awaits(1).await; // already satisfied
        mock.wait_for_awaits(0).await;
        let missing = time::timeout(ms(50), mock.wait_for_awaits(2)).await;
        assert!(missing.is_err(), "nobody awaits a second time");
        assert_eq!(time::Instant::now().since_start(), ms(50));

        mock.reset();
        let late = spawn({
            let mock = mock.clone();
            async move {
                time::sleep(ms(10)).await;
                mock.call(2).await;
            }
        });
        time::timeout(ms(20), mock.wait_for_awaits(1))
            .await
            .expect("one await after the reset");
        late.await.unwrap();
    })
    .unwrap();
}

#[test]
fn reset_clears_calls_and_awaits_but_keeps_the_behaviour() {
    let m = AsyncMock::<u8, u8>::named("kept");
    m.returns_seq([1, 2, 3]);
    block_on(m.call(1));
    let _never_awaited = m.call(2);
    m.reset();
    assert_eq!((m.call_count(), m.await_count()), (0, 0));
    assert!(m.calls().is_empty() && m.awaits().is_empty());
    m.assert_not_called();
    assert_eq!(block_on(m.call(3)), 2, "the sequence goes on");
}

// Code under test for the injection patterns.

/// Takes an async function, as code under test often does.
async fn with_retry<F, Fut>(fetch: F, key: u32, attempts: u32) -> Option<String>
where
    F: Fn((u32, u32)) -> Fut,
    Fut: Future<Output = Result<String, String>>,
{
    for attempt in 1..=attempts {
        if let Ok(v) = fetch((key, attempt)).await {
            return Some(v);
        }
        time::sleep(ms(100)).await;
    }
    None
}

#[test]
fn as_fn_injects_the_mock_where_code_takes_an_async_closure() {
    let mut sim = Sim::builder().seed(9).build();
    let fetch = AsyncMock::<(u32, u32), Result<String, String>>::named("fetch");
    fetch.returns_seq([Err("busy".into()), Err("busy".into())]);
    fetch.then_returns(Ok("value".into()));
    let f = fetch.as_fn();
    let got = sim
        .run(async move {
            // The closure is Clone + Send: one copy goes into a spawned task.
            let task = spawn(with_retry(f.clone(), 7, 5));
            task.await.unwrap()
        })
        .unwrap();
    assert_eq!(got.as_deref(), Some("value"));
    fetch.assert_has_awaits(&[(7, 1), (7, 2), (7, 3)], false);
    assert_eq!(sim.now().since_start(), ms(200));
}

trait UserStore {
    async fn get(&self, id: u32) -> Option<String>;
    async fn put(&self, id: u32, name: String) -> Result<(), String>;
}

/// A hand-written mock of the trait: one `AsyncMock` per method.
#[derive(Default, Clone)]
struct MockUserStore {
    get: AsyncMock<u32, Option<String>>,
    put: AsyncMock<(u32, String), Result<(), String>>,
}

impl UserStore for MockUserStore {
    async fn get(&self, id: u32) -> Option<String> {
        self.get.call(id).await
    }
    async fn put(&self, id: u32, name: String) -> Result<(), String> {
        self.put.call((id, name)).await
    }
}

/// Code under test: renames a user if it exists.
async fn rename(store: &impl UserStore, id: u32, name: &str) -> Result<bool, String> {
    if store.get(id).await.is_none() {
        return Ok(false);
    }
    store.put(id, name.to_owned()).await?;
    Ok(true)
}

#[test]
fn a_mock_inside_a_hand_written_trait_impl() {
    let store = MockUserStore::default();
    store.get.returns(Some("ada".into()));
    store.put.returns(Ok(()));
    let mut sim = Sim::builder().seed(10).build();
    let s = store.clone();
    let renamed = sim
        .run(async move { rename(&s, 3, "grace").await })
        .unwrap();
    assert_eq!(renamed, Ok(true));
    store.get.assert_awaited_once_with(3);
    store.put.assert_awaited_once_with((3, "grace".to_owned()));

    store.get.returns(None);
    assert_eq!(block_on(rename(&store, 4, "x")), Ok(false));
    store.put.assert_awaited_once(); // not awaited again

    store.get.returns(Some("bob".into()));
    store.put.fails_with("read-only".into());
    assert_eq!(block_on(rename(&store, 5, "y")), Err("read-only".into()));
}

/// A small program: seeded callers, a blocking and delaying mock, a
/// release in the middle. Same seed, same fingerprint and same records.
fn program(seed: u64) -> (detsim::Fingerprint, Vec<u32>, Vec<u32>) {
    let mut sim = Sim::builder().seed(seed).build();
    let m = AsyncMock::<u32, u32>::named("replica").returns_with(|x| x * 10);
    m.delay(ms(2));
    let mock = m.clone();
    let results = sim
        .run(async move {
            let tasks: Vec<_> = (0..6)
                .map(|i| {
                    let mock = mock.clone();
                    spawn(async move {
                        time::sleep(Duration::from_micros(detsim::rand::gen_range(0..500))).await;
                        if i == 3 {
                            mock.block_until_released();
                        }
                        mock.call(i).await
                    })
                })
                .collect();
            mock.wait_for_awaits(6).await;
            mock.unblock();
            let mut out = Vec::new();
            for t in tasks {
                out.push(t.await.unwrap());
            }
            out
        })
        .unwrap();
    assert_eq!(results, [0, 10, 20, 30, 40, 50]);
    (sim.fingerprint(), m.awaits(), m.calls())
}

#[test]
fn a_program_using_the_mock_is_deterministic_per_seed() {
    let mut orders = std::collections::BTreeSet::new();
    for seed in 0..100 {
        let first = program(seed);
        let second = program(seed);
        assert_eq!(first, second, "seed {seed}");
        orders.insert(first.1);
    }
    assert!(orders.len() > 1, "the seeds explore different await orders");
}
