#[detsim::sim_test(pct_depth = 2)]
async fn no_scheduler() {}

#[detsim::sim_test(scheduler = "fifo", pct_depth = 2)]
async fn fifo() {}

fn main() {}
