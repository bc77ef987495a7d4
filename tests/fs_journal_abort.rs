//! `DiskConfig::journal_error` under `Namespace::Journal`: a failed
//! journal commit aborts the journal and the disk turns read-only (ext4's
//! `errors=remount-ro`) until it crashes (a node restart, `Disk::crash`),
//! which loses every change not committed before the abort.

mod common;

use std::cell::RefCell;
use std::future::Future;
use std::io::{self, ErrorKind};
use std::pin::Pin;
use std::rc::Rc;
use std::time::Duration;

use detsim::fs::Latency;
use detsim::fs::{self, Disk, DiskConfig, DiskStats, File, Namespace};
use detsim::node::Node;
use detsim::{Failure, Sim, rand, time};

fn run<T>(f: impl Future<Output = T>) -> T {
    Sim::builder().build().run(f).unwrap()
}

fn journal() -> DiskConfig {
    DiskConfig::new().namespace(Namespace::Journal)
}

/// Every commit fails.
fn aborting() -> DiskConfig {
    journal().journal_error(1.0)
}

/// Every path under the root, sorted, directories with a trailing slash.
async fn tree() -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![String::from("/")];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).await.unwrap() {
            let e = e.unwrap();
            let p = e.path().to_string_lossy().into_owned();
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

// ------------------------------------------------- the abort, read-only

type Op = Pin<Box<dyn Future<Output = io::Result<()>>>>;

/// Every operation that changes the disk, each named.
fn changes() -> Vec<(&'static str, Op)> {
    fn op(f: impl Future<Output = io::Result<()>> + 'static) -> Op {
        Box::pin(f)
    }
    vec![
        ("fs::write", op(fs::write("/data/x", "x"))),
        (
            "File::create",
            op(async { File::create("/data/x").await.map(drop) }),
        ),
        (
            "File::create_new",
            op(async { File::create_new("/x").await.map(drop) }),
        ),
        (
            "open for write",
            op(async {
                File::options()
                    .write(true)
                    .open("/data/old")
                    .await
                    .map(drop)
            }),
        ),
        (
            "open to append",
            op(async {
                File::options()
                    .append(true)
                    .open("/data/old")
                    .await
                    .map(drop)
            }),
        ),
        ("create_dir", op(fs::create_dir("/d"))),
        ("create_dir_all", op(fs::create_dir_all("/data/d/e"))),
        ("rename", op(fs::rename("/data/old", "/data/older"))),
        ("remove_file", op(fs::remove_file("/data/old"))),
        ("remove_dir", op(fs::remove_dir("/empty"))),
        ("remove_dir_all", op(fs::remove_dir_all("/data"))),
        ("sync_dir", op(fs::sync_dir("/data"))),
        (
            "sync of a read-only handle",
            op(async { File::open("/data/old").await?.sync_all().await }),
        ),
    ]
}

#[test]
fn a_failed_commit_aborts_the_journal_and_every_change_fails_read_only() {
    run(async {
        let disk = Disk::current();
        disk.preload("/data/old", "committed").unwrap();
        disk.preload("/empty/.keep", "").unwrap();
        fs::remove_file("/empty/.keep").await.unwrap();
        fs::sync_dir("/empty").await.unwrap();
        // A handle opened before the abort, for write.
        let mut old = File::options()
            .read(true)
            .write(true)
            .open("/data/old")
            .await
            .unwrap();
        disk.configure(aborting()).unwrap();
        time::sleep(Duration::from_millis(1500)).await;

        let mut f = File::create("/data/new").await.unwrap();
        f.write_all(b"record").await.unwrap();
        let abort = f.sync_all().await.unwrap_err();
        assert_eq!(abort.kind(), ErrorKind::Other, "EIO, as ext4's fsync");
        insta::assert_snapshot!("abort", abort.to_string());
        assert_eq!(disk.stats().faults.journal_aborts, 1);
        assert_eq!(disk.stats().faults.total(), 1);

        // Every change now fails with EROFS: through the handles...
        let mut kinds = vec![
            ("write", f.write_all(b"more").await.unwrap_err().kind()),
            ("write_at", old.write_at(b"x", 0).await.unwrap_err().kind()),
            ("set_len", old.set_len(0).await.unwrap_err().kind()),
            ("sync_all", f.sync_all().await.unwrap_err().kind()),
            ("sync_data", old.sync_data().await.unwrap_err().kind()),
        ];
        let erofs = old.sync_data().await.unwrap_err();
        // ...and every other call that changes the disk.
        for (what, op) in changes() {
            kinds.push((what, op.await.unwrap_err().kind()));
        }
        for (what, kind) in kinds {
            assert_eq!(kind, ErrorKind::ReadOnlyFilesystem, "{what}");
        }
        assert_eq!(
            disk.preload("/p", "").unwrap_err().kind(),
            ErrorKind::ReadOnlyFilesystem,
            "preload, which would commit the journal"
        );
        insta::assert_snapshot!("read_only", erofs.to_string());
        assert_eq!(disk.stats().faults.journal_aborts, 1, "one abort");

        // Reads see the live state (the page cache), pre-abort.
        assert_eq!(fs::read("/data/new").await.unwrap(), b"record");
        let mut text = String::new();
        old.read_to_string(&mut text).await.unwrap();
        assert_eq!(text, "committed");
        assert_eq!(fs::metadata("/data/new").await.unwrap().len(), 6);
        assert_eq!(
            tree().await,
            ["/data/", "/data/new", "/data/old", "/empty/"]
        );
        // As on Linux, a name is looked up before it is refused.
        let exists = fs::create_dir("/data").await.unwrap_err();
        assert_eq!(exists.kind(), ErrorKind::AlreadyExists);
        fs::create_dir_all("/data").await.unwrap();
    });
}

// --------------------------------------------------------- mounted again

#[test]
fn a_restart_mounts_the_disk_again_with_only_the_committed_changes() {
    run(async {
        let db = Node::builder("db").build();
        let disk = Disk::of(&db);
        disk.preload("/db/base", "base").unwrap();
        disk.configure(journal()).unwrap();
        db.spawn(async {
            let f = File::create("/db/committed").await.unwrap();
            f.write_all_at(b"kept", 0).await.unwrap();
            f.sync_all().await.unwrap(); // commits: no fault configured
            Disk::current().configure(aborting()).unwrap();
            fs::rename("/db/base", "/db/renamed").await.unwrap();
            let g = File::create("/db/lost").await.unwrap();
            g.write_all_at(b"lost", 0).await.unwrap();
            assert!(g.sync_data().await.is_err(), "the commit fails");
            let e = fs::write("/db/after", "x").await.unwrap_err();
            assert_eq!(e.kind(), ErrorKind::ReadOnlyFilesystem);
        })
        .await
        .unwrap();

        db.restart(); // kill (a crash of its disk), then up again
        let after = db
            .spawn(async {
                let found = tree().await;
                // Writable again: a commit still fails (journal_error is
                // still 1.0), but a write and a sync that commits nothing
                // (of a file unchanged since the last commit) work.
                let f = File::options().write(true).open("/db/committed").await;
                let f = f.unwrap();
                f.write_all_at(b"KEPT", 0).await.unwrap();
                let base = File::open("/db/base").await.unwrap();
                base.sync_all().await.unwrap(); // unchanged: no commit, no draw
                found
            })
            .await
            .unwrap();
        assert_eq!(after, ["/db/", "/db/base", "/db/committed"]);
        assert_eq!(disk.stats().faults.journal_aborts, 1);

        // Disk::crash mounts it again too.
        db.spawn(async {
            let disk = Disk::current();
            fs::write("/db/next", "n").await.unwrap();
            assert!(fs::sync_dir("/db").await.is_err(), "aborts");
            disk.crash();
            disk.configure(journal()).unwrap();
            let f = File::create("/db/next").await.unwrap();
            f.write_all_at(b"n", 0).await.unwrap();
            f.sync_all().await.unwrap();
            disk.crash();
            // The overwrite after the restart was never synced.
            assert_eq!(fs::read("/db/committed").await.unwrap(), b"kept");
            assert_eq!(fs::read("/db/next").await.unwrap(), b"n");
            assert_eq!(disk.stats().faults.journal_aborts, 2);
        })
        .await
        .unwrap();
    });
}

// ------------------------------------------------------- configuration

#[test]
fn a_journal_error_out_of_range_or_without_a_journal_is_refused_with_the_fix() {
    let bad = [
        journal().journal_error(1.5),
        journal().journal_error(-0.1),
        journal().journal_error(f64::NAN),
        DiskConfig::new().journal_error(0.1),
        DiskConfig::new()
            .namespace(Namespace::Relaxed)
            .journal_error(1.0),
    ];
    let messages = run(async move {
        let disk = Disk::current();
        let mut messages = Vec::new();
        for config in bad {
            let err = disk.configure(config).unwrap_err();
            assert_eq!(err.setting(), "journal_error");
            assert_eq!(Disk::set_default(config).unwrap_err(), err);
            messages.push(err.to_string());
        }
        assert_eq!(disk.config(), DiskConfig::new(), "nothing changed");
        // Off is fine with any namespace.
        disk.configure(DiskConfig::new().journal_error(0.0))
            .unwrap();
        disk.configure(journal().journal_error(0.3)).unwrap();
        messages
    });
    insta::assert_snapshot!(messages.join("\n"));
}

// ------------------------------------------------------------ determinism

/// A key-value store on two nodes: each put writes a temporary file,
/// syncs it and renames it over the key's file; some puts remove a key,
/// some sync the directory. Every error is ignored. Node `a` is killed
/// and restarted at a drawn time, then both are killed.
async fn store(config: DiskConfig) -> Vec<DiskStats> {
    let us = Duration::from_micros;
    Disk::set_default(
        config
            .write_error(0.03)
            .sync_error(0.05)
            .latency(Latency::uniform(us(1), us(80)))
            .sync_latency(Latency::uniform(us(40), us(400)))
            .torn_writes(true),
    )
    .unwrap();
    let puts = || async {
        let _ = fs::create_dir_all("/kv").await;
        let _ = fs::sync_dir("/").await;
        for i in 0..40u32 {
            let key = rand::gen_range(0..5u32);
            let tmp = format!("/kv/.tmp{key}");
            if let Ok(f) = File::create(&tmp).await {
                let value = format!("{key}={i};").repeat(90);
                let _ = f.write_all_at(value.as_bytes(), 0).await;
                let _ = f.sync_data().await;
            }
            let _ = fs::rename(&tmp, format!("/kv/{key}")).await;
            match i % 6 {
                2 => drop(fs::remove_file(format!("/kv/{}", (key + 1) % 5)).await),
                5 => drop(fs::sync_dir("/kv").await),
                _ => {}
            }
        }
    };
    let a = Node::builder("a").init(puts).build();
    let b = Node::builder("b").init(puts).build();
    time::sleep(us(rand::gen_range(0..4000))).await;
    a.kill();
    a.restart();
    time::sleep(Duration::from_millis(40)).await;
    a.kill();
    b.kill();
    vec![Disk::of(&a).stats(), Disk::of(&b).stats()]
}

/// `store` under seeds 0..4, Strict and Journal: the fingerprints
/// recorded on main before `journal_error` existed.
const BEFORE_JOURNAL_ERROR: [(u64, u64); 4] = [
    (0x2ebe0e1b8374205, 0x2ebe0e1b8374205),
    (0xf46d1e195c691171, 0xa94ecd777c14e380),
    (0x7f898978b4795e5, 0xdf73f245cd7cef80),
    (0x4b30e10e64828832, 0x2b862c2189b77793),
];

#[test]
fn runs_without_journal_error_are_the_runs_they_were_before_it() {
    for (seed, &(strict, journaled)) in (0..).zip(&BEFORE_JOURNAL_ERROR) {
        for (config, before) in [
            (DiskConfig::new(), strict),
            (journal(), journaled),
            (journal().journal_error(0.0), journaled),
        ] {
            let mut sim = Sim::builder().seed(seed).build();
            let stats = sim.run(store(config)).unwrap();
            let now = sim.fingerprint().as_u64();
            assert_eq!(now, before, "seed {seed}, {config:?}: {now:#x}");
            assert!(stats.iter().all(|s| s.faults.journal_aborts == 0));
        }
    }
}

#[test]
fn journal_aborts_with_other_faults_same_seed_same_run_100_seeds() {
    let runs = common::run_each_seed_twice(0..100, || store(journal().journal_error(0.05)));
    let aborts: u64 = runs
        .iter()
        .flat_map(|(_, stats)| stats)
        .map(|s| s.faults.journal_aborts)
        .sum();
    assert!(aborts > 50, "journal commits failed ({aborts})");
    let other: u64 = runs
        .iter()
        .flat_map(|(_, stats)| stats)
        .map(|s| s.faults.sync_errors + s.faults.write_errors)
        .sum();
    assert!(other > 100, "the other faults fired too ({other})");
    let distinct: std::collections::BTreeSet<_> = runs.iter().map(|(f, _)| *f).collect();
    assert_eq!(distinct.len(), runs.len(), "every seed is a different run");
}

// ------------------------------------- a log that must survive the abort

/// A record: its sequence number and a check word.
fn record(seq: u64) -> [u8; 16] {
    let mut r = [0; 16];
    r[..8].copy_from_slice(&seq.to_le_bytes());
    r[8..].copy_from_slice(&(seq ^ 0xab07_ab07_ab07_ab07).to_le_bytes());
    r
}

fn is_record(data: &[u8], seq: u64) -> bool {
    data == record(seq)
}

#[derive(Default)]
struct Log {
    /// Sequence numbers acknowledged as durable.
    acked: Vec<u64>,
    /// What each recovery found.
    recovered: Vec<Vec<u64>>,
    /// The running incarnation stopped at an error (careful only).
    stopped: bool,
}

/// A log written for ext4: each record is a new file `/log/{seq}`,
/// created, written and `sync_data`ed (which commits its name), then
/// acknowledged. Recovery reads the records in order. `careful`: an error
/// is fatal until the node restarts; else (the planted bug) it is
/// ignored and the record acknowledged anyway.
async fn logger(log: Rc<RefCell<Log>>, careful: bool) {
    let mut found = Vec::new();
    while let Ok(data) = fs::read(format!("/log/{:06}", found.len())).await {
        let seq = found.len() as u64;
        assert!(is_record(&data, seq), "record {seq} is whole");
        found.push(seq);
    }
    let mut next = found.len() as u64;
    log.borrow_mut().recovered.push(found);
    log.borrow_mut().stopped = false;
    loop {
        let written = async {
            let f = File::create(format!("/log/{next:06}")).await?;
            f.write_all_at(&record(next), 0).await?;
            f.sync_data().await
        };
        if written.await.is_err() && careful {
            log.borrow_mut().stopped = true;
            std::future::pending::<()>().await;
        }
        log.borrow_mut().acked.push(next);
        next += 1;
    }
}

/// One run: the logger is killed at three drawn times and recovers; every
/// acknowledged record must be found. Returns (acknowledged, aborts,
/// incarnations after one that stopped at an error that acknowledged
/// records: the restart made the disk writable again).
fn log_run(seed: u64, careful: bool) -> Result<(usize, u64, u32), Failure> {
    Sim::builder().seed(seed).build().run(async move {
        let us = Duration::from_micros;
        Disk::set_default(
            journal()
                .journal_error(0.05)
                .latency(Latency::uniform(us(5), us(50)))
                .sync_latency(Latency::uniform(us(100), us(1000))),
        )
        .unwrap();
        let log = Rc::new(RefCell::new(Log::default()));
        let l = log.clone();
        let node = Node::builder("log")
            .init(move || logger(l.clone(), careful))
            .build();
        Disk::of(&node).preload("/log/.keep", "").unwrap();
        let (mut after_stop, mut resumed) = (false, 0);
        for _ in 0..3 {
            let acked_before = log.borrow().acked.len();
            time::sleep(us(rand::gen_range(0..20_000))).await;
            node.kill();
            let acked = log.borrow().acked.clone();
            if after_stop && acked.len() > acked_before {
                resumed += 1;
            }
            after_stop = log.borrow().stopped;
            let boots = log.borrow().recovered.len();
            node.restart();
            while log.borrow().recovered.len() == boots {
                time::sleep(us(10)).await;
            }
            let found = log.borrow().recovered.last().unwrap().clone();
            for seq in &acked {
                assert!(
                    found.contains(seq),
                    "acknowledged record {seq} was lost ({} acknowledged, {} found)",
                    acked.len(),
                    found.len()
                );
            }
        }
        node.kill();
        let aborts = Disk::of(&node).stats().faults.journal_aborts;
        (log.borrow().acked.len(), aborts, resumed)
    })
}

#[test]
fn a_log_that_acknowledges_after_a_failed_commit_is_caught_by_a_seed_sweep() {
    let failing = (0..200).find_map(|seed| log_run(seed, false).err());
    let failure = failing.expect("the sweep finds the lost record");
    assert!(failure.is_panic(), "{failure}");
    assert!(
        failure.message().contains("acknowledged record"),
        "{}",
        failure.message()
    );
}

#[test]
fn a_log_that_treats_the_abort_as_fatal_survives_200_seeds() {
    let (mut acked, mut aborts, mut resumed) = (0, 0, 0);
    for seed in 0..200 {
        match log_run(seed, true) {
            Ok((n, a, r)) => {
                acked += n;
                aborts += a;
                resumed += r;
            }
            Err(f) => panic!("seed {seed}: {f}"),
        }
    }
    assert!(aborts > 100, "journal commits failed: {aborts}");
    assert!(
        resumed > 100,
        "restarted after an abort, it acknowledged again: {resumed}"
    );
    assert!(acked > 200 * 10, "records were acknowledged: {acked}");
}

#[test]
fn appending_to_an_existing_file_and_syncing_it_commits_and_can_abort() {
    run(async {
        let disk = Disk::current();
        disk.preload("/wal", "").unwrap();
        disk.configure(aborting()).unwrap();
        let mut f = File::options().append(true).open("/wal").await.unwrap();
        f.write_all(b"record").await.unwrap();
        // No namespace change waits: the commit carries the file's size.
        let e = f.sync_all().await.unwrap_err();
        assert!(e.to_string().contains("journal aborted"), "{e}");
        assert_eq!(disk.stats().faults.journal_aborts, 1);
    });
}

#[test]
fn on_a_read_only_disk_linux_errors_that_come_first_still_come_first() {
    run(async {
        let disk = Disk::current();
        disk.preload("/dir/file", "data").unwrap();
        disk.configure(aborting()).unwrap();
        fs::write("/dir/new", "x").await.unwrap();
        assert!(fs::sync_dir("/dir").await.is_err(), "the commit aborts");
        let kind = |r: io::Result<()>| r.unwrap_err().kind();
        let open = |p: &'static str, o: fn(&mut fs::OpenOptions) -> &mut fs::OpenOptions| async move {
            o(&mut File::options()).open(p).await.map(drop)
        };
        // ENOENT, EEXIST, EISDIR: the path is resolved before write access
        // is asked for.
        assert_eq!(
            kind(open("/dir/missing", |o| o.write(true)).await),
            ErrorKind::NotFound
        );
        assert_eq!(
            kind(open("/nodir/f", |o| o.write(true).create(true)).await),
            ErrorKind::NotFound
        );
        assert_eq!(
            kind(open("/dir/file", |o| o.write(true).create_new(true)).await),
            ErrorKind::AlreadyExists
        );
        assert_eq!(
            kind(open("/dir", |o| o.write(true)).await),
            ErrorKind::IsADirectory
        );
        assert_eq!(kind(fs::write("/nodir/f", "x").await), ErrorKind::NotFound);
        assert_eq!(kind(fs::remove_file("/nodir/f").await), ErrorKind::NotFound);
        assert_eq!(kind(fs::create_dir("/nodir/d").await), ErrorKind::NotFound);
        assert_eq!(
            kind(fs::rename("/nodir/a", "/dir/b").await),
            ErrorKind::NotFound
        );
        assert_eq!(
            kind(fs::rename("/dir/file", "/nodir/b").await),
            ErrorKind::NotFound,
            "the target's parent is resolved before write access too"
        );
        // Past those checks: read-only.
        for r in [
            open("/dir/file", |o| o.write(true)).await,
            open("/dir/created", |o| o.write(true).create(true)).await,
            fs::write("/dir/file", "y").await,
            fs::remove_file("/dir/missing").await, // Linux: EROFS before the name's lookup
            fs::create_dir("/dir/d").await,
            fs::rename("/dir/file", "/dir/moved").await,
        ] {
            assert_eq!(kind(r), ErrorKind::ReadOnlyFilesystem);
        }
        assert!(
            !fs::try_exists("/dir/created").await.unwrap(),
            "nothing created"
        );
        assert_eq!(
            fs::read("/dir/file").await.unwrap(),
            b"data",
            "nothing truncated"
        );
    });
}
