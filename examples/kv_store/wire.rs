//! The store's wire protocol: one request line, one reply line, one TCP
//! connection per call.
//!
//! Every message is a line of space-separated words (keys and values are
//! single words), so a trace of the run stays readable. A call that takes
//! longer than [`RPC_TIMEOUT`] (a partition, a dead peer, a clogged link)
//! is abandoned with `TimedOut`: the caller cannot tell whether the peer
//! acted on it, exactly as with a real network.

use std::io;
use std::time::Duration;

use detsim::net::{TcpListener, TcpStream};
use detsim::time;
use futures::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// The port every store node listens on.
pub(crate) const PORT: u16 = 7000;

/// How long a call between store nodes may take before the caller gives
/// up on it.
pub(crate) const RPC_TIMEOUT: Duration = Duration::from_millis(60);

/// Sends `request` to `node` and waits up to `timeout` for its one-line
/// reply.
pub(crate) async fn call(node: &str, request: &str, timeout: Duration) -> io::Result<String> {
    let exchange = async {
        let stream = TcpStream::connect(format!("{node}:{PORT}")).await?;
        let mut stream = BufReader::new(stream);
        stream
            .get_mut()
            .write_all(format!("{request}\n").as_bytes())
            .await?;
        let mut reply = String::new();
        stream.read_line(&mut reply).await?;
        if !reply.ends_with('\n') {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("{node} closed the connection before replying to `{request}`"),
            ));
        }
        reply.pop();
        Ok(reply)
    };
    match time::timeout(timeout, exchange).await {
        Ok(result) => result,
        Err(_) => Err(io::Error::new(
            io::ErrorKind::TimedOut,
            format!("{node} did not reply to `{request}` in {timeout:?}"),
        )),
    }
}

/// Accepts connections forever, answering each request line with
/// `handle(request)`, each connection on its own task.
pub(crate) async fn serve<H, F>(handle: H) -> io::Result<()>
where
    H: Fn(String) -> F + Clone + 'static,
    F: Future<Output = String> + 'static,
{
    let listener = TcpListener::bind(("0.0.0.0", PORT)).await?;
    loop {
        let (stream, _) = listener.accept().await?;
        let handle = handle.clone();
        detsim::spawn_local(async move {
            let mut stream = BufReader::new(stream);
            let mut request = String::new();
            if stream.read_line(&mut request).await.is_err() || !request.ends_with('\n') {
                return; // the caller gave up or crashed mid-request
            }
            request.pop();
            let reply = handle(request).await;
            // A caller that timed out is gone; nothing to do about it.
            let _ = stream
                .get_mut()
                .write_all(format!("{reply}\n").as_bytes())
                .await;
        });
    }
}

/// The words of a message, with typed access and errors naming the field.
pub(crate) struct Words<'a> {
    message: &'a str,
    words: std::str::SplitWhitespace<'a>,
}

impl<'a> Words<'a> {
    /// Splits `message` into words.
    pub(crate) fn new(message: &'a str) -> Words<'a> {
        Words {
            message,
            words: message.split_whitespace(),
        }
    }

    /// The next word, or an error naming `what` was missing.
    pub(crate) fn word(&mut self, what: &str) -> Result<&'a str, String> {
        self.words
            .next()
            .ok_or_else(|| format!("`{}`: missing {what}", self.message))
    }

    /// The next word as a number.
    pub(crate) fn num(&mut self, what: &str) -> Result<u64, String> {
        let w = self.word(what)?;
        w.parse()
            .map_err(|_| format!("`{}`: {what} `{w}` is not a number", self.message))
    }
}
