//! The io trait impls of sim-net's byte streams: [`TcpStream`] and its
//! owned halves, [`SocketMock`] and its halves.
//!
//! Each of those types keeps its logic behind one field with inherent
//! `poll_read`, `poll_write`, `poll_flush` and `poll_close` methods (a
//! connection handle, or the mock's shared script). These macros implement
//! futures' `AsyncRead`/`AsyncWrite`, and tokio's with the `tokio-io`
//! feature, by delegating to that field, so every stream type reads,
//! writes, flushes and closes the same way:
//!
//! * futures' `poll_close` and tokio's `poll_shutdown` are the field's
//!   `poll_close` (for a TCP stream, a half-close that returns at once,
//!   the FIN following the buffered bytes);
//! * tokio's read fills the unfilled part of its `ReadBuf` (nothing added
//!   means EOF), and a `ReadBuf` with no room left reads nothing.
//!
//! [`TcpStream`]: crate::TcpStream
//! [`SocketMock`]: crate::SocketMock

/// `impl futures::io::AsyncRead for $t`, delegating to `self.$field`.
macro_rules! futures_read {
    ($t:ty, $field:ident) => {
        impl ::futures::io::AsyncRead for $t {
            fn poll_read(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
                buf: &mut [u8],
            ) -> ::std::task::Poll<::std::io::Result<usize>> {
                self.$field.poll_read(cx, buf)
            }
        }
    };
}

/// `impl $trait for $t` (futures' or tokio's `AsyncWrite`, whose close
/// method is `$close`), delegating to `self.$field`.
macro_rules! delegate_write {
    ($trait:path, $close:ident, $t:ty, $field:ident) => {
        impl $trait for $t {
            fn poll_write(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
                buf: &[u8],
            ) -> ::std::task::Poll<::std::io::Result<usize>> {
                self.$field.poll_write(cx, buf)
            }

            fn poll_flush(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
            ) -> ::std::task::Poll<::std::io::Result<()>> {
                self.$field.poll_flush(cx)
            }

            fn $close(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
            ) -> ::std::task::Poll<::std::io::Result<()>> {
                self.$field.poll_close(cx)
            }
        }
    };
}

/// `impl futures::io::AsyncWrite for $t`, delegating to `self.$field`.
macro_rules! futures_write {
    ($t:ty, $field:ident) => {
        $crate::io_traits::delegate_write!(::futures::io::AsyncWrite, poll_close, $t, $field);
    };
}

/// `impl tokio::io::AsyncRead for $t`, delegating to `self.$field`.
#[cfg(feature = "tokio-io")]
macro_rules! tokio_read {
    ($t:ty, $field:ident) => {
        impl ::tokio::io::AsyncRead for $t {
            fn poll_read(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
                buf: &mut ::tokio::io::ReadBuf<'_>,
            ) -> ::std::task::Poll<::std::io::Result<()>> {
                if buf.remaining() == 0 {
                    return ::std::task::Poll::Ready(Ok(()));
                }
                let n = ::std::task::ready!(self.$field.poll_read(cx, buf.initialize_unfilled()))?;
                buf.advance(n);
                ::std::task::Poll::Ready(Ok(()))
            }
        }
    };
}

/// `impl tokio::io::AsyncWrite for $t`, delegating to `self.$field`.
#[cfg(feature = "tokio-io")]
macro_rules! tokio_write {
    ($t:ty, $field:ident) => {
        $crate::io_traits::delegate_write!(::tokio::io::AsyncWrite, poll_shutdown, $t, $field);
    };
}

pub(crate) use {delegate_write, futures_read, futures_write};
#[cfg(feature = "tokio-io")]
pub(crate) use {tokio_read, tokio_write};
