//! The `#[sim_test]` attribute of [detsim](https://docs.rs/detsim). Use it
//! through the facade, as `detsim::sim_test`: the expansion names paths in
//! `::detsim` (or in the path given with `crate = "..."`).

use proc_macro::TokenStream;
use proc_macro2::TokenStream as TokenStream2;

mod attrs;
mod duration;
mod expand;
mod features;

/// Turns an `async fn` into a test that runs under the detsim simulator.
///
/// The function takes no arguments and returns `()` or `Result<(), E>`
/// with `E: Debug` (an `Err` fails the test, showing the error's `Debug`
/// text, so `?` works in the body). It becomes a `#[test]`: each run builds
/// a fresh simulation (seeded executor, virtual clock) and runs the function
/// as its main task, so `detsim::spawn`, `detsim::time::sleep` and the rest
/// work inside it, and a failure names the seed that replays it.
///
/// ```ignore
/// use std::time::Duration;
/// use detsim::{sim_test, spawn, time};
///
/// #[sim_test]
/// async fn slow_task_finishes_last() {
///     let slow = spawn(async {
///         time::sleep(Duration::from_secs(3)).await;
///         "slow"
///     });
///     let fast = spawn(async { "fast" });
///     assert_eq!(fast.await.unwrap(), "fast");
///     assert_eq!(slow.await.unwrap(), "slow"); // three virtual seconds, no real wait
/// }
///
/// #[sim_test(seeds = 1_000, scheduler = "pct", time_limit = "10m")]
/// async fn no_seat_is_sold_twice() -> Result<(), BookingError> {
///     let booth = Booth::open(10);
///     booth.sell_concurrently(12).await?;
///     assert!(booth.sold() <= 10);
///     Ok(())
/// }
/// ```
///
/// # Keys
///
/// All optional, comma separated, each at most once:
///
/// | key | value | default |
/// |---|---|---|
/// | `seed` | the first (or only) seed: `seed = 7`, `seed = 0xdead_beef` | 0 |
/// | `seeds` | how many consecutive seeds to run, at least 1: `seeds = 100` | 1 |
/// | `scheduler` | `"random"`, `"fifo"`, `"pct"`, `"pct:N"` (PCT of depth N, 1 to 64, as `DETSIM_SCHEDULER` writes it) or `"portfolio"` | `"random"` |
/// | `pct_depth` | with `scheduler = "pct"` only: the bug depth PCT targets, 1 to 64 (`scheduler = "pct:2"` is `scheduler = "pct", pct_depth = 2`) | 3 |
/// | `time_limit` | virtual time before the run fails: `"90s"`, `"1.5s"`, `"500ms"`, `"2h"` (units `ns`, `us`, `ms`, `s`, `m`, `h`) | 1 h |
/// | `max_steps` | polls before the run fails, at least 1: `max_steps = 100_000` | 10 M |
/// | `strict` | flag: tasks or timers left at the end fail the run | off |
/// | `check_determinism` | flag: run each seed twice and fail if the runs differ | off |
/// | `crate` | the path of the detsim crate, when it is renamed or re-exported: `crate = "my_tests::detsim"` | `::detsim` |
///
/// Environment variables override the attribute when the test runs:
/// `DETSIM_SEED` (decimal or `0x` hex), `DETSIM_SEEDS`, `DETSIM_JOBS`,
/// `DETSIM_CHECK_DETERMINISM=1`, `DETSIM_REPLAY=<artifact>`,
/// `DETSIM_TIME_LIMIT` (like `time_limit`), `DETSIM_SCHEDULER` (like
/// `scheduler`: `random`, `fifo`, `pct:3`) and `DETSIM_KEEP_GOING=1`;
/// others (`DETSIM_TRACE`, `DETSIM_TRACE_LIMIT`, `DETSIM_SHRINK`,
/// `DETSIM_SLOW_RUN`) add to what a run does. The README's table lists
/// them all.
///
/// ```ignore
/// mod support {
///     pub use detsim; // a re-export, as a test-support crate would have
/// }
///
/// #[support::detsim::sim_test(crate = "crate::support::detsim", seed = 42, strict)]
/// async fn through_a_reexport() {
///     detsim::yield_now().await;
/// }
/// ```
///
/// # Other attributes
///
/// Attributes below `#[sim_test]` stay on the test: doc comments,
/// `#[ignore]`, `#[should_panic]` (a panic in the body, or an `Err`, fails
/// the run, which panics the test: with `seeds = N`, the test passes when
/// some seed fails; `cargo detsim sweep` judges it the same way, counting
/// a failing seed with the `expected` text as the pass), lint levels. Another test attribute
/// (`#[test]`, `#[tokio::test]`, a second `#[sim_test]`) is an error:
/// `#[sim_test]` already makes the function a test.
///
/// # Errors
///
/// Misuse is a compile error on the offending token: a function that is
/// not `async`, has arguments, `self`, generics or a `where` clause; an
/// unknown or repeated key; a value of the wrong kind or out of range
/// (`seeds = 0`, `scheduler = "dfs"`, `scheduler = "pct:0"`,
/// `time_limit = "90 seconds"`, `pct_depth` without `scheduler = "pct"` or
/// beside `"pct:N"`); a value given to a flag or a
/// key without its value. A return type other than `()` or `Result<(), E:
/// Debug>` is reported on the return type.
///
/// # Expansion
///
/// Roughly, for `#[sim_test(seed = 7)] async fn my_test() { ... }`:
///
/// ```ignore
/// #[test]
/// fn my_test() {
///     async fn my_test() { ... }
///     ::detsim::__private::run_test(
///         ::detsim::__private::test_spec!(concat!(module_path!(), "::my_test")),
///         ::detsim::__private::TestAttrs::new().seed(7),
///         my_test,
///     )
/// }
/// ```
#[proc_macro_attribute]
pub fn sim_test(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::sim_test(args.into(), item.into()).into()
}

/// The cargo features of the crate being compiled: a pair of the table
/// `&[(name, cfg!(feature = name))]` of every feature its `Cargo.toml`
/// declares, and `Some(&[...])` with the features its `default` turns on
/// (`None`, and an empty table, when the manifest cannot be read). The
/// harness's `TestSpec` is built with it, to print replay commands with
/// the feature flags that rebuild the test. Not a stable API.
///
/// ```ignore
/// let (table, default) = sim_macros::__compiled_features!();
/// ```
#[doc(hidden)]
#[proc_macro]
pub fn __compiled_features(input: TokenStream) -> TokenStream {
    if !input.is_empty() {
        let input = TokenStream2::from(input);
        return syn::Error::new_spanned(input, "__compiled_features!() takes no arguments")
            .to_compile_error()
            .into();
    }
    features::expand().into()
}

/// Collects every error found, to report them all at once.
#[derive(Default)]
struct Errors(Option<syn::Error>);

impl Errors {
    fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(first) => first.combine(error),
            None => self.0 = Some(error),
        }
    }

    fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// `Err` with every error, if there was one.
    fn finish(self) -> Result<(), syn::Error> {
        self.0.map_or(Ok(()), Err)
    }

    /// One `compile_error!` per error.
    fn into_compile_errors(self) -> TokenStream2 {
        self.0.map(|e| e.to_compile_error()).unwrap_or_default()
    }
}
