//! `cargo detsim shrink`: placeholder replaced after merging main.
