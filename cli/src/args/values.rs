//! The values of flags: seeds, seed ranges, counts, shards and
//! schedulers, each with the one-line message a mistake gets.

use super::{Seeds, Shard, bad};
use crate::error::CliError;

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
pub(super) fn scientific(s: &str) -> Option<Option<u64>> {
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
pub(super) fn written_out(whole: &str) -> String {
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

pub(super) fn parse_seed(flag: &str, s: &str) -> Result<u64, CliError> {
    parse_u64(flag, (s, s), SEED, "42")
}

/// A count of 1 or more: `--jobs`, `--chunk`.
pub(super) fn parse_count(
    flag: &str,
    what: &'static str,
    s: &str,
    example: &str,
) -> Result<u64, CliError> {
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

/// `random`, `fifo`, `pct`, `pct:N` (1 to 64) or `portfolio`, trimmed
/// and in lower case.
pub(crate) fn parse_scheduler(s: &str) -> Result<String, CliError> {
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

/// Whether two values [`parse_scheduler`] accepted name the same
/// scheduler (`pct` is `pct:3`, `pct:03` is `pct:3`).
pub(crate) fn same_scheduler(a: &str, b: &str) -> bool {
    fn canonical(s: &str) -> String {
        let t = s.trim().to_ascii_lowercase();
        if t == "pct" {
            return "pct:3".to_owned();
        }
        match t.strip_prefix("pct:").map(str::parse::<u32>) {
            Some(Ok(depth)) => format!("pct:{depth}"),
            _ => t,
        }
    }
    canonical(a) == canonical(b)
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
