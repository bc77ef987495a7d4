//! Injected faults reach the caller as documented: EIO on read, write and
//! sync (a failed write writes nothing, a failed sync loses the data on a
//! crash: see fs_sync_error.rs), disk full with short writes, opt-in read corruption caught
//! by a checksum, latency on the virtual clock, and typed configuration
//! errors.

use std::io::ErrorKind;
use std::time::Duration;

use detsim::Sim;
use detsim::fs::Latency;
use detsim::fs::{self, Disk, DiskConfig, File, OpenOptions};
use detsim::time::Instant;

fn run<T>(f: impl std::future::Future<Output = T>) -> T {
    Sim::builder().build().run(f).unwrap()
}

#[test]
fn injected_io_errors_reach_the_caller() {
    let messages = run(async {
        let disk = Disk::current();
        disk.preload("/f", "abc").unwrap();
        let mut messages = Vec::new();

        disk.configure(DiskConfig::new().read_error(1.0)).unwrap();
        let err = fs::read("/f").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Other);
        messages.push(err.to_string());
        let mut f = File::open("/f").await.unwrap();
        let mut buf = [0; 3];
        assert_eq!(f.read(&mut buf).await.unwrap_err().kind(), ErrorKind::Other);

        disk.configure(DiskConfig::new().write_error(1.0)).unwrap();
        let w = OpenOptions::new().write(true).open("/f").await.unwrap();
        let err = w.write_all_at(b"xyz", 0).await.unwrap_err();
        messages.push(err.to_string());
        assert_eq!(err.kind(), ErrorKind::Other);
        assert_eq!(w.set_len(0).await.unwrap_err().kind(), ErrorKind::Other);
        assert_eq!(
            fs::write("/f", "new").await.unwrap_err().kind(),
            ErrorKind::Other
        );

        disk.configure(DiskConfig::new().sync_error(1.0)).unwrap();
        assert_eq!(
            fs::read("/f").await.unwrap(),
            b"",
            "fs::write truncated before its write failed"
        );
        w.write_all_at(b"volatile", 0).await.unwrap();
        let err = w.sync_data().await.unwrap_err();
        messages.push(err.to_string());
        assert_eq!(
            fs::sync_dir("/").await.unwrap_err().kind(),
            ErrorKind::Other
        );

        let s = disk.stats().faults;
        assert_eq!((s.read_errors, s.write_errors, s.sync_errors), (2, 3, 2));
        disk.reset_config();
        assert_eq!(fs::read("/f").await.unwrap(), b"volatile");
        disk.crash();
        assert_eq!(
            fs::read("/f").await.unwrap(),
            b"abc",
            "a failed sync lost the data"
        );
        messages
    });
    insta::assert_snapshot!(messages.join("\n"), @r"
    /f: injected I/O error (EIO) on read (DiskConfig's read_error rate)
    /f: injected I/O error (EIO) on write (DiskConfig's write_error rate)
    /f: injected I/O error (EIO) on sync (DiskConfig's sync_error rate): the changes not synced then are lost on a crash even though a later sync succeeds (Linux's rule since 4.13); treat it as fatal and recover from what is durable
    ");
}

#[test]
fn a_failed_write_writes_nothing() {
    // Over many seeds, a 50% write error rate: every failed write left the
    // file as it was, every successful one is there.
    for seed in 0..50 {
        let mut sim = Sim::builder().seed(seed).build();
        sim.run(async {
            Disk::current()
                .configure(DiskConfig::new().write_error(0.5))
                .unwrap();
            let f = File::create("/f").await.unwrap();
            let mut expect = Vec::new();
            for i in 0..20u8 {
                match f.write_all_at(&[i + 1; 10], u64::from(i) * 10).await {
                    Ok(()) => expect.push(i),
                    Err(e) => assert_eq!(e.kind(), ErrorKind::Other),
                }
            }
            let data = fs::read("/f").await.unwrap();
            for i in 0..20u8 {
                let chunk = data.get(usize::from(i) * 10..usize::from(i) * 10 + 10);
                let written = chunk.is_some_and(|c| c == [i + 1; 10]);
                assert_eq!(written, expect.contains(&i), "seed {seed} write {i}");
            }
        })
        .unwrap();
    }
}

#[test]
fn a_full_disk_writes_what_fits_then_refuses() {
    run(async {
        let disk = Disk::current();
        disk.configure(DiskConfig::new().capacity(10)).unwrap();
        let mut f = File::create("/a").await.unwrap();
        assert_eq!(f.write(b"0123456").await.unwrap(), 7);
        assert_eq!(f.write(b"789abc").await.unwrap(), 3, "a short write");
        let err = f.write(b"x").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::StorageFull);
        assert!(err.to_string().contains("DiskConfig::capacity"), "{err}");
        // write_all writes what fits, then fails.
        fs::remove_file("/a").await.unwrap();
        drop(f);
        let mut g = File::create("/b").await.unwrap();
        let err = g.write_all(&[1; 25]).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::StorageFull);
        assert_eq!(fs::metadata("/b").await.unwrap().len(), 10);
        assert_eq!(
            fs::write("/c", "x").await.unwrap_err().kind(),
            ErrorKind::StorageFull
        );
        // Overwriting in place needs no new space.
        g.write_all_at(&[2; 10], 0).await.unwrap();
        // Freeing space (the removal, then closing the last handle) lets
        // writes in again.
        fs::remove_file("/b").await.unwrap();
        assert_eq!(disk.stats().used_bytes, 10, "an open handle keeps the file");
        drop(g);
        assert_eq!(disk.stats().used_bytes, 0);
        fs::write("/c", "x").await.unwrap();
        assert!(disk.stats().faults.storage_full >= 3);
    });
}

fn checksum(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

#[test]
fn read_corruption_is_opt_in_and_caught_by_a_checksum() {
    let data: Vec<u8> = (0..4096u32).map(|i| (i * 7) as u8).collect();
    let sum = checksum(&data);
    let corrupted = |rate: f64, seed: u64| {
        let data = data.clone();
        let mut sim = Sim::builder().seed(seed).build();
        sim.run(async move {
            let disk = Disk::current();
            disk.preload("/blob", &data).unwrap();
            disk.configure(DiskConfig::new().read_corruption(rate))
                .unwrap();
            let mut bad = 0;
            for _ in 0..100 {
                let got = fs::read("/blob").await.unwrap();
                assert_eq!(got.len(), data.len());
                if checksum(&got) != sum {
                    let flipped: u32 = got
                        .iter()
                        .zip(&data)
                        .map(|(a, b)| (a ^ b).count_ones())
                        .sum();
                    assert_eq!(flipped, 1, "one bit flipped");
                    bad += 1;
                }
            }
            assert_eq!(disk.stats().faults.corruptions, bad);
            disk.reset_config();
            assert_eq!(
                fs::read("/blob").await.unwrap(),
                data,
                "the stored data is intact"
            );
            bad
        })
        .unwrap()
    };
    assert_eq!(corrupted(0.0, 1), 0, "off by default");
    let bad = corrupted(0.2, 1);
    assert!(
        (5..=40).contains(&bad),
        "{bad} of 100 reads corrupted at 20%"
    );
}

#[test]
fn latency_advances_virtual_time() {
    run(async {
        let ms = Duration::from_millis;
        Disk::current()
            .configure(
                DiskConfig::new()
                    .latency(Latency::constant(ms(1)))
                    .sync_latency(Latency::uniform(ms(5), ms(10))),
            )
            .unwrap();
        let t0 = Instant::now();
        let mut f = File::create("/f").await.unwrap(); // 1 ms
        f.write_all(b"abc").await.unwrap(); // 1 ms
        assert_eq!(t0.elapsed(), ms(2));
        f.sync_all().await.unwrap();
        let synced = t0.elapsed();
        assert!((ms(7)..=ms(12)).contains(&synced), "{synced:?}");
        // A zero latency takes no time.
        Disk::current().reset_config();
        let t1 = Instant::now();
        fs::write("/g", "x").await.unwrap();
        assert_eq!(t1.elapsed(), Duration::ZERO);
    });
}

#[test]
fn impossible_configurations_are_refused_with_the_fix() {
    let ms = Duration::from_millis;
    let bad = [
        DiskConfig::new().read_error(-0.1),
        DiskConfig::new().write_error(1.5),
        DiskConfig::new().sync_error(f64::NAN),
        DiskConfig::new().read_corruption(2.0),
        DiskConfig::new().capacity(0),
        DiskConfig::new().sector_size(1000),
        DiskConfig::new().latency(Latency::uniform(ms(5), ms(1))),
        DiskConfig::new().sync_latency(Latency::long_tail(ms(1), ms(9), ms(2))),
    ];
    let messages = run(async move {
        let disk = Disk::current();
        let mut messages = Vec::new();
        for config in bad {
            let err = disk.configure(config).unwrap_err();
            assert_eq!(Disk::set_default(config).unwrap_err(), err);
            messages.push(err.to_string());
        }
        assert_eq!(disk.config(), DiskConfig::new(), "nothing changed");
        messages
    });
    insta::assert_snapshot!(messages.join("\n"));
}

#[test]
fn a_fault_plan_s_disk_errors_abort_a_journaled_disk() {
    use detsim::fs::Namespace;
    use detsim::net::{Fault, FaultPlan};
    use detsim::node::Node;
    let mut sim = Sim::builder().seed(3).build();
    sim.run(async {
        let db = Node::builder("db").build();
        let journaled = DiskConfig::new().namespace(Namespace::Journal);
        Disk::of(&db).configure(journaled).unwrap();
        let errors = |percent| Fault::DiskErrors {
            node: "db".into(),
            percent,
        };
        FaultPlan::new()
            .at(Duration::ZERO, errors(50))
            .run()
            .await
            .unwrap();
        assert_eq!(
            Disk::of(&db).config(),
            journaled
                .read_error(0.5)
                .write_error(0.5)
                .sync_error(0.5)
                .journal_error(0.5)
        );
        let writer = detsim::task::Builder::new().node(&db).spawn(async {
            // New files, each synced: a committing sync, half of which
            // (past the sync error draw) abort the journal.
            for i in 0..100 {
                let path = format!("/f{i}");
                let Ok(f) = File::create(&path).await else {
                    continue;
                };
                if let Err(e) = f.sync_all().await {
                    if e.to_string().contains("journal") {
                        return fs::write("/after", b"x").await.unwrap_err().kind();
                    }
                }
            }
            panic!("no journal abort in 100 committing syncs at 50%");
        });
        assert_eq!(writer.await.unwrap(), ErrorKind::ReadOnlyFilesystem);
        assert_eq!(Disk::of(&db).stats().faults.journal_aborts, 1);
        FaultPlan::new()
            .at(Duration::ZERO, errors(0))
            .run()
            .await
            .unwrap();
        assert_eq!(Disk::of(&db).config(), journaled, "all off again");
    })
    .unwrap();
}

#[test]
fn a_fault_plan_turns_disk_errors_on_and_off() {
    use detsim::net::{Fault, FaultPlan};
    use detsim::node::Node;
    let mut sim = Sim::builder().seed(1).build();
    sim.run(async {
        let db = Node::builder("db").build();
        let errors = |percent| Fault::DiskErrors {
            node: "db".into(),
            percent,
        };
        let plan = FaultPlan::new()
            .at(Duration::from_millis(10), errors(100))
            .at(Duration::from_millis(20), errors(0));
        let chaos = plan.spawn();
        let writer = detsim::task::Builder::new().node(&db).spawn(async {
            let ok_before = fs::write("/a", b"1").await.is_ok();
            detsim::time::sleep(Duration::from_millis(15)).await;
            let failing = fs::write("/b", b"2").await.unwrap_err();
            detsim::time::sleep(Duration::from_millis(10)).await;
            let ok_after = fs::write("/c", b"3").await.is_ok();
            (ok_before, failing.to_string(), ok_after)
        });
        let (before, failing, after) = writer.await.unwrap();
        assert!(before && after);
        assert!(failing.contains("injected I/O error"), "{failing}");
        chaos.await.unwrap().unwrap();
        assert_eq!(Disk::of(&db).config(), DiskConfig::new());

        let bad = FaultPlan::new().at(Duration::ZERO, errors(101)).run().await;
        let msg = bad.unwrap_err().to_string();
        assert!(msg.contains("disk errors on db at 101%"), "{msg}");
    })
    .unwrap();
}
