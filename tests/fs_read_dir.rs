//! `read_dir`'s entries as std and tokio give them: `DirEntry::path()` is
//! the argument as written joined with the name (a relative path stays
//! relative), whatever `.`, `..` or trailing slash it has;
//! `DirEntry::metadata()` looks the name up in the listed directory, as
//! std's `fstatat`; `file_type().await?` (tokio's shape) compiles.

use std::path::{Path, PathBuf};

use detsim::Sim;
use detsim::fs;

/// What `std::fs::read_dir(arg)` gave on Linux 6.18 (ext4) for a
/// directory `d` holding `g` and `sub`, with `d`'s parent as the working
/// directory.
const LINUX: &[(&str, [&str; 2])] = &[
    ("d/", ["d/g", "d/sub"]),
    ("d", ["d/g", "d/sub"]),
    ("./d", ["./d/g", "./d/sub"]),
    ("d/./", ["d/./g", "d/./sub"]),
    ("d/sub/..", ["d/sub/../g", "d/sub/../sub"]),
    ("/d", ["/d/g", "/d/sub"]),
    ("/d/", ["/d/g", "/d/sub"]),
];

fn paths(arg: &'static str) -> Vec<PathBuf> {
    Sim::builder()
        .build()
        .run(async move {
            fs::create_dir_all("/d/sub").await.unwrap();
            fs::write("/d/g", "g").await.unwrap();
            fs::read_dir(arg)
                .await
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect()
        })
        .unwrap()
}

#[test]
fn an_entry_path_is_the_argument_as_written_joined_with_the_name() {
    for &(arg, linux) in LINUX {
        let want: Vec<&Path> = linux.iter().map(Path::new).collect();
        assert_eq!(paths(arg), want, "read_dir({arg:?})");
    }
}

#[test]
fn the_root_lists_with_absolute_and_relative_paths() {
    Sim::builder()
        .build()
        .run(async {
            fs::write("/a", "").await.unwrap();
            let first = |arg: &'static str| async move {
                let mut dir = fs::read_dir(arg).await.unwrap();
                dir.next_entry().await.unwrap().unwrap().path()
            };
            assert_eq!(first("/").await, Path::new("/a"));
            assert_eq!(first(".").await, Path::new("./a"));
            assert_eq!(first("/..").await, Path::new("/../a"));
        })
        .unwrap();
}

#[test]
fn an_entry_metadata_is_looked_up_now_in_the_directory_listed() {
    Sim::builder()
        .build()
        .run(async {
            fs::create_dir("/d").await.unwrap();
            fs::write("/d/a", "abc").await.unwrap();
            fs::write("/d/b", "").await.unwrap();
            let entries: Vec<_> = fs::read_dir("d")
                .await
                .unwrap()
                .map(Result::unwrap)
                .collect();
            let m = entries[0].metadata().await.unwrap();
            assert_eq!((m.len(), m.is_file()), (3, true));
            assert_eq!(m, fs::metadata("/d/a").await.unwrap());
            // Changes since the listing show.
            fs::write("/d/a", "abcdef").await.unwrap();
            assert_eq!(entries[0].metadata().await.unwrap().len(), 6);
            // The directory renamed: still found in it, as fstatat on the
            // listed directory finds it.
            fs::rename("/d", "/e").await.unwrap();
            assert_eq!(entries[0].metadata().await.unwrap().len(), 6);
            // Removed since: NotFound, naming the entry's path.
            fs::remove_file("/e/b").await.unwrap();
            let e = entries[1].metadata().await.unwrap_err();
            assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
            assert!(e.to_string().starts_with("d/b: "), "{e}");
            fs::remove_dir_all("/e").await.unwrap();
            let e = entries[0].metadata().await.unwrap_err();
            assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
        })
        .unwrap();
}

#[test]
fn an_entry_metadata_reads_the_disk_that_was_listed() {
    use detsim::node::Node;
    Sim::builder()
        .build()
        .run(async {
            fs::write("/f", "on main's disk").await.unwrap();
            let entry = fs::read_dir("/").await.unwrap().next().unwrap().unwrap();
            let other = Node::builder("other").build();
            let len = other
                .spawn(async move { entry.metadata().await.map(|m| m.len()) })
                .await
                .unwrap();
            assert_eq!(len.unwrap(), 14);
        })
        .unwrap();
}

#[test]
fn tokio_s_file_type_await_shape_compiles_and_answers_at_once() {
    Sim::builder()
        .build()
        .run(async {
            fs::create_dir("/d").await.unwrap();
            fs::write("/f", "").await.unwrap();
            let mut dir = fs::read_dir("/").await.unwrap();
            let mut kinds = Vec::new();
            while let Some(entry) = dir.next_entry().await.unwrap() {
                // As ported from tokio: async, and a Result.
                let t = entry.file_type().await.unwrap();
                kinds.push((t.is_dir(), entry.file_type().is_dir()));
            }
            assert_eq!(kinds, [(true, true), (false, false)]);
        })
        .unwrap();
}

#[test]
fn an_entry_debug_shows_no_simulation_instance() {
    let shown = Sim::builder()
        .build()
        .run(async {
            fs::write("/f", "").await.unwrap();
            let e = fs::read_dir("/").await.unwrap().next().unwrap().unwrap();
            format!("{e:?}")
        })
        .unwrap();
    assert_eq!(
        shown,
        r#"DirEntry { path: "/f", name: "f", file_type: FileType { dir: false }, .. }"#
    );
}
