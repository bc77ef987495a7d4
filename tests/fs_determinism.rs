//! The disk is deterministic: with every fault on, a seed gives the same
//! run twice (fingerprint, counters, contents, copies and links
//! included); a disk with its faults off draws nothing, so it leaves the
//! schedule of existing tests alone.

use std::time::Duration;

use detsim::fs::Latency;
use detsim::fs::{self, Disk, DiskConfig, DiskStats, File, Namespace, Permissions};
use detsim::node::Node;
use detsim::{Fingerprint, Sim, Tape, rand, time};

/// Two nodes append, sync, rename and read on a disk with every fault
/// on; one is killed at a drawn time and restarted.
fn busy_disks(seed: u64) -> (Fingerprint, Vec<DiskStats>, Vec<u8>) {
    let mut sim = Sim::builder().seed(seed).build();
    let (stats, contents) = sim
        .run(async {
            let us = Duration::from_micros;
            Disk::set_default(
                DiskConfig::new()
                    .read_error(0.05)
                    .write_error(0.05)
                    .sync_error(0.1)
                    .read_corruption(0.05)
                    .capacity(64 << 10)
                    .latency(Latency::uniform(us(1), us(100)))
                    .sync_latency(Latency::long_tail(us(50), us(200), us(5000)))
                    .torn_writes(true)
                    .reorder_writes(true)
                    .namespace(if rand::gen_bool(0.5) {
                        Namespace::Strict
                    } else {
                        Namespace::Relaxed
                    }),
            )
            .unwrap();
            let work = || async {
                let me = Node::current().name();
                let _ = fs::create_dir("/d").await;
                for i in 0..40u32 {
                    let Ok(f) = File::options()
                        .append(true)
                        .create(true)
                        .open("/d/log")
                        .await
                    else {
                        continue;
                    };
                    let _ = f
                        .write_all_at(format!("{me} {i}\n").as_bytes(), u64::from(i) * 16)
                        .await;
                    if i % 5 == 0 {
                        let _ = f.sync_data().await;
                        let _ = fs::sync_dir("/d").await;
                        let _ = fs::write("/d/snap.tmp", format!("{i}")).await;
                        let _ = fs::rename("/d/snap.tmp", "/d/snap").await;
                        // A copy draws a read's and a write's faults; a
                        // link and a chmod their latency.
                        let _ = fs::copy("/d/log", "/d/log.bak").await;
                        let _ = fs::hard_link("/d/snap", format!("/d/snap.{i}")).await;
                        let _ =
                            fs::set_permissions("/d/log.bak", Permissions::from_mode(0o600)).await;
                    }
                    let _ = fs::read("/d/log").await;
                }
            };
            let a = Node::builder("a").init(work).build();
            let b = Node::builder("b").init(work).build();
            time::sleep(Duration::from_micros(rand::gen_range(0..3000))).await;
            a.kill();
            a.restart();
            time::sleep(Duration::from_millis(100)).await;
            let contents = b
                .spawn(async {
                    let mut both = fs::read("/d/log").await.unwrap_or_default();
                    both.extend(fs::read("/d/log.bak").await.unwrap_or_default());
                    both
                })
                .await
                .unwrap();
            let stats = vec![Disk::of(&a).stats(), Disk::of(&b).stats()];
            a.kill();
            b.kill();
            (stats, contents)
        })
        .unwrap();
    (sim.fingerprint(), stats, contents)
}

#[test]
fn every_fault_on_same_seed_same_run() {
    let mut fingerprints = std::collections::BTreeSet::new();
    let mut faults = 0;
    for seed in 0..100 {
        let first = busy_disks(seed);
        let second = busy_disks(seed);
        assert_eq!(first, second, "seed {seed} ran differently twice");
        faults += first.1.iter().map(|s| s.faults.total()).sum::<u64>();
        fingerprints.insert(first.0);
    }
    assert!(faults > 100, "the faults fired ({faults})");
    assert!(fingerprints.len() > 90, "seeds give different runs");
}

#[test]
fn a_disk_with_faults_off_draws_nothing() {
    let tape = |use_disk: bool| -> (Tape, Fingerprint) {
        let mut sim = Sim::builder().seed(9).build();
        sim.run(async move {
            if use_disk {
                let mut f = File::create("/f").await.unwrap();
                f.write_all(b"abc").await.unwrap();
                f.sync_all().await.unwrap();
                fs::rename("/f", "/g").await.unwrap();
                assert_eq!(fs::read("/g").await.unwrap(), b"abc");
                Disk::current().crash();
            }
        })
        .unwrap();
        (sim.tape(), sim.fingerprint())
    };
    let (with, fp_with) = tape(true);
    let (without, fp_without) = tape(false);
    assert_eq!(with, without, "no draws");
    assert_ne!(
        fp_with, fp_without,
        "but the disk's events are in the fingerprint"
    );
}

#[test]
fn a_crash_of_unsynced_data_draws_only_when_a_crash_model_is_on() {
    let draws = |config: DiskConfig| {
        let mut sim = Sim::builder().seed(1).build();
        sim.run(async move {
            Disk::current().configure(config).unwrap();
            Disk::current().preload("/f", "").unwrap();
            fs::write("/f", "unsynced").await.unwrap(); // one unsynced write
            fs::write("/unreachable", "x").await.unwrap(); // its name is lost: no draw
            Disk::current().crash();
        })
        .unwrap();
        sim.tape().len()
    };
    let base = draws(DiskConfig::new());
    assert_eq!(draws(DiskConfig::new().torn_writes(true)), base + 1);
    assert_eq!(draws(DiskConfig::new().reorder_writes(true)), base + 1);
}

#[test]
fn a_divergence_in_disk_draws_is_named_as_a_disk_draw() {
    use std::sync::atomic::{AtomicU32, Ordering};
    // Code whose disk configuration depends on something outside the
    // choice source: the first run has no write errors, the second does.
    static RUNS: AtomicU32 = AtomicU32::new(0);
    let failure = Sim::builder()
        .seed(5)
        .check_determinism(|| async {
            let rate = if RUNS.fetch_add(1, Ordering::Relaxed) == 0 {
                0.0
            } else {
                0.5
            };
            Disk::current()
                .configure(DiskConfig::new().write_error(rate))
                .unwrap();
            let _ = fs::write("/f", "x").await;
        })
        .unwrap_err();
    assert!(failure.is_nondeterminism(), "{failure}");
    let d = failure.divergence().unwrap();
    let both = format!("{} | {}", d.first(), d.second());
    assert!(
        both.contains("a disk fault, latency or crash outcome"),
        "{both}"
    );
}
