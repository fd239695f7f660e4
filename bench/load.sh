#!/usr/bin/env bash
# Load benchmark of the HTTP API (issue #4): `stillpoint serve` over a generated index of COUNT
# practitioners, driven by wrk with the query mix in bench/mix.lua, both on this machine.
# Installs wrk (Debian package) when it is missing. Prints wrk's report; record it in
# docs/benchmarks.md.
#
#   bench/load.sh                      # 1,000,000 practitioners, 30 s, 16 connections
#   COUNT=100000 DURATION=10s bench/load.sh
set -euo pipefail
cd "$(dirname "$0")/.."

COUNT=${COUNT:-1000000}
DURATION=${DURATION:-30s}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-1}
PORT=${PORT:-7711}
INDEX_ROOT=${INDEX_ROOT:-/tmp/stillpoint-bench-index}

if ! command -v wrk >/dev/null; then
  echo "installing wrk" >&2
  if [ "$(id -u)" -eq 0 ]; then apt-get install -y wrk >/dev/null; else sudo apt-get install -y wrk >/dev/null; fi
fi

cargo build --release -p stillpoint -p stillpoint-bench

# The search bench builds the index once (four associations, like the demo) and reuses it.
./target/release/stillpoint-bench search --count "$COUNT" --queries 1 --only "no query" \
  --index "$INDEX_ROOT" >/dev/null
state="$INDEX_ROOT/$COUNT"

# The per-client rate limit would throttle a load generator on one address.
STILLPOINT_SERVER_RATE_LIMIT_PER_SECOND=0 STILLPOINT_LOG=warn \
  ./target/release/stillpoint serve --index "$state" --listen "127.0.0.1:$PORT" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT

for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && break
  sleep 0.2
done
# Warm the per-segment copies the way a running server has them warm.
wrk -t1 -c4 -d5s -s bench/mix.lua "http://127.0.0.1:$PORT" >/dev/null

echo "== $COUNT practitioners, $DURATION, $CONNECTIONS connections, $THREADS wrk thread(s)"
# The cores: requests/s of one build differ by half between the machines this runs on (their
# CPU family and model tell them apart), so a recorded figure names them.
awk -F': ' '/^model name/ {name = $2} /^cpu family/ {family = $2} /^model\t/ {model = $2}
  END {printf "cores: %s x %s, family %s model %s\n", nproc, name, family, model}' \
  nproc="$(nproc)" /proc/cpuinfo
# The server's CPU time around the run: requests/s is the cores' speed over the CPU a request
# costs, and these shared cores' speed moves by a third from one day to the next, so the CPU
# per request is the figure to compare between builds.
cpu() { awk '{print $14 + $15}' "/proc/$server/stat"; }
report=$(mktemp)
before=$(cpu)
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/mix.lua \
  "http://127.0.0.1:$PORT" | tee "$report"
after=$(cpu)
requests=$(awk '/requests in/ {print $1}' "$report")
rm -f "$report"
awk -v ticks="$((after - before))" -v hz="$(getconf CLK_TCK)" -v n="$requests" \
  'BEGIN { printf "server CPU per request: %.3f ms\n", ticks * 1000 / hz / n }'
