//! A private scratch directory for the files test binaries write for the
//! CLI (reports, lists, traces, a sweep's chunk output), in the system's
//! temporary directory (`$TMPDIR`, else `/tmp`) as
//! `cargo-detsim-<pid>-<n>/`, and the test processes the CLI runs.
//!
//! Nothing is left behind, however the command ends:
//!
//! * when it ends, the directory is removed (`Drop`);
//! * on SIGINT (Ctrl-C), SIGTERM or SIGHUP, a watcher thread kills the
//!   test processes still running, removes the directories and lets the
//!   signal end the process (exit status 128 + the signal's number);
//! * a process killed outright (SIGKILL, a crash) cannot clean up: each
//!   directory holds a `lock` file its process keeps locked (`flock`) while
//!   it lives, and the next `cargo detsim` to start removes the
//!   directories whose lock is free. (A directory with no `lock`, from an
//!   older cargo-detsim, goes once it is an hour old.)
//!
//! The signal handling and the locks are Unix only; elsewhere a directory
//! is removed when its command ends.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, MutexGuard};
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
    pids: Vec<u32>,
    /// Set once a signal came: no new test process starts.
    closing: bool,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    dirs: Vec::new(),
    pids: Vec::new(),
    closing: false,
});

fn registry() -> MutexGuard<'static, Registry> {
    REGISTRY.lock().unwrap_or_else(|p| p.into_inner())
}

/// Starts `cmd`, a test process that an interrupt must kill.
pub(crate) fn spawn(cmd: &mut Command) -> std::io::Result<Child> {
    // Under the lock: a signal's clean-up sees every process started.
    let mut reg = registry();
    if reg.closing {
        return Err(std::io::Error::new(
            std::io::ErrorKind::Interrupted,
            "cargo detsim is being interrupted",
        ));
    }
    let child = cmd.spawn()?;
    reg.pids.push(child.id());
    Ok(child)
}

/// `child.try_wait()` for a process from [`spawn`]: once it is reaped,
/// its id (which another process may take next) is no longer killed on an
/// interrupt.
pub(crate) fn try_wait(child: &mut Child) -> std::io::Result<Option<ExitStatus>> {
    let mut reg = registry();
    let status = child.try_wait()?;
    if status.is_some() {
        reg.pids.retain(|&p| p != child.id());
    }
    Ok(status)
}

/// Kills and reaps a process from [`spawn`] (a no-op for one that has
/// ended and been reaped).
pub(crate) fn stop(child: &mut Child) {
    let mut reg = registry();
    let _ = child.kill();
    let _ = child.wait();
    reg.pids.retain(|&p| p != child.id());
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

/// Cleans up and ends the process on SIGINT, SIGTERM and SIGHUP (see the
/// module's documentation). A signal that was ignored when `cargo detsim`
/// started (`nohup`) stays ignored.
pub(crate) fn clean_up_on_signals() {
    #[cfg(unix)]
    signals::install();
}

#[cfg(unix)]
mod lock {
    use std::fs::File;
    use std::os::fd::AsRawFd as _;
    use std::path::Path;

    pub(super) const SUPPORTED: bool = true;

    /// Creates the lock file `path` and locks it for as long as the
    /// returned file is open.
    pub(super) fn hold(path: &Path) -> std::io::Result<Option<File>> {
        let file = File::create(path)?;
        // SAFETY: flock on a descriptor we own, open for the call.
        let r = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if r != 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(Some(file))
    }

    /// The lock `path`, locked, if its holder is gone (`Some(Some)`);
    /// `Some(None)` if it is held; `None` if there is no such file.
    pub(super) fn try_take(path: &Path) -> Option<Option<File>> {
        let file = File::open(path).ok()?;
        // SAFETY: flock on a descriptor we own, open for the call.
        let r = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        Some((r == 0).then_some(file))
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
    use std::io::{IsTerminal as _, Write as _};
    use std::sync::atomic::{AtomicI32, Ordering};
    use std::time::Duration;

    use super::registry;

    /// The signal that came, or 0.
    static SIGNAL: AtomicI32 = AtomicI32::new(0);

    const HANDLED: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

    extern "C" fn on_signal(signal: libc::c_int) {
        // Only this here: a handler may do nothing that allocates or locks.
        SIGNAL.store(signal, Ordering::SeqCst);
    }

    pub(super) fn interrupted() -> bool {
        SIGNAL.load(Ordering::SeqCst) != 0
    }

    pub(super) fn install() {
        for signal in HANDLED {
            // SAFETY: sigaction with zeroed (valid) structures; the handler
            // only stores to an atomic, which is async-signal-safe.
            unsafe {
                let mut old: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(signal, std::ptr::null(), &mut old) != 0
                    || old.sa_sigaction == libc::SIG_IGN
                {
                    continue;
                }
                let mut new: libc::sigaction = std::mem::zeroed();
                new.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
                libc::sigemptyset(&mut new.sa_mask);
                new.sa_flags = libc::SA_RESTART;
                libc::sigaction(signal, &new, std::ptr::null_mut());
            }
        }
        let _ = std::thread::Builder::new()
            .name("cargo-detsim-signals".into())
            .spawn(watch);
    }

    fn watch() {
        loop {
            let signal = SIGNAL.load(Ordering::SeqCst);
            if signal != 0 {
                clean_up_and_die(signal);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn clean_up_and_die(signal: libc::c_int) -> ! {
        // The lock stays held until the process ends: nothing starts.
        let mut reg = registry();
        reg.closing = true;
        for &pid in &reg.pids {
            if let Ok(pid) = libc::pid_t::try_from(pid) {
                // SAFETY: kill(2) of a child we started and have not reaped
                // (so its id is still its own).
                unsafe { libc::kill(pid, libc::SIGKILL) };
            }
        }
        for dir in &reg.dirs {
            let _ = std::fs::remove_dir_all(dir);
        }
        let name = match signal {
            libc::SIGINT => "SIGINT",
            libc::SIGTERM => "SIGTERM",
            _ => "SIGHUP",
        };
        let mut err = std::io::stderr().lock();
        // After a progress line redrawn in place, start a line of our own.
        let newline = if std::io::stderr().is_terminal() {
            "\n"
        } else {
            ""
        };
        let stopped = match reg.pids.len() {
            0 => String::new(),
            1 => "stopped its test process, ".to_owned(),
            n => format!("stopped its {n} test processes, "),
        };
        let _ = writeln!(
            err,
            "{newline}cargo detsim: interrupted ({name}): {stopped}removed its scratch files"
        );
        let _ = err.flush();
        drop(err);
        // End as the signal ends a process, so a shell or CI sees it.
        // SAFETY: back to the default action, then the signal again.
        unsafe {
            libc::signal(signal, libc::SIG_DFL);
            libc::raise(signal);
        }
        std::process::exit(128 + signal)
    }
}
