#[detsim::sim_test(time_limit = "0ms")]
async fn zero() {}

fn main() {}
