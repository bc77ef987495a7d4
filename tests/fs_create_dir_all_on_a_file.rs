//! `create_dir_all` gives std's error kinds when a file is in the way:
//! `AlreadyExists` when the path itself is a file (std's `mkdir` fails
//! with EEXIST and the path is not a directory), `NotADirectory` when a
//! file is one of its parents.

use std::io::ErrorKind;

use detsim::{Sim, fs};

#[test]
fn create_dir_all_on_an_existing_file_is_already_exists_as_in_std() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        fs::create_dir_all("/a").await.unwrap();
        fs::write("/a/f", "x").await.unwrap();
        let e = fs::create_dir_all("/a/f").await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::AlreadyExists, "{e}");
        assert!(e.to_string().contains("/a/f"), "{e}");
        let e = fs::create_dir_all("/a/f/g").await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotADirectory, "{e}");
        // An existing directory is fine, as in std.
        fs::create_dir_all("/a").await.unwrap();
    })
    .unwrap();
}
