#[detsim::sim_test(scheduler = "pct:2", pct_depth = 3)]
async fn both() {}

fn main() {}
