//! `JoinHandle`, `AbortHandle` and `JoinError`.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};

use super::{TaskId, TaskInfo};
use crate::context;
use crate::panic::PanicRecord;
use crate::task::table::Cancel;

/// A task's address: which simulation, which slot, which generation.
/// Plain data, so handles are `Send` and safe to drop anywhere.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RawHandle {
    pub(crate) instance: u64,
    pub(crate) index: u32,
    pub(crate) generation: u32,
    pub(crate) id: TaskId,
}

/// An owned permission to await a task's output; returned by
/// [`spawn`](crate::spawn).
///
/// Awaiting it gives the task's output, or a [`JoinError`] if the task
/// panicked or was cancelled (aborted, or its node killed). Dropping it
/// detaches the task, which keeps running; if a detached task panics, the
/// run fails, naming the task (a panic nobody can observe is a bug).
///
/// The handle is plain data (simulation, slot, generation): it is `Send`
/// when `T` is, and using it outside its simulation panics with a clear
/// message instead of touching another simulation's state. Like tokio's, it
/// is not `#[must_use]`: the task runs whether or not anyone awaits it, so
/// `spawn(fut);` is the way to start a fire-and-forget task. Dropped outside
/// its simulation (on another thread, or after the run returned), a handle
/// cannot tell the simulation it is gone; the task then counts as joined-to
/// until the simulation is dropped.
///
/// # Example
///
/// ```
/// let mut sim = detsim::Sim::builder().build();
/// sim.run(async {
///     let h = detsim::spawn(async { "done" });
///     assert_eq!(h.await.unwrap(), "done");
///
///     let h = detsim::spawn(std::future::pending::<()>());
///     h.abort();
///     assert!(h.await.unwrap_err().is_cancelled());
/// }).unwrap();
/// ```
pub struct JoinHandle<T> {
    raw: RawHandle,
    done: bool,
    _output: PhantomData<T>,
}

impl<T> Unpin for JoinHandle<T> {}

impl<T> JoinHandle<T> {
    pub(crate) fn new(raw: RawHandle) -> JoinHandle<T> {
        JoinHandle {
            raw,
            done: false,
            _output: PhantomData,
        }
    }

    /// Cancels the task: its future is dropped (destructors run) and an
    /// await of this handle gives a cancelled [`JoinError`]. No effect on a
    /// finished task, nor, as in tokio, on a
    /// [`spawn_blocking`](crate::spawn_blocking) task whose closure has run
    /// (the handle yields its output). A task that aborts itself is
    /// cancelled when its current poll returns.
    ///
    /// # Panics
    ///
    /// Outside the task's simulation.
    ///
    /// ```
    /// let mut sim = detsim::Sim::builder().build();
    /// sim.run(async {
    ///     let h = detsim::spawn(async { detsim::time::sleep(std::time::Duration::from_secs(9)).await });
    ///     h.abort();
    ///     assert!(h.await.unwrap_err().is_cancelled());
    /// }).unwrap();
    /// ```
    #[track_caller]
    pub fn abort(&self) {
        context::for_instance(self.raw.instance, "detsim::task::JoinHandle::abort").abort(self.raw);
    }

    /// Whether the task has finished (returned, panicked or been
    /// cancelled).
    ///
    /// # Panics
    ///
    /// Outside the task's simulation.
    ///
    /// ```
    /// let mut sim = detsim::Sim::builder().build();
    /// sim.run(async {
    ///     let h = detsim::spawn(async {});
    ///     assert!(!h.is_finished());
    ///     detsim::time::sleep(std::time::Duration::from_millis(1)).await;
    ///     assert!(h.is_finished());
    /// }).unwrap();
    /// ```
    #[track_caller]
    pub fn is_finished(&self) -> bool {
        self.done
            || context::for_instance(self.raw.instance, "detsim::task::JoinHandle::is_finished")
                .is_finished(self.raw)
    }

    /// The task's id.
    ///
    /// ```
    /// let mut sim = detsim::Sim::builder().build();
    /// sim.run(async {
    ///     let h = detsim::spawn(async { detsim::task::id() });
    ///     let id = h.id();
    ///     assert_eq!(h.await.unwrap(), id);
    /// }).unwrap();
    /// ```
    pub fn id(&self) -> TaskId {
        self.raw.id
    }

    pub(crate) fn raw(&self) -> RawHandle {
        self.raw
    }

    /// Registers `waker` to be woken when the task finishes, without
    /// polling the handle; `true` if it has finished already.
    pub(crate) fn watch(&self, waker: &std::task::Waker) -> bool {
        context::for_instance(self.raw.instance, "detsim::task::JoinSet::spawn")
            .watch_join(self.raw, waker)
    }

    pub(crate) fn raw_instance(&self) -> u64 {
        self.raw.instance
    }

    /// A handle that can abort the task without owning its output.
    ///
    /// ```
    /// let mut sim = detsim::Sim::builder().build();
    /// sim.run(async {
    ///     let h = detsim::spawn(std::future::pending::<()>());
    ///     let abort = h.abort_handle();
    ///     abort.abort();
    ///     assert!(h.await.unwrap_err().is_cancelled());
    /// }).unwrap();
    /// ```
    pub fn abort_handle(&self) -> AbortHandle {
        AbortHandle { raw: self.raw }
    }
}

impl<T: 'static> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    #[track_caller]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        assert!(
            !self.done,
            "a detsim JoinHandle was polled after it completed"
        );
        let rt = context::for_instance(self.raw.instance, "detsim::task::JoinHandle::poll");
        let mut out: Option<T> = None;
        let res = match rt.poll_join(self.raw, cx, &mut out) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(Ok(())) => Ok(out.expect("detsim: task output of an unexpected type")),
            Poll::Ready(Err(e)) => Err(e),
        };
        self.done = true;
        Poll::Ready(res)
    }
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        if let Some(rt) = context::try_instance(self.raw.instance) {
            rt.detach(self.raw);
        }
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("id", &self.raw.id)
            .finish()
    }
}

/// Aborts a task without owning its output; see
/// [`JoinHandle::abort_handle`].
///
/// ```
/// let mut sim = detsim::Sim::builder().build();
/// sim.run(async {
///     let h = detsim::spawn(std::future::pending::<()>());
///     let a = h.abort_handle();
///     assert_eq!(a.id(), h.id());
///     a.abort();
///     assert!(a.is_finished());
/// # drop(h);
/// }).unwrap();
/// ```
#[derive(Clone, Debug)]
pub struct AbortHandle {
    raw: RawHandle,
}

impl AbortHandle {
    /// Cancels the task; see [`JoinHandle::abort`] (no effect on a
    /// finished task or a started blocking task).
    ///
    /// # Panics
    ///
    /// Outside the task's simulation.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let h = detsim::spawn(std::future::pending::<()>());
    /// h.abort_handle().abort();
    /// assert!(h.await.unwrap_err().is_cancelled());
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn abort(&self) {
        context::for_instance(self.raw.instance, "detsim::task::AbortHandle::abort")
            .abort(self.raw);
    }

    /// Whether the task has finished.
    ///
    /// # Panics
    ///
    /// Outside the task's simulation.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let h = detsim::spawn(std::future::pending::<()>());
    /// assert!(!h.abort_handle().is_finished());
    /// # h.abort();
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn is_finished(&self) -> bool {
        context::for_instance(self.raw.instance, "detsim::task::AbortHandle::is_finished")
            .is_finished(self.raw)
    }

    /// The task's id.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let h = detsim::spawn(async {});
    /// assert_eq!(h.abort_handle().id(), h.id());
    /// # }).unwrap();
    /// ```
    pub fn id(&self) -> TaskId {
        self.raw.id
    }
}

/// Why awaiting a [`JoinHandle`] gave no output: the task panicked or was
/// cancelled.
///
/// ```
/// let mut sim = detsim::Sim::builder().build();
/// sim.run(async {
///     let err = detsim::spawn(async { panic!("boom") }).await.unwrap_err();
///     assert!(err.is_panic());
///     assert_eq!(err.panic_message(), Some("boom"));
///     assert!(err.to_string().contains("panicked"), "{err}");
/// }).unwrap();
/// ```
pub struct JoinError(Box<Inner>);

struct Inner {
    task: TaskInfo,
    repr: Repr,
}

enum Repr {
    Cancelled(Cancel),
    // A Mutex makes the error `Sync` (as tokio's is) without `unsafe`.
    Panic(Mutex<Box<dyn Any + Send>>, PanicRecord),
}

impl JoinError {
    pub(crate) fn cancelled(task: TaskInfo, why: Cancel) -> JoinError {
        JoinError(Box::new(Inner {
            task,
            repr: Repr::Cancelled(why),
        }))
    }

    pub(crate) fn panic(
        task: TaskInfo,
        payload: Box<dyn Any + Send>,
        record: PanicRecord,
    ) -> JoinError {
        JoinError(Box::new(Inner {
            task,
            repr: Repr::Panic(Mutex::new(payload), record),
        }))
    }

    /// Whether the task was cancelled (aborted, or its node killed).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let h = detsim::spawn(std::future::pending::<()>());
    /// h.abort();
    /// assert!(h.await.unwrap_err().is_cancelled());
    /// # }).unwrap();
    /// ```
    pub fn is_cancelled(&self) -> bool {
        matches!(self.0.repr, Repr::Cancelled(_))
    }

    /// Whether the task panicked.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// assert!(detsim::spawn(async { panic!() }).await.unwrap_err().is_panic());
    /// # }).unwrap();
    /// ```
    pub fn is_panic(&self) -> bool {
        matches!(self.0.repr, Repr::Panic(..))
    }

    /// The panic message, if the task panicked with a string.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let e = detsim::spawn(async { panic!("x = {}", 1) }).await.unwrap_err();
    /// assert_eq!(e.panic_message(), Some("x = 1"));
    /// # }).unwrap();
    /// ```
    pub fn panic_message(&self) -> Option<&str> {
        match &self.0.repr {
            Repr::Panic(_, r) => Some(&r.message),
            Repr::Cancelled(_) => None,
        }
    }

    /// The panic payload, to re-raise with `std::panic::resume_unwind`.
    ///
    /// # Panics
    ///
    /// If the task did not panic.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let e = detsim::spawn(async { std::panic::panic_any(7_u8) }).await.unwrap_err();
    /// assert_eq!(*e.into_panic().downcast::<u8>().unwrap(), 7);
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn into_panic(self) -> Box<dyn Any + Send> {
        self.try_into_panic()
            .expect("JoinError::into_panic called on a cancelled task's error")
    }

    /// The panic payload, or the error itself if the task was cancelled.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let h = detsim::spawn(std::future::pending::<()>());
    /// h.abort();
    /// assert!(h.await.unwrap_err().try_into_panic().is_err());
    /// # }).unwrap();
    /// ```
    pub fn try_into_panic(self) -> Result<Box<dyn Any + Send>, JoinError> {
        match self.0.repr {
            Repr::Panic(payload, _) => Ok(payload.into_inner().unwrap_or_else(|e| e.into_inner())),
            repr @ Repr::Cancelled(_) => Err(JoinError(Box::new(Inner {
                task: self.0.task,
                repr,
            }))),
        }
    }

    /// The id of the task.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let h = detsim::spawn(async { panic!() });
    /// let id = h.id();
    /// assert_eq!(h.await.unwrap_err().id(), id);
    /// # }).unwrap();
    /// ```
    pub fn id(&self) -> TaskId {
        self.0.task.id
    }

    /// The task that failed.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let h = detsim::task::Builder::new().name("w").spawn(async { panic!() });
    /// assert_eq!(h.await.unwrap_err().task().name(), Some("w"));
    /// # }).unwrap();
    /// ```
    pub fn task(&self) -> &TaskInfo {
        &self.0.task
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0.repr {
            Repr::Cancelled(why) => {
                let why = match why {
                    Cancel::Aborted => "it was aborted",
                    Cancel::NodeKilled => "its node was killed",
                    Cancel::NodeDown => "its node was down when it was spawned",
                    Cancel::Shutdown => "the simulation was shutting down",
                };
                write!(f, "{} was cancelled: {why}", self.0.task)
            }
            Repr::Panic(_, r) => {
                write!(f, "{} panicked", self.0.task)?;
                if let Some(loc) = &r.location {
                    write!(f, " at {loc}")?;
                }
                write!(f, ": {}", r.message)
            }
        }
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JoinError({self})")
    }
}

impl std::error::Error for JoinError {}

impl From<JoinError> for std::io::Error {
    fn from(e: JoinError) -> Self {
        std::io::Error::other(e)
    }
}
