struct Server;

impl Server {
    #[detsim::sim_test]
    async fn method(&self) {}
}

fn main() {}
