#[detsim::sim_test(scheduler = "dfs")]
async fn dfs() {}

fn main() {}
