//! tokio's `AsyncRead`/`AsyncWrite` for [`TcpStream`] and its owned
//! halves (cargo feature `tokio-io`), next to futures' traits: the same
//! stream works with `tokio::io::AsyncReadExt`, `tokio::io::split`,
//! `tokio_util::codec` or hyper-util's `TokioIo`.
//!
//! Semantics are those of the futures impls: `poll_shutdown` is futures'
//! `poll_close` (a half-close that waits until the FIN left).

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::{OwnedReadHalf, OwnedWriteHalf, TcpStream};

macro_rules! read {
    ($t:ty) => {
        /// tokio's read: fills the unfilled part of `buf` with the bytes
        /// that arrived (`Ok` with nothing added means EOF).
        impl AsyncRead for $t {
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut ReadBuf<'_>,
            ) -> Poll<io::Result<()>> {
                if buf.remaining() == 0 {
                    return Poll::Ready(Ok(()));
                }
                let n = match self.h.poll_read(cx, buf.initialize_unfilled()) {
                    Poll::Ready(Ok(n)) => n,
                    Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                    Poll::Pending => return Poll::Pending,
                };
                buf.advance(n);
                Poll::Ready(Ok(()))
            }
        }
    };
}

macro_rules! write {
    ($t:ty) => {
        /// tokio's write: `poll_shutdown` half-closes (the peer reads EOF
        /// after the buffered bytes) and waits until the FIN left.
        impl AsyncWrite for $t {
            fn poll_write(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &[u8],
            ) -> Poll<io::Result<usize>> {
                self.h.poll_write(cx, buf)
            }

            fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                self.h.poll_flush(cx)
            }

            fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                self.h.poll_close(cx)
            }
        }
    };
}

read!(TcpStream);
read!(OwnedReadHalf);
write!(TcpStream);
write!(OwnedWriteHalf);
