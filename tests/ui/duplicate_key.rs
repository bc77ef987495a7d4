#[detsim::sim_test(seed = 1, strict, seed = 2)]
async fn duplicate() {}

fn main() {}
