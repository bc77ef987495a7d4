//! The borrowed halves of a [`TcpStream`](super::TcpStream)
//! ([`TcpStream::split`](super::TcpStream::split)): a read half and a
//! write half that borrow the stream, to read and write at once within
//! one task.

use std::io;
use std::net::SocketAddr;

use super::handle::Handle;
use super::stream::{addrs, debug_handle};
use crate::io_traits::{futures_read, futures_write};

/// The reading half of a [`TcpStream`](super::TcpStream) borrowed by
/// [`TcpStream::split`](super::TcpStream::split): futures' `AsyncRead`
/// (tokio's with the `tokio-io` feature), `peek`, `try_read` and
/// `readable`, as tokio's `tcp::ReadHalf`.
///
/// ```
/// use detsim::net::{TcpListener, TcpStream};
/// use futures::io::{AsyncReadExt, AsyncWriteExt};
///
/// let mut sim = detsim::Sim::builder().build();
/// sim.run(async {
///     let listener = TcpListener::bind("127.0.0.1:80").await.unwrap();
///     let mut client = TcpStream::connect("127.0.0.1:80").await.unwrap();
///     let (mut server, _) = listener.accept().await.unwrap();
///     server.write_all(b"ping").await.unwrap();
///     let (mut rd, mut wr) = TcpStream::split(&mut client);
///     // Read and write at once, in one task.
///     let mut got = [0u8; 4];
///     let (read, wrote) = futures::join!(rd.read_exact(&mut got), wr.write_all(b"pong"));
///     read.unwrap();
///     wrote.unwrap();
///     assert_eq!(&got, b"ping");
/// }).unwrap();
/// ```
pub struct ReadHalf<'a> {
    pub(super) h: &'a Handle,
}

/// The writing half of a [`TcpStream`](super::TcpStream) borrowed by
/// [`TcpStream::split`](super::TcpStream::split): futures' `AsyncWrite`
/// (tokio's with the `tokio-io` feature), `try_write` and `writable`, as
/// tokio's `tcp::WriteHalf`. Unlike
/// [`OwnedWriteHalf`](super::OwnedWriteHalf), dropping it shuts nothing
/// down; closing it (`close`, tokio's `shutdown`) is a half-close.
///
/// ```
/// use detsim::net::{TcpListener, TcpStream};
/// use futures::io::{AsyncReadExt, AsyncWriteExt};
///
/// let mut sim = detsim::Sim::builder().build();
/// sim.run(async {
///     let listener = TcpListener::bind("127.0.0.1:80").await.unwrap();
///     let mut client = TcpStream::connect("127.0.0.1:80").await.unwrap();
///     let (mut server, _) = listener.accept().await.unwrap();
///     {
///         let (_rd, mut wr) = TcpStream::split(&mut client);
///         wr.write_all(b"one").await.unwrap();
///     } // the halves are gone; the stream is whole
///     client.write_all(b" two").await.unwrap();
///     client.close().await.unwrap();
///     let mut got = String::new();
///     server.read_to_string(&mut got).await.unwrap();
///     assert_eq!(got, "one two");
/// }).unwrap();
/// ```
pub struct WriteHalf<'a> {
    pub(super) h: &'a Handle,
}

debug_handle!(ReadHalf<'_>, "ReadHalf");
debug_handle!(WriteHalf<'_>, "WriteHalf");

addrs!(ReadHalf<'_>, "client.split()");
addrs!(WriteHalf<'_>, "client.split()");

futures_read!(ReadHalf<'_>, h);
futures_write!(WriteHalf<'_>, h);
