//! tokio's `AsyncRead`/`AsyncWrite` for [`SocketMock`] and its halves
//! (cargo feature `tokio-io`), next to futures' traits, with the same
//! semantics: `poll_shutdown` is the shutdown of the table on
//! [`SocketMock`].

use super::{SocketMock, SocketMockReadHalf, SocketMockWriteHalf};
use crate::io_traits::{tokio_read, tokio_write};

tokio_read!(SocketMock, shared);
tokio_read!(SocketMockReadHalf, shared);
tokio_write!(SocketMock, shared);
tokio_write!(SocketMockWriteHalf, shared);
