//! Options shared by the bench binaries (`runtime.rs`, `net.rs`): the
//! positional row filter and `DETSIM_BENCH_SCALE`.

/// Whether the filter `f` selects row `workload/runtime`: a filter with a
/// `/` names one row exactly, one without selects rows whose label
/// contains it.
pub(crate) fn row_selected(f: &str, workload: &str, runtime: &str) -> bool {
    let label = format!("{workload}/{runtime}");
    if f.contains('/') {
        label == f
    } else {
        label.contains(f)
    }
}

/// `DETSIM_BENCH_SCALE`: the divisor of every workload size (1 when unset
/// or invalid).
pub(crate) fn scale() -> u64 {
    std::env::var("DETSIM_BENCH_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|&s| s > 0)
        .unwrap_or(1)
}
