//! Helpers shared by the integration tests.

/// Asserts a snapshot with `file.rs:line:col` locations redacted, so
/// editing a test file does not churn its snapshots.
#[macro_export]
macro_rules! assert_report_snapshot {
    ($value:expr) => {
        insta::with_settings!({filters => vec![(r"\.rs:\d+:\d+", ".rs:[line]")]}, {
            insta::assert_snapshot!($value);
        })
    };
}
