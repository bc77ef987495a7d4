//! The state a [`SocketMock`](super::SocketMock), its halves and its
//! handles share, and the poll logic of every io call (the table on
//! `SocketMock`'s documentation is implemented here).
//!
//! The state sits behind an `Arc<Mutex<..>>` so the mock is `Send` (it
//! goes wherever a `TcpStream` goes, `detsim::spawn` included). Nothing
//! panics while the lock is held: a failure is computed as a message, the
//! lock released, then the panic raised; wakers are woken, and wakers and
//! timers the call displaced are dropped, after release ([`After`]): a
//! waker's destructor is user code, and may use the mock (a waker that
//! owns one of its handles, say), as may a timer's, which lets go of the
//! waker it holds.

use std::io;
use std::panic::Location;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use sim_clock::{Instant, Sleep};

use super::report::{self, Op};
use super::script::{Script, Step};

/// The stall timeout unless the builder sets another.
pub(crate) const DEFAULT_STALL: Duration = Duration::from_secs(60);

/// Which side of the code under test is calling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    Reader,
    Writer,
}

/// A side blocked on the script: its waker, since when it is blocked (for
/// the stall timeout) and the timer that wakes it at its deadline.
#[derive(Debug, Default)]
struct Waiter {
    waker: Option<Waker>,
    since: Option<Instant>,
    timer: Option<Sleep>,
    /// The parked task, whose deadlock-report note names this mock (see
    /// `sim_core::ext::park_note`).
    task: Option<sim_core::ext::ParkToken>,
}

/// What a call does once the mock's lock is released: wake `wake`, then
/// drop what it displaced.
#[derive(Default)]
struct After {
    wake: Vec<Waker>,
    wakers: Vec<Waker>,
    timers: Vec<Sleep>,
    waiters: Vec<Waiter>,
}

impl After {
    fn run(self) {
        self.wake.into_iter().for_each(Waker::wake);
    }
}

impl Waiter {
    /// Clears the parked task's note: it was woken, got through, or the
    /// mock is gone.
    fn unpark(&mut self) {
        if let Some(task) = self.task.take() {
            sim_core::ext::unpark_note(task);
        }
    }
}

#[derive(Debug)]
pub(crate) struct State {
    pub(crate) name: String,
    pub(crate) script: Script,
    pub(crate) stall: Duration,
    pub(crate) allow_unconsumed: bool,
    /// Where the test created the mock (`SocketMock::builder()`): steps
    /// left at its drop, and failures past the end of the script, are
    /// reported there.
    pub(crate) created_at: &'static Location<'static>,
    /// Live `SocketMockHandle`s: while there is one, the script may grow,
    /// so a call at its end waits instead of failing.
    pub(crate) handles: usize,
    /// Live io owners (the mock, or its two halves).
    pub(crate) owners: usize,
    /// The mock already panicked: its drop stays quiet.
    failed: bool,
    reader: Waiter,
    writer: Waiter,
}

/// What one attempt at an io call came to.
enum Attempt<T> {
    /// Done; `true` when the script moved on.
    Ready(T, bool),
    /// The call has to wait for the other side, time, or a handle.
    Block,
    /// The call is wrong: panic with this message.
    Fail(String),
}

/// The virtual time, when a simulation is current.
fn now() -> Option<Instant> {
    sim_clock::is_current().then(Instant::now) // determinism: ok (the virtual clock)
}

#[derive(Debug)]
pub(crate) struct Shared {
    state: Mutex<State>,
}

impl Shared {
    pub(crate) fn new(created_at: &'static Location<'static>) -> Arc<Shared> {
        Arc::new(Shared {
            state: Mutex::new(State {
                name: "socket".to_owned(),
                script: Script::default(),
                stall: DEFAULT_STALL,
                allow_unconsumed: false,
                created_at,
                handles: 0,
                owners: 0,
                failed: false,
                reader: Waiter::default(),
                writer: Waiter::default(),
            }),
        })
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Appends a step (from the builder or a handle) and wakes whoever
    /// waits: a new step is progress.
    #[track_caller]
    pub(crate) fn push(&self, step: Step) {
        let mut after = After::default();
        let result = {
            let mut st = self.lock();
            let result = st.script.push(step, Location::caller());
            if result.is_ok() {
                st.script.settle(now());
                st.progress(None, &mut after);
            }
            result.map_err(|e| format!("SocketMock '{}': {e}", st.name))
        };
        after.run();
        if let Err(message) = result {
            panic!("{message}");
        }
    }

    /// Whether only waits and `eof()` are left (consuming elapsed ones).
    pub(crate) fn is_done(&self) -> bool {
        let mut after = After::default();
        let done = {
            let mut st = self.lock();
            if st.script.settle(now()) {
                st.progress(None, &mut after);
            }
            st.script.is_done()
        };
        after.run();
        done
    }

    /// Panics listing the steps left unless [`is_done`](Self::is_done).
    #[track_caller]
    pub(crate) fn assert_done(&self) {
        if !self.is_done() {
            let message = {
                let st = self.lock();
                report::leftover(&st.name, &st.script, "is not done")
            };
            panic!("{message}");
        }
    }

    /// One io call: settle the script, attempt, then block or fail.
    fn call<T>(
        &self,
        cx: &mut Context<'_>,
        side: Side,
        op: &Op<'_>,
        attempt: impl FnOnce(&mut State, Option<Instant>) -> Attempt<T>,
    ) -> Poll<T> {
        let now = now();
        let mut after = After::default();
        let mut timer = None;
        let outcome = {
            let mut st = self.lock();
            if st.script.settle(now) {
                st.progress(Some(side), &mut after);
            }
            let outcome = match attempt(&mut st, now) {
                Attempt::Ready(v, moved) => {
                    st.waiter(side).unpark();
                    if moved {
                        st.script.settle(now);
                        st.progress(Some(side), &mut after);
                    }
                    Ok(Poll::Ready(v))
                }
                Attempt::Block => st.block(cx, side, op, now, &mut after).map(|t| {
                    timer = t;
                    Poll::Pending
                }),
                Attempt::Fail(message) => Err(message),
            };
            let outcome = outcome.map_err(|message| st.located(message));
            if outcome.is_err() {
                st.failed = true;
                st.reader.unpark();
                st.writer.unpark();
                after.waiters.push(std::mem::take(&mut st.reader));
                after.waiters.push(std::mem::take(&mut st.writer));
            }
            outcome
        };
        after.run();
        if let Some(timer) = timer {
            self.poll_timer(cx, side, timer);
        }
        match outcome {
            Ok(poll) => poll,
            Err((at, message)) => sim_core::ext::panic_at(at, message),
        }
    }

    pub(crate) fn poll_read(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.call(cx, Side::Reader, &Op::Read, |st, _| st.read(buf))
    }

    pub(crate) fn poll_write(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.call(cx, Side::Writer, &Op::Write(buf), |st, now| {
            st.write(buf, now)
        })
    }

    pub(crate) fn poll_flush(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.call(cx, Side::Writer, &Op::Flush, |st, _| st.flush())
    }

    pub(crate) fn poll_close(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.call(cx, Side::Writer, &Op::Shutdown, |st, _| st.close())
    }

    /// A handle was dropped; with the last one gone, calls waiting at the
    /// end of the script look again (and fail: nothing can add steps).
    pub(crate) fn release_handle(&self) {
        let mut after = After::default();
        {
            let mut st = self.lock();
            st.handles -= 1;
            if st.handles == 0 && st.script.head().is_none() {
                st.progress(None, &mut after);
            }
        }
        after.run();
    }

    /// Polls the stall timer of a blocked `side` outside the lock (the
    /// clock lets go of the waker it held, user code), then puts it back,
    /// unless the side was reset meanwhile (a destructor used the mock).
    fn poll_timer(&self, cx: &mut Context<'_>, side: Side, mut timer: Sleep) {
        if timer.poll_elapsed(cx).is_ready() {
            // Unreachable in practice (now < deadline); look again soon.
            cx.waker().wake_by_ref();
        }
        let unused = {
            let mut st = self.lock();
            let w = st.waiter(side);
            match w.waker.is_some() && w.timer.is_none() {
                true => w.timer.replace(timer),
                false => Some(timer),
            }
        };
        drop(unused);
    }

    /// An io owner (the mock or a half) was dropped; the last one checks
    /// that the script is done.
    pub(crate) fn release(&self) {
        let mut after = After::default();
        let message = self.release_locked(&mut after);
        // After the lock: the waiters' wakers and timers.
        drop(after);
        if let Some((at, message)) = message {
            sim_core::ext::panic_at(at, message);
        }
    }

    /// [`release`](Self::release) under the lock: what to panic with and
    /// where (the mock's creation), if anything; the waiters go to `after`.
    fn release_locked(&self, after: &mut After) -> Option<(&'static Location<'static>, String)> {
        {
            let mut st = self.lock();
            st.owners -= 1;
            if st.owners > 0 {
                return None;
            }
            // No timer (nor note) outlives the mock.
            st.reader.unpark();
            st.writer.unpark();
            let reader = std::mem::take(&mut st.reader);
            let writer = std::mem::take(&mut st.writer);
            let since = [("a read", reader.since), ("a write", writer.since)];
            after.waiters.extend([reader, writer]);
            if st.failed || st.allow_unconsumed || std::thread::panicking() {
                return None;
            }
            st.script.settle(now());
            if st.script.is_done() {
                return None;
            }
            let mut m = report::leftover(&st.name, &st.script, "dropped");
            for (what, since) in since {
                if let Some(since) = since {
                    m.push_str(&format!(
                        "\n{what} was blocked at the current step since {since}"
                    ));
                }
            }
            m.push_str(&format!("\n(the mock was created at {})", st.created_at));
            m.push_str(
                "\n(call allow_unconsumed() on the builder if the code under test may stop \
                 early)",
            );
            Some((st.created_at, m))
        }
    }
}

impl State {
    /// A failure at the current step, to be reported where the test
    /// scripted that step, or where it created the mock once the script is
    /// over; the message says where too (outside a simulation, a panic is
    /// printed at the line that raises it, in this file).
    fn located(&self, mut message: String) -> (&'static Location<'static>, String) {
        let at = match self.script.head_at() {
            Some(at) => {
                message.push_str(&format!(
                    "\n(step #{} was scripted at {at})",
                    self.script.pos
                ));
                at
            }
            None => {
                message.push_str(&format!("\n(the mock was created at {})", self.created_at));
                self.created_at
            }
        };
        (at, message)
    }

    fn waiter(&mut self, side: Side) -> &mut Waiter {
        match side {
            Side::Reader => &mut self.reader,
            Side::Writer => &mut self.writer,
        }
    }

    /// The script moved on: stall clocks restart, and the sides other than
    /// `caller` are woken to look again.
    fn progress(&mut self, caller: Option<Side>, after: &mut After) {
        for side in [Side::Reader, Side::Writer] {
            let w = self.waiter(side);
            w.since = None;
            after.timers.extend(w.timer.take());
            w.unpark();
            if let Some(waker) = w.waker.take() {
                match Some(side) != caller {
                    true => after.wake.push(waker),
                    false => after.wakers.push(waker),
                }
            }
        }
    }

    /// Parks `side` until the current `wait()` ends or the stall timeout;
    /// fails past the stall timeout or outside a simulation. Returns the
    /// side's timer, set for its deadline, for the caller to poll after
    /// the lock (see [`Shared::poll_timer`]).
    fn block(
        &mut self,
        cx: &mut Context<'_>,
        side: Side,
        op: &Op<'_>,
        now: Option<Instant>,
        after: &mut After,
    ) -> Result<Option<Sleep>, String> {
        let Some(now) = now else {
            return Err(report::no_simulation(&self.name, &self.script, op));
        };
        let deadline = match (self.script.head(), self.script.wait_until) {
            (Some(Step::Wait(_)), Some(until)) => Some(until),
            _ => {
                let stall = self.stall;
                let since = *self.waiter(side).since.get_or_insert(now);
                let deadline = since.saturating_add(stall);
                if now >= deadline {
                    return Err(report::stall(&self.name, &self.script, op, since, stall));
                }
                // No stall timeout (Duration::MAX): arm no timer, so a run
                // that only waits here is a deadlock naming the mock, not
                // a jump of the clock to the end of time.
                (stall != Duration::MAX).then_some(deadline)
            }
        };
        let (name, script) = (&self.name, &self.script);
        let task = sim_core::ext::park_note(|| {
            format!(
                "SocketMock '{name}': {} is parked at {}",
                op.describe(),
                report::position(script)
            )
        });
        let w = self.waiter(side);
        w.task = task;
        match &mut w.waker {
            Some(waker) if waker.will_wake(cx.waker()) => {}
            slot => after.wakers.extend(slot.replace(cx.waker().clone())),
        }
        let Some(deadline) = deadline else {
            after.timers.extend(w.timer.take());
            return Ok(None);
        };
        let mut timer = w
            .timer
            .take()
            .unwrap_or_else(|| sim_clock::sleep_until(deadline));
        if timer.deadline() != deadline {
            timer.reset(deadline);
        }
        Ok(Some(timer))
    }

    /// Consumes the current step, returning `value`.
    fn consume<T>(&mut self, value: T) -> Attempt<T> {
        self.script.advance();
        Attempt::Ready(value, true)
    }

    /// Consumes the current `read_error`/`write_error` step: its error.
    fn scripted_error<T>(&mut self, kind: io::ErrorKind, what: &str) -> Attempt<io::Result<T>> {
        let e = io::Error::new(
            kind,
            format!(
                "{what}({kind:?}) scripted by SocketMock '{}' at step #{}",
                self.name, self.script.pos
            ),
        );
        self.consume(Err(e))
    }

    fn at_end<T>(&self, op: &Op<'_>) -> Attempt<T> {
        if self.handles > 0 {
            Attempt::Block
        } else {
            Attempt::Fail(report::unexpected(&self.name, &self.script, op))
        }
    }

    fn read(&mut self, buf: &mut [u8]) -> Attempt<io::Result<usize>> {
        if buf.is_empty() || self.script.eof {
            return Attempt::Ready(Ok(0), false);
        }
        match self.script.head() {
            Some(Step::Reply(bytes)) => {
                let len = bytes.len();
                let rest = &bytes[self.script.offset..];
                let n = rest.len().min(buf.len());
                buf[..n].copy_from_slice(&rest[..n]);
                self.script.offset += n;
                if self.script.offset == len {
                    self.script.advance();
                }
                Attempt::Ready(Ok(n), true)
            }
            Some(Step::ReadError(kind)) => self.scripted_error(*kind, "read_error"),
            Some(_) => Attempt::Block,
            None => self.at_end(&Op::Read),
        }
    }

    fn write(&mut self, buf: &[u8], now: Option<Instant>) -> Attempt<io::Result<usize>> {
        if buf.is_empty() {
            return Attempt::Ready(Ok(0), false);
        }
        if self.script.shut {
            let m = report::unexpected(&self.name, &self.script, &Op::Write(buf));
            return Attempt::Fail(m);
        }
        let mut n = 0;
        loop {
            match self.script.head() {
                Some(Step::Write(expected)) => {
                    let rest = &expected[self.script.offset..];
                    let chunk = &buf[n..];
                    let m = rest.len().min(chunk.len());
                    if let Some(d) = (0..m).find(|&i| rest[i] != chunk[i]) {
                        let message = report::mismatch(&self.name, &self.script, rest, chunk, d, n);
                        return Attempt::Fail(message);
                    }
                    let done = m == rest.len();
                    self.script.offset += m;
                    n += m;
                    if done {
                        self.script.advance();
                        self.script.settle(now);
                    }
                    if n == buf.len() {
                        break;
                    }
                }
                // A short write: the rest meets the next step next call.
                _ if n > 0 => break,
                Some(Step::WriteError(kind)) => {
                    return self.scripted_error(*kind, "write_error");
                }
                Some(Step::Flush | Step::Shutdown) => {
                    let m = report::unexpected(&self.name, &self.script, &Op::Write(buf));
                    return Attempt::Fail(m);
                }
                Some(_) => return Attempt::Block,
                None => return self.at_end(&Op::Write(buf)),
            }
        }
        Attempt::Ready(Ok(n), true)
    }

    fn flush(&mut self) -> Attempt<io::Result<()>> {
        if self.script.shut
            || !matches!(
                self.script.after_waits(),
                Some(Step::Flush | Step::WriteError(_))
            )
        {
            // A flush the script does not ask for changes nothing.
            return Attempt::Ready(Ok(()), false);
        }
        match self.script.head() {
            Some(Step::Flush) => self.consume(Ok(())),
            Some(Step::WriteError(kind)) => self.scripted_error(*kind, "write_error"),
            _ => Attempt::Block, // a wait() comes first
        }
    }

    fn close(&mut self) -> Attempt<io::Result<()>> {
        if self.script.shut {
            return Attempt::Ready(Ok(()), false);
        }
        match self.script.head() {
            Some(Step::Shutdown) => {
                self.script.shut = true;
                self.consume(Ok(()))
            }
            Some(Step::WriteError(kind)) => self.scripted_error(*kind, "write_error"),
            Some(Step::Write(_) | Step::Flush) => {
                Attempt::Fail(report::unexpected(&self.name, &self.script, &Op::Shutdown))
            }
            Some(_) => Attempt::Block,
            None => self.at_end(&Op::Shutdown),
        }
    }
}
