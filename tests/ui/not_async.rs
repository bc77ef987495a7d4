#[detsim::sim_test]
#[should_panic]
fn not_async() {}

fn main() {}
