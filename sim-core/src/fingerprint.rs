//! The run's fingerprint: a running hash of every draw and key event.

use std::fmt;

/// A 64-bit hash of everything a run decided: every draw from the choice
/// source and every key event (task spawned, polled, finished; timers fired;
/// the clock moving; nodes killed and restarted).
///
/// Two runs of the same seed and the same code must have equal
/// fingerprints; a difference means something outside the choice source (a
/// random-hasher `HashMap`, the real clock, another thread) changed the run.
/// Stable for one build on one platform, not across builds.
///
/// # Example
///
/// ```
/// let mut sim = detsim::Sim::builder().seed(1).build();
/// sim.run(async {}).unwrap();
/// println!("{}", sim.fingerprint()); // 0x… (16 hex digits)
/// assert_eq!(sim.fingerprint().to_string().len(), 18);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Fingerprint(pub(crate) u64);

impl Fingerprint {
    /// The hash as a number.
    ///
    /// ```
    /// let mut sim = detsim::Sim::builder().build();
    /// sim.run(async {}).unwrap();
    /// let n: u64 = sim.fingerprint().as_u64();
    /// # let _ = n;
    /// ```
    pub fn as_u64(self) -> u64 {
        self.0
    }

    /// Rebuilds a fingerprint from [`as_u64`](Self::as_u64) (e.g. read from a
    /// replay file).
    ///
    /// ```
    /// let f = detsim::Fingerprint::from_u64(0xabc);
    /// assert_eq!(f.as_u64(), 0xabc);
    /// ```
    pub fn from_u64(v: u64) -> Fingerprint {
        Fingerprint(v)
    }

    /// Folds one word in. Each fold is a bijection of the state (rotate,
    /// xor, multiply by an odd constant), so two runs whose event sequences
    /// differ in exactly one event always end with different fingerprints.
    #[inline(always)]
    pub(crate) fn mix(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x517C_C1B7_2722_0A95);
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#018x}", self.0)
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({self})")
    }
}

/// SplitMix64's finaliser: a bijective avalanche of 64 bits.
#[inline]
pub(crate) fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A stable (not randomly seeded) hash of a string, for names in events.
pub(crate) fn hash_str(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_different_word_always_changes_the_result() {
        for x in 0..1000u64 {
            let (mut a, mut b) = (Fingerprint(7), Fingerprint(7));
            for w in [1, 2, 3] {
                a.mix(w);
                b.mix(w);
            }
            a.mix(x);
            b.mix(x ^ 0x8000_0000_0000_0000);
            for w in [9, 8] {
                a.mix(w);
                b.mix(w);
            }
            assert_ne!(a, b);
        }
    }

    #[test]
    fn order_matters() {
        let (mut a, mut b) = (Fingerprint::default(), Fingerprint::default());
        a.mix(1);
        a.mix(2);
        b.mix(2);
        b.mix(1);
        assert_ne!(a, b);
    }

    #[test]
    fn display_is_fixed_width_hex() {
        assert_eq!(Fingerprint(0x1f).to_string(), "0x000000000000001f");
    }

    #[test]
    fn string_hash_is_stable() {
        assert_eq!(hash_str(""), 0xcbf2_9ce4_8422_2325);
        assert_ne!(hash_str("a"), hash_str("b"));
    }
}
