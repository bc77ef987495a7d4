//! `DETSIM_*` environment overrides: read once per process, validated, and
//! refused with a message naming the variable, the value and the accepted
//! forms.

use std::fmt;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use super::features;

/// The overrides a test process was started with.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Overrides {
    /// `DETSIM_SEED`: the first (or only) seed.
    pub(crate) seed: Option<u64>,
    /// `DETSIM_SEEDS`: how many seeds from the base.
    pub(crate) seeds: Option<u64>,
    /// `DETSIM_JOBS`: worker threads for a sweep.
    pub(crate) jobs: Option<usize>,
    /// `DETSIM_CHECK_DETERMINISM=1`.
    pub(crate) check_determinism: bool,
    /// `DETSIM_REPLAY=<artifact>`.
    pub(crate) replay: Option<PathBuf>,
    pub(crate) shrink: Option<PathBuf>,
    /// `DETSIM_TIME_LIMIT`.
    pub(crate) time_limit: Option<Duration>,
    /// `DETSIM_SLOW_RUN`: the real time one seed's run may take before
    /// the watchdog names it (see `watchdog.rs`).
    pub(crate) slow_run: Option<Duration>,
    /// `DETSIM_KEEP_GOING=1`.
    pub(crate) keep_going: bool,
    /// `DETSIM_TRACE=1`: record a trace; a failure report shows its end.
    pub(crate) trace: bool,
    /// `DETSIM_TRACE_LIMIT=<events>`: how many events a trace keeps.
    pub(crate) trace_limit: Option<usize>,
    /// `DETSIM_SCHEDULER`: overrides the attribute's scheduler.
    pub(crate) scheduler: Option<crate::Scheduler>,
    /// `DETSIM_LIST=<file>`: describe the test there instead of running it.
    pub(crate) list: Option<PathBuf>,
    /// `DETSIM_REPORT=<file>`: JSON lines of a sweep's or replay's outcome.
    pub(crate) report: Option<PathBuf>,
    /// `DETSIM_TRACE_JSON=<file>`: a replay's trace as JSON lines.
    pub(crate) trace_json: Option<PathBuf>,
    /// `DETSIM_CARGO_FEATURES=<flags>`: the cargo feature flags the test
    /// was built with (`--features x`, shell-quoted), which `cargo
    /// detsim` passes so the commands a report prints build the same and
    /// artifacts record them; here as cargo's arguments
    /// (`["--features", "x"]`).
    pub(crate) cargo_features: Vec<String>,
}

/// A `DETSIM_*` variable with a value we cannot use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct EnvError {
    var: &'static str,
    value: String,
    problem: String,
    accepted: &'static str,
}

impl fmt::Display for EnvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "detsim: {}={:?} is not valid: {}; accepted: {}",
            self.var, self.value, self.problem, self.accepted
        )
    }
}

const SEED_FORMS: &str = "a decimal u64 (42) or 0x-prefixed hex (0x2a)";
const COUNT_FORMS: &str = "a whole number of 1 or more (1000)";
const BOOL_FORMS: &str = "1, true, yes or on to enable; 0, false, no or off to disable";
const SCHEDULER_FORMS: &str =
    "random, fifo, pct (depth 3), pct:N (depth N from 1 to 64) or portfolio";
const PATH_FORMS: &str = "the path of a replay artifact (.json) that a failing run wrote";
const OUT_FORMS: &str = "the path of a file to write (cargo detsim sets it)";
const FEATURE_FORMS: &str = "cargo's feature flags as shell words, as cargo detsim sets them \
                             (--features 'a b' --all-features --no-default-features)";

/// The process's overrides, read from the environment on first use.
pub(crate) fn overrides() -> Result<&'static Overrides, EnvError> {
    static ONCE: OnceLock<Result<Overrides, EnvError>> = OnceLock::new();
    ONCE.get_or_init(|| parse(|var| std::env::var_os(var)))
        .as_ref()
        .map_err(Clone::clone)
}

/// Parses the overrides from a lookup (the environment, or a test's map).
/// Unset and empty variables are the same.
pub(crate) fn parse(
    get: impl Fn(&str) -> Option<std::ffi::OsString>,
) -> Result<Overrides, EnvError> {
    let text = |var: &'static str, accepted: &'static str| -> Result<Option<String>, EnvError> {
        match get(var) {
            None => Ok(None),
            Some(v) => match v.into_string() {
                Ok(s) if s.trim().is_empty() => Ok(None),
                Ok(s) => Ok(Some(s)),
                Err(raw) => Err(EnvError {
                    var,
                    value: raw.to_string_lossy().into_owned(),
                    problem: "it is not valid UTF-8".into(),
                    accepted,
                }),
            },
        }
    };
    let refuse =
        |var: &'static str, value: &str, problem: String, accepted: &'static str| EnvError {
            var,
            value: value.to_owned(),
            problem,
            accepted,
        };
    let count = |var: &'static str| -> Result<Option<u64>, EnvError> {
        let Some(s) = text(var, COUNT_FORMS)? else {
            return Ok(None);
        };
        match parse_u64(&s) {
            Ok(0) => Err(refuse(
                var,
                &s,
                "zero would run nothing".into(),
                COUNT_FORMS,
            )),
            Ok(n) => Ok(Some(n)),
            Err(problem) => Err(refuse(var, &s, problem, COUNT_FORMS)),
        }
    };
    let flag = |var: &'static str| -> Result<bool, EnvError> {
        let Some(s) = text(var, BOOL_FORMS)? else {
            return Ok(false);
        };
        match s.trim().to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => Ok(true),
            "0" | "false" | "no" | "off" => Ok(false),
            _ => Err(refuse(var, &s, "it is not a yes or no".into(), BOOL_FORMS)),
        }
    };

    let seed = match text("DETSIM_SEED", SEED_FORMS)? {
        None => None,
        Some(s) => Some(parse_seed(&s).map_err(|p| refuse("DETSIM_SEED", &s, p, SEED_FORMS))?),
    };
    let seeds = count("DETSIM_SEEDS")?;
    let jobs = count("DETSIM_JOBS")?.map(|n| usize::try_from(n).unwrap_or(usize::MAX));
    let time_limit = match text("DETSIM_TIME_LIMIT", sim_clock::DURATION_FORMS)? {
        None => None,
        Some(s) => match sim_clock::parse_duration(&s) {
            Ok(d) if d.is_zero() => {
                return Err(refuse(
                    "DETSIM_TIME_LIMIT",
                    &s,
                    "a zero limit would stop every run before it starts".into(),
                    sim_clock::DURATION_FORMS,
                ));
            }
            Ok(d) => Some(d),
            Err(e) => {
                return Err(refuse(
                    "DETSIM_TIME_LIMIT",
                    &s,
                    problem_of(&e),
                    sim_clock::DURATION_FORMS,
                ));
            }
        },
    };
    let slow_run = match text("DETSIM_SLOW_RUN", sim_clock::DURATION_FORMS)? {
        None => None,
        Some(s) => match sim_clock::parse_duration(&s) {
            Ok(d) if d.is_zero() => {
                return Err(refuse(
                    "DETSIM_SLOW_RUN",
                    &s,
                    "a zero threshold would name every run (give a longer one, like 10m, to be \
                     told later)"
                        .into(),
                    sim_clock::DURATION_FORMS,
                ));
            }
            Ok(d) => Some(d),
            Err(e) => {
                return Err(refuse(
                    "DETSIM_SLOW_RUN",
                    &s,
                    problem_of(&e),
                    sim_clock::DURATION_FORMS,
                ));
            }
        },
    };
    let replay = text("DETSIM_REPLAY", PATH_FORMS)?.map(PathBuf::from);
    let shrink = text("DETSIM_SHRINK", PATH_FORMS)?.map(PathBuf::from);
    if let Some(path) = &shrink {
        let other = [
            ("DETSIM_REPLAY", replay.is_some()),
            ("DETSIM_SEED", seed.is_some()),
        ]
        .into_iter()
        .find(|(_, set)| *set);
        if let Some((var, _)) = other {
            return Err(refuse(
                "DETSIM_SHRINK",
                &path.display().to_string(),
                format!("{var} is set too, and a shrink starts from the artifact's run"),
                "one of DETSIM_SHRINK, DETSIM_REPLAY and DETSIM_SEED",
            ));
        }
    }
    if let (Some(path), Some(_)) = (&replay, seed) {
        return Err(refuse(
            "DETSIM_SEED",
            &text("DETSIM_SEED", SEED_FORMS)?.unwrap_or_default(),
            format!(
                "DETSIM_REPLAY={} is set too, and a replay takes its seed from the artifact",
                path.display()
            ),
            "one of DETSIM_SEED and DETSIM_REPLAY, not both",
        ));
    }
    let scheduler = match text("DETSIM_SCHEDULER", SCHEDULER_FORMS)? {
        None => None,
        Some(s) => Some(
            parse_scheduler(&s).map_err(|p| refuse("DETSIM_SCHEDULER", &s, p, SCHEDULER_FORMS))?,
        ),
    };
    let trace_limit = match text("DETSIM_TRACE_LIMIT", COUNT_FORMS)? {
        None => None,
        Some(s) => match parse_u64(&s) {
            Ok(0) => {
                return Err(refuse(
                    "DETSIM_TRACE_LIMIT",
                    &s,
                    "zero would keep no event of the trace (unset DETSIM_TRACE instead)".into(),
                    COUNT_FORMS,
                ));
            }
            Ok(n) => Some(usize::try_from(n).unwrap_or(usize::MAX)),
            Err(problem) => return Err(refuse("DETSIM_TRACE_LIMIT", &s, problem, COUNT_FORMS)),
        },
    };
    let cargo_features = match text("DETSIM_CARGO_FEATURES", FEATURE_FORMS)? {
        None => Vec::new(),
        Some(s) => features::split_words(&s)
            .and_then(|words| features::normalize(words.iter().map(String::as_str)))
            .map_err(|p| refuse("DETSIM_CARGO_FEATURES", &s, p, FEATURE_FORMS))?,
    };
    Ok(Overrides {
        scheduler,
        seed,
        seeds,
        jobs,
        check_determinism: flag("DETSIM_CHECK_DETERMINISM")?,
        replay,
        shrink,
        time_limit,
        slow_run,
        keep_going: flag("DETSIM_KEEP_GOING")?,
        trace: flag("DETSIM_TRACE")?,
        trace_limit,
        list: text("DETSIM_LIST", OUT_FORMS)?.map(PathBuf::from),
        report: text("DETSIM_REPORT", OUT_FORMS)?.map(PathBuf::from),
        trace_json: text("DETSIM_TRACE_JSON", OUT_FORMS)?.map(PathBuf::from),
        cargo_features,
    })
}

/// What is wrong with a duration, without the parser's own suggestion
/// (the error names the accepted forms).
fn problem_of(e: &impl fmt::Display) -> String {
    let problem = e.to_string();
    problem
        .split("; write")
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// A seed: decimal, or hex with a `0x` prefix; `_` separators allowed.
/// `DETSIM_SCHEDULER`'s value: `random`, `fifo`, `pct`, `pct:N`,
/// `portfolio` (any case).
pub(crate) fn parse_scheduler(s: &str) -> Result<crate::Scheduler, String> {
    use crate::Scheduler;
    let t = s.trim().to_ascii_lowercase();
    match t.as_str() {
        "random" => return Ok(Scheduler::Random),
        "fifo" => return Ok(Scheduler::Fifo),
        "pct" => return Ok(Scheduler::Pct { depth: 3 }),
        "portfolio" => return Ok(Scheduler::Portfolio),
        _ => {}
    }
    let Some(depth) = t.strip_prefix("pct:") else {
        return Err("it is not a scheduler detsim knows".into());
    };
    match parse_u64(depth) {
        Ok(d @ 1..=64) => Ok(Scheduler::Pct { depth: d as u32 }),
        Ok(_) => Err("a PCT depth must be between 1 and 64 (1 to 3 finds most bugs)".into()),
        Err(_) => Err(format!("the PCT depth {depth:?} is not a whole number")),
    }
}

/// `d` as `DETSIM_TIME_LIMIT` and `#[sim_test(time_limit = "...")]` take
/// it: a whole number of the largest unit that holds `d` exactly, among
/// the units [`sim_clock::parse_duration`] reads (`h`, `m`, `s`, `ms`,
/// `us`, `ns`; `us` rather than `µs`, plain ASCII for a shell); zero is
/// `0s`. The printed replay and sweep commands spell a recorded time
/// limit with it, so a user reads `10s` or `1h`, not `10000000000ns`, and
/// pasting the command sets the same limit: the parser reads the word
/// back as `d`, for every `d` it can read (up to `u64::MAX` nanoseconds,
/// about 584 years).
///
/// ```
/// use std::time::Duration;
/// use detsim::harness::format_duration;
/// assert_eq!(format_duration(Duration::from_secs(3600)), "1h");
/// assert_eq!(format_duration(Duration::from_secs(90)), "90s");
/// assert_eq!(format_duration(Duration::from_millis(1500)), "1500ms");
/// assert_eq!(format_duration(Duration::from_nanos(1_000_001)), "1000001ns");
/// ```
#[doc(hidden)]
pub fn format_duration(d: Duration) -> String {
    const UNITS: [(u128, &str); 5] = [
        (3_600_000_000_000, "h"),
        (60_000_000_000, "m"),
        (1_000_000_000, "s"),
        (1_000_000, "ms"),
        (1_000, "us"),
    ];
    let ns = d.as_nanos();
    if ns == 0 {
        return "0s".to_owned();
    }
    match UNITS.iter().find(|&&(scale, _)| ns % scale == 0) {
        Some(&(scale, unit)) => format!("{}{unit}", ns / scale),
        None => format!("{ns}ns"),
    }
}

/// The `DETSIM_SCHEDULER` value that selects `s`.
pub(crate) fn scheduler_name(s: crate::Scheduler) -> String {
    match s {
        crate::Scheduler::Pct { depth } => format!("pct:{depth}"),
        other => other.to_string(),
    }
}

pub(crate) fn parse_seed(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (digits, radix) = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(hex) => (hex, 16),
        None => (t, 10),
    };
    let digits: String = digits.chars().filter(|&c| c != '_').collect();
    if digits.is_empty() {
        return Err("there are no digits".into());
    }
    u64::from_str_radix(&digits, radix).map_err(|e| match e.kind() {
        std::num::IntErrorKind::PosOverflow => "it does not fit in 64 bits".into(),
        _ if digits.starts_with('-') => "it is negative (seeds are 0 or more)".into(),
        _ if radix == 10 && digits.chars().all(|c| c.is_ascii_hexdigit()) => {
            "it has hex digits but no 0x prefix".into()
        }
        _ => "it is not a number".into(),
    })
}

fn parse_u64(s: &str) -> Result<u64, String> {
    let digits: String = s.trim().chars().filter(|&c| c != '_').collect();
    digits.parse::<u64>().map_err(|e| match e.kind() {
        std::num::IntErrorKind::PosOverflow => "it does not fit in 64 bits".into(),
        _ if digits.starts_with('-') => "it is negative".into(),
        _ => "it is not a whole number".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsString;

    fn with(vars: &[(&str, &str)]) -> Result<Overrides, EnvError> {
        parse(|name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| OsString::from(v))
        })
    }

    #[test]
    fn nothing_set_is_no_override() {
        assert_eq!(with(&[]), Ok(Overrides::default()));
        assert_eq!(with(&[("DETSIM_SEED", " ")]), Ok(Overrides::default()));
    }

    #[test]
    fn reads_every_variable() {
        let o = with(&[
            ("DETSIM_SEED", "0x2A"),
            ("DETSIM_SEEDS", "1_000"),
            ("DETSIM_JOBS", "2"),
            ("DETSIM_CHECK_DETERMINISM", "1"),
            ("DETSIM_TIME_LIMIT", "90s"),
            ("DETSIM_KEEP_GOING", "yes"),
        ])
        .unwrap();
        assert_eq!(o.seed, Some(42));
        assert_eq!(o.seeds, Some(1000));
        assert_eq!(o.jobs, Some(2));
        assert!(o.check_determinism && o.keep_going);
        assert_eq!(o.time_limit, Some(Duration::from_secs(90)));
        for (text, s) in [
            ("random", crate::Scheduler::Random),
            ("FIFO", crate::Scheduler::Fifo),
            ("pct", crate::Scheduler::Pct { depth: 3 }),
            ("pct:2", crate::Scheduler::Pct { depth: 2 }),
            (" portfolio ", crate::Scheduler::Portfolio),
        ] {
            let o = with(&[("DETSIM_SCHEDULER", text)]).unwrap();
            assert_eq!(o.scheduler, Some(s));
            assert_eq!(parse_scheduler(&scheduler_name(s)), Ok(s));
        }
        let r = with(&[("DETSIM_REPLAY", "a.json")]).unwrap();
        assert_eq!(r.replay, Some(PathBuf::from("a.json")));
        let cli = with(&[
            ("DETSIM_LIST", "l.jsonl"),
            ("DETSIM_REPORT", "r.jsonl"),
            ("DETSIM_TRACE_JSON", "t.jsonl"),
        ])
        .unwrap();
        assert_eq!(cli.list, Some(PathBuf::from("l.jsonl")));
        assert_eq!(cli.report, Some(PathBuf::from("r.jsonl")));
        assert_eq!(cli.trace_json, Some(PathBuf::from("t.jsonl")));
        let f = with(&[(
            "DETSIM_CARGO_FEATURES",
            "--features 'a b' --no-default-features",
        )])
        .unwrap();
        assert_eq!(
            f.cargo_features,
            ["--features", "a b", "--no-default-features"]
        );
    }

    #[test]
    fn seeds_in_decimal_and_hex() {
        assert_eq!(parse_seed("42"), Ok(42));
        assert_eq!(parse_seed("0xffff_ffff_ffff_ffff"), Ok(u64::MAX));
        assert_eq!(
            parse_seed("ab"),
            Err("it has hex digits but no 0x prefix".into())
        );
        assert_eq!(parse_seed("0x"), Err("there are no digits".into()));
        assert_eq!(
            parse_seed("18446744073709551616"),
            Err("it does not fit in 64 bits".into())
        );
        assert_eq!(parse_seed("seven"), Err("it is not a number".into()));
    }

    #[test]
    fn bad_values_name_variable_value_and_forms() {
        let err = |k: &str, v: &str| with(&[(k, v)]).unwrap_err().to_string();
        assert_eq!(
            err("DETSIM_SEED", "seven"),
            "detsim: DETSIM_SEED=\"seven\" is not valid: it is not a number; \
             accepted: a decimal u64 (42) or 0x-prefixed hex (0x2a)"
        );
        assert!(err("DETSIM_SEEDS", "0").contains("zero would run nothing"));
        assert!(err("DETSIM_TRACE_LIMIT", "0").contains("zero would keep no event"));
        assert!(err("DETSIM_TRACE_LIMIT", "lots").contains("DETSIM_TRACE_LIMIT=\"lots\""));
        assert_eq!(
            with(&[("DETSIM_TRACE_LIMIT", "5000")]).unwrap().trace_limit,
            Some(5000)
        );
        assert!(err("DETSIM_JOBS", "-1").contains("DETSIM_JOBS=\"-1\""));
        assert_eq!(
            err("DETSIM_SEEDS", "-1"),
            "detsim: DETSIM_SEEDS=\"-1\" is not valid: it is negative; accepted: a whole \
             number of 1 or more (1000)"
        );
        assert!(err("DETSIM_SEED", "-3").contains("it is negative (seeds are 0 or more)"));
        assert!(err("DETSIM_KEEP_GOING", "maybe").contains("1, true, yes or on"));
        assert!(err("DETSIM_TIME_LIMIT", "90").contains("has no unit"));
        assert!(err("DETSIM_TIME_LIMIT", "0s").contains("zero limit"));
        assert_eq!(
            with(&[("DETSIM_SLOW_RUN", "1500ms")]).unwrap().slow_run,
            Some(Duration::from_millis(1500))
        );
        assert!(err("DETSIM_SLOW_RUN", "0s").contains("a zero threshold would name every run"));
        assert!(err("DETSIM_SLOW_RUN", "10").starts_with(
            "detsim: DETSIM_SLOW_RUN=\"10\" is not valid: `10` has no unit; accepted: a number \
             and a unit"
        ));
        assert_eq!(
            err("DETSIM_SCHEDULER", "lifo"),
            "detsim: DETSIM_SCHEDULER=\"lifo\" is not valid: it is not a scheduler detsim \
             knows; accepted: random, fifo, pct (depth 3), pct:N (depth N from 1 to 64) or \
             portfolio"
        );
        assert!(err("DETSIM_SCHEDULER", "pct:0").contains("between 1 and 64"));
        assert!(err("DETSIM_SCHEDULER", "pct:x").contains("\"x\" is not a whole number"));
        assert_eq!(
            err("DETSIM_CARGO_FEATURES", "--release"),
            "detsim: DETSIM_CARGO_FEATURES=\"--release\" is not valid: `--release` is not one \
             of --features LIST (or -F LIST), --all-features, --no-default-features; accepted: \
             cargo's feature flags as shell words, as cargo detsim sets them (--features 'a b' \
             --all-features --no-default-features)"
        );
        let s = with(&[("DETSIM_SHRINK", "a.json")]).unwrap();
        assert_eq!(s.shrink, Some(PathBuf::from("a.json")));
        let clash = with(&[("DETSIM_SHRINK", "a.json"), ("DETSIM_REPLAY", "b.json")]);
        assert_eq!(
            clash.unwrap_err().to_string(),
            "detsim: DETSIM_SHRINK=\"a.json\" is not valid: DETSIM_REPLAY is set too, and a \
             shrink starts from the artifact's run; accepted: one of DETSIM_SHRINK, \
             DETSIM_REPLAY and DETSIM_SEED"
        );
        let both = with(&[("DETSIM_SEED", "1"), ("DETSIM_REPLAY", "a.json")]);
        assert!(both.unwrap_err().to_string().contains("not both"));
    }

    #[test]
    fn a_duration_is_spelled_in_the_largest_exact_unit() {
        let word = format_duration;
        assert_eq!(word(Duration::from_secs(7200)), "2h");
        assert_eq!(word(Duration::from_secs(3600)), "1h");
        assert_eq!(word(Duration::from_secs(5400)), "90m");
        assert_eq!(word(Duration::from_secs(60)), "1m");
        assert_eq!(word(Duration::from_secs(90)), "90s");
        assert_eq!(word(Duration::from_secs(10)), "10s");
        assert_eq!(word(Duration::from_millis(1500)), "1500ms");
        assert_eq!(word(Duration::from_millis(1001)), "1001ms");
        assert_eq!(word(Duration::from_millis(1)), "1ms");
        assert_eq!(word(Duration::from_micros(250)), "250us");
        assert_eq!(word(Duration::from_micros(1_000_001)), "1000001us");
        assert_eq!(word(Duration::from_nanos(1)), "1ns");
        assert_eq!(word(Duration::from_nanos(1_000_000_001)), "1000000001ns");
        assert_eq!(
            word(Duration::from_nanos(3_600_000_000_001)),
            "3600000000001ns"
        );
        assert_eq!(word(Duration::ZERO), "0s");
        assert_eq!(
            word(Duration::from_nanos(u64::MAX)),
            "18446744073709551615ns"
        );
        // detsim's default limit, which artifacts record.
        assert_eq!(word(crate::DEFAULT_TIME_LIMIT), "1h");
    }

    #[test]
    fn a_spelled_duration_reads_back_as_itself() {
        const SCALES: [u64; 6] = [
            1,
            1_000,
            1_000_000,
            1_000_000_000,
            60_000_000_000,
            3_600_000_000_000,
        ];
        let mut values = vec![0, 1, u64::MAX, u64::MAX - 1, u64::MAX / 1_000 * 1_000];
        for scale in SCALES {
            for n in [
                1, 2, 7, 59, 60, 61, 999, 1000, 1001, 1500, 3600, 86_400, 123_457,
            ] {
                values.push(scale * n);
                values.push(scale * n + 1);
            }
        }
        // And many more, spread over the whole range (splitmix64).
        let mut x = 0u64;
        for _ in 0..10_000 {
            x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^= z >> 31;
            // Every magnitude, and a fair share of multiples of each unit.
            let v = z >> (z % 64);
            values.push(v);
            values.push(v / SCALES[(z % 6) as usize] * SCALES[(z % 6) as usize]);
        }
        for ns in values {
            let d = Duration::from_nanos(ns);
            let word = format_duration(d);
            assert_eq!(sim_clock::parse_duration(&word), Ok(d), "{word}");
            // The largest unit: the number is not a whole count of the
            // next unit up.
            let number: u64 = word.trim_end_matches(char::is_alphabetic).parse().unwrap();
            let unit = &word[number.to_string().len()..];
            let up = match unit {
                "ns" => 1_000,
                "us" => 1_000,
                "ms" => 1_000,
                "s" => 60,
                "m" => 60,
                "h" => continue,
                other => panic!("{word}: unit {other}"),
            };
            assert!(ns == 0 || number % up != 0, "{word} has a larger unit");
        }
    }
}
