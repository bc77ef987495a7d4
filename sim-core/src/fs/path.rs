//! Paths on a simulated disk: absolute, or relative to the root `/`;
//! `.` and `..` are resolved lexically (there are no symlinks), `..` at
//! the root stays at the root. A path that ends in a slash (or in `/.`
//! or `/..`) must name a directory, as on Linux: lookups check that flag
//! on the last component.

use std::io;
use std::path::{Component, Path};

/// A normalized path: its components from the root, and whether it was
/// written with a trailing slash (so must name a directory).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SimPath {
    parts: Vec<Box<str>>,
    dir: bool,
}

impl SimPath {
    pub(crate) fn parse(path: &Path) -> io::Result<SimPath> {
        if path.as_os_str().is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                "the path is empty: give a path such as \"/data/log\" (relative paths start at the disk root)",
            ));
        }
        let mut parts: Vec<Box<str>> = Vec::new();
        for c in path.components() {
            match c {
                Component::Prefix(_) | Component::RootDir | Component::CurDir => {}
                Component::ParentDir => {
                    parts.pop();
                }
                Component::Normal(name) => match name.to_str() {
                    Some(name) => parts.push(name.into()),
                    None => {
                        return Err(io::Error::new(
                            io::ErrorKind::InvalidInput,
                            format!(
                                "{}: a simulated disk's file names are UTF-8",
                                path.display()
                            ),
                        ));
                    }
                },
            }
        }
        let raw = path.as_os_str().as_encoded_bytes();
        let last = raw.rsplit(|&b| std::path::is_separator(char::from(b)));
        let dir = matches!(last.into_iter().next(), Some(b"" | b"." | b".."));
        Ok(SimPath { parts, dir })
    }

    pub(crate) fn root() -> SimPath {
        SimPath {
            parts: Vec::new(),
            dir: false,
        }
    }

    /// Whether the path was written with a trailing slash (or `/.`), so
    /// names a directory: on anything else Linux fails with ENOTDIR.
    pub(crate) fn must_be_dir(&self) -> bool {
        self.dir
    }

    /// Whether `self` and `other` name the same entry (trailing slashes
    /// aside).
    pub(crate) fn same_entry(&self, other: &SimPath) -> bool {
        self.parts == other.parts
    }

    pub(crate) fn parts(&self) -> &[Box<str>] {
        &self.parts
    }

    /// The parent's components and the last name; `None` for the root.
    pub(crate) fn split_last(&self) -> Option<(&[Box<str>], &str)> {
        let (last, parent) = self.parts.split_last()?;
        Some((parent, last))
    }

    /// Whether `self` is `other` or inside it.
    pub(crate) fn starts_with(&self, other: &SimPath) -> bool {
        self.parts.starts_with(&other.parts)
    }

    pub(crate) fn join(&self, name: &str) -> SimPath {
        let mut parts = self.parts.clone();
        parts.push(name.into());
        SimPath { parts, dir: false }
    }
}

impl std::fmt::Display for SimPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.parts.is_empty() {
            return f.write_str("/");
        }
        for p in &self.parts {
            write!(f, "/{p}")?;
        }
        // As written: "/f/" in a message, not "/f".
        if self.dir {
            f.write_str("/")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(p: &str) -> String {
        SimPath::parse(Path::new(p)).unwrap().to_string()
    }

    #[test]
    fn paths_are_rooted_and_lexically_normalized() {
        assert_eq!(norm("/"), "/");
        assert_eq!(norm("a/b"), "/a/b");
        assert_eq!(norm("/a/./b/../c"), "/a/c");
        assert_eq!(norm("/../.."), "/");
        let err = SimPath::parse(Path::new("")).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
    }

    #[test]
    fn a_trailing_slash_dot_or_dot_dot_means_a_directory() {
        let dir = |p: &str| SimPath::parse(Path::new(p)).unwrap().must_be_dir();
        for p in ["/a/", "/a//", "/a/.", "/a/b/..", "a/", ".", "..", "/"] {
            assert!(dir(p), "{p}");
        }
        for p in ["/a", "a", "/a/.b", "/a./b", "/a/..b"] {
            assert!(!dir(p), "{p}");
        }
        assert_eq!(norm("/a/./b/../c/"), "/a/c/");
        assert_eq!(norm("/a/."), "/a/");
        let p = SimPath::parse(Path::new("/a/")).unwrap();
        assert!(p.same_entry(&SimPath::parse(Path::new("/a")).unwrap()));
        assert!(!p.join("b").must_be_dir());
    }
}
