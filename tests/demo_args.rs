//! The demos' command line (`examples/common/args.rs`, compiled from the
//! examples' own file): conflicting and repeated flags are mistakes, each
//! one line that names the flags and the fix (the demo exits 2 with it).

#[allow(dead_code)]
#[path = "../examples/common/args.rs"]
mod args;
#[allow(dead_code, unused_macros, unused_imports)]
#[path = "../examples/common/out.rs"]
mod out;

use args::{Args, Mode, parse_args};

fn parse(line: &str) -> Result<Option<Args>, String> {
    parse_args(line.split_whitespace().map(str::to_owned))
}

/// What a line runs: `sweep N`, `replay S` or `help`, and `fixed`.
fn runs(line: &str) -> String {
    match parse(line) {
        Ok(Some(Args { mode, fixed })) => {
            let what = match mode {
                Mode::Sweep { seeds } => format!("sweep {seeds}"),
                Mode::Replay { seed } => format!("replay {seed:#x}"),
            };
            format!("{what}{}", if fixed { " fixed" } else { "" })
        }
        Ok(None) => "help".to_owned(),
        Err(e) => panic!("{line}: {e}"),
    }
}

#[test]
fn each_flag_once_runs_as_before() {
    assert_eq!(runs(""), "sweep 1000");
    assert_eq!(runs("--seeds 5000"), "sweep 5000");
    assert_eq!(runs("--seeds=5000 --fixed"), "sweep 5000 fixed");
    assert_eq!(runs("--seed 0x2a"), "replay 0x2a");
    assert_eq!(runs("--fixed --seed=7"), "replay 0x7 fixed");
    assert_eq!(runs("--seed 7 --help"), "help");
}

#[test]
fn conflicting_and_repeated_flags_are_one_line_mistakes() {
    let lines = [
        "--seed 7 --seeds 5",
        "--seeds 5 --seed 7",
        "--seeds=5 --fixed --seed=0x7",
        "--seeds 5 --seeds 7",
        "--seed 7 --seed 0x8",
        "--fixed --fixed",
        "--fixed=yes",
        "--seeds 1e3",
        "--seeds 0",
    ];
    let mut all = String::new();
    for line in lines {
        let e = match parse(line) {
            Err(e) => e,
            Ok(_) => panic!("{line}: accepted"),
        };
        assert!(!e.contains('\n'), "{line}: {e}");
        all.push_str(&format!("{line}\n  error: {e}\n"));
    }
    insta::assert_snapshot!(all);
}
