//! A spool directory: the durable-create pattern (create a file, write
//! it, `sync_all` it, then sync its directory so the name survives a
//! crash), once per file, on `detsim::fs` and on `tokio::fs`.
//!
//! Each sync of the directory makes its whole listing durable, so a
//! simulator that copied the listing on each sync costs O(n) per file and
//! O(n²) in all; detsim writes only the names changed since the last
//! sync. The bench prints detsim's cost per file at two spool sizes (the
//! same cost per file means the sync is not proportional to the
//! directory's size) and the ratio against tokio on the smaller one, the
//! same source on both sides.
//!
//! ```text
//! cargo bench --bench fs_spool
//! ```
//!
//! Method: one warm-up, then the median of [`REPS`] repetitions of each
//! row, the sides alternating; tokio runs on a `current_thread` runtime
//! in a fresh directory under `std::env::temp_dir()`, removed afterwards
//! (not timed). Results are in `BENCHMARKS.md`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const REPS: usize = 5;
/// Files per spool in the row compared with tokio (each costs two real
/// fsyncs there).
const SMALL: usize = 1_000;
/// Files per spool in detsim's second row.
const LARGE: usize = 20_000;

/// The workload, the same source on both sides: `$files` durable creates
/// in `$dir` (which exists); the number of entries listed at the end.
macro_rules! spool {
    ($fs:path, $dir:expr, $files:expr, $sync_dir:expr) => {{
        use $fs as fs;
        for i in 0..$files {
            let mut f = fs::File::create($dir.join(format!("msg-{i:06}")))
                .await
                .unwrap();
            f.write_all(b"a message of some sixty-four bytes, the usual small spool file.")
                .await
                .unwrap();
            f.sync_all().await.unwrap();
            $sync_dir.await.unwrap();
        }
        let mut listed = 0;
        let mut entries = fs::read_dir($dir).await.unwrap();
        while entries.next_entry().await.unwrap().is_some() {
            listed += 1;
        }
        listed
    }};
}

fn detsim_run(files: usize) -> Duration {
    let mut sim = detsim::Sim::builder()
        .seed(1)
        .no_step_limit()
        .no_time_limit()
        .build();
    let start = Instant::now();
    let listed = sim
        .run(async move {
            let dir = Path::new("/spool");
            detsim::fs::create_dir(dir).await.unwrap();
            spool!(detsim::fs, dir, files, detsim::fs::sync_dir(dir))
        })
        .unwrap();
    let elapsed = start.elapsed();
    assert_eq!(listed, files);
    elapsed
}

fn tokio_run(files: usize, rep: usize) -> Duration {
    use tokio::io::AsyncWriteExt;
    let dir: PathBuf =
        std::env::temp_dir().join(format!("detsim-bench-spool-{}-{rep}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let start = Instant::now();
    let listed = rt.block_on(async {
        let sync_dir = || async { tokio::fs::File::open(&dir).await?.sync_all().await };
        spool!(tokio::fs, &dir, files, sync_dir())
    });
    let elapsed = start.elapsed();
    drop(rt);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(listed, files);
    elapsed
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    println!(
        "spool: create + write 64 B + sync_all + sync the directory, per file (tokio on {})",
        std::env::temp_dir().display()
    );
    println!("method: 1 warm-up + median of {REPS}, sides alternating");
    detsim_run(SMALL);
    tokio_run(SMALL, 0);
    let (mut small, mut large, mut tokio) = (Vec::new(), Vec::new(), Vec::new());
    let mut ratios = Vec::new();
    for rep in 0..REPS {
        let d = detsim_run(SMALL).as_secs_f64();
        let t = tokio_run(SMALL, rep + 1).as_secs_f64();
        large.push(detsim_run(LARGE).as_secs_f64() / LARGE as f64);
        small.push(d / SMALL as f64);
        tokio.push(t / SMALL as f64);
        ratios.push(t / d);
    }
    let ns = |v: &[f64]| median(v.to_vec()) * 1e9;
    println!();
    println!("{:<26} {:>12}", "row", "ns/file");
    println!(
        "{:<26} {:>12.0}",
        format!("detsim, {SMALL} files"),
        ns(&small)
    );
    println!(
        "{:<26} {:>12.0}",
        format!("detsim, {LARGE} files"),
        ns(&large)
    );
    println!(
        "{:<26} {:>12.0}",
        format!("tokio, {SMALL} files"),
        ns(&tokio)
    );
    println!();
    println!(
        "detsim {:.0}x faster than tokio; {LARGE} files cost {:.2}x per file what {SMALL} do (1.00: no growth with the directory)",
        median(ratios),
        ns(&large) / ns(&small)
    );
}
