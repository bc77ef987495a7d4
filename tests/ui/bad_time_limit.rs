#[detsim::sim_test(time_limit = "90 seconds")]
async fn words() {}

#[detsim::sim_test(time_limit = 90s)]
async fn not_a_string() {}

#[detsim::sim_test(time_limit = "1.5ns")]
async fn below_a_nanosecond() {}

#[detsim::sim_test(time_limit = "18446744074s")]
async fn overflow() {}

fn main() {}
