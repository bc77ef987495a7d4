//! Where a test lives for cargo: its target (`--lib`, `--test x`,
//! `--example x`, ...), the command that reruns it, and the target
//! directory its artifacts go to.

use std::path::{Path, PathBuf};

use super::artifact::{Config, Target};
use super::spec::TestSpec;

/// The cargo target of a test, from what the compiler knew about it and,
/// where that is ambiguous, the package's files (read only when a test
/// fails).
pub(crate) fn target_of(spec: &TestSpec) -> Target {
    let manifest = Path::new(spec.manifest_dir);
    let rel = package_relative(spec.file, manifest).unwrap_or_else(|| spec.file.replace('\\', "/"));
    let top = rel.split('/').next().unwrap_or_default();
    let (kind, name) = if let Some(bin) = spec.bin_name {
        let kind = if top == "examples" { "example" } else { "bin" };
        (kind, bin.to_owned())
    } else if spec.target_tmpdir.is_some() {
        let kind = if top == "benches" { "bench" } else { "test" };
        let dir = if kind == "bench" { "benches" } else { "tests" };
        (kind, target_name(manifest, dir, &rel, spec.crate_name))
    } else {
        ("lib", spec.crate_name.to_owned())
    };
    Target {
        kind: kind.into(),
        name,
    }
}

/// `file!()` relative to the package root. `file!()` is relative to the
/// workspace root (an ancestor of the manifest directory) or absolute.
fn package_relative(file: &str, manifest: &Path) -> Option<String> {
    let file = Path::new(file);
    let full = if file.is_absolute() {
        Some(file.to_path_buf())
    } else {
        manifest
            .ancestors()
            .map(|root| root.join(file))
            .find(|full| full.starts_with(manifest) && full.is_file())
    }?;
    let rel = full.strip_prefix(manifest).ok()?;
    Some(rel.to_string_lossy().replace('\\', "/"))
}

/// The name cargo gives a test or bench target whose crate name (`-` made
/// `_`) is `crate_name`: the file or directory it came from
/// (`tests/net-tcp.rs`, `tests/my-suite/main.rs`), another file of that
/// directory (for a test in a shared module), or a `name = "..."` in
/// `Cargo.toml` (a `[[test]]` with a custom path).
fn target_name(manifest: &Path, dir: &str, rel: &str, crate_name: &str) -> String {
    let matches = |s: &str| s.replace('-', "_") == crate_name;
    let mut parts = rel.split('/');
    if parts.next() == Some(dir) {
        if let Some(first) = parts.next() {
            let first = first.strip_suffix(".rs").unwrap_or(first);
            if matches(first) {
                return first.to_owned();
            }
        }
    }
    let mut found: Vec<String> = std::fs::read_dir(manifest.join(dir))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            match name.strip_suffix(".rs") {
                Some(stem) => Some(stem.to_owned()),
                None => e.path().join("main.rs").is_file().then_some(name),
            }
        })
        .filter(|n| matches(n))
        .collect();
    found.sort();
    if let Some(name) = found.into_iter().next() {
        return name;
    }
    let toml = std::fs::read_to_string(manifest.join("Cargo.toml")).unwrap_or_default();
    toml.lines()
        .filter_map(|l| {
            let (key, value) = l.split_once('=')?;
            (key.trim() == "name").then(|| value.trim().trim_matches('"').to_owned())
        })
        .find(|n| matches(n))
        .unwrap_or_else(|| crate_name.to_owned())
}

/// The `cargo test` selector of a target.
pub(crate) fn selector(target: &Target) -> String {
    match target.kind.as_str() {
        "lib" => "--lib".into(),
        kind => format!("--{kind} {}", target.name),
    }
}

/// `cargo test -p <package> <selector> [features] [--release] -- <test>
/// --exact`, which runs this one test, built with the feature flags
/// `features` ([`cargo_features`]) and the cargo profile `profile` (see
/// `profile.rs`).
pub(crate) fn cargo_test(
    package: &str,
    target: &Target,
    features: &[String],
    profile: &str,
    test: &str,
) -> String {
    format!(
        "cargo test -p {} {}{}{} -- {} --exact",
        shell_word(package),
        selector(target),
        feature_flags(features),
        super::profile::flag(profile),
        shell_word(test)
    )
}

/// The feature flags that build the running test as it is built: those
/// `cargo detsim` was given (`DETSIM_CARGO_FEATURES`), else those that
/// turn on the features its crate was compiled with (none for the
/// defaults), so that a failure under plain `cargo test --features x`
/// prints commands with `--features x` too.
pub(crate) fn cargo_features(spec: &TestSpec) -> Vec<String> {
    match super::env::overrides() {
        Ok(o) if !o.cargo_features.is_empty() => o.cargo_features.clone(),
        _ => spec.features.flags(),
    }
}

/// ` --features x` (each word quoted for the shell), or nothing.
pub(crate) fn feature_flags(features: &[String]) -> String {
    features
        .iter()
        .map(|a| format!(" {}", shell_word(a)))
        .collect()
}

/// `s` as one word of a POSIX shell command: as it is when it holds only
/// characters no shell treats specially, else in single quotes (a `'`
/// inside becomes `'\''`), so a printed command pastes as it is.
///
/// ```
/// use detsim::harness::shell_word;
/// assert_eq!(shell_word("target/detsim/x.seed-0x2a.json"), "target/detsim/x.seed-0x2a.json");
/// assert_eq!(shell_word("/My Projects/x.json"), "'/My Projects/x.json'");
/// assert_eq!(shell_word("it's"), r"'it'\''s'");
/// ```
#[doc(hidden)]
pub fn shell_word(s: &str) -> std::borrow::Cow<'_, str> {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_-.,/:=@%+".contains(c);
    if !s.is_empty() && s.chars().all(plain) {
        return s.into();
    }
    format!("'{}'", s.replace('\'', r"'\''")).into()
}

/// The cargo target directory of this test binary: the nearest ancestor of
/// the running executable holding cargo's `CACHEDIR.TAG`, else
/// `CARGO_TARGET_DIR`, else what the compiler saw, else `<manifest>/target`.
pub(crate) fn target_dir(spec: &TestSpec) -> PathBuf {
    let from_exe = std::env::current_exe().ok().and_then(|exe| {
        exe.ancestors()
            .skip(1)
            .find(|dir| dir.join("CACHEDIR.TAG").is_file())
            .map(Path::to_path_buf)
    });
    from_exe
        .or_else(|| {
            let dir = PathBuf::from(std::env::var_os("CARGO_TARGET_DIR")?);
            Some(if dir.is_absolute() {
                dir
            } else {
                Path::new(spec.manifest_dir).join(dir)
            })
        })
        .or_else(|| Some(Path::new(spec.target_tmpdir?).parent()?.to_path_buf()))
        .unwrap_or_else(|| Path::new(spec.manifest_dir).join("target"))
}

/// `<target dir>/detsim/failures/<package>/<kind>-<target>.<test path>.seed-0x2a.json`:
/// a directory per package, since the packages of a workspace (or projects
/// sharing a `CARGO_TARGET_DIR`) may have targets and tests of the same
/// names, and a library and a binary of one package share a crate name, so
/// the target's kind is part of the name. A scheduler other than the
/// default Random (the seed's own, in a portfolio) adds its name
/// (`.seed-0x2a.pct-2.json`, `.seed-0x2a.fifo.json`), and a build in
/// another profile than `dev` adds that (`.seed-0x2a.release.json`): a
/// PCT or release sweep's failure does not overwrite the Random or debug
/// one's of the same seed.
pub(crate) fn artifact_path(
    spec: &TestSpec,
    target: &Target,
    seed: u64,
    scheduler: &Config,
    profile: &str,
) -> PathBuf {
    let safe = |s: &str| -> String {
        s.replace("::", ".")
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || c == '.' || c == '_' || c == '-' {
                    c
                } else {
                    '-'
                }
            })
            .collect()
    };
    target_dir(spec)
        .join("detsim")
        .join("failures")
        .join(safe(spec.package))
        .join(format!(
            "{}-{}.{}.seed-{seed:#x}{}{}.json",
            target.kind,
            safe(&target.name),
            safe(spec.test_name()),
            match (scheduler.scheduler.as_str(), scheduler.pct_depth) {
                ("random", _) => String::new(),
                ("pct", Some(depth)) => format!(".pct-{depth}"),
                (other, _) => format!(".{}", safe(other)),
            },
            match profile {
                super::profile::DEV | "test" => String::new(),
                other => format!(".{}", safe(other)),
            }
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scratch directory, removed when dropped (passing or not).
    struct Scratch(PathBuf);

    impl std::ops::Deref for Scratch {
        type Target = Path;
        fn deref(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// A scratch package (or workspace) with the given files.
    fn tree(name: &str, files: &[&str]) -> Scratch {
        let root =
            std::env::temp_dir().join(format!("detsim-target-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for f in files {
            let (path, text) = f.split_once(" = ").unwrap_or((f, ""));
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        Scratch(root)
    }

    fn command(
        manifest: &Path,
        file: &'static str,
        crate_name: &'static str,
        bin: Option<&'static str>,
        test: bool,
    ) -> String {
        let manifest: &'static str = Box::leak(manifest.display().to_string().into_boxed_str());
        let spec = TestSpec {
            path: "x::tests::t",
            file,
            package: "kv-store",
            crate_name,
            bin_name: bin,
            target_tmpdir: test.then_some("/w/target/tmp"),
            manifest_dir: manifest,
            features: crate::harness::CompiledFeatures::UNKNOWN,
        };
        cargo_test(
            spec.package,
            &target_of(&spec),
            &[],
            "dev",
            spec.test_name(),
        )
    }

    #[test]
    fn unit_tests_of_a_library_and_a_binary() {
        let p = tree("lib", &["Cargo.toml", "src/raft.rs", "src/main.rs"]);
        let lib = command(&p, "src/raft.rs", "kv_store", None, false);
        assert_eq!(lib, "cargo test -p kv-store --lib -- tests::t --exact");
        let bin = command(&p, "src/main.rs", "kv_store", Some("kv-store"), false);
        assert_eq!(
            bin,
            "cargo test -p kv-store --bin kv-store -- tests::t --exact"
        );
    }

    #[test]
    fn integration_tests_in_every_layout() {
        let p = tree(
            "tests",
            &[
                "Cargo.toml = [[test]]\nname = \"a-b\"\npath = \"checks/ab.rs\"",
                "tests/net-partition.rs",
                "tests/my-suite/main.rs",
                "tests/my-suite/net.rs",
                "tests/other-test.rs",
                "tests/common/mod.rs",
                "checks/ab.rs",
            ],
        );
        let t = |file, krate| command(&p, file, krate, None, true);
        let exact =
            |name: &str| format!("cargo test -p kv-store --test {name} -- tests::t --exact");
        assert_eq!(
            t("tests/net-partition.rs", "net_partition"),
            exact("net-partition")
        );
        assert_eq!(t("tests/my-suite/main.rs", "my_suite"), exact("my-suite"));
        assert_eq!(t("tests/my-suite/net.rs", "my_suite"), exact("my-suite"));
        assert_eq!(t("tests/common/mod.rs", "other_test"), exact("other-test"));
        assert_eq!(t("checks/ab.rs", "a_b"), exact("a-b"));
    }

    #[test]
    fn workspace_members_named_like_target_directories() {
        let ws = tree(
            "ws",
            &[
                "Cargo.toml",
                "examples/demo/Cargo.toml",
                "examples/demo/src/main.rs",
                "benches/Cargo.toml",
                "benches/tests/foo.rs",
            ],
        );
        let demo = command(
            &ws.join("examples/demo"),
            "examples/demo/src/main.rs",
            "demo",
            Some("demo"),
            false,
        );
        assert_eq!(
            demo,
            "cargo test -p kv-store --bin demo -- tests::t --exact"
        );
        let foo = command(
            &ws.join("benches"),
            "benches/tests/foo.rs",
            "foo",
            None,
            true,
        );
        assert_eq!(foo, "cargo test -p kv-store --test foo -- tests::t --exact");
    }

    #[test]
    fn examples_and_benches() {
        let p = tree("ex", &["Cargo.toml", "examples/kv.rs", "benches/sweep.rs"]);
        let ex = command(&p, "examples/kv.rs", "kv", Some("kv"), false);
        assert_eq!(
            ex,
            "cargo test -p kv-store --example kv -- tests::t --exact"
        );
        let bench = command(&p, "benches/sweep.rs", "sweep", None, true);
        assert_eq!(
            bench,
            "cargo test -p kv-store --bench sweep -- tests::t --exact"
        );
    }

    #[test]
    fn artifact_names_are_file_safe_and_name_the_target() {
        let spec = TestSpec {
            path: "a::tests::r#weird",
            file: "tests/a.rs",
            package: "p",
            crate_name: "a",
            bin_name: None,
            target_tmpdir: None,
            manifest_dir: "/w/kv",
            features: crate::harness::CompiledFeatures::UNKNOWN,
        };
        let target = Target {
            kind: "test".into(),
            name: "net-tcp".into(),
        };
        let random = Config::of(&crate::Sim::builder(), false);
        let path = artifact_path(&spec, &target, 42, &random, "dev");
        let name = path.file_name().unwrap().to_str().unwrap();
        assert_eq!(name, "test-net-tcp.tests.r-weird.seed-0x2a.json");
        // A release build's failure of the same seed: another file.
        let release = artifact_path(&spec, &target, 42, &random, "release");
        assert_eq!(
            release.file_name().unwrap(),
            "test-net-tcp.tests.r-weird.seed-0x2a.release.json"
        );
        // So is another scheduler's (the seed's own, in a portfolio).
        let name_with = |s: crate::Scheduler, profile: &str| {
            let config = Config::of(&crate::Sim::builder().scheduler(s).seed(42), false);
            let path = artifact_path(&spec, &target, 42, &config, profile);
            path.file_name().unwrap().to_str().unwrap().to_owned()
        };
        assert_eq!(
            name_with(crate::Scheduler::Pct { depth: 2 }, "release"),
            "test-net-tcp.tests.r-weird.seed-0x2a.pct-2.release.json"
        );
        assert_eq!(
            name_with(crate::Scheduler::Fifo, "dev"),
            "test-net-tcp.tests.r-weird.seed-0x2a.fifo.json"
        );
        // 42 % 4 == 2: a portfolio runs seed 42 under PCT depth 2.
        assert_eq!(
            name_with(crate::Scheduler::Portfolio, "dev"),
            "test-net-tcp.tests.r-weird.seed-0x2a.pct-2.json"
        );
        assert!(path.parent().unwrap().ends_with("detsim/failures/p"));
        // Another package's test of the same target and name: another file.
        let other = TestSpec {
            package: "q",
            ..spec
        };
        assert_ne!(artifact_path(&other, &target, 42, &random, "dev"), path);
    }
}
