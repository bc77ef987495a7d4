//! `detsim::proptest` with tapes: a property over schedules finds a lost
//! update, proptest shrinks the tape to a handful of draws, the failure
//! message names an artifact that replays the minimal case exactly, and
//! proptest's failure persistence file brings the failing case back first
//! on the next run.

use std::cell::Cell;
use std::rc::Rc;

use detsim::harness::Artifact;
use detsim::proptest::{builder, check, tapes};
use detsim::{Tape, spawn, yield_now};
use proptest::strategy::Strategy;
use proptest::test_runner::{Config, FileFailurePersistence, TestCaseError, TestError, TestRunner};

/// Two read-await-write increments among busy neighbours: a lost update
/// under some schedules.
async fn counter() {
    let count = Rc::new(Cell::new(0));
    let mut tasks = Vec::new();
    for i in 0..6 {
        let c = count.clone();
        tasks.push(detsim::spawn_local(async move {
            if i < 2 {
                let seen = c.get();
                yield_now().await;
                c.set(seen + 1);
            } else {
                for _ in 0..3 {
                    yield_now().await;
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(count.get(), 2, "lost update");
}

fn runner(persistence: Option<FileFailurePersistence>) -> TestRunner {
    let config = Config {
        cases: 256,
        failure_persistence: persistence.map(|p| Box::new(p) as _),
        source_file: Some(file!()),
        ..Config::default()
    };
    TestRunner::new_with_rng(
        config,
        proptest::test_runner::TestRng::deterministic_rng(
            proptest::test_runner::RngAlgorithm::ChaCha,
        ),
    )
}

#[test]
fn a_failing_schedule_shrinks_and_its_artifact_replays_it() {
    let name = "proptest_tapes_lost_update";
    let result = runner(None).run(&tapes(64), |tape| {
        check!(name, builder(&tape), counter())?;
        Ok(())
    });
    let Err(TestError::Fail(reason, minimal)) = result else {
        panic!("the property should fail: {result:?}");
    };
    // Shrunk by proptest: a few small draws.
    assert!(minimal.nonzero() <= 3, "{minimal:?}");
    assert!(minimal.as_slice().iter().all(|&d| d < 4), "{minimal:?}");
    let text = reason.to_string();
    assert!(
        text.contains("panic \"assertion `left == right` failed: lost update"),
        "{text}"
    );
    let path = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("artifact: "))
        .expect("an artifact line")
        .to_owned();
    // The replay command runs as-is in the workspace: package, target and
    // the test's exact name (from where check! is written).
    let replay = text
        .lines()
        .find(|l| l.trim().starts_with("replay it: "))
        .expect("a replay line")
        .replace(&path, "[ARTIFACT]");
    insta::assert_snapshot!(replay.trim(), @"replay it: DETSIM_REPLAY=[ARTIFACT] cargo test -p detsim --test proptest_tapes -- a_failing_schedule_shrinks_and_its_artifact_replays_it --exact");
    // The artifact holds the minimal case: replaying it fails the same way,
    // and running the minimal tape again gives the same fingerprint.
    let art = Artifact::read(&path).unwrap();
    assert_eq!(art.package(), "detsim", "check! records the package");
    let again = art.builder().build().run(counter()).unwrap_err();
    assert_eq!(Some(again.fingerprint()), art.fingerprint());
    let direct = builder(&minimal).build().run(counter()).unwrap_err();
    assert_eq!(direct.fingerprint(), again.fingerprint());
}

/// Fails when a user draw in 0..100 is 60 or more: rare enough under
/// small-biased tapes that the first case passes.
async fn rare() {
    let n = detsim::rand::gen_range(0..100u32);
    assert!(n < 60, "drew {n}");
}

#[test]
fn the_regression_file_is_written_and_replays_the_failure_first() {
    let dir = std::env::temp_dir().join(format!("detsim-proptest-{}", std::process::id()));
    let file = dir.join("lost_update.txt");
    let _ = std::fs::remove_dir_all(&dir);
    let leaked: &'static str = Box::leak(file.display().to_string().into_boxed_str());
    // Returns the number of the case that failed first (before shrinking).
    let run = || {
        let cases = Cell::new(0u32);
        let first_failure = Cell::new(None);
        let result = runner(Some(FileFailurePersistence::Direct(leaked))).run(&tapes(64), |tape| {
            cases.set(cases.get() + 1);
            builder(&tape).build().run(rare()).map_err(|f| {
                first_failure.set(first_failure.get().or(Some(cases.get())));
                TestCaseError::fail(f.message().to_owned())
            })
        });
        assert!(result.is_err());
        first_failure.get().unwrap()
    };
    let first = run();
    assert!(first > 1, "the first run failed at case {first}");
    let saved = std::fs::read_to_string(&file).expect("proptest wrote the regression file");
    assert!(saved.lines().any(|l| l.starts_with("cc ")), "{saved}");
    // The next run starts with the persisted failing case.
    assert_eq!(run(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn tapes_are_biased_small_and_every_case_is_deterministic() {
    let mut runner = runner(None);
    let mut small = 0usize;
    let mut total = 0usize;
    for _ in 0..200 {
        let tape: Tape = tapes(32)
            .new_tree(&mut runner)
            .map(|t| proptest::strategy::ValueTree::current(&t))
            .unwrap();
        total += tape.len();
        small += tape.as_slice().iter().filter(|&&d| d < 64).count();
        let run = || {
            let mut sim = builder(&tape).build();
            let out = sim.run(async {
                let a = spawn(async { yield_now().await });
                a.await.unwrap();
            });
            (out.is_ok(), sim.fingerprint())
        };
        assert_eq!(run(), run());
    }
    assert!(small * 10 >= total * 8, "{small} of {total} draws below 64");
}
