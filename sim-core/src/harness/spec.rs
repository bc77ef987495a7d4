//! What `#[sim_test]` hands the harness: where the test lives
//! ([`TestSpec`]), what its attribute asked for ([`TestAttrs`]) and how its
//! return value reads as pass or fail ([`TestOutput`]).

use std::fmt::Debug;
use std::time::Duration;

use super::CompiledFeatures;
use crate::Scheduler;

/// The [`TestSpec`] of the code where it is written, with `path` as its
/// path: cargo's `CARGO_*` variables and `file!()` are read where the macro
/// expands (the test's crate). `#[sim_test]`'s expansion and
/// [`proptest::check!`](crate::proptest::check!) both build theirs with it.
/// Not a stable API.
///
/// ```
/// let spec = sim_core::__test_spec!("here::t");
/// assert_eq!((spec.package, spec.path), ("sim-core", "here::t"));
/// ```
#[macro_export]
#[doc(hidden)]
macro_rules! __test_spec {
    ($path:expr) => {
        $crate::harness::TestSpec {
            path: $path,
            file: ::core::file!(),
            package: ::core::env!("CARGO_PKG_NAME"),
            crate_name: ::core::env!("CARGO_CRATE_NAME"),
            bin_name: ::core::option_env!("CARGO_BIN_NAME"),
            target_tmpdir: ::core::option_env!("CARGO_TARGET_TMPDIR"),
            manifest_dir: ::core::env!("CARGO_MANIFEST_DIR"),
            features: $crate::harness::CompiledFeatures::new($crate::__macro::compiled_features!()),
        }
    };
}

/// Where a `#[sim_test]` lives, captured at compile time by the macro's
/// expansion (`module_path!`, `file!`, cargo's `CARGO_*` variables).
///
/// Not a stable API: only the macro builds one.
///
/// ```
/// let spec = detsim::harness::TestSpec {
///     path: "my_crate::tests::it_works",
///     file: "src/lib.rs",
///     package: "my-crate",
///     crate_name: "my_crate",
///     bin_name: None,
///     target_tmpdir: None,
///     manifest_dir: "/src/my-crate",
///     features: detsim::harness::CompiledFeatures::UNKNOWN,
/// };
/// assert_eq!(spec.test_name(), "tests::it_works");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TestSpec {
    /// `module_path!()` followed by `::` and the function's name.
    pub path: &'static str,
    /// `file!()` of the test function.
    pub file: &'static str,
    /// `CARGO_PKG_NAME`.
    pub package: &'static str,
    /// `CARGO_CRATE_NAME` (the target's name with `-` turned into `_`).
    pub crate_name: &'static str,
    /// `CARGO_BIN_NAME`: set for binaries and examples.
    pub bin_name: Option<&'static str>,
    /// `CARGO_TARGET_TMPDIR`: set for integration tests and benchmarks.
    pub target_tmpdir: Option<&'static str>,
    /// `CARGO_MANIFEST_DIR`.
    pub manifest_dir: &'static str,
    /// The cargo features the crate was compiled with.
    pub features: CompiledFeatures,
}

impl TestSpec {
    /// The name libtest knows the test by: the module path without the
    /// crate's own name, then the function.
    ///
    /// ```
    /// # let mut spec = detsim::harness::TestSpec {
    /// #     path: "", file: "", package: "", crate_name: "", bin_name: None,
    /// #     target_tmpdir: None, manifest_dir: "",
    /// #     features: detsim::harness::CompiledFeatures::UNKNOWN,
    /// # };
    /// spec.path = "net_partition::heals";
    /// assert_eq!(spec.test_name(), "heals");
    /// ```
    pub fn test_name(&self) -> &'static str {
        match self.path.split_once("::") {
            Some((_, rest)) => rest,
            None => self.path,
        }
    }
}

/// What a `#[sim_test(...)]` attribute asked for; environment variables
/// override it at run time.
///
/// Built by the macro with `const` calls, one per key.
///
/// ```
/// let attrs = detsim::harness::TestAttrs::new().seed(7).seeds(100).pct(2).strict();
/// assert_eq!(attrs.base_seed(), Some(7));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[must_use]
pub struct TestAttrs {
    pub(crate) seed: Option<u64>,
    pub(crate) seeds: Option<u64>,
    pub(crate) scheduler: Option<Scheduler>,
    pub(crate) time_limit: Option<Duration>,
    pub(crate) max_steps: Option<u64>,
    pub(crate) strict: bool,
    pub(crate) check_determinism: bool,
    /// `#[should_panic]`, with its `expected` text if any.
    pub(crate) should_panic: Option<Option<&'static str>>,
}

impl TestAttrs {
    /// No keys: seed 0, one seed, the defaults of [`Builder`](crate::Builder).
    ///
    /// ```
    /// assert_eq!(detsim::harness::TestAttrs::new().base_seed(), None);
    /// ```
    pub const fn new() -> TestAttrs {
        TestAttrs {
            seed: None,
            seeds: None,
            scheduler: None,
            time_limit: None,
            max_steps: None,
            strict: false,
            check_determinism: false,
            should_panic: None,
        }
    }

    /// `seed = <u64>`: the first (or only) seed.
    ///
    /// ```
    /// let a = detsim::harness::TestAttrs::new().seed(3);
    /// assert_eq!(a.base_seed(), Some(3));
    /// ```
    pub const fn seed(mut self, seed: u64) -> TestAttrs {
        self.seed = Some(seed);
        self
    }

    /// `seeds = <count>`: how many consecutive seeds to run.
    ///
    /// ```
    /// let _ = detsim::harness::TestAttrs::new().seeds(100);
    /// ```
    pub const fn seeds(mut self, count: u64) -> TestAttrs {
        self.seeds = Some(count);
        self
    }

    /// `scheduler = "random"`.
    ///
    /// ```
    /// let _ = detsim::harness::TestAttrs::new().random();
    /// ```
    pub const fn random(mut self) -> TestAttrs {
        self.scheduler = Some(Scheduler::Random);
        self
    }

    /// `scheduler = "fifo"`.
    ///
    /// ```
    /// let _ = detsim::harness::TestAttrs::new().fifo();
    /// ```
    pub const fn fifo(mut self) -> TestAttrs {
        self.scheduler = Some(Scheduler::Fifo);
        self
    }

    /// `scheduler = "pct"` with `pct_depth = <depth>`.
    ///
    /// ```
    /// let _ = detsim::harness::TestAttrs::new().pct(3);
    /// ```
    pub const fn pct(mut self, depth: u32) -> TestAttrs {
        self.scheduler = Some(Scheduler::Pct { depth });
        self
    }

    /// `scheduler = "portfolio"`: each seed runs under Random or PCT at
    /// depth 1, 2 or 3, by `seed % 4` (see
    /// [`Scheduler::Portfolio`]).
    ///
    /// ```
    /// let _ = detsim::harness::TestAttrs::new().portfolio();
    /// ```
    pub const fn portfolio(mut self) -> TestAttrs {
        self.scheduler = Some(Scheduler::Portfolio);
        self
    }

    /// `time_limit = "90s"`, in nanoseconds of virtual time.
    ///
    /// ```
    /// let _ = detsim::harness::TestAttrs::new().time_limit_nanos(90_000_000_000);
    /// ```
    pub const fn time_limit_nanos(mut self, nanos: u64) -> TestAttrs {
        self.time_limit = Some(Duration::from_nanos(nanos));
        self
    }

    /// `max_steps = <n>`.
    ///
    /// ```
    /// let _ = detsim::harness::TestAttrs::new().max_steps(10_000);
    /// ```
    pub const fn max_steps(mut self, steps: u64) -> TestAttrs {
        self.max_steps = Some(steps);
        self
    }

    /// `strict`: hygiene problems (tasks or timers left behind) fail.
    ///
    /// ```
    /// let _ = detsim::harness::TestAttrs::new().strict();
    /// ```
    pub const fn strict(mut self) -> TestAttrs {
        self.strict = true;
        self
    }

    /// `check_determinism`: run every seed twice and compare.
    ///
    /// ```
    /// let _ = detsim::harness::TestAttrs::new().check_determinism();
    /// ```
    pub const fn check_determinism(mut self) -> TestAttrs {
        self.check_determinism = true;
        self
    }

    /// The test is also `#[should_panic]` (`expected` is its `expected =
    /// "..."` text): under `cargo test` libtest checks that (a failing seed
    /// fails the test by panicking), and `cargo detsim sweep` counts a
    /// failing seed as the pass it expects.
    ///
    /// ```
    /// let _ = detsim::harness::TestAttrs::new().should_panic(Some("lost write"));
    /// ```
    pub const fn should_panic(mut self, expected: Option<&'static str>) -> TestAttrs {
        self.should_panic = Some(expected);
        self
    }

    /// The `seed` key, if given.
    ///
    /// ```
    /// assert_eq!(detsim::harness::TestAttrs::new().seed(9).base_seed(), Some(9));
    /// ```
    pub const fn base_seed(&self) -> Option<u64> {
        self.seed
    }
}

/// The return type of a `#[sim_test]` function: `()`, or a `Result` whose
/// error is `Debug`. An `Err` fails the test with the error's `Debug` text.
///
/// ```
/// use detsim::harness::TestOutput;
/// assert_eq!(().into_test_result(), Ok(()));
/// let r: Result<(), &str> = Err("boom");
/// assert_eq!(r.into_test_result(), Err("\"boom\"".to_string()));
/// ```
#[diagnostic::on_unimplemented(
    message = "a #[sim_test] function must return `()` or `Result<(), E>` with `E: Debug`, not `{Self}`",
    label = "this return type"
)]
pub trait TestOutput {
    /// `Ok(())` for a pass, `Err(text)` for a test that returned an error.
    fn into_test_result(self) -> Result<(), String>;
}

impl TestOutput for () {
    fn into_test_result(self) -> Result<(), String> {
        Ok(())
    }
}

impl<E: Debug> TestOutput for Result<(), E> {
    fn into_test_result(self) -> Result<(), String> {
        self.map_err(|e| format!("{e:?}"))
    }
}
