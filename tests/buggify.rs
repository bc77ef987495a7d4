//! `detsim::buggify!`: FoundationDB semantics through the facade. A site is
//! activated once per run (about one run in four), an active site fires
//! about one reach in four (or `p`), an inactive one never fires; the same
//! seed makes the same decisions; outside a simulation it is false; the
//! builder can turn it off or activate every site.

use detsim::{BuggifyMode, Sim, TraceKind, buggify};

/// Reaches one site `n` times; returns how many times it fired.
async fn reach(n: u32) -> u32 {
    let mut fired = 0;
    for _ in 0..n {
        if buggify!() {
            fired += 1;
        }
        detsim::yield_now().await;
    }
    fired
}

/// Two sites, one with its own probability, and a task per site.
async fn two_sites() -> (u32, u32) {
    let a = detsim::spawn(reach(20));
    let b = detsim::spawn(async {
        let mut fired = 0;
        for _ in 0..20 {
            if buggify!(0.6) {
                fired += 1;
            }
            detsim::yield_now().await;
        }
        fired
    });
    (a.await.unwrap(), b.await.unwrap())
}

#[test]
fn the_same_seed_makes_the_same_decisions() {
    for seed in 0..300 {
        let run = || {
            let mut sim = Sim::builder().seed(seed).build();
            let out = sim.run(two_sites()).unwrap();
            (out, sim.fingerprint())
        };
        assert_eq!(run(), run(), "seed {seed}");
    }
}

#[test]
fn a_site_fires_on_some_seeds_and_never_when_not_activated() {
    let (mut active_runs, mut fired_runs, mut fires, mut reaches) = (0, 0, 0, 0);
    for seed in 0..400 {
        let mut sim = Sim::builder().seed(seed).trace(true).build();
        let fired = sim.run(reach(40)).unwrap();
        let trace = sim
            .trace()
            .unwrap()
            .filter(|l| l.kind() == TraceKind::Buggify);
        let decisions: Vec<&str> = trace.lines().iter().map(|l| l.text()).collect();
        let activated = decisions[0].ends_with("activated for this run");
        assert!(
            activated || decisions[0].ends_with("inactive for this run"),
            "seed {seed}: the first reach decides the activation: {decisions:?}"
        );
        assert_eq!(
            decisions.len() - 1,
            fired as usize,
            "seed {seed}: each fire is traced"
        );
        if activated {
            active_runs += 1;
            fires += fired;
            reaches += 40;
            fired_runs += u32::from(fired > 0);
        } else {
            assert_eq!(fired, 0, "seed {seed}: an inactive site never fires");
        }
    }
    assert!(
        (60..140).contains(&active_runs),
        "active in {active_runs} of 400 runs"
    );
    assert!(fired_runs > 0);
    let rate = f64::from(fires) / f64::from(reaches);
    assert!(
        (0.2..0.3).contains(&rate),
        "an active site fires {rate} of its reaches"
    );
}

#[test]
fn always_false_outside_a_simulation() {
    assert!(!(0..1000).any(|_| buggify!(1.0)));
}

#[test]
fn off_never_fires_and_all_sites_always_activates() {
    for seed in 0..50 {
        let mut off = Sim::builder()
            .seed(seed)
            .buggify(BuggifyMode::Off)
            .trace(true)
            .build();
        assert_eq!(off.run(two_sites()).unwrap(), (0, 0), "seed {seed}");
        let text = off.trace().unwrap().to_string();
        assert!(
            !text.contains("buggify"),
            "seed {seed}: no draw, no event:\n{text}"
        );
    }
    let total: u32 = (0..40)
        .map(|seed| {
            let mut sim = Sim::builder()
                .seed(seed)
                .buggify(BuggifyMode::AllSites)
                .trace(true)
                .build();
            sim.run(reach(10)).unwrap();
            let text = sim.trace().unwrap().to_string();
            assert!(text.contains("activated for this run"), "seed {seed}");
            assert!(!text.contains("draw whether a buggify! site is active"));
            text.matches(" fired").count() as u32
        })
        .sum();
    assert!((60..140).contains(&total), "fired {total} of 400 reaches");
}

#[test]
fn a_probability_outside_zero_to_one_fails_the_run_naming_the_site() {
    let mut sim = Sim::builder().buggify(BuggifyMode::AllSites).build();
    let f = sim.run(async { buggify!(-0.5) }).unwrap_err();
    assert!(f.is_panic());
    assert!(
        f.message()
            .starts_with("detsim: buggify!(-0.5) at tests/buggify.rs:"),
        "{f}"
    );
}

/// The failure of a run that reaches `buggify!(p)` once, in `mode`.
fn bad_probability(mode: BuggifyMode, p: f64) -> detsim::Failure {
    let mut sim = Sim::builder().buggify(mode).build();
    sim.run(async move { buggify!(p) }).unwrap_err()
}

#[test]
fn a_bad_probability_fails_the_run_even_when_buggify_is_off() {
    // The same message in every mode: a test that passes with buggify off
    // must not start failing only when a sweep turns faults on.
    let off = bad_probability(BuggifyMode::Off, 1.5);
    assert!(off.is_panic(), "{off}");
    for mode in [BuggifyMode::Random, BuggifyMode::AllSites] {
        assert_eq!(
            bad_probability(mode, 1.5).message(),
            off.message(),
            "{mode:?}"
        );
    }
    assert!(
        off.headline().contains("panicked at tests/buggify.rs:"),
        "the panic names the call site: {off}"
    );
    // The site's line and column aside (they move as this file changes).
    let (head, rest) = off.message().split_once("tests/buggify.rs:").unwrap();
    let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit() || c == ':');
    insta::assert_snapshot!(format!("{head}tests/buggify.rs:LINE:COLUMN:{rest}"));
}

#[test]
fn nan_and_negative_probabilities_fail_the_run_in_every_mode() {
    for mode in [BuggifyMode::Off, BuggifyMode::Random, BuggifyMode::AllSites] {
        for p in [f64::NAN, -0.5, f64::INFINITY] {
            let f = bad_probability(mode, p);
            assert!(f.is_panic(), "{mode:?} {p}: {f}");
            assert!(
                f.message()
                    .starts_with(&format!("detsim: buggify!({p}) at tests/buggify.rs:")),
                "{mode:?}: {f}"
            );
            assert!(f.message().contains("between 0.0 and 1.0"), "{f}");
        }
    }
}

#[test]
fn checking_the_probability_with_buggify_off_draws_nothing() {
    // Off stays draw-free and event-free with any valid probability: the
    // fingerprint is that of a run without the calls.
    let run = |with_calls: bool| {
        let mut sim = Sim::builder().seed(3).buggify(BuggifyMode::Off).build();
        sim.run(async move {
            if with_calls {
                for p in [0.0, 0.25, 0.6, 1.0] {
                    assert!(!buggify!(p));
                }
            }
        })
        .unwrap();
        (sim.tape().len(), sim.fingerprint())
    };
    assert_eq!(run(true), run(false));
}

#[test]
fn activations_and_fires_are_in_the_fingerprint() {
    let fingerprint = |seed: u64, mode: BuggifyMode| {
        let mut sim = Sim::builder().seed(seed).buggify(mode).build();
        sim.run(reach(8)).unwrap();
        sim.fingerprint()
    };
    for seed in 0..50 {
        // A reached site always draws its activation, so the run differs
        // from one where buggify is off.
        assert_ne!(
            fingerprint(seed, BuggifyMode::Random),
            fingerprint(seed, BuggifyMode::Off),
            "seed {seed}"
        );
        assert_ne!(
            fingerprint(seed, BuggifyMode::AllSites),
            fingerprint(seed, BuggifyMode::Off),
            "seed {seed}"
        );
    }
}
