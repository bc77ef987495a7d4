#[detsim::sim_test(seeed = 7)]
async fn typo() {}

#[detsim::sim_test(timeout = "5s")]
async fn unknown() {}

fn main() {}
