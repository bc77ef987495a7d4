//! The command line: `cargo detsim <command> [flags]`, parsed by hand so
//! every mistake is one line naming the flag and the fix.

use std::path::{Path, PathBuf};

use sim_core::harness::shell_word;

use crate::error::CliError;

mod values;

use values::{parse_count, parse_seed};
pub(crate) use values::{parse_scheduler, parse_seeds, parse_shard, same_scheduler};

/// What to build: cargo's package selection, target selection, features
/// and profile.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Build {
    pub(crate) packages: Vec<String>,
    pub(crate) workspace: bool,
    pub(crate) release: bool,
    /// `--lib`, `--test NAME`, `--bin NAME`, ...: passed on to cargo.
    pub(crate) targets: Vec<String>,
    /// `--features LIST`, `--all-features`, `--no-default-features`, in
    /// the order given: passed on to cargo as they are.
    pub(crate) features: Vec<String>,
}

impl Build {
    /// The feature flags as a suffix of a printed command (` --features
    /// x`, each word quoted for the shell), so that a command the CLI
    /// suggests builds what this one built.
    pub(crate) fn feature_flags(&self) -> String {
        self.features
            .iter()
            .map(|a| format!(" {}", shell_word(a)))
            .collect()
    }
}

/// A range of `len` seeds from `start`; its last seed can be `u64::MAX`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Seeds {
    pub(crate) start: u64,
    pub(crate) len: u64,
}

impl Seeds {
    pub(crate) fn len(self) -> u64 {
        self.len
    }

    /// The seeds from `start` to `last`, both included (`last >= start`,
    /// and not all 2^64 of them).
    pub(crate) fn inclusive(start: u64, last: u64) -> Seeds {
        Seeds {
            start,
            len: last - start + 1,
        }
    }

    /// The first seed after the range, unless the range ends at
    /// `u64::MAX`.
    pub(crate) fn end(self) -> Option<u64> {
        self.start.checked_add(self.len)
    }

    /// The last seed of the range (none when it is empty).
    pub(crate) fn last(self) -> Option<u64> {
        self.len.checked_sub(1).map(|n| self.start + n)
    }
}

/// As `--seeds` takes it: `start..end`, or `start..=last` when the range
/// ends at `u64::MAX` (whose end would not fit in 64 bits).
impl std::fmt::Display for Seeds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.end(), self.last()) {
            (None, Some(last)) => write!(f, "{}..={last}", self.start),
            (end, _) => write!(f, "{}..{}", self.start, end.unwrap_or(self.start)),
        }
    }
}

/// `--shard i/n`: this machine runs the i-th of n contiguous blocks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Shard {
    pub(crate) index: u64,
    pub(crate) count: u64,
}

impl Shard {
    /// The block of `seeds` this shard owns: shard i of n gets
    /// `start + len*i/n .. start + len*(i+1)/n`, so the n shards cover the
    /// range exactly once, in blocks that differ in size by at most one.
    pub(crate) fn of(self, seeds: Seeds) -> Seeds {
        let len = u128::from(seeds.len());
        let at = |i: u64| (len * u128::from(i) / u128::from(self.count)) as u64;
        Seeds {
            start: seeds.start + at(self.index),
            len: at(self.index + 1) - at(self.index),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Sweep {
    pub(crate) filter: String,
    pub(crate) seeds: Seeds,
    pub(crate) jobs: Option<usize>,
    pub(crate) shard: Option<Shard>,
    pub(crate) keep_going: bool,
    pub(crate) json: Option<PathBuf>,
    pub(crate) chunk: Option<u64>,
    /// `--scheduler` (normalised as [`parse_scheduler`] gives it): passed
    /// on as `DETSIM_SCHEDULER`; without it, the environment's
    /// `DETSIM_SCHEDULER` is (see `crate::scheduler`).
    pub(crate) scheduler: Option<String>,
}

/// `replay <artifact>` or `replay --seed S <test>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ReplayOf {
    Artifact(PathBuf),
    Seed { seed: u64, test: String },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Replay {
    pub(crate) of: ReplayOf,
    pub(crate) log: bool,
    pub(crate) trace: Option<PathBuf>,
    /// `--scheduler` (normalised as [`parse_scheduler`] gives it): for
    /// `replay --seed`, passed on as `DETSIM_SCHEDULER` (without it, the
    /// environment's `DETSIM_SCHEDULER` is, see `crate::scheduler`); an
    /// artifact's replay refuses it (the artifact records its scheduler).
    pub(crate) scheduler: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Command {
    Help,
    List,
    Sweep(Sweep),
    Replay(Replay),
    Shrink(PathBuf),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Args {
    pub(crate) command: Command,
    pub(crate) build: Build,
}

pub(crate) const USAGE: &str = "\
cargo detsim: sweep, replay, trace and shrink detsim simulation tests

usage:
  cargo detsim list   [-p PKG]... [--workspace] [TARGET]... [FEATURES] [--release]
  cargo detsim sweep  <filter> --seeds A..B|A..=B|N [--jobs J] [--shard I/N] [--keep-going]
                      [--scheduler random|fifo|pct|pct:N|portfolio] [--json FILE]
                      [--chunk SEEDS] [-p PKG]... [--workspace] [TARGET]... [FEATURES]
                      [--release]
  cargo detsim replay <artifact> [--log] [--trace OUT.json] [FEATURES] [--release]
  cargo detsim replay --seed S <test> [--scheduler random|fifo|pct|pct:N|portfolio] [--log]
                      [--trace OUT.json] [-p PKG]... [TARGET]... [FEATURES] [--release]
  cargo detsim shrink <artifact> [FEATURES] [--release]

TARGET selects test binaries as cargo test does: --lib, --bin NAME, --test NAME,
--example NAME, --bench NAME (for a test name that several targets have).
FEATURES are cargo's --features LIST (-F), --all-features, --no-default-features.
replay and shrink of an artifact build with the FEATURES it recorded, unless given others.
--seeds A..B runs A to B-1, A..=B runs A to B (up to 0xffffffffffffffff), N runs 0..N;
numbers are decimal or 0x hex. replay of an artifact builds the package and target it
names: -p and TARGET select the test of replay --seed.
sweep and replay --seed run the scheduler --scheduler names, else the one DETSIM_SCHEDULER
in the environment names (both, naming different ones, is an error), else each test's own:
give replay --seed the scheduler of the sweep that found the seed. replay of an artifact
runs the scheduler it recorded.

exit status: 0 passed, 1 a test failed, 2 a usage or setup error (or an
artifact whose failure no longer happens)";

/// Checks that the file `path` of `flag` (`--json FILE`) can be written,
/// before a sweep or replay that takes minutes finds out it cannot: opens
/// it for appending, creating it, and removes it again if it was not
/// there (so a run that ends in an error leaves no empty file).
pub(crate) fn check_output(flag: &str, path: &Path) -> Result<(), CliError> {
    use std::io::ErrorKind;
    let existed = path.symlink_metadata().is_ok();
    let opened = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path);
    let e = match opened {
        Ok(_) => {
            if !existed {
                let _ = std::fs::remove_file(path);
            }
            return Ok(());
        }
        Err(e) => e,
    };
    let shown = path.display();
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.display().to_string(),
        _ => ".".to_owned(),
    };
    Err(bad(match e.kind() {
        ErrorKind::NotFound => format!(
            "{flag} {shown}: the directory {dir} does not exist; create it first, or give a \
             path in a directory that exists"
        ),
        ErrorKind::IsADirectory => format!(
            "{flag} {shown}: it is a directory; give the path of a file in it, like {flag} {}",
            path.join(if flag == "--trace" {
                "trace.json"
            } else {
                "sweep.json"
            })
            .display()
        ),
        ErrorKind::NotADirectory => {
            format!("{flag} {shown}: {dir} is not a directory; give a path in a directory")
        }
        _ => format!(
            "{flag} {shown}: the file cannot be written ({e}); give a path in a writable \
             directory"
        ),
    }))
}

fn bad(text: impl Into<String>) -> CliError {
    CliError::new(text)
}

/// Parses the arguments after the program name (and after cargo's
/// `detsim`, if present).
pub(crate) fn parse(raw: &[String]) -> Result<Args, CliError> {
    let mut it = raw.iter().map(String::as_str).peekable();
    if it.peek() == Some(&"detsim") {
        it.next();
    }
    let asks_help = raw.iter().any(|a| a == "--help" || a == "-h");
    let command = match it.next() {
        _ if asks_help => {
            return Ok(Args {
                command: Command::Help,
                build: Build::default(),
            });
        }
        None | Some("help") => {
            return Ok(Args {
                command: Command::Help,
                build: Build::default(),
            });
        }
        Some(c @ ("list" | "sweep" | "replay" | "shrink")) => c,
        Some("trace" | "export") => {
            return Err(bad(
                "a run's trace is exported by replay: cargo detsim replay <artifact> --trace \
                 OUT.json (Chrome/Perfetto JSON) or --log (the text log); replay --seed S \
                 <test> takes the same flags",
            ));
        }
        Some(other) => {
            return Err(bad(format!(
                "unknown command `{other}`: use one of list, sweep, replay, shrink \
                 (cargo detsim --help)"
            )));
        }
    };
    let mut build = Build::default();
    let mut positional = Vec::new();
    let mut seeds = None;
    let mut seed = None;
    let mut jobs = None;
    let mut shard = None;
    let mut chunk = None;
    let mut keep_going = false;
    let mut json = None;
    let mut log = false;
    let mut trace = None;
    let mut scheduler = None;
    // The first package or target selection given, as written (`-p x`).
    let mut selection: Option<String> = None;
    // Cargo's package and target selection, then each command's own.
    const PACKAGES: &[&str] = &["-p", "--package", "--workspace"];
    const TARGETS: &[&str] = &[
        "--release",
        "--lib",
        "--bin",
        "--test",
        "--example",
        "--bench",
    ];
    const FEATURES: &[&str] = &[
        "--features",
        "-F",
        "--all-features",
        "--no-default-features",
    ];
    // The flags whose one value a repetition would replace.
    const ONCE: &[&str] = &[
        "--seeds",
        "--seed",
        "--jobs",
        "--chunk",
        "--shard",
        "--json",
        "--trace",
        "--scheduler",
    ];
    // Flags that take no value: `--log=x` is a mistake, not `--log`; and
    // given once at most, as cargo's own switches.
    const SWITCHES: &[&str] = &[
        "--workspace",
        "--release",
        "--lib",
        "--all-features",
        "--no-default-features",
        "--keep-going",
        "--log",
    ];
    let allowed: Vec<&str> = match command {
        "list" => [PACKAGES, TARGETS, FEATURES].concat(),
        "sweep" => [
            PACKAGES,
            TARGETS,
            FEATURES,
            &[
                "--seeds",
                "--jobs",
                "-j",
                "--shard",
                "--keep-going",
                "--json",
                "--chunk",
                "--scheduler",
            ],
        ]
        .concat(),
        "replay" => [
            &PACKAGES[..2],
            TARGETS,
            FEATURES,
            &["--seed", "--log", "--trace", "--scheduler"],
        ]
        .concat(),
        _ => [&["--release"], FEATURES].concat(),
    };
    let mut given_once = std::collections::BTreeSet::new();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with('-') => (f, Some(v)),
            _ => (arg, None),
        };
        if !flag.starts_with('-') || flag == "-" {
            positional.push(arg.to_owned());
            continue;
        }
        if !allowed.contains(&flag) {
            return Err(bad(format!(
                "`{flag}` is not a flag of `cargo detsim {command}`: it takes {} \
                 (cargo detsim --help)",
                allowed.join(", ")
            )));
        }
        // A value that a second occurrence would silently replace, or a
        // switch given again (which cargo refuses too).
        let once = match flag {
            "-j" => "--jobs",
            f if ONCE.contains(&f) || SWITCHES.contains(&f) => f,
            _ => "",
        };
        if !once.is_empty() && !given_once.insert(once) {
            return Err(bad(if SWITCHES.contains(&once) {
                format!("{once} is given twice: give it once (cargo refuses it twice too)")
            } else {
                format!(
                    "{once} is given twice: give it once (the last one would silently replace \
                     the first)"
                )
            }));
        }
        if SWITCHES.contains(&flag) && inline.is_some() {
            return Err(bad(format!(
                "`{arg}`: {flag} takes no value; write {flag} alone (cargo detsim {command} ... \
                 {flag})"
            )));
        }
        let mut value = |what: &str| -> Result<String, CliError> {
            match inline
                .map(str::to_owned)
                .or_else(|| it.next().map(str::to_owned))
            {
                Some(v) => Ok(v),
                None => Err(bad(format!("`{flag}` needs a value: {flag} {what}"))),
            }
        };
        let mut selected = |given: String| {
            selection.get_or_insert(given);
        };
        match flag {
            "-p" | "--package" => {
                let name = value("PACKAGE")?;
                selected(format!("{flag} {}", shell_word(&name)));
                build.packages.push(name);
            }
            "--workspace" => build.workspace = true,
            "--release" => build.release = true,
            "--lib" => {
                selected("--lib".into());
                build.targets.push("--lib".into());
            }
            "--bin" | "--test" | "--example" | "--bench" => {
                let name = value("NAME")?;
                selected(format!("{flag} {}", shell_word(&name)));
                build.targets.extend([flag.to_owned(), name]);
            }
            "--features" | "-F" => {
                let list = value("\"feat1 feat2\" or feat1,feat2")?;
                build.features.extend(["--features".to_owned(), list]);
            }
            "--all-features" | "--no-default-features" => build.features.push(flag.to_owned()),
            "--keep-going" => keep_going = true,
            "--log" => log = true,
            "--seeds" => seeds = Some(parse_seeds(&value("0..1000")?)?),
            "--seed" => seed = Some(parse_seed("--seed", &value("42")?)?),
            "--jobs" | "-j" => {
                let n = parse_count("--jobs", "a number of jobs", &value("4")?, "4")?;
                jobs = Some(usize::try_from(n).unwrap_or(usize::MAX));
            }
            "--chunk" => {
                chunk = Some(parse_count(
                    "--chunk",
                    "a chunk's count of seeds",
                    &value("1000")?,
                    "1000",
                )?);
            }
            "--shard" => shard = Some(parse_shard(&value("0/4")?)?),
            "--json" => json = Some(PathBuf::from(value("FILE")?)),
            "--trace" => trace = Some(PathBuf::from(value("OUT.json")?)),
            "--scheduler" => scheduler = Some(parse_scheduler(&value("portfolio")?)?),
            _ => unreachable!("every allowed flag is handled"),
        }
    }
    // The one positional argument: `what` is its noun with an article
    // (`a test filter`), `example` a valid command line after the command.
    let one = |(article, what): (&str, &str), example: &str| -> Result<String, CliError> {
        match positional.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err(bad(format!(
                "`cargo detsim {command}` needs {article} {what}: cargo detsim {command} {example}"
            ))),
            [_, extra, ..] => Err(bad(format!(
                "unexpected argument `{extra}`: `cargo detsim {command}` takes one {what} \
                 (cargo detsim {command} {example})"
            ))),
        }
    };
    let command = match command {
        "list" => {
            if let Some(extra) = positional.first() {
                return Err(bad(format!(
                    "unexpected argument `{extra}`: `cargo detsim list` takes no filter; \
                     select packages with -p"
                )));
            }
            Command::List
        }
        "sweep" => {
            let filter = one(("a", "test filter"), "<test> --seeds 0..1000")?;
            let Some(seeds) = seeds else {
                return Err(bad(
                    "`cargo detsim sweep` needs --seeds: --seeds 0..100000 (a range), \
                     --seeds 0..=99999 (a range with its last seed) or --seeds 1000 (the \
                     first 1000)",
                ));
            };
            Command::Sweep(Sweep {
                filter,
                seeds,
                jobs,
                shard,
                keep_going,
                json,
                chunk,
                scheduler,
            })
        }
        "replay" => {
            let of = match seed {
                Some(seed) => {
                    let test = one(("a", "test name"), "--seed 42 <test>")?;
                    if is_artifact(&test) {
                        return Err(artifact_and_seed(&test, seed));
                    }
                    ReplayOf::Seed { seed, test }
                }
                None => ReplayOf::Artifact(PathBuf::from(one(
                    ("an", "artifact"),
                    "target/detsim/failures/<file>.json",
                )?)),
            };
            // The artifact names its package and target, and the replay
            // builds those: a selection of ours would be ignored.
            if let (ReplayOf::Artifact(_), Some(given)) = (&of, &selection) {
                return Err(bad(format!(
                    "`{given}`: cargo detsim replay <artifact> builds the package and target \
                     the artifact names, so it takes no -p, --lib, --bin, --test, --example or \
                     --bench; drop `{given}`, or replay a seed of that selection: cargo detsim \
                     replay --seed S {given} <test>"
                )));
            }
            Command::Replay(Replay {
                of,
                log,
                trace,
                scheduler,
            })
        }
        _ => Command::Shrink(PathBuf::from(one(
            ("an", "artifact"),
            "target/detsim/failures/<file>.json",
        )?)),
    };
    Ok(Args { command, build })
}

/// Whether the argument of `replay --seed S <test>` is an artifact file
/// rather than a test's name (which has no `.json` end, and names no
/// file).
fn is_artifact(arg: &str) -> bool {
    arg.to_ascii_lowercase().ends_with(".json") || Path::new(arg).is_file()
}

/// The error for `replay <artifact> --seed S`: the artifact's replay runs
/// its recorded seed and tape, `--seed` another seed of a test: one or
/// the other.
fn artifact_and_seed(artifact: &str, seed: u64) -> CliError {
    let shown = shell_word(artifact);
    bad(format!(
        "{shown} is an artifact, and --seed {seed} replays a seed of a test: give one, not both \
         (cargo detsim replay {shown} replays the artifact's recorded run; cargo detsim replay \
         --seed {seed} <test> runs seed {seed} of the test you name)"
    ))
}

#[cfg(test)]
mod tests;
