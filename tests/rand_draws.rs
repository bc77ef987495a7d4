//! `detsim::rand` draws from the one choice source: reproducible per seed,
//! replayable from a tape, in range, and usable through `rand_core`.

use detsim::{Sim, Tape, rand};

fn draws(seed: u64) -> Vec<u64> {
    let mut sim = Sim::builder().seed(seed).build();
    sim.run(async {
        let mut v = vec![
            rand::random::<u64>(),
            u64::from(rand::random::<u8>()),
            u64::from(rand::random::<bool>()),
            rand::gen_range(10..20u64),
            rand::gen_range(..=3u64),
            u64::from(rand::gen_bool(0.3)),
            rand::gen_range(-5i64..5).unsigned_abs(),
        ];
        let mut deck: Vec<u64> = (0..8).collect();
        rand::shuffle(&mut deck);
        v.extend(deck);
        v.push(*rand::choose(&[7u64, 8, 9]).unwrap());
        let mut bytes = [0u8; 12];
        rand::rng().fill_bytes(&mut bytes);
        v.extend(bytes.iter().map(|&b| u64::from(b)));
        v
    })
    .unwrap()
}

#[test]
fn draws_follow_the_seed() {
    assert_eq!(draws(1), draws(1));
    assert_ne!(draws(1), draws(2));
}

#[test]
fn ranges_are_respected() {
    let mut sim = Sim::builder().seed(9).build();
    sim.run(async {
        for _ in 0..2_000 {
            assert!((10..20).contains(&rand::gen_range(10..20)));
            assert!((-3..=3).contains(&rand::gen_range(-3i8..=3)));
            let f = rand::gen_range(0.25..0.5);
            assert!((0.25..0.5).contains(&f));
            let u: f64 = rand::random();
            assert!((0.0..1.0).contains(&u));
            assert_eq!(rand::gen_range(5..=5), 5);
        }
        let full = rand::gen_range(u64::MIN..=u64::MAX);
        let _ = full;
    })
    .unwrap();
}

#[test]
fn zero_draws_give_the_simplest_values() {
    let mut sim = Sim::builder().tape(Tape::new(vec![0; 64])).build();
    sim.run(async {
        assert_eq!(rand::random::<u64>(), 0);
        assert!(!rand::random::<bool>());
        assert!(!rand::gen_bool(0.999));
        assert_eq!(rand::gen_range(100..200), 100);
        let mut v = [1, 2, 3];
        rand::shuffle(&mut v);
        assert_eq!(v, [1, 2, 3]);
        assert_eq!(rand::choose(&["first", "second"]), Some(&"first"));
    })
    .unwrap();
}

#[test]
fn an_empty_range_is_a_clear_panic() {
    let mut sim = Sim::builder().build();
    let f = sim
        .run(async {
            #[allow(clippy::reversed_empty_ranges)]
            rand::gen_range(5..5)
        })
        .unwrap_err();
    assert_eq!(f.message(), "detsim::rand::gen_range: the range is empty");
    let mut sim = Sim::builder().build();
    let f = sim.run(async { rand::gen_bool(1.5) }).unwrap_err();
    assert!(f.message().contains("the probability 1.5 is not in [0, 1]"));
}

#[test]
fn sim_rng_works_as_a_rand_core_rng() {
    fn roll(rng: &mut impl rand_core::RngCore) -> u64 {
        rng.next_u64() % 6
    }
    let mut sim = Sim::builder().seed(3).build();
    let a = sim.run(async { roll(&mut rand::rng()) }).unwrap();
    let mut sim = Sim::builder().seed(3).build();
    let b = sim.run(async { roll(&mut rand::rng()) }).unwrap();
    assert_eq!(a, b);
}
