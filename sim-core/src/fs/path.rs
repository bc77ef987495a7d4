//! Paths on a simulated disk: absolute, or relative to the root `/`.
//! `.` and `..` are resolved on the disk, component by component, as the
//! Linux kernel resolves them (there are no symlinks): every directory a
//! path walks through before a `..` must exist and be a directory, so
//! `"/f/.."` is `NotADirectory` when `/f` is a file and `"/missing/.."` is
//! `NotFound`; `..` at the root stays at the root. A [`SimPath`] holds
//! the normalized components (what the path names when it resolves) and
//! the directories to check ([`SimPath::through`]); the tree checks them.
//! A path that ends in a slash (or in `/.` or `/..`) must name a
//! directory, as on Linux: lookups check that flag on the last component.
//! A path whose last component is `.` or `..` names that directory itself,
//! which no operation can create, remove or rename ([`SimPath::ends_in_dot`]).

use std::io;
use std::path::{Component, Path};

/// How a path ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum End {
    /// A name: `/a/b`.
    Name,
    /// A name and a slash: `/a/b/` (or the root, `/`).
    Slash,
    /// `.`: `/a/.` or `/a/./`.
    Dot,
    /// `..`: `/a/..` or `/a/../`.
    DotDot,
}

/// What a path with a `..` must also satisfy: the directories it walks
/// through before each `..` (they must exist and be directories), and
/// the path as written, for messages.
#[derive(Clone, Debug, PartialEq, Eq)]
struct DotDots {
    written: Box<str>,
    through: Vec<Box<[Box<str>]>>,
}

/// A normalized path: its components from the root, how it was written
/// to end (a trailing slash or dot: it must name a directory), and the
/// directories it walks through before a `..`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SimPath {
    parts: Vec<Box<str>>,
    end: End,
    /// `None` without a `..` below the root (the common case: no
    /// allocation).
    dot_dots: Option<Box<DotDots>>,
}

impl SimPath {
    pub(crate) fn parse(path: &Path) -> io::Result<SimPath> {
        if path.as_os_str().is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                "the path is empty: give a path such as \"/data/log\" (relative paths start at the disk root)",
            ));
        }
        if path.as_os_str().as_encoded_bytes().contains(&0) {
            // As std (and so tokio) refuses it before any system call.
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "{}: file name contained an unexpected NUL byte",
                    path.display()
                ),
            ));
        }
        let mut parts: Vec<Box<str>> = Vec::new();
        let mut through: Vec<Box<[Box<str>]>> = Vec::new();
        for c in path.components() {
            match c {
                Component::Prefix(_) | Component::RootDir | Component::CurDir => {}
                Component::ParentDir => {
                    // The root's `..` is the root: nothing to check.
                    if !parts.is_empty() {
                        through.push(parts.as_slice().into());
                    }
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
        let mut segments = raw.rsplit(|&b| std::path::is_separator(char::from(b)));
        let slash = segments.clone().next() == Some(b"");
        let end = match segments.find(|s| !s.is_empty()) {
            Some(b".") => End::Dot,
            Some(b"..") => End::DotDot,
            _ if slash => End::Slash,
            _ => End::Name,
        };
        let dot_dots = (!through.is_empty()).then(|| {
            Box::new(DotDots {
                written: path.display().to_string().into(),
                through,
            })
        });
        Ok(SimPath {
            parts,
            end,
            dot_dots,
        })
    }

    pub(crate) fn root() -> SimPath {
        SimPath {
            parts: Vec::new(),
            end: End::Name,
            dot_dots: None,
        }
    }

    /// Whether the path was written with a trailing slash (or `/.` or
    /// `/..`), so names a directory: on anything else Linux fails with
    /// ENOTDIR.
    pub(crate) fn must_be_dir(&self) -> bool {
        self.end != End::Name
    }

    /// How the path was written to end.
    pub(crate) fn end(&self) -> End {
        self.end
    }

    /// Whether the last component is `.` or `..`: the path names a
    /// directory that cannot be created, removed or renamed through it
    /// (Linux's `LAST_DOT`/`LAST_DOTDOT`).
    pub(crate) fn ends_in_dot(&self) -> bool {
        matches!(self.end, End::Dot | End::DotDot)
    }

    /// The directories the path walks through before each `..`, in order
    /// (the root's own `..` aside): each must exist and be a directory.
    pub(crate) fn through(&self) -> &[Box<[Box<str>]>] {
        self.dot_dots.as_ref().map_or(&[], |d| &d.through)
    }

    /// The path as written, for a message about a `..` in it.
    pub(crate) fn written(&self) -> String {
        match &self.dot_dots {
            Some(d) => d.written.to_string(),
            None => self.to_string(),
        }
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
        SimPath {
            parts,
            end: End::Name,
            dot_dots: None,
        }
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
        if self.must_be_dir() {
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

    /// The directories `p` walks through before a `..`, as paths.
    fn through(p: &str) -> Vec<String> {
        let p = SimPath::parse(Path::new(p)).unwrap();
        p.through()
            .iter()
            .map(|d| d.iter().map(|n| format!("/{n}")).collect())
            .collect()
    }

    #[test]
    fn paths_are_rooted_and_normalized_keeping_what_dot_dot_walks_through() {
        assert_eq!(norm("/"), "/");
        assert_eq!(norm("a/b"), "/a/b");
        assert_eq!(norm("/a/./b/../c"), "/a/c");
        assert_eq!(through("/a/./b/../c"), ["/a/b"]);
        assert_eq!(norm("/../.."), "/");
        assert!(through("/../..").is_empty(), "the root's .. is the root");
        assert_eq!(norm("/f/../d/../x"), "/x");
        assert_eq!(through("/f/../d/../x"), ["/f", "/d"]);
        assert_eq!(through("/a/b/../.."), ["/a/b", "/a"]);
        assert!(through("/a/./b/.").is_empty());
        let p = SimPath::parse(Path::new("/m/../x")).unwrap();
        assert_eq!(p.written(), "/m/../x");
        let err = SimPath::parse(Path::new("")).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
    }

    #[test]
    fn a_last_component_dot_or_dot_dot_is_told_from_a_slash() {
        let end = |p: &str| SimPath::parse(Path::new(p)).unwrap().end();
        assert_eq!(end("/a/b"), End::Name);
        assert_eq!(end("/a/b/"), End::Slash);
        assert_eq!(end("/"), End::Slash);
        for p in ["/a/.", "/a/./", "/a//.//", ".", "/."] {
            assert_eq!(end(p), End::Dot, "{p}");
        }
        for p in ["/a/..", "/a/../", "..", "/..", "/a/./.."] {
            assert_eq!(end(p), End::DotDot, "{p}");
        }
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
