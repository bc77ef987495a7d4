//! What a store node keeps on its disk: its term, its vote and its log.
//!
//! The whole state is rewritten on every change (write a temporary file,
//! `sync_data`, rename it over the old one, `sync_dir`): a crash at any
//! point leaves the old state or the new one, never a mix. Logs here are a
//! few dozen entries, so rewriting is cheap and obviously right.

use std::io;
use std::time::Duration;

use detsim::fs::{self, File};
use detsim::{rand, time};

const DIR: &str = "/kv";
const STATE: &str = "/kv/state";
const TMP: &str = "/kv/state.tmp";

/// One log entry: a put, or a no-op that a leader commits to learn that it
/// still leads (at the start of its term, and for every read).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    /// The term of the leader that created it.
    pub(crate) term: u64,
    /// `Some((key, value))` for a put, `None` for a no-op.
    pub(crate) put: Option<(String, String)>,
}

impl Entry {
    /// Four words: term, kind, key, value.
    pub(crate) fn encode(&self) -> String {
        match &self.put {
            Some((k, v)) => format!("{} put {k} {v}", self.term),
            None => format!("{} noop - -", self.term),
        }
    }

    /// Parses four words written by [`Entry::encode`].
    pub(crate) fn decode(w: &mut crate::wire::Words<'_>) -> Result<Entry, String> {
        let term = w.num("entry term")?;
        let kind = w.word("entry kind")?;
        let key = w.word("entry key")?;
        let value = w.word("entry value")?;
        let put = match kind {
            "put" => Some((key.to_owned(), value.to_owned())),
            "noop" => None,
            other => return Err(format!("unknown entry kind `{other}`")),
        };
        Ok(Entry { term, put })
    }
}

/// A node's durable state (Raft's `currentTerm`, `votedFor`, `log[]`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Durable {
    /// The latest term this node has seen.
    pub(crate) term: u64,
    /// Whom it voted for in `term`.
    pub(crate) voted_for: Option<String>,
    /// The log; index 1 is `log[0]`.
    pub(crate) log: Vec<Entry>,
}

impl Durable {
    /// Reads the state a previous incarnation left (empty on a fresh disk).
    pub(crate) async fn load() -> io::Result<Durable> {
        fs::create_dir_all(DIR).await?;
        fs::sync_dir("/").await?;
        let text = match fs::read_to_string(STATE).await {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Durable::default()),
            Err(e) => return Err(e),
        };
        let corrupt =
            |e: String| io::Error::new(io::ErrorKind::InvalidData, format!("{STATE}: {e}"));
        let mut lines = text.lines();
        let mut head = crate::wire::Words::new(lines.next().unwrap_or(""));
        let term = head.num("term").map_err(corrupt)?;
        let voted_for = match head.word("vote").map_err(corrupt)? {
            "-" => None,
            name => Some(name.to_owned()),
        };
        let log = lines
            .map(|l| Entry::decode(&mut crate::wire::Words::new(l)))
            .collect::<Result<_, _>>()
            .map_err(corrupt)?;
        Ok(Durable {
            term,
            voted_for,
            log,
        })
    }

    /// Makes this state durable; returns once a crash can no longer lose it.
    pub(crate) async fn save(&self) -> io::Result<()> {
        let mut text = format!(
            "{} {}\n",
            self.term,
            self.voted_for.as_deref().unwrap_or("-")
        );
        for e in &self.log {
            text.push_str(&e.encode());
            text.push('\n');
        }
        let mut tmp = File::create(TMP).await?;
        tmp.write_all(text.as_bytes()).await?;
        if detsim::buggify!() {
            // A slow disk: the state sits written but unsynced for a while.
            time::sleep(Duration::from_millis(rand::gen_range(1..30))).await;
        }
        tmp.sync_data().await?;
        fs::rename(TMP, STATE).await?;
        fs::sync_dir(DIR).await
    }
}
