//! Catching panics of simulated code, with their message and location.
//!
//! detsim installs (once, chaining to the previous hook) a panic hook that,
//! while a simulation runs on this thread (a [`capture`] scope), records
//! the message, location and (when `RUST_BACKTRACE` asks for one) backtrace
//! instead of printing them: the failure report or `JoinError` carries them,
//! so a sweep over many seeds does not bury its summary under panic output.
//! Panics anywhere else go to the previous hook unchanged. The scope is per
//! run, not per poll, so catching a task's panic costs nothing until one
//! happens; a panic that escapes the scope is printed as it leaves.
//!
//! Whenever the process may be about to abort, nothing is swallowed: under
//! `panic = "abort"`, and for a panic raised while a recorded one is still
//! unwinding (a destructor panicking during a panic), the hook prints the
//! recorded panic and hands the new one to the previous hook.

use std::any::Any;
use std::backtrace::{Backtrace, BacktraceStatus};
use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe, Location, PanicHookInfo};
use std::sync::Once;

/// What is known about a panic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PanicRecord {
    pub(crate) message: String,
    pub(crate) location: Option<String>,
    pub(crate) backtrace: Option<String>,
}

/// Per-thread capture state, in one thread-local (one lookup per catch).
struct State {
    capturing: Cell<bool>,
    last: RefCell<Option<PanicRecord>>,
}

thread_local! {
    static STATE: State = const {
        State {
            capturing: Cell::new(false),
            last: RefCell::new(None),
        }
    };
    /// Where the next panic with this message is to be reported (set by
    /// [`panic_at`], taken by the hook).
    static AT: RefCell<Option<(&'static Location<'static>, String)>> = const { RefCell::new(None) };
}

/// Panics with `message`, reported (in a run's failure or a `JoinError`)
/// at `location` rather than where this is called: for a failure found in
/// library code (a poll, a destructor) on behalf of a call the user made
/// earlier and the library recorded with `#[track_caller]`.
pub(crate) fn panic_at(location: &'static Location<'static>, message: String) -> ! {
    install_hook();
    let _ = AT.try_with(|a| *a.borrow_mut() = Some((location, message.clone())));
    panic::panic_any(message)
}

/// The location [`panic_at`] set for a panic with `message`, if any
/// (cleared either way: a stale one never applies to a later panic).
fn override_for(message: &str) -> Option<String> {
    let (at, m) = AT.try_with(|a| a.borrow_mut().take()).ok().flatten()?;
    (m == message).then(|| at.to_string())
}

static INSTALL: Once = Once::new();

/// Installs the capturing hook (once per process). Called when a
/// simulation is created, never while panicking.
pub(crate) fn install_hook() {
    if std::thread::panicking() {
        return; // `take_hook` would panic; a later simulation installs it.
    }
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let at = override_for(&message_of(info.payload()));
            let capturing = STATE.try_with(|s| s.capturing.get()).unwrap_or(false);
            if !capturing || cfg!(panic = "abort") {
                previous(info);
                return;
            }
            // A record still waiting means this panic started while that one
            // unwinds (a panicking destructor: the process aborts next), or
            // after code caught it itself. Either way, show both.
            let earlier = STATE.try_with(|s| s.last.take()).ok().flatten();
            if let Some(r) = earlier {
                let at = r.location.as_deref().unwrap_or("an unknown location");
                eprintln!("detsim: a simulated task panicked at {at}:\n{}", r.message);
                previous(info);
            }
            let mut record = record_of(info);
            if at.is_some() {
                record.location = at;
            }
            let _ = STATE.try_with(|s| *s.last.borrow_mut() = Some(record));
        }));
    });
}

fn record_of(info: &PanicHookInfo<'_>) -> PanicRecord {
    let backtrace = Backtrace::capture();
    PanicRecord {
        message: message_of(info.payload()),
        location: info.location().map(|l| l.to_string()),
        backtrace: (backtrace.status() == BacktraceStatus::Captured)
            .then(|| user_frames(&backtrace.to_string())),
    }
}

/// Frames of the panic machinery and of detsim's hook (before the user's
/// code) and of detsim's executor (after it).
const MACHINERY: [&str; 9] = [
    "sim_core::",
    "<alloc::boxed::Box<dyn",
    "std::panicking::",
    "std::sys::backtrace::",
    "std::panic::",
    "__rustc::",
    "core::panicking::",
    "core::panic::",
    "rust_begin_unwind",
];

/// A captured backtrace cut to the user's frames: the hook and panic
/// machinery at the top and detsim's executor below the user's code are
/// left out, so a report never shows a backtrace of detsim's own frames.
fn user_frames(text: &str) -> String {
    let mut frames: Vec<Vec<&str>> = Vec::new();
    for line in text.lines() {
        let head = line.trim_start();
        let starts_frame = head
            .split_once(": ")
            .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        match frames.last_mut() {
            Some(frame) if !starts_frame => frame.push(line),
            _ => frames.push(vec![line]),
        }
    }
    let symbol = |frame: &[&str]| {
        let head = frame[0].trim_start();
        head.split_once(": ").map_or(head, |(_, s)| s).to_owned()
    };
    let is_machinery = |frame: &[&str]| {
        let s = symbol(frame);
        MACHINERY.iter().any(|m| s.starts_with(m))
    };
    if !frames.iter().any(|f| is_machinery(f)) {
        return text.to_owned();
    }
    let start = frames
        .iter()
        .position(|f| !is_machinery(f))
        .unwrap_or(frames.len());
    let end = frames[start..]
        .iter()
        .position(|f| symbol(f).starts_with("sim_core::"))
        .map_or(frames.len(), |i| start + i);
    let kept = &frames[start..end];
    if kept.is_empty() {
        return text.to_owned();
    }
    // An optimized build without debug info inlines the task's code into
    // detsim's generic poll frame, which is then all there is to show.
    let note = if kept.iter().all(|f| symbol(f).starts_with("<sim_core::")) {
        "(the task's code was inlined into this detsim frame by an optimized build; \
         debug line tables, e.g. CARGO_PROFILE_RELEASE_DEBUG=line-tables-only, show its frames)"
    } else {
        "(detsim's own frames are left out)"
    };
    let kept: Vec<String> = kept.iter().map(|f| f.join("\n")).collect();
    format!("{}\n   {note}", kept.join("\n"))
}

/// The message of a panic payload (`&str` or `String`), or a placeholder.
pub(crate) fn message_of(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "Box<dyn Any> (a non-string panic payload)".to_owned()
    }
}

/// Records (instead of printing) panics on this thread until dropped.
pub(crate) struct Capture {
    was: bool,
}

/// Starts a capture scope (installing the hook if needed).
pub(crate) fn capture() -> Capture {
    install_hook();
    let was = STATE
        .try_with(|s| s.capturing.replace(true))
        .unwrap_or(false);
    Capture { was }
}

impl Drop for Capture {
    fn drop(&mut self) {
        let _ = STATE.try_with(|s| {
            s.capturing.set(self.was);
            let left = s.last.take();
            // A panic unwinding out of the run was recorded, not printed:
            // print it now rather than lose it.
            if let (Some(r), true) = (left, std::thread::panicking()) {
                let at = r.location.as_deref().unwrap_or("an unknown location");
                eprintln!("detsim: panicked at {at}:\n{}", r.message);
            }
        });
    }
}

/// Runs `f`, catching a panic with its record (recorded by the hook when a
/// [`capture`] scope is active).
#[inline]
pub(crate) fn catch<R>(f: impl FnOnce() -> R) -> Result<R, (Box<dyn Any + Send>, PanicRecord)> {
    panic::catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        let message = message_of(&*payload);
        // A record is this panic's only if the messages agree (a record
        // may be left by a panic the code caught itself, and
        // `resume_unwind` does not run the hook).
        let record = STATE
            .try_with(|s| s.last.take())
            .ok()
            .flatten()
            .filter(|r| r.message == message)
            .unwrap_or(PanicRecord {
                message,
                location: None,
                backtrace: None,
            });
        (payload, record)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backtraces_keep_only_the_users_frames() {
        let bt = "   0: sim_core::panic::record_of
             at ./sim-core/src/panic.rs:78:21
   1: std::panicking::panic_with_hook
   2: __rustc::rust_begin_unwind
   3: core::panicking::assert_failed_inner
   4: my_tests::check_balance
             at ./tests/bank.rs:12:5
   5: my_tests::transfer::{{closure}}
             at ./tests/bank.rs:30:9
   6: sim_core::task::cell::poll
   7: std::rt::lang_start";
        assert_eq!(
            user_frames(bt),
            "   4: my_tests::check_balance
             at ./tests/bank.rs:12:5
   5: my_tests::transfer::{{closure}}
             at ./tests/bank.rs:30:9
   (detsim's own frames are left out)"
        );
        assert_eq!(user_frames("disabled backtrace"), "disabled backtrace");
    }

    #[test]
    fn a_backtrace_of_inlined_task_code_says_so() {
        let bt = "   0: __rustc::rust_begin_unwind
   1: core::panicking::panic_fmt
   6: <sim_core::task::cell::TaskCell<F> as sim_core::task::cell::Task>::poll_task
   7: sim_core::executor::poll_task";
        let kept = user_frames(bt);
        assert!(
            kept.starts_with("   6: <sim_core::task::cell::TaskCell<F>"),
            "{kept}"
        );
        assert!(
            kept.ends_with("CARGO_PROFILE_RELEASE_DEBUG=line-tables-only, show its frames)"),
            "{kept}"
        );
        assert!(!kept.contains("left out"), "{kept}");
    }

    #[test]
    fn records_message_and_location() {
        let _scope = capture();
        let (payload, record) = catch(|| panic!("boom {}", 7)).unwrap_err();
        assert_eq!(message_of(&*payload), "boom 7");
        assert_eq!(record.message, "boom 7");
        assert!(record.location.unwrap().contains("panic.rs"));
    }

    #[test]
    fn passes_values_through() {
        assert_eq!(catch(|| 5).unwrap(), 5);
    }

    #[test]
    fn a_swallowed_panic_does_not_lend_its_record_to_a_resumed_one() {
        let _scope = capture();
        let (_, record) = catch(|| {
            let payload = std::panic::catch_unwind(|| panic!("the real bug")).unwrap_err();
            let _ = std::panic::catch_unwind(|| panic!("expected, swallowed"));
            std::panic::resume_unwind(payload);
        })
        .unwrap_err();
        assert_eq!(record.message, "the real bug");
        assert_eq!(record.location, None, "resumed: the hook never saw it");
    }

    #[test]
    fn a_second_panic_in_one_catch_keeps_its_own_record() {
        let _scope = capture();
        let (_, record) = catch(|| {
            let _ = std::panic::catch_unwind(|| panic!("caught inside"));
            panic!("escapes");
        })
        .unwrap_err();
        assert_eq!(record.message, "escapes");
        assert!(record.location.is_some());
    }

    #[test]
    fn panic_at_reports_the_given_location_and_only_for_its_own_panic() {
        let _scope = capture();
        let here = Location::caller();
        let (_, record) = catch(|| panic_at(here, "scripted step failed".to_owned())).unwrap_err();
        assert_eq!(record.message, "scripted step failed");
        assert_eq!(record.location, Some(here.to_string()));
        // A location set for a panic that never reached the hook with its
        // message does not stick to the next panic.
        let _ = AT.try_with(|a| *a.borrow_mut() = Some((here, "other".to_owned())));
        let (_, record) = catch(|| panic!("unrelated")).unwrap_err();
        assert_ne!(record.location, Some(here.to_string()));
        assert!(record.location.unwrap().contains("panic.rs"));
    }
}
