#[detsim::sim_test(seeds = 0)]
async fn no_seeds() {}

fn main() {}
