//! The type-erased task: a future, then its output, in one allocation.

use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use crate::raw::RawTask;

/// A spawned future as the executor stores it.
pub(crate) trait Task {
    /// Polls the future; on completion the output is kept inside.
    fn poll_task(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()>;
    /// Moves the output into `dst`, which must be an `Option<Output>`.
    /// Returns `false` if the types do not match or there is no output.
    fn take_output(self: Pin<&mut Self>, dst: &mut dyn Any) -> bool;
}

/// A spawned task as the executor holds it (see [`RawTask`]).
pub(crate) type BoxTask = RawTask;

pin_project! {
    #[project = CellProj]
    #[project_replace = CellReplace]
    pub(crate) enum TaskCell<F: Future> {
        Running { #[pin] future: F },
        Done { output: F::Output },
        Taken,
    }
}

#[inline(always)]
pub(crate) fn boxed<F>(future: F) -> BoxTask
where
    F: Future + 'static,
    F::Output: 'static,
{
    RawTask::new(TaskCell::Running { future })
}

impl<F> Task for TaskCell<F>
where
    F: Future,
    F::Output: 'static,
{
    fn poll_task(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let output = match self.as_mut().project() {
            CellProj::Running { future } => match future.poll(cx) {
                Poll::Ready(v) => v,
                Poll::Pending => return Poll::Pending,
            },
            _ => unreachable!("detsim polled a finished task"),
        };
        self.set(TaskCell::Done { output });
        Poll::Ready(())
    }

    fn take_output(self: Pin<&mut Self>, dst: &mut dyn Any) -> bool {
        let Some(slot) = dst.downcast_mut::<Option<F::Output>>() else {
            return false;
        };
        match self.project_replace(TaskCell::Taken) {
            CellReplace::Done { output } => {
                *slot = Some(output);
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_is_kept_until_taken_once() {
        let mut t = boxed(async { 41 + 1 });
        let mut cx = Context::from_waker(std::task::Waker::noop());
        assert!(t.poll_task(&mut cx).is_ready());
        let mut wrong: Option<String> = None;
        assert!(!t.take_output(&mut wrong));
        let mut out: Option<i32> = None;
        assert!(t.take_output(&mut out));
        assert_eq!(out, Some(42));
        assert!(!t.take_output(&mut out));
    }
}
