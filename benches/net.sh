#!/usr/bin/env bash
# Issue 4's network speed benchmarks: detsim, madsim and turmoil on the
# same workloads (see benches/net.rs and BENCHMARKS.md).
#
#   bash benches/net.sh [filter]      # filter: net_rpc or sim_setup
#
# madsim needs RUSTFLAGS="--cfg madsim", so its side
# (benches/peers/madsim-net, outside the workspace) is built here with its
# own target dir (MADSIM_TARGET_DIR, default /tmp/detsim-madsim-net-target),
# and handed to `cargo bench --bench net` in DETSIM_MADSIM_NET, which runs
# pinned to one CPU together with the madsim process (see below).
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
cargo bench --quiet --bench net --no-run
# One CPU for the bench and the madsim process it starts (children inherit
# the CPU mask): madsim runs in its own process, and on a VM two vCPUs can
# differ in speed by 1.8x at the same moment (measured on the 2-core
# machine of BENCHMARKS.md), so an unpinned pair could compare two CPUs
# instead of two runtimes. DETSIM_BENCH_CPU picks the CPU (default: the
# last one, which takes fewer interrupts); "none" leaves it unpinned.
cpu="${DETSIM_BENCH_CPU:-$(($(nproc) - 1))}"
if [ "$cpu" != none ] && command -v taskset >/dev/null; then
    echo "pinned to CPU $cpu (DETSIM_BENCH_CPU=none to not pin)"
    exec taskset -c "$cpu" cargo bench --quiet --bench net -- "$@"
fi
exec cargo bench --quiet --bench net -- "$@"
