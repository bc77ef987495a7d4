//! A path ending in a slash (or in `/.`) must name a directory, as on
//! Linux: on a file it is `NotADirectory` (ENOTDIR), on a missing path it
//! stays `NotFound`, creating a file there is `IsADirectory` (EISDIR), and
//! directories work with or without the slash. Every expected kind below
//! is what `std::fs` gives for the same call on Linux.

use std::io::ErrorKind;

use detsim::fs::{self, File, OpenOptions};

mod common;
use common::run;

/// The error kind, or `None` for success.
fn outcome<T>(r: std::io::Result<T>) -> Option<ErrorKind> {
    r.err().map(|e| e.kind())
}

/// A disk (each test's is fresh) holding the file `/f` ("x") and the directory `/d`.
async fn setup() {
    fs::write("/f", "x").await.unwrap();
    fs::create_dir("/d").await.unwrap();
}

#[test]
fn lookups_through_a_trailing_slash_on_a_file_are_not_a_directory() {
    use ErrorKind::*;
    run(async {
        setup().await;
        assert_eq!(outcome(fs::read("/f/").await), Some(NotADirectory));
        assert_eq!(outcome(fs::read("/f/.").await), Some(NotADirectory));
        assert_eq!(outcome(fs::read("/missing/").await), Some(NotFound));
        assert_eq!(outcome(fs::read("/d/").await), Some(IsADirectory));
        assert_eq!(outcome(fs::metadata("/f/").await), Some(NotADirectory));
        assert!(fs::metadata("/d/").await.unwrap().is_dir());
        assert_eq!(outcome(fs::metadata("/missing/").await), Some(NotFound));
        assert_eq!(outcome(fs::try_exists("/f/").await), Some(NotADirectory));
        assert!(!fs::try_exists("/missing/").await.unwrap());
        assert_eq!(outcome(fs::read_dir("/f/").await), Some(NotADirectory));
        assert_eq!(fs::read_dir("/d/").await.unwrap().count(), 0);
        assert_eq!(outcome(fs::sync_dir("/f/").await), Some(NotADirectory));
        fs::sync_dir("/d/").await.unwrap();
        // The file is untouched by all of it.
        assert_eq!(fs::read("/f").await.unwrap(), b"x");
    });
}

#[test]
fn opening_a_path_with_a_trailing_slash_follows_linux() {
    use ErrorKind::*;
    run(async {
        setup().await;
        assert_eq!(outcome(File::open("/f/").await), Some(NotADirectory));
        assert_eq!(outcome(File::open("/missing/").await), Some(NotFound));
        File::open("/d/").await.unwrap().sync_all().await.unwrap();
        let mut write = OpenOptions::new();
        write.write(true);
        assert_eq!(outcome(write.open("/f/").await), Some(NotADirectory));
        assert_eq!(outcome(write.open("/missing/").await), Some(NotFound));
        // O_CREAT with a trailing slash is EISDIR, whatever is there.
        assert_eq!(outcome(File::create("/missing/").await), Some(IsADirectory));
        assert_eq!(outcome(File::create("/f/").await), Some(IsADirectory));
        assert_eq!(outcome(File::create("/d/").await), Some(IsADirectory));
        assert_eq!(
            outcome(File::create_new("/missing/").await),
            Some(IsADirectory)
        );
        assert_eq!(outcome(File::create_new("/f/").await), Some(IsADirectory));
        assert_eq!(outcome(fs::write("/f/", "y").await), Some(IsADirectory));
        assert_eq!(
            outcome(fs::write("/missing/", "y").await),
            Some(IsADirectory)
        );
        // A missing parent is still reported first.
        assert_eq!(outcome(File::create("/nope/x/").await), Some(NotFound));
        assert_eq!(fs::read("/f").await.unwrap(), b"x");
        assert!(!fs::try_exists("/missing").await.unwrap());
    });
}

#[test]
fn removing_with_a_trailing_slash_follows_linux() {
    use ErrorKind::*;
    run(async {
        setup().await;
        assert_eq!(outcome(fs::remove_file("/f/").await), Some(NotADirectory));
        assert_eq!(outcome(fs::remove_file("/missing/").await), Some(NotFound));
        assert_eq!(outcome(fs::remove_file("/d/").await), Some(IsADirectory));
        assert_eq!(outcome(fs::remove_dir("/f/").await), Some(NotADirectory));
        assert_eq!(
            outcome(fs::remove_dir_all("/f/").await),
            Some(NotADirectory)
        );
        assert_eq!(fs::read("/f").await.unwrap(), b"x");
        fs::remove_dir("/d/").await.unwrap();
        assert!(!fs::try_exists("/d").await.unwrap());
    });
}

#[test]
fn creating_directories_with_a_trailing_slash_works_as_in_std() {
    use ErrorKind::*;
    run(async {
        setup().await;
        fs::create_dir("/new/").await.unwrap();
        assert!(fs::metadata("/new").await.unwrap().is_dir());
        fs::create_dir_all("/new2/x/").await.unwrap();
        assert!(fs::metadata("/new2/x").await.unwrap().is_dir());
        assert_eq!(outcome(fs::create_dir("/f/").await), Some(AlreadyExists));
        assert_eq!(
            outcome(fs::create_dir_all("/f/").await),
            Some(AlreadyExists)
        );
        fs::create_dir_all("/d/").await.unwrap();
    });
}

#[test]
fn renaming_with_a_trailing_slash_follows_linux() {
    use ErrorKind::*;
    run(async {
        setup().await;
        assert_eq!(outcome(fs::rename("/f/", "/g").await), Some(NotADirectory));
        assert_eq!(outcome(fs::rename("/f", "/g/").await), Some(NotADirectory));
        fs::write("/g", "z").await.unwrap();
        assert_eq!(outcome(fs::rename("/f", "/g/").await), Some(NotADirectory));
        assert_eq!(outcome(fs::rename("/f", "/d/").await), Some(NotADirectory));
        assert_eq!(outcome(fs::rename("/f", "/f/").await), Some(NotADirectory));
        assert_eq!(outcome(fs::rename("/missing/", "/h").await), Some(NotFound));
        assert_eq!(outcome(fs::rename("/missing", "/x/").await), Some(NotFound));
        // A missing parent of `to` is found before `from`'s slash.
        assert_eq!(outcome(fs::rename("/f/", "/nope/x").await), Some(NotFound));
        assert_eq!(fs::read("/f").await.unwrap(), b"x");
        assert_eq!(fs::read("/g").await.unwrap(), b"z");
        // Directories rename with or without slashes.
        fs::rename("/d/", "/e/").await.unwrap();
        fs::rename("/e/", "/e").await.unwrap();
        fs::rename("/e", "/d/").await.unwrap();
        assert!(fs::metadata("/d").await.unwrap().is_dir());
        // A directory onto a file is NotADirectory, slash or not.
        assert_eq!(outcome(fs::rename("/d", "/f/").await), Some(NotADirectory));
    });
}

#[test]
fn the_error_names_the_path_as_written_and_the_reason() {
    run(async {
        setup().await;
        let e = fs::read("/f/").await.unwrap_err();
        insta::assert_snapshot!(e.to_string());
        let e = File::create("/missing/").await.unwrap_err();
        insta::assert_snapshot!(e.to_string());
    });
}
