//! A private scratch directory for the files test binaries write for the
//! CLI (reports, lists, traces, a sweep's chunk output), in the system's
//! temporary directory (`$TMPDIR`, else `/tmp`) as
//! `cargo-detsim-<pid>-<n>/`, and the test processes the CLI runs.
//!
//! Nothing is left behind, however the command ends:
//!
//! * when it ends, the directory is removed (`Drop`);
//! * on SIGINT (Ctrl-C) or SIGTERM, a watcher thread kills the test
//!   processes still running, removes the directories and lets the signal
//!   end the process (exit status 128 + the signal's number);
//! * a process killed outright (SIGKILL, a crash) cannot clean up: each
//!   directory holds a `lock` file its process keeps locked (`flock`) while
//!   it lives, and the next `cargo detsim` to start removes the
//!   directories whose lock is free. (A directory with no `lock`, from an
//!   older cargo-detsim, goes once it is an hour old.) A hangup (SIGHUP)
//!   keeps its default action, so `nohup` works as ever; what it leaves
//!   goes at the next start, in the same way.
//!
//! The signal handling and the locks are Unix only; elsewhere a directory
//! is removed when its command ends. No `unsafe` here: `signal-hook`
//! installs the handlers and `rustix` takes the locks.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, ChildStdout, Command, ExitStatus};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crate::error::CliError;

/// The start of every scratch directory's name.
const PREFIX: &str = "cargo-detsim-";

/// The file in a scratch directory that its process keeps locked.
const LOCK: &str = "lock";

/// How old a scratch directory without a `lock` must be to be taken for
/// the leftover of a process that is gone.
const UNLOCKED_STALE: Duration = Duration::from_secs(3600);

pub(crate) struct Scratch {
    dir: PathBuf,
    /// Held (locked) while the directory is in use.
    _lock: Option<File>,
}

impl Scratch {
    pub(crate) fn new() -> Result<Scratch, CliError> {
        let base = std::env::temp_dir();
        static SWEPT: std::sync::Once = std::sync::Once::new();
        SWEPT.call_once(|| remove_stale(&base));
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = base.join(format!("{PREFIX}{}-{n}", std::process::id()));
        let cannot = |e: std::io::Error| {
            CliError::new(format!(
                "cannot create the scratch directory {}: {e}; set TMPDIR to a writable directory",
                dir.display()
            ))
        };
        let mut tries = 0;
        let lock = loop {
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).map_err(cannot)?;
            match lock::hold(&dir.join(LOCK)) {
                Ok(lock) => break lock,
                // Another cargo detsim took the new directory for a stale
                // one before we locked it, and is removing it: again.
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock && tries < 5 => tries += 1,
                Err(e) => return Err(cannot(e)),
            }
        };
        registry().dirs.push(dir.clone());
        Ok(Scratch { dir, _lock: lock })
    }

    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        registry().dirs.retain(|d| *d != self.dir);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// What an interrupted command must clean up: its scratch directories and
/// the test processes it started that have not been reaped.
struct Registry {
    dirs: Vec<PathBuf>,
    procs: Vec<Arc<Mutex<Child>>>,
    /// Set once a signal came: no new test process starts.
    closing: bool,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    dirs: Vec::new(),
    procs: Vec::new(),
    closing: false,
});

fn registry() -> MutexGuard<'static, Registry> {
    REGISTRY.lock().unwrap_or_else(|p| p.into_inner())
}

fn locked(child: &Mutex<Child>) -> MutexGuard<'_, Child> {
    child.lock().unwrap_or_else(|p| p.into_inner())
}

/// A test process started by [`spawn`], which an interrupt kills. Its
/// `Child` is shared with the clean-up (the registry), so the kill goes to
/// the process itself, never to a process id that another may have taken.
pub(crate) struct Proc(Arc<Mutex<Child>>);

impl Proc {
    /// `Child::try_wait`; once the process is reaped the registry forgets
    /// it.
    pub(crate) fn try_wait(&self) -> std::io::Result<Option<ExitStatus>> {
        let status = locked(&self.0).try_wait()?;
        if status.is_some() {
            self.forget();
        }
        Ok(status)
    }

    /// Kills and reaps the process (a no-op for one that has ended and
    /// been reaped).
    pub(crate) fn stop(&self) {
        {
            let mut child = locked(&self.0);
            let _ = child.kill();
            let _ = child.wait();
        }
        self.forget();
    }

    /// The process's piped stdout and stderr, taken.
    pub(crate) fn take_pipes(&self) -> (Option<ChildStdout>, Option<ChildStderr>) {
        let mut child = locked(&self.0);
        (child.stdout.take(), child.stderr.take())
    }

    /// Waits for the process to end. It polls, so as never to hold the
    /// process's lock while it blocks: the interrupt clean-up takes it to
    /// kill the process.
    pub(crate) fn wait(&self) -> std::io::Result<ExitStatus> {
        loop {
            if let Some(status) = self.try_wait()? {
                return Ok(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn forget(&self) {
        registry().procs.retain(|p| !Arc::ptr_eq(p, &self.0));
    }
}

/// Starts `cmd`, a test process that an interrupt must kill.
pub(crate) fn spawn(cmd: &mut Command) -> std::io::Result<Proc> {
    // Under the lock: a signal's clean-up sees every process started.
    let mut reg = registry();
    if reg.closing {
        return Err(std::io::Error::new(
            std::io::ErrorKind::Interrupted,
            "cargo detsim is being interrupted",
        ));
    }
    let child = Arc::new(Mutex::new(cmd.spawn()?));
    reg.procs.push(Arc::clone(&child));
    Ok(Proc(child))
}

/// Removes the scratch directories of `cargo detsim` processes that are
/// gone (killed before they could clean up) from `base`.
fn remove_stale(base: &Path) {
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        // A directory of this process has its lock held: it stays.
        if !entry.file_name().to_string_lossy().starts_with(PREFIX) {
            continue;
        }
        if !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let dir = entry.path();
        match lock::try_take(&dir.join(LOCK)) {
            // Its process is gone: remove it while holding its lock.
            Some(Some(_held)) => {
                let _ = std::fs::remove_dir_all(&dir);
            }
            // Its process is alive, or locks are not supported here.
            Some(None) => {}
            // No lock: an older cargo-detsim's directory, or one being
            // created this instant.
            None => {
                let age = entry
                    .metadata()
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| t.elapsed().ok()); // determinism: ok (scratch clean-up only)
                if lock::SUPPORTED && age.is_some_and(|a| a > UNLOCKED_STALE) {
                    let _ = std::fs::remove_dir_all(&dir);
                }
            }
        }
    }
}

/// If a signal is being handled (see [`clean_up_on_signals`]), waits for
/// its clean-up to end the process: what the caller was about to report
/// (a test process that died of the same Ctrl-C) is not news.
pub(crate) fn wait_if_interrupted() {
    #[cfg(unix)]
    if signals::interrupted() {
        loop {
            std::thread::park();
        }
    }
}

/// Cleans up and ends the process on SIGINT and SIGTERM (see the module's
/// documentation; SIGHUP keeps its default action).
pub(crate) fn clean_up_on_signals() {
    #[cfg(unix)]
    signals::install();
}

#[cfg(unix)]
mod lock {
    use std::fs::File;
    use std::path::Path;

    use rustix::fs::{FlockOperation, flock};

    pub(super) const SUPPORTED: bool = true;

    /// Creates the lock file `path` and locks it for as long as the
    /// returned file is open.
    pub(super) fn hold(path: &Path) -> std::io::Result<Option<File>> {
        let file = File::create(path)?;
        flock(&file, FlockOperation::NonBlockingLockExclusive)?;
        Ok(Some(file))
    }

    /// The lock `path`, locked, if its holder is gone (`Some(Some)`);
    /// `Some(None)` if it is held; `None` if there is no such file.
    pub(super) fn try_take(path: &Path) -> Option<Option<File>> {
        let file = File::open(path).ok()?;
        let taken = flock(&file, FlockOperation::NonBlockingLockExclusive).is_ok();
        Some(taken.then_some(file))
    }
}

#[cfg(not(unix))]
mod lock {
    use std::fs::File;
    use std::path::Path;

    pub(super) const SUPPORTED: bool = false;

    pub(super) fn hold(_: &Path) -> std::io::Result<Option<File>> {
        Ok(None)
    }

    /// Without locks, every directory counts as in use.
    pub(super) fn try_take(path: &Path) -> Option<Option<File>> {
        path.exists().then_some(None)
    }
}

#[cfg(unix)]
mod signals {
    use std::io::IsTerminal as _;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, OnceLock};

    use signal_hook::consts::{SIGINT, SIGTERM};
    use signal_hook::iterator::Signals;

    use super::{locked, registry};

    /// Set by the signal handler itself, at once: a test process that died
    /// of the same Ctrl-C may be seen ended before the watcher thread wakes.
    static INTERRUPTED: OnceLock<Arc<AtomicBool>> = OnceLock::new();

    pub(super) fn interrupted() -> bool {
        INTERRUPTED
            .get()
            .is_some_and(|flag| flag.load(Ordering::SeqCst))
    }

    pub(super) fn install() {
        let flag = INTERRUPTED.get_or_init(Arc::default);
        for signal in [SIGINT, SIGTERM] {
            let _ = signal_hook::flag::register(signal, Arc::clone(flag));
        }
        let Ok(mut signals) = Signals::new([SIGINT, SIGTERM]) else {
            return;
        };
        let _ = std::thread::Builder::new()
            .name("cargo-detsim-signals".into())
            .spawn(move || {
                if let Some(signal) = signals.forever().next() {
                    clean_up_and_die(signal);
                }
            });
    }

    fn clean_up_and_die(signal: i32) -> ! {
        // The lock stays held until the process ends: nothing starts.
        let mut reg = registry();
        reg.closing = true;
        for child in &reg.procs {
            let _ = locked(child).kill();
        }
        for dir in &reg.dirs {
            let _ = std::fs::remove_dir_all(dir);
        }
        let name = if signal == SIGINT {
            "SIGINT"
        } else {
            "SIGTERM"
        };
        // After a progress line redrawn in place, start a line of our own.
        let newline = if std::io::stderr().is_terminal() {
            "\n"
        } else {
            ""
        };
        let stopped = match reg.procs.len() {
            0 => String::new(),
            1 => "stopped its test process, ".to_owned(),
            n => format!("stopped its {n} test processes, "),
        };
        crate::out::tell!(
            "{newline}cargo detsim: interrupted ({name}): {stopped}removed its scratch files"
        );
        // End as the signal ends a process, so a shell or CI sees it.
        let _ = signal_hook::low_level::emulate_default_handler(signal);
        std::process::exit(128 + signal)
    }
}
