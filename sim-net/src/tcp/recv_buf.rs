//! A connection end's receive buffer: bytes that arrived in order and
//! wait for the reader.
//!
//! # Layout
//!
//! One `Vec<u8>` and a read offset: `data[head..]` is unread, `data[..head]`
//! was read. This fits the way bytes come and go:
//!
//! * a segment arriving at an empty buffer **becomes** the buffer (its
//!   payload vector is swapped in, no copy), and the old vector goes back
//!   to the payload pool for the next segment sent;
//! * a segment arriving behind unread bytes is appended (one copy);
//! * a read copies from the front and moves `head`; reading the last byte
//!   empties the buffer (`head` back to 0).
//!
//! The read part is reclaimed when an append finds it at least as long as
//! the unread part (one move of the unread bytes, paid for by the reads
//! that made the gap), so the vector stays within about twice the most
//! bytes ever unread at once (at most the receive window) plus one
//! segment, and each byte is moved O(1) times on average.

use super::conn::BufPool;

/// The unread bytes of a connection end (see the [module docs](self)).
#[derive(Debug, Default)]
pub(crate) struct RecvBuf {
    data: Vec<u8>,
    head: usize,
}

impl RecvBuf {
    /// How many bytes are unread.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.data.len() - self.head
    }

    /// Whether nothing is unread.
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.head == self.data.len()
    }

    /// The unread bytes, in order (for `peek`, which copies without
    /// consuming).
    #[inline]
    pub(crate) fn unread(&self) -> &[u8] {
        &self.data[self.head..]
    }

    /// Drops every unread byte.
    #[inline]
    pub(crate) fn clear(&mut self) {
        self.data.clear();
        self.head = 0;
    }

    /// Appends a segment's payload: swapped in when nothing is unread
    /// (the old vector goes to `pool`), else copied behind the unread
    /// bytes (the payload goes to `pool`).
    #[inline(always)]
    pub(crate) fn append(&mut self, payload: Vec<u8>, pool: &mut BufPool) {
        if self.is_empty() {
            let old = std::mem::replace(&mut self.data, payload);
            self.head = 0;
            pool.put(old);
            return;
        }
        if self.head >= self.len() {
            self.data.drain(..self.head);
            self.head = 0;
        }
        self.data.extend_from_slice(&payload);
        pool.put(payload);
    }

    /// Copies the first `dst.len()` unread bytes into `dst` and consumes
    /// them; `dst` must not be longer than [`len`](Self::len). Always
    /// inlined: the quiet read (`Conn::read_quietly`) is one of the
    /// hottest paths, and left to itself the compiler may call it there.
    #[inline(always)]
    pub(crate) fn read(&mut self, dst: &mut [u8]) {
        let end = self.head + dst.len();
        dst.copy_from_slice(&self.data[self.head..end]);
        if end == self.data.len() {
            self.clear();
        } else {
            self.head = end;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads `n` bytes (checked against the buffer's length first).
    fn read(b: &mut RecvBuf, n: usize) -> Vec<u8> {
        assert!(n <= b.len());
        let mut out = vec![0; n];
        b.read(&mut out);
        out
    }

    #[test]
    fn bytes_come_out_in_order_across_appends_and_partial_reads() {
        let mut pool = BufPool::default();
        let mut b = RecvBuf::default();
        assert!(b.is_empty());
        b.append(vec![1, 2, 3], &mut pool);
        assert_eq!(read(&mut b, 2), [1, 2]);
        b.append(vec![4, 5], &mut pool);
        assert_eq!(b.len(), 3);
        assert_eq!(read(&mut b, 1), [3]);
        b.append(vec![6], &mut pool);
        assert_eq!(read(&mut b, 3), [4, 5, 6]);
        assert!(b.is_empty());
        b.append(vec![7, 8], &mut pool);
        b.clear();
        assert!(b.is_empty());
        assert_eq!(b.len(), 0);
    }

    #[test]
    fn an_arrival_at_an_empty_buffer_is_swapped_in_and_the_old_vector_pooled() {
        let mut pool = BufPool::default();
        let mut b = RecvBuf::default();
        let payload = vec![9_u8; 100];
        let at = payload.as_ptr();
        b.append(payload, &mut pool);
        assert_eq!(b.data.as_ptr(), at, "no copy");
        assert_eq!(read(&mut b, 100), [9; 100]);
        // The next arrival's swap hands the emptied vector to the pool.
        b.append(vec![1], &mut pool);
        let reused = pool.take();
        assert_eq!(reused.as_ptr(), at);
    }

    #[test]
    fn the_read_part_is_reclaimed_so_the_vector_stays_bounded() {
        let mut pool = BufPool::default();
        let mut b = RecvBuf::default();
        let mut next = 0_u8;
        let mut expect = 0_u8;
        // Appends of 10 and reads of 9: the unread part grows by one byte
        // per round, the read part is reclaimed as it catches up.
        for _ in 0..1000 {
            let seg: Vec<u8> = (0..10)
                .map(|_| {
                    next = next.wrapping_add(1);
                    next
                })
                .collect();
            b.append(seg, &mut pool);
            for byte in read(&mut b, 9) {
                expect = expect.wrapping_add(1);
                assert_eq!(byte, expect);
            }
            assert!(
                b.data.len() <= 2 * b.len() + 10,
                "{} for {}",
                b.data.len(),
                b.len()
            );
        }
        assert_eq!(b.len(), 1000);
    }
}
