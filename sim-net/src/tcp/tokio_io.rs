//! tokio's `AsyncRead`/`AsyncWrite` for [`TcpStream`] and its owned
//! halves (cargo feature `tokio-io`), next to futures' traits: the same
//! stream works with `tokio::io::AsyncReadExt`, `tokio::io::split`,
//! `tokio_util::codec` or hyper-util's `TokioIo`.
//!
//! Semantics are those of the futures impls: `poll_shutdown` is futures'
//! `poll_close` (a half-close: the FIN follows the buffered bytes, and the
//! call returns at once, as on a real socket).

use super::{OwnedReadHalf, OwnedWriteHalf, TcpStream};
use crate::io_traits::{tokio_read, tokio_write};

tokio_read!(TcpStream, h);
tokio_read!(OwnedReadHalf, h);
tokio_write!(TcpStream, h);
tokio_write!(OwnedWriteHalf, h);
