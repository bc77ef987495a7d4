#[detsim::sim_test(seed = "7", seeds = -1, max_steps = 1.5, scheduler = pct, crate = detsim)]
async fn wrong_types() {}

#[detsim::sim_test(seed = 0x1_0000_0000_0000_0000, pct_depth = 3i64, scheduler = "pct")]
async fn out_of_range() {}

fn main() {}
