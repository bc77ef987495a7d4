//! Path resolution: from a path to an inode, and the errors a path can
//! get on the way (a missing component, a file where a directory must be,
//! a path that ends with a slash but names a file).

use std::io::{self, ErrorKind};

use super::{Ino, ROOT, Tree, err};
use crate::fs::path::{SimPath, TooLong};

impl Tree {
    /// The inode at `path`; `NotADirectory` if the path ends with a
    /// slash and names a file.
    pub(crate) fn lookup(&self, path: &SimPath) -> io::Result<Ino> {
        let ino = self.walk(path)?;
        self.check_dir_flag(path, ino)?;
        Ok(ino)
    }

    /// `NotADirectory` if `path` ends with a slash and `ino` is a file.
    pub(super) fn check_dir_flag(&self, path: &SimPath, ino: Ino) -> io::Result<()> {
        if path.must_be_dir() && !self.is_dir(ino) {
            return Err(err(
                ErrorKind::NotADirectory,
                path,
                "not a directory (the path ends with a slash, so it names a directory; \
                 drop the slash to name the file)",
            ));
        }
        Ok(())
    }

    /// Follows `parts` from the root: the inode they name, or why not and
    /// how many leading components name the culprit (`NotADirectory`: a
    /// file that is not the last; `NotFound`: the first missing entry).
    pub(super) fn follow(&self, parts: &[Box<str>]) -> Result<Ino, (ErrorKind, usize)> {
        let mut at = ROOT;
        for (i, name) in parts.iter().enumerate() {
            let dir = self.dirs.get(&at).ok_or((ErrorKind::NotADirectory, i))?;
            at = *dir.get(name).ok_or((ErrorKind::NotFound, i + 1))?;
        }
        Ok(at)
    }

    /// Checks the directories `path` walks through before each `..`: the
    /// kernel resolves `..` on the disk, so `"/f/.."` fails when `/f` is a
    /// file, and `"/missing/.."` when it is missing.
    pub(super) fn check_through(&self, path: &SimPath) -> io::Result<()> {
        if let Some(long) = path.too_long() {
            return Err(self.too_long(long));
        }
        for dir in path.through() {
            let (kind, n) = match self.follow(dir) {
                Ok(ino) if self.is_dir(ino) => continue,
                Ok(_) => (ErrorKind::NotADirectory, dir.len()),
                Err(e) => e,
            };
            let culprit = prefix(&dir[..n]);
            let what = if kind == ErrorKind::NotFound {
                format!("no such file or directory: {culprit} does not exist")
            } else {
                format!("not a directory: {culprit} is a file")
            };
            return Err(io::Error::new(
                kind,
                format!(
                    "{}: {what} (\"..\" is resolved on the disk, as on Linux, so the path \
                     before each \"..\" must be an existing directory)",
                    path.written()
                ),
            ));
        }
        Ok(())
    }

    /// A path with a name longer than Linux's `NAME_MAX`: the walk fails
    /// where it meets the name (ENAMETOOLONG), unless it failed before,
    /// in the directory the name is looked up in (`NotFound`,
    /// `NotADirectory`), as Linux's walk does.
    fn too_long(&self, long: &TooLong) -> io::Error {
        match self.walk(&long.dir) {
            Ok(ino) if self.is_dir(ino) => long.error(),
            Ok(_) => long.dir_is_a_file(),
            Err(e) => long.walk_failed(e),
        }
    }

    /// The inode at `path`, whether or not it ends with a slash.
    pub(crate) fn walk(&self, path: &SimPath) -> io::Result<Ino> {
        self.check_through(path)?;
        self.follow(path.parts()).map_err(|(kind, n)| match kind {
            ErrorKind::NotADirectory => err(
                kind,
                path,
                &format!(
                    "a parent ({}) is a file, not a directory",
                    prefix(&path.parts()[..n])
                ),
            ),
            _ => err(kind, path, "no such file or directory"),
        })
    }

    /// For a path whose last component is `.` or `..`: the directory it
    /// names must exist (`NotFound`, `NotADirectory` otherwise); then
    /// `Ok(Some(ino))`. `Ok(None)` for every other path.
    pub(super) fn dot_dir(&self, path: &SimPath) -> io::Result<Option<Ino>> {
        if path.ends_in_dot() {
            self.lookup(path).map(Some)
        } else {
            Ok(None)
        }
    }

    /// The directory that holds `path`'s last component, and the name.
    pub(super) fn parent<'p>(&self, path: &'p SimPath) -> io::Result<Option<(Ino, &'p str)>> {
        self.check_through(path)?;
        let Some((parent, name)) = path.split_last() else {
            return Ok(None);
        };
        let mut at = ROOT;
        for (i, part) in parent.iter().enumerate() {
            let dir = &self.dirs[&at];
            at = match dir.get(part) {
                Some(&ino) => ino,
                None => {
                    return Err(err(
                        ErrorKind::NotFound,
                        path,
                        &format!(
                            "no such file or directory (the parent {} does not exist)",
                            prefix(&parent[..=i])
                        ),
                    ));
                }
            };
            if !self.dirs.contains_key(&at) {
                return Err(err(
                    ErrorKind::NotADirectory,
                    path,
                    &format!(
                        "a parent ({}) is a file, not a directory",
                        prefix(&parent[..=i])
                    ),
                ));
            }
        }
        Ok(Some((at, name)))
    }
}

/// Components from the root, as a path.
fn prefix(parts: &[Box<str>]) -> String {
    let mut p = SimPath::root();
    for part in parts {
        p = p.join(part);
    }
    p.to_string()
}
