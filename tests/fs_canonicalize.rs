//! `canonicalize` as std's (`realpath`) on Linux: the absolute path with
//! `.` and `..` resolved on the disk and no repeated or trailing slash;
//! relative paths start at the simulated disk's root.

use std::path::Path;

use detsim::Sim;
use detsim::fs;

/// What `std::fs::canonicalize` gave on Linux 6.18 (ext4) in a directory
/// `T` holding a file `f`, a directory `d` with a file `g` and a directory
/// `sub`, and an empty directory `e` (`m` is missing), `T` the working
/// directory (here `/t`, absolute).
const LINUX: &[(&str, &str)] = &[
    ("d/", "Ok(/t/d)"),
    ("f/", "NotADirectory"),
    ("m", "NotFound"),
    ("d/../f", "Ok(/t/f)"),
    ("d/sub/..", "Ok(/t/d)"),
    ("f/..", "NotADirectory"),
    ("e/.", "Ok(/t/e)"),
    ("./f", "Ok(/t/f)"),
    ("d//g", "Ok(/t/d/g)"),
    ("m/..", "NotFound"),
    ("d/g/", "NotADirectory"),
];

fn outcome(path: &'static str) -> String {
    Sim::builder()
        .build()
        .run(async move {
            fs::create_dir_all("/t/d/sub").await.unwrap();
            fs::create_dir("/t/e").await.unwrap();
            fs::write("/t/f", "f").await.unwrap();
            fs::write("/t/d/g", "g").await.unwrap();
            match fs::canonicalize(format!("/t/{path}")).await {
                Ok(p) => format!("Ok({})", p.display()),
                Err(e) => format!("{:?}", e.kind()),
            }
        })
        .unwrap()
}

#[test]
fn canonicalize_gives_what_std_gives_on_linux() {
    for &(path, linux) in LINUX {
        assert_eq!(outcome(path), linux, "canonicalize(\"T/{path}\")");
    }
}

#[test]
fn the_root_the_empty_path_and_relative_paths() {
    Sim::builder()
        .build()
        .run(async {
            fs::create_dir("/d").await.unwrap();
            let ok = |p: &'static str| async move { fs::canonicalize(p).await.unwrap() };
            assert_eq!(ok("/").await, Path::new("/"));
            assert_eq!(ok("/..").await, Path::new("/"));
            assert_eq!(ok(".").await, Path::new("/"));
            assert_eq!(ok("d").await, Path::new("/d"));
            assert_eq!(ok("d/..").await, Path::new("/"));
            // std: canonicalize("") is NotFound.
            let e = fs::canonicalize("").await.unwrap_err();
            assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
        })
        .unwrap();
}
