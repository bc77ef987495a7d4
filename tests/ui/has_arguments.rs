#[detsim::sim_test]
async fn has_arguments(seed: u64, name: &str) {}

fn main() {}
