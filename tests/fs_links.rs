//! `hard_link`: a second name for a file, with std's errors on Linux in
//! Linux's order, one file behind both names, and the new name's
//! durability (a namespace change: its directory's sync, or a journal
//! commit), which makes nothing else durable.

use std::io::ErrorKind;

mod common;

use detsim::Sim;
use detsim::fs::{self, Disk, DiskConfig, File, Namespace, Permissions};

/// What `std::fs::hard_link(original, link)` gave on Linux 6.18 (ext4), in
/// a directory holding a file `f`, a directory `d` with a file `g` and a
/// directory `sub`, and an empty directory `e` (`m` and `n` are missing).
const LINUX: &[(&str, &str, &str)] = &[
    ("m", "n", "NotFound"),
    ("d", "n", "PermissionDenied"),
    ("f/", "n", "NotADirectory"),
    ("f", "d/g", "AlreadyExists"),
    ("f", "e", "AlreadyExists"),
    ("f", "m/n", "NotFound"),
    ("f", "n/", "NotFound"),
    ("f", "d/g/", "AlreadyExists"),
    ("f", "e/.", "AlreadyExists"),
    ("f", "f", "AlreadyExists"),
    ("f", "f/x", "NotADirectory"),
    ("e/.", "n", "PermissionDenied"),
    ("d/..", "n", "PermissionDenied"),
    ("f", "e/", "AlreadyExists"),
    ("f", "n", "Ok"),
    ("d/g", "e/n", "Ok"),
];

async fn setup() {
    fs::create_dir_all("/t/d/sub").await.unwrap();
    fs::create_dir("/t/e").await.unwrap();
    fs::write("/t/f", "f").await.unwrap();
    fs::write("/t/d/g", "g").await.unwrap();
}

fn outcome(from: &'static str, to: &'static str) -> String {
    Sim::builder()
        .build()
        .run(async move {
            setup().await;
            match fs::hard_link(format!("/t/{from}"), format!("/t/{to}")).await {
                Ok(()) => "Ok".into(),
                Err(e) => format!("{:?}", e.kind()),
            }
        })
        .unwrap()
}

#[test]
fn hard_link_errors_are_std_s_on_linux() {
    for &(from, to, linux) in LINUX {
        assert_eq!(outcome(from, to), linux, "hard_link(\"{from}\", \"{to}\")");
    }
}

#[test]
fn both_names_are_one_file() {
    Sim::builder()
        .build()
        .run(async {
            let disk = Disk::current();
            fs::write("/a", "one").await.unwrap();
            fs::hard_link("/a", "/b").await.unwrap();
            let f = File::options().write(true).open("/b").await.unwrap();
            f.write_all_at(b"ONE", 0).await.unwrap();
            assert_eq!(fs::read("/a").await.unwrap(), b"ONE");
            assert_eq!(
                fs::metadata("/a").await.unwrap(),
                fs::metadata("/b").await.unwrap(),
                "the same times and permissions"
            );
            fs::set_permissions("/a", Permissions::from_mode(0o600))
                .await
                .unwrap();
            assert_eq!(
                fs::metadata("/b").await.unwrap().permissions().mode(),
                0o100600
            );
            assert_eq!(disk.stats().used_bytes, 3, "stored once");
            fs::remove_file("/a").await.unwrap();
            assert_eq!(fs::read("/b").await.unwrap(), b"ONE");
            drop(f);
            fs::remove_file("/b").await.unwrap();
            assert_eq!(disk.stats().used_bytes, 0, "freed with its last name");
        })
        .unwrap();
}

#[test]
fn a_link_is_a_change_of_its_directory() {
    Sim::builder()
        .build()
        .run(async {
            fs::create_dir("/d").await.unwrap();
            fs::write("/f", "").await.unwrap();
            detsim::time::sleep(std::time::Duration::from_secs(1)).await;
            fs::hard_link("/f", "/d/f").await.unwrap();
            let d = fs::metadata("/d").await.unwrap().modified().unwrap();
            assert_eq!(d, detsim::time::SystemTime::now());
            let f = fs::metadata("/f").await.unwrap().modified().unwrap();
            assert!(f < d, "the file's contents did not change");
        })
        .unwrap();
}

#[test]
fn the_new_name_is_durable_once_its_directory_is_synced_and_only_then() {
    Sim::builder()
        .build()
        .run(async {
            let disk = Disk::current();
            disk.preload("/in/f", "synced").unwrap();
            disk.preload("/out/.keep", "").unwrap();
            fs::hard_link("/in/f", "/out/f").await.unwrap();
            disk.crash(); // /out not synced: the link is lost
            assert!(!fs::try_exists("/out/f").await.unwrap());
            assert_eq!(fs::read("/in/f").await.unwrap(), b"synced");

            fs::hard_link("/in/f", "/out/f").await.unwrap();
            fs::sync_dir("/out").await.unwrap();
            disk.crash();
            assert_eq!(fs::read("/out/f").await.unwrap(), b"synced");
            assert_eq!(fs::read("/in/f").await.unwrap(), b"synced");
        })
        .unwrap();
}

#[test]
fn a_link_makes_no_data_or_other_name_durable() {
    Sim::builder()
        .build()
        .run(async {
            let disk = Disk::current();
            fs::create_dir("/final").await.unwrap();
            fs::sync_dir("/").await.unwrap();
            fs::write("/tmp", "unsynced").await.unwrap(); // name and data volatile
            fs::hard_link("/tmp", "/final/x").await.unwrap();
            fs::sync_dir("/final").await.unwrap();
            disk.crash();
            // Only the synced name survives, and the data was never synced.
            assert!(!fs::try_exists("/tmp").await.unwrap());
            assert_eq!(fs::read("/final/x").await.unwrap(), b"");

            // A sync through either name makes the shared data durable.
            fs::write("/final/x", "v2").await.unwrap();
            fs::hard_link("/final/x", "/final/y").await.unwrap();
            fs::sync_dir("/final").await.unwrap();
            File::open("/final/y")
                .await
                .unwrap()
                .sync_all()
                .await
                .unwrap();
            disk.crash();
            assert_eq!(fs::read("/final/x").await.unwrap(), b"v2");
            assert_eq!(fs::read("/final/y").await.unwrap(), b"v2");
        })
        .unwrap();
}

#[test]
fn relaxed_and_journaled_disks_follow_their_namespace_rule() {
    Sim::builder()
        .build()
        .run(async {
            let disk = Disk::current();
            disk.preload("/f", "x").unwrap();
            disk.configure(DiskConfig::new().namespace(Namespace::Relaxed))
                .unwrap();
            fs::hard_link("/f", "/relaxed").await.unwrap();
            disk.crash();
            assert!(fs::try_exists("/relaxed").await.unwrap(), "durable at once");

            disk.configure(DiskConfig::new().namespace(Namespace::Journal))
                .unwrap();
            fs::hard_link("/f", "/journaled").await.unwrap();
            disk.crash();
            assert!(
                !fs::try_exists("/journaled").await.unwrap(),
                "not committed"
            );
            fs::hard_link("/f", "/journaled").await.unwrap();
            // A sync of the file commits the journal: the link changed it.
            File::open("/f").await.unwrap().sync_data().await.unwrap();
            disk.crash();
            assert!(fs::try_exists("/journaled").await.unwrap());
        })
        .unwrap();
}

#[test]
fn a_read_only_disk_answers_after_the_name_checks_and_before_eperm() {
    use ErrorKind::*;
    Sim::builder()
        .build()
        .run(async {
            common::abort_journal_with_f_and_d().await;
            let kind = |r: std::io::Result<()>| r.unwrap_err().kind();
            assert_eq!(kind(fs::hard_link("/m", "/n").await), NotFound);
            assert_eq!(kind(fs::hard_link("/f", "/f").await), AlreadyExists);
            assert_eq!(kind(fs::hard_link("/f", "/n/").await), NotFound);
            assert_eq!(kind(fs::hard_link("/f", "/n").await), ReadOnlyFilesystem);
            assert_eq!(kind(fs::hard_link("/d", "/n").await), ReadOnlyFilesystem);
        })
        .unwrap();
}

#[test]
fn a_hard_link_is_in_the_fingerprint_and_draws_nothing() {
    let run = |link: bool| {
        let mut sim = Sim::builder().seed(6).build();
        sim.run(async move {
            fs::write("/f", "").await.unwrap();
            if link {
                fs::hard_link("/f", "/g").await.unwrap();
            }
        })
        .unwrap();
        (sim.tape(), sim.fingerprint())
    };
    let (with, fp_with) = run(true);
    let (without, fp_without) = run(false);
    assert_eq!(with, without);
    assert_ne!(fp_with, fp_without);
}

#[test]
fn a_rename_between_two_links_of_one_file_does_nothing() {
    Sim::builder()
        .build()
        .run(async {
            fs::write("/a", "x").await.unwrap();
            fs::hard_link("/a", "/b").await.unwrap();
            // POSIX: "If oldpath and newpath are existing hard links
            // referring to the same file, then rename() does nothing".
            fs::rename("/a", "/b").await.unwrap();
            assert_eq!(fs::read("/a").await.unwrap(), b"x");
            assert_eq!(fs::read("/b").await.unwrap(), b"x");
        })
        .unwrap();
}
