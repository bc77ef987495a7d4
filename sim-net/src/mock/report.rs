//! The messages a [`SocketMock`](super::SocketMock) panics with: bytes in
//! hex and lossy UTF-8, the script with the current position marked.
//!
//! Every message is self-sufficient: it names the mock, the step and what
//! the code under test did, and says what to change. The caller (`state`)
//! adds where the test scripted the step (or created the mock) and raises
//! the panic there, since a poll function has no test line of its own.

use std::fmt::Write as _;
use std::time::Duration;

use sim_clock::Instant;

use super::script::{Actor, Script, Step};

/// How many bytes a hex line shows at most.
const HEX_WINDOW: usize = 32;
/// How many bytes a step's preview shows at most.
const PREVIEW: usize = 40;
/// How many steps a listing shows before it elides.
const LISTING: usize = 24;

/// Bytes as a quoted, escaped, lossy UTF-8 string.
pub(crate) fn lossy(bytes: &[u8]) -> String {
    format!("\"{}\"", String::from_utf8_lossy(bytes).escape_debug())
}

/// `9 bytes "GET key\r\n"`, cut after [`PREVIEW`] bytes.
pub(crate) fn preview(bytes: &[u8]) -> String {
    let unit = if bytes.len() == 1 { "byte" } else { "bytes" };
    if bytes.len() <= PREVIEW {
        format!("{} {unit} {}", bytes.len(), lossy(bytes))
    } else {
        format!("{} {unit} {}…", bytes.len(), lossy(&bytes[..PREVIEW]))
    }
}

/// Up to [`HEX_WINDOW`] bytes from `from`, in hex then lossy UTF-8, with
/// `…` where bytes are left out.
fn hex_line(bytes: &[u8], from: usize) -> String {
    let from = from.min(bytes.len());
    let to = bytes.len().min(from + HEX_WINDOW);
    let window = &bytes[from..to];
    let mut out = String::new();
    if from > 0 {
        let _ = write!(out, "[from byte {from}] … ");
    }
    let hex: Vec<String> = window.iter().map(|b| format!("{b:02x}")).collect();
    out.push_str(&hex.join(" "));
    if to < bytes.len() {
        out.push_str(" …");
    }
    let _ = write!(out, "  {}", lossy(window));
    if to < bytes.len() {
        out.push('…');
    }
    out
}

/// A byte as `0x79 'y'` (or just the hex when it is not printable ASCII).
fn byte(b: u8) -> String {
    if b.is_ascii_graphic() || b == b' ' {
        format!("0x{b:02x} '{}'", b as char)
    } else {
        format!("0x{b:02x} '{}'", (b as char).escape_default())
    }
}

/// What the current step has consumed so far, when that says anything.
fn progress(script: &Script, index: usize) -> String {
    if index < script.pos {
        return "done".to_owned();
    }
    if index > script.pos {
        return String::new();
    }
    match &script.steps[index] {
        Step::Write(b) => format!("{} of {} bytes written", script.offset, b.len()),
        Step::Reply(b) => format!("{} of {} bytes read", script.offset, b.len()),
        _ => String::new(),
    }
}

/// The script, one step a line, `->` at the current step.
pub(crate) fn listing(script: &Script) -> String {
    let n = script.steps.len();
    let (from, to) = if n <= LISTING {
        (0, n)
    } else {
        let from = script.pos.saturating_sub(LISTING / 2).min(n - LISTING);
        (from, from + LISTING)
    };
    let mut out = String::from("script (-> marks the current step):");
    if from > 0 {
        let _ = write!(out, "\n     … {from} earlier steps, all done");
    }
    for i in from..to {
        let mark = if i == script.pos { "->" } else { "  " };
        let _ = write!(out, "\n  {mark} #{i} {}", script.steps[i]);
        let p = progress(script, i);
        if !p.is_empty() {
            let _ = write!(out, "  ({p})");
        }
    }
    if to < n {
        let _ = write!(out, "\n     … {} more steps", n - to);
    }
    if script.pos >= n {
        let _ = write!(out, "\n  -> (end of the script)");
    }
    out
}

/// The current step, as `step #2, expect_write(...)`, or the end.
pub(crate) fn position(script: &Script) -> String {
    match script.head() {
        Some(step) => format!("step #{} {step}", script.pos),
        None => format!(
            "the end of the script ({} steps, all done)",
            script.steps.len()
        ),
    }
}

/// A write whose bytes differ from the expected ones. `expected` is the
/// rest of the step (from `offset`), `actual` what this call wrote from
/// where it reached the step, `diff` the first differing index in both,
/// `before` how many bytes of this call matched earlier steps.
pub(crate) fn mismatch(
    name: &str,
    script: &Script,
    expected: &[u8],
    actual: &[u8],
    diff: usize,
    before: usize,
) -> String {
    let from = diff.saturating_sub(8);
    let offset = script.offset;
    let mut out = format!(
        "SocketMock '{name}': unexpected write at {}",
        position(script)
    );
    if offset > 0 {
        let _ = write!(out, " ({offset} bytes of it already written)");
    }
    let _ = write!(
        out,
        "\n  expected: {}\n  actual:   {}\n  first difference at byte {} of this write \
         (byte {} of the step): expected {}, got {}\n{}",
        hex_line(expected, from),
        hex_line(actual, from),
        before + diff,
        offset + diff,
        byte(expected[diff]),
        byte(actual[diff]),
        listing(script)
    );
    out
}

/// What the code under test did, for messages.
#[derive(Debug, Clone)]
pub(crate) enum Op<'a> {
    Read,
    Write(&'a [u8]),
    Flush,
    Shutdown,
}

impl Op<'_> {
    pub(crate) fn describe(&self) -> String {
        match self {
            Op::Read => "a read".to_owned(),
            Op::Write(b) => format!("a write of {}", preview(b)),
            Op::Flush => "a flush".to_owned(),
            Op::Shutdown => "a shutdown (poll_close)".to_owned(),
        }
    }
}

/// An operation the current step does not allow (a write where a flush or
/// shutdown is expected, a shutdown where bytes are expected...).
pub(crate) fn unexpected(name: &str, script: &Script, op: &Op<'_>) -> String {
    let what = op.describe();
    let hint = match (script.head(), op) {
        (_, Op::Write(b)) if script.shut => format!(
            "\n  actual:   {}\n  the code under test already shut its writing side down \
             (expect_shutdown() was consumed): a write after it is a bug",
            hex_line(b, 0)
        ),
        (Some(Step::Write(b)), _) => format!(
            "\n  expected: {}\n  the code under test still had to write these {} bytes",
            hex_line(&b[script.offset..], 0),
            b.len() - script.offset
        ),
        (Some(Step::Shutdown), Op::Write(b)) => format!(
            "\n  actual:   {}\n  the script expects the code under test to shut its writing \
             side down here, not to write",
            hex_line(b, 0)
        ),
        (Some(_), Op::Write(b)) => format!("\n  actual:   {}", hex_line(b, 0)),
        (None, op) => {
            let actual = match op {
                Op::Write(b) => format!("\n  actual:   {}", hex_line(b, 0)),
                _ => String::new(),
            };
            format!(
                "{actual}\n  nothing is left in the script and no SocketMockHandle exists \
                 that could add steps; if the code under test is right, add the step it needs"
            )
        }
        _ => String::new(),
    };
    format!(
        "SocketMock '{name}': unexpected {} at {}{hint}\n{}",
        what.trim_start_matches("a "),
        position(script),
        listing(script)
    )
}

/// An operation blocked past the stall timeout.
pub(crate) fn stall(
    name: &str,
    script: &Script,
    op: &Op,
    since: Instant,
    timeout: Duration,
) -> String {
    let why = match script.head().map(Step::actor) {
        Some(Actor::Writer) => {
            "the script expects the code under test to write (or flush, or shut down) first: \
             it waits for a reply it has not earned"
        }
        Some(Actor::Reader) => {
            "the script expects the code under test to read first: nothing read what the \
             step sends (a client that pipelines needs a script that does too)"
        }
        Some(Actor::Peer) | None => {
            "nothing is left in the script, and no SocketMockHandle added a step"
        }
    };
    format!(
        "SocketMock '{name}' stalled: {} has waited {timeout:?} of virtual time (since {since}) \
         at {}: {why}. Nothing moved the script on meanwhile. (The limit is \
         SocketMock::builder().stall_timeout(..).)\n{}",
        op.describe(),
        position(script),
        listing(script)
    )
}

/// An operation that has to wait, outside a simulation.
pub(crate) fn no_simulation(name: &str, script: &Script, op: &Op) -> String {
    format!(
        "SocketMock '{name}': {} has to wait at {}, and waiting needs the virtual clock of a \
         detsim simulation (for wait() steps and the stall timeout); run the code under test \
         inside Sim::run or a #[sim_test] (outside one, a SocketMock serves only what it can \
         serve at once)\n{}",
        op.describe(),
        position(script),
        listing(script)
    )
}

/// Steps left when the mock is dropped, or at `assert_done`.
pub(crate) fn leftover(name: &str, script: &Script, context: &str) -> String {
    let left: Vec<_> = script.left().collect();
    let mut out = format!(
        "SocketMock '{name}' {context} with {} of {} steps left:",
        left.len(),
        script.steps.len()
    );
    for (i, step) in left {
        let _ = write!(out, "\n  #{i} {step}");
        let p = progress(script, i);
        if !p.is_empty() {
            let _ = write!(out, "  ({p})");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_show_as_hex_and_lossy_utf8_with_elisions() {
        assert_eq!(preview(b"GET\r\n"), r#"5 bytes "GET\r\n""#);
        assert_eq!(preview(b"\xff"), "1 byte \"\u{fffd}\"");
        assert_eq!(hex_line(b"ok\n", 0), r#"6f 6b 0a  "ok\n""#);
        let long: Vec<u8> = (0..100).map(|i| b'a' + (i % 26) as u8).collect();
        let line = hex_line(&long, 40);
        assert!(line.starts_with("[from byte 40] … 6f 70"), "{line}");
        assert!(line.ends_with("…"), "{line}");
        assert_eq!(byte(b'y'), "0x79 'y'");
        assert_eq!(byte(b'\n'), r"0x0a '\n'");
    }

    #[test]
    fn a_long_listing_is_cut_around_the_current_step() {
        let mut s = Script::default();
        for i in 0..100u8 {
            s.push(
                Step::Reply(vec![b'a' + i % 26]),
                std::panic::Location::caller(),
            )
            .unwrap();
        }
        s.pos = 50;
        let l = listing(&s);
        assert!(l.contains("… 38 earlier steps, all done"), "{l}");
        assert!(l.contains("-> #50 reply"), "{l}");
        assert!(l.contains("… 38 more steps"), "{l}");
    }
}
