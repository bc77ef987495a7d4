//! Randomness for simulated code, drawn from the run's one choice source.
//!
//! Every value here is a recorded draw: it follows from the seed, replays
//! from a tape, shrinks toward zero, and is part of the fingerprint. Use it
//! instead of `rand::thread_rng()` (which would make runs unreproducible).
//! A draw of zero gives the simplest value: the low end of a range, `false`,
//! the first element, the identity shuffle.
//!
//! [`SimRng`] implements `rand_core`'s `RngCore` (0.9 by default; 0.6 and
//! 0.10 behind the `rand_core_06` and `rand_core_010` features), so `rand`'s
//! distributions work on it too.
//!
//! # Example
//!
//! ```
//! use detsim::rand;
//! let mut sim = detsim::Sim::builder().seed(8).build();
//! let (a, b, coin) = sim.run(async {
//!     (rand::random::<u64>(), rand::gen_range(10..20), rand::gen_bool(0.5))
//! }).unwrap();
//! assert!((10..20).contains(&b));
//! # let _ = (a, coin);
//! ```

use std::ops::{Bound, RangeBounds};

use crate::choices::DrawKind;
use crate::context;

/// One draw in `0..bound` (or the full `u64` range when `bound` is 0).
#[track_caller]
fn draw(api: &str, bound: u64) -> u64 {
    let rt = context::current(api);
    let mut choices = rt.choices.borrow_mut();
    if bound == 0 {
        choices.draw_u64(DrawKind::Rand)
    } else {
        choices.draw(DrawKind::Rand, bound)
    }
}

/// A handle to the simulation's choice source as a random number generator.
///
/// Zero-sized and `Copy`; every call draws from the running simulation.
///
/// # Panics
///
/// Its methods panic outside a simulation.
///
/// # Example
///
/// ```
/// let mut sim = detsim::Sim::builder().seed(1).build();
/// sim.run(async {
///     let mut rng = detsim::rand::rng();
///     let mut buf = [0u8; 16];
///     rng.fill_bytes(&mut buf);
///     let _ = rng.next_u64();
/// }).unwrap();
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct SimRng {
    _private: (),
}

/// The simulation's random number generator; see [`SimRng`].
///
/// ```
/// let mut sim = detsim::Sim::builder().build();
/// sim.run(async { let _ = detsim::rand::rng().next_u32(); }).unwrap();
/// ```
pub fn rng() -> SimRng {
    SimRng::default()
}

impl SimRng {
    /// A uniform `u32`.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let _x: u32 = detsim::rand::rng().next_u32();
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn next_u32(&mut self) -> u32 {
        draw("detsim::rand::SimRng::next_u32", 1 << 32) as u32
    }

    /// A uniform `u64`.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let _x: u64 = detsim::rand::rng().next_u64();
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn next_u64(&mut self) -> u64 {
        draw("detsim::rand::SimRng::next_u64", 0)
    }

    /// Fills `dst` with random bytes (one draw per 8 bytes).
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let mut key = [0u8; 32];
    /// detsim::rand::rng().fill_bytes(&mut key);
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn fill_bytes(&mut self, dst: &mut [u8]) {
        for chunk in dst.chunks_mut(8) {
            let v = draw("detsim::rand::SimRng::fill_bytes", 0).to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
}

#[cfg(feature = "rand_core_09")]
impl rand_core::RngCore for SimRng {
    fn next_u32(&mut self) -> u32 {
        SimRng::next_u32(self)
    }
    fn next_u64(&mut self) -> u64 {
        SimRng::next_u64(self)
    }
    fn fill_bytes(&mut self, dst: &mut [u8]) {
        SimRng::fill_bytes(self, dst)
    }
}

#[cfg(feature = "rand_core_06")]
impl rand_core_06::RngCore for SimRng {
    fn next_u32(&mut self) -> u32 {
        SimRng::next_u32(self)
    }
    fn next_u64(&mut self) -> u64 {
        SimRng::next_u64(self)
    }
    fn fill_bytes(&mut self, dst: &mut [u8]) {
        SimRng::fill_bytes(self, dst)
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), rand_core_06::Error> {
        SimRng::fill_bytes(self, dst);
        Ok(())
    }
}

#[cfg(feature = "rand_core_010")]
impl rand_core_010::TryRng for SimRng {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(SimRng::next_u32(self))
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(SimRng::next_u64(self))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        SimRng::fill_bytes(self, dst);
        Ok(())
    }
}

mod sealed {
    pub trait Sealed {}
}

/// Types [`random`] can produce: integers (uniform over the type), `bool`,
/// and `f32`/`f64` (uniform in `[0, 1)`).
///
/// ```
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// let x: f64 = detsim::rand::random();
/// assert!((0.0..1.0).contains(&x));
/// # }).unwrap();
/// ```
pub trait Random: sealed::Sealed + Sized {
    #[doc(hidden)]
    fn draw(api: &str) -> Self;
}

/// Types [`gen_range`] can sample: integers and floats.
///
/// ```
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// let x = detsim::rand::gen_range(-5i32..=5);
/// assert!((-5..=5).contains(&x));
/// # }).unwrap();
/// ```
pub trait SampleUniform: sealed::Sealed + Copy + PartialOrd + std::fmt::Debug {
    #[doc(hidden)]
    fn sample(api: &str, low: Bound<&Self>, high: Bound<&Self>) -> Self;
}

macro_rules! int_impls {
    ($($t:ty),*) => {$(
        impl sealed::Sealed for $t {}

        impl Random for $t {
            #[track_caller]
            fn draw(api: &str) -> Self {
                let bits = <$t>::BITS;
                let v = if bits >= 64 { draw(api, 0) } else { draw(api, 1 << bits) };
                v as $t
            }
        }

        impl SampleUniform for $t {
            #[track_caller]
            fn sample(api: &str, low: Bound<&Self>, high: Bound<&Self>) -> Self {
                let lo: i128 = match low {
                    Bound::Included(&l) => l as i128,
                    Bound::Excluded(&l) => l as i128 + 1,
                    Bound::Unbounded => <$t>::MIN as i128,
                };
                let hi: i128 = match high {
                    Bound::Included(&h) => h as i128,
                    Bound::Excluded(&h) => h as i128 - 1,
                    Bound::Unbounded => <$t>::MAX as i128,
                };
                assert!(lo <= hi, "{api}: the range is empty");
                let span = (hi - lo) as u128 + 1;
                let offset = if span > u128::from(u64::MAX) { draw(api, 0) } else { draw(api, span as u64) };
                (lo + offset as i128) as $t
            }
        }
    )*};
}

int_impls!(u8, u16, u32, u64, usize, i8, i16, i32, i64, isize);

impl sealed::Sealed for bool {}

impl Random for bool {
    #[track_caller]
    fn draw(api: &str) -> Self {
        draw(api, 2) == 1
    }
}

macro_rules! float_impls {
    ($($t:ty),*) => {$(
        impl sealed::Sealed for $t {}

        impl Random for $t {
            #[track_caller]
            fn draw(api: &str) -> Self {
                (draw(api, 1 << 53) as f64 / (1u64 << 53) as f64) as $t
            }
        }

        impl SampleUniform for $t {
            #[track_caller]
            fn sample(api: &str, low: Bound<&Self>, high: Bound<&Self>) -> Self {
                let (lo, hi, inclusive) = match (low, high) {
                    (Bound::Included(&l), Bound::Excluded(&h)) => (l, h, false),
                    (Bound::Included(&l), Bound::Included(&h)) => (l, h, true),
                    _ => panic!("{api}: float ranges must be `a..b` or `a..=b`"),
                };
                assert!(lo.is_finite() && hi.is_finite(), "{api}: the range bounds must be finite");
                assert!(if inclusive { lo <= hi } else { lo < hi }, "{api}: the range is empty");
                let steps: u64 = 1 << 53;
                let unit = if inclusive {
                    draw(api, steps + 1) as f64 / steps as f64
                } else {
                    draw(api, steps) as f64 / steps as f64
                };
                let v = (lo as f64 + (hi as f64 - lo as f64) * unit) as $t;
                // Rounding must not produce the excluded upper bound.
                if !inclusive && v >= hi { lo } else { v }
            }
        }
    )*};
}

float_impls!(f32, f64);

/// A random value of type `T`; see [`Random`] for the types and ranges.
///
/// # Panics
///
/// Outside a simulation.
///
/// ```
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// let id: u128 = u128::from(detsim::rand::random::<u64>());
/// let flip: bool = detsim::rand::random();
/// # let _ = (id, flip);
/// # }).unwrap();
/// ```
#[track_caller]
pub fn random<T: Random>() -> T {
    T::draw("detsim::rand::random") // determinism: ok (a detsim draw, named for errors)
}

/// A uniform value in `range` (`a..b`, `a..=b`, `..b` and `a..` work for
/// integers; floats take `a..b` or `a..=b`).
///
/// # Panics
///
/// On an empty range, or outside a simulation.
///
/// ```
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// let d = detsim::rand::gen_range(1..=6);
/// assert!((1..=6).contains(&d));
/// let t = detsim::rand::gen_range(0.5..1.5);
/// assert!((0.5..1.5).contains(&t));
/// # }).unwrap();
/// ```
#[track_caller]
pub fn gen_range<T: SampleUniform, R: RangeBounds<T>>(range: R) -> T {
    T::sample(
        "detsim::rand::gen_range",
        range.start_bound(),
        range.end_bound(),
    )
}

/// `true` with probability `p`. A draw of zero gives `false`; `p` of 0 or 1
/// makes no draw.
///
/// # Panics
///
/// If `p` is not in `[0, 1]`, or outside a simulation.
///
/// ```
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// assert!(!detsim::rand::gen_bool(0.0));
/// assert!(detsim::rand::gen_bool(1.0));
/// # }).unwrap();
/// ```
#[track_caller]
pub fn gen_bool(p: f64) -> bool {
    assert!(
        (0.0..=1.0).contains(&p),
        "detsim::rand::gen_bool: the probability {p} is not in [0, 1]"
    );
    if p == 0.0 || p == 1.0 {
        // Still inside a simulation only, like every draw.
        let _ = context::current("detsim::rand::gen_bool");
        return p == 1.0;
    }
    let steps: u64 = 1 << 53;
    let threshold = ((1.0 - p) * steps as f64).ceil() as u64;
    draw("detsim::rand::gen_bool", steps) >= threshold
}

/// Shuffles `slice` uniformly (all-zero draws leave it as it is).
///
/// # Panics
///
/// Outside a simulation.
///
/// ```
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// let mut v = vec![1, 2, 3, 4];
/// detsim::rand::shuffle(&mut v);
/// v.sort();
/// assert_eq!(v, [1, 2, 3, 4]);
/// # }).unwrap();
/// ```
#[track_caller]
pub fn shuffle<T>(slice: &mut [T]) {
    let n = slice.len();
    for i in 0..n.saturating_sub(1) {
        let j = i + draw("detsim::rand::shuffle", (n - i) as u64) as usize;
        slice.swap(i, j);
    }
}

/// A uniformly chosen element, or `None` for an empty slice.
///
/// # Panics
///
/// Outside a simulation.
///
/// ```
/// # let mut sim = detsim::Sim::builder().build();
/// # sim.run(async {
/// let peers = ["a", "b", "c"];
/// assert!(peers.contains(detsim::rand::choose(&peers).unwrap()));
/// assert!(detsim::rand::choose::<u8>(&[]).is_none());
/// # }).unwrap();
/// ```
#[track_caller]
pub fn choose<T>(slice: &[T]) -> Option<&T> {
    if slice.is_empty() {
        return None;
    }
    let i = draw("detsim::rand::choose", slice.len() as u64);
    slice.get(i as usize)
}
