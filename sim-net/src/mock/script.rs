//! The steps of a [`SocketMock`](super::SocketMock) script and the cursor
//! that walks them: pure logic, no io traits, no locking.

use std::fmt;
use std::io::ErrorKind;
use std::panic::Location;
use std::time::Duration;

use sim_clock::Instant;

use super::report::preview;

/// One step of a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// The code under test writes exactly these bytes (in any number of
    /// write calls).
    Write(Vec<u8>),
    /// The code under test reads these bytes (in any number of reads).
    Reply(Vec<u8>),
    /// Virtual time passes before the next step.
    Wait(Duration),
    /// The next read fails with this kind.
    ReadError(ErrorKind),
    /// The next write, flush or shutdown fails with this kind.
    WriteError(ErrorKind),
    /// The code under test flushes.
    Flush,
    /// The code under test shuts its writing side down (`poll_close`).
    Shutdown,
    /// The peer closes its writing side: reads return 0 from here on.
    Eof,
}

/// Who a step is waiting for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Actor {
    /// A read of the code under test consumes it.
    Reader,
    /// A write, flush or shutdown of the code under test consumes it.
    Writer,
    /// It passes by itself (time, or the peer's own action).
    Peer,
}

impl Step {
    pub(crate) fn actor(&self) -> Actor {
        match self {
            Step::Reply(_) | Step::ReadError(_) => Actor::Reader,
            Step::Write(_) | Step::WriteError(_) | Step::Flush | Step::Shutdown => Actor::Writer,
            Step::Wait(_) | Step::Eof => Actor::Peer,
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Write(b) => write!(f, "expect_write({})", preview(b)),
            Step::Reply(b) => write!(f, "reply({})", preview(b)),
            Step::Wait(d) => write!(f, "wait({d:?})"),
            Step::ReadError(k) => write!(f, "read_error({k:?})"),
            Step::WriteError(k) => write!(f, "write_error({k:?})"),
            Step::Flush => f.write_str("expect_flush()"),
            Step::Shutdown => f.write_str("expect_shutdown()"),
            Step::Eof => f.write_str("eof()"),
        }
    }
}

/// The steps and the position in them.
#[derive(Debug, Default)]
pub(crate) struct Script {
    pub(crate) steps: Vec<Step>,
    /// Where the test scripted each step (its builder or handle call), one
    /// per step: a failure at a step is reported there.
    pub(crate) at: Vec<&'static Location<'static>>,
    /// Index of the current step (the first not fully consumed).
    pub(crate) pos: usize,
    /// Bytes of the current write or reply step already consumed.
    pub(crate) offset: usize,
    /// An `eof()` step was reached: reads return 0.
    pub(crate) eof: bool,
    /// An `expect_shutdown()` step was consumed: the writing side is closed.
    pub(crate) shut: bool,
    /// When the current `wait()` step ends, once it started.
    pub(crate) wait_until: Option<Instant>,
}

impl Script {
    /// Checks that `step` makes sense after the steps already there, and
    /// appends it, scripted at `scripted`. The error says what is wrong and what to
    /// do instead.
    pub(crate) fn push(
        &mut self,
        step: Step,
        scripted: &'static Location<'static>,
    ) -> Result<(), String> {
        let at = self.steps.len();
        let find = |s: &Step| self.steps.iter().position(|x| x == s);
        match &step {
            Step::Write(b) | Step::Reply(b) if b.is_empty() => {
                return Err(format!(
                    "{step} at step #{at} has no bytes: a write of nothing matches nothing and \
                     a read of nothing would look like EOF; remove it (use eof() for EOF)"
                ));
            }
            Step::Reply(_) | Step::ReadError(_) | Step::Eof => {
                if let Some(e) = find(&Step::Eof) {
                    return Err(format!(
                        "{step} at step #{at} comes after eof() at step #{e}: reads return 0 \
                         from eof() on; put it before the eof()"
                    ));
                }
            }
            _ => {}
        }
        if step.actor() == Actor::Writer {
            if let Some(s) = find(&Step::Shutdown) {
                return Err(format!(
                    "{step} at step #{at} comes after expect_shutdown() at step #{s}: the code \
                     under test cannot write once it shut its writing side down; put it before"
                ));
            }
        }
        self.steps.push(step);
        self.at.push(scripted);
        Ok(())
    }

    /// The current step.
    pub(crate) fn head(&self) -> Option<&Step> {
        self.steps.get(self.pos)
    }

    /// Where the test scripted the current step.
    pub(crate) fn head_at(&self) -> Option<&'static Location<'static>> {
        self.at.get(self.pos).copied()
    }

    /// Moves to the next step.
    pub(crate) fn advance(&mut self) {
        self.pos += 1;
        self.offset = 0;
        self.wait_until = None;
    }

    /// Consumes what passes by itself at `now`: `eof()` steps, and
    /// `wait()` steps that have elapsed (a wait starts when it becomes the
    /// current step; with no clock it starts at the first call that has
    /// one). Returns whether any step was consumed.
    pub(crate) fn settle(&mut self, now: Option<Instant>) -> bool {
        let mut moved = false;
        loop {
            match self.head() {
                Some(Step::Eof) => {
                    self.eof = true;
                    self.advance();
                }
                Some(Step::Wait(d)) => {
                    let d = *d;
                    let Some(now) = now else { return moved };
                    let until = *self.wait_until.get_or_insert_with(|| wait_end(now, d));
                    if now < until {
                        return moved;
                    }
                    self.advance();
                }
                _ => return moved,
            }
            moved = true;
        }
    }

    /// The first step from the current one that is not a `wait()`.
    pub(crate) fn after_waits(&self) -> Option<&Step> {
        self.steps[self.pos.min(self.steps.len())..]
            .iter()
            .find(|s| !matches!(s, Step::Wait(_)))
    }

    /// Whether every step the code under test must perform or observe is
    /// consumed: only waits and `eof()` may remain.
    pub(crate) fn is_done(&self) -> bool {
        self.left().next().is_none()
    }

    /// The steps left that the code under test must perform or observe,
    /// with their indices (waits before them included).
    pub(crate) fn left(&self) -> impl Iterator<Item = (usize, &Step)> {
        let last = self
            .steps
            .iter()
            .rposition(|s| s.actor() != Actor::Peer)
            .map_or(0, |i| i + 1);
        let from = self.pos.min(last);
        self.steps[from..last]
            .iter()
            .enumerate()
            .map(move |(i, s)| (from + i, s))
    }
}

/// How far ahead a wait whose end overflows ends: 30 years, the horizon
/// of sim-clock's `sleep` (tokio's `Instant::far_future`).
const FAR_HORIZON: Duration = Duration::from_secs(86_400 * 365 * 30);

/// When a `wait(d)` that starts at `now` ends: `now + d`, or, when that
/// overflows (`Duration::MAX`), [`FAR_HORIZON`] after `now`, exactly as
/// `sleep(d)` puts its deadline; not the last representable instant,
/// where the clock would stop and every later wait end at once.
fn wait_end(now: Instant, d: Duration) -> Instant {
    now.checked_add(d)
        .unwrap_or_else(|| now.saturating_add(FAR_HORIZON))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script(steps: &[Step]) -> Script {
        let mut s = Script::default();
        for step in steps {
            s.push(step.clone(), Location::caller()).unwrap();
        }
        s
    }

    #[test]
    fn contradictory_steps_are_refused_with_the_fix() {
        let mut s = script(&[Step::Reply(b"x".to_vec()), Step::Eof]);
        let err = s
            .push(Step::Reply(b"y".to_vec()), Location::caller())
            .unwrap_err();
        assert!(err.contains("after eof() at step #1"), "{err}");
        let mut s = script(&[Step::Shutdown]);
        let err = s.push(Step::Flush, Location::caller()).unwrap_err();
        assert!(err.contains("after expect_shutdown() at step #0"), "{err}");
        let err = s
            .push(Step::Write(Vec::new()), Location::caller())
            .unwrap_err();
        assert!(err.contains("has no bytes"), "{err}");
        // Reads and waits may follow a shutdown; writes may follow an eof.
        s.push(Step::Reply(b"z".to_vec()), Location::caller())
            .unwrap();
        s.push(Step::Eof, Location::caller()).unwrap();
        s.push(Step::Wait(Duration::from_secs(1)), Location::caller())
            .unwrap();
    }

    #[test]
    fn waits_start_when_reached_and_eof_passes_by_itself() {
        let mut s = script(&[
            Step::Wait(Duration::from_millis(5)),
            Step::Eof,
            Step::Write(b"a".to_vec()),
        ]);
        assert!(!s.settle(None));
        assert!(!s.settle(Some(Instant::from_nanos(1_000_000))));
        assert_eq!(s.wait_until, Some(Instant::from_nanos(6_000_000)));
        assert!(!s.settle(Some(Instant::from_nanos(5_999_999))));
        assert!(s.settle(Some(Instant::from_nanos(6_000_000))));
        assert!(s.eof);
        assert_eq!(s.head(), Some(&Step::Write(b"a".to_vec())));
    }

    #[test]
    fn a_wait_ends_where_a_sleep_of_the_same_duration_does() {
        let clock = sim_clock::Clock::new();
        let _g = clock.enter();
        for d in [Duration::ZERO, Duration::from_secs(1), Duration::MAX] {
            assert_eq!(wait_end(Instant::ZERO, d), sim_clock::sleep(d).deadline());
        }
        let late = Instant::FAR_FUTURE - FAR_HORIZON / 2;
        assert_eq!(wait_end(late, Duration::MAX), Instant::FAR_FUTURE);
    }

    #[test]
    fn trailing_waits_and_eof_do_not_count_as_left() {
        let mut s = script(&[
            Step::Reply(b"a".to_vec()),
            Step::Wait(Duration::from_secs(1)),
            Step::Eof,
        ]);
        assert_eq!(s.left().map(|(i, _)| i).collect::<Vec<_>>(), [0]);
        s.advance();
        assert!(s.is_done());
        let s = script(&[Step::Wait(Duration::from_secs(1)), Step::Flush]);
        assert_eq!(s.left().map(|(i, _)| i).collect::<Vec<_>>(), [0, 1]);
        assert_eq!(s.after_waits(), Some(&Step::Flush));
    }
}
