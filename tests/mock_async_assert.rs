//! `AsyncMock`'s assertions: each one passes when it holds and, when it does
//! not, panics at the test's line with the documented message (snapshotted)
//! listing the actual awaits or calls.

use detsim::Sim;
use detsim::mock::AsyncMock;
use futures::executor::block_on;

mod common;
use common::panic_message as fails;

type Fetch = AsyncMock<(u32, &'static str), Option<String>>;

/// `fetch_user` awaited with (1, "a"), (2, "b"), (3, "c").
fn awaited_thrice() -> Fetch {
    let m = Fetch::named("fetch_user").returns(None);
    for args in [(1, "a"), (2, "b"), (3, "c")] {
        block_on(m.call(args));
    }
    m
}

/// Awaited once with (1, "a"), and called once more without an await.
fn one_await_one_forgotten() -> Fetch {
    let m = Fetch::named("fetch_user").returns(None);
    block_on(m.call((1, "a")));
    let _forgotten = m.call((2, "b"));
    m
}

#[test]
fn assert_awaited() {
    awaited_thrice().assert_awaited();
    one_await_one_forgotten().assert_awaited();
    insta::assert_snapshot!(
        "assert_awaited_never",
        fails(|| Fetch::named("fetch_user").assert_awaited())
    );
    // Called but never polled: the message points at a missing `.await`.
    let m = Fetch::named("fetch_user").returns(None);
    let _forgotten = m.call((1, "a"));
    insta::assert_snapshot!(
        "assert_awaited_called_not_awaited",
        fails(|| m.assert_awaited())
    );
}

#[test]
fn assert_awaited_once() {
    let m = Fetch::named("fetch_user").returns(None);
    block_on(m.call((1, "a")));
    m.assert_awaited_once();
    insta::assert_snapshot!(
        "assert_awaited_once_three_times",
        fails(|| awaited_thrice().assert_awaited_once())
    );
    insta::assert_snapshot!(
        "assert_awaited_once_never",
        fails(|| Fetch::named("fetch_user").assert_awaited_once())
    );
}

#[test]
fn assert_not_awaited() {
    Fetch::named("fetch_user").assert_not_awaited();
    let m = Fetch::named("fetch_user").returns(None);
    let _unpolled = m.call((1, "a"));
    m.assert_not_awaited();
    insta::assert_snapshot!(fails(|| awaited_thrice().assert_not_awaited()));
}

#[test]
fn assert_awaited_with_checks_the_last_await() {
    let m = awaited_thrice();
    m.assert_awaited_with((3, "c"));
    insta::assert_snapshot!(
        "assert_awaited_with_an_earlier_await",
        fails(|| m.assert_awaited_with((1, "a")))
    );
    insta::assert_snapshot!(
        "assert_awaited_with_never_awaited",
        fails(|| Fetch::named("fetch_user").assert_awaited_with((1, "a")))
    );
}

#[test]
fn assert_awaited_once_with() {
    let m = Fetch::named("fetch_user").returns(None);
    block_on(m.call((1, "a")));
    m.assert_awaited_once_with((1, "a"));
    insta::assert_snapshot!(
        "assert_awaited_once_with_other_args",
        fails(|| m.assert_awaited_once_with((9, "z")))
    );
    insta::assert_snapshot!(
        "assert_awaited_once_with_three_times",
        fails(|| awaited_thrice().assert_awaited_once_with((1, "a")))
    );
}

#[test]
fn assert_any_await() {
    let m = awaited_thrice();
    m.assert_any_await((2, "b"));
    insta::assert_snapshot!(fails(|| m.assert_any_await((4, "d"))));
}

#[test]
fn assert_has_awaits_in_order_wants_a_contiguous_run() {
    let m = awaited_thrice();
    m.assert_has_awaits(&[(1, "a"), (2, "b")], false);
    m.assert_has_awaits(&[(2, "b"), (3, "c")], false);
    m.assert_has_awaits(&[(1, "a"), (2, "b"), (3, "c")], false);
    m.assert_has_awaits(&[], false);
    insta::assert_snapshot!(
        "assert_has_awaits_a_gap",
        fails(|| m.assert_has_awaits(&[(1, "a"), (3, "c")], false))
    );
    insta::assert_snapshot!(
        "assert_has_awaits_wrong_order",
        fails(|| m.assert_has_awaits(&[(2, "b"), (1, "a")], false))
    );
}

#[test]
fn assert_has_awaits_in_any_order_matches_each_to_a_distinct_await() {
    let m = awaited_thrice();
    m.assert_has_awaits(&[(3, "c"), (1, "a")], true);
    m.assert_has_awaits(&[(2, "b"), (3, "c"), (1, "a")], true);
    insta::assert_snapshot!(fails(
        || m.assert_has_awaits(&[(3, "c"), (3, "c"), (4, "d")], true)
    ));
}

#[test]
fn called_assertions_read_the_calls() {
    let m = one_await_one_forgotten();
    m.assert_called();
    m.assert_called_with((2, "b"));
    m.assert_any_call((2, "b"));
    m.assert_has_calls(&[(1, "a"), (2, "b")], false);
    m.assert_has_calls(&[(2, "b"), (1, "a")], true);
    let once = Fetch::named("fetch_user");
    let _unpolled = once.call((5, "e"));
    once.assert_called_once();
    once.assert_called_once_with((5, "e"));
    Fetch::named("fetch_user").assert_not_called();

    let never = Fetch::named("fetch_user");
    let messages = [
        ("assert_called", fails(|| never.assert_called())),
        ("assert_called_once", fails(|| m.assert_called_once())),
        ("assert_not_called", fails(|| m.assert_not_called())),
        (
            "assert_called_with",
            fails(|| m.assert_called_with((1, "a"))),
        ),
        (
            "assert_called_once_with",
            fails(|| once.assert_called_once_with((6, "f"))),
        ),
        ("assert_any_call", fails(|| m.assert_any_call((3, "c")))),
        (
            "assert_has_calls",
            fails(|| m.assert_has_calls(&[(2, "b"), (1, "a")], false)),
        ),
        (
            "assert_has_calls any order",
            fails(|| m.assert_has_calls(&[(3, "c")], true)),
        ),
    ];
    let text: Vec<String> = messages
        .iter()
        .map(|(name, msg)| format!("== {name}\n{msg}"))
        .collect();
    insta::assert_snapshot!(text.join("\n\n"));
}

#[test]
fn an_unnamed_mock_says_so() {
    let m = AsyncMock::<u8, ()>::new();
    let msg = fails(|| m.assert_awaited());
    assert!(
        msg.starts_with("AsyncMock (unnamed): expected to be awaited"),
        "{msg}"
    );
}

#[test]
fn arguments_are_listed_by_their_debug() {
    let m = AsyncMock::<(String, Vec<u8>), ()>::named("put").returns(());
    block_on(m.call(("key\n1".to_owned(), vec![0xff, 0])));
    let msg = fails(|| m.assert_not_awaited());
    assert!(msg.contains(r#"  1. ("key\n1", [255, 0])"#), "{msg}");
}

#[test]
fn a_failed_assertion_points_at_the_test_line() {
    // Inside a simulation the panic's location is recorded in the failure:
    // #[track_caller] makes it this file, not the mock's source.
    let m = Fetch::named("fetch_user").returns(None);
    let mut sim = Sim::builder().build();
    let failure = sim
        .run(async move {
            m.call((1, "a")).await;
            m.assert_awaited_with((2, "b"));
        })
        .unwrap_err();
    let text = failure.to_string();
    assert!(text.contains("tests/mock_async_assert.rs:"), "{text}");
    assert!(text.contains("the last await does not match"), "{text}");
}
