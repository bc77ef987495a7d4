//! `read_dir`'s entries as std and tokio give them: `DirEntry::path()` is
//! the argument as written joined with the name (a relative path stays
//! relative), whatever `.`, `..` or trailing slash it has.

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
