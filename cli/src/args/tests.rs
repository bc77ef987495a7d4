//! The command line's parsing: each mistake one line with the fix.

use super::values::{scientific, written_out};
use super::*;

fn args(s: &str) -> Result<Args, String> {
    let raw: Vec<String> = s.split_whitespace().map(str::to_owned).collect();
    parse(&raw).map_err(|e| e.to_string())
}

#[test]
fn sweep_flags() {
    let a = args("detsim sweep kv --seeds 0x10..100 -j 3 --shard 1/2 --keep-going -p x").unwrap();
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
fn replay_takes_a_scheduler() {
    let replay = |line: &str| match args(line).unwrap().command {
        Command::Replay(r) => r,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        replay("replay --seed 3 t --scheduler PCT:2")
            .scheduler
            .as_deref(),
        Some("pct:2")
    );
    assert_eq!(replay("replay --seed 3 t").scheduler, None);
    // Parsed, and refused once the artifact is read (replay.rs): the
    // error names the scheduler it recorded.
    assert_eq!(
        replay("replay a.json --scheduler=fifo")
            .scheduler
            .as_deref(),
        Some("fifo")
    );
    let e = args("replay --seed 3 t --scheduler pct:65").unwrap_err();
    assert!(e.starts_with("--scheduler pct:65: use random, fifo"), "{e}");
    let e = args("replay --seed 3 t --scheduler fifo --scheduler pct").unwrap_err();
    assert!(e.starts_with("--scheduler is given twice"), "{e}");
    assert!(same_scheduler("pct", "PCT:3"));
    assert!(same_scheduler("pct:02", "pct:2"));
    assert!(!same_scheduler("pct:2", "pct"));
    assert!(!same_scheduler("fifo", "random"));
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
fn a_switch_given_twice_is_a_mistake_as_a_value_flag_is() {
    for (given, flag) in [
        ("sweep t --seeds 5 --release --release", "--release"),
        (
            "sweep t --seeds 5 --keep-going --keep-going",
            "--keep-going",
        ),
        ("list --workspace --workspace", "--workspace"),
        ("replay --seed 3 t --log --log", "--log"),
        (
            "shrink a.json --all-features --all-features",
            "--all-features",
        ),
    ] {
        let e = args(given).unwrap_err();
        assert!(
            e.starts_with(&format!("{flag} is given twice: give it once")),
            "{given}: {e}"
        );
    }
}

#[test]
fn replay_of_an_artifact_with_a_seed_is_a_mistake() {
    for given in [
        "replay /t/fixture/test-planted.planted_bug.seed-0x9.json --seed 3",
        "replay --seed 3 seed-0x9.shrunk.json",
    ] {
        let e = args(given).unwrap_err();
        assert!(
            e.contains("--seed 3") && e.contains("artifact") && e.contains("give one"),
            "{given}: {e}"
        );
    }
    // A test name is not an artifact.
    assert!(args("replay --seed 3 tests::json").is_ok());
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
