//! [`SocketMock`] and its owned halves: futures' `AsyncRead`/`AsyncWrite`
//! over the shared script state.

use std::fmt;
use std::sync::Arc;

use super::builder::SocketMockBuilder;
use super::handle::SocketMockHandle;
use super::state::Shared;
use crate::io_traits::{futures_read, futures_write};

/// A scripted peer: a stream that implements the same io traits as
/// [`TcpStream`](crate::TcpStream), so code generic over a stream can be
/// tested against a script instead of a real server.
///
/// Build the script with [`SocketMock::builder`]: `expect_write(bytes)`
/// (the code under test must write exactly these bytes, in any number of
/// calls), `reply(bytes)` (it reads them), `wait(d)` (virtual time passes
/// before the next step), `read_error(kind)`, `write_error(kind)`,
/// `expect_flush()`, `expect_shutdown()` (`poll_close`), and `eof()`
/// (reads return 0 from there on). A [`SocketMockHandle`] adds steps while
/// the test runs.
///
/// # Tutorial
///
/// A client of a tiny line protocol, generic over the stream, tested
/// against a script of what the server says:
///
/// ```
/// use std::time::Duration;
/// use futures::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
/// use detsim::mock::SocketMock;
///
/// async fn get<S: AsyncRead + AsyncWrite + Unpin>(s: &mut BufReader<S>, key: &str) -> String {
///     s.get_mut().write_all(format!("GET {key}\r\n").as_bytes()).await.unwrap();
///     let mut line = String::new();
///     s.read_line(&mut line).await.unwrap();
///     line.trim_end().to_owned()
/// }
///
/// let mut sim = detsim::Sim::builder().build();
/// sim.run(async {
///     let mock = SocketMock::builder()
///         .name("kv")
///         .expect_write(b"GET a\r\n")
///         .wait(Duration::from_millis(5)) // the server thinks for 5 ms
///         .reply(b"1\r\n")
///         .expect_write(b"GET b\r\n")
///         .reply(b"2\r\n")
///         .build();
///     let mut s = BufReader::new(mock);
///     assert_eq!(get(&mut s, "a").await, "1");
///     assert_eq!(detsim::time::Instant::now().since_start(), Duration::from_millis(5));
///     assert_eq!(get(&mut s, "b").await, "2");
///     s.into_inner().assert_done(); // dropping it would check too
/// }).unwrap();
/// ```
///
/// A wrong write panics, naming the mock and the step and showing both
/// byte strings in hex and lossy UTF-8:
///
/// ```text
/// SocketMock 'kv': unexpected write at step #0 expect_write(7 bytes "GET a\r\n")
///   expected: 47 45 54 20 61 0d 0a  "GET a\r\n"
///   actual:   47 45 54 20 62 0d 0a  "GET b\r\n"
///   first difference at byte 4 of this write (byte 4 of the step): expected 0x61 'a', got 0x62 'b'
/// script (-> marks the current step):
///   -> #0 expect_write(7 bytes "GET a\r\n")  (0 of 7 bytes written)
///      #1 wait(5ms)
///      ...
/// (step #0 was scripted at tests/kv.rs:12:10)
/// ```
///
/// Every failure of a call is reported at the test's own line, not in
/// detsim: a call the current step does not allow (a wrong write, a
/// stall) at the builder or handle call that scripted that step; a call
/// past the end of the script, and steps left at the drop, at the
/// `SocketMock::builder()` call that created the mock. In a simulation
/// that is the failure's (or `JoinError`'s) location; the message ends
/// with it in any case.
///
/// # What each call does at each step
///
/// The script is one sequence: each call looks at the current step (the
/// first not yet consumed). `wait(d)` and `eof()` pass by themselves: a
/// wait ends `d` after it became the current step (for a first step, after
/// the mock was built, or first used when built outside a simulation);
/// `eof()` is consumed as soon as it is reached.
///
/// | current step | read | write | flush | shutdown (`poll_close`) |
/// |---|---|---|---|---|
/// | `expect_write(b)` | waits ¹ | compares with the rest of `b`: equal bytes advance within the step (a write may cover several consecutive `expect_write` steps; past them it is a short write); a difference **panics** | `Ok`, changes nothing | **panics** |
/// | `reply(b)` | returns the next bytes of `b` (as many as fit) | waits ¹ | `Ok`, changes nothing | waits ¹ |
/// | `wait(d)` | waits for the time to pass | waits for the time to pass | waits if an `expect_flush`/`write_error` follows the waits, else `Ok` | waits for the time to pass |
/// | `read_error(k)` | `Err(k)`, consumed | waits ¹ | `Ok`, changes nothing | waits ¹ |
/// | `write_error(k)` | waits ¹ | `Err(k)`, consumed | `Err(k)`, consumed | `Err(k)`, consumed |
/// | `expect_flush()` | waits ¹ | **panics** | `Ok`, consumed | **panics** |
/// | `expect_shutdown()` | waits ¹ | **panics** | `Ok`, changes nothing | `Ok`, consumed |
/// | after `eof()` | `Ok(0)`, always | (the next step decides) | | |
/// | after `expect_shutdown()` | (the next step decides) | **panics** | `Ok` | `Ok` |
/// | end of the script | **panics** ² | **panics** ² | `Ok` | **panics** ² |
///
/// ¹ The call is `Pending` until the other side (or a handle) moves the
/// script on: with split halves, a reader may legitimately run ahead of
/// the writer. It never hangs silently: after the stall timeout of virtual
/// time (60 s unless [`stall_timeout`](SocketMockBuilder::stall_timeout)
/// says otherwise; zero panics at once) with no step consumed or added, it
/// panics naming the mock, the step it waits at, what it was doing, and
/// why (a read waiting at an `expect_write` waits for a reply it has not
/// earned). The stall timer is an ordinary timer, so a simulation never
/// reports a deadlock instead (unless auto-advance is off and nothing
/// advances the clock: then the run fails as a deadlock that names the
/// blocked task, the mock and the step it waits at, and the armed stall
/// timer).
///
/// ² Unless a [`SocketMockHandle`] is alive: then the call waits (¹) for
/// the handle to add steps.
///
/// Empty reads and writes return `Ok(0)` at once and consume nothing.
///
/// # Dropping
///
/// Dropping the mock (or both halves) with steps left that the code under
/// test had to perform or observe (anything but waits and `eof()`) panics
/// listing them, unless the thread is already panicking, the mock already
/// panicked, or the builder said [`allow_unconsumed`](SocketMockBuilder::allow_unconsumed).
/// [`assert_done`](Self::assert_done) checks the same at a point of your
/// choosing.
///
/// # Outside a simulation
///
/// Every call that can be served at once works on any executor (or none).
/// A call that would have to wait (a `wait()` step, or a waiting call of
/// the table) panics, naming the mock and the step: waiting needs the
/// virtual clock of a detsim simulation.
///
/// ```
/// use futures::io::{AsyncReadExt, AsyncWriteExt};
/// let mut mock = detsim::mock::SocketMock::builder()
///     .expect_write(b"ping")
///     .reply(b"pong")
///     .build();
/// futures::executor::block_on(async {
///     mock.write_all(b"ping").await.unwrap();
///     let mut buf = [0u8; 4];
///     mock.read_exact(&mut buf).await.unwrap();
///     assert_eq!(&buf, b"pong");
/// });
/// ```
///
/// # tokio's io traits
///
/// With the cargo feature `tokio-io`, the mock and its halves also
/// implement `tokio::io::AsyncRead`/`AsyncWrite` (`poll_shutdown` is the
/// shutdown of the table).
///
#[cfg_attr(feature = "tokio-io", doc = "```")]
#[cfg_attr(not(feature = "tokio-io"), doc = "```ignore")]
/// use tokio::io::{AsyncReadExt, AsyncWriteExt};
///
/// let mut sim = detsim::Sim::builder().build();
/// sim.run(async {
///     let mut mock = detsim::mock::SocketMock::builder()
///         .expect_write(b"HELO\r\n")
///         .reply(b"250 ok\r\n")
///         .expect_shutdown()
///         .build();
///     mock.write_all(b"HELO\r\n").await.unwrap();
///     let mut buf = [0u8; 8];
///     mock.read_exact(&mut buf).await.unwrap();
///     assert_eq!(&buf, b"250 ok\r\n");
///     mock.shutdown().await.unwrap();
/// }).unwrap();
/// ```
#[must_use = "a SocketMock does nothing unless the code under test uses it"]
pub struct SocketMock {
    pub(super) shared: Arc<Shared>,
}

impl SocketMock {
    /// A builder for a mock with an empty script.
    ///
    /// ```
    /// let mock = detsim::mock::SocketMock::builder().name("db").build();
    /// assert!(mock.is_done());
    /// ```
    #[track_caller]
    pub fn builder() -> SocketMockBuilder {
        SocketMockBuilder::new()
    }

    /// A handle that adds steps to this mock's script while the test runs.
    ///
    /// ```
    /// let mock = detsim::mock::SocketMock::builder().allow_unconsumed().build();
    /// let handle = mock.handle();
    /// handle.reply(b"late");
    /// assert!(!mock.is_done());
    /// ```
    pub fn handle(&self) -> SocketMockHandle {
        SocketMockHandle::new(self.shared.clone())
    }

    /// The mock's name (`"socket"` unless the builder named it).
    ///
    /// ```
    /// assert_eq!(detsim::mock::SocketMock::builder().name("smtp").build().name(), "smtp");
    /// ```
    pub fn name(&self) -> String {
        self.shared.lock().name.clone()
    }

    /// Whether every step the code under test must perform or observe is
    /// consumed (only waits and `eof()` may be left).
    ///
    /// ```
    /// use futures::io::AsyncWriteExt;
    /// let mut mock = detsim::mock::SocketMock::builder().expect_write(b"hi").eof().build();
    /// assert!(!mock.is_done());
    /// futures::executor::block_on(mock.write_all(b"hi")).unwrap();
    /// assert!(mock.is_done());
    /// ```
    pub fn is_done(&self) -> bool {
        self.shared.is_done()
    }

    /// Panics listing the steps left unless [`is_done`](Self::is_done).
    ///
    /// # Panics
    ///
    /// When steps are left, with a message that lists them.
    ///
    /// ```
    /// let mock = detsim::mock::SocketMock::builder().reply(b"unread").allow_unconsumed().build();
    /// let err = std::panic::catch_unwind(|| mock.assert_done()).unwrap_err();
    /// let msg = err.downcast_ref::<String>().unwrap();
    /// assert!(msg.contains("#0 reply(6 bytes \"unread\")"), "{msg}");
    /// ```
    #[track_caller]
    pub fn assert_done(&self) {
        self.shared.assert_done();
    }

    /// Splits the mock into a read half and a write half that can move to
    /// different tasks, as [`TcpStream::into_split`](crate::TcpStream::into_split).
    /// The script is checked when both halves are dropped.
    ///
    /// ```
    /// use futures::io::{AsyncReadExt, AsyncWriteExt};
    /// let mock = detsim::mock::SocketMock::builder().expect_write(b"a").reply(b"b").build();
    /// let (mut rd, mut wr) = mock.into_split();
    /// futures::executor::block_on(async {
    ///     wr.write_all(b"a").await.unwrap();
    ///     let mut buf = [0u8; 1];
    ///     rd.read_exact(&mut buf).await.unwrap();
    ///     assert_eq!(&buf, b"b");
    /// });
    /// ```
    pub fn into_split(self) -> (SocketMockReadHalf, SocketMockWriteHalf) {
        let shared = self.shared.clone();
        // Two owners from here; dropping `self` gives its own count back.
        shared.lock().owners += 2;
        drop(self);
        (
            SocketMockReadHalf {
                shared: shared.clone(),
            },
            SocketMockWriteHalf { shared },
        )
    }
}

/// The reading half of a [`SocketMock`] ([`SocketMock::into_split`]).
///
/// ```
/// let (rd, _wr) = detsim::mock::SocketMock::builder().build().into_split();
/// let _: &dyn futures::io::AsyncRead = &rd;
/// ```
#[must_use = "a SocketMock half does nothing unless the code under test uses it"]
pub struct SocketMockReadHalf {
    pub(super) shared: Arc<Shared>,
}

/// The writing half of a [`SocketMock`] ([`SocketMock::into_split`]).
///
/// ```
/// let (_rd, wr) = detsim::mock::SocketMock::builder().build().into_split();
/// let _: &dyn futures::io::AsyncWrite = &wr;
/// ```
#[must_use = "a SocketMock half does nothing unless the code under test uses it"]
pub struct SocketMockWriteHalf {
    pub(super) shared: Arc<Shared>,
}

macro_rules! owner {
    ($t:ty) => {
        impl Drop for $t {
            fn drop(&mut self) {
                self.shared.release();
            }
        }

        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let st = self.shared.lock();
                f.debug_struct(stringify!($t))
                    .field("name", &st.name)
                    .field("step", &st.script.pos)
                    .field("steps", &st.script.steps.len())
                    .finish()
            }
        }
    };
}

owner!(SocketMock);
owner!(SocketMockReadHalf);
owner!(SocketMockWriteHalf);
futures_read!(SocketMock, shared);
futures_read!(SocketMockReadHalf, shared);
futures_write!(SocketMock, shared);
futures_write!(SocketMockWriteHalf, shared);
