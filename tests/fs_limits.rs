//! The disk's limits, as ext4's: a file of at most 16 TiB (a write or
//! `set_len` past it is `FileTooLarge`, EFBIG, and changes nothing), and
//! a position of at most `i64::MAX` (lseek's off_t: past it is
//! `InvalidInput`). Both are errors, never an abort of the process.

use std::io::{ErrorKind, SeekFrom};

use detsim::Sim;
use detsim::fs::{self, File, OpenOptions};

const TIB: u64 = 1 << 40;

fn run<T>(f: impl std::future::Future<Output = T>) -> T {
    Sim::builder().build().run(f).unwrap()
}

#[test]
fn a_write_or_set_len_past_16_tib_is_file_too_large_and_changes_nothing() {
    run(async {
        let f = File::create("/big").await.unwrap();
        f.write_at(b"head", 0).await.unwrap();
        let err = f.write_at(b"x", 1 << 50).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::FileTooLarge);
        assert!(err.to_string().starts_with("/big: file too large"), "{err}");
        assert!(err.to_string().contains("16 TiB"), "{err}");
        // The last byte would be at 16 TiB exactly: one too many.
        let err = f.write_at(b"x", 16 * TIB).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::FileTooLarge);
        let err = f.set_len(16 * TIB + 1).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::FileTooLarge);
        assert!(err.to_string().starts_with("/big: file too large"), "{err}");
        assert_eq!(fs::read("/big").await.unwrap(), b"head");
        // A write of nothing writes nothing, wherever.
        assert_eq!(f.write_at(b"", 1 << 60).await.unwrap(), 0);
    });
}

#[test]
fn a_position_past_i64_max_is_invalid_input() {
    run(async {
        let mut f = OpenOptions::new()
            .create(true)
            .write(true)
            .open("/f")
            .await
            .unwrap();
        let max = i64::MAX as u64;
        assert_eq!(f.seek(SeekFrom::Start(max)).await.unwrap(), max);
        let err = f.seek(SeekFrom::Current(1)).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        let err = f.seek(SeekFrom::Start(max + 1)).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        // A failed seek leaves the position where it was.
        assert_eq!(f.seek(SeekFrom::Current(0)).await.unwrap(), max);
    });
}
