//! Misuse of `#[sim_test]` is a compile error pointing at the offending
//! token; each file under `tests/ui/` is one kind of misuse, with the
//! compiler's output committed next to it.

#[test]
fn misuse_is_a_spanned_compile_error() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}
