#[detsim::sim_test(max_steps = 0)]
async fn no_steps() {}

fn main() {}
