//! [`Interest`] and [`Ready`]: what a readiness wait (`ready`) waits for,
//! and what it found, as tokio's `tokio::io::Interest` and
//! `tokio::io::Ready`.
//!
//! Both are small bit sets. An interest names directions (readable,
//! writable) and errors; a readiness set says, of a socket at one instant,
//! which operations would return at once and why. Each interest covers
//! part of the readiness bits ([`Ready::mask`]): readable covers
//! `READABLE` and `READ_CLOSED`, writable covers `WRITABLE` and
//! `WRITE_CLOSED`, error covers `ERROR`. A `ready` call returns the
//! socket's readiness limited to its interest, waiting while that is empty.
//!
//! tokio also has `Interest::PRIORITY` (Linux's out-of-band data) and
//! FreeBSD's AIO interests; the simulated network carries no urgent data,
//! so they are not here.

use std::fmt;
use std::ops;

const READABLE: u8 = 1;
const WRITABLE: u8 = 1 << 1;
const READ_CLOSED: u8 = 1 << 2;
const WRITE_CLOSED: u8 = 1 << 3;
const ERROR: u8 = 1 << 4;

/// What a readiness wait waits for: reading, writing, errors, or a union
/// of them (`Interest::READABLE | Interest::WRITABLE`). tokio's
/// `tokio::io::Interest`, for [`TcpStream::ready`](crate::TcpStream::ready)
/// and [`UdpSocket::ready`](crate::UdpSocket::ready).
///
/// ```
/// use detsim::net::Interest;
///
/// let both = Interest::READABLE | Interest::WRITABLE;
/// assert!(both.is_readable() && both.is_writable() && !both.is_error());
/// assert_eq!(both.remove(Interest::WRITABLE), Some(Interest::READABLE));
/// assert_eq!(Interest::READABLE.remove(Interest::READABLE), None);
/// assert_eq!(format!("{both:?}"), "READABLE | WRITABLE");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Interest(u8);

impl Interest {
    /// Reading: ready when a read would not wait (bytes, EOF, or a TCP
    /// connection's error to return; on a UDP socket, a queued datagram:
    /// a pending ICMP error is [`ERROR`](Self::ERROR) only). Covers
    /// [`Ready::READABLE`] and [`Ready::READ_CLOSED`].
    ///
    /// ```
    /// assert!(detsim::net::Interest::READABLE.is_readable());
    /// ```
    pub const READABLE: Interest = Interest(READABLE);

    /// Writing: ready when a write would not wait (room in the send
    /// buffer, or an error to return). Covers [`Ready::WRITABLE`] and
    /// [`Ready::WRITE_CLOSED`].
    ///
    /// ```
    /// assert!(detsim::net::Interest::WRITABLE.is_writable());
    /// ```
    pub const WRITABLE: Interest = Interest(WRITABLE);

    /// Errors: ready when the socket has an error it has not reported yet
    /// (Linux's `EPOLLERR`, a pending `SO_ERROR`). Covers [`Ready::ERROR`].
    ///
    /// ```
    /// assert!(detsim::net::Interest::ERROR.is_error());
    /// ```
    pub const ERROR: Interest = Interest(ERROR);

    /// Whether reading is in the interest.
    ///
    /// ```
    /// use detsim::net::Interest;
    /// assert!((Interest::READABLE | Interest::ERROR).is_readable());
    /// assert!(!Interest::WRITABLE.is_readable());
    /// ```
    pub const fn is_readable(self) -> bool {
        self.0 & READABLE != 0
    }

    /// Whether writing is in the interest.
    ///
    /// ```
    /// use detsim::net::Interest;
    /// assert!((Interest::READABLE | Interest::WRITABLE).is_writable());
    /// assert!(!Interest::READABLE.is_writable());
    /// ```
    pub const fn is_writable(self) -> bool {
        self.0 & WRITABLE != 0
    }

    /// Whether errors are in the interest.
    ///
    /// ```
    /// use detsim::net::Interest;
    /// assert!(Interest::ERROR.is_error());
    /// assert!(!Interest::READABLE.is_error());
    /// ```
    pub const fn is_error(self) -> bool {
        self.0 & ERROR != 0
    }

    /// The union of two interests (what `|` does, usable in a `const`).
    ///
    /// ```
    /// use detsim::net::Interest;
    /// const BOTH: Interest = Interest::READABLE.add(Interest::WRITABLE);
    /// assert_eq!(BOTH, Interest::READABLE | Interest::WRITABLE);
    /// ```
    #[must_use]
    pub const fn add(self, other: Interest) -> Interest {
        Interest(self.0 | other.0)
    }

    /// This interest without `other`'s parts; `None` if nothing is left
    /// (an interest is never empty).
    ///
    /// ```
    /// use detsim::net::Interest;
    /// let i = Interest::READABLE | Interest::ERROR;
    /// assert_eq!(i.remove(Interest::ERROR), Some(Interest::READABLE));
    /// assert_eq!(i.remove(i), None);
    /// ```
    #[must_use]
    pub fn remove(self, other: Interest) -> Option<Interest> {
        let left = self.0 & !other.0;
        (left != 0).then_some(Interest(left))
    }
}

impl ops::BitOr for Interest {
    type Output = Interest;

    fn bitor(self, other: Interest) -> Interest {
        self.add(other)
    }
}

impl ops::BitOrAssign for Interest {
    fn bitor_assign(&mut self, other: Interest) {
        *self = self.add(other);
    }
}

impl fmt::Debug for Interest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = [
            (READABLE, "READABLE"),
            (WRITABLE, "WRITABLE"),
            (ERROR, "ERROR"),
        ];
        write_flags(f, self.0, &names)
    }
}

/// What a socket is ready for at one instant, as a readiness wait
/// returns it: tokio's `tokio::io::Ready`.
///
/// Readiness here is computed from the socket's state when the wait is
/// polled, never cached, so it is never stale: a `ready` that returned
/// `READABLE` means the next `try_read` of the same task returns at once
/// (unless another task read first).
///
/// | bit | TCP stream | UDP socket |
/// |---|---|---|
/// | `READABLE` | bytes arrived, or EOF, a read shutdown or a failure makes a read return at once (Linux's `EPOLLIN`) | a datagram is queued (a pending ICMP error alone is not readable: `EPOLLERR` without `EPOLLIN`) |
/// | `READ_CLOSED` | the peer's FIN arrived, reading was shut down, or the connection failed | never |
/// | `WRITABLE` | the send buffer has room, or a write shutdown or a failure makes a write fail at once (`EPOLLOUT`) | always (sends never wait) |
/// | `WRITE_CLOSED` | both directions are shut (this end's write shutdown, and the peer's FIN or a read shutdown), or the connection failed (`EPOLLHUP`) | never (tokio on Linux also reports it, and keeps it, once an ICMP error arrived: mio reads `EPOLLOUT` with `EPOLLERR` as write-closed) |
/// | `ERROR` | the connection failed and no read, write or `take_error` has reported it yet (`EPOLLERR`) | an ICMP error is pending (see `take_error`) |
///
/// ```
/// use detsim::net::Ready;
///
/// let r = Ready::READABLE | Ready::READ_CLOSED;
/// assert!(r.is_readable() && r.is_read_closed() && !r.is_writable());
/// assert!(Ready::READ_CLOSED.is_readable()); // as tokio's: a closed read side is readable
/// assert_eq!(r - Ready::READ_CLOSED, Ready::READABLE);
/// assert_eq!(format!("{r:?}"), "READABLE | READ_CLOSED");
/// assert!(Ready::EMPTY.is_empty());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ready(u8);

impl Ready {
    /// Nothing is ready.
    ///
    /// ```
    /// assert!(detsim::net::Ready::EMPTY.is_empty());
    /// ```
    pub const EMPTY: Ready = Ready(0);

    /// A read would return at once.
    ///
    /// ```
    /// assert!(detsim::net::Ready::READABLE.is_readable());
    /// ```
    pub const READABLE: Ready = Ready(READABLE);

    /// A write would return at once.
    ///
    /// ```
    /// assert!(detsim::net::Ready::WRITABLE.is_writable());
    /// ```
    pub const WRITABLE: Ready = Ready(WRITABLE);

    /// The read side is closed: EOF, a read shutdown, or a failure.
    ///
    /// ```
    /// assert!(detsim::net::Ready::READ_CLOSED.is_read_closed());
    /// ```
    pub const READ_CLOSED: Ready = Ready(READ_CLOSED);

    /// The write side is closed: both directions are shut, or the
    /// connection failed.
    ///
    /// ```
    /// assert!(detsim::net::Ready::WRITE_CLOSED.is_write_closed());
    /// ```
    pub const WRITE_CLOSED: Ready = Ready(WRITE_CLOSED);

    /// An error waits to be reported.
    ///
    /// ```
    /// assert!(detsim::net::Ready::ERROR.is_error());
    /// ```
    pub const ERROR: Ready = Ready(ERROR);

    /// Every bit.
    ///
    /// ```
    /// use detsim::net::Ready;
    /// assert!(Ready::ALL.is_readable() && Ready::ALL.is_write_closed() && Ready::ALL.is_error());
    /// ```
    pub const ALL: Ready = Ready(READABLE | WRITABLE | READ_CLOSED | WRITE_CLOSED | ERROR);

    /// Whether no bit is set.
    ///
    /// ```
    /// use detsim::net::Ready;
    /// assert!(Ready::EMPTY.is_empty());
    /// assert!(!Ready::WRITABLE.is_empty());
    /// ```
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether a read would return at once: `READABLE` or `READ_CLOSED`
    /// (as tokio's).
    ///
    /// ```
    /// use detsim::net::Ready;
    /// assert!(Ready::READ_CLOSED.is_readable());
    /// assert!(!Ready::WRITABLE.is_readable());
    /// ```
    pub const fn is_readable(self) -> bool {
        self.0 & (READABLE | READ_CLOSED) != 0
    }

    /// Whether a write would return at once: `WRITABLE` or
    /// `WRITE_CLOSED` (as tokio's).
    ///
    /// ```
    /// use detsim::net::Ready;
    /// assert!(Ready::WRITE_CLOSED.is_writable());
    /// assert!(!Ready::READABLE.is_writable());
    /// ```
    pub const fn is_writable(self) -> bool {
        self.0 & (WRITABLE | WRITE_CLOSED) != 0
    }

    /// Whether the read side is closed.
    ///
    /// ```
    /// use detsim::net::Ready;
    /// assert!(Ready::READ_CLOSED.is_read_closed());
    /// assert!(!Ready::READABLE.is_read_closed());
    /// ```
    pub const fn is_read_closed(self) -> bool {
        self.0 & READ_CLOSED != 0
    }

    /// Whether the write side is closed.
    ///
    /// ```
    /// use detsim::net::Ready;
    /// assert!(Ready::WRITE_CLOSED.is_write_closed());
    /// assert!(!Ready::WRITABLE.is_write_closed());
    /// ```
    pub const fn is_write_closed(self) -> bool {
        self.0 & WRITE_CLOSED != 0
    }

    /// Whether an error waits to be reported.
    ///
    /// ```
    /// use detsim::net::Ready;
    /// assert!(Ready::ERROR.is_error());
    /// assert!(!Ready::READ_CLOSED.is_error());
    /// ```
    pub const fn is_error(self) -> bool {
        self.0 & ERROR != 0
    }

    /// The readiness bits `interest` covers: `READABLE | READ_CLOSED` for
    /// reading, `WRITABLE | WRITE_CLOSED` for writing, `ERROR` for
    /// errors. A `ready(interest)` returns the socket's readiness `&` this.
    ///
    /// ```
    /// use detsim::net::{Interest, Ready};
    /// assert_eq!(Ready::mask(Interest::READABLE), Ready::READABLE | Ready::READ_CLOSED);
    /// assert_eq!(Ready::mask(Interest::ERROR), Ready::ERROR);
    /// ```
    pub const fn mask(interest: Interest) -> Ready {
        let mut bits = 0;
        if interest.is_readable() {
            bits |= READABLE | READ_CLOSED;
        }
        if interest.is_writable() {
            bits |= WRITABLE | WRITE_CLOSED;
        }
        if interest.is_error() {
            bits |= ERROR;
        }
        Ready(bits)
    }

    /// `self` with `other`'s bits too, if `yes`.
    pub(crate) const fn with(self, other: Ready, yes: bool) -> Ready {
        if yes { Ready(self.0 | other.0) } else { self }
    }
}

impl ops::BitOr for Ready {
    type Output = Ready;

    fn bitor(self, other: Ready) -> Ready {
        Ready(self.0 | other.0)
    }
}

impl ops::BitOrAssign for Ready {
    fn bitor_assign(&mut self, other: Ready) {
        self.0 |= other.0;
    }
}

impl ops::BitAnd for Ready {
    type Output = Ready;

    fn bitand(self, other: Ready) -> Ready {
        Ready(self.0 & other.0)
    }
}

impl ops::Sub for Ready {
    type Output = Ready;

    fn sub(self, other: Ready) -> Ready {
        Ready(self.0 & !other.0)
    }
}

impl fmt::Debug for Ready {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = [
            (READABLE, "READABLE"),
            (WRITABLE, "WRITABLE"),
            (READ_CLOSED, "READ_CLOSED"),
            (WRITE_CLOSED, "WRITE_CLOSED"),
            (ERROR, "ERROR"),
        ];
        if self.0 == 0 {
            return f.write_str("EMPTY");
        }
        write_flags(f, self.0, &names)
    }
}

/// Writes the names of `bits`' flags, joined by ` | `.
fn write_flags(f: &mut fmt::Formatter<'_>, bits: u8, names: &[(u8, &str)]) -> fmt::Result {
    let mut first = true;
    for &(bit, name) in names {
        if bits & bit != 0 {
            if !first {
                f.write_str(" | ")?;
            }
            f.write_str(name)?;
            first = false;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_cover_their_directions_only() {
        let both = Ready::mask(Interest::READABLE | Interest::WRITABLE);
        assert!(both.is_readable() && both.is_writable());
        assert!(!both.is_error());
        assert_eq!(
            Ready::mask(Interest::WRITABLE) & Ready::READ_CLOSED,
            Ready::EMPTY
        );
        assert_eq!(
            Ready::mask(Interest::READABLE | Interest::WRITABLE | Interest::ERROR),
            Ready::ALL
        );
    }

    #[test]
    fn interest_operations() {
        let mut i = Interest::READABLE;
        i |= Interest::ERROR;
        assert_eq!(i, Interest::READABLE.add(Interest::ERROR));
        assert_eq!(i.remove(Interest::WRITABLE), Some(i));
        assert_eq!(format!("{:?}", Interest::ERROR), "ERROR");
    }

    #[test]
    fn ready_operations() {
        let mut r = Ready::EMPTY;
        r |= Ready::WRITABLE;
        assert_eq!(r.with(Ready::ERROR, false), Ready::WRITABLE);
        assert_eq!(r.with(Ready::ERROR, true), Ready::WRITABLE | Ready::ERROR);
        assert_eq!(Ready::ALL - Ready::ALL, Ready::EMPTY);
        assert_eq!(format!("{:?}", Ready::EMPTY), "EMPTY");
        assert_eq!(
            format!("{:?}", Ready::ALL),
            "READABLE | WRITABLE | READ_CLOSED | WRITE_CLOSED | ERROR"
        );
    }
}
