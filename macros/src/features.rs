//! `__compiled_features!()`: the cargo features of the crate being
//! compiled, so that a `#[sim_test]` run by plain `cargo test --features x`
//! prints replay commands (and records artifacts) with `--features x`.
//!
//! A test binary cannot ask cargo which features it was built with, but
//! the crate's code can: `cfg!(feature = "x")` is true exactly when `x` is
//! on. The macro reads the package's `Cargo.toml` (`CARGO_MANIFEST_DIR`,
//! set by cargo for the crate being compiled) to learn which features
//! exist, and expands to a table of `(name, cfg!(feature = name))` pairs,
//! plus the features the `default` feature turns on, from which the
//! harness derives the flags that rebuild this feature set.
//!
//! Cargo declares a feature for each key of `[features]` and for each
//! optional dependency that no feature names as `dep:<name>`, and passes
//! exactly those to rustc's `--check-cfg`: the macro names no other, so it
//! never causes an `unexpected_cfgs` warning. A manifest it cannot read or
//! parse expands to "unknown" (no flags), never to a compile error.
//!
//! The expansion also `include_bytes!`s the manifest, so that rustc
//! rebuilds the crate when its manifest (say its `default` list) changes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use proc_macro2::TokenStream;
use quote::quote;

/// The features a manifest declares, and those `default` turns on.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Declared {
    /// Every feature name, explicit or implicit (an optional dependency).
    pub(crate) names: BTreeSet<String>,
    /// The features on with default features: `default` and all it turns
    /// on, transitively (empty when there is no `default`).
    pub(crate) default: BTreeSet<String>,
}

/// The expansion of `__compiled_features!()` in the crate being compiled.
pub(crate) fn expand() -> TokenStream {
    let Some(dir) = std::env::var_os("CARGO_MANIFEST_DIR") else {
        return unknown();
    };
    // Absolute: `include_bytes!` resolves a relative path against the
    // test's source file, not against rustc's directory as reading does
    // (cargo sets an absolute one; other build systems may not).
    let Ok(manifest) = std::path::absolute(Path::new(&dir).join("Cargo.toml")) else {
        return unknown();
    };
    let Ok(text) = std::fs::read_to_string(&manifest) else {
        return unknown();
    };
    let Some(declared) = declared(&text) else {
        return unknown();
    };
    let Some(path) = manifest.to_str() else {
        return unknown();
    };
    let names = declared.names.iter();
    let default = declared.default.iter();
    quote! {
        {
            const _: &[u8] = ::core::include_bytes!(#path);
            (
                &[#((#names, ::core::cfg!(feature = #names))),*] as &[(&str, bool)],
                ::core::option::Option::Some(&[#(#default),*] as &[&str]),
            )
        }
    }
}

/// "Not known": no table, no default set.
fn unknown() -> TokenStream {
    quote! {
        (
            &[] as &[(&str, bool)],
            ::core::option::Option::None::<&[&str]>,
        )
    }
}

/// The features `manifest` declares, or `None` if it is not TOML.
pub(crate) fn declared(manifest: &str) -> Option<Declared> {
    let doc: toml::Table = manifest.parse().ok()?;
    let mut features: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if let Some(table) = doc.get("features").and_then(toml::Value::as_table) {
        for (name, list) in table {
            let entries = list
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            features.insert(name.clone(), entries);
        }
    }
    let uses_dep_syntax: BTreeSet<&str> = features
        .values()
        .flatten()
        .filter_map(|e| e.strip_prefix("dep:"))
        .collect();
    let optional = optional_dependencies(&doc);
    let implicit: BTreeSet<String> = optional
        .iter()
        .filter(|d| !uses_dep_syntax.contains(d.as_str()) && !features.contains_key(*d))
        .cloned()
        .collect();
    let mut names: BTreeSet<String> = features.keys().cloned().collect();
    names.extend(implicit.iter().cloned());

    // `default`'s closure: a plain entry is a feature (or an optional
    // dependency's implicit one); `dep:x` turns on no feature; `x/y` turns
    // on dependency x's feature y and, x being optional, the feature named
    // x (implicit, or explicit as in `x = ["dep:x", ...]`); `x?/y` does
    // not turn x on.
    let mut default = BTreeSet::new();
    let mut todo = vec!["default".to_owned()];
    while let Some(entry) = todo.pop() {
        if entry.starts_with("dep:") {
            continue;
        }
        let name = match entry.split_once('/') {
            Some((dep, _)) if dep.ends_with('?') => continue,
            Some((dep, _)) if optional.contains(dep) => dep.to_owned(),
            Some(_) => continue,
            None => entry,
        };
        if names.contains(&name) && default.insert(name.clone()) {
            todo.extend(features.get(&name).into_iter().flatten().cloned());
        }
    }
    Some(Declared { names, default })
}

/// The names of the optional dependencies (normal and build, for every
/// target): cargo gives each an implicit feature of that name.
fn optional_dependencies(doc: &toml::Table) -> BTreeSet<String> {
    let mut tables = Vec::new();
    let sections = ["dependencies", "build-dependencies", "build_dependencies"];
    for section in sections {
        tables.extend(doc.get(section).and_then(toml::Value::as_table));
    }
    if let Some(targets) = doc.get("target").and_then(toml::Value::as_table) {
        for target in targets.values().filter_map(toml::Value::as_table) {
            for section in sections {
                tables.extend(target.get(section).and_then(toml::Value::as_table));
            }
        }
    }
    let optional = |spec: &toml::Value| {
        spec.get("optional")
            .and_then(toml::Value::as_bool)
            .unwrap_or(false)
    };
    tables
        .into_iter()
        .flatten()
        .filter(|(_, spec)| optional(spec))
        .map(|(name, _)| name.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::declared;

    fn names(s: &std::collections::BTreeSet<String>) -> Vec<&str> {
        s.iter().map(String::as_str).collect()
    }

    #[test]
    fn explicit_and_implicit_features_and_the_default_closure() {
        let d = declared(
            r#"
            [package]
            name = "p"
            [features]
            default = ["a", "serde/std", "weak?/x", "dep:hidden"]
            a = ["b"]
            b = []
            c = ["dep:renamed"]
            [dependencies]
            serde = { version = "1", optional = true }
            weak = { version = "1", optional = true }
            hidden = { version = "1", optional = true }
            renamed = { version = "1", optional = true }
            plain = "1"
            [target.'cfg(unix)'.dependencies]
            unixy = { version = "1", optional = true }
            [dev-dependencies]
            insta = "1"
            "#,
        )
        .unwrap();
        assert_eq!(
            names(&d.names),
            ["a", "b", "c", "default", "serde", "unixy", "weak"],
            "`dep:` hides hidden's and renamed's implicit features"
        );
        assert_eq!(names(&d.default), ["a", "b", "default", "serde"]);
    }

    #[test]
    fn a_dependency_feature_turns_on_the_explicit_feature_named_like_the_dependency() {
        // Cargo 1.95 builds this with `default`, `helper` and `other` on.
        let d = declared(
            r#"
            [features]
            default = ["helper/extra"]
            helper = ["dep:helper", "other"]
            other = []
            unrelated = ["plain/x"]
            [dependencies]
            helper = { path = "../helper", optional = true }
            plain = { path = "../plain" }
            "#,
        )
        .unwrap();
        assert_eq!(names(&d.default), ["default", "helper", "other"]);
    }

    #[test]
    fn a_manifest_without_features_declares_none() {
        let d = declared("[package]\nname = \"p\"\n").unwrap();
        assert!(d.names.is_empty() && d.default.is_empty());
    }

    #[test]
    fn a_manifest_that_is_not_toml_is_unknown() {
        assert_eq!(declared("[package\nname ="), None);
    }

    #[test]
    fn cycles_end() {
        let d = declared("[features]\ndefault = [\"a\"]\na = [\"default\"]\n").unwrap();
        assert_eq!(names(&d.default), ["a", "default"]);
    }
}
