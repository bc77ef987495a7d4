#[detsim::sim_test(crate = "not a path")]
async fn bad_path() {}

fn main() {}
