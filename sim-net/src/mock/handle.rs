//! [`SocketMockHandle`]: adds steps to a running [`SocketMock`]'s script.
//!
//! [`SocketMock`]: super::SocketMock

use std::fmt;
use std::io::ErrorKind;
use std::sync::Arc;
use std::time::Duration;

use super::script::Step;
use super::state::Shared;

/// A cloneable handle on a [`SocketMock`](super::SocketMock)'s script:
/// appends steps while the test runs (waking a read or write that waits
/// for them) and checks progress. Get one from
/// [`SocketMock::handle`](super::SocketMock::handle) or
/// [`SocketMockBuilder::handle`](super::SocketMockBuilder::handle).
///
/// While a handle is alive, a call at the end of the script waits for
/// steps (up to the stall timeout) instead of panicking at once: drop the
/// handles you no longer need.
///
/// # Panics
///
/// Each step method panics, saying why, on a step that contradicts the
/// script (the rules of [`SocketMockBuilder`](super::SocketMockBuilder)).
///
/// ```
/// use futures::io::AsyncReadExt;
/// let mut sim = detsim::Sim::builder().build();
/// sim.run(async {
///     let mut mock = detsim::mock::SocketMock::builder().name("feed").build();
///     let handle = mock.handle();
///     let reader = detsim::spawn(async move {
///         let mut got = String::new();
///         mock.read_to_string(&mut got).await.unwrap();
///         got
///     });
///     detsim::time::sleep(std::time::Duration::from_secs(1)).await;
///     handle.reply(b"news").eof(); // wakes the blocked reader
///     assert_eq!(reader.await.unwrap(), "news");
///     assert!(handle.is_done());
/// }).unwrap();
/// ```
pub struct SocketMockHandle {
    shared: Arc<Shared>,
}

impl SocketMockHandle {
    pub(super) fn new(shared: Arc<Shared>) -> SocketMockHandle {
        shared.lock().handles += 1;
        SocketMockHandle { shared }
    }

    #[track_caller]
    fn step(&self, step: Step) -> &SocketMockHandle {
        self.shared.push(step);
        self
    }

    /// Appends an `expect_write(bytes)` step.
    ///
    /// ```
    /// let mock = detsim::mock::SocketMock::builder().allow_unconsumed().build();
    /// mock.handle().expect_write(b"HELO\r\n");
    /// assert!(!mock.is_done());
    /// ```
    #[track_caller]
    pub fn expect_write(&self, bytes: impl AsRef<[u8]>) -> &SocketMockHandle {
        self.step(Step::Write(bytes.as_ref().to_vec()))
    }

    /// Appends a `reply(bytes)` step.
    ///
    /// ```
    /// use futures::io::AsyncReadExt;
    /// let mut mock = detsim::mock::SocketMock::builder().build();
    /// mock.handle().reply(b"hi");
    /// let mut buf = [0u8; 2];
    /// futures::executor::block_on(mock.read_exact(&mut buf)).unwrap();
    /// assert_eq!(&buf, b"hi");
    /// ```
    #[track_caller]
    pub fn reply(&self, bytes: impl AsRef<[u8]>) -> &SocketMockHandle {
        self.step(Step::Reply(bytes.as_ref().to_vec()))
    }

    /// Appends a `wait(d)` step (it starts when it becomes the current
    /// step: now, if the script was done). As
    /// [`SocketMockBuilder::wait`](super::SocketMockBuilder::wait):
    /// `Duration::MAX` lasts 30 years, as `sleep(Duration::MAX)` does.
    ///
    /// ```
    /// let mock = detsim::mock::SocketMock::builder().build();
    /// mock.handle().wait(std::time::Duration::from_secs(1));
    /// assert!(mock.is_done()); // waits alone are not left over
    /// ```
    #[track_caller]
    pub fn wait(&self, d: Duration) -> &SocketMockHandle {
        self.step(Step::Wait(d))
    }

    /// Appends a `read_error(kind)` step.
    ///
    /// ```
    /// use futures::io::AsyncReadExt;
    /// let mut mock = detsim::mock::SocketMock::builder().build();
    /// mock.handle().read_error(std::io::ErrorKind::TimedOut);
    /// let err = futures::executor::block_on(mock.read(&mut [0u8; 1])).unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::TimedOut);
    /// ```
    #[track_caller]
    pub fn read_error(&self, kind: ErrorKind) -> &SocketMockHandle {
        self.step(Step::ReadError(kind))
    }

    /// Appends a `write_error(kind)` step.
    ///
    /// ```
    /// use futures::io::AsyncWriteExt;
    /// let mut mock = detsim::mock::SocketMock::builder().build();
    /// mock.handle().write_error(std::io::ErrorKind::BrokenPipe);
    /// let err = futures::executor::block_on(mock.flush()).unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::BrokenPipe);
    /// ```
    #[track_caller]
    pub fn write_error(&self, kind: ErrorKind) -> &SocketMockHandle {
        self.step(Step::WriteError(kind))
    }

    /// Appends an `expect_flush()` step.
    ///
    /// ```
    /// use futures::io::AsyncWriteExt;
    /// let mut mock = detsim::mock::SocketMock::builder().build();
    /// mock.handle().expect_flush();
    /// futures::executor::block_on(mock.flush()).unwrap();
    /// assert!(mock.is_done());
    /// ```
    #[track_caller]
    pub fn expect_flush(&self) -> &SocketMockHandle {
        self.step(Step::Flush)
    }

    /// Appends an `expect_shutdown()` step.
    ///
    /// ```
    /// use futures::io::AsyncWriteExt;
    /// let mut mock = detsim::mock::SocketMock::builder().build();
    /// mock.handle().expect_shutdown();
    /// futures::executor::block_on(mock.close()).unwrap();
    /// assert!(mock.is_done());
    /// ```
    #[track_caller]
    pub fn expect_shutdown(&self) -> &SocketMockHandle {
        self.step(Step::Shutdown)
    }

    /// Appends an `eof()` step: reads return 0 once it is reached.
    ///
    /// ```
    /// use futures::io::AsyncReadExt;
    /// let mut mock = detsim::mock::SocketMock::builder().build();
    /// mock.handle().eof();
    /// assert_eq!(futures::executor::block_on(mock.read(&mut [0u8; 1])).unwrap(), 0);
    /// ```
    #[track_caller]
    pub fn eof(&self) -> &SocketMockHandle {
        self.step(Step::Eof)
    }

    /// The mock's name.
    ///
    /// ```
    /// let mock = detsim::mock::SocketMock::builder().name("ftp").build();
    /// assert_eq!(mock.handle().name(), "ftp");
    /// ```
    pub fn name(&self) -> String {
        self.shared.lock().name.clone()
    }

    /// Whether every step the code under test must perform or observe is
    /// consumed (see [`SocketMock::is_done`](super::SocketMock::is_done)).
    ///
    /// ```
    /// let mock = detsim::mock::SocketMock::builder().reply(b"x").allow_unconsumed().build();
    /// assert!(!mock.handle().is_done());
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
    /// let mock = detsim::mock::SocketMock::builder().eof().build();
    /// mock.handle().assert_done();
    /// ```
    #[track_caller]
    pub fn assert_done(&self) {
        self.shared.assert_done();
    }
}

impl Clone for SocketMockHandle {
    /// Another handle on the same script.
    fn clone(&self) -> SocketMockHandle {
        SocketMockHandle::new(self.shared.clone())
    }
}

impl Drop for SocketMockHandle {
    fn drop(&mut self) {
        self.shared.release_handle();
    }
}

impl fmt::Debug for SocketMockHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.shared.lock();
        f.debug_struct("SocketMockHandle")
            .field("name", &st.name)
            .field("step", &st.script.pos)
            .field("steps", &st.script.steps.len())
            .finish()
    }
}
