#[detsim::sim_test(seed = 7 strict)]
async fn missing_comma() {}

fn main() {}
