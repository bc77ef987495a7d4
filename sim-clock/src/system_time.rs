//! Virtual wall-clock time.

use std::fmt;
use std::ops::{Add, Sub};
use std::time::Duration;

use crate::clock;

/// Wall-clock time inside a simulation: the simulation's epoch plus the
/// virtual time elapsed since it started.
///
/// The epoch is drawn from the simulation's seed (so date-dependent code sees
/// a different, reproducible date per seed) unless the runtime fixes it. It
/// never reads the host's clock. Convert to `std::time::SystemTime` with
/// [`SystemTime::into_std`] or `From`.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use detsim::time::SystemTime;
///
/// let epoch = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
/// let mut sim = detsim::Sim::builder().epoch(epoch).build();
/// sim.run(async {
///     let now = SystemTime::now();
///     assert_eq!(now.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs(), 1_700_000_000);
/// }).unwrap();
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SystemTime(std::time::SystemTime);

impl SystemTime {
    /// 1970-01-01 00:00:00 UTC.
    ///
    /// ```
    /// assert_eq!(detsim::time::SystemTime::UNIX_EPOCH.into_std(), std::time::UNIX_EPOCH);
    /// ```
    pub const UNIX_EPOCH: SystemTime = SystemTime(std::time::UNIX_EPOCH);

    /// The simulation's current wall-clock time.
    ///
    /// # Panics
    ///
    /// Outside a simulation, with a message naming this function.
    ///
    /// ```
    /// # detsim::Sim::builder().build().run(async {
    /// let t = detsim::time::SystemTime::now();
    /// assert!(t >= detsim::time::SystemTime::UNIX_EPOCH);
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn now() -> SystemTime {
        clock::with_current("detsim::time::SystemTime::now", |c| c.system_now())
    }

    /// The time elapsed from `earlier` to `self`; `Err` holds how far `earlier`
    /// is ahead when it is later.
    ///
    /// ```
    /// # use std::time::Duration;
    /// use detsim::time::SystemTime;
    /// let t = SystemTime::UNIX_EPOCH + Duration::from_secs(5);
    /// assert_eq!(t.duration_since(SystemTime::UNIX_EPOCH), Ok(Duration::from_secs(5)));
    /// assert_eq!(SystemTime::UNIX_EPOCH.duration_since(t), Err(Duration::from_secs(5)));
    /// ```
    pub fn duration_since(self, earlier: SystemTime) -> Result<Duration, Duration> {
        self.0.duration_since(earlier.0).map_err(|e| e.duration())
    }

    /// Virtual wall-clock time elapsed since `self` (zero if `self` is in the
    /// future).
    ///
    /// # Panics
    ///
    /// Outside a simulation.
    ///
    /// ```
    /// # detsim::Sim::builder().build().run(async {
    /// let t = detsim::time::SystemTime::now();
    /// assert_eq!(t.elapsed(), std::time::Duration::ZERO);
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn elapsed(self) -> Duration {
        SystemTime::now().duration_since(self).unwrap_or_default() // determinism: ok (virtual)
    }

    /// `self + d`, or `None` on overflow.
    ///
    /// ```
    /// # use std::time::Duration;
    /// let t = detsim::time::SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(1));
    /// assert!(t.is_some());
    /// ```
    pub fn checked_add(self, d: Duration) -> Option<SystemTime> {
        self.0.checked_add(d).map(SystemTime)
    }

    /// `self - d`, or `None` on overflow.
    ///
    /// ```
    /// # use std::time::Duration;
    /// let t = detsim::time::SystemTime::UNIX_EPOCH + Duration::from_secs(2);
    /// assert_eq!(t.checked_sub(Duration::from_secs(2)), Some(detsim::time::SystemTime::UNIX_EPOCH));
    /// ```
    pub fn checked_sub(self, d: Duration) -> Option<SystemTime> {
        self.0.checked_sub(d).map(SystemTime)
    }

    /// The same point in time as a `std::time::SystemTime`.
    ///
    /// ```
    /// let std_time: std::time::SystemTime = detsim::time::SystemTime::UNIX_EPOCH.into_std();
    /// assert_eq!(std_time, std::time::UNIX_EPOCH);
    /// ```
    pub fn into_std(self) -> std::time::SystemTime {
        self.0
    }

    /// Wraps a `std::time::SystemTime` (for fixing an epoch, for instance).
    ///
    /// ```
    /// let t = detsim::time::SystemTime::from_std(std::time::UNIX_EPOCH);
    /// assert_eq!(t, detsim::time::SystemTime::UNIX_EPOCH);
    /// ```
    pub fn from_std(t: std::time::SystemTime) -> SystemTime {
        SystemTime(t)
    }
}

impl From<SystemTime> for std::time::SystemTime {
    fn from(t: SystemTime) -> Self {
        t.0
    }
}

impl From<std::time::SystemTime> for SystemTime {
    fn from(t: std::time::SystemTime) -> Self {
        SystemTime(t)
    }
}

impl Add<Duration> for SystemTime {
    type Output = SystemTime;

    /// # Panics
    ///
    /// On overflow, like `std::time::SystemTime`.
    #[track_caller]
    fn add(self, d: Duration) -> SystemTime {
        self.checked_add(d)
            .expect("overflow when adding a duration to a detsim SystemTime")
    }
}

impl Sub<Duration> for SystemTime {
    type Output = SystemTime;

    /// # Panics
    ///
    /// On overflow, like `std::time::SystemTime`.
    #[track_caller]
    fn sub(self, d: Duration) -> SystemTime {
        self.checked_sub(d)
            .expect("overflow when subtracting a duration from a detsim SystemTime")
    }
}

impl fmt::Debug for SystemTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.duration_since(SystemTime::UNIX_EPOCH) {
            Ok(d) => write!(f, "SystemTime(UNIX_EPOCH + {d:?})"),
            Err(d) => write!(f, "SystemTime(UNIX_EPOCH - {d:?})"),
        }
    }
}
