//! Permission bits asked for at creation, as tokio's `OpenOptions::mode`
//! and `DirBuilder` give them on Linux: the mode asked for less the
//! umask (`022`), durable with the new name; tokio's `&mut` builder
//! style; `symlink_metadata` on a disk without symbolic links.

use std::io::ErrorKind;

use detsim::Sim;
use detsim::fs::{self, DirBuilder, Disk, OpenOptions};

fn run<T>(f: impl std::future::Future<Output = T>) -> T {
    Sim::builder().build().run(f).unwrap()
}

async fn mode(p: &str) -> u32 {
    fs::metadata(p).await.unwrap().permissions().mode() & 0o7777
}

#[test]
fn a_created_file_gets_the_mode_asked_for_less_the_umask() {
    run(async {
        let f = OpenOptions::new()
            .write(true)
            .create(true)
            .mode(0o600)
            .open("/secret")
            .await
            .unwrap();
        drop(f);
        assert_eq!(mode("/secret").await, 0o600);
        // Without `mode`, 0o666 less the umask.
        drop(
            OpenOptions::new()
                .write(true)
                .create(true)
                .open("/plain")
                .await
                .unwrap(),
        );
        assert_eq!(mode("/plain").await, 0o644);
        // Bits outside 0o7777 are dropped; the umask takes group/other write.
        let f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o170_777)
            .open("/odd")
            .await
            .unwrap();
        drop(f);
        assert_eq!(mode("/odd").await, 0o755);
        // An existing file keeps its mode.
        drop(
            OpenOptions::new()
                .write(true)
                .create(true)
                .mode(0o777)
                .open("/secret")
                .await
                .unwrap(),
        );
        assert_eq!(mode("/secret").await, 0o600);
    });
}

#[test]
fn a_read_only_mode_still_lets_the_creating_open_write() {
    run(async {
        // As Linux's open(O_CREAT | O_WRONLY, 0400): the open that creates
        // the file may write it; the next open for writing may not.
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o400)
            .open("/ro")
            .await
            .unwrap();
        f.write_all(b"written once").await.unwrap();
        drop(f);
        assert_eq!(fs::read("/ro").await.unwrap(), b"written once");
        let e = OpenOptions::new()
            .write(true)
            .open("/ro")
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::PermissionDenied);
    });
}

#[test]
fn the_builders_take_tokios_mutable_style() {
    run(async {
        for append in [false, true] {
            let mut options = OpenOptions::new();
            options.write(true).create(true);
            if append {
                options.append(true);
            }
            let mut f = options.open("/log").await.unwrap();
            f.write_all(b"x").await.unwrap();
        }
        // The second open appended (writes at the end), the first did not.
        assert_eq!(fs::read("/log").await.unwrap(), b"xx");
        let mut builder = DirBuilder::new();
        builder.recursive(true);
        builder.mode(0o750);
        builder.create("/a/b/c").await.unwrap();
        builder.create("/a/b/c").await.unwrap();
        for d in ["/a", "/a/b", "/a/b/c"] {
            assert_eq!(mode(d).await, 0o750, "{d}");
        }
    });
}

#[test]
fn dir_builder_errors_are_those_of_create_dir_and_create_dir_all() {
    run(async {
        // mkdir keeps the sticky bit, never setuid or setgid (Linux's
        // vfs_prepare_mode).
        DirBuilder::new().mode(0o7777).create("/tmp").await.unwrap();
        assert_eq!(mode("/tmp").await, 0o1755);
        let plain = DirBuilder::new();
        let e = plain.create("/no/parent").await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound);
        plain.create("/d").await.unwrap();
        assert_eq!(mode("/d").await, 0o755);
        let e = plain.create("/d").await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::AlreadyExists);
        fs::write("/f", "").await.unwrap();
        let mut recursive = DirBuilder::new();
        recursive.recursive(true);
        let e = recursive.create("/f/sub").await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotADirectory);
        let e = recursive.create("/f").await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::AlreadyExists);
        recursive.create("").await.unwrap(); // as create_dir_all
    });
}

#[test]
fn the_mode_asked_for_is_durable_with_the_name() {
    run(async {
        DirBuilder::new()
            .mode(0o700)
            .create("/private")
            .await
            .unwrap();
        drop(
            OpenOptions::new()
                .write(true)
                .create(true)
                .mode(0o640)
                .open("/private/key")
                .await
                .unwrap(),
        );
        fs::sync_dir("/").await.unwrap();
        fs::sync_dir("/private").await.unwrap();
        Disk::current().crash();
        assert_eq!(mode("/private").await, 0o700);
        assert_eq!(mode("/private/key").await, 0o640);
    });
}

#[test]
fn symlink_metadata_is_metadata_on_a_disk_without_links() {
    run(async {
        fs::write("/f", "abc").await.unwrap();
        let (m, l) = (
            fs::metadata("/f").await.unwrap(),
            fs::symlink_metadata("/f").await.unwrap(),
        );
        assert_eq!((l.len(), l.is_file(), l.is_symlink()), (3, true, false));
        assert_eq!(l.file_type(), m.file_type());
        assert!(!l.file_type().is_symlink());
        let e = fs::symlink_metadata("/missing").await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound);
    });
}
