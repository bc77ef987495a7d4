//! The command line the demos share: `[--seeds N | --seed S] [--fixed]`.
//!
//! Included by each example with `#[path]` (examples are separate crates):
//! one parser, so every demo reads seeds and reports mistakes the same way.

/// What a demo run does.
pub(crate) enum Mode {
    /// Run seeds `0..seeds`, stopping at the first failure.
    Sweep { seeds: u64 },
    /// Run one seed and tell its story.
    Replay { seed: u64 },
}

/// A parsed command line.
pub(crate) struct Args {
    pub(crate) mode: Mode,
    /// Run the fixed version of the demo's system.
    pub(crate) fixed: bool,
}

/// A seed in decimal (`42`) or 0x-hex (`0x2a`), as replay lines print it.
pub(crate) fn parse_seed(text: &str) -> Result<u64, String> {
    let parsed = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => text.parse(),
    };
    parsed.map_err(|_| format!("`{text}` is not a seed: give a decimal (42) or 0x-hex (0x2a) u64"))
}

/// Parses the arguments after the program name: `Ok(None)` for `--help`.
/// `--seeds` and `--seed` exclude each other, and no flag may be given
/// twice (rather than the last one silently winning). A value can follow
/// its flag or an `=` (`--seeds 5000`, `--seeds=5000`).
pub(crate) fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Option<Args>, String> {
    // Each flag as given (`--seeds 5`), to name it in a conflict.
    let mut seeds: Option<(u64, String)> = None;
    let mut seed: Option<(u64, String)> = None;
    let mut fixed = false;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag, Some(value.to_owned())),
            _ => (arg.as_str(), None),
        };
        // `given` is the earlier `--seeds`/`--seed`, `now` this one.
        let once = |given: &Option<(u64, String)>, now: &str| match given {
            Some((_, earlier)) => Err(format!(
                "{flag} is given twice (`{earlier}`, then `{now}`): give it once"
            )),
            None => Ok(()),
        };
        match flag {
            "--seeds" => {
                let v = inline
                    .or_else(|| args.next())
                    .ok_or("--seeds needs a count, e.g. --seeds 5000")?;
                let now = format!("--seeds {v}");
                once(&seeds, &now)?;
                let n = v.parse().ok().filter(|&n| n > 0).ok_or_else(|| {
                    // `1e3`: scientific notation is not read; say so, with
                    // the number it means.
                    let plain = v
                        .parse::<f64>()
                        .ok()
                        .filter(|x| v.contains(['e', 'E']) && x.fract() == 0.0 && *x >= 1.0);
                    match plain {
                        Some(x) => format!(
                            "`{v}` is not a seed count: scientific notation is not read; \
                             write --seeds {x}"
                        ),
                        None => format!(
                            "`{v}` is not a seed count: give a positive integer, e.g. --seeds 5000"
                        ),
                    }
                })?;
                seeds = Some((n, now));
            }
            "--seed" => {
                let v = inline
                    .or_else(|| args.next())
                    .ok_or("--seed needs a seed, e.g. --seed 0x2a")?;
                let now = format!("--seed {v}");
                once(&seed, &now)?;
                seed = Some((parse_seed(&v)?, now));
            }
            "--fixed" if inline.is_some() => {
                return Err(format!(
                    "`{arg}`: --fixed takes no value; write --fixed alone"
                ));
            }
            "--fixed" if fixed => return Err("--fixed is given twice: give it once".into()),
            "--fixed" => fixed = true,
            "-h" | "--help" => return Ok(None),
            _ => return Err(format!("unknown argument `{arg}`")),
        }
    }
    let mode = match (seeds, seed) {
        (Some((_, sweep)), Some((_, one))) => {
            return Err(format!(
                "`{sweep}` and `{one}` conflict: --seeds N sweeps seeds 0..N, --seed S replays \
                 one seed; give one of them"
            ));
        }
        (Some((seeds, _)), None) => Mode::Sweep { seeds },
        (None, Some((seed, _))) => Mode::Replay { seed },
        (None, None) => Mode::Sweep { seeds: 1_000 },
    };
    Ok(Some(Args { mode, fixed }))
}

/// The command that replays `seed` of `example`.
pub(crate) fn replay_command(example: &str, seed: u64, fixed: bool) -> String {
    let fixed = if fixed { " --fixed" } else { "" };
    format!("cargo run --release --example {example} -- --seed {seed:#x}{fixed}")
}

/// Runs the demo's `sweep` or `replay` as the command line asks: prints
/// `usage` for `--help`, and a mistake with `usage` and exit code 2.
pub(crate) fn dispatch(
    usage: &str,
    sweep: impl FnOnce(u64, bool) -> std::process::ExitCode,
    replay: impl FnOnce(u64, bool) -> std::process::ExitCode,
) -> std::process::ExitCode {
    match parse_args(std::env::args().skip(1)) {
        Ok(Some(Args {
            mode: Mode::Sweep { seeds },
            fixed,
        })) => sweep(seeds, fixed),
        Ok(Some(Args {
            mode: Mode::Replay { seed },
            fixed,
        })) => replay(seed, fixed),
        Ok(None) => {
            crate::out::say!("{usage}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            crate::out::warn(format_args!("error: {e}\n{usage}"));
            std::process::ExitCode::from(2)
        }
    }
}
