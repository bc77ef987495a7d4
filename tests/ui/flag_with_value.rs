#[detsim::sim_test(strict = true, check_determinism(yes))]
async fn flags() {}

fn main() {}
