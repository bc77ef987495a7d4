//! tokio's `JoinSet::try_join_next` and `JoinSet::spawn_blocking`.

use std::time::Duration;

use detsim::Sim;
use detsim::task::JoinSet;
use detsim::time;

#[test]
fn try_join_next_hands_out_finished_tasks_in_completion_order_without_waiting() {
    let mut sim = Sim::builder().strict(true).build();
    sim.run(async {
        let mut set = JoinSet::new();
        assert!(set.try_join_next().is_none()); // empty
        for secs in [3u64, 1, 2] {
            set.spawn(async move {
                time::sleep(Duration::from_secs(secs)).await;
                secs
            });
        }
        assert!(set.try_join_next().is_none()); // none finished
        time::sleep(Duration::from_millis(2500)).await;
        assert_eq!(set.try_join_next().unwrap().unwrap(), 1);
        assert_eq!(set.try_join_next().unwrap().unwrap(), 2);
        assert!(set.try_join_next().is_none());
        assert_eq!(set.len(), 1);
        // join_next still works after, and on the rest.
        assert_eq!(set.join_next().await.unwrap().unwrap(), 3);
        assert!(set.join_next().await.is_none());
        // Aborted tasks come out cancelled.
        set.spawn(std::future::pending());
        set.abort_all();
        assert!(set.try_join_next().unwrap().unwrap_err().is_cancelled());
        assert!(set.is_empty());
    })
    .unwrap();
    assert_eq!(sim.now().since_start(), Duration::from_secs(3));
}

#[test]
fn try_join_next_mixes_with_join_next() {
    for seed in 0..20 {
        let mut sim = Sim::builder().seed(seed).build();
        let got = sim
            .run(async {
                let mut set = JoinSet::new();
                for i in 0..6u64 {
                    set.spawn(async move {
                        time::sleep(Duration::from_millis(10 * (i % 3))).await;
                        i
                    });
                }
                let mut got = Vec::new();
                while !set.is_empty() {
                    match set.try_join_next() {
                        Some(r) => got.push(r.unwrap()),
                        None => got.push(set.join_next().await.unwrap().unwrap()),
                    }
                }
                got.sort();
                got
            })
            .unwrap();
        assert_eq!(got, vec![0, 1, 2, 3, 4, 5], "seed {seed}");
    }
}

#[test]
fn spawn_blocking_in_a_set() {
    let mut sim = Sim::builder()
        .blocking_cost(Duration::from_millis(5))
        .build();
    sim.run(async {
        let mut set = JoinSet::new();
        set.spawn_blocking(|| 1);
        set.spawn(async { 2 });
        let mut got = Vec::new();
        while let Some(r) = set.join_next().await {
            got.push(r.unwrap());
        }
        assert_eq!(got, vec![2, 1]); // the blocking one pays 5 ms
    })
    .unwrap();
}
