//! `Metadata::modified`, `accessed` and `created` on the simulation's wall
//! clock (its epoch plus the virtual time): what changes each, as Linux
//! (ext4) does, what a crash leaves of them, and that a seed gives the
//! same times on every run.

use std::time::Duration;

use detsim::fs::{self, Disk, DiskConfig, File, Latency, Metadata, Namespace, OpenOptions};
use detsim::time::{self, SystemTime};
use detsim::{Sim, rand};

const EPOCH: u64 = 1_700_000_000;

fn epoch() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(EPOCH)
}

/// Runs `body` in a simulation whose wall clock starts at [`EPOCH`] (and
/// may run for days of virtual time).
fn run<F: Future<Output = ()> + 'static>(body: impl FnOnce() -> F + 'static) {
    Sim::builder()
        .epoch(epoch())
        .no_time_limit()
        .build()
        .run(async move { body().await })
        .unwrap();
}

async fn stat(path: &str) -> Metadata {
    fs::metadata(path).await.unwrap()
}

/// Seconds since the epoch of the simulation, of a time.
fn at(t: std::io::Result<SystemTime>) -> Duration {
    t.unwrap().duration_since(epoch()).unwrap()
}

async fn tick() {
    time::sleep(Duration::from_secs(1)).await;
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

#[test]
fn a_new_file_has_every_time_at_its_creation_on_the_virtual_clock() {
    run(|| async {
        time::sleep(secs(10)).await;
        fs::write("/f", "x").await.unwrap();
        let m = stat("/f").await;
        assert_eq!(at(m.created()), secs(10));
        assert_eq!(at(m.modified()), secs(10));
        assert_eq!(at(m.accessed()), secs(10));
        assert_eq!(m.modified().unwrap(), SystemTime::now());
        // The root was made with the disk, when the simulation started.
        assert_eq!(at(stat("/").await.created()), secs(0));
    });
}

#[test]
fn writes_set_len_and_truncating_opens_modify_a_file() {
    run(|| async {
        let f = File::create("/f").await.unwrap();
        tick().await;
        f.write_all_at(b"abc", 0).await.unwrap();
        assert_eq!(at(stat("/f").await.modified()), secs(1));
        tick().await;
        f.write_at(b"", 0).await.unwrap(); // a write of nothing: no change
        assert_eq!(at(stat("/f").await.modified()), secs(1));
        f.set_len(3).await.unwrap(); // the same size: still a change (ftruncate)
        assert_eq!(at(stat("/f").await.modified()), secs(2));
        tick().await;
        drop(OpenOptions::new().write(true).open("/f").await.unwrap()); // no truncation
        assert_eq!(at(stat("/f").await.modified()), secs(2));
        File::create("/f").await.unwrap(); // truncates
        assert_eq!(at(stat("/f").await.modified()), secs(3));
        tick().await;
        File::create("/f").await.unwrap(); // truncates an empty file: a change too
        let m = stat("/f").await;
        assert_eq!(at(m.modified()), secs(4));
        assert_eq!(at(m.created()), secs(0), "the same file throughout");
        // The handle's metadata is the same.
        assert_eq!(f.metadata().await.unwrap(), m);
    });
}

#[test]
fn a_directory_is_modified_when_its_entries_change_and_a_rename_keeps_the_file_times() {
    run(|| async {
        fs::create_dir_all("/a/b").await.unwrap();
        fs::create_dir("/c").await.unwrap();
        tick().await;
        fs::write("/a/f", "x").await.unwrap();
        assert_eq!(at(stat("/a").await.modified()), secs(1));
        assert_eq!(at(stat("/c").await.modified()), secs(0));
        tick().await;
        fs::rename("/a/f", "/c/f").await.unwrap();
        assert_eq!(at(stat("/a").await.modified()), secs(2));
        assert_eq!(at(stat("/c").await.modified()), secs(2));
        let m = stat("/c/f").await;
        assert_eq!((at(m.created()), at(m.modified())), (secs(1), secs(1)));
        tick().await;
        fs::write("/c/f", "y").await.unwrap(); // a file's contents: not its directory
        assert_eq!(at(stat("/c").await.modified()), secs(2));
        fs::remove_dir("/a/b").await.unwrap();
        assert_eq!(at(stat("/a").await.modified()), secs(3));
    });
}

#[test]
fn reads_update_the_access_time_as_relatime_does() {
    run(|| async {
        fs::write("/f", "x").await.unwrap();
        tick().await;
        fs::read("/f").await.unwrap(); // not later than the modification: updated
        assert_eq!(at(stat("/f").await.accessed()), secs(1));
        tick().await;
        let mut f = File::open("/f").await.unwrap();
        f.read_to_end(&mut Vec::new()).await.unwrap(); // later: kept
        assert_eq!(at(stat("/f").await.accessed()), secs(1));
        time::sleep(secs(24 * 60 * 60)).await;
        let mut buf = [0; 1];
        f.read_at(&mut buf, 0).await.unwrap(); // a day old: updated
        let day = secs(24 * 60 * 60 + 2);
        assert_eq!(at(stat("/f").await.accessed()), day);
        tick().await;
        fs::write("/f", "y").await.unwrap(); // modified after it
        tick().await;
        fs::read("/f").await.unwrap();
        assert_eq!(at(stat("/f").await.accessed()), day + secs(2));
        assert_eq!(
            at(stat("/f").await.modified()),
            day + secs(1),
            "reads modify nothing"
        );
        // A listing reads its directory.
        fs::create_dir("/d").await.unwrap();
        tick().await;
        fs::read_dir("/d").await.unwrap();
        assert_eq!(at(stat("/d").await.accessed()), day + secs(3));
    });
}

#[test]
fn a_failed_read_leaves_the_access_time() {
    run(|| async {
        fs::write("/f", "x").await.unwrap();
        tick().await;
        let disk = Disk::current();
        disk.configure(DiskConfig::new().read_error(1.0)).unwrap();
        fs::read("/f").await.unwrap_err();
        disk.reset_config();
        assert_eq!(at(stat("/f").await.accessed()), secs(0));
    });
}

#[test]
fn a_change_is_timed_when_it_lands_after_the_disk_latency() {
    run(|| async {
        let disk = Disk::current();
        disk.configure(DiskConfig::new().latency(Latency::constant(Duration::from_millis(3))))
            .unwrap();
        fs::write("/f", "x").await.unwrap();
        disk.reset_config();
        // fs::write is two steps (open, then write), each 3 ms.
        assert_eq!(at(stat("/f").await.modified()), Duration::from_millis(6));
    });
}

#[test]
fn a_crash_brings_back_the_times_of_the_last_sync_all() {
    run(|| async {
        let disk = Disk::current();
        let f = File::create("/f").await.unwrap();
        fs::sync_dir("/").await.unwrap();
        tick().await;
        f.write_all_at(b"v1", 0).await.unwrap();
        f.sync_all().await.unwrap(); // times durable at 1 s
        tick().await;
        f.write_all_at(b"v2", 0).await.unwrap();
        f.sync_data().await.unwrap(); // data durable, times not (fdatasync)
        tick().await;
        f.write_all_at(b"v3", 0).await.unwrap(); // lost
        assert_eq!(at(stat("/f").await.modified()), secs(3));
        disk.crash();
        assert_eq!(fs::read("/f").await.unwrap(), b"v2");
        let m = stat("/f").await;
        assert_eq!(at(m.modified()), secs(1), "the times of the last sync_all");
        assert_eq!(at(m.created()), secs(0));
    });
}

#[test]
fn a_file_never_synced_keeps_its_first_times_after_a_crash() {
    run(|| async {
        tick().await;
        fs::write("/f", "lost").await.unwrap();
        fs::sync_dir("/").await.unwrap(); // the name is durable, the data not
        tick().await;
        fs::write("/f", "lost too").await.unwrap();
        Disk::current().crash();
        let m = stat("/f").await;
        assert_eq!(m.len(), 0);
        assert_eq!((at(m.created()), at(m.modified())), (secs(1), secs(1)));
    });
}

#[test]
fn a_directory_sync_makes_its_modification_time_durable() {
    run(|| async {
        fs::create_dir("/d").await.unwrap();
        fs::sync_dir("/").await.unwrap();
        fs::sync_dir("/d").await.unwrap();
        tick().await;
        fs::write("/d/kept", "").await.unwrap();
        fs::sync_dir("/d").await.unwrap();
        tick().await;
        fs::write("/d/lost", "").await.unwrap();
        assert_eq!(at(stat("/d").await.modified()), secs(2));
        Disk::current().crash();
        assert_eq!(at(stat("/d").await.modified()), secs(1));
    });
}

#[test]
fn a_journal_commit_carries_the_times_of_what_changed() {
    run(|| async {
        let disk = Disk::current();
        disk.configure(DiskConfig::new().namespace(Namespace::Journal))
            .unwrap();
        let a = File::create("/a").await.unwrap();
        let b = File::create("/b").await.unwrap();
        a.sync_all().await.unwrap(); // commits both names
        tick().await;
        a.write_all_at(b"a", 0).await.unwrap();
        b.write_all_at(b"b", 0).await.unwrap();
        b.sync_data().await.unwrap(); // a commit: both inodes' times
        disk.crash();
        assert_eq!(
            fs::read("/a").await.unwrap(),
            b"",
            "a's data was not synced"
        );
        assert_eq!(
            at(stat("/a").await.modified()),
            secs(1),
            "its time was journaled"
        );
        assert_eq!(at(stat("/b").await.modified()), secs(1));
    });
}

/// The times a run sees, with a drawn epoch and drawn sleeps.
fn times(seed: u64) -> Vec<SystemTime> {
    Sim::builder()
        .seed(seed)
        .build()
        .run(async {
            let mut seen = Vec::new();
            for i in 0..5 {
                time::sleep(Duration::from_millis(rand::gen_range(0..1000))).await;
                fs::write(format!("/{i}"), "x").await.unwrap();
                let m = fs::metadata(format!("/{i}")).await.unwrap();
                seen.extend([m.created().unwrap(), m.modified().unwrap()]);
            }
            seen
        })
        .unwrap()
}

#[test]
fn a_seed_gives_the_same_times_on_every_run() {
    for seed in 0..20 {
        assert_eq!(times(seed), times(seed), "seed {seed}");
    }
    assert_ne!(times(1), times(2), "the epoch and the sleeps are drawn");
}
