//! JoinSet::join_next hands results out in the order the tasks finished,
//! as tokio's does, also for tasks that finished before anyone called
//! join_next (the set used to return those in spawn order).

use detsim::node::Node;
use detsim::task::JoinSet;
use detsim::{Sim, time};

mod common;
use common::ms;

/// Drains the set, naming each result (`Err` as "cancelled").
async fn drain(set: &mut JoinSet<u64>) -> Vec<String> {
    let mut order = Vec::new();
    while let Some(r) = set.join_next().await {
        order.push(match r {
            Ok(v) => v.to_string(),
            Err(e) if e.is_cancelled() => "cancelled".to_owned(),
            Err(e) => panic!("unexpected {e}"),
        });
    }
    order
}

#[test]
fn tasks_that_finished_before_join_next_come_out_in_completion_order() {
    for seed in 0..30 {
        let mut sim = Sim::builder().seed(seed).build();
        let order = sim
            .run(async {
                let mut set = JoinSet::new();
                for m in [30u64, 10, 20] {
                    set.spawn(async move {
                        time::sleep(ms(m)).await;
                        m
                    });
                }
                time::sleep(ms(100)).await; // all three are done by now
                drain(&mut set).await
            })
            .unwrap();
        assert_eq!(order, ["10", "20", "30"], "seed {seed}");
    }
}

#[test]
fn finished_and_running_members_mix_in_completion_order() {
    for seed in 0..30 {
        let mut sim = Sim::builder().seed(seed).build();
        let order = sim
            .run(async {
                let mut set = JoinSet::new();
                for m in [40u64, 15, 25, 5] {
                    set.spawn(async move {
                        time::sleep(ms(m)).await;
                        m
                    });
                }
                time::sleep(ms(20)).await; // 5 and 15 are done, 25 and 40 are not
                let first = set.join_next().await.unwrap().unwrap();
                set.spawn(async { 1 }); // finishes before 25 and 40
                let mut order = vec![first.to_string()];
                order.extend(drain(&mut set).await);
                order
            })
            .unwrap();
        assert_eq!(order, ["5", "15", "1", "25", "40"], "seed {seed}");
    }
}

#[test]
fn a_task_spawned_into_the_set_on_a_dead_node_is_joined_as_cancelled_in_its_turn() {
    let mut sim = Sim::builder().seed(3).build();
    let order = sim
        .run(async {
            let down = Node::builder("down").build();
            down.kill();
            let mut set = JoinSet::new();
            set.spawn(async {
                time::sleep(ms(5)).await;
                5
            });
            time::sleep(ms(10)).await;
            set.spawn_on(async { 0 }, &down); // cancelled at once, after 5 finished
            set.spawn(async { 7 });
            drain(&mut set).await
        })
        .unwrap();
    assert_eq!(order, ["5", "cancelled", "7"]);
}
