#[detsim::sim_test]
struct NotAFunction;

fn main() {}
