//! The owned halves of a [`TcpStream`] ([`TcpStream::into_split`]), which
//! can move to different tasks, and `reunite`, which puts them back
//! together.

use std::io;
use std::net::SocketAddr;

use super::TcpStream;
use super::handle::Handle;
use super::stream::{addrs, debug_handle};
use crate::io_traits::{futures_read, futures_write};

/// The reading half of a [`TcpStream`] ([`TcpStream::into_split`]): futures'
/// `AsyncRead` (tokio's with the `tokio-io` feature), `peek`, `try_read`
/// and `readable`. [`reunite`](Self::reunite) with its write half gives
/// the stream back.
///
/// ```
/// use detsim::net::{TcpListener, TcpStream};
/// use futures::io::{AsyncReadExt, AsyncWriteExt};
///
/// let mut sim = detsim::Sim::builder().build();
/// sim.run(async {
///     let listener = TcpListener::bind("127.0.0.1:80").await.unwrap();
///     let client = TcpStream::connect("127.0.0.1:80").await.unwrap();
///     let (mut server, _) = listener.accept().await.unwrap();
///     let (mut rd, _wr) = client.into_split();
///     // The read half moves to its own task.
///     let reader = detsim::spawn(async move {
///         let mut got = [0u8; 4];
///         rd.read_exact(&mut got).await.unwrap();
///         got
///     });
///     server.write_all(b"pong").await.unwrap();
///     assert_eq!(&reader.await.unwrap(), b"pong");
/// }).unwrap();
/// ```
pub struct OwnedReadHalf {
    pub(super) h: Handle,
}

/// The writing half of a [`TcpStream`] ([`TcpStream::into_split`]):
/// futures' `AsyncWrite` (tokio's with the `tokio-io` feature),
/// `try_write` and `writable`. Dropping it shuts the writing side down
/// (the peer reads EOF after the bytes written), as tokio's does;
/// [`reunite`](Self::reunite) with its read half gives the stream back.
///
/// ```
/// use detsim::net::{TcpListener, TcpStream};
/// use futures::io::{AsyncReadExt, AsyncWriteExt};
///
/// let mut sim = detsim::Sim::builder().build();
/// sim.run(async {
///     let listener = TcpListener::bind("127.0.0.1:80").await.unwrap();
///     let client = TcpStream::connect("127.0.0.1:80").await.unwrap();
///     let (mut server, _) = listener.accept().await.unwrap();
///     let (_rd, mut wr) = client.into_split();
///     wr.write_all(b"bye").await.unwrap();
///     drop(wr); // a half-close: the read half still works
///     let mut got = String::new();
///     server.read_to_string(&mut got).await.unwrap();
///     assert_eq!(got, "bye");
/// }).unwrap();
/// ```
pub struct OwnedWriteHalf {
    pub(super) h: Handle,
}

impl OwnedReadHalf {
    /// Puts the stream back together from this half and its write half,
    /// as tokio's `reunite`: the stream is as the halves left it (a
    /// write side already shut down stays shut down).
    ///
    /// # Errors
    ///
    /// [`ReuniteError`] when `other` is the write half of another stream
    /// (another connection, or the other end of this one); both halves
    /// come back in it, untouched.
    ///
    /// ```
    /// use detsim::net::{TcpListener, TcpStream};
    ///
    /// let mut sim = detsim::Sim::builder().build();
    /// sim.run(async {
    ///     let _listener = TcpListener::bind("127.0.0.1:80").await.unwrap();
    ///     let a = TcpStream::connect("127.0.0.1:80").await.unwrap();
    ///     let b = TcpStream::connect("127.0.0.1:80").await.unwrap();
    ///     let (a_rd, a_wr) = a.into_split();
    ///     let (b_rd, b_wr) = b.into_split();
    ///     // Halves of two streams: both come back in the error.
    ///     let err = a_rd.reunite(b_wr).unwrap_err();
    ///     let (a_rd, b_wr) = (err.0, err.1);
    ///     let a = a_rd.reunite(a_wr).unwrap();
    ///     let b = b_wr.reunite(b_rd).unwrap();
    ///     assert_ne!(a.local_addr().unwrap(), b.local_addr().unwrap());
    /// }).unwrap();
    /// ```
    pub fn reunite(self, other: OwnedWriteHalf) -> Result<TcpStream, ReuniteError> {
        reunite(self, other)
    }
}

impl OwnedWriteHalf {
    /// Puts the stream back together from this half and its read half:
    /// [`OwnedReadHalf::reunite`] from the other side.
    ///
    /// # Errors
    ///
    /// [`ReuniteError`] when `other` is the read half of another stream;
    /// both halves come back in it.
    ///
    /// ```
    /// use detsim::net::{TcpListener, TcpStream};
    ///
    /// let mut sim = detsim::Sim::builder().build();
    /// sim.run(async {
    ///     let _listener = TcpListener::bind("127.0.0.1:80").await.unwrap();
    ///     let client = TcpStream::connect("127.0.0.1:80").await.unwrap();
    ///     let local = client.local_addr().unwrap();
    ///     let (rd, wr) = client.into_split();
    ///     let client = wr.reunite(rd).unwrap();
    ///     assert_eq!(client.local_addr().unwrap(), local);
    /// }).unwrap();
    /// ```
    pub fn reunite(self, other: OwnedReadHalf) -> Result<TcpStream, ReuniteError> {
        reunite(other, self)
    }
}

/// The stream of `rd` and `wr` if they are its halves.
fn reunite(rd: OwnedReadHalf, wr: OwnedWriteHalf) -> Result<TcpStream, ReuniteError> {
    if rd.h != wr.h {
        return Err(ReuniteError(rd, wr));
    }
    let h = rd.h;
    // The two halves' handles become the stream's two (see `release`).
    std::mem::forget(rd);
    std::mem::forget(wr);
    Ok(TcpStream { h })
}

/// The error of [`OwnedReadHalf::reunite`] and
/// [`OwnedWriteHalf::reunite`]: the halves are not of the same stream.
/// Both are given back, as with tokio's `ReuniteError`.
///
/// ```
/// use detsim::net::{TcpListener, TcpStream};
///
/// let mut sim = detsim::Sim::builder().build();
/// sim.run(async {
///     let listener = TcpListener::bind("127.0.0.1:80").await.unwrap();
///     let client = TcpStream::connect("127.0.0.1:80").await.unwrap();
///     let (server, _) = listener.accept().await.unwrap();
///     // The two ends of one connection are two streams.
///     let (rd, _) = client.into_split();
///     let (_, wr) = server.into_split();
///     let err = rd.reunite(wr).unwrap_err();
///     assert!(err.to_string().contains("not halves of the same stream"));
///     let (rd, wr) = (err.0, err.1);
///     assert_eq!(rd.local_addr().unwrap(), wr.peer_addr().unwrap());
/// }).unwrap();
/// ```
#[derive(Debug)]
pub struct ReuniteError(pub OwnedReadHalf, pub OwnedWriteHalf);

impl std::fmt::Display for ReuniteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(
            "tried to reunite a read half and a write half that are not halves of the same \
             stream (from one TcpStream::into_split)",
        )
    }
}

impl std::error::Error for ReuniteError {}

debug_handle!(OwnedReadHalf, "OwnedReadHalf");
debug_handle!(OwnedWriteHalf, "OwnedWriteHalf");

addrs!(OwnedReadHalf, "client.into_split()");
addrs!(OwnedWriteHalf, "client.into_split()");

impl Drop for OwnedReadHalf {
    fn drop(&mut self) {
        self.h.release(1, false);
    }
}

impl Drop for OwnedWriteHalf {
    fn drop(&mut self) {
        self.h.release(1, true);
    }
}

futures_read!(OwnedReadHalf, h);
futures_write!(OwnedWriteHalf, h);
