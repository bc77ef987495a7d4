//! [`SocketMockBuilder`]: the script and the options of a
//! [`SocketMock`].

use std::fmt;
use std::io::ErrorKind;
use std::sync::Arc;
use std::time::Duration;

use super::handle::SocketMockHandle;
use super::script::Step;
use super::socket::SocketMock;
use super::state::Shared;

/// Builds a [`SocketMock`]: its name, its options and its script, one
/// step per call, in order.
///
/// # Panics
///
/// A step that contradicts the script so far panics at the call, saying
/// why: an empty `expect_write` or `reply`; a `reply`, `read_error` or
/// `eof` after an `eof`; a write-side step (`expect_write`, `write_error`,
/// `expect_flush`, `expect_shutdown`) after an `expect_shutdown`.
///
/// ```
/// use std::time::Duration;
/// let mock = detsim::mock::SocketMock::builder()
///     .name("smtp")
///     .reply(b"220 ready\r\n")
///     .expect_write(b"QUIT\r\n")
///     .wait(Duration::from_millis(3))
///     .reply(b"221 bye\r\n")
///     .eof()
///     .allow_unconsumed() // this example never runs the script
///     .build();
/// assert_eq!(mock.name(), "smtp");
/// ```
#[must_use = "a builder does nothing until build() is called"]
pub struct SocketMockBuilder {
    shared: Arc<Shared>,
}

impl SocketMockBuilder {
    #[track_caller]
    pub(super) fn new() -> SocketMockBuilder {
        SocketMockBuilder {
            shared: Shared::new(std::panic::Location::caller()),
        }
    }

    #[track_caller]
    fn step(self, step: Step) -> SocketMockBuilder {
        self.shared.push(step);
        self
    }

    /// Names the mock in its messages (default `"socket"`).
    ///
    /// ```
    /// let mock = detsim::mock::SocketMock::builder().name("redis").build();
    /// assert_eq!(mock.name(), "redis");
    /// ```
    pub fn name(self, name: impl Into<String>) -> SocketMockBuilder {
        self.shared.lock().name = name.into();
        self
    }

    /// How long (virtual time) a call may wait with the script not moving
    /// before the mock panics saying what it waits for; 60 s by default.
    /// Zero makes every waiting call panic at once; `Duration::MAX` means
    /// no stall timeout (a call that can never proceed is then reported
    /// as a deadlock naming the mock and its step).
    ///
    /// ```
    /// use futures::io::AsyncReadExt;
    /// let mut sim = detsim::Sim::builder().build();
    /// let failure = sim.run(async {
    ///     let mut mock = detsim::mock::SocketMock::builder()
    ///         .stall_timeout(std::time::Duration::from_secs(2))
    ///         .expect_write(b"hello")
    ///         .build();
    ///     let _ = mock.read(&mut [0u8; 8]).await; // a reply it has not earned
    /// }).unwrap_err();
    /// assert!(failure.to_string().contains("has waited 2s"), "{failure}");
    /// assert_eq!(failure.time().since_start().as_secs(), 2);
    /// ```
    pub fn stall_timeout(self, timeout: Duration) -> SocketMockBuilder {
        self.shared.lock().stall = timeout;
        self
    }

    /// Dropping the mock with steps left does not panic (for code under
    /// test that may legitimately stop early). [`SocketMock::assert_done`]
    /// still checks.
    ///
    /// ```
    /// let mock = detsim::mock::SocketMock::builder().reply(b"never read").allow_unconsumed().build();
    /// drop(mock); // no panic
    /// ```
    pub fn allow_unconsumed(self) -> SocketMockBuilder {
        self.shared.lock().allow_unconsumed = true;
        self
    }

    /// The code under test writes exactly `bytes` next, in any number of
    /// write calls.
    ///
    /// ```
    /// use futures::io::AsyncWriteExt;
    /// let mut mock = detsim::mock::SocketMock::builder().expect_write("PING\r\n").build();
    /// futures::executor::block_on(async {
    ///     mock.write_all(b"PI").await.unwrap(); // split writes match too
    ///     mock.write_all(b"NG\r\n").await.unwrap();
    /// });
    /// ```
    #[track_caller]
    pub fn expect_write(self, bytes: impl AsRef<[u8]>) -> SocketMockBuilder {
        self.step(Step::Write(bytes.as_ref().to_vec()))
    }

    /// The code under test reads `bytes` next (in any number of reads).
    ///
    /// ```
    /// use futures::io::AsyncReadExt;
    /// let mut mock = detsim::mock::SocketMock::builder().reply(b"+PONG\r\n").eof().build();
    /// let mut got = String::new();
    /// futures::executor::block_on(mock.read_to_string(&mut got)).unwrap();
    /// assert_eq!(got, "+PONG\r\n");
    /// ```
    #[track_caller]
    pub fn reply(self, bytes: impl AsRef<[u8]>) -> SocketMockBuilder {
        self.step(Step::Reply(bytes.as_ref().to_vec()))
    }

    /// `d` of virtual time passes before the next step (counted from when
    /// the step before it was consumed), as with `sleep(d)`: a wait whose
    /// end is too far to represent (`Duration::MAX`) lasts 30 years, the
    /// far future of `sleep(Duration::MAX)`, and later steps and sleeps
    /// keep their own durations (under the default time limit, the run
    /// ends at the limit). Needs a simulation.
    ///
    /// ```
    /// use std::time::Duration;
    /// use futures::io::AsyncReadExt;
    /// let mut sim = detsim::Sim::builder().build();
    /// sim.run(async {
    ///     let mut mock = detsim::mock::SocketMock::builder()
    ///         .wait(Duration::from_millis(250))
    ///         .reply(b"late")
    ///         .build();
    ///     let mut buf = [0u8; 4];
    ///     mock.read_exact(&mut buf).await.unwrap();
    ///     assert_eq!(detsim::time::Instant::now().since_start(), Duration::from_millis(250));
    /// }).unwrap();
    /// ```
    #[track_caller]
    pub fn wait(self, d: Duration) -> SocketMockBuilder {
        self.step(Step::Wait(d))
    }

    /// The next read fails with `kind`.
    ///
    /// ```
    /// use futures::io::AsyncReadExt;
    /// use std::io::ErrorKind;
    /// let mut mock = detsim::mock::SocketMock::builder().read_error(ErrorKind::ConnectionReset).build();
    /// let err = futures::executor::block_on(mock.read(&mut [0u8; 8])).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::ConnectionReset);
    /// ```
    #[track_caller]
    pub fn read_error(self, kind: ErrorKind) -> SocketMockBuilder {
        self.step(Step::ReadError(kind))
    }

    /// The next write, flush or shutdown fails with `kind`.
    ///
    /// ```
    /// use futures::io::AsyncWriteExt;
    /// use std::io::ErrorKind;
    /// let mut mock = detsim::mock::SocketMock::builder().write_error(ErrorKind::BrokenPipe).build();
    /// let err = futures::executor::block_on(mock.write_all(b"x")).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::BrokenPipe);
    /// ```
    #[track_caller]
    pub fn write_error(self, kind: ErrorKind) -> SocketMockBuilder {
        self.step(Step::WriteError(kind))
    }

    /// The code under test flushes next. (Flushes the script does not ask
    /// for are allowed and change nothing.)
    ///
    /// ```
    /// use futures::io::AsyncWriteExt;
    /// let mut mock = detsim::mock::SocketMock::builder().expect_write(b"x").expect_flush().build();
    /// futures::executor::block_on(async {
    ///     mock.flush().await.unwrap(); // not asked for here: changes nothing
    ///     mock.write_all(b"x").await.unwrap();
    ///     mock.flush().await.unwrap();
    /// });
    /// assert!(mock.is_done());
    /// ```
    #[track_caller]
    pub fn expect_flush(self) -> SocketMockBuilder {
        self.step(Step::Flush)
    }

    /// The code under test shuts its writing side down next (`close()` in
    /// futures, `shutdown()` in tokio).
    ///
    /// ```
    /// use futures::io::AsyncWriteExt;
    /// let mut mock = detsim::mock::SocketMock::builder().expect_shutdown().build();
    /// futures::executor::block_on(mock.close()).unwrap();
    /// ```
    #[track_caller]
    pub fn expect_shutdown(self) -> SocketMockBuilder {
        self.step(Step::Shutdown)
    }

    /// The peer closes its writing side: from here, reads return `Ok(0)`.
    ///
    /// ```
    /// use futures::io::AsyncReadExt;
    /// let mut mock = detsim::mock::SocketMock::builder().eof().build();
    /// assert_eq!(futures::executor::block_on(mock.read(&mut [0u8; 8])).unwrap(), 0);
    /// ```
    #[track_caller]
    pub fn eof(self) -> SocketMockBuilder {
        self.step(Step::Eof)
    }

    /// A handle to the mock being built (the same as
    /// [`SocketMock::handle`]), to add steps while the test runs.
    ///
    /// ```
    /// let builder = detsim::mock::SocketMock::builder();
    /// let handle = builder.handle();
    /// let mock = builder.build();
    /// handle.eof();
    /// assert!(mock.is_done());
    /// ```
    pub fn handle(&self) -> SocketMockHandle {
        SocketMockHandle::new(self.shared.clone())
    }

    /// The mock.
    ///
    /// ```
    /// let mock = detsim::mock::SocketMock::builder().build();
    /// assert!(mock.is_done());
    /// ```
    pub fn build(self) -> SocketMock {
        self.shared.lock().owners += 1;
        SocketMock {
            shared: self.shared,
        }
    }
}

impl fmt::Debug for SocketMockBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.shared.lock();
        f.debug_struct("SocketMockBuilder")
            .field("name", &st.name)
            .field("steps", &st.script.steps.len())
            .field("stall_timeout", &st.stall)
            .field("allow_unconsumed", &st.allow_unconsumed)
            .finish()
    }
}
