//! A private scratch directory for the files test binaries write for the
//! CLI (reports, lists, traces), removed when the command ends.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use crate::error::CliError;

pub(crate) struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    pub(crate) fn new() -> Result<Scratch, CliError> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("cargo-detsim-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| {
            CliError::new(format!(
                "cannot create the scratch directory {}: {e}; set TMPDIR to a writable directory",
                dir.display()
            ))
        })?;
        Ok(Scratch { dir })
    }

    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
