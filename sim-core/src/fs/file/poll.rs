//! [`File`]'s poll-based I/O: futures' `AsyncRead`, `AsyncWrite` and
//! `AsyncSeek`, each operation after one I/O latency.

use std::io::{self, ErrorKind, SeekFrom};
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures::io::{AsyncRead, AsyncSeek, AsyncWrite};

use super::{API, File};
use crate::fs::config::DiskConfig;
use crate::fs::faults;
use crate::fs::state::{NodeDisk, stale};

impl File {
    /// Runs `op` on the disk after one I/O latency: at once, with a
    /// single lookup of the disk, when the latency is zero; else after a
    /// sleep on the virtual clock (kept in the handle across polls).
    pub(super) fn poll_io<R>(
        &mut self,
        cx: &mut Context<'_>,
        op: impl FnOnce(&File, &mut NodeDisk, &DiskConfig) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        let mut op = Some(op);
        if self.delay.is_none() {
            let this = &*self;
            let now = this.here.with(API, |d, c| {
                let latency = faults::delay(&c.latency);
                if !latency.is_zero() {
                    return Err(latency);
                }
                let op = op.take().expect("runs once");
                Ok(if d.incarnation != this.incarnation {
                    Err(stale(this.name()))
                } else {
                    op(this, d, c)
                })
            });
            match now {
                Ok(result) => return Poll::Ready(result),
                Err(latency) => self.delay = Some(sim_clock::sleep(latency)),
            }
        }
        if let Some(sleep) = &mut self.delay {
            ready!(sleep.poll_elapsed(cx));
        }
        self.delay = None;
        let op = op.take().expect("runs once");
        Poll::Ready(self.with(|d, c| op(self, d, c)))
    }
}

impl AsyncRead for File {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if !this.read {
            return Poll::Ready(Err(this.denied("read")));
        }
        // The cursor is read and moved when the read lands (after its
        // latency): a clone's operation in between moves it too.
        let n = ready!(this.poll_io(cx, |f, d, c| {
            let at = f.pos();
            let n = f.read_on(d, c, buf, at)?;
            f.set_pos(at + n as u64);
            Ok(n)
        }))?;
        Poll::Ready(Ok(n))
    }
}

impl AsyncWrite for File {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if !this.write {
            return Poll::Ready(Err(this.denied("write")));
        }
        let n = ready!(this.poll_io(cx, |f, d, c| {
            let (offset, n) = f.write_on(d, c, buf, None)?;
            f.set_pos(offset + n as u64);
            Ok(n)
        }))?;
        Poll::Ready(Ok(n))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

impl AsyncSeek for File {
    fn poll_seek(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        pos: SeekFrom,
    ) -> Poll<io::Result<u64>> {
        let this = self.get_mut();
        let ino = this.ino;
        // A handle from before a crash is stale for every operation, a
        // seek included; the length matters only to `End`.
        let len = this.with(|disk, _| Ok(disk.tree.content(ino).map_or(0, |c| c.len())))?;
        let (base, delta) = match pos {
            SeekFrom::Start(n) => (n, 0),
            SeekFrom::Current(d) => (this.pos(), d),
            SeekFrom::End(d) => (len, d),
        };
        // As Linux's lseek: the position is an off_t, so past i64::MAX is
        // EINVAL too.
        match base
            .checked_add_signed(delta)
            .filter(|&p| i64::try_from(p).is_ok())
        {
            Some(p) => {
                this.set_pos(p);
                Poll::Ready(Ok(p))
            }
            None => Poll::Ready(Err(io::Error::new(
                ErrorKind::InvalidInput,
                format!(
                    "{}: invalid seek to a negative or overflowing position",
                    this.name()
                ),
            ))),
        }
    }
}
