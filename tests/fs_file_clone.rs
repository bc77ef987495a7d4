//! `File::try_clone` (tokio's, `dup`): the handles share one open file
//! description (the cursor, the access mode, the sync failures to
//! report) and keep the file open until both are dropped; and
//! `File::set_permissions` (`fchmod`).

use std::io::ErrorKind;
use std::io::SeekFrom;
use std::time::Duration;

use detsim::Sim;
use detsim::fs::{self, Disk, DiskConfig, File, Latency, OpenOptions, Permissions};

fn run<F: Future<Output = ()> + 'static>(body: impl FnOnce() -> F + 'static) {
    Sim::builder()
        .build()
        .run(async move { body().await })
        .unwrap();
}

#[test]
fn clones_share_one_cursor_for_reads_writes_and_seeks() {
    run(|| async {
        let mut a = File::options()
            .read(true)
            .write(true)
            .create(true)
            .open("/f")
            .await
            .unwrap();
        let mut b = a.try_clone().await.unwrap();
        a.write_all(b"abc").await.unwrap();
        b.write_all(b"def").await.unwrap(); // after a's bytes, as with dup
        assert_eq!(fs::read("/f").await.unwrap(), b"abcdef");
        b.seek(SeekFrom::Start(1)).await.unwrap();
        let mut buf = [0; 2];
        a.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"bc");
        assert_eq!(b.seek(SeekFrom::Current(0)).await.unwrap(), 3);
        // A clone of a clone shares it too.
        let mut c = b.try_clone().await.unwrap();
        c.seek(SeekFrom::End(0)).await.unwrap();
        assert_eq!(a.seek(SeekFrom::Current(0)).await.unwrap(), 6);
    });
}

#[test]
fn the_cursor_moves_when_an_operation_lands_after_its_latency() {
    run(|| async {
        Disk::current()
            .configure(DiskConfig::new().latency(Latency::constant(Duration::from_millis(1))))
            .unwrap();
        fs::write("/f", "0123456789").await.unwrap();
        let mut a = File::open("/f").await.unwrap();
        let mut b = a.try_clone().await.unwrap();
        let (mut x, mut y) = ([0; 3], [0; 3]);
        // Both reads wait their latency; each reads where the cursor is
        // when it lands, so together they read six bytes in a row.
        let (ra, rb) = futures::join!(a.read_exact(&mut x), b.read_exact(&mut y));
        ra.unwrap();
        rb.unwrap();
        let mut both = [x, y];
        both.sort();
        assert_eq!(both, [*b"012", *b"345"]);
        assert_eq!(a.seek(SeekFrom::Current(0)).await.unwrap(), 6);
    });
}

#[test]
fn a_clone_has_the_access_mode_of_its_original() {
    run(|| async {
        fs::write("/log", "a").await.unwrap();
        let mut log = OpenOptions::new().append(true).open("/log").await.unwrap();
        let mut clone = log.try_clone().await.unwrap();
        clone.write_all(b"b").await.unwrap(); // appends
        log.write_all(b"c").await.unwrap();
        assert_eq!(fs::read("/log").await.unwrap(), b"abc");
        let mut buf = [0; 1];
        let e = clone.read(&mut buf).await.unwrap_err();
        assert_eq!(
            e.kind(),
            ErrorKind::PermissionDenied,
            "not opened for reading"
        );
        let reader = File::open("/log").await.unwrap().try_clone().await.unwrap();
        let e = reader.write_at(b"x", 0).await.unwrap_err();
        assert_eq!(
            e.kind(),
            ErrorKind::PermissionDenied,
            "not opened for writing"
        );
    });
}

#[test]
fn the_file_stays_open_until_every_clone_is_dropped() {
    run(|| async {
        let disk = Disk::current();
        fs::write("/f", "kept while open").await.unwrap();
        let a = File::open("/f").await.unwrap();
        let b = a.try_clone().await.unwrap();
        fs::remove_file("/f").await.unwrap();
        drop(a);
        let mut text = String::new();
        let mut b = b;
        b.read_to_string(&mut text).await.unwrap();
        assert_eq!(text, "kept while open");
        assert_eq!(disk.stats().used_bytes, 15);
        drop(b);
        assert_eq!(disk.stats().used_bytes, 0, "freed with the last handle");
    });
}

#[test]
fn clones_report_a_failed_sync_once_between_them() {
    run(|| async {
        let disk = Disk::current();
        disk.preload("/f", "").unwrap();
        let a = OpenOptions::new().write(true).open("/f").await.unwrap();
        let b = a.try_clone().await.unwrap();
        let other = OpenOptions::new().write(true).open("/f").await.unwrap();
        a.write_all_at(b"x", 0).await.unwrap();
        disk.configure(DiskConfig::new().sync_error(1.0)).unwrap();
        a.sync_all().await.unwrap_err();
        disk.reset_config();
        // b shares a's description: the failure was reported to it.
        b.sync_all().await.unwrap();
        // Another open is told once.
        other.sync_all().await.unwrap_err();
        other.sync_all().await.unwrap();
    });
}

#[test]
fn a_handle_from_before_a_crash_cannot_be_cloned() {
    run(|| async {
        let f = File::create("/f").await.unwrap();
        Disk::current().crash();
        let e = f.try_clone().await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::StaleNetworkFileHandle);
        let e = f
            .set_permissions(Permissions::from_mode(0o600))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::StaleNetworkFileHandle);
    });
}

#[test]
fn try_clone_draws_nothing_and_is_no_event() {
    let run = |clone: bool| {
        let mut sim = Sim::builder().seed(4).build();
        sim.run(async move {
            let f = File::create("/f").await.unwrap();
            if clone {
                drop(f.try_clone().await.unwrap());
            }
        })
        .unwrap();
        (sim.tape(), sim.fingerprint())
    };
    assert_eq!(run(true), run(false));
}

#[test]
fn set_permissions_through_a_read_only_handle_as_fchmod() {
    run(|| async {
        fs::write("/f", "x").await.unwrap();
        let f = File::open("/f").await.unwrap();
        f.set_permissions(Permissions::from_mode(0o400))
            .await
            .unwrap();
        let m = f.metadata().await.unwrap();
        assert_eq!(m.permissions().mode(), 0o100400);
        assert!(m.permissions().readonly());
        let e = fs::write("/f", "y").await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::PermissionDenied);
    });
}
