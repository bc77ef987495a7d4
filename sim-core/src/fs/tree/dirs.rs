//! Namespace changes: making and removing directories, unlinking and
//! renaming entries, and listing a directory.

use std::io::{self, ErrorKind};

use super::{Ino, Kind, Tree, err};
use crate::fs::path::{End, SimPath};

impl Tree {
    pub(crate) fn mkdir(&mut self, path: &SimPath) -> io::Result<()> {
        self.mkdir_mode(path, None)
    }

    /// [`mkdir`](Self::mkdir) asking for the mode `asked` (`None`:
    /// `0o777`), before the umask.
    pub(crate) fn mkdir_mode(&mut self, path: &SimPath, asked: Option<u32>) -> io::Result<()> {
        if self.dot_dir(path)?.is_some() {
            return Err(err(ErrorKind::AlreadyExists, path, "already exists"));
        }
        let Some((dir, name)) = self.parent(path)? else {
            return Err(err(ErrorKind::AlreadyExists, path, "the root exists"));
        };
        if self.dirs[&dir].contains_key(name) {
            return Err(err(ErrorKind::AlreadyExists, path, "already exists"));
        }
        let ino = self.new_inode(Kind::Dir);
        if let Some(asked) = asked {
            self.set_initial_mode(ino, asked);
        }
        self.set_entry(dir, name, Some(ino));
        Ok(())
    }

    pub(crate) fn mkdir_all(&mut self, path: &SimPath) -> io::Result<()> {
        let mut at = SimPath::root();
        for part in path.parts() {
            at = at.join(part);
            match self.lookup(&at) {
                Ok(ino) if self.is_dir(ino) => {}
                Ok(_) => {
                    return Err(err(
                        ErrorKind::NotADirectory,
                        path,
                        &format!("{at} is a file, not a directory"),
                    ));
                }
                Err(_) => self.mkdir(&at)?,
            }
        }
        Ok(())
    }

    pub(crate) fn unlink(&mut self, path: &SimPath) -> io::Result<()> {
        if self.dot_dir(path)?.is_some() {
            return Err(err(ErrorKind::IsADirectory, path, "is a directory"));
        }
        let Some((dir, name)) = self.parent(path)? else {
            return Err(err(ErrorKind::IsADirectory, path, "is a directory"));
        };
        let entry = self.dirs[&dir].get(name).copied();
        if let Some(ino) = entry {
            self.check_dir_flag(path, ino)?;
        }
        match entry {
            None => Err(err(ErrorKind::NotFound, path, "no such file or directory")),
            Some(ino) if self.is_dir(ino) => Err(err(
                ErrorKind::IsADirectory,
                path,
                "is a directory (use remove_dir or remove_dir_all)",
            )),
            Some(_) => {
                self.set_entry(dir, name, None);
                Ok(())
            }
        }
    }

    pub(crate) fn rmdir(&mut self, path: &SimPath, recursive: bool) -> io::Result<()> {
        if self.dot_dir(path)?.is_some() {
            // Linux's rmdir: EINVAL for a last ".", ENOTEMPTY for "..".
            return Err(if path.end() == End::Dot {
                err(
                    ErrorKind::InvalidInput,
                    path,
                    "a path ending in \".\" cannot be removed (name the directory)",
                )
            } else {
                err(
                    ErrorKind::DirectoryNotEmpty,
                    path,
                    "directory not empty (a path ending in \"..\" names a parent)",
                )
            });
        }
        let Some((dir, name)) = self.parent(path)? else {
            return Err(err(
                ErrorKind::ResourceBusy,
                path,
                "the root cannot be removed",
            ));
        };
        let Some(ino) = self.dirs[&dir].get(name).copied() else {
            return Err(err(ErrorKind::NotFound, path, "no such file or directory"));
        };
        if !self.is_dir(ino) {
            return Err(err(
                ErrorKind::NotADirectory,
                path,
                "not a directory (use remove_file)",
            ));
        }
        if !self.dirs[&ino].is_empty() {
            if !recursive {
                return Err(err(
                    ErrorKind::DirectoryNotEmpty,
                    path,
                    "directory not empty (use remove_dir_all)",
                ));
            }
            self.clear_dir(ino);
        }
        self.set_entry(dir, name, None);
        Ok(())
    }

    /// Removes every live entry below `dir`.
    pub(super) fn clear_dir(&mut self, dir: Ino) {
        let names: Vec<(Box<str>, Ino)> = self.dirs[&dir]
            .iter()
            .map(|(n, &i)| (n.clone(), i))
            .collect();
        for (name, ino) in names {
            if self.is_dir(ino) {
                self.clear_dir(ino);
            }
            self.set_entry(dir, &name, None);
        }
    }

    /// Atomically renames `from` to `to`, with POSIX's rules.
    pub(crate) fn rename(&mut self, from: &SimPath, to: &SimPath) -> io::Result<()> {
        // As Linux: both parents are resolved, then a last "." or ".." on
        // either side is EBUSY, then the entries are looked up.
        let from_parent = self.dot_dir(from).and_then(|_| self.parent(from))?;
        let to_parent = self.dot_dir(to).and_then(|_| self.parent(to))?;
        for p in [from, to] {
            if p.ends_in_dot() {
                return Err(err(
                    ErrorKind::ResourceBusy,
                    p,
                    "a path ending in \".\" or \"..\" cannot be renamed or replaced \
                     (name the directory)",
                ));
            }
        }
        let Some((fdir, fname)) = from_parent else {
            return Err(err(
                ErrorKind::ResourceBusy,
                from,
                "the root cannot be renamed",
            ));
        };
        let Some((tdir, tname)) = to_parent else {
            return Err(err(
                ErrorKind::ResourceBusy,
                to,
                "the root cannot be replaced",
            ));
        };
        let Some(ino) = self.dirs[&fdir].get(fname).copied() else {
            return Err(err(ErrorKind::NotFound, from, "no such file or directory"));
        };
        let moving_dir = self.is_dir(ino);
        if !moving_dir {
            // A file named with a trailing slash, or moved onto one.
            self.check_dir_flag(from, ino)?;
            if to.must_be_dir() {
                return Err(err(
                    ErrorKind::NotADirectory,
                    to,
                    &format!(
                        "not a directory: the path ends with a slash, and {from} is a file \
                         (drop the slash)"
                    ),
                ));
            }
        }
        if from.same_entry(to) {
            return Ok(());
        }
        if moving_dir && to.starts_with(from) {
            return Err(err(
                ErrorKind::InvalidInput,
                to,
                &format!("cannot move the directory {from} into itself"),
            ));
        }
        if let Some(target) = self.dirs[&tdir].get(tname).copied() {
            if target == ino {
                // Two hard links of one file: POSIX's rename does nothing
                // and succeeds (both names stay).
                return Ok(());
            }
            match (moving_dir, self.is_dir(target)) {
                (false, true) if from.starts_with(to) => {
                    // Linux: a file onto a directory above it is ENOTEMPTY
                    // (the target holds the file), before EISDIR.
                    return Err(err(
                        ErrorKind::DirectoryNotEmpty,
                        to,
                        &format!("directory not empty: it holds {from}, which cannot replace it"),
                    ));
                }
                (false, true) => {
                    return Err(err(
                        ErrorKind::IsADirectory,
                        to,
                        &format!("is a directory: cannot replace it with the file {from}"),
                    ));
                }
                (true, false) => {
                    return Err(err(
                        ErrorKind::NotADirectory,
                        to,
                        &format!("is a file: cannot replace it with the directory {from}"),
                    ));
                }
                (true, true) if !self.dirs[&target].is_empty() => {
                    return Err(err(
                        ErrorKind::DirectoryNotEmpty,
                        to,
                        "directory not empty: rename replaces only an empty directory",
                    ));
                }
                _ => {}
            }
        }
        self.set_entry(tdir, tname, Some(ino));
        self.set_entry(fdir, fname, None);
        Ok(())
    }

    /// A second name `to` for the file at `from` (`link(2)`), with
    /// Linux's checks in Linux's order: `from` is resolved (`NotFound`,
    /// `NotADirectory`), then `to`'s parent; a `to` ending in `.` or `..`,
    /// or that exists, is `AlreadyExists`; a missing `to` written with a
    /// trailing slash is `NotFound`; then `read_only` (the disk's
    /// `ReadOnlyFilesystem`, if any) is returned; a directory cannot be
    /// linked (`PermissionDenied`, Linux's EPERM). Returns the inode.
    pub(crate) fn link(
        &mut self,
        from: &SimPath,
        to: &SimPath,
        read_only: Option<io::Error>,
    ) -> io::Result<Ino> {
        let ino = self.lookup(from)?;
        let parent = self.dot_dir(to).and_then(|_| self.parent(to))?;
        let Some((dir, name)) = parent.filter(|_| !to.ends_in_dot()) else {
            return Err(err(
                ErrorKind::AlreadyExists,
                to,
                "already exists (a directory: name a new entry)",
            ));
        };
        if self.dirs[&dir].contains_key(name) {
            return Err(err(ErrorKind::AlreadyExists, to, "already exists"));
        }
        if to.must_be_dir() {
            // Linux: a new name written with a trailing slash asks for a
            // directory, which link cannot make.
            return Err(err(
                ErrorKind::NotFound,
                to,
                "no such file or directory (a new name ending with a slash names a directory, \
                 which a hard link cannot be: drop the slash)",
            ));
        }
        if let Some(e) = read_only {
            return Err(e);
        }
        if self.is_dir(ino) {
            return Err(err(
                ErrorKind::PermissionDenied,
                from,
                "operation not permitted (EPERM): a directory cannot have a hard link",
            ));
        }
        self.set_entry(dir, name, Some(ino));
        Ok(ino)
    }

    /// The inode the live entry `name` of directory `dir` names, if both
    /// still exist.
    pub(crate) fn entry(&self, dir: Ino, name: &str) -> Option<Ino> {
        self.dirs.get(&dir)?.get(name).copied()
    }

    /// The live entries of a directory, sorted by name, with whether each
    /// is a directory.
    pub(crate) fn list(&self, dir: Ino) -> Vec<(Box<str>, bool)> {
        self.dirs[&dir]
            .iter()
            .map(|(n, &i)| (n.clone(), self.is_dir(i)))
            .collect()
    }
}
