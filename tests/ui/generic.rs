#[detsim::sim_test]
async fn generic<T: Default>() {}

#[detsim::sim_test]
async fn with_where_clause()
where
    u8: Copy,
{
}

fn main() {}
