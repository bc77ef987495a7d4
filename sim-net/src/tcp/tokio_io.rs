//! tokio's `AsyncRead`/`AsyncWrite` for [`TcpStream`] and its halves,
//! owned and borrowed (cargo feature `tokio-io`), next to futures'
//! traits: the same stream works with `tokio::io::AsyncReadExt`,
//! `tokio::io::split`, `tokio::io::copy`, `tokio_util::codec` or
//! hyper-util's `TokioIo`.
//!
//! Semantics are those of the futures impls: `poll_shutdown` is futures'
//! `poll_close` (a half-close: the FIN follows the buffered bytes, and the
//! call returns at once, as on a real socket).

use super::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, TcpStream, WriteHalf};
use crate::io_traits::{tokio_read, tokio_write};

tokio_read!(TcpStream, h);
tokio_read!(OwnedReadHalf, h);
tokio_read!(ReadHalf<'_>, h);
tokio_write!(TcpStream, h);
tokio_write!(OwnedWriteHalf, h);
tokio_write!(WriteHalf<'_>, h);
