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
//! A name longer than [`NAME_MAX`] bytes, or a path of [`PATH_MAX`] bytes
//! or more, is Linux's ENAMETOOLONG ([`name_too_long`]): the whole path
//! at once, as Linux's `getname` refuses it; a long name when the walk
//! reaches it, as a lookup refuses it ([`SimPath::too_long`]), so a
//! missing directory before it is `NotFound` first.

use std::io;
use std::path::{Component, Path, PathBuf};

/// The longest file name, in bytes (Linux's `NAME_MAX`, ext4's and XFS's
/// limit).
pub(crate) const NAME_MAX: usize = 255;

/// The length, in bytes, from which a path is too long (Linux's
/// `PATH_MAX`, which counts the terminating NUL: 4095 bytes is the most).
pub(crate) const PATH_MAX: usize = 4096;

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
    /// The first name longer than [`NAME_MAX`], if any (none in the
    /// common case: no allocation).
    too_long: Option<Box<TooLong>>,
}

/// A name too long for the disk, and where a lookup would meet it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TooLong {
    /// The directory the name would be looked up in: the path before it,
    /// as written (its own errors, `NotFound` or `NotADirectory`, come
    /// first, as the walk reaches them first).
    pub(crate) dir: SimPath,
    /// The path as written (cut), and the directory as written.
    written: String,
    dir_written: String,
    /// The error, naming the whole path.
    error: (io::ErrorKind, String),
}

impl TooLong {
    /// The ENAMETOOLONG error.
    pub(crate) fn error(&self) -> io::Error {
        io::Error::new(self.error.0, self.error.1.clone())
    }

    /// The error of a walk that failed before the long name: `e`, for
    /// the directory the name would be looked up in.
    pub(crate) fn walk_failed(&self, e: io::Error) -> io::Error {
        io::Error::new(e.kind(), format!("{}: {e}", self.written))
    }

    /// The directory the name would be looked up in is a file.
    pub(crate) fn dir_is_a_file(&self) -> io::Error {
        io::Error::new(
            io::ErrorKind::NotADirectory,
            format!(
                "{}: not a directory: {} is a file",
                self.written, self.dir_written
            ),
        )
    }
}

/// Linux's ENAMETOOLONG. `io::ErrorKind::InvalidFilename`, what std gives
/// for it on Linux, is stable only since Rust 1.87 (detsim supports 1.85),
/// so it is `InvalidInput`, with the errno in the message, as detsim's
/// other errors without a stable kind are.
pub(crate) fn name_too_long(path: &Path, what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "{}: file name too long (ENAMETOOLONG): {what}",
            short(&path.display().to_string(), 120)
        ),
    )
}

/// `s`, cut to about `max` bytes (at a character boundary) with an
/// ellipsis: long names in messages.
fn short(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
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
        let bytes = path.as_os_str().len();
        if bytes >= PATH_MAX {
            // Linux's `getname`, before any lookup.
            return Err(name_too_long(
                path,
                &format!(
                    "the path is {bytes} bytes, and a path is at most {} bytes (Linux's PATH_MAX, \
                     {PATH_MAX} with its terminating NUL)",
                    PATH_MAX - 1
                ),
            ));
        }
        let mut parts: Vec<Box<str>> = Vec::new();
        let mut through: Vec<Box<[Box<str>]>> = Vec::new();
        let mut too_long = None;
        for (i, c) in path.components().enumerate() {
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
                    Some(name) => {
                        if name.len() > NAME_MAX && too_long.is_none() {
                            too_long = Some(Box::new(TooLong::at(path, i, name)?));
                        }
                        parts.push(name.into());
                    }
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
            too_long,
        })
    }

    pub(crate) fn root() -> SimPath {
        SimPath {
            parts: Vec::new(),
            end: End::Name,
            dot_dots: None,
            too_long: None,
        }
    }

    /// The first name longer than [`NAME_MAX`] bytes, if any: resolving
    /// the path fails there (see [`TooLong`]).
    pub(crate) fn too_long(&self) -> Option<&TooLong> {
        self.too_long.as_deref()
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

    /// The absolute path of what the path names, without `.`, `..`,
    /// repeated or trailing slashes (`realpath`'s answer: there are no
    /// symlinks).
    pub(crate) fn canonical(&self) -> PathBuf {
        let mut p = PathBuf::from("/");
        p.extend(self.parts.iter().map(|s| &**s));
        p
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
            too_long: None,
        }
    }
}

impl TooLong {
    /// The name `name`, component `i` of `path`, is too long.
    fn at(path: &Path, i: usize, name: &str) -> io::Result<TooLong> {
        let before: PathBuf = path.components().take(i).collect();
        let mut dir = if before.as_os_str().is_empty() {
            SimPath::root()
        } else {
            SimPath::parse(&before)?
        };
        if dir.end == End::Name {
            dir.end = End::Slash; // the name is looked up in it: a directory
        }
        let e = name_too_long(
            path,
            &format!(
                "the name \"{}\" is {} bytes, and a name is at most {NAME_MAX} bytes (Linux's \
                 NAME_MAX)",
                short(name, 32),
                name.len()
            ),
        );
        Ok(TooLong {
            dir,
            written: short(&path.display().to_string(), 120),
            dir_written: before.display().to_string(),
            error: (e.kind(), e.to_string()),
        })
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
    fn a_long_name_is_found_with_the_directory_it_is_looked_up_in() {
        let long = "n".repeat(NAME_MAX + 1);
        let p = SimPath::parse(Path::new(&format!("/a/../b/{long}/c"))).unwrap();
        let t = p.too_long().unwrap();
        assert_eq!(t.dir.to_string(), "/b/");
        assert!(
            t.dir.through().len() == 1,
            "the walk's .. checks come first"
        );
        let msg = t.error().to_string();
        assert!(
            msg.contains("ENAMETOOLONG") && msg.contains("is 256 bytes"),
            "{msg}"
        );
        let p = SimPath::parse(Path::new(&long)).unwrap();
        assert_eq!(p.too_long().unwrap().dir.to_string(), "/");
        let fits = "n".repeat(NAME_MAX);
        assert!(
            SimPath::parse(Path::new(&fits))
                .unwrap()
                .too_long()
                .is_none()
        );
        let e = SimPath::parse(Path::new(&"/".repeat(PATH_MAX))).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        assert!(SimPath::parse(Path::new(&"/".repeat(PATH_MAX - 1))).is_ok());
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
