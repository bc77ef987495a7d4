//! `copy` as std's on Linux (errors, the source's first; the target made
//! or truncated and given the source's mode; a copy onto itself empties
//! the file), its faults (those of a read and a write), and its crash
//! semantics (an open that creates or truncates, and a write).

use std::io::ErrorKind::{self, *};

mod common;

use detsim::Sim;
use detsim::fs::{self, Disk, DiskConfig, File, Permissions};
use detsim::time::{self, SystemTime};

/// What `std::fs::copy(from, to)` gave on Linux 6.18 (ext4), in a
/// directory holding a file `f` ("f"), a directory `d` with a file `g`
/// and a directory `sub`, and an empty directory `e` (`m`, `n` missing).
const LINUX: &[(&str, &str, &str)] = &[
    ("m", "n", "NotFound"),
    ("d", "n", "InvalidInput"),
    ("f", "e", "IsADirectory"),
    ("f", "m/n", "NotFound"),
    ("f", "n/", "IsADirectory"),
    ("f/", "n", "NotADirectory"),
    ("f", "d/g/", "IsADirectory"),
    ("f", "e/.", "IsADirectory"),
    ("f", "d/g", "Ok(1)"),
    ("m", "e", "NotFound"),
];

fn run<T: 'static, F: Future<Output = T> + 'static>(body: impl FnOnce() -> F + 'static) -> T {
    Sim::builder()
        .build()
        .run(async move { body().await })
        .unwrap()
}

fn outcome(from: &'static str, to: &'static str) -> String {
    run(move || async move {
        fs::create_dir_all("/t/d/sub").await.unwrap();
        fs::create_dir("/t/e").await.unwrap();
        fs::write("/t/f", "f").await.unwrap();
        fs::write("/t/d/g", "g").await.unwrap();
        match fs::copy(format!("/t/{from}"), format!("/t/{to}")).await {
            Ok(n) => format!("Ok({n})"),
            Err(e) => format!("{:?}", e.kind()),
        }
    })
}

fn kind<T>(r: std::io::Result<T>) -> ErrorKind {
    match r {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.kind(),
    }
}

#[test]
fn copy_errors_are_std_s_on_linux() {
    for &(from, to, linux) in LINUX {
        assert_eq!(outcome(from, to), linux, "copy(\"{from}\", \"{to}\")");
    }
}

#[test]
fn a_copy_onto_itself_empties_the_file_as_with_std() {
    // std on Linux: copy("c", "c") is Ok(0) and leaves "c" empty (the
    // target is truncated before the source is read).
    run(|| async {
        fs::write("/c", "hello").await.unwrap();
        assert_eq!(fs::copy("/c", "/c").await.unwrap(), 0);
        assert_eq!(fs::read("/c").await.unwrap(), b"");
        fs::write("/c", "hello").await.unwrap();
        fs::create_dir("/d").await.unwrap();
        assert_eq!(fs::copy("/c", "/d/../c").await.unwrap(), 0);
        fs::write("/c", "hello").await.unwrap();
        fs::hard_link("/c", "/other-name").await.unwrap();
        assert_eq!(fs::copy("/c", "/other-name").await.unwrap(), 0);
        assert_eq!(fs::read("/c").await.unwrap(), b"");
    });
}

#[test]
fn the_target_gets_the_source_mode_new_or_existing() {
    // std on Linux: the target's mode is the source's, whether it was
    // made by the copy or existed (0o640 source, 0o644 target: 0o640).
    run(|| async {
        fs::write("/src", "x").await.unwrap();
        fs::set_permissions("/src", Permissions::from_mode(0o640))
            .await
            .unwrap();
        fs::write("/old", "").await.unwrap();
        fs::copy("/src", "/old").await.unwrap();
        fs::copy("/src", "/new").await.unwrap();
        for p in ["/old", "/new"] {
            let mode = fs::metadata(p).await.unwrap().permissions().mode();
            assert_eq!(mode, 0o100640, "{p}");
        }
    });
}

#[test]
fn modes_are_checked_as_for_a_non_root_owner() {
    run(|| async {
        fs::write("/ro", "abc").await.unwrap();
        fs::set_permissions("/ro", Permissions::from_mode(0o400))
            .await
            .unwrap();
        // A read-only source copies, and its target is made read-only...
        assert_eq!(fs::copy("/ro", "/copy").await.unwrap(), 3);
        assert!(
            fs::metadata("/copy")
                .await
                .unwrap()
                .permissions()
                .readonly()
        );
        // ...so a second copy onto it is refused (the owner cannot write).
        assert_eq!(kind(fs::copy("/ro", "/copy").await), PermissionDenied);
        fs::set_permissions("/ro", Permissions::from_mode(0o200))
            .await
            .unwrap();
        assert_eq!(kind(fs::copy("/ro", "/other").await), PermissionDenied);
        assert!(!fs::try_exists("/other").await.unwrap(), "source first");
    });
}

#[test]
fn it_copies_what_reads_see_and_times_the_target_now() {
    run(|| async {
        let f = File::create("/src").await.unwrap();
        f.write_all_at(b"unsynced", 0).await.unwrap();
        time::sleep(std::time::Duration::from_secs(1)).await;
        assert_eq!(fs::copy("/src", "/dst").await.unwrap(), 8);
        assert_eq!(fs::read("/dst").await.unwrap(), b"unsynced");
        let dst = fs::metadata("/dst").await.unwrap();
        assert_eq!(dst.created().unwrap(), SystemTime::now());
        assert_eq!(dst.modified().unwrap(), SystemTime::now());
        let src = fs::metadata("/src").await.unwrap();
        assert_eq!(src.accessed().unwrap(), SystemTime::now(), "a read");
        assert!(src.modified().unwrap() < SystemTime::now());
        let s = Disk::current().stats();
        assert_eq!((s.reads, s.bytes_read), (2, 16), "the copy's read and ours");
    });
}

#[test]
fn the_copy_is_volatile_until_the_target_is_synced_and_its_name_until_its_directory() {
    run(|| async {
        let disk = Disk::current();
        disk.preload("/src", "v1").unwrap();
        fs::copy("/src", "/dst").await.unwrap();
        disk.crash();
        assert!(
            !fs::try_exists("/dst").await.unwrap(),
            "a new name, not synced"
        );

        fs::copy("/src", "/dst").await.unwrap();
        fs::sync_dir("/").await.unwrap();
        disk.crash();
        assert_eq!(
            fs::read("/dst").await.unwrap(),
            b"",
            "the name, not the data"
        );

        fs::write("/src", "v2 unsynced").await.unwrap();
        fs::copy("/src", "/dst").await.unwrap();
        File::open("/dst").await.unwrap().sync_all().await.unwrap();
        disk.crash();
        assert_eq!(fs::read("/dst").await.unwrap(), b"v2 unsynced");
        assert_eq!(fs::read("/src").await.unwrap(), b"v1", "the source's lost");
    });
}

#[test]
fn a_torn_write_model_may_keep_part_of_a_copy() {
    let kept: Vec<usize> = (0..40)
        .map(|seed| {
            Sim::builder()
                .seed(seed)
                .build()
                .run(async {
                    let disk = Disk::current();
                    disk.configure(DiskConfig::new().torn_writes(true)).unwrap();
                    disk.preload("/src", vec![7u8; 4096]).unwrap();
                    disk.preload("/dst", "").unwrap();
                    fs::copy("/src", "/dst").await.unwrap();
                    disk.crash();
                    fs::read("/dst").await.unwrap().len()
                })
                .unwrap()
        })
        .collect();
    assert!(
        kept.iter().all(|&n| n % 512 == 0),
        "cut at sectors: {kept:?}"
    );
    assert!(kept.contains(&0) && kept.iter().any(|&n| n > 0), "{kept:?}");
}

#[test]
fn a_copy_draws_the_faults_of_a_read_and_a_write() {
    run(|| async {
        let disk = Disk::current();
        fs::write("/src", "abcdef").await.unwrap();

        disk.configure(DiskConfig::new().read_error(1.0)).unwrap();
        let e = fs::copy("/src", "/dst").await.unwrap_err();
        assert_eq!(e.kind(), Other);
        assert!(
            e.to_string()
                .contains("/src: injected I/O error (EIO) on read"),
            "{e}"
        );
        assert_eq!(
            fs::metadata("/dst").await.unwrap().len(),
            0,
            "made, as std leaves it"
        );

        disk.configure(DiskConfig::new().write_error(1.0)).unwrap();
        let e = fs::copy("/src", "/dst").await.unwrap_err();
        assert!(
            e.to_string()
                .contains("/dst: injected I/O error (EIO) on write"),
            "{e}"
        );

        disk.configure(DiskConfig::new().capacity(6 + 4)).unwrap();
        assert_eq!(kind(fs::copy("/src", "/dst").await), StorageFull);
        disk.reset_config();
        assert_eq!(fs::read("/dst").await.unwrap(), b"abcd", "what fit");

        disk.configure(DiskConfig::new().read_corruption(1.0))
            .unwrap();
        fs::copy("/src", "/dst").await.unwrap();
        disk.reset_config();
        let copied = fs::read("/dst").await.unwrap();
        let flipped: u32 = copied
            .iter()
            .zip(b"abcdef")
            .map(|(a, b)| (a ^ b).count_ones())
            .sum();
        assert_eq!(flipped, 1, "the bit flipped in the read is stored");
        let f = disk.stats().faults;
        assert_eq!(
            (f.read_errors, f.write_errors, f.storage_full, f.corruptions),
            (1, 1, 1, 1)
        );
    });
}

#[test]
fn a_read_only_disk_answers_after_the_source_and_target_checks() {
    run(|| async {
        common::abort_journal_with_f_and_d().await;
        assert_eq!(kind(fs::copy("/m", "/n").await), NotFound);
        assert_eq!(kind(fs::copy("/d", "/n").await), InvalidInput);
        assert_eq!(kind(fs::copy("/f", "/m/n").await), NotFound);
        assert_eq!(kind(fs::copy("/f", "/d").await), IsADirectory);
        assert_eq!(kind(fs::copy("/f", "/n").await), ReadOnlyFilesystem);
        assert_eq!(fs::read("/f").await.unwrap(), b"x");
    });
}
