//! `SocketMock`: a scripted peer that implements the io traits of
//! [`TcpStream`](crate::TcpStream), for testing code generic over a stream
//! against a script instead of a server (asynctest's `SocketMock`, grown
//! up). The tutorial, and the table of what each call does at each step,
//! are on [`SocketMock`].
//!
//! | file | concept |
//! |---|---|
//! | `script.rs` | the steps and the cursor over them (pure logic) |
//! | `state.rs` | the shared state and the poll logic of every call |
//! | `report.rs` | the panic messages: hex + lossy UTF-8, the script listing |
//! | `builder.rs`, `handle.rs`, `socket.rs` | the public types |
//! | `tokio_io.rs` | tokio's io traits (feature `tokio-io`) |

mod builder;
mod handle;
mod report;
mod script;
mod socket;
mod state;
#[cfg(feature = "tokio-io")]
mod tokio_io;

pub use builder::SocketMockBuilder;
pub use handle::SocketMockHandle;
pub use socket::{SocketMock, SocketMockReadHalf, SocketMockWriteHalf};
