//! What survives a crash: synced contents always; unsynced contents never
//! (by default) or a drawn part of them (torn/reordered writes); names
//! once their directory is synced (strict) or at once (relaxed); renames
//! atomically; a directory in one place, never two or a cycle. Handles
//! from before a crash are stale.

use std::io::ErrorKind;

use detsim::Sim;
use detsim::fs::{self, Disk, DiskConfig, File, Namespace, OpenOptions};
use detsim::node::Node;

fn run<T>(f: impl std::future::Future<Output = T>) -> T {
    Sim::builder().build().run(f).unwrap()
}

async fn exists(p: &str) -> bool {
    fs::try_exists(p).await.unwrap()
}

#[test]
fn synced_contents_survive_and_unsynced_contents_are_lost() {
    run(async {
        let mut f = File::create("/f").await.unwrap();
        fs::sync_dir("/").await.unwrap();
        f.write_all(b"durable").await.unwrap();
        f.sync_data().await.unwrap();
        f.write_all(b" volatile").await.unwrap();
        f.set_len(100).await.unwrap();
        Disk::current().crash();
        assert_eq!(fs::read("/f").await.unwrap(), b"durable");
        // Truncation is a change like a write: volatile until synced.
        let f = OpenOptions::new().write(true).open("/f").await.unwrap();
        f.set_len(3).await.unwrap();
        Disk::current().crash();
        assert_eq!(fs::read("/f").await.unwrap(), b"durable");
        let f = OpenOptions::new().write(true).open("/f").await.unwrap();
        f.set_len(3).await.unwrap();
        f.sync_data().await.unwrap();
        Disk::current().crash();
        assert_eq!(fs::read("/f").await.unwrap(), b"dur");
        assert_eq!(Disk::current().stats().crashes, 3);
    });
}

#[test]
fn strict_namespace_needs_the_directory_synced() {
    run(async {
        fs::create_dir("/d").await.unwrap();
        let f = File::create("/d/new").await.unwrap();
        f.write_all_at(b"x", 0).await.unwrap();
        f.sync_all().await.unwrap(); // contents durable, name not
        Disk::current().crash();
        assert!(!exists("/d").await, "mkdir is volatile until / is synced");

        fs::create_dir("/d").await.unwrap();
        fs::sync_dir("/").await.unwrap();
        let f = File::create("/d/new").await.unwrap();
        f.write_all_at(b"x", 0).await.unwrap();
        f.sync_all().await.unwrap();
        Disk::current().crash();
        assert!(exists("/d").await);
        assert!(!exists("/d/new").await, "the name needs /d synced");

        let f = File::create("/d/new").await.unwrap();
        f.write_all_at(b"x", 0).await.unwrap();
        File::open("/d").await.unwrap().sync_all().await.unwrap(); // name durable, contents not
        Disk::current().crash();
        assert_eq!(
            fs::read("/d/new").await.unwrap(),
            b"",
            "a never-synced file is empty"
        );

        // A removal is volatile too: the file comes back.
        fs::remove_file("/d/new").await.unwrap();
        Disk::current().crash();
        assert!(exists("/d/new").await);
        fs::remove_file("/d/new").await.unwrap();
        fs::sync_dir("/d").await.unwrap();
        Disk::current().crash();
        assert!(!exists("/d/new").await);
    });
}

#[test]
fn relaxed_namespace_changes_are_durable_at_once() {
    run(async {
        let disk = Disk::current();
        disk.configure(DiskConfig::new().namespace(Namespace::Relaxed))
            .unwrap();
        fs::create_dir_all("/a/b").await.unwrap();
        fs::write("/a/b/f", "unsynced contents").await.unwrap();
        fs::write("/gone", "").await.unwrap();
        fs::remove_file("/gone").await.unwrap();
        disk.crash();
        assert!(exists("/a/b").await);
        assert_eq!(
            fs::read("/a/b/f").await.unwrap(),
            b"",
            "contents still need a sync"
        );
        assert!(!exists("/gone").await);
    });
}

/// The classic atomic update: write a temporary file, sync it, rename it
/// over the old one, sync the directory.
async fn atomic_update(contents: &str, sync_dir: bool) {
    let f = File::create("/state.tmp").await.unwrap();
    f.write_all_at(contents.as_bytes(), 0).await.unwrap();
    f.sync_all().await.unwrap();
    fs::rename("/state.tmp", "/state").await.unwrap();
    if sync_dir {
        fs::sync_dir("/").await.unwrap();
    }
}

#[test]
fn rename_is_atomic_under_crash_old_or_new_never_a_mix() {
    run(async {
        let disk = Disk::current();
        disk.preload("/state", "version 1").unwrap();
        disk.configure(DiskConfig::new().torn_writes(true).reorder_writes(true))
            .unwrap();
        atomic_update("version 2, longer", false).await;
        assert_eq!(fs::read("/state").await.unwrap(), b"version 2, longer");
        disk.crash();
        assert_eq!(fs::read_to_string("/state").await.unwrap(), "version 1");
        assert!(!exists("/state.tmp").await);
        atomic_update("version 3", true).await;
        disk.crash();
        assert_eq!(fs::read_to_string("/state").await.unwrap(), "version 3");
        assert!(!exists("/state.tmp").await);
    });
}

#[test]
fn rename_without_syncing_the_new_contents_can_lose_both() {
    // The bug the strict model catches: rename an unsynced file over the
    // old one and sync the directory; after a crash the name points at an
    // empty file.
    run(async {
        let disk = Disk::current();
        disk.preload("/state", "version 1").unwrap();
        fs::write("/state.tmp", "version 2").await.unwrap();
        fs::rename("/state.tmp", "/state").await.unwrap();
        fs::sync_dir("/").await.unwrap();
        disk.crash();
        assert_eq!(fs::read("/state").await.unwrap(), b"");
    });
}

#[test]
fn a_rename_between_directories_needs_both_synced() {
    run(async {
        let disk = Disk::current();
        disk.preload("/in/job", "payload").unwrap();
        fs::create_dir("/out").await.unwrap();
        fs::sync_dir("/").await.unwrap();
        fs::rename("/in/job", "/out/job").await.unwrap();
        fs::sync_dir("/out").await.unwrap();
        disk.crash();
        // Only the target was synced: the file is durable under both names.
        assert!(exists("/in/job").await && exists("/out/job").await);
        fs::remove_file("/out/job").await.unwrap();
        fs::sync_dir("/out").await.unwrap();
        fs::rename("/in/job", "/out/job").await.unwrap();
        fs::sync_dir("/in").await.unwrap();
        disk.crash();
        // Only the source was synced: the file is under neither name.
        assert!(!exists("/in/job").await && !exists("/out/job").await);
        disk.preload("/in/job", "payload").unwrap();
        fs::rename("/in/job", "/out/job").await.unwrap();
        fs::sync_dir("/in").await.unwrap();
        fs::sync_dir("/out").await.unwrap();
        disk.crash();
        assert!(!exists("/in/job").await);
        assert_eq!(fs::read("/out/job").await.unwrap(), b"payload");
    });
}

#[test]
fn a_directory_renamed_between_directories_keeps_one_parent() {
    run(async {
        let disk = Disk::current();
        disk.preload("/in/job/data", "payload").unwrap();
        disk.preload("/out/.keep", "").unwrap();
        fs::rename("/in/job", "/out/job").await.unwrap();
        fs::sync_dir("/out").await.unwrap();
        disk.crash();
        // A file would be under both names; a directory is in one place,
        // the one the newer durable listing (/out, synced last) names.
        assert!(!exists("/in/job").await);
        assert_eq!(fs::read("/out/job/data").await.unwrap(), b"payload");
        // So it cannot be moved into itself through an old name.
        let err = fs::rename("/out/job", "/out/job/loop").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
    });
}

#[test]
fn two_synced_directory_renames_never_make_a_cycle() {
    run(async {
        let disk = Disk::current();
        disk.preload("/p/q/file", "x").unwrap();
        // Each rename followed by the sync of its target directory, as
        // POSIX asks: /p/q -> /q, then /p -> /q/p.
        fs::rename("/p/q", "/q").await.unwrap();
        fs::sync_dir("/").await.unwrap();
        fs::rename("/p", "/q/p").await.unwrap();
        fs::sync_dir("/q").await.unwrap();
        disk.crash();
        // The state after both renames: no /p, and /p/q/p/... does not
        // go on forever.
        assert!(!exists("/p").await);
        assert!(exists("/q/p").await);
        assert!(!exists("/q/p/q").await);
        assert_eq!(fs::read("/q/file").await.unwrap(), b"x");
        fs::remove_dir_all("/q").await.unwrap();
        assert!(!exists("/q").await);
    });
}

#[test]
fn handles_from_before_a_crash_are_stale() {
    run(async {
        let disk = Disk::current();
        disk.preload("/f", "abc").unwrap();
        let mut old = OpenOptions::new()
            .read(true)
            .write(true)
            .open("/f")
            .await
            .unwrap();
        disk.crash();
        let err = old.write_all(b"x").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::StaleNetworkFileHandle);
        assert!(err.to_string().contains("open the file again"), "{err}");
        let mut buf = [0; 3];
        assert_eq!(
            old.read(&mut buf).await.unwrap_err().kind(),
            ErrorKind::StaleNetworkFileHandle
        );
        assert_eq!(
            old.sync_all().await.unwrap_err().kind(),
            ErrorKind::StaleNetworkFileHandle
        );
        assert_eq!(
            old.metadata().await.unwrap_err().kind(),
            ErrorKind::StaleNetworkFileHandle
        );
        for pos in [
            std::io::SeekFrom::Start(0),
            std::io::SeekFrom::Current(1),
            std::io::SeekFrom::End(0),
        ] {
            let err = old.seek(pos).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::StaleNetworkFileHandle, "{pos:?}");
        }
        drop(old); // closing a stale handle is fine
        let mut new = File::open("/f").await.unwrap();
        new.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"abc");
    });
}

#[test]
fn killing_a_node_crashes_its_disk_and_a_restart_sees_the_durable_state() {
    let seen = run(async {
        let node = Node::builder("db")
            .init(|| async {
                if !fs::try_exists("/boot").await.unwrap() {
                    let f = File::create("/boot").await.unwrap();
                    f.write_all_at(b"synced", 0).await.unwrap();
                    f.sync_all().await.unwrap();
                    fs::sync_dir("/").await.unwrap();
                    f.write_all_at(b" and lost", 6).await.unwrap();
                    fs::write("/scratch", "lost").await.unwrap();
                }
            })
            .build();
        detsim::yield_now().await;
        // A handle held outside the node goes stale with the kill.
        let h = node
            .spawn(async { File::open("/boot").await.unwrap() })
            .await
            .unwrap();
        node.kill();
        assert!(h.metadata().await.unwrap_err().kind() == ErrorKind::StaleNetworkFileHandle);
        node.restart();
        node.spawn(async {
            (
                fs::read_to_string("/boot").await.unwrap(),
                fs::try_exists("/scratch").await.unwrap(),
            )
        })
        .await
        .unwrap()
    });
    assert_eq!(seen, ("synced".to_string(), false));
}

/// Appends ten 700-byte writes (the first two synced), crashes, and
/// returns the file's length after the crash.
fn crash_with(config: DiskConfig, seed: u64) -> Vec<u8> {
    let mut sim = Sim::builder().seed(seed).build();
    sim.run(async move {
        let disk = Disk::current();
        disk.configure(config).unwrap();
        disk.preload("/log", "").unwrap();
        let f = OpenOptions::new().append(true).open("/log").await.unwrap();
        let mut f = f;
        for i in 0..10u8 {
            f.write_all(&[i + 1; 700]).await.unwrap();
            if i == 1 {
                f.sync_data().await.unwrap();
            }
        }
        disk.crash();
        fs::read("/log").await.unwrap()
    })
    .unwrap()
}

#[test]
fn torn_writes_keep_an_in_order_prefix_cut_at_a_sector_boundary() {
    let mut lens = std::collections::BTreeSet::new();
    for seed in 0..200 {
        let data = crash_with(DiskConfig::new().torn_writes(true), seed);
        assert!(
            data.len() >= 1400,
            "synced data is never lost (seed {seed})"
        );
        // A prefix of what was written...
        for (i, &b) in data.iter().enumerate() {
            assert_eq!(b, (i / 700) as u8 + 1, "seed {seed}: byte {i}");
        }
        // ...ending at a sector boundary or at the end of a write.
        assert!(
            data.len() % 512 == 0 || data.len() % 700 == 0,
            "seed {seed}: {}",
            data.len()
        );
        lens.insert(data.len());
    }
    assert!(lens.contains(&1400), "a crash may keep nothing unsynced");
    assert!(
        lens.iter().any(|l| l % 700 != 0),
        "some crashes tear a write"
    );
    assert!(lens.len() > 5, "{lens:?}");
    // The default model loses every unsynced write, without drawing.
    assert_eq!(crash_with(DiskConfig::new(), 3).len(), 1400);
}

#[test]
fn reordered_writes_keep_any_subset() {
    let mut later_without_earlier = false;
    for seed in 0..100 {
        let data = crash_with(DiskConfig::new().reorder_writes(true), seed);
        assert!(
            data[..1400].iter().all(|&b| b == 1 || b == 2),
            "synced data is kept"
        );
        // Each unsynced 700-byte write is there whole, or zeros (a hole
        // below a later kept write), or past the end.
        let mut missing = false;
        for (i, chunk) in data.chunks(700).enumerate().skip(2) {
            if chunk.iter().all(|&b| b == 0) {
                missing = true;
            } else {
                assert!(
                    chunk.iter().all(|&b| b == i as u8 + 1),
                    "seed {seed}: write {i}"
                );
                later_without_earlier |= missing;
            }
        }
    }
    assert!(
        later_without_earlier,
        "some crash kept a later write and lost an earlier one"
    );
}

/// The crash model is the one set at the crash: torn writes switched off
/// before it keep nothing unsynced, with no draws, whatever was logged.
#[test]
fn torn_writes_switched_off_before_a_crash_keep_nothing() {
    for seed in 0..30 {
        let mut sim = Sim::builder().seed(seed).build();
        let got = sim
            .run(async {
                let disk = Disk::current();
                disk.preload("/f", "").unwrap();
                disk.configure(DiskConfig::new().torn_writes(true)).unwrap();
                let f = OpenOptions::new().write(true).open("/f").await.unwrap();
                f.write_all_at(&[1; 2000], 0).await.unwrap();
                disk.reset_config();
                disk.crash();
                fs::read("/f").await.unwrap()
            })
            .unwrap();
        assert!(
            got.is_empty(),
            "seed {seed}: kept {} unsynced bytes",
            got.len()
        );
    }
}

/// Torn writes switched on after an unsynced (unlogged) write: a crash
/// never keeps the later write without the earlier one (it keeps
/// nothing); after the file's next sync, its writes can be kept again.
#[test]
fn torn_writes_switched_on_mid_run_keep_an_in_order_prefix() {
    let mut kept_after_sync = 0;
    for seed in 0..30 {
        let mut sim = Sim::builder().seed(seed).build();
        let (first, second) = sim
            .run(async {
                let disk = Disk::current();
                disk.preload("/f", "").unwrap();
                let f = OpenOptions::new().write(true).open("/f").await.unwrap();
                f.write_all_at(b"A", 0).await.unwrap();
                disk.configure(DiskConfig::new().torn_writes(true)).unwrap();
                f.write_all_at(b"B", 1).await.unwrap();
                disk.crash();
                let first = fs::read("/f").await.unwrap();
                let f = OpenOptions::new().write(true).open("/f").await.unwrap();
                f.write_all_at(b"C", 0).await.unwrap();
                f.sync_data().await.unwrap();
                f.write_all_at(b"D", 1).await.unwrap();
                disk.crash();
                (first, fs::read("/f").await.unwrap())
            })
            .unwrap();
        assert!(
            first.is_empty(),
            "seed {seed}: kept {first:?}, not an in-order prefix of A, B"
        );
        assert!(second == b"C" || second == b"CD", "seed {seed}: {second:?}");
        kept_after_sync += usize::from(second == b"CD");
    }
    assert!(kept_after_sync > 0, "a synced file logs its writes again");
}
