//! Cargo's feature flags, as `cargo detsim` hands them to a test
//! (`DETSIM_CARGO_FEATURES=--features 'a b'`: shell words) and as a replay
//! artifact records them (`["--features", "a b"]`: cargo's arguments), so
//! that `cargo detsim replay <artifact>` builds what the failing run ran.

/// The cargo features a test's crate was compiled with, read by
/// `#[sim_test]`'s expansion: every feature its `Cargo.toml` declares with
/// whether `cfg!(feature = ...)` is on, and the features its `default`
/// turns on. From them [`flags`](Self::flags) derives the feature flags
/// that rebuild the test as it ran, for the commands a failure prints when
/// the test ran under plain `cargo test --features ...` (under `cargo
/// detsim`, the flags it was given win). Not a stable API.
///
/// ```
/// use detsim::harness::CompiledFeatures;
/// // [features] default = ["std"], std = [], extra = []
/// let built = |table| CompiledFeatures::new((table, Some(&["default", "std"])));
/// let plain = built(&[("default", true), ("std", true), ("extra", false)]);
/// assert!(plain.flags().is_empty());
/// let extra = built(&[("default", true), ("std", true), ("extra", true)]);
/// assert_eq!(extra.flags(), ["--features", "extra"]);
/// let bare = built(&[("default", false), ("std", false), ("extra", true)]);
/// assert_eq!(bare.flags(), ["--no-default-features", "--features", "extra"]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CompiledFeatures {
    table: &'static [(&'static str, bool)],
    default: Option<&'static [&'static str]>,
}

impl CompiledFeatures {
    /// Unknown (the manifest could not be read, or the spec was built by
    /// hand): no flags.
    ///
    /// ```
    /// assert!(detsim::harness::CompiledFeatures::UNKNOWN.flags().is_empty());
    /// ```
    pub const UNKNOWN: CompiledFeatures = CompiledFeatures {
        table: &[],
        default: None,
    };

    /// From the expansion of `__compiled_features!()`: the table of
    /// declared features with their state, and the `default` set.
    ///
    /// ```
    /// let f = detsim::harness::CompiledFeatures::new((&[], Some(&[])));
    /// assert!(f.flags().is_empty());
    /// ```
    pub const fn new(
        (table, default): (
            &'static [(&'static str, bool)],
            Option<&'static [&'static str]>,
        ),
    ) -> CompiledFeatures {
        CompiledFeatures { table, default }
    }

    /// Cargo's feature flags that turn on exactly the features on in this
    /// build: none when they are the default ones; `--features` with the
    /// others when the defaults are on; `--no-default-features` (and
    /// `--features` with those on) when they are off.
    ///
    /// ```
    /// let f = detsim::harness::CompiledFeatures::new((&[("a", true), ("b", true)], Some(&[])));
    /// assert_eq!(f.flags(), ["--features", "a,b"]);
    /// ```
    pub fn flags(&self) -> Vec<String> {
        let Some(default) = self.default else {
            return Vec::new();
        };
        let on = |name: &str| self.table.iter().any(|&(n, on)| on && n == name);
        let enabled: Vec<&str> = self.table.iter().filter(|f| f.1).map(|f| f.0).collect();
        let defaults_on = default.iter().all(|d| on(d));
        let mut flags = Vec::new();
        let extra: Vec<&str> = if defaults_on {
            enabled
                .into_iter()
                .filter(|n| !default.contains(n))
                .collect()
        } else {
            flags.push("--no-default-features".to_owned());
            enabled
        };
        if !extra.is_empty() {
            flags.extend(["--features".to_owned(), extra.join(",")]);
        }
        flags
    }
}

/// The flags accepted, for error messages.
pub(crate) const FORMS: &str =
    "--features LIST (or -F LIST), --all-features, --no-default-features";

/// Cargo's arguments `args`, checked to be feature flags and written the
/// one way `cargo detsim` passes them (`--features LIST`,
/// `--all-features`, `--no-default-features`); `-F LIST` and
/// `--features=LIST` are accepted.
pub(crate) fn normalize<'a>(
    args: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let list = match arg {
            "--all-features" | "--no-default-features" => {
                out.push(arg.to_owned());
                continue;
            }
            "--features" | "-F" => match args.next() {
                Some(flag) if flag.starts_with('-') => {
                    return Err(format!(
                        "`{arg}` has no feature list after it (`{flag}` is a flag)"
                    ));
                }
                Some(list) => list,
                None => return Err(format!("`{arg}` has no feature list after it")),
            },
            _ => match arg
                .strip_prefix("--features=")
                .or_else(|| arg.strip_prefix("-F="))
            {
                Some(list) => list,
                None => return Err(format!("`{arg}` is not one of {FORMS}")),
            },
        };
        if list.starts_with('-') {
            return Err(format!("the feature list `{list}` is a flag, not features"));
        }
        out.extend(["--features".to_owned(), list.to_owned()]);
    }
    Ok(out)
}

/// The words of `s` as a POSIX shell splits them: blanks separate words,
/// `'...'` quotes literally, `"..."` quotes with `\` escaping `"`, `\`,
/// `$` and `` ` ``, and `\` outside quotes escapes the next character.
/// The inverse of `shell_word`.
pub(crate) fn split_words(s: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => words.extend(word.take()),
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => w.push(c),
                        None => return Err("a ' quote is not closed".into()),
                    }
                }
            }
            '"' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => w.push(c),
                            Some(c) => w.extend(['\\', c]),
                            None => return Err("a \" quote is not closed".into()),
                        },
                        Some(c) => w.push(c),
                        None => return Err("a \" quote is not closed".into()),
                    }
                }
            }
            '\\' => match chars.next() {
                Some(c) => word.get_or_insert_with(String::new).push(c),
                None => return Err("it ends with a lone \\".into()),
            },
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::shell_word;

    fn parsed(s: &str) -> Result<Vec<String>, String> {
        normalize(split_words(s)?.iter().map(String::as_str))
    }

    #[test]
    fn what_cargo_detsim_sets_comes_back_as_cargos_arguments() {
        let args = ["--features", "a b,c'd", "--no-default-features"];
        let env: Vec<String> = args.iter().map(|a| shell_word(a).into_owned()).collect();
        assert_eq!(
            env.join(" "),
            r"--features 'a b,c'\''d' --no-default-features"
        );
        assert_eq!(parsed(&env.join(" ")).unwrap(), args);
    }

    #[test]
    fn every_spelling_of_the_flags_is_written_one_way() {
        assert_eq!(
            parsed("-F x  --features=\"y z\" -F=w --all-features").unwrap(),
            [
                "--features",
                "x",
                "--features",
                "y z",
                "--features",
                "w",
                "--all-features"
            ]
        );
        assert_eq!(parsed(r"--features a\ b").unwrap(), ["--features", "a b"]);
        assert_eq!(parsed("").unwrap(), Vec::<String>::new());
    }

    #[test]
    fn other_arguments_are_refused_with_the_reason() {
        let err = |s: &str| parsed(s).unwrap_err();
        assert!(err("--release").contains("`--release` is not one of --features"));
        assert!(err("--features").contains("has no feature list"));
        assert!(err("--features --release").contains("no feature list after it (`--release`"));
        assert!(err("--features=-x").contains("`-x` is a flag"));
        assert!(err("--features 'x").contains("not closed"));
        assert!(err("--features \"x").contains("not closed"));
        assert!(err("x\\").contains("lone"));
    }
}
