#[detsim::sim_test(scheduler = "pct", pct_depth = 0)]
async fn zero() {}

#[detsim::sim_test(scheduler = "pct", pct_depth = 65)]
async fn too_deep() {}

fn main() {}
