//! Where a test lives for cargo: its target (`--lib`, `--test x`,
//! `--example x`, ...), the command that reruns it, and the target
//! directory its artifacts go to.

use std::path::{Path, PathBuf};

use super::artifact::Target;
use super::spec::TestSpec;

/// The cargo target of a test, from what the compiler knew about it.
pub(crate) fn target_of(spec: &TestSpec) -> Target {
    let file = spec.file.replace('\\', "/");
    let in_dir =
        |dir: &str| file.starts_with(&format!("{dir}/")) || file.contains(&format!("/{dir}/"));
    let (kind, name) = if let Some(bin) = spec.bin_name {
        (
            if in_dir("examples") { "example" } else { "bin" },
            bin.to_owned(),
        )
    } else if spec.target_tmpdir.is_some() {
        let kind = if in_dir("benches") { "bench" } else { "test" };
        (kind, file_target_name(&file, spec.crate_name))
    } else {
        ("lib", spec.crate_name.to_owned())
    };
    Target {
        kind: kind.into(),
        name,
    }
}

/// Cargo names an auto-discovered test by its file (`tests/net-tcp.rs` is
/// `net-tcp`, `tests/big/main.rs` is `big`); the crate name has `_` for
/// `-`. Prefer the file's spelling when the two agree.
fn file_target_name(file: &str, crate_name: &str) -> String {
    let path = Path::new(file);
    let stem = match path.file_stem().and_then(|s| s.to_str()) {
        Some("main" | "mod") => path
            .parent()
            .and_then(|p| p.file_name())
            .and_then(|s| s.to_str()),
        other => other,
    };
    match stem {
        Some(s) if s.replace('-', "_") == crate_name => s.to_owned(),
        _ => crate_name.to_owned(),
    }
}

/// The `cargo test` selector of a target.
pub(crate) fn selector(target: &Target) -> String {
    match target.kind.as_str() {
        "lib" => "--lib".into(),
        kind => format!("--{kind} {}", target.name),
    }
}

/// `cargo test -p <package> <selector> -- <test> --exact`, which runs this
/// one test.
pub(crate) fn cargo_test(package: &str, target: &Target, test: &str) -> String {
    format!(
        "cargo test -p {package} {} -- {test} --exact",
        selector(target)
    )
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

/// `<target>/detsim/failures/<crate>.<test path>.seed-0x2a.json`.
pub(crate) fn artifact_path(spec: &TestSpec, seed: u64) -> PathBuf {
    let name: String = spec
        .test_name()
        .replace("::", ".")
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '.' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    target_dir(spec)
        .join("detsim")
        .join("failures")
        .join(format!("{}.{name}.seed-{seed:#x}.json", spec.crate_name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(file: &'static str, crate_name: &'static str) -> TestSpec {
        TestSpec {
            path: "x::tests::t",
            file,
            package: "kv-store",
            crate_name,
            bin_name: None,
            target_tmpdir: None,
            manifest_dir: "/w/kv",
        }
    }

    fn command(s: TestSpec) -> String {
        cargo_test(s.package, &target_of(&s), s.test_name())
    }

    #[test]
    fn unit_tests_of_a_library() {
        let s = spec("src/raft.rs", "kv_store");
        assert_eq!(
            command(s),
            "cargo test -p kv-store --lib -- tests::t --exact"
        );
    }

    #[test]
    fn integration_tests_keep_the_file_spelling() {
        let mut s = spec("kv/tests/net-partition.rs", "net_partition");
        s.target_tmpdir = Some("/w/target/tmp");
        assert_eq!(
            command(s),
            "cargo test -p kv-store --test net-partition -- tests::t --exact"
        );
        s.file = "tests/suite/main.rs";
        s.crate_name = "suite";
        assert_eq!(target_of(&s).name, "suite");
        s.file = "tests/renamed.rs";
        s.crate_name = "custom_name";
        assert_eq!(target_of(&s).name, "custom_name");
    }

    #[test]
    fn examples_binaries_and_benches() {
        let mut s = spec("examples/kv.rs", "kv");
        s.bin_name = Some("kv");
        assert_eq!(
            command(s),
            "cargo test -p kv-store --example kv -- tests::t --exact"
        );
        s.file = "src/main.rs";
        assert_eq!(
            command(s),
            "cargo test -p kv-store --bin kv -- tests::t --exact"
        );
        let mut b = spec("benches/sweep.rs", "sweep");
        b.target_tmpdir = Some("/w/target/tmp");
        assert_eq!(
            command(b),
            "cargo test -p kv-store --bench sweep -- tests::t --exact"
        );
    }

    #[test]
    fn artifact_names_are_file_safe() {
        let mut s = spec("tests/a.rs", "a");
        s.path = "a::tests::r#weird";
        let path = artifact_path(&s, 42);
        let name = path.file_name().unwrap().to_str().unwrap();
        assert_eq!(name, "a.tests.r-weird.seed-0x2a.json");
        assert!(path.parent().unwrap().ends_with("detsim/failures"));
    }
}
