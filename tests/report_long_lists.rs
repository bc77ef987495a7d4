//! A failure or report with thousands of blocked or live tasks stays
//! readable: the message lists the first few and says how many more there
//! are and where the full list is, and the full list stays available
//! through the API.

use detsim::{Sim, spawn};

const TASKS: usize = 3_000;

#[test]
fn a_deadlock_of_thousands_of_tasks_lists_a_few_and_counts_the_rest() {
    let mut sim = Sim::builder().seed(1).build();
    let failure = sim
        .run(async {
            for _ in 0..TASKS {
                spawn(std::future::pending::<()>());
            }
            std::future::pending::<()>().await;
        })
        .unwrap_err();
    assert!(failure.is_deadlock());
    assert_eq!(failure.blocked_tasks().len(), TASKS + 1);
    let text = failure.to_string();
    assert!(text.lines().count() < 60, "{} lines", text.lines().count());
    assert!(text.contains("blocked tasks (3001):"), "{text}");
    assert!(
        text.contains("… and 2981 more (Failure::blocked_tasks() lists them all)"),
        "{text}"
    );
}

#[test]
fn strict_hygiene_with_thousands_of_live_tasks_lists_a_few_and_counts_the_rest() {
    let mut sim = Sim::builder().seed(1).strict(true).build();
    let failure = sim
        .run(async {
            for _ in 0..TASKS {
                spawn(detsim::time::sleep(std::time::Duration::from_secs(1)));
            }
            detsim::yield_now().await;
        })
        .unwrap_err();
    let hygiene = failure.hygiene().unwrap();
    assert_eq!(hygiene.live_tasks().len(), TASKS);
    // Only the sleeps polled before the main task returned armed a timer.
    let timers = hygiene.armed_timers().len();
    assert!(timers > 20, "{timers}");
    let text = failure.to_string();
    assert!(text.lines().count() < 60, "{} lines", text.lines().count());
    assert!(
        text.contains("… and 2980 more (Hygiene::live_tasks() lists them all)"),
        "{text}"
    );
    let more_timers = format!(
        "… and {} more (Hygiene::armed_timers() lists them all)",
        timers - 20
    );
    assert!(text.contains(&more_timers), "{text}");
    // The report says the same.
    let report = sim.report().to_string();
    assert!(
        report.lines().count() < 60,
        "{} lines",
        report.lines().count()
    );
}
