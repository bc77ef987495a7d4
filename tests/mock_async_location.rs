//! An await the mock cannot answer fails at the test's line: where the
//! used-up `returns_seq` was set, or where a mock with no behaviour was
//! made, never in detsim's source.

use detsim::Sim;
use detsim::mock::AsyncMock;

#[test]
fn a_used_up_sequence_fails_at_the_line_that_set_it() {
    let m = AsyncMock::<u32, u32>::named("fetch");
    let line = line!() + 1;
    m.returns_seq([1]);
    let code = m.clone();
    let failure = Sim::builder()
        .build()
        .run(async move {
            code.call(1).await;
            code.call(2).await;
        })
        .unwrap_err();
    let at = failure.location().unwrap();
    assert!(
        at.starts_with(&format!("tests/mock_async_location.rs:{line}:")),
        "{at}"
    );
    assert!(
        failure
            .message()
            .contains("returns_seq of 1 value is used up")
    );
    assert!(
        failure
            .message()
            .contains(&format!("(the returns_seq was set at {at})"))
    );
}

#[test]
fn a_mock_with_no_behaviour_fails_at_the_line_that_made_it() {
    let line = line!() + 1;
    let m = AsyncMock::<u32, u32>::named("fetch");
    let code = m.as_fn();
    let failure = Sim::builder()
        .build()
        .run(async move {
            code(1).await;
        })
        .unwrap_err();
    let at = failure.location().unwrap();
    assert!(
        at.starts_with(&format!("tests/mock_async_location.rs:{line}:")),
        "{at}"
    );
    assert!(failure.message().contains("has nothing to return"));
    let default_line = line!() + 1;
    let m = AsyncMock::<u32, u32>::default();
    let failure = Sim::builder()
        .build()
        .run(async move {
            m.call(1).await;
        })
        .unwrap_err();
    assert!(
        failure
            .location()
            .unwrap()
            .starts_with(&format!("tests/mock_async_location.rs:{default_line}:")),
        "{failure}"
    );
}
