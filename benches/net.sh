#!/usr/bin/env bash
# Issue 4's network speed benchmarks: detsim, madsim and turmoil on the
# same workloads (see benches/net.rs and BENCHMARKS.md).
#
#   bash benches/net.sh [filter]      # filter: net_rpc or sim_setup
#
# madsim needs RUSTFLAGS="--cfg madsim", so its side
# (benches/peers/madsim-net, outside the workspace) is built here with its
# own target dir (MADSIM_TARGET_DIR, default /tmp/detsim-madsim-net-target),
# and handed to `cargo bench --bench net` in DETSIM_MADSIM_NET.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
madsim_target="${MADSIM_TARGET_DIR:-/tmp/detsim-madsim-net-target}"
(
    cd "$root/benches/peers/madsim-net"
    RUSTFLAGS="--cfg madsim" CARGO_TARGET_DIR="$madsim_target" \
        cargo build --release --quiet
)
export DETSIM_MADSIM_NET="$madsim_target/release/madsim-net-bench"
cd "$root"
exec cargo bench --quiet --bench net -- "$@"
