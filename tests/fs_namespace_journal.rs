//! `Namespace::Journal` (ext4/XFS): one per-disk journal of namespace
//! changes, committed whole, in order, by a successful sync of any file or
//! directory changed since the last commit; a crash loses what came after
//! the last commit. Each test also shows what Strict does instead.

mod common;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use detsim::fs::Latency;
use detsim::fs::{self, Disk, DiskConfig, DiskStats, File, Namespace};
use detsim::node::Node;
use detsim::{Failure, Sim, rand, time};

fn run<T>(f: impl std::future::Future<Output = T>) -> T {
    Sim::builder().build().run(f).unwrap()
}

/// The preloaded `/logs/app.log`, opened for writing: the "other file"
/// whose sync commits (or does not commit) the journal.
async fn open_log() -> File {
    File::options()
        .write(true)
        .open("/logs/app.log")
        .await
        .unwrap()
}

fn journal() -> DiskConfig {
    DiskConfig::new().namespace(Namespace::Journal)
}

async fn exists(p: &str) -> bool {
    fs::try_exists(p).await.unwrap()
}

/// Every path under the root, sorted, directories with a trailing slash.
async fn tree() -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![String::new()];
    while let Some(d) = stack.pop() {
        let listing = fs::read_dir(if d.is_empty() { "/" } else { &d }).await;
        for e in listing.unwrap() {
            let e = e.unwrap();
            let p = format!("{d}/{}", e.file_name().to_string_lossy());
            if e.file_type().is_dir() {
                out.push(format!("{p}/"));
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

// ------------------------------------------------------ what a sync commits

#[test]
fn a_new_file_synced_survives_a_crash_under_journal_not_under_strict() {
    let survives = |namespace: Namespace| {
        run(async move {
            let disk = Disk::current();
            disk.preload("/wal/.keep", "").unwrap();
            disk.configure(DiskConfig::new().namespace(namespace))
                .unwrap();
            let mut f = File::create("/wal/seg-0").await.unwrap();
            f.write_all(b"record").await.unwrap();
            f.sync_all().await.unwrap(); // the file only, never /wal
            disk.crash();
            fs::read("/wal/seg-0").await.ok()
        })
    };
    assert_eq!(
        survives(Namespace::Journal).as_deref(),
        Some(&b"record"[..])
    );
    assert_eq!(
        survives(Namespace::Strict),
        None,
        "POSIX: /wal was not synced"
    );
}

#[test]
fn an_unrelated_fsync_makes_an_earlier_rename_durable() {
    let after_crash = |namespace: Namespace, unrelated_sync: bool| {
        run(async move {
            let disk = Disk::current();
            disk.preload("/in/job", "payload").unwrap();
            disk.preload("/out/.keep", "").unwrap();
            disk.preload("/logs/app.log", "").unwrap();
            disk.configure(DiskConfig::new().namespace(namespace))
                .unwrap();
            fs::rename("/in/job", "/out/job").await.unwrap();
            if unrelated_sync {
                let log = open_log().await;
                log.write_all_at(b"moved", 0).await.unwrap();
                log.sync_data().await.unwrap();
            }
            disk.crash();
            (exists("/in/job").await, fs::read("/out/job").await.ok())
        })
    };
    let moved = (false, Some(b"payload".to_vec()));
    let undone = (true, None);
    assert_eq!(after_crash(Namespace::Journal, true), moved, "one commit");
    assert_eq!(after_crash(Namespace::Journal, false), undone, "no commit");
    assert_eq!(after_crash(Namespace::Strict, true), undone, "POSIX");
}

#[test]
fn a_change_after_the_last_sync_is_lost_on_a_crash() {
    run(async {
        let disk = Disk::current();
        disk.configure(journal()).unwrap();
        disk.preload("/anchor", "").unwrap();
        let anchor = File::options().write(true).open("/anchor").await.unwrap();
        fs::write("/x", "x").await.unwrap();
        fs::create_dir("/d").await.unwrap();
        anchor.write_all_at(b"1", 0).await.unwrap();
        anchor.sync_all().await.unwrap(); // commits /x and /d
        fs::rename("/x", "/y").await.unwrap();
        fs::write("/d/new", "n").await.unwrap();
        fs::remove_dir_all("/d").await.unwrap();
        disk.crash(); // loses the three changes after the sync
        assert_eq!(tree().await, ["/anchor", "/d/", "/x"]);

        // A removal is a change like any other: volatile until a sync.
        fs::remove_file("/x").await.unwrap();
        disk.crash();
        assert!(exists("/x").await);
        fs::remove_file("/x").await.unwrap();
        fs::create_dir("/d/e").await.unwrap();
        fs::sync_dir("/d").await.unwrap(); // another directory's sync commits it
        disk.crash();
        assert!(!exists("/x").await);
    });
}

#[test]
fn remove_mkdir_and_nested_creates_commit_in_order() {
    run(async {
        let disk = Disk::current();
        disk.configure(journal()).unwrap();
        disk.preload("/p/old/f", "old").unwrap();
        disk.preload("/anchor", "").unwrap();

        // Replace the tree under /p, then sync only the deepest new file.
        fs::remove_dir_all("/p").await.unwrap();
        fs::create_dir_all("/p/a/b").await.unwrap();
        let f = File::create("/p/a/b/f").await.unwrap();
        f.write_all_at(b"new", 0).await.unwrap();
        f.sync_all().await.unwrap();
        // After the sync: a directory and a file in it, then a removal.
        fs::create_dir("/p/a/c").await.unwrap();
        fs::write("/p/a/c/g", "").await.unwrap();
        fs::remove_file("/anchor").await.unwrap();
        disk.crash();
        // Every parent of the synced file, none of the later changes, and
        // nothing of the old tree.
        let committed = ["/anchor", "/p/", "/p/a/", "/p/a/b/", "/p/a/b/f"];
        assert_eq!(tree().await, committed);
        assert_eq!(fs::read("/p/a/b/f").await.unwrap(), b"new");

        // Under Strict the same steps leave the tree as it was.
        disk.configure(DiskConfig::new()).unwrap();
        fs::remove_dir_all("/p").await.unwrap();
        fs::create_dir_all("/q/a").await.unwrap();
        let f = File::create("/q/a/f").await.unwrap();
        f.sync_all().await.unwrap();
        disk.crash();
        assert_eq!(tree().await, committed);
    });
}

/// A case of a test table: its name and the async step it runs.
type Case = (
    &'static str,
    fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>,
);

#[test]
fn a_sync_of_something_unchanged_since_the_last_commit_commits_nothing() {
    run(async {
        let disk = Disk::current();
        disk.configure(journal()).unwrap();
        disk.preload("/logs/app.log", "").unwrap();
        disk.preload("/data/x", "").unwrap();
        let log = open_log().await;
        // Linux forces the journal only up to the synced inode's last
        // change: an untouched file or directory forces nothing.
        fs::rename("/data/x", "/data/y").await.unwrap();
        log.sync_all().await.unwrap();
        log.sync_data().await.unwrap();
        fs::sync_dir("/logs").await.unwrap();
        disk.crash();
        assert_eq!(
            tree().await,
            ["/data/", "/data/x", "/logs/", "/logs/app.log"]
        );

        // Written (or truncated) since, it commits; so does a directory
        // whose entries changed, and a file that was renamed.
        let cases: [Case; 4] = [
            ("a write", || {
                Box::pin(async {
                    let log = open_log().await;
                    log.write_all_at(b"1", 0).await.unwrap();
                    log.sync_data().await.unwrap();
                })
            }),
            ("a truncate", || {
                Box::pin(async {
                    let log = open_log().await;
                    log.set_len(7).await.unwrap();
                    log.sync_all().await.unwrap();
                })
            }),
            ("a directory's entry", || {
                Box::pin(async {
                    fs::write("/logs/new", "").await.unwrap();
                    fs::sync_dir("/logs").await.unwrap();
                })
            }),
            ("the renamed file", || {
                Box::pin(async {
                    let y = File::open("/data/y").await.unwrap();
                    y.sync_all().await.unwrap();
                })
            }),
        ];
        for (what, sync) in cases {
            fs::rename("/data/x", "/data/y").await.unwrap();
            sync().await;
            disk.crash();
            assert!(exists("/data/y").await, "{what} commits the rename");
            fs::rename("/data/y", "/data/x").await.unwrap();
            fs::sync_dir("/data").await.unwrap();
            disk.crash();
            assert!(exists("/data/x").await, "{what}: undone for the next case");
        }
    });
}

/// Random namespace changes in three directories and syncs of random
/// files just written, then a crash: what is left is exactly the tree as
/// it was at the last successful sync.
#[test]
fn a_crash_leaves_the_tree_as_it_was_at_the_last_sync_100_seeds() {
    let mut lost_changes = 0;
    for seed in 0..100 {
        let mut sim = Sim::builder().seed(seed).build();
        lost_changes += sim
            .run(async {
                Disk::current().configure(journal()).unwrap();
                Disk::current().preload("/anchor", "").unwrap();
                let dirs = ["/a", "/a/b", "/c"];
                let pick = || {
                    let d = dirs[rand::gen_range(0..dirs.len())];
                    (d, format!("{d}/f{}", rand::gen_range(0..3)))
                };
                let mut at_sync = tree().await;
                let mut changed = false;
                for _ in 0..rand::gen_range(1..60) {
                    let ((d, name), (_, other)) = (pick(), pick());
                    let op = rand::gen_range(0..6);
                    let ok = match op {
                        0 => fs::create_dir_all(d).await.is_ok(),
                        1 => fs::write(&name, "x").await.is_ok(),
                        2 => fs::rename(&name, &other).await.is_ok(),
                        3 => fs::remove_file(&name).await.is_ok(),
                        4 => fs::remove_dir_all(d).await.is_ok(),
                        // A sync of a file just written (one changed since
                        // the last commit, so the sync commits).
                        _ => {
                            let f = match File::options().write(true).open(&name).await {
                                Ok(f) => f,
                                Err(_) => File::create("/anchor").await.unwrap(),
                            };
                            f.write_all_at(b"s", 0).await.unwrap();
                            f.sync_all().await.is_ok()
                        }
                    };
                    if op == 5 {
                        assert!(ok, "no sync fails here");
                        at_sync = tree().await;
                        changed = false;
                    } else {
                        changed |= ok;
                    }
                }
                let live = tree().await;
                Disk::current().crash();
                assert_eq!(tree().await, at_sync, "live before the crash: {live:?}");
                u32::from(changed)
            })
            .unwrap();
    }
    assert!(lost_changes > 50, "crashes lost changes: {lost_changes}");
}

#[test]
fn a_failed_sync_commits_nothing_and_the_next_sync_commits_it_all() {
    run(async {
        let disk = Disk::current();
        disk.configure(journal()).unwrap();
        disk.preload("/logs/app.log", "").unwrap();
        let log = open_log().await;
        let f = File::create("/seg").await.unwrap();
        f.write_all_at(b"lost", 0).await.unwrap();
        fs::rename("/logs/app.log", "/logs/app.old").await.unwrap();

        disk.configure(journal().sync_error(1.0)).unwrap();
        assert!(f.sync_all().await.is_err());
        assert!(log.sync_data().await.is_err());
        assert!(fs::sync_dir("/").await.is_err());
        disk.configure(journal()).unwrap();
        disk.crash();
        assert_eq!(tree().await, ["/logs/", "/logs/app.log"], "no commit");

        // The journal outlives a failed sync: the next sync commits it.
        let f = File::create("/seg").await.unwrap();
        f.write_all_at(b"lost", 0).await.unwrap();
        fs::rename("/logs/app.log", "/logs/app.old").await.unwrap();
        disk.configure(journal().sync_error(1.0)).unwrap();
        assert!(f.sync_all().await.is_err()); // drops the data, commits nothing
        disk.configure(journal()).unwrap();
        fs::sync_dir("/logs").await.unwrap();
        disk.crash();
        assert_eq!(tree().await, ["/logs/", "/logs/app.old", "/seg"]);
        // The name is committed; the failed sync's data is lost, as in
        // every mode (fsyncgate), and nothing synced /seg since.
        assert_eq!(fs::read("/seg").await.unwrap(), b"");
    });
}

#[test]
fn a_change_keeps_the_rule_of_the_mode_it_was_made_under() {
    run(async {
        let disk = Disk::current();
        disk.preload("/logs/app.log", "").unwrap();
        let log = open_log().await;
        fs::write("/strict", "").await.unwrap(); // made under Strict
        disk.configure(journal()).unwrap();
        log.sync_data().await.unwrap(); // commits the journal: /strict is not in it
        disk.crash();
        assert!(!exists("/strict").await);

        let log = open_log().await;
        fs::write("/strict", "").await.unwrap();
        fs::sync_dir("/").await.unwrap(); // its directory's sync still works
        fs::write("/journaled", "").await.unwrap(); // made under Journal
        disk.configure(DiskConfig::new()).unwrap(); // back to Strict: dropped
        log.sync_data().await.unwrap();
        disk.crash();
        assert_eq!(tree().await, ["/logs/", "/logs/app.log", "/strict"]);
    });
}

// ------------------------------------------------------------ determinism

/// Two nodes create, write, sync, rename and remove on disks with every
/// fault on (write and sync errors, torn and reordered writes, latency);
/// one is killed at a drawn time and restarted.
async fn busy(namespace: Namespace) -> Vec<DiskStats> {
    let us = Duration::from_micros;
    Disk::set_default(
        DiskConfig::new()
            .write_error(0.05)
            .sync_error(0.1)
            .latency(Latency::uniform(us(1), us(100)))
            .sync_latency(Latency::uniform(us(50), us(500)))
            .torn_writes(true)
            .reorder_writes(rand::gen_bool(0.5))
            .namespace(namespace),
    )
    .unwrap();
    let work = || async {
        let me = Node::current().name();
        let _ = fs::create_dir("/d").await;
        let _ = fs::create_dir("/other").await;
        for i in 0..30u32 {
            let seg = format!("/d/seg{}", i % 4);
            if let Ok(f) = File::create(&seg).await {
                // Over a sector (512 bytes): a crash can tear it.
                let record = format!("{me} {i} ").repeat(120);
                let _ = f.write_all_at(record.as_bytes(), 0).await;
                if i % 3 == 0 {
                    let _ = f.sync_all().await;
                }
            }
            if i % 4 == 1 {
                let _ = fs::rename(&seg, format!("/other/moved{i}")).await;
            }
            if i % 7 == 2 {
                let _ = fs::remove_dir_all("/other").await;
                let _ = fs::create_dir_all(format!("/other/n{i}")).await;
            }
            if i % 5 == 4 {
                let _ = fs::sync_dir("/d").await;
            }
        }
    };
    let a = Node::builder("a").init(work).build();
    let b = Node::builder("b").init(work).build();
    time::sleep(Duration::from_micros(rand::gen_range(0..3000))).await;
    a.kill();
    a.restart();
    time::sleep(Duration::from_millis(50)).await;
    a.kill();
    b.kill();
    vec![Disk::of(&a).stats(), Disk::of(&b).stats()]
}

/// `busy(Strict)` and `busy(Relaxed)` under seeds 0..4: the fingerprints
/// recorded on main before `Namespace::Journal` existed.
const BEFORE_JOURNAL: [(u64, u64); 4] = [
    (0x85c7470c7f4b7104, 0x2ada0af04f4e9a5a),
    (0x14d500c462b4a875, 0x9de4e1116478df98),
    (0x943a406eb4471522, 0x33d9e60a04b87cba),
    (0x142028c83e389823, 0x7494b9bc7c3dab93),
];

#[test]
fn strict_and_relaxed_runs_are_the_runs_they_were_before_journal() {
    for (seed, &(strict, relaxed)) in (0..).zip(&BEFORE_JOURNAL) {
        for (namespace, before) in [(Namespace::Strict, strict), (Namespace::Relaxed, relaxed)] {
            let mut sim = Sim::builder().seed(seed).build();
            sim.run(busy(namespace)).unwrap();
            let now = sim.fingerprint().as_u64();
            assert_eq!(now, before, "seed {seed}, {namespace:?}: {now:#x}");
        }
    }
}

#[test]
fn journal_with_faults_on_same_seed_same_run_100_seeds() {
    let runs = common::run_each_seed_twice(0..100, || busy(Namespace::Journal));
    let faults: u64 = runs
        .iter()
        .flat_map(|(_, stats)| stats)
        .map(|s| s.faults.total())
        .sum();
    assert!(faults > 100, "the faults fired ({faults})");
    let torn: u64 = runs
        .iter()
        .flat_map(|(_, stats)| stats)
        .map(|s| s.faults.torn_writes)
        .sum();
    assert!(torn > 10, "crashes tore writes ({torn})");
    let distinct: std::collections::BTreeSet<_> = runs.iter().map(|(f, _)| *f).collect();
    assert_eq!(distinct.len(), runs.len(), "every seed is a different run");
}

// ------------------------------------------- a WAL that relies on ext4

/// One record: its sequence number and a check word.
const RECORD: usize = 16;
const PER_SEGMENT: u64 = 4;

fn record(seq: u64) -> [u8; RECORD] {
    let mut r = [0; RECORD];
    r[..8].copy_from_slice(&seq.to_le_bytes());
    r[8..].copy_from_slice(&(seq ^ 0x5eed_f00d_cafe_d00d).to_le_bytes());
    r
}

/// The valid records at the start of a segment.
fn records(data: &[u8]) -> Vec<u64> {
    data.chunks_exact(RECORD)
        .map(|r| {
            let seq = u64::from_le_bytes(r[..8].try_into().unwrap());
            let check = u64::from_le_bytes(r[8..].try_into().unwrap());
            (seq, check == seq ^ 0x5eed_f00d_cafe_d00d)
        })
        .take_while(|&(_, valid)| valid)
        .map(|(seq, _)| seq)
        .collect()
}

#[derive(Default)]
struct Wal {
    /// Sequence numbers acknowledged as durable.
    acked: Vec<u64>,
    /// What each recovery found.
    recovered: Vec<Vec<u64>>,
}

/// A writer written for ext4: each segment is a new file, records are
/// appended and acknowledged after the file's `sync_data`; it never syncs
/// the directory. Recovery reads every segment in order. A failed sync is
/// fatal until the node restarts.
async fn wal_writer(wal: Rc<RefCell<Wal>>) {
    let mut found = Vec::new();
    let mut segment = 0;
    for e in fs::read_dir("/wal").await.unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        if let Some(n) = name.strip_prefix("seg-") {
            let n: u64 = n.parse().unwrap();
            found.extend(records(&fs::read(format!("/wal/{name}")).await.unwrap()));
            segment = segment.max(n + 1);
        }
    }
    let mut next = found.last().map_or(0, |s| s + 1);
    wal.borrow_mut().recovered.push(found);
    loop {
        // Zero-padded: the listing's order is the segments' order.
        let f = File::create(format!("/wal/seg-{segment:06}"))
            .await
            .unwrap();
        for i in 0..PER_SEGMENT {
            f.write_all_at(&record(next), i * RECORD as u64)
                .await
                .unwrap();
            if f.sync_data().await.is_err() {
                std::future::pending::<()>().await;
            }
            wal.borrow_mut().acked.push(next);
            next += 1;
        }
        segment += 1;
    }
}

/// One run: the writer is killed at three drawn times and recovers; every
/// acknowledged record must be found.
fn wal_run(seed: u64, namespace: Namespace) -> Result<usize, Failure> {
    Sim::builder().seed(seed).build().run(async move {
        let us = Duration::from_micros;
        Disk::set_default(
            DiskConfig::new()
                .namespace(namespace)
                .torn_writes(true)
                .sync_error(0.02)
                .latency(Latency::uniform(us(5), us(50)))
                .sync_latency(Latency::uniform(us(100), us(1000))),
        )
        .unwrap();
        let wal = Rc::new(RefCell::new(Wal::default()));
        let w = wal.clone();
        let node = Node::builder("wal")
            .init(move || wal_writer(w.clone()))
            .build();
        Disk::of(&node).preload("/wal/.keep", "").unwrap();
        for _ in 0..3 {
            time::sleep(us(rand::gen_range(0..10_000))).await;
            node.kill();
            let acked = wal.borrow().acked.clone();
            let boots = wal.borrow().recovered.len();
            node.restart();
            while wal.borrow().recovered.len() == boots {
                time::sleep(us(10)).await;
            }
            let found = wal.borrow().recovered.last().unwrap().clone();
            for seq in &acked {
                assert!(
                    found.contains(seq),
                    "acknowledged record {seq} was lost ({} acknowledged, {} found)",
                    acked.len(),
                    found.len()
                );
            }
            let expect: Vec<u64> = (0..found.len() as u64).collect();
            assert_eq!(found, expect, "records are whole and in order");
        }
        node.kill();
        wal.borrow().acked.len()
    })
}

#[test]
fn a_wal_that_never_syncs_its_directory_is_broken_under_strict() {
    let failing = (0..200).find_map(|seed| wal_run(seed, Namespace::Strict).err());
    let failure = failing.expect("the sweep finds the lost segment");
    assert!(failure.is_panic(), "{failure}");
    assert!(
        failure.message().contains("acknowledged record"),
        "{}",
        failure.message()
    );
}

#[test]
fn the_same_wal_survives_200_seeds_of_crashes_under_journal() {
    let mut acked = 0;
    for seed in 0..200 {
        match wal_run(seed, Namespace::Journal) {
            Ok(n) => acked += n,
            Err(f) => panic!("seed {seed}: {f}"),
        }
    }
    assert!(acked > 200 * 10, "records were acknowledged: {acked}");
}

// ------------------------------------------------- review fixes (edge cases)

#[test]
fn a_sync_reporting_an_earlier_failure_commits_nothing() {
    for journal_error in [0.0, 1.0] {
        run(async move {
            let disk = Disk::current();
            disk.configure(journal()).unwrap();
            disk.preload("/log", "").unwrap();
            let a = File::options().write(true).open("/log").await.unwrap();
            let b = File::options().write(true).open("/log").await.unwrap();
            a.write_all_at(b"a", 0).await.unwrap();
            disk.configure(journal().sync_error(1.0)).unwrap();
            assert!(a.sync_all().await.is_err());
            disk.configure(journal().journal_error(journal_error))
                .unwrap();
            fs::write("/new", "n").await.unwrap();
            b.write_all_at(b"b", 1).await.unwrap();
            // b was open at a's failure: its sync reports it (errseq),
            // before the journal, as ext4's fsync does.
            let e = b.sync_all().await.unwrap_err();
            assert!(!e.to_string().contains("journal aborted"), "{e}");
            assert_eq!(disk.stats().faults.journal_aborts, 0);
            disk.crash();
            assert!(!exists("/new").await, "committed by an erroring sync");
        });
    }
}

#[test]
fn switching_the_default_namespace_acts_at_once_whatever_touches_the_disk() {
    let survives = |look: bool| {
        run(async move {
            let disk = Disk::current();
            Disk::set_default(journal()).unwrap();
            disk.preload("/log", "").unwrap();
            fs::write("/x", "x").await.unwrap(); // journaled, not committed
            Disk::set_default(DiskConfig::new()).unwrap(); // dropped back to Strict's rule
            if look {
                let _ = disk.stats(); // must change nothing
            }
            Disk::set_default(journal()).unwrap();
            let log = File::options().write(true).open("/log").await.unwrap();
            log.write_all_at(b"1", 0).await.unwrap();
            log.sync_all().await.unwrap(); // commits the journal: /x is not in it
            disk.crash();
            exists("/x").await
        })
    };
    assert!(!survives(false));
    assert!(!survives(true));
}

#[test]
fn an_empty_write_changes_nothing_and_an_open_that_truncates_does() {
    run(async {
        let disk = Disk::current();
        disk.configure(journal()).unwrap();
        disk.preload("/a", "").unwrap();
        let a = File::options().write(true).open("/a").await.unwrap();
        fs::rename("/a", "/b").await.unwrap(); // touches /a's inode
        a.write_all_at(b"1", 0).await.unwrap();
        a.sync_all().await.unwrap(); // commits the rename
        fs::write("/new", "n").await.unwrap();
        assert_eq!(a.write_at(b"", 0).await.unwrap(), 0);
        a.sync_all().await.unwrap(); // nothing written: nothing to commit
        disk.crash();
        assert!(!exists("/new").await, "an empty write made the sync commit");

        // Opening an empty file with truncate changes it (its times).
        disk.preload("/e", "").unwrap();
        fs::write("/new", "n").await.unwrap();
        let e = File::create("/e").await.unwrap(); // truncates, was empty
        e.sync_all().await.unwrap();
        disk.crash();
        assert!(exists("/new").await);
    });
}
