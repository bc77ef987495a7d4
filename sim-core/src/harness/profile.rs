//! The cargo profile a test binary was built with, so that the commands a
//! failure prints (and `cargo detsim replay` of its artifact) build the
//! test the same way: a release build's failure often does not come back
//! in a debug build (overflow checks, `debug_assert!`, other timings of
//! `cfg!(debug_assertions)` code), and the other way round.
//!
//! Read from where cargo put the binary: `<target dir>[/<triple>]/<dir>/deps/`
//! (or `.../examples/`), where `<dir>` is `debug` for the `dev` and `test`
//! profiles (no flag), `release` for `release` and `bench` (`--release`),
//! and the profile's own name for a custom one (`--profile NAME`). A
//! binary outside cargo's layout (copied elsewhere, run by another tool)
//! falls back to `cfg!(debug_assertions)` of detsim's own build: on is
//! `dev`, off is `release`, which is right unless a profile changes
//! `debug-assertions` from its default.

use std::path::Path;
use std::sync::OnceLock;

/// The profile of a plain `cargo test` (no flag).
pub(crate) const DEV: &str = "dev";
/// The profile `--release` selects.
pub(crate) const RELEASE: &str = "release";

/// The profile this test binary was built with (see the module's doc).
pub(crate) fn current() -> &'static str {
    static ONCE: OnceLock<String> = OnceLock::new();
    ONCE.get_or_init(|| {
        std::env::current_exe()
            .ok()
            .and_then(|exe| of_exe(&exe))
            .unwrap_or_else(|| if cfg!(debug_assertions) { DEV } else { RELEASE }.to_owned())
    })
}

/// The profile of the binary at `exe`, from cargo's directory layout.
fn of_exe(exe: &Path) -> Option<String> {
    let dir = exe.parent()?;
    let kind = dir.file_name()?.to_str()?;
    if kind != "deps" && kind != "examples" {
        return None;
    }
    match dir.parent()?.file_name()?.to_str()? {
        "" => None,
        "debug" => Some(DEV.to_owned()),
        name => Some(name.to_owned()),
    }
}

/// What rebuilds a test of `profile` in a printed cargo command, with its
/// leading space: nothing for `dev`, ` --release`, or ` --profile NAME`.
pub(crate) fn flag(profile: &str) -> String {
    match profile {
        DEV | "test" => String::new(),
        RELEASE | "bench" => " --release".to_owned(),
        name => format!(" --profile {}", super::shell_word(name)),
    }
}

/// How a report names the build of `profile`: `a dev build`, `a release
/// build`, `a build with profile NAME`.
pub(crate) fn describe(profile: &str) -> String {
    match profile {
        DEV | RELEASE => format!("a {profile} build"),
        name => format!("a build with profile {name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_profile_is_the_directory_cargo_built_into() {
        let of = |p: &str| of_exe(Path::new(p));
        assert_eq!(of("/w/target/debug/deps/net-1a2b").as_deref(), Some(DEV));
        assert_eq!(
            of("/w/target/release/deps/net-1a2b").as_deref(),
            Some(RELEASE)
        );
        assert_eq!(
            of("/w/target/x86_64-unknown-linux-gnu/release/examples/kv-1a2b").as_deref(),
            Some(RELEASE)
        );
        assert_eq!(of("/w/target/ci/deps/net-1a2b").as_deref(), Some("ci"));
        // Outside cargo's layout: unknown (the caller falls back).
        assert_eq!(of("/usr/local/bin/net-tests"), None);
        assert_eq!(of("net-tests"), None);
    }

    #[test]
    fn this_binary_knows_its_profile() {
        // Built by `cargo test` into target/debug or target/release.
        let expected = if cfg!(debug_assertions) { DEV } else { RELEASE };
        assert_eq!(current(), expected);
    }

    #[test]
    fn flags_rebuild_the_profile() {
        assert_eq!(flag(DEV), "");
        assert_eq!(flag(RELEASE), " --release");
        assert_eq!(flag("ci"), " --profile ci");
        assert_eq!(describe(RELEASE), "a release build");
        assert_eq!(describe("ci"), "a build with profile ci");
    }
}
