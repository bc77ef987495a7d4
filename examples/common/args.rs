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
pub(crate) fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Option<Args>, String> {
    let mut mode = Mode::Sweep { seeds: 1_000 };
    let mut fixed = false;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seeds" => {
                let v = args
                    .next()
                    .ok_or("--seeds needs a count, e.g. --seeds 5000")?;
                let seeds = v.parse().ok().filter(|&n| n > 0).ok_or(format!(
                    "`{v}` is not a seed count: give a positive integer"
                ))?;
                mode = Mode::Sweep { seeds };
            }
            "--seed" => {
                let v = args.next().ok_or("--seed needs a seed, e.g. --seed 0x2a")?;
                mode = Mode::Replay {
                    seed: parse_seed(&v)?,
                };
            }
            "--fixed" => fixed = true,
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
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
            println!("{usage}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}\n{usage}");
            std::process::ExitCode::from(2)
        }
    }
}
