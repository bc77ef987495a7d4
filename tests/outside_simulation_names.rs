//! Outside a simulation, each task API names itself, the one the user
//! called (not the one it is built on), and `yield_now` polled under
//! another executor panics like every other detsim API.

mod common;
use common::panic_message;

fn assert_names(api: &str, msg: &str) {
    assert!(
        msg.starts_with(&format!("{api} was called outside a detsim simulation")),
        "{api}: {msg}"
    );
}

#[test]
fn yield_now_under_another_executor_panics_naming_itself() {
    let msg = panic_message(|| futures::executor::block_on(detsim::yield_now()));
    assert_names("detsim::yield_now", &msg);
}

#[test]
fn spawn_local_and_task_id_name_themselves() {
    let msg = panic_message(|| drop(detsim::spawn_local(async {})));
    assert_names("detsim::spawn_local", &msg);
    let msg = panic_message(|| drop(detsim::task::Builder::new().spawn_local(async {})));
    assert_names("detsim::spawn_local", &msg);
    let msg = panic_message(|| {
        let _ = detsim::task::id();
    });
    assert_names("detsim::task::id", &msg);
    // The others keep their names.
    let msg = panic_message(|| drop(detsim::spawn(async {})));
    assert_names("detsim::spawn", &msg);
    let msg = panic_message(|| drop(detsim::task::current()));
    assert_names("detsim::task::current", &msg);
}

#[test]
fn yield_now_inside_a_simulation_still_yields() {
    let mut sim = detsim::Sim::builder()
        .scheduler(detsim::Scheduler::Fifo)
        .build();
    let ran = sim
        .run(async {
            let other = detsim::spawn(async {});
            detsim::yield_now().await;
            other.is_finished()
        })
        .unwrap();
    assert!(ran);
}
