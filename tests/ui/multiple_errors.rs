#[detsim::sim_test(seeed = 1, scheduler = "lifo")]
fn everything_wrong(x: u32) {
    let _ = x;
}

fn main() {}
