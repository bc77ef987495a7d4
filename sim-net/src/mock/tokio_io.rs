//! tokio's `AsyncRead`/`AsyncWrite` for [`SocketMock`] and its halves
//! (cargo feature `tokio-io`), next to futures' traits, with the same
//! semantics: `poll_shutdown` is the shutdown of the table on
//! [`SocketMock`].

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::{SocketMock, SocketMockReadHalf, SocketMockWriteHalf};

macro_rules! read {
    ($t:ty) => {
        /// tokio's read: fills the unfilled part of `buf` from the
        /// script's `reply` steps (nothing added means EOF).
        impl AsyncRead for $t {
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut ReadBuf<'_>,
            ) -> Poll<io::Result<()>> {
                if buf.remaining() == 0 {
                    return Poll::Ready(Ok(()));
                }
                match self.shared.poll_read(cx, buf.initialize_unfilled()) {
                    Poll::Ready(Ok(n)) => {
                        buf.advance(n);
                        Poll::Ready(Ok(()))
                    }
                    Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    };
}

macro_rules! write {
    ($t:ty) => {
        /// tokio's write: checks writes, flushes and `poll_shutdown`
        /// against the script.
        impl AsyncWrite for $t {
            fn poll_write(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &[u8],
            ) -> Poll<io::Result<usize>> {
                self.shared.poll_write(cx, buf)
            }

            fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                self.shared.poll_flush(cx)
            }

            fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                self.shared.poll_close(cx)
            }
        }
    };
}

read!(SocketMock);
read!(SocketMockReadHalf);
write!(SocketMock);
write!(SocketMockWriteHalf);
