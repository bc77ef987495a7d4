//! Assertions on the recorded awaits (and calls), as Python's
//! `assert_awaited*`/`assert_called*`.
//!
//! Each one panics when it does not hold, at the caller's line
//! (`#[track_caller]`), with a message that names the mock, says what was
//! expected, and lists every actual await (or call), numbered from 1, by the
//! `Debug` of its arguments:
//!
//! ```text
//! AsyncMock `fetch_user`: expected to be awaited once, but it was awaited 2 times.
//! awaits (2):
//!   1. (7, true)
//!   2. (8, false)
//! ```
//!
//! The `await` assertions look at awaits (futures polled); the `call` ones
//! at calls (futures made). When a mock was called more often than awaited,
//! an `await` assertion's message says so: a forgotten `.await` is the
//! usual cause.

use std::fmt::{Debug, Write};

use super::AsyncMock;

/// Which record an assertion reads.
#[derive(Clone, Copy)]
enum Kind {
    Call,
    Await,
}

impl Kind {
    fn noun(self) -> &'static str {
        match self {
            Kind::Call => "call",
            Kind::Await => "await",
        }
    }

    fn past(self) -> &'static str {
        match self {
            Kind::Call => "called",
            Kind::Await => "awaited",
        }
    }
}

/// "it was never awaited", "it was awaited once", "it was awaited 3 times".
fn it_was(kind: Kind, n: usize) -> String {
    let past = kind.past();
    match n {
        0 => format!("it was never {past}"),
        1 => format!("it was {past} once"),
        n => format!("it was {past} {n} times"),
    }
}

/// "1 await", "2 awaits".
fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// A numbered list, one `Debug` per line.
fn numbered<Args: Debug>(out: &mut String, items: &[Args]) {
    for (i, item) in items.iter().enumerate() {
        let _ = writeln!(out, "  {}. {item:?}", i + 1);
    }
}

/// Whether `expected` stands in `actual` as a contiguous run.
fn contains_run<Args: PartialEq>(actual: &[Args], expected: &[Args]) -> bool {
    expected.is_empty() || actual.windows(expected.len()).any(|w| w == expected)
}

/// The expected items that no distinct actual item matches.
fn missing_any_order<'a, Args: PartialEq>(actual: &[Args], expected: &'a [Args]) -> Vec<&'a Args> {
    let mut unused: Vec<&Args> = actual.iter().collect();
    let mut missing = Vec::new();
    for e in expected {
        match unused.iter().position(|a| *a == e) {
            Some(i) => {
                unused.remove(i);
            }
            None => missing.push(e),
        }
    }
    missing
}

impl<Args, Ret> AsyncMock<Args, Ret>
where
    Args: Clone + Debug + PartialEq + Send + 'static,
    Ret: Send + 'static,
{
    /// The records of `kind`, and the number of calls (for the note).
    fn snapshot(&self, kind: Kind) -> (Vec<Args>, usize) {
        let state = self.shared.lock();
        let list = match kind {
            Kind::Call => state.records.calls.clone(),
            Kind::Await => state.records.awaits.clone(),
        };
        (list, state.records.calls.len())
    }

    /// Panics with `headline` and the list of actual records.
    #[track_caller]
    fn fail(&self, kind: Kind, headline: &str, actual: &[Args], calls: usize) -> ! {
        let noun = kind.noun();
        let mut msg = format!("{}: {headline}\n", self.shared.label());
        if actual.is_empty() {
            let _ = writeln!(msg, "{noun}s: none");
        } else {
            let _ = writeln!(msg, "{noun}s ({}):", actual.len());
            numbered(&mut msg, actual);
        }
        if matches!(kind, Kind::Await) && calls > actual.len() {
            let _ = writeln!(
                msg,
                "note: it was called {} but awaited {}: a call counts as an await only once \
                 its future is polled (is an `.await` missing?)",
                plural(calls, "time"),
                plural(actual.len(), "time"),
            );
        }
        panic!("{}", msg.trim_end());
    }

    #[track_caller]
    fn check_count(&self, kind: Kind, expect: Option<usize>) {
        let (actual, calls) = self.snapshot(kind);
        let n = actual.len();
        let past = kind.past();
        let headline = match expect {
            None if n == 0 => format!("expected to be {past}, but {}.", it_was(kind, n)),
            Some(0) if n != 0 => format!("expected not to be {past}, but {}.", it_was(kind, n)),
            Some(1) if n != 1 => format!("expected to be {past} once, but {}.", it_was(kind, n)),
            _ => return,
        };
        self.fail(kind, &headline, &actual, calls);
    }

    #[track_caller]
    fn check_last(&self, kind: Kind, expected: &Args) {
        let (actual, calls) = self.snapshot(kind);
        let noun = kind.noun();
        let headline = match actual.last() {
            Some(last) if last == expected => return,
            Some(last) => format!(
                "the last {noun} does not match.\nexpected: {expected:?}\n  actual: {last:?}"
            ),
            None => format!(
                "expected the last {noun} to be with {expected:?}, but {}.",
                it_was(kind, 0)
            ),
        };
        self.fail(kind, &headline, &actual, calls);
    }

    #[track_caller]
    fn check_once_with(&self, kind: Kind, expected: &Args) {
        let (actual, calls) = self.snapshot(kind);
        let past = kind.past();
        let headline = match actual.as_slice() {
            [only] if only == expected => return,
            [only] => format!(
                "expected to be {past} once, with {expected:?}, but the one {} was with {only:?}.",
                kind.noun()
            ),
            _ => format!(
                "expected to be {past} once, with {expected:?}, but {}.",
                it_was(kind, actual.len())
            ),
        };
        self.fail(kind, &headline, &actual, calls);
    }

    #[track_caller]
    fn check_any(&self, kind: Kind, expected: &Args) {
        let (actual, calls) = self.snapshot(kind);
        if actual.contains(expected) {
            return;
        }
        let headline = format!("no {} was with {expected:?}.", kind.noun());
        self.fail(kind, &headline, &actual, calls);
    }

    #[track_caller]
    fn check_has(&self, kind: Kind, expected: &[Args], any_order: bool) {
        let (actual, calls) = self.snapshot(kind);
        let noun = kind.noun();
        let mut headline;
        if any_order {
            let missing = missing_any_order(&actual, expected);
            if missing.is_empty() {
                return;
            }
            headline = format!(
                "expected {} in any order, but {} missing:\n",
                plural(expected.len(), noun),
                match missing.len() {
                    1 => "1 is".to_owned(),
                    k => format!("{k} are"),
                }
            );
            numbered(&mut headline, expected);
            headline.push_str("missing:\n");
            numbered(&mut headline, &missing);
        } else {
            if contains_run(&actual, expected) {
                return;
            }
            headline = format!(
                "expected {} one after another, in this order, but the {noun}s have no such \
                 run:\n",
                plural(expected.len(), noun)
            );
            numbered(&mut headline, expected);
        }
        self.fail(kind, headline.trim_end(), &actual, calls);
    }

    /// Passes if the mock was awaited at least once.
    ///
    /// ```
    /// let m = detsim::mock::AsyncMock::<u8, ()>::new().returns(());
    /// futures::executor::block_on(m.call(1));
    /// m.assert_awaited();
    /// ```
    #[track_caller]
    pub fn assert_awaited(&self) {
        self.check_count(Kind::Await, None);
    }

    /// Passes if the mock was awaited exactly once.
    ///
    /// ```
    /// let m = detsim::mock::AsyncMock::<u8, ()>::new().returns(());
    /// futures::executor::block_on(m.call(1));
    /// m.assert_awaited_once();
    /// ```
    #[track_caller]
    pub fn assert_awaited_once(&self) {
        self.check_count(Kind::Await, Some(1));
    }

    /// Passes if the mock was never awaited (it may have been called).
    ///
    /// ```
    /// let m = detsim::mock::AsyncMock::<u8, ()>::new().returns(());
    /// let _dropped = m.call(1);
    /// m.assert_not_awaited();
    /// ```
    #[track_caller]
    pub fn assert_not_awaited(&self) {
        self.check_count(Kind::Await, Some(0));
    }

    /// Passes if the **last** await was with `args`.
    ///
    /// ```
    /// use futures::executor::block_on;
    /// let m = detsim::mock::AsyncMock::<(u8, &str), ()>::new().returns(());
    /// block_on(m.call((1, "a")));
    /// block_on(m.call((2, "b")));
    /// m.assert_awaited_with((2, "b"));
    /// ```
    #[track_caller]
    pub fn assert_awaited_with(&self, args: Args) {
        self.check_last(Kind::Await, &args);
    }

    /// Passes if the mock was awaited exactly once, with `args`.
    ///
    /// ```
    /// let m = detsim::mock::AsyncMock::<u8, ()>::new().returns(());
    /// futures::executor::block_on(m.call(4));
    /// m.assert_awaited_once_with(4);
    /// ```
    #[track_caller]
    pub fn assert_awaited_once_with(&self, args: Args) {
        self.check_once_with(Kind::Await, &args);
    }

    /// Passes if any await was with `args`.
    ///
    /// ```
    /// use futures::executor::block_on;
    /// let m = detsim::mock::AsyncMock::<u8, ()>::new().returns(());
    /// block_on(m.call(1));
    /// block_on(m.call(2));
    /// m.assert_any_await(1);
    /// ```
    #[track_caller]
    pub fn assert_any_await(&self, args: Args) {
        self.check_any(Kind::Await, &args);
    }

    /// Passes if the awaits contain `expected`: with `any_order` false, as
    /// a contiguous run in this order (other awaits may come before and
    /// after it, not between); with `any_order` true, each expected await
    /// matches a different actual await, in any order. An empty `expected`
    /// always passes. As Python's `assert_has_awaits`.
    ///
    /// ```
    /// use futures::executor::block_on;
    /// let m = detsim::mock::AsyncMock::<u8, ()>::new().returns(());
    /// for i in [1, 2, 3] {
    ///     block_on(m.call(i));
    /// }
    /// m.assert_has_awaits(&[2, 3], false);
    /// m.assert_has_awaits(&[3, 1], true);
    /// ```
    #[track_caller]
    pub fn assert_has_awaits(&self, expected: &[Args], any_order: bool) {
        self.check_has(Kind::Await, expected, any_order);
    }

    /// Passes if the mock was called at least once (awaited or not).
    ///
    /// ```
    /// let m = detsim::mock::AsyncMock::<u8, ()>::new();
    /// let _unpolled = m.call(1);
    /// m.assert_called();
    /// ```
    #[track_caller]
    pub fn assert_called(&self) {
        self.check_count(Kind::Call, None);
    }

    /// Passes if the mock was called exactly once.
    ///
    /// ```
    /// let m = detsim::mock::AsyncMock::<u8, ()>::new();
    /// let _unpolled = m.call(1);
    /// m.assert_called_once();
    /// ```
    #[track_caller]
    pub fn assert_called_once(&self) {
        self.check_count(Kind::Call, Some(1));
    }

    /// Passes if the mock was never called.
    ///
    /// ```
    /// detsim::mock::AsyncMock::<u8, ()>::new().assert_not_called();
    /// ```
    #[track_caller]
    pub fn assert_not_called(&self) {
        self.check_count(Kind::Call, Some(0));
    }

    /// Passes if the **last** call was with `args`.
    ///
    /// ```
    /// let m = detsim::mock::AsyncMock::<u8, ()>::new();
    /// let _unpolled = (m.call(1), m.call(2));
    /// m.assert_called_with(2);
    /// ```
    #[track_caller]
    pub fn assert_called_with(&self, args: Args) {
        self.check_last(Kind::Call, &args);
    }

    /// Passes if the mock was called exactly once, with `args`.
    ///
    /// ```
    /// let m = detsim::mock::AsyncMock::<u8, ()>::new();
    /// let _unpolled = m.call(5);
    /// m.assert_called_once_with(5);
    /// ```
    #[track_caller]
    pub fn assert_called_once_with(&self, args: Args) {
        self.check_once_with(Kind::Call, &args);
    }

    /// Passes if any call was with `args`.
    ///
    /// ```
    /// let m = detsim::mock::AsyncMock::<u8, ()>::new();
    /// let _unpolled = (m.call(1), m.call(2));
    /// m.assert_any_call(1);
    /// ```
    #[track_caller]
    pub fn assert_any_call(&self, args: Args) {
        self.check_any(Kind::Call, &args);
    }

    /// As [`assert_has_awaits`](Self::assert_has_awaits), for the calls.
    ///
    /// ```
    /// let m = detsim::mock::AsyncMock::<u8, ()>::new();
    /// let _unpolled = (m.call(1), m.call(2), m.call(3));
    /// m.assert_has_calls(&[1, 2], false);
    /// ```
    #[track_caller]
    pub fn assert_has_calls(&self, expected: &[Args], any_order: bool) {
        self.check_has(Kind::Call, expected, any_order);
    }
}

#[cfg(test)]
mod tests {
    use super::{contains_run, missing_any_order};

    #[test]
    fn a_run_must_be_contiguous_and_in_order() {
        assert!(contains_run(&[1, 2, 3, 4], &[2, 3]));
        assert!(contains_run(&[1, 2], &[]));
        assert!(!contains_run(&[1, 2, 3], &[1, 3]));
        assert!(!contains_run(&[1, 2, 3], &[3, 2]));
        assert!(!contains_run(&[1], &[1, 1]));
    }

    #[test]
    fn any_order_matches_each_expected_to_a_distinct_actual() {
        assert!(missing_any_order(&[3, 1, 2], &[1, 2, 3]).is_empty());
        assert_eq!(missing_any_order(&[1, 2], &[1, 1]), [&1]);
        assert_eq!(missing_any_order(&[], &[4, 5]), [&4, &5]);
    }
}
