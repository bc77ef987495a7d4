//! Names over 255 bytes (Linux's NAME_MAX) and paths of 4096 bytes or
//! more (PATH_MAX) are Linux's ENAMETOOLONG. std reports it as
//! `ErrorKind::InvalidFilename`, stable only since Rust 1.87, above
//! detsim's minimum (1.85): the simulated disk gives `InvalidInput`, with
//! `ENAMETOOLONG` in the message.

use std::io::ErrorKind;

use detsim::Sim;
use detsim::fs::{self, Disk, File};

/// std's outcome on Linux 6.18 (ext4) for each call, in a directory
/// holding the file `f` (`m` is missing). `N256` stands for a name of 256
/// bytes, `N255` for one of 255; `TooLong` is std's `InvalidFilename`.
const LINUX: &[(&str, &str, &str)] = &[
    ("write", "N255", "Ok"),
    ("write", "N256", "TooLong"),
    ("create_dir", "N256", "TooLong"),
    ("metadata", "N256", "TooLong"),
    ("metadata", "m/N256", "NotFound"),
    ("metadata", "f/N256", "NotADirectory"),
    ("metadata", "N256/..", "TooLong"),
    ("metadata", "f/../N256", "NotADirectory"),
    ("metadata", "N256/../m", "TooLong"),
];

fn show<T>(r: std::io::Result<T>) -> String {
    match r {
        Ok(_) => "Ok".into(),
        Err(e) if e.kind() == ErrorKind::InvalidInput => {
            assert!(e.to_string().contains("ENAMETOOLONG"), "{e}");
            "TooLong".into()
        }
        Err(e) => format!("{:?}", e.kind()),
    }
}

fn outcome(op: &'static str, path: &'static str) -> String {
    let p = format!(
        "/t/{}",
        path.replace("N256", &"a".repeat(256))
            .replace("N255", &"a".repeat(255))
    );
    Sim::builder()
        .build()
        .run(async move {
            fs::create_dir("/t").await.unwrap();
            fs::write("/t/f", "f").await.unwrap();
            match op {
                "write" => show(fs::write(&p, "x").await),
                "create_dir" => show(fs::create_dir(&p).await),
                "metadata" => show(fs::metadata(&p).await),
                _ => unreachable!("{op}"),
            }
        })
        .unwrap()
}

#[test]
fn a_long_name_fails_where_linux_walk_meets_it() {
    for &(op, path, linux) in LINUX {
        assert_eq!(outcome(op, path), linux, "{op}(\"/t/{path}\")");
    }
}

#[test]
fn names_count_bytes_not_characters() {
    Sim::builder()
        .build()
        .run(async {
            let name = "é".repeat(128); // 128 characters, 256 bytes
            let e = fs::write(format!("/{name}"), "x").await.unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidInput);
            let fits = "é".repeat(127) + "a"; // 255 bytes
            fs::write(format!("/{fits}"), "x").await.unwrap();
        })
        .unwrap();
}

#[test]
fn a_path_of_4096_bytes_or_more_is_refused_before_any_lookup() {
    Sim::builder()
        .build()
        .run(async {
            fs::write("/f", "x").await.unwrap();
            // 4095 bytes: the most Linux takes (4096 with the NUL).
            let longest = format!("{}f", "./".repeat(2047));
            assert_eq!(longest.len(), 4095);
            assert_eq!(fs::read(&longest).await.unwrap(), b"x");
            let over = format!("{}ff", "./".repeat(2047));
            let e = fs::read(&over).await.unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidInput);
            let msg = e.to_string();
            assert!(msg.contains("ENAMETOOLONG"), "{msg}");
            assert!(msg.contains("4096 bytes"), "{msg}");
            assert!(msg.len() < 400, "the message cuts the path: {msg}");
            // Even where a short path would be NotFound.
            let missing = format!("/missing/{}", "x".repeat(4096));
            let e = fs::metadata(&missing).await.unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidInput);
        })
        .unwrap();
}

#[test]
fn every_call_refuses_a_long_name_and_creates_nothing() {
    Sim::builder()
        .build()
        .run(async {
            let long = format!("/d/{}", "n".repeat(256));
            fs::create_dir("/d").await.unwrap();
            fs::write("/d/f", "x").await.unwrap();
            let kinds = [
                File::create(&long).await.unwrap_err().kind(),
                File::open(&long).await.unwrap_err().kind(),
                fs::create_dir_all(&long).await.unwrap_err().kind(),
                fs::rename("/d/f", &long).await.unwrap_err().kind(),
                fs::remove_file(&long).await.unwrap_err().kind(),
                fs::read_dir(&long).await.unwrap_err().kind(),
                fs::try_exists(&long).await.unwrap_err().kind(),
                Disk::current().preload(&long, "x").unwrap_err().kind(),
            ];
            assert_eq!(kinds, [ErrorKind::InvalidInput; 8]);
            let names: Vec<_> = fs::read_dir("/d")
                .await
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect();
            assert_eq!(names, ["f"], "nothing created, nothing renamed");
        })
        .unwrap();
}

#[test]
fn create_dir_all_makes_the_parents_then_fails_at_the_long_name_as_std_does() {
    // std: mkdir("m/N256") is ENOENT, so it makes "m" first, then
    // mkdir("m/N256") is ENAMETOOLONG.
    Sim::builder()
        .build()
        .run(async {
            let long = format!("/m/{}", "n".repeat(300));
            let e = fs::create_dir_all(&long).await.unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidInput);
            assert!(fs::metadata("/m").await.unwrap().is_dir());
        })
        .unwrap();
}

#[test]
fn the_message_names_the_limit_and_the_length() {
    Sim::builder()
        .build()
        .run(async {
            let e = fs::write(format!("/{}", "x".repeat(300)), "")
                .await
                .unwrap_err();
            let msg = e.to_string();
            assert!(
                msg.contains("file name too long (ENAMETOOLONG)")
                    && msg.contains("is 300 bytes")
                    && msg.contains("at most 255 bytes"),
                "{msg}"
            );
        })
        .unwrap();
}
