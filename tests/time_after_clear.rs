//! Timers that outlive the clock's `clear`.
//!
//! A simulation clears its clock when it is dropped, after its tasks are
//! gone but before its nodes' init closures are dropped. Anything an init
//! closure keeps alive (say, a shared slot a task stored a `Sleep` in) is
//! dropped after the clear, with the simulation still current: the timer
//! it armed no longer exists. Dropping, polling or re-arming such a timer
//! must neither panic nor touch a timer armed after the clear.

use std::future::{Future, pending};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use detsim::node::Node;
use detsim::time::{self, Instant, Interval, Sleep, Timeout};
use detsim::{Sim, spawn};

/// A timer of any kind, armed by a task and left behind.
enum Timer {
    Sleep(Sleep),
    Timeout(Pin<Box<Timeout<std::future::Pending<()>>>>),
    Interval(Interval),
}

impl Timer {
    fn poll(&mut self) -> Poll<()> {
        let mut cx = Context::from_waker(Waker::noop());
        match self {
            Timer::Sleep(s) => Pin::new(s).poll(&mut cx),
            Timer::Timeout(t) => t.as_mut().poll(&mut cx).map(|_| ()),
            Timer::Interval(i) => i.poll_tick(&mut cx).map(|_| ()),
        }
    }

    fn rearm(&mut self) {
        match self {
            Timer::Sleep(s) => s.reset(Instant::now() + Duration::from_secs(5)),
            // A timeout has no reset: polling it is what re-arms it.
            Timer::Timeout(t) => drop(t.as_mut().poll(&mut Context::from_waker(Waker::noop()))),
            Timer::Interval(i) => i.reset(),
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Then {
    Drop,
    Poll,
    Rearm,
}

/// Dropped with the init closure that owns it, after the clock's clear:
/// does `then` to the timer left in `slot`, and records what happened.
struct AfterClear {
    slot: Arc<Mutex<Option<Timer>>>,
    then: Then,
    out: Arc<Mutex<Vec<String>>>,
}

impl Drop for AfterClear {
    fn drop(&mut self) {
        let timer = self.slot.lock().unwrap().take();
        let then = self.then;
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
            let mut timer = timer.expect("the task stored its timer");
            // A timer armed after the clear, which the stale one must not
            // disturb.
            let mut fresh = Box::pin(time::sleep(Duration::from_secs(1)));
            let mut cx = Context::from_waker(Waker::noop());
            assert!(fresh.as_mut().poll(&mut cx).is_pending());
            let polled = match then {
                Then::Drop => None,
                Then::Poll => Some(timer.poll()),
                Then::Rearm => {
                    timer.rearm();
                    Some(timer.poll())
                }
            };
            drop(timer);
            // The fresh sleep is still armed: dropping it works too.
            assert!(fresh.as_mut().poll(&mut cx).is_pending());
            drop(fresh);
            polled
        }));
        let line = match result {
            Ok(polled) => format!("ok {polled:?}"),
            Err(p) => {
                let msg = p
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                format!("panicked: {msg}")
            }
        };
        self.out.lock().unwrap().push(line);
    }
}

fn arm(kind: &str) -> Timer {
    match kind {
        "sleep" => Timer::Sleep(time::sleep(Duration::from_secs(10))),
        "timeout" => Timer::Timeout(Box::pin(time::timeout(Duration::from_secs(10), pending()))),
        "interval" => {
            let mut iv = time::interval(Duration::from_secs(10));
            // The first tick is immediate; the second arms the timer.
            assert!(
                iv.poll_tick(&mut Context::from_waker(Waker::noop()))
                    .is_ready()
            );
            Timer::Interval(iv)
        }
        _ => unreachable!("{kind}"),
    }
}

/// Runs a simulation whose main task arms a `kind` timer and leaves it in a
/// slot an init closure shares; drops the simulation; returns what
/// happened when the timer was handled after the clear.
fn outlive_clear(kind: &'static str, then: Then) -> String {
    let out = Arc::new(Mutex::new(Vec::new()));
    let slot: Arc<Mutex<Option<Timer>>> = Arc::default();
    let mut sim = Sim::builder().seed(1).build();
    let (task_slot, guard) = (
        slot.clone(),
        AfterClear {
            slot,
            then,
            out: out.clone(),
        },
    );
    sim.run(async move {
        Node::builder("holder")
            .init(move || {
                let _keep = &guard;
                async {}
            })
            .build();
        let mut timer = arm(kind);
        assert!(timer.poll().is_pending(), "{kind} is armed");
        time::sleep(Duration::from_millis(1)).await;
        *task_slot.lock().unwrap() = Some(timer);
        // A task still waiting when the simulation ends.
        spawn(time::sleep(Duration::from_secs(60)));
    })
    .unwrap();
    drop(sim);
    let out = out.lock().unwrap();
    assert_eq!(out.len(), 1, "the init closure was dropped once");
    out[0].clone()
}

#[test]
fn a_timer_dropped_after_the_clock_is_cleared_does_not_panic() {
    for kind in ["sleep", "timeout", "interval"] {
        assert_eq!(outlive_clear(kind, Then::Drop), "ok None", "{kind}");
    }
}

#[test]
fn a_timer_polled_after_the_clock_is_cleared_arms_afresh() {
    for kind in ["sleep", "timeout", "interval"] {
        assert_eq!(
            outlive_clear(kind, Then::Poll),
            "ok Some(Pending)",
            "{kind}"
        );
    }
}

#[test]
fn a_timer_rearmed_after_the_clock_is_cleared_arms_afresh() {
    for kind in ["sleep", "timeout", "interval"] {
        assert_eq!(
            outlive_clear(kind, Then::Rearm),
            "ok Some(Pending)",
            "{kind}"
        );
    }
}
