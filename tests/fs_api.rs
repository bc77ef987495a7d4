//! `detsim::fs` behaves like `std::fs`/`tokio::fs`: every error kind std
//! gives for the same misuse, rename's rules, sorted listings, append,
//! truncate, seek and `set_len` semantics, per-node disks.

use std::io::{ErrorKind, SeekFrom};

use detsim::fs::{self, Disk, File, OpenOptions};
use detsim::node::Node;

mod common;
use common::run;

fn kind<T: std::fmt::Debug>(r: std::io::Result<T>) -> ErrorKind {
    r.unwrap_err().kind()
}

#[test]
fn lookups_of_missing_paths_and_paths_through_files() {
    run(async {
        assert_eq!(kind(fs::read("/nope").await), ErrorKind::NotFound);
        assert_eq!(kind(File::open("/a/b").await), ErrorKind::NotFound);
        assert_eq!(
            kind(fs::write("/no/parent", "x").await),
            ErrorKind::NotFound
        );
        assert_eq!(kind(fs::metadata("").await), ErrorKind::NotFound);
        fs::write("/file", "x").await.unwrap();
        let err = fs::read("/file/child").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotADirectory);
        assert!(err.to_string().contains("/file"), "{err}");
        assert_eq!(
            kind(fs::create_dir("/file/d").await),
            ErrorKind::NotADirectory
        );
        assert_eq!(
            kind(fs::create_dir_all("/file/d").await),
            ErrorKind::NotADirectory
        );
        assert_eq!(kind(fs::read_dir("/file").await), ErrorKind::NotADirectory);
        assert_eq!(kind(fs::sync_dir("/file").await), ErrorKind::NotADirectory);
        assert_eq!(
            kind(fs::try_exists("/file/x").await),
            ErrorKind::NotADirectory
        );
        assert!(!fs::try_exists("/missing").await.unwrap());
    });
}

#[test]
fn create_new_and_create_dir_refuse_existing_paths() {
    run(async {
        File::create_new("/f").await.unwrap();
        let err = File::create_new("/f").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AlreadyExists);
        assert!(err.to_string().contains("/f"), "{err}");
        fs::create_dir("/d").await.unwrap();
        assert_eq!(kind(fs::create_dir("/d").await), ErrorKind::AlreadyExists);
        assert_eq!(kind(fs::create_dir("/f").await), ErrorKind::AlreadyExists);
        assert_eq!(kind(fs::create_dir("/").await), ErrorKind::AlreadyExists);
        fs::create_dir_all("/d").await.unwrap(); // no error when it exists
        fs::create_dir_all("/d/e/f").await.unwrap();
        assert!(fs::metadata("/d/e/f").await.unwrap().is_dir());
    });
}

#[test]
fn open_options_follow_std_validation() {
    run(async {
        let invalid = [
            OpenOptions::new(),
            OpenOptions::new().read(true).create(true).clone(),
            OpenOptions::new().read(true).truncate(true).clone(),
            OpenOptions::new().read(true).create_new(true).clone(),
            OpenOptions::new().append(true).truncate(true).clone(),
        ];
        for o in invalid {
            let err = o.open("/x").await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "{o:?}");
            assert!(err.to_string().starts_with("OpenOptions: "), "{err}");
        }
        assert_eq!(
            kind(OpenOptions::new().write(true).open("/x").await),
            ErrorKind::NotFound
        );
        OpenOptions::new()
            .write(true)
            .create(true)
            .open("/x")
            .await
            .unwrap();
        // create_new ignores create/truncate and still refuses.
        let mut o = OpenOptions::new();
        o.write(true).create(true).truncate(true).create_new(true);
        assert_eq!(kind(o.open("/x").await), ErrorKind::AlreadyExists);
    });
}

#[test]
fn directories_cannot_be_written_or_read_as_files() {
    run(async {
        fs::create_dir("/d").await.unwrap();
        assert_eq!(kind(fs::read("/d").await), ErrorKind::IsADirectory);
        assert_eq!(kind(fs::write("/d", "x").await), ErrorKind::IsADirectory);
        assert_eq!(kind(File::create("/d").await), ErrorKind::IsADirectory);
        assert_eq!(kind(fs::remove_file("/d").await), ErrorKind::IsADirectory);
        let mut dir = File::open("/d").await.unwrap();
        let mut buf = [0; 4];
        assert_eq!(kind(dir.read(&mut buf).await), ErrorKind::IsADirectory);
        dir.sync_all().await.unwrap(); // syncing a directory is fine
    });
}

#[test]
fn handles_enforce_their_access_mode() {
    run(async {
        fs::write("/f", "abc").await.unwrap();
        let mut r = File::open("/f").await.unwrap();
        let err = r.write_all(b"x").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::PermissionDenied);
        assert!(
            err.to_string().contains("OpenOptions::write(true)"),
            "{err}"
        );
        assert_eq!(kind(r.set_len(0).await), ErrorKind::InvalidInput);
        let mut w = OpenOptions::new().write(true).open("/f").await.unwrap();
        let mut buf = [0; 1];
        assert_eq!(kind(w.read(&mut buf).await), ErrorKind::PermissionDenied);
    });
}

#[test]
fn remove_rules() {
    run(async {
        fs::create_dir_all("/a/b").await.unwrap();
        fs::write("/a/b/f", "x").await.unwrap();
        assert_eq!(
            kind(fs::remove_dir("/a").await),
            ErrorKind::DirectoryNotEmpty
        );
        assert_eq!(
            kind(fs::remove_dir("/a/b/f").await),
            ErrorKind::NotADirectory
        );
        assert_eq!(
            kind(fs::remove_dir_all("/a/b/f").await),
            ErrorKind::NotADirectory
        );
        assert_eq!(kind(fs::remove_dir("/missing").await), ErrorKind::NotFound);
        assert_eq!(kind(fs::remove_file("/missing").await), ErrorKind::NotFound);
        assert_eq!(kind(fs::remove_dir("/").await), ErrorKind::ResourceBusy);
        fs::remove_dir_all("/a").await.unwrap();
        assert!(!fs::try_exists("/a").await.unwrap());
        assert_eq!(Disk::current().stats().used_bytes, 0);
    });
}

#[test]
fn rename_follows_posix_rules() {
    run(async {
        fs::write("/f", "1").await.unwrap();
        fs::write("/g", "2").await.unwrap();
        fs::create_dir_all("/d/sub").await.unwrap();
        fs::create_dir("/empty").await.unwrap();
        assert_eq!(
            kind(fs::rename("/missing", "/x").await),
            ErrorKind::NotFound
        );
        assert_eq!(
            kind(fs::rename("/f", "/nodir/x").await),
            ErrorKind::NotFound
        );
        assert_eq!(kind(fs::rename("/f", "/d").await), ErrorKind::IsADirectory);
        assert_eq!(kind(fs::rename("/d", "/f").await), ErrorKind::NotADirectory);
        assert_eq!(
            kind(fs::rename("/empty", "/d").await),
            ErrorKind::DirectoryNotEmpty
        );
        assert_eq!(
            kind(fs::rename("/d", "/d/sub/x").await),
            ErrorKind::InvalidInput
        );
        assert_eq!(kind(fs::rename("/", "/x").await), ErrorKind::ResourceBusy);
        // A file replaces a file; the old name is gone.
        fs::rename("/f", "/g").await.unwrap();
        assert_eq!(fs::read("/g").await.unwrap(), b"1");
        assert!(!fs::try_exists("/f").await.unwrap());
        // A directory replaces an empty directory, keeping its contents.
        fs::rename("/d", "/empty").await.unwrap();
        assert!(fs::metadata("/empty/sub").await.unwrap().is_dir());
        // Renaming onto itself does nothing.
        fs::rename("/g", "/g").await.unwrap();
        assert_eq!(fs::read("/g").await.unwrap(), b"1");
        // An open handle follows the file across a rename.
        let mut h = File::open("/g").await.unwrap();
        fs::rename("/g", "/h").await.unwrap();
        let mut s = String::new();
        h.read_to_string(&mut s).await.unwrap();
        assert_eq!(s, "1");
    });
}

#[test]
fn read_dir_lists_in_sorted_order() {
    run(async {
        for name in ["zeta", "alpha", "Beta", "mid", "10", "9"] {
            fs::write(format!("/dir-{name}"), "").await.unwrap();
        }
        fs::create_dir("/dir-sub").await.unwrap();
        let mut names = Vec::new();
        let mut dir = fs::read_dir("/").await.unwrap();
        while let Some(e) = dir.next_entry().await.unwrap() {
            names.push((e.file_name().into_string().unwrap(), e.file_type().is_dir()));
        }
        let expect: Vec<(String, bool)> = [
            "dir-10",
            "dir-9",
            "dir-Beta",
            "dir-alpha",
            "dir-mid",
            "dir-sub",
            "dir-zeta",
        ]
        .iter()
        .map(|n| (n.to_string(), *n == "dir-sub"))
        .collect();
        assert_eq!(names, expect);
    });
}

#[test]
fn append_writes_at_the_end_whatever_the_cursor() {
    run(async {
        fs::write("/log", "ab").await.unwrap();
        let mut a = OpenOptions::new()
            .read(true)
            .append(true)
            .open("/log")
            .await
            .unwrap();
        a.seek(SeekFrom::Start(0)).await.unwrap();
        a.write_all(b"cd").await.unwrap();
        // Another writer grows the file; append still goes to the end.
        fs::OpenOptions::new()
            .write(true)
            .open("/log")
            .await
            .unwrap()
            .write_all_at(b"XYZ", 4)
            .await
            .unwrap();
        a.write_all(b"e").await.unwrap();
        assert_eq!(fs::read("/log").await.unwrap(), b"abcdXYZe");
        assert_eq!(a.seek(SeekFrom::Current(0)).await.unwrap(), 8);
    });
}

#[test]
fn truncate_at_open_and_create_keep_or_drop_contents() {
    run(async {
        fs::write("/f", "hello").await.unwrap();
        OpenOptions::new()
            .write(true)
            .open("/f")
            .await
            .unwrap()
            .write_all(b"J")
            .await
            .unwrap();
        assert_eq!(fs::read("/f").await.unwrap(), b"Jello");
        OpenOptions::new()
            .write(true)
            .create(true)
            .open("/f")
            .await
            .unwrap();
        assert_eq!(fs::read("/f").await.unwrap(), b"Jello");
        OpenOptions::new()
            .write(true)
            .truncate(true)
            .open("/f")
            .await
            .unwrap();
        assert_eq!(fs::read("/f").await.unwrap(), b"");
        File::create("/f")
            .await
            .unwrap()
            .write_all(b"x")
            .await
            .unwrap();
        File::create("/f").await.unwrap();
        assert_eq!(fs::metadata("/f").await.unwrap().len(), 0);
    });
}

#[test]
fn seek_semantics() {
    run(async {
        let mut f = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .open("/f")
            .await
            .unwrap();
        f.write_all(b"0123456789").await.unwrap();
        assert_eq!(f.seek(SeekFrom::Start(2)).await.unwrap(), 2);
        assert_eq!(f.seek(SeekFrom::Current(3)).await.unwrap(), 5);
        assert_eq!(f.seek(SeekFrom::End(-1)).await.unwrap(), 9);
        let mut b = [0; 4];
        assert_eq!(f.read(&mut b).await.unwrap(), 1);
        assert_eq!(b[0], b'9');
        assert_eq!(
            kind(f.seek(SeekFrom::Current(-100)).await),
            ErrorKind::InvalidInput
        );
        // Past the end: reads give 0, a write leaves a hole of zeros.
        assert_eq!(f.seek(SeekFrom::End(3)).await.unwrap(), 13);
        assert_eq!(f.read(&mut b).await.unwrap(), 0);
        f.write_all(b"!").await.unwrap();
        assert_eq!(fs::read("/f").await.unwrap(), b"0123456789\0\0\0!");
    });
}

#[test]
fn set_len_grows_with_zeros_and_shrinks() {
    run(async {
        let f = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .open("/f")
            .await
            .unwrap();
        f.write_all_at(&[7; 5000], 0).await.unwrap();
        f.set_len(10).await.unwrap();
        f.set_len(8192).await.unwrap();
        let data = fs::read("/f").await.unwrap();
        assert_eq!(data.len(), 8192);
        assert_eq!(&data[..10], &[7; 10]);
        assert!(
            data[10..].iter().all(|&b| b == 0),
            "bytes past a shrink read as zeros"
        );
        assert_eq!(Disk::current().stats().used_bytes, 8192);
        let mut buf = [1; 4];
        assert_eq!(f.read_at(&mut buf, 9000).await.unwrap(), 0);
        assert_eq!(
            kind(f.read_exact_at(&mut buf, 8190).await),
            ErrorKind::UnexpectedEof
        );
    });
}

#[test]
fn every_node_has_its_own_disk_and_relative_paths_start_at_the_root() {
    run(async {
        let a = Node::builder("a").build();
        fs::write("shared.txt", "main").await.unwrap();
        let seen = a
            .spawn(async {
                let before = fs::try_exists("/shared.txt").await.unwrap();
                fs::write("/shared.txt", "a").await.unwrap();
                before
            })
            .await
            .unwrap();
        assert!(!seen);
        // ".." is resolved on the disk: "/x" must be a directory.
        fs::create_dir("/x").await.unwrap();
        assert_eq!(
            fs::read_to_string("/./x/../shared.txt").await.unwrap(),
            "main"
        );
        assert_eq!(Disk::of(&a).stats().bytes_written, 1);
    });
}

#[test]
fn read_to_string_refuses_invalid_utf8() {
    run(async {
        fs::write("/bin", [0xff, 0xfe]).await.unwrap();
        assert_eq!(
            kind(fs::read_to_string("/bin").await),
            ErrorKind::InvalidData
        );
    });
}

#[test]
fn file_futures_are_send_so_spawned_tasks_can_use_them() {
    fn assert_send<T: Send>(_: &T) {}
    run(async {
        let fut = async {
            let mut f = File::create("/s").await.unwrap();
            f.write_all(b"x").await.unwrap();
            f.sync_all().await.unwrap();
            fs::read_dir("/").await.unwrap().count()
        };
        assert_send(&fut);
        assert_eq!(detsim::spawn(fut).await.unwrap(), 1);
    });
}

#[test]
fn outside_a_simulation_the_api_is_named() {
    let err = std::panic::catch_unwind(|| {
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        let _ = Box::pin(fs::read("/x")).as_mut().poll(&mut cx);
    })
    .unwrap_err();
    let msg = err.downcast_ref::<String>().unwrap();
    assert!(
        msg.contains("detsim::fs::read was called outside a detsim simulation"),
        "{msg}"
    );
    let err = std::panic::catch_unwind(Disk::current).unwrap_err();
    let msg = err.downcast_ref::<String>().unwrap();
    assert!(msg.contains("outside a detsim simulation"), "{msg}");
}

#[test]
fn disk_handles_configure_per_node_over_the_default_and_count() {
    use detsim::fs::DiskConfig;
    run(async {
        let a = Node::builder("a").build();
        Disk::set_default(DiskConfig::new().capacity(100)).unwrap();
        Disk::of(&a)
            .configure(DiskConfig::new().capacity(5))
            .unwrap();
        assert_eq!(Disk::current().config(), DiskConfig::new().capacity(100));
        assert_eq!(Disk::of(&a).config(), DiskConfig::new().capacity(5));
        let err = a
            .spawn(fs::write("/f", "123456"))
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::StorageFull);
        Disk::of(&a).reset_config();
        a.spawn(fs::write("/f", "123456")).await.unwrap().unwrap();
        let s = Disk::of(&a).stats();
        assert_eq!((s.writes, s.bytes_written, s.used_bytes), (2, 11, 6));
        // fs::write is std's open-then-write_all: the short write (5 of 6
        // bytes) and the next write, which finds the disk full.
        assert_eq!(s.faults.storage_full, 2);
        assert_eq!(format!("{:?}", Disk::of(&a)), "Disk { node: 1, .. }");
    });
}

#[test]
fn preload_creates_parents_and_refuses_impossible_paths() {
    run(async {
        let disk = Disk::current();
        disk.preload("/a/b/c.txt", "one").unwrap();
        disk.preload("a/b/c.txt", b"two").unwrap(); // replaces
        assert_eq!(fs::read_to_string("/a/b/c.txt").await.unwrap(), "two");
        assert_eq!(
            disk.preload("/a/b", "x").unwrap_err().kind(),
            ErrorKind::IsADirectory
        );
        assert_eq!(
            disk.preload("/a/b/c.txt/d", "x").unwrap_err().kind(),
            ErrorKind::NotADirectory
        );
        assert_eq!(
            disk.preload("", "x").unwrap_err().kind(),
            ErrorKind::NotFound
        );
        assert_eq!(
            disk.stats().writes,
            0,
            "preloading is not the code under test's I/O"
        );
    });
}

#[test]
fn fs_write_truncates_then_writes_and_a_reader_can_see_it_empty_between() {
    use detsim::fs::{DiskConfig, Latency};
    use std::time::Duration;
    run(async {
        fs::write("/cfg", "old contents").await.unwrap();
        Disk::current()
            .configure(DiskConfig::new().latency(Latency::constant(Duration::from_millis(1))))
            .unwrap();
        let writer = detsim::spawn(fs::write("/cfg", "new contents"));
        // The open that truncates lands at 1 ms, the write at 2 ms.
        detsim::time::sleep(Duration::from_micros(1500)).await;
        Disk::current().reset_config();
        assert_eq!(
            fs::read("/cfg").await.unwrap(),
            b"",
            "truncated, not yet written"
        );
        writer.await.unwrap().unwrap();
        assert_eq!(fs::read("/cfg").await.unwrap(), b"new contents");
    });
}
