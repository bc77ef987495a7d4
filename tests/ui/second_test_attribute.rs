#[detsim::sim_test]
#[test]
async fn with_test() {}

#[detsim::sim_test]
#[tokio::test]
async fn with_tokio_test_below() {}

#[tokio::test]
#[detsim::sim_test]
async fn with_tokio_test_above() {}

#[detsim::sim_test(seed = 1)]
#[detsim::sim_test(seed = 2)]
async fn twice() {}

fn main() {}
