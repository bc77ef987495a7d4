#[detsim::sim_test(scheduler = "pct:0")]
async fn zero() {}

#[detsim::sim_test(scheduler = "pct:65")]
async fn too_deep() {}

#[detsim::sim_test(scheduler = "pct:two")]
async fn not_a_number() {}

fn main() {}
