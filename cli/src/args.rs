//! The command line: `cargo detsim <command> [flags]`, parsed by hand so
//! every mistake is one line naming the flag and the fix.

use std::path::{Path, PathBuf};

use sim_core::harness::shell_word;

use crate::error::CliError;

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
    /// `--scheduler`: passed on as `DETSIM_SCHEDULER`.
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
  cargo detsim replay --seed S <test> [--log] [--trace OUT.json] [-p PKG]... [TARGET]...
                      [FEATURES] [--release]
  cargo detsim shrink <artifact> [FEATURES] [--release]

TARGET selects test binaries as cargo test does: --lib, --bin NAME, --test NAME,
--example NAME, --bench NAME (for a test name that several targets have).
FEATURES are cargo's --features LIST (-F), --all-features, --no-default-features.
replay and shrink of an artifact build with the FEATURES it recorded, unless given others.
--seeds A..B runs A to B-1, A..=B runs A to B (up to 0xffffffffffffffff), N runs 0..N;
numbers are decimal or 0x hex. replay of an artifact builds the package and target it
names: -p and TARGET select the test of replay --seed.

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
    // Flags that take no value: `--log=x` is a mistake, not `--log`.
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
            &["--seed", "--log", "--trace"],
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
        // A value that a second occurrence would silently replace.
        let once = match flag {
            "-j" => "--jobs",
            f if ONCE.contains(&f) => f,
            _ => "",
        };
        if !once.is_empty() && !given_once.insert(once) {
            return Err(bad(format!(
                "{once} is given twice: give it once (the last one would silently replace the \
                 first)"
            )));
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
                Some(seed) => ReplayOf::Seed {
                    seed,
                    test: one(("a", "test name"), "--seed 42 <test>")?,
                },
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
            Command::Replay(Replay { of, log, trace })
        }
        _ => Command::Shrink(PathBuf::from(one(
            ("an", "artifact"),
            "target/detsim/failures/<file>.json",
        )?)),
    };
    Ok(Args { command, build })
}

/// What a number on the command line is, for the message when it is not
/// one: `a seed`, `a count of seeds`, ...; and the smallest it can be.
#[derive(Clone, Copy)]
struct Number {
    what: &'static str,
    least: u64,
}

const SEED: Number = Number {
    what: "a seed",
    least: 0,
};
const SEED_COUNT: Number = Number {
    what: "a count of seeds",
    least: 1,
};

/// `part` of the value `whole` of `flag` (all of it, or one side of
/// `A..B` or `I/N`) as a u64: decimal or 0x hex, `_` separators allowed.
/// The error names the flag, its value, what is wrong with `part` and a
/// valid example.
fn parse_u64(
    flag: &str,
    (whole, part): (&str, &str),
    number: Number,
    example: &str,
) -> Result<u64, CliError> {
    use std::num::IntErrorKind;
    let t: String = part.trim().chars().filter(|&c| c != '_').collect();
    let (digits, radix) = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(hex) => (hex, 16),
        None => (t.as_str(), 10),
    };
    u64::from_str_radix(digits, radix).map_err(|e| {
        let mut example = example.to_owned();
        let problem = match e.kind() {
            IntErrorKind::Empty => "has no digits".to_owned(),
            IntErrorKind::PosOverflow => {
                format!("does not fit in 64 bits (the largest is {})", u64::MAX)
            }
            _ if digits.starts_with('-') => {
                format!("is negative: {} is {} or more", number.what, number.least)
            }
            // `1e3` is all hex digits, but meant as a thousand.
            _ if radix == 10 && scientific(digits).is_some() => {
                if matches!(scientific(digits), Some(Some(_))) {
                    example = written_out(whole);
                }
                "is scientific notation, which cargo detsim does not read: write the whole \
                 number in digits"
                    .to_owned()
            }
            _ if radix == 10 && digits.chars().all(|c| c.is_ascii_hexdigit()) => {
                format!("has hex digits but no 0x prefix (0x{digits})")
            }
            _ => "is not a whole number (decimal or 0x hex)".to_owned(),
        };
        bad(format!(
            "{flag} {whole}: `{}` {problem}; for example {flag} {example}",
            part.trim()
        ))
    })
}

/// For a number in scientific notation (`1e3`, `2.5E6`, `1e+3`): its
/// value when that is a whole number that fits in 64 bits. `None` for
/// anything else.
fn scientific(s: &str) -> Option<Option<u64>> {
    let (mantissa, exp) = s.split_once(['e', 'E'])?;
    let exp = exp.strip_prefix('+').unwrap_or(exp);
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |d: &str| d.chars().all(|c| c.is_ascii_digit());
    if int.is_empty() || exp.is_empty() || !all_digits(int) || !all_digits(frac) || !all_digits(exp)
    {
        return None;
    }
    let value = (|| {
        let exp: i64 = exp.parse().ok()?;
        let mut digits = format!("{int}{frac}");
        let mut shift = exp - frac.len() as i64;
        while shift < 0 {
            // A fraction is a whole number only if its last digits are 0.
            digits = digits.strip_suffix('0')?.to_owned();
            shift += 1;
        }
        let mut n: u64 = if digits.is_empty() {
            0
        } else {
            digits.parse().ok()?
        };
        for _ in 0..shift {
            n = n.checked_mul(10)?;
        }
        Some(n)
    })();
    Some(value)
}

/// `whole` with each number in scientific notation written out in digits
/// (`1e3..2e3` is `1000..2000`), the ones that are not whole numbers or do
/// not fit left as they are.
fn written_out(whole: &str) -> String {
    let number = |s: &str| match scientific(s) {
        Some(Some(n)) => n.to_string(),
        _ => s.to_owned(),
    };
    whole
        .split("..")
        .map(|side| {
            let (eq, rest) = match side.strip_prefix('=') {
                Some(rest) => ("=", rest),
                None => ("", side),
            };
            let parts: Vec<String> = rest.split('/').map(number).collect();
            format!("{eq}{}", parts.join("/"))
        })
        .collect::<Vec<_>>()
        .join("..")
}

fn parse_seed(flag: &str, s: &str) -> Result<u64, CliError> {
    parse_u64(flag, (s, s), SEED, "42")
}

/// A count of 1 or more: `--jobs`, `--chunk`.
fn parse_count(flag: &str, what: &'static str, s: &str, example: &str) -> Result<u64, CliError> {
    let number = Number { what, least: 1 };
    match parse_u64(flag, (s, s), number, example)? {
        0 => Err(bad(format!(
            "{flag} 0: it must be 1 or more, for example {flag} {example}"
        ))),
        n => Ok(n),
    }
}

/// `A..B` (B excluded), `A..=B` (B included) or `N` (`0..N`).
pub(crate) fn parse_seeds(s: &str) -> Result<Seeds, CliError> {
    let Some((a, b)) = s.split_once("..") else {
        let n = parse_u64("--seeds", (s, s), SEED_COUNT, "1000")?;
        if n == 0 {
            return Err(bad(
                "--seeds 0 runs nothing: give a count of 1 or more (--seeds 1000) or a range \
                 (--seeds 0..1000)",
            ));
        }
        return Ok(Seeds { start: 0, len: n });
    };
    let start = parse_u64("--seeds", (s, a), SEED, "0..1000")?;
    // A suggestion that is valid whatever the start: up to 1000 seeds
    // from it, the last one u64::MAX at most.
    let example = Seeds::inclusive(start, start.saturating_add(999));
    if let Some(b) = b.strip_prefix('=') {
        let last = parse_u64("--seeds", (s, b), SEED, "0..=999")?;
        if last < start {
            return Err(bad(format!(
                "--seeds {s} is empty: the last seed ({last}) must not be below the start \
                 ({start}), for example --seeds {example}"
            )));
        }
        if start == 0 && last == u64::MAX {
            return Err(bad(format!(
                "--seeds {s} is every 64-bit seed, more than a sweep can count (or finish): \
                 sweep fewer, for example --seeds 0..={}",
                u64::MAX - 1
            )));
        }
        return Ok(Seeds::inclusive(start, last));
    }
    let end = parse_u64("--seeds", (s, b), SEED, &example.to_string())?;
    if end <= start {
        return Err(bad(format!(
            "--seeds {s} is empty: the end ({end}) must be larger than the start ({start}), \
             for example --seeds {example}"
        )));
    }
    Ok(Seeds {
        start,
        len: end - start,
    })
}

/// `random`, `fifo`, `pct`, `pct:N` (1 to 64) or `portfolio`.
fn parse_scheduler(s: &str) -> Result<String, CliError> {
    let t = s.trim().to_ascii_lowercase();
    let ok = match t.strip_prefix("pct:") {
        Some(depth) => depth.parse::<u32>().is_ok_and(|d| (1..=64).contains(&d)),
        None => matches!(t.as_str(), "random" | "fifo" | "pct" | "portfolio"),
    };
    if ok {
        Ok(t)
    } else {
        Err(bad(format!(
            "--scheduler {s}: use random, fifo, pct (depth 3), pct:N (depth N from 1 to 64) or \
             portfolio"
        )))
    }
}

/// `I/N` with I < N: shards count from 0.
pub(crate) fn parse_shard(s: &str) -> Result<Shard, CliError> {
    let Some((i, n)) = s.split_once('/') else {
        return Err(bad(format!(
            "--shard {s}: write it as INDEX/COUNT, counting from 0 (--shard 0/4 ... --shard 3/4)"
        )));
    };
    let index = parse_u64(
        "--shard",
        (s, i),
        Number {
            what: "a shard's index",
            least: 0,
        },
        "0/4",
    )?;
    let count = parse_u64(
        "--shard",
        (s, n),
        Number {
            what: "a count of shards",
            least: 1,
        },
        "0/4",
    )?;
    match count {
        0 => Err(bad(format!(
            "--shard {s}: the count of shards (after the /) must be 1 or more, and the index \
             below it, counting from 0: --shard 0/2 and --shard 1/2 split the seeds in two"
        ))),
        1 if index >= 1 => Err(bad(format!(
            "--shard {s}: the index counts from 0 and must be below the count: the one shard \
             of 1 is --shard 0/1 (--shard 0/2 and --shard 1/2 split the seeds in two)"
        ))),
        c if index >= c => Err(bad(format!(
            "--shard {s}: the index counts from 0 and must be below the count \
             (--shard 0/{c} ... --shard {}/{c})",
            c - 1
        ))),
        _ => Ok(Shard { index, count }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Result<Args, String> {
        let raw: Vec<String> = s.split_whitespace().map(str::to_owned).collect();
        parse(&raw).map_err(|e| e.to_string())
    }

    #[test]
    fn sweep_flags() {
        let a =
            args("detsim sweep kv --seeds 0x10..100 -j 3 --shard 1/2 --keep-going -p x").unwrap();
        let Command::Sweep(s) = a.command else {
            panic!("not a sweep")
        };
        assert_eq!(s.seeds, Seeds { start: 16, len: 84 });
        assert_eq!(s.jobs, Some(3));
        assert_eq!(s.shard, Some(Shard { index: 1, count: 2 }));
        assert!(s.keep_going);
        assert_eq!(a.build.packages, ["x"]);
        let t = args("replay --seed 3 t --test net --lib --bin=b").unwrap();
        assert_eq!(t.build.targets, ["--test", "net", "--lib", "--bin", "b"]);
        let n = args("sweep kv --seeds=500").unwrap();
        let Command::Sweep(s) = n.command else {
            panic!("not a sweep")
        };
        assert_eq!(s.seeds, Seeds { start: 0, len: 500 });
    }

    #[test]
    fn features_pass_through_in_order() {
        let a = args("sweep kv --seeds 3 --features a,b -F=c --no-default-features --all-features")
            .unwrap();
        assert_eq!(
            a.build.features,
            [
                "--features",
                "a,b",
                "--features",
                "c",
                "--no-default-features",
                "--all-features"
            ]
        );
        for cmd in [
            "list",
            "replay x.json",
            "replay --seed 3 t",
            "shrink x.json",
        ] {
            let a = args(&format!("{cmd} --features f --no-default-features")).unwrap();
            assert_eq!(
                a.build.features,
                ["--features", "f", "--no-default-features"],
                "{cmd}"
            );
        }
        let spaced = Build {
            features: vec!["--features".into(), "a b".into()],
            ..Build::default()
        };
        assert_eq!(spaced.feature_flags(), " --features 'a b'");
        let e = args("sweep kv --seeds 3 --features").unwrap_err();
        assert!(e.contains("`--features` needs a value"), "{e}");
    }

    #[test]
    fn a_value_on_a_flag_without_one_is_an_error() {
        for (line, flag) in [
            ("replay a.json --log=x", "--log"),
            ("replay a.json --log=", "--log"),
            ("sweep kv --seeds 3 --keep-going=false", "--keep-going"),
            ("sweep kv --seeds 3 --workspace=yes", "--workspace"),
            ("list --release=1", "--release"),
            ("shrink a.json --release=1", "--release"),
            ("list --lib=x", "--lib"),
            ("list --all-features=true", "--all-features"),
            ("list --no-default-features=1", "--no-default-features"),
        ] {
            let e = args(line).unwrap_err();
            assert!(
                e.contains(&format!("{flag} takes no value; write {flag} alone")),
                "{line}: {e}"
            );
            assert!(!e.contains('\n'), "{line}: {e}");
        }
    }

    #[test]
    fn inclusive_ranges_reach_the_largest_seed() {
        let max = u64::MAX;
        let sweep = |s: &str| match args(&format!("sweep kv --seeds {s}")).unwrap().command {
            Command::Sweep(s) => s.seeds,
            other => panic!("{other:?}"),
        };
        let last = sweep("0xffffffffffffffff..=0xffffffffffffffff");
        assert_eq!(last, Seeds { start: max, len: 1 });
        assert_eq!(last.to_string(), format!("{max}..={max}"));
        assert_eq!(last.end(), None);
        assert_eq!(last.last(), Some(max));
        assert_eq!(sweep("5..=7"), Seeds { start: 5, len: 3 });
        assert_eq!(sweep("5..=7").to_string(), "5..8");
        assert_eq!(sweep("5..=5"), sweep("5..6"));
        assert_eq!(
            sweep(&format!("{}..={max}", max - 9)),
            Seeds {
                start: max - 9,
                len: 10
            }
        );
        // Every printed form parses back to the same range.
        for seeds in [last, sweep("0..=9"), sweep(&format!("3..={max}"))] {
            assert_eq!(sweep(&seeds.to_string()), seeds);
        }
        // The mistakes' suggestions are valid ranges, even at the top.
        for bad in [
            format!("{max}..{max}"),
            format!("{max}..0"),
            format!("{max}..=3"),
            format!("{max}..18446744073709551616"),
            "10..5".to_owned(),
            format!("0..={max}"),
        ] {
            let e = args(&format!("sweep kv --seeds {bad}")).unwrap_err();
            let example = e
                .rsplit("--seeds ")
                .next()
                .unwrap()
                .trim_end_matches(')')
                .to_owned();
            assert!(
                args(&format!("sweep kv --seeds {example}")).is_ok(),
                "{bad}: {e}"
            );
        }
    }

    #[test]
    fn help_after_a_command_is_help() {
        for a in [
            "sweep --help",
            "replay -h",
            "sweep kv --seeds 10 --help",
            "--help",
        ] {
            assert_eq!(args(a).unwrap().command, Command::Help, "{a}");
        }
    }

    #[test]
    fn shards_cover_the_range_once() {
        for seeds in [
            Seeds { start: 5, len: 103 },
            Seeds {
                start: u64::MAX - 102,
                len: 103,
            },
            Seeds { start: 9, len: 2 },
        ] {
            for n in 1..=7 {
                let mut next = u128::from(seeds.start);
                for i in 0..n {
                    let block = Shard { index: i, count: n }.of(seeds);
                    assert_eq!(u128::from(block.start), next);
                    next += u128::from(block.len);
                }
                assert_eq!(next, u128::from(seeds.start) + u128::from(seeds.len));
            }
        }
    }

    #[test]
    fn scientific_notation_is_refused_with_the_number_in_digits() {
        assert_eq!(scientific("1e3"), Some(Some(1000)));
        assert_eq!(scientific("2.5E+3"), Some(Some(2500)));
        assert_eq!(scientific("1.50e1"), Some(Some(15)));
        assert_eq!(scientific("1.5e0"), Some(None));
        assert_eq!(scientific("1e20"), Some(None));
        assert_eq!(scientific("e3"), None);
        assert_eq!(scientific("1e"), None);
        assert_eq!(scientific("abe3"), None);
        assert_eq!(written_out("1e3..=2e3"), "1000..=2000");
        for (line, fix) in [
            ("sweep kv --seeds 1e3", "--seeds 1000"),
            ("sweep kv --seeds 1e3..2e3", "--seeds 1000..2000"),
            ("sweep kv --seeds 0..=1E6", "--seeds 0..=1000000"),
            ("sweep kv --seeds 10 --chunk 1e2", "--chunk 100"),
            ("replay --seed 1e3 t", "--seed 1000"),
        ] {
            let e = args(line).unwrap_err();
            assert!(e.contains("is scientific notation"), "{line}: {e}");
            assert!(e.ends_with(&format!("for example {fix}")), "{line}: {e}");
            assert!(!e.contains("0x1e"), "{line}: {e}");
        }
        // Not a whole number: no number to suggest, and no hex either.
        let e = args("sweep kv --seeds 1.5e0").unwrap_err();
        assert!(e.contains("write the whole number in digits"), "{e}");
    }

    #[test]
    fn negative_numbers_say_what_they_count() {
        for (line, says) in [
            ("sweep kv --seeds -1", "a count of seeds is 1 or more"),
            ("sweep kv --seeds -5..3", "a seed is 0 or more"),
            ("replay --seed -1 t", "a seed is 0 or more"),
            ("sweep kv --seeds 3 -j -2", "a number of jobs is 1 or more"),
            (
                "sweep kv --seeds 3 --shard -1/2",
                "a shard's index is 0 or more",
            ),
        ] {
            let e = args(line).unwrap_err();
            assert!(e.contains(&format!("is negative: {says}")), "{line}: {e}");
        }
    }

    #[test]
    fn shard_mistakes_suggest_shards_that_exist() {
        for shard in ["0/0", "1/0", "1/1", "5/1", "2/2", "3/2", "9/4"] {
            let e = args(&format!("sweep kv --seeds 10 --shard {shard}")).unwrap_err();
            let suggested: Vec<&str> = e
                .split("--shard ")
                .skip(2)
                .map(|s| s.split([' ', ')']).next().unwrap())
                .collect();
            assert!(!suggested.is_empty(), "{shard}: {e}");
            for s in &suggested {
                assert!(
                    args(&format!("sweep kv --seeds 10 --shard {s}")).is_ok(),
                    "{shard}: suggests {s}: {e}"
                );
            }
            let distinct: std::collections::BTreeSet<&&str> = suggested.iter().collect();
            assert!(distinct.len() >= 2, "{shard}: {e}");
        }
    }

    #[test]
    fn one_argument_is_asked_for_in_plain_words() {
        for (line, says) in [
            (
                "sweep a b --seeds 3",
                "`cargo detsim sweep` takes one test filter (",
            ),
            (
                "replay a.json b.json",
                "`cargo detsim replay` takes one artifact (",
            ),
            (
                "shrink a.json b.json",
                "`cargo detsim shrink` takes one artifact (",
            ),
            (
                "replay --seed 3 t u",
                "`cargo detsim replay` takes one test name (",
            ),
            ("shrink", "`cargo detsim shrink` needs an artifact: "),
            (
                "replay --seed 3",
                "`cargo detsim replay` needs a test name: ",
            ),
        ] {
            let e = args(line).unwrap_err();
            assert!(e.contains(says), "{line}: {e}");
        }
    }

    #[test]
    fn replay_of_an_artifact_takes_no_package_or_target() {
        for (given, flags) in [
            ("-p x", "-p x"),
            ("--package=x", "--package x"),
            ("--test net --release", "--test net"),
            ("--lib", "--lib"),
            ("--release --bin b -p x", "--bin b"),
        ] {
            let e = args(&format!("replay a.json {given}")).unwrap_err();
            assert!(
                e.starts_with(&format!("`{flags}`: cargo detsim replay <artifact> builds")),
                "{given}: {e}"
            );
            assert!(
                e.ends_with(&format!("cargo detsim replay --seed S {flags} <test>")),
                "{given}: {e}"
            );
            // The same selection replays a seed.
            assert!(
                args(&format!("replay --seed 3 t {given}")).is_ok(),
                "{given}"
            );
        }
        assert!(args("replay a.json --release --features f").is_ok());
    }

    #[test]
    fn a_value_flag_given_twice_is_a_mistake() {
        for (given, flag) in [
            ("sweep t --seeds 0..2 --seeds 5", "--seeds"),
            ("sweep t --seeds 5 -j 2 --jobs 3", "--jobs"),
            ("sweep t --seeds 5 --json a.json --json=b.json", "--json"),
            ("replay --seed 5 --seed 6 t", "--seed"),
        ] {
            let e = args(given).unwrap_err();
            assert!(
                e.starts_with(&format!("{flag} is given twice: give it once")),
                "{given}: {e}"
            );
        }
        // Flags that add up may repeat.
        assert!(args("sweep t --seeds 5 -p a -p b --features x --features y").is_ok());
    }

    #[test]
    fn mistakes_are_one_line_with_the_fix() {
        for bad in [
            "sweep kv --seeds 10..5",
            "sweep kv --seeds 0..10 --shard 3/2",
            "sweep kv --seeds 0..10 --shard 1",
            "sweep kv --seeds 0..10 --shard 0/0",
            "sweep kv --seeds x",
            "sweep kv --seeds 1e3",
            "replay a.json -p x",
            "sweep kv",
            "sweep --seeds 10",
            "sweep kv --seeds 10 --frobnicate",
            "sweep kv --seeds 10 --scheduler pct:0",
            "replay",
            "replay a.json --seeds 3",
            "frob",
        ] {
            let e = args(bad).unwrap_err();
            assert!(!e.contains('\n'), "{bad}: {e}");
            assert!(
                e.contains("--") || e.contains("cargo detsim"),
                "{bad}: no fix in {e}"
            );
        }
    }
}
