//! The command line: `cargo detsim <command> [flags]`, parsed by hand so
//! every mistake is one line naming the flag and the fix.

use std::path::PathBuf;

use crate::error::CliError;

/// What to build: cargo's package selection, target selection and
/// profile.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Build {
    pub(crate) packages: Vec<String>,
    pub(crate) workspace: bool,
    pub(crate) release: bool,
    /// `--lib`, `--test NAME`, `--bin NAME`, ...: passed on to cargo.
    pub(crate) targets: Vec<String>,
}

/// A range of seeds, `start..end` (end excluded).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Seeds {
    pub(crate) start: u64,
    pub(crate) end: u64,
}

impl Seeds {
    pub(crate) fn len(self) -> u64 {
        self.end - self.start
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
        let at = |i: u64| seeds.start + (len * u128::from(i) / u128::from(self.count)) as u64;
        Seeds {
            start: at(self.index),
            end: at(self.index + 1),
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
  cargo detsim list   [-p PKG]... [--workspace] [TARGET]... [--release]
  cargo detsim sweep  <filter> --seeds A..B|N [--jobs J] [--shard I/N] [--keep-going]
                      [--scheduler random|fifo|pct|pct:N|portfolio] [--json FILE]
                      [--chunk SEEDS] [-p PKG]... [--workspace] [TARGET]... [--release]
  cargo detsim replay <artifact> [--log] [--trace OUT.json] [--release]
  cargo detsim replay --seed S <test> [--log] [--trace OUT.json] [-p PKG]... [TARGET]...
                      [--release]
  cargo detsim shrink <artifact> [--release]

TARGET selects test binaries as cargo test does: --lib, --bin NAME, --test NAME,
--example NAME, --bench NAME (for a test name that several targets have).

exit status: 0 passed, 1 a test failed, 2 a usage or setup error (or an
artifact whose failure no longer happens)";

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
    let allowed: Vec<&str> = match command {
        "list" => [PACKAGES, TARGETS].concat(),
        "sweep" => [
            PACKAGES,
            TARGETS,
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
        "replay" => [&PACKAGES[..2], TARGETS, &["--seed", "--log", "--trace"]].concat(),
        _ => vec!["--release"],
    };
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
        let mut value = |what: &str| -> Result<String, CliError> {
            match inline
                .map(str::to_owned)
                .or_else(|| it.next().map(str::to_owned))
            {
                Some(v) => Ok(v),
                None => Err(bad(format!("`{flag}` needs a value: {flag} {what}"))),
            }
        };
        match flag {
            "-p" | "--package" => build.packages.push(value("PACKAGE")?),
            "--workspace" => build.workspace = true,
            "--release" => build.release = true,
            "--lib" => build.targets.push("--lib".into()),
            "--bin" | "--test" | "--example" | "--bench" => {
                let name = value("NAME")?;
                build.targets.extend([flag.to_owned(), name]);
            }
            "--keep-going" => keep_going = true,
            "--log" => log = true,
            "--seeds" => seeds = Some(parse_seeds(&value("0..1000")?)?),
            "--seed" => seed = Some(parse_seed("--seed", &value("42")?)?),
            "--jobs" | "-j" => jobs = Some(parse_count("--jobs", &value("4")?)? as usize),
            "--chunk" => chunk = Some(parse_count("--chunk", &value("1000")?)?),
            "--shard" => shard = Some(parse_shard(&value("0/4")?)?),
            "--json" => json = Some(PathBuf::from(value("FILE")?)),
            "--trace" => trace = Some(PathBuf::from(value("OUT.json")?)),
            "--scheduler" => scheduler = Some(parse_scheduler(&value("portfolio")?)?),
            _ => unreachable!("every allowed flag is handled"),
        }
    }
    let one = |what: &str, example: &str| -> Result<String, CliError> {
        match positional.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err(bad(format!(
                "`cargo detsim {command}` needs {what}: cargo detsim {command} {example}"
            ))),
            [_, extra, ..] => Err(bad(format!(
                "unexpected argument `{extra}`: `cargo detsim {command}` takes one {what}"
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
            let filter = one("a test filter", "<test> --seeds 0..1000")?;
            let Some(seeds) = seeds else {
                return Err(bad(
                    "`cargo detsim sweep` needs --seeds: --seeds 0..100000 (a range) or \
                     --seeds 1000 (the first 1000)",
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
                    test: one("a test name", "--seed 42 <test>")?,
                },
                None => ReplayOf::Artifact(PathBuf::from(one(
                    "an artifact",
                    "target/detsim/failures/<file>.json",
                )?)),
            };
            Command::Replay(Replay { of, log, trace })
        }
        _ => Command::Shrink(PathBuf::from(one(
            "an artifact",
            "target/detsim/failures/<file>.json",
        )?)),
    };
    Ok(Args { command, build })
}

fn parse_u64(flag: &str, s: &str, example: &str) -> Result<u64, CliError> {
    use std::num::IntErrorKind;
    let t: String = s.trim().chars().filter(|&c| c != '_').collect();
    let (digits, radix) = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(hex) => (hex, 16),
        None => (t.as_str(), 10),
    };
    u64::from_str_radix(digits, radix).map_err(|e| {
        let problem = match e.kind() {
            IntErrorKind::Empty => "has no digits".to_owned(),
            IntErrorKind::PosOverflow => {
                format!("does not fit in 64 bits (the largest is {})", u64::MAX)
            }
            _ if digits.starts_with('-') => "is negative (it counts from 0)".to_owned(),
            _ if radix == 10 && digits.chars().all(|c| c.is_ascii_hexdigit()) => {
                format!("has hex digits but no 0x prefix (0x{digits})")
            }
            _ => "is not a whole number (decimal or 0x hex)".to_owned(),
        };
        bad(format!(
            "{flag} {s}: `{s}` {problem}; for example {flag} {example}"
        ))
    })
}

fn parse_seed(flag: &str, s: &str) -> Result<u64, CliError> {
    parse_u64(flag, s, "42")
}

fn parse_count(flag: &str, s: &str) -> Result<u64, CliError> {
    match parse_u64(flag, s, "4")? {
        0 => Err(bad(format!(
            "{flag} 0: it must be 1 or more, for example {flag} 4"
        ))),
        n => Ok(n),
    }
}

/// `A..B` (B excluded) or `N` (`0..N`).
pub(crate) fn parse_seeds(s: &str) -> Result<Seeds, CliError> {
    let Some((a, b)) = s.split_once("..") else {
        let n = parse_u64("--seeds", s, "0..1000")?;
        if n == 0 {
            return Err(bad(
                "--seeds 0 runs nothing: give a count of 1 or more (--seeds 1000) or a range \
                 (--seeds 0..1000)",
            ));
        }
        return Ok(Seeds { start: 0, end: n });
    };
    let start = parse_u64("--seeds", a, "0..1000")?;
    let end = parse_u64("--seeds", b, "0..1000")?;
    if end <= start {
        return Err(bad(format!(
            "--seeds {s} is empty: the end ({end}) must be larger than the start ({start}), \
             for example --seeds {start}..{}",
            start.saturating_add(1000)
        )));
    }
    Ok(Seeds { start, end })
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

/// `I/N` with I < N.
pub(crate) fn parse_shard(s: &str) -> Result<Shard, CliError> {
    let Some((i, n)) = s.split_once('/') else {
        return Err(bad(format!(
            "--shard {s}: write it as INDEX/COUNT, counting from 0 (--shard 0/4 ... --shard 3/4)"
        )));
    };
    let index = parse_u64("--shard", i, "0/4")?;
    let count = parse_u64("--shard", n, "0/4")?;
    if count == 0 || index >= count {
        let last = count.max(1) - 1;
        return Err(bad(format!(
            "--shard {s}: the index counts from 0 and must be below the count \
             (--shard 0/{c} ... --shard {last}/{c})",
            c = count.max(1)
        )));
    }
    Ok(Shard { index, count })
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
        assert_eq!(
            s.seeds,
            Seeds {
                start: 16,
                end: 100
            }
        );
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
        assert_eq!(s.seeds, Seeds { start: 0, end: 500 });
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
        let seeds = Seeds { start: 5, end: 108 };
        for n in 1..=7 {
            let mut next = seeds.start;
            for i in 0..n {
                let block = Shard { index: i, count: n }.of(seeds);
                assert_eq!(block.start, next);
                next = block.end;
            }
            assert_eq!(next, seeds.end);
        }
    }

    #[test]
    fn mistakes_are_one_line_with_the_fix() {
        for bad in [
            "sweep kv --seeds 10..5",
            "sweep kv --seeds 0..10 --shard 3/2",
            "sweep kv --seeds 0..10 --shard 1",
            "sweep kv --seeds x",
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
