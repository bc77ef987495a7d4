//! `Permissions`, `Metadata::permissions` and `set_permissions`: std's
//! Unix modes, the owner's read and write bits checked at open as for a
//! process that owns the file and is not root, and a mode's durability.

use std::io::ErrorKind::{self, *};

use detsim::Sim;
use detsim::fs::{
    self, Disk, DiskConfig, File, Namespace, OpenOptions, Permissions, set_permissions,
};

fn run<F: Future<Output = ()> + 'static>(body: impl FnOnce() -> F + 'static) {
    Sim::builder()
        .build()
        .run(async move { body().await })
        .unwrap();
}

async fn mode(path: &str) -> u32 {
    fs::metadata(path).await.unwrap().permissions().mode()
}

fn kind<T>(r: std::io::Result<T>) -> ErrorKind {
    match r {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.kind(),
    }
}

#[test]
fn new_files_and_directories_get_the_modes_of_a_022_umask_with_their_type_bits() {
    run(|| async {
        fs::write("/f", "").await.unwrap();
        fs::create_dir("/d").await.unwrap();
        assert_eq!(mode("/f").await, 0o100644);
        assert_eq!(mode("/d").await, 0o40755);
        assert_eq!(mode("/").await, 0o40755);
        let f = File::open("/f").await.unwrap();
        assert_eq!(f.metadata().await.unwrap().permissions().mode(), 0o100644);
    });
}

#[test]
fn chmod_keeps_the_permission_bits_only_as_linux_does() {
    // std on Linux: set_permissions(from_mode(0o177777)) shows 0o107777.
    run(|| async {
        fs::write("/f", "").await.unwrap();
        set_permissions("/f", Permissions::from_mode(0o177777))
            .await
            .unwrap();
        assert_eq!(mode("/f").await, 0o107777);
        fs::create_dir("/d").await.unwrap();
        set_permissions("/d", Permissions::from_mode(0o700))
            .await
            .unwrap();
        assert_eq!(mode("/d").await, 0o40700);
    });
}

#[test]
fn readonly_follows_std_on_unix() {
    let mut p = Permissions::from_mode(0o100644);
    assert!(!p.readonly());
    p.set_readonly(true);
    assert_eq!(p.mode(), 0o100444);
    assert!(p.readonly());
    p.set_readonly(false);
    assert_eq!(p.mode(), 0o100666, "every write bit, as std");
    assert!(!Permissions::from_mode(0o400 | 0o020).readonly());
    assert_eq!(format!("{p:?}"), "Permissions { mode: 0o100666 }");
}

#[cfg(unix)]
#[test]
fn std_permissions_convert_so_ported_code_compiles() {
    use std::os::unix::fs::PermissionsExt;
    run(|| async {
        fs::write("/f", "").await.unwrap();
        set_permissions("/f", std::fs::Permissions::from_mode(0o600))
            .await
            .unwrap();
        assert_eq!(mode("/f").await, 0o100600);
    });
}

#[test]
fn a_read_only_file_cannot_be_opened_for_writing() {
    run(|| async {
        fs::write("/f", "sealed").await.unwrap();
        let mut p = fs::metadata("/f").await.unwrap().permissions();
        p.set_readonly(true);
        set_permissions("/f", p).await.unwrap();
        assert_eq!(kind(fs::write("/f", "x").await), PermissionDenied);
        assert_eq!(kind(File::create("/f").await), PermissionDenied);
        let append = OpenOptions::new().append(true).open("/f").await;
        assert_eq!(kind(append), PermissionDenied);
        // create_new refuses an existing file first, as Linux.
        assert_eq!(kind(File::create_new("/f").await), AlreadyExists);
        // Reading, renaming and removing need no write bit on the file.
        assert_eq!(fs::read("/f").await.unwrap(), b"sealed");
        fs::rename("/f", "/g").await.unwrap();
        fs::remove_file("/g").await.unwrap();
        let e = {
            fs::write("/h", "").await.unwrap();
            set_permissions("/h", Permissions::from_mode(0o444))
                .await
                .unwrap();
            fs::write("/h", "x").await.unwrap_err()
        };
        let msg = e.to_string();
        assert!(
            msg.contains("EACCES") && msg.contains("0o444") && msg.contains("not root"),
            "{msg}"
        );
    });
}

#[test]
fn a_write_only_file_cannot_be_read() {
    run(|| async {
        fs::write("/f", "x").await.unwrap();
        set_permissions("/f", Permissions::from_mode(0o200))
            .await
            .unwrap();
        assert_eq!(kind(fs::read("/f").await), PermissionDenied);
        assert_eq!(kind(File::open("/f").await), PermissionDenied);
        let rw = OpenOptions::new().read(true).write(true).open("/f").await;
        assert_eq!(kind(rw), PermissionDenied);
        fs::write("/f", "y").await.unwrap();
    });
}

#[test]
fn a_handle_keeps_the_access_it_was_opened_with() {
    run(|| async {
        let f = File::create("/f").await.unwrap();
        set_permissions("/f", Permissions::from_mode(0o000))
            .await
            .unwrap();
        f.write_all_at(b"still", 0).await.unwrap();
        f.set_len(3).await.unwrap();
        f.sync_all().await.unwrap();
    });
}

#[test]
fn directory_modes_are_kept_not_checked() {
    run(|| async {
        fs::create_dir("/d").await.unwrap();
        set_permissions("/d", Permissions::from_mode(0o500))
            .await
            .unwrap();
        fs::write("/d/f", "x").await.unwrap();
        assert_eq!(fs::read_dir("/d").await.unwrap().count(), 1);
        File::open("/d").await.unwrap().sync_all().await.unwrap();
    });
}

#[test]
fn set_permissions_errors_are_std_s() {
    run(|| async {
        fs::write("/f", "").await.unwrap();
        let p = Permissions::from_mode(0o600);
        // std on Linux: NotFound, NotADirectory.
        assert_eq!(kind(set_permissions("/m", p).await), NotFound);
        assert_eq!(kind(set_permissions("/f/", p).await), NotADirectory);
        assert_eq!(kind(set_permissions("/m/f", p).await), NotFound);
    });
}

#[test]
fn preload_replaces_a_read_only_file() {
    run(|| async {
        let disk = Disk::current();
        disk.preload("/f", "old").unwrap();
        set_permissions("/f", Permissions::from_mode(0o444))
            .await
            .unwrap();
        disk.preload("/f", "new").unwrap();
        assert_eq!(fs::read("/f").await.unwrap(), b"new");
    });
}

#[test]
fn a_read_only_disk_answers_read_only_before_permission_denied() {
    run(|| async {
        let disk = Disk::current();
        disk.configure(
            DiskConfig::new()
                .namespace(Namespace::Journal)
                .journal_error(1.0),
        )
        .unwrap();
        fs::write("/f", "").await.unwrap();
        set_permissions("/f", Permissions::from_mode(0o444))
            .await
            .unwrap();
        File::open("/f")
            .await
            .unwrap()
            .sync_all()
            .await
            .unwrap_err(); // aborts
        assert_eq!(kind(fs::write("/f", "x").await), ReadOnlyFilesystem);
        let p = Permissions::from_mode(0o644);
        assert_eq!(kind(set_permissions("/f", p).await), ReadOnlyFilesystem);
        assert_eq!(kind(set_permissions("/m", p).await), NotFound);
    });
}

#[test]
fn a_mode_is_durable_with_sync_all_and_lost_in_a_crash_before() {
    run(|| async {
        let disk = Disk::current();
        disk.preload("/f", "x").unwrap();
        let f = File::open("/f").await.unwrap();
        set_permissions("/f", Permissions::from_mode(0o600))
            .await
            .unwrap();
        f.sync_data().await.unwrap(); // fdatasync: not the mode
        disk.crash();
        assert_eq!(mode("/f").await, 0o100644);

        let f = File::open("/f").await.unwrap();
        set_permissions("/f", Permissions::from_mode(0o600))
            .await
            .unwrap();
        f.sync_all().await.unwrap();
        disk.crash();
        assert_eq!(mode("/f").await, 0o100600);

        // A journal commit carries it, as ext4's.
        disk.configure(DiskConfig::new().namespace(Namespace::Journal))
            .unwrap();
        set_permissions("/f", Permissions::from_mode(0o400))
            .await
            .unwrap();
        File::open("/f").await.unwrap().sync_data().await.unwrap();
        disk.crash();
        assert_eq!(mode("/f").await, 0o100400);
    });
}

#[test]
fn set_permissions_is_in_the_fingerprint() {
    let fingerprint = |chmod: bool| {
        let mut sim = Sim::builder().seed(3).build();
        sim.run(async move {
            fs::write("/f", "").await.unwrap();
            if chmod {
                set_permissions("/f", Permissions::from_mode(0o600))
                    .await
                    .unwrap();
            }
        })
        .unwrap();
        (sim.tape(), sim.fingerprint())
    };
    let (with, fp_with) = fingerprint(true);
    let (without, fp_without) = fingerprint(false);
    assert_eq!(with, without, "no draws");
    assert_ne!(fp_with, fp_without);
}
