//! `Random` and `Fifo`: one run queue, two ways of picking from it.

use std::cell::RefCell;

use super::{Entry, LOOKAHEAD_MIN, Lookahead, Schedule};
use crate::choices::{Choices, DrawKind};

const EMPTY: Entry = Entry {
    index: 0,
    stamp: 0,
    hint: 0,
};

/// Most bytes of ring buffer a thread keeps from a dropped run queue.
const SPARE_BYTES: usize = 32 << 20;

thread_local! {
    /// The buffer of the last run queue dropped on this thread, for the
    /// next one: simulations usually run one after another (a sweep), and
    /// the next then grows no buffer (no copying, no page faults).
    static SPARE: RefCell<Vec<Entry>> = const { RefCell::new(Vec::new()) };
}

/// A double-ended ring of entries with a power-of-two capacity: what the
/// run queue needs of a `VecDeque`, with index arithmetic that is a mask.
struct Ring {
    /// `buf.len()` is zero or a power of two; places not in use hold
    /// anything (`EMPTY`, or entries of an earlier queue).
    buf: Vec<Entry>,
    head: usize,
    len: usize,
}

impl Drop for Ring {
    fn drop(&mut self) {
        let buf = std::mem::take(&mut self.buf);
        if buf.len() * size_of::<Entry>() <= SPARE_BYTES {
            let _ = SPARE.try_with(|s| {
                let mut s = s.borrow_mut();
                if buf.len() > s.len() {
                    *s = buf;
                }
            });
        }
    }
}

impl Ring {
    /// An empty ring, with the buffer of one dropped on this thread if any.
    fn new() -> Ring {
        let buf = SPARE
            .try_with(|s| std::mem::take(&mut *s.borrow_mut()))
            .unwrap_or_default();
        Ring {
            buf,
            head: 0,
            len: 0,
        }
    }

    #[inline]
    fn len(&self) -> usize {
        self.len
    }

    /// The place of the `i`th entry (`i < len`, so the ring is not empty).
    #[inline]
    fn place(&self, i: usize) -> usize {
        (self.head + i) & (self.buf.len() - 1)
    }

    #[inline]
    fn get(&self, i: usize) -> Option<&Entry> {
        if i < self.len {
            self.buf.get(self.place(i))
        } else {
            None
        }
    }

    #[inline]
    fn push_back(&mut self, e: Entry) {
        if self.len == self.buf.len() {
            self.grow();
        }
        let at = self.place(self.len);
        self.buf[at] = e;
        self.len += 1;
    }

    #[inline]
    fn pop_front(&mut self) -> Option<Entry> {
        if self.len == 0 {
            return None;
        }
        let e = self.buf[self.head];
        self.head = (self.head + 1) & (self.buf.len() - 1);
        self.len -= 1;
        Some(e)
    }

    /// Removes and returns the `i`th entry, moving the front entry into its
    /// place.
    #[inline]
    fn swap_remove_front(&mut self, i: usize) -> Option<Entry> {
        if i >= self.len {
            return None;
        }
        let at = self.place(i);
        let e = self.buf[at];
        self.buf[at] = self.buf[self.head];
        self.head = (self.head + 1) & (self.buf.len() - 1);
        self.len -= 1;
        Some(e)
    }

    /// Doubles the capacity, unwrapping the entries to the start.
    #[cold]
    fn grow(&mut self) {
        let cap = (self.buf.len() * 2).max(16);
        let mut buf = Vec::with_capacity(cap);
        buf.extend(self.iter().copied());
        buf.resize(cap, EMPTY);
        self.buf = buf;
        self.head = 0;
    }

    fn iter(&self) -> impl Iterator<Item = &Entry> {
        (0..self.len).map(|i| &self.buf[self.place(i)])
    }

    /// Keeps the entries `keep` accepts, in order.
    fn retain(&mut self, mut keep: impl FnMut(&Entry) -> bool) {
        let kept: Vec<Entry> = self.iter().copied().filter(|e| keep(e)).collect();
        let cap = self.buf.len();
        self.buf.clear();
        self.buf.extend_from_slice(&kept);
        self.buf.resize(cap, EMPTY);
        self.head = 0;
        self.len = kept.len();
    }
}

/// Runnable tasks in the order they became runnable.
///
/// `Random` draws an index `i` into the queue and takes that entry, moving
/// the front entry into its place (`swap_remove_front`): O(1), and a draw of
/// zero takes the front, so an all-zero tape is exactly FIFO order.
pub(crate) struct RunQueue {
    queue: Ring,
    random: bool,
}

impl RunQueue {
    pub(crate) fn new(random: bool) -> RunQueue {
        RunQueue {
            queue: Ring::new(),
            random,
        }
    }
}

impl RunQueue {
    /// See [`Policy::pop_without_draw`](super::Policy::pop_without_draw):
    /// at most one entry (no draw, nothing to prefetch for), or Fifo with
    /// fewer entries than `LOOKAHEAD_MIN` (nothing worth prefetching).
    #[inline(always)]
    pub(crate) fn pop_without_draw(&mut self) -> Option<Option<Entry>> {
        let len = self.queue.len();
        if len <= 1 || (!self.random && len < LOOKAHEAD_MIN) {
            return Some(self.queue.pop_front());
        }
        None
    }

    #[inline(never)]
    fn pop_slow(
        &mut self,
        choices: &mut Choices,
        live: Option<&dyn Fn(Entry) -> bool>,
    ) -> Option<Entry> {
        let mut purged = false;
        loop {
            let entry = if !self.random || self.queue.len() <= 1 {
                self.queue.pop_front()?
            } else {
                let i = choices.draw(DrawKind::Schedule, self.queue.len() as u64);
                self.queue.swap_remove_front(i as usize)?
            };
            let Some(live) = live else {
                return Some(entry);
            };
            if live(entry) {
                return Some(entry);
            }
            // A stale entry: purge them all at once (each is purged once),
            // so draws are made among live tasks only.
            if !purged {
                self.queue.retain(|&e| live(e));
                purged = true;
            }
        }
    }
}

impl Schedule for RunQueue {
    #[inline]
    fn len(&self) -> usize {
        self.queue.len()
    }

    #[inline]
    fn peek_ahead(&self, choices: &mut Choices) -> Lookahead {
        let len = self.queue.len();
        let addr = |pos: usize| {
            self.queue
                .get(pos)
                .map_or(0, |e| (e as *const Entry).addr())
        };
        if !self.random {
            return Lookahead {
                next: self.queue.get(0).copied(),
                after: self.queue.get(1).copied(),
                third: addr(2),
            };
        }
        let [i, j, k] = choices.peek_shrinking(len as u64).map(|v| v as usize);
        // Taking `p` moves the front into `p`, then the front goes: the
        // entry then at `q` was at `q + 1`, or at the front if `q + 1 == p`.
        let before = |p: usize, q: usize| if q + 1 == p { 0 } else { q + 1 };
        Lookahead {
            next: self.queue.get(i).copied(),
            after: self.queue.get(before(i, j)).copied(),
            third: addr(before(i, before(j, k))),
        }
    }

    #[inline]
    fn push(&mut self, entry: Entry) {
        self.queue.push_back(entry);
    }

    #[inline(always)]
    fn pop(
        &mut self,
        choices: &mut Choices,
        live: Option<&dyn Fn(Entry) -> bool>,
    ) -> Option<Entry> {
        // The common cases, small enough to inline: nothing stale, and
        // nothing to draw or one draw.
        if live.is_none() {
            let len = self.queue.len();
            if !self.random || len <= 1 {
                return self.queue.pop_front();
            }
            let i = choices.draw(DrawKind::Schedule, len as u64);
            return self.queue.swap_remove_front(i as usize);
        }
        self.pop_slow(choices, live)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::choices::Tape;

    fn entries(n: u32) -> impl Iterator<Item = Entry> {
        (0..n).map(|index| Entry {
            index,
            stamp: 0,
            hint: 0,
        })
    }

    fn drain(q: &mut RunQueue, c: &mut Choices) -> Vec<u32> {
        std::iter::from_fn(|| q.pop(c, None))
            .map(|e| e.index)
            .collect()
    }

    #[test]
    fn peek_ahead_predicts_the_next_three_picks() {
        for random in [true, false] {
            for seed in 0..200 {
                let mut q = RunQueue::new(random);
                // Small queues make the picks collide with the front often.
                entries(3 + seed as u32 % 40).for_each(|e| q.push(e));
                let mut c = Choices::new(seed, None, None);
                let ahead = q.peek_ahead(&mut c);
                let third = q
                    .queue
                    .iter()
                    .find(|e| (*e as *const Entry).addr() == ahead.third)
                    .copied();
                let picks: Vec<_> = (0..3).map(|_| q.pop(&mut c, None).unwrap()).collect();
                assert_eq!(ahead.next, Some(picks[0]), "seed {seed}");
                assert_eq!(ahead.after, Some(picks[1]), "seed {seed}");
                assert_eq!(third, Some(picks[2]), "seed {seed}");
            }
        }
    }

    #[test]
    fn the_ring_behaves_like_a_vecdeque() {
        use std::collections::VecDeque;
        let mut ring = Ring::new();
        let mut model = VecDeque::new();
        let mut x = 12345_u64;
        for step in 0..20_000_u32 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let r = (x >> 33) as usize;
            let e = Entry {
                index: step,
                stamp: 0,
                hint: 0,
            };
            match r % 7 {
                0..=2 => {
                    ring.push_back(e);
                    model.push_back(e);
                }
                3 => assert_eq!(ring.pop_front(), model.pop_front()),
                4 | 5 => {
                    let i = r / 7 % (model.len() + 1);
                    assert_eq!(ring.swap_remove_front(i), model.swap_remove_front(i));
                }
                _ => {
                    if step % 500 == 6 {
                        ring.retain(|e| e.index % 3 != 0);
                        model.retain(|e| e.index % 3 != 0);
                    }
                }
            }
            assert_eq!(ring.len(), model.len());
            assert_eq!(ring.get(r % 8), model.get(r % 8));
        }
        assert!(ring.iter().eq(model.iter()));
        // A dropped ring's buffer serves the next one, which starts empty.
        let cap = ring.buf.len();
        drop(ring);
        let ring = Ring::new();
        assert_eq!((ring.buf.len(), ring.len()), (cap, 0));
        assert_eq!(ring.get(0), None);
    }

    #[test]
    fn stale_entries_are_skipped_and_purged() {
        let mut q = RunQueue::new(true);
        entries(6).for_each(|e| q.push(e));
        let mut c = Choices::new(1, Some(Tape::new(vec![0; 8])), None);
        let odd = |e: Entry| e.index % 2 == 1;
        let got: Vec<_> = std::iter::from_fn(|| q.pop(&mut c, Some(&odd)))
            .map(|e| e.index)
            .collect();
        assert_eq!(got, [1, 3, 5]);
        // One draw lands on a stale entry (which purges them all); then
        // draws are among the 3 live entries only.
        assert_eq!(c.draws(), 3);
    }

    #[test]
    fn fifo_ignores_the_tape() {
        let mut q = RunQueue::new(false);
        entries(4).for_each(|e| q.push(e));
        let mut c = Choices::new(1, None, None);
        assert_eq!(drain(&mut q, &mut c), [0, 1, 2, 3]);
        assert_eq!(c.draws(), 0);
    }

    #[test]
    fn random_with_zero_draws_is_fifo() {
        let mut q = RunQueue::new(true);
        entries(4).for_each(|e| q.push(e));
        let mut c = Choices::new(1, Some(Tape::new(vec![0; 8])), None);
        assert_eq!(drain(&mut q, &mut c), [0, 1, 2, 3]);
        assert_eq!(c.draws(), 3, "the last pick has one candidate: no draw");
    }

    #[test]
    fn random_picks_by_index() {
        let mut q = RunQueue::new(true);
        entries(4).for_each(|e| q.push(e));
        let mut c = Choices::new(1, Some(Tape::new(vec![2, 0, 1])), None);
        // [0,1,2,3] take #2, the front fills its place: [1,0,3]; take #0:
        // [0,3]; take #1: [0].
        assert_eq!(drain(&mut q, &mut c), [2, 1, 3, 0]);
    }
}
