#[detsim::sim_test(seed, time_limit("5s"))]
async fn missing() {}

fn main() {}
