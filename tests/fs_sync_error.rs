//! A failed sync is Linux's (since 4.13, errseq_t writeback errors), not
//! a retryable hiccup: the changes dirty at the failure are lost on a
//! crash even when a later sync succeeds ("fsyncgate"), reads still see
//! them until the crash (the page cache), the failing call and every
//! other handle open at the failure report the error once, and changes
//! made after the failure are synced as usual. A sweep finds a WAL that
//! retries fsync on EIO losing an acknowledged record; the fail-stop fix
//! passes the same sweep.

use std::cell::RefCell;
use std::io::ErrorKind;
use std::rc::Rc;
use std::time::Duration;

use detsim::fs::Latency;
use detsim::fs::{self, Disk, DiskConfig, File, OpenOptions};
use detsim::node::Node;
use detsim::{Fingerprint, Sim, rand, sim_test, time};

fn run<T>(f: impl std::future::Future<Output = T>) -> T {
    Sim::builder().build().run(f).unwrap()
}

/// `path`, preloaded (durable) with `contents`, opened for writing.
async fn preloaded(path: &str, contents: &str) -> File {
    Disk::current().preload(path, contents).unwrap();
    OpenOptions::new().write(true).open(path).await.unwrap()
}

/// Syncs `f` with every sync failing; asserts the injected error.
async fn failing_sync(f: &File) {
    let disk = Disk::current();
    disk.configure(DiskConfig::new().sync_error(1.0)).unwrap();
    let e = f.sync_data().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Other);
    assert!(
        e.to_string().contains("injected I/O error (EIO) on sync"),
        "{e}"
    );
    disk.reset_config();
}

#[test]
fn a_sync_retried_after_eio_does_not_make_the_lost_write_durable() {
    run(async {
        let disk = Disk::current();
        let f = preloaded("/wal", "").await; // durable, empty
        f.write_all_at(b"record", 0).await.unwrap();
        failing_sync(&f).await;
        // The page cache still has the record...
        assert_eq!(fs::read("/wal").await.unwrap(), b"record");
        // ...and the retry succeeds: the error was reported once.
        f.sync_data().await.unwrap();
        assert_eq!(fs::read("/wal").await.unwrap(), b"record");
        disk.crash();
        // The size reached the disk with the retry; the bytes never did.
        assert_eq!(fs::read("/wal").await.unwrap(), [0; 6]);
        assert_eq!(disk.stats().faults.sync_errors, 1);
    });
}

#[test]
fn an_overwrite_lost_at_a_failed_sync_leaves_the_old_bytes() {
    run(async {
        let disk = Disk::current();
        let f = preloaded("/f", "old data").await;
        f.write_all_at(b"NEW", 0).await.unwrap();
        failing_sync(&f).await;
        f.sync_all().await.unwrap();
        disk.crash();
        assert_eq!(fs::read("/f").await.unwrap(), b"old data");
    });
}

#[test]
fn the_next_sync_fails_again_only_if_another_error_is_injected() {
    run(async {
        let disk = Disk::current();
        let f = preloaded("/f", "").await;
        f.write_all_at(b"x", 0).await.unwrap();
        disk.configure(DiskConfig::new().sync_error(1.0)).unwrap();
        assert!(f.sync_data().await.is_err());
        assert!(f.sync_data().await.is_err(), "a second injected error");
        disk.reset_config();
        f.sync_data().await.unwrap();
        f.sync_data().await.unwrap();
        assert_eq!(disk.stats().faults.sync_errors, 2);
    });
}

#[test]
fn writes_after_the_failed_sync_are_synced_by_the_next_sync() {
    run(async {
        let disk = Disk::current();
        let f = preloaded("/f", "").await;
        f.write_all_at(b"lost", 0).await.unwrap();
        failing_sync(&f).await;
        // Another 4 KiB block: synced normally.
        f.write_all_at(b"kept", 8192).await.unwrap();
        f.sync_data().await.unwrap();
        disk.crash();
        let data = fs::read("/f").await.unwrap();
        assert_eq!(data.len(), 8196);
        assert_eq!(&data[..4], [0; 4], "the lost write");
        assert_eq!(&data[8192..], b"kept");
    });
}

#[test]
fn a_later_write_to_the_same_block_makes_the_whole_block_durable_as_on_linux() {
    // Linux marks the failed pages clean but keeps them in the page
    // cache: a later write dirties the page again, and the next fsync
    // writes all of it, the bytes of the failed write included.
    run(async {
        let disk = Disk::current();
        let f = preloaded("/f", "").await;
        f.write_all_at(b"first ", 0).await.unwrap();
        failing_sync(&f).await;
        f.write_all_at(b"second", 6).await.unwrap();
        f.sync_data().await.unwrap();
        disk.crash();
        assert_eq!(fs::read("/f").await.unwrap(), b"first second");
    });
}

#[test]
fn a_truncation_after_a_lost_write_leaves_no_stale_bytes() {
    run(async {
        let disk = Disk::current();
        let f = preloaded("/f", "0123456789").await;
        // Zeros over the whole file (one 4 KiB block), lost...
        f.set_len(0).await.unwrap();
        f.set_len(10).await.unwrap();
        failing_sync(&f).await;
        // ...then a truncation that leaves the block alone: the disk still
        // holds "456789" past the new end, which must not come back.
        f.set_len(4).await.unwrap();
        f.sync_data().await.unwrap();
        f.set_len(10).await.unwrap(); // grows with zeros
        f.sync_data().await.unwrap();
        disk.crash();
        assert_eq!(fs::read("/f").await.unwrap(), b"0123\0\0\0\0\0\0");

        // A truncation that cuts into a block dirties it again (it zeroes
        // the block's tail, as Linux does the page's): the next sync writes
        // the whole block, the lost bytes before the cut included.
        let f = OpenOptions::new().write(true).open("/f").await.unwrap();
        f.write_all_at(b"abcdefghij", 0).await.unwrap();
        failing_sync(&f).await;
        f.set_len(4).await.unwrap();
        f.sync_data().await.unwrap();
        disk.crash();
        assert_eq!(fs::read("/f").await.unwrap(), b"abcd");
    });
}

#[test]
fn every_handle_open_at_the_failure_reports_it_once() {
    let message = run(async {
        let disk = Disk::current();
        let a = preloaded("/f", "").await;
        let b = File::open("/f").await.unwrap();
        a.write_all_at(b"x", 0).await.unwrap();
        failing_sync(&a).await;
        let late = File::open("/f").await.unwrap();
        late.sync_all().await.unwrap(); // opened after: not told
        let e = b.sync_all().await.unwrap_err(); // open at the failure: told once
        assert_eq!(e.kind(), ErrorKind::Other);
        b.sync_all().await.unwrap();
        a.sync_all().await.unwrap(); // the failing call reported it already
        fs::sync_dir("/").await.unwrap(); // a directory is another file
        assert_eq!(disk.stats().faults.sync_errors, 1, "one injected error");
        e.to_string()
    });
    insta::assert_snapshot!(message, @"/f: I/O error (EIO) on sync, reported to every handle open when an earlier sync of this file failed (DiskConfig's sync_error rate): the changes not synced then are lost on a crash even though a later sync succeeds (Linux's rule since 4.13); treat it as fatal and recover from what is durable");
}

#[test]
fn a_failed_sync_dir_loses_the_entries_dirty_at_the_failure() {
    run(async {
        let disk = Disk::current();
        disk.preload("/d/old", "x").unwrap(); // durable
        fs::write("/d/lost", "a").await.unwrap();
        fs::remove_file("/d/old").await.unwrap();
        disk.configure(DiskConfig::new().sync_error(1.0)).unwrap();
        assert!(fs::sync_dir("/d").await.is_err());
        disk.reset_config();
        fs::write("/d/kept", "b").await.unwrap();
        let f = File::open("/d/kept").await.unwrap();
        f.sync_all().await.unwrap();
        fs::sync_dir("/d").await.unwrap(); // the retry succeeds...
        assert!(!fs::try_exists("/d/old").await.unwrap());
        assert!(fs::try_exists("/d/lost").await.unwrap());
        disk.crash();
        // ...but only the entry changed after the failure is durable.
        assert!(!fs::try_exists("/d/lost").await.unwrap());
        assert!(
            fs::try_exists("/d/old").await.unwrap(),
            "the removal was lost"
        );
        assert_eq!(fs::read("/d/kept").await.unwrap(), b"b");
        // An entry changed again after the failure is synced as usual.
        fs::write("/d/again", "1").await.unwrap();
        disk.configure(DiskConfig::new().sync_error(1.0)).unwrap();
        assert!(fs::sync_dir("/d").await.is_err());
        disk.reset_config();
        fs::remove_file("/d/again").await.unwrap();
        fs::write("/d/again", "2").await.unwrap();
        File::open("/d/again")
            .await
            .unwrap()
            .sync_all()
            .await
            .unwrap();
        fs::sync_dir("/d").await.unwrap();
        disk.crash();
        assert_eq!(fs::read("/d/again").await.unwrap(), b"2");
    });
}

// ------------------------------------------------------------ determinism

/// A node appends and syncs, on a disk whose syncs fail 20% of the time,
/// and is killed at a drawn time; the disk's contents afterwards.
fn crashing_syncs(seed: u64) -> (Fingerprint, Vec<u8>, u64) {
    let mut sim = Sim::builder().seed(seed).build();
    let (contents, errors) = sim
        .run(async {
            let us = Duration::from_micros;
            Disk::set_default(
                DiskConfig::new()
                    .sync_error(0.2)
                    .torn_writes(rand::gen_bool(0.5))
                    .sync_latency(Latency::uniform(us(10), us(300))),
            )
            .unwrap();
            let node = Node::builder("n")
                .init(|| async {
                    let f = File::options()
                        .append(true)
                        .create(true)
                        .open("/log")
                        .await
                        .unwrap();
                    for i in 0..60u32 {
                        let rec = vec![i as u8; rand::gen_range(1..3000)];
                        f.write_all_at(&rec, f.metadata().await.unwrap().len())
                            .await
                            .unwrap();
                        let _ = f.sync_data().await;
                        let _ = fs::sync_dir("/").await;
                    }
                })
                .build();
            time::sleep(us(rand::gen_range(0..8000))).await;
            node.kill();
            let disk = Disk::of(&node);
            node.restart();
            let contents = node
                .spawn(async { fs::read("/log").await.unwrap_or_default() })
                .await
                .unwrap();
            node.kill();
            (contents, disk.stats().faults.sync_errors)
        })
        .unwrap();
    (sim.fingerprint(), contents, errors)
}

#[test]
fn sync_errors_and_crashes_same_seed_same_run_200_seeds() {
    let mut fingerprints = std::collections::BTreeSet::new();
    let mut errors = 0;
    for seed in 0..200 {
        let first = crashing_syncs(seed);
        assert_eq!(first, crashing_syncs(seed), "seed {seed} ran differently");
        errors += first.2;
        fingerprints.insert(first.0);
    }
    assert!(errors > 200, "sync errors fired ({errors})");
    assert!(fingerprints.len() > 190, "seeds give different runs");
}

// ---------------------------------------------------------- a planted bug

/// One record fills a 4 KiB page, as a database's page writes do: its
/// sequence number, a check word, then filler.
const RECORD: usize = 4096;
const CHECK: u64 = 0x5eed_f00d_cafe_d00d;

fn record(seq: u64) -> Vec<u8> {
    let mut r = vec![seq as u8; RECORD];
    r[..8].copy_from_slice(&seq.to_le_bytes());
    r[8..16].copy_from_slice(&(seq ^ CHECK).to_le_bytes());
    r
}

/// The sequence numbers of the valid records at the start of `data`.
fn parse(data: &[u8]) -> Vec<u64> {
    let word = |r: &[u8], i: usize| u64::from_le_bytes(r[i..i + 8].try_into().unwrap());
    data.chunks_exact(RECORD)
        .map_while(|r| (word(r, 0) ^ CHECK == word(r, 8)).then(|| word(r, 0)))
        .collect()
}

#[derive(Default)]
struct Log {
    /// Records acknowledged as durable.
    acked: Vec<u64>,
    /// What each boot recovered.
    recovered: Vec<Vec<u64>>,
}

/// Syncs; on an error, the buggy WAL retries (PostgreSQL before 2019),
/// the fixed one stops: the error is fatal, and the node's restart
/// recovers from what is durable.
async fn sync_or_stop<F: Future<Output = std::io::Result<()>>>(fixed: bool, sync: impl Fn() -> F) {
    while sync().await.is_err() {
        if fixed {
            std::future::pending::<()>().await;
        }
    }
}

/// A WAL writer: recover, then append and acknowledge forever.
async fn wal(log: Rc<RefCell<Log>>, fixed: bool) {
    let data = fs::read("/wal/log").await.unwrap_or_default();
    let seqs = parse(&data);
    let f = OpenOptions::new()
        .write(true)
        .create(true)
        .open("/wal/log")
        .await
        .unwrap();
    let mut next = seqs.len() as u64;
    log.borrow_mut().recovered.push(seqs);
    if data.is_empty() {
        sync_or_stop(fixed, || fs::sync_dir("/wal")).await;
    }
    loop {
        f.write_all_at(&record(next), next * RECORD as u64)
            .await
            .unwrap();
        sync_or_stop(fixed, || f.sync_data()).await;
        log.borrow_mut().acked.push(next);
        next += 1;
    }
}

/// Three crashes at drawn times on a disk whose syncs fail 10% of the
/// time; after each, every acknowledged record must be recovered.
async fn wal_under_crashes(fixed: bool) {
    let us = Duration::from_micros;
    Disk::set_default(
        DiskConfig::new()
            .sync_error(0.1)
            .sync_latency(Latency::uniform(us(50), us(500))),
    )
    .unwrap();
    let log = Rc::new(RefCell::new(Log::default()));
    let l = log.clone();
    let node = Node::builder("wal")
        .init(move || wal(l.clone(), fixed))
        .build();
    Disk::of(&node).preload("/wal/.keep", "").unwrap();
    for _ in 0..3 {
        time::sleep(us(rand::gen_range(0..5000))).await;
        node.kill();
        let acked = log.borrow().acked.clone();
        let boots = log.borrow().recovered.len();
        node.restart();
        while log.borrow().recovered.len() == boots {
            time::sleep(us(10)).await;
        }
        let recovered = log.borrow().recovered.last().unwrap().clone();
        for seq in acked {
            assert!(
                recovered.contains(&seq),
                "acknowledged record {seq} was lost: recovered {} records",
                recovered.len()
            );
        }
    }
    node.kill();
}

#[sim_test(seeds = 200)]
#[should_panic(expected = "acknowledged record")]
async fn a_wal_retrying_fsync_after_eio_is_found_losing_a_record() {
    wal_under_crashes(false).await;
}

#[sim_test(seeds = 200)]
async fn a_wal_treating_fsync_eio_as_fatal_keeps_every_acknowledged_record() {
    wal_under_crashes(true).await;
}
