#!/usr/bin/env bash
# The catalogue on a page-cache miss (not a test): wrk with random filters on random
# showrooms (bench/wrk-catalogue-miss.lua), every request a different URL.
#
#   bash bench/wrk-catalogue-miss.sh   # env: ROUNDS=3 DURATION=10 CONNECTIONS=32 THREADS=2 TENANTS=200 CARS=200
#
# Seeds TENANTS showrooms × CARS cars once (crates/app/examples/seed_bench.rs, release
# build) into $BENCH_DATA (default /var/tmp/garasi-bench-miss; GARASI_DATABASE_URL picks
# PostgreSQL instead), starts a release `garasi serve` on 127.0.0.1 and runs wrk
# (gzip accepted). Reports requests/s and latency percentiles per round, and the page
# cache's hits and misses from /metrics. Target: ≥ 3,000 requests/s, p99 ≤ 20 ms.
# Needs: wrk (Debian package), curl.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DURATION=${DURATION:-10}; CONNECTIONS=${CONNECTIONS:-32}; THREADS=${THREADS:-2}; ROUNDS=${ROUNDS:-3}
TENANTS=${TENANTS:-200}; CARS=${CARS:-200}
DATA=${BENCH_DATA:-/var/tmp/garasi-bench-miss}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
OUT=$ROOT/bench/out; mkdir -p "$OUT"
for tool in wrk curl; do command -v $tool >/dev/null || { echo "missing: $tool (apt-get install -y wrk curl)"; exit 1; }; done
if [ -z "${GARASI_BIN:-}" ]; then
  cargo build --release --locked -q -p garasi-app --bin garasi --example seed_bench
  GARASI_BIN=$TARGET/release/garasi
fi
mkdir -p "$DATA"
# Photos only on the newest 12 cars of each showroom, as in wrk-catalogue.sh.
GARASI_DATA_DIR=$DATA "$TARGET/release/examples/seed_bench" --tenants "$TENANTS" --cars "$CARS"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
GPORT=$(free_port); IPORT=$(free_port)
# wrk is one client address: the per-address page limit is off here (its cost: bench/rate-limit.sh).
GARASI_RATE_LIMIT_PAGES=0 GARASI_BIND=127.0.0.1:$GPORT GARASI_INTERNAL_BIND=127.0.0.1:$IPORT GARASI_DATA_DIR=$DATA \
  GARASI_LOG=warn "$GARASI_BIN" serve >"$OUT/garasi-wrk-miss.log" 2>&1 &
GPID=$!
trap 'kill $GPID 2>/dev/null || true; wait 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: bench1.localhost' "http://127.0.0.1:$GPORT/mobil?price_max=200000000")" = 200 ] && break
  sleep 0.2
done
cache() { curl -s "http://127.0.0.1:$IPORT/metrics" | awk -v r="$1" '$1 ~ "^garasi_page_cache_requests_total" && $1 ~ "result=\""r"\"" {s += $2} END {print s + 0}'; }
: > "$OUT/wrk-miss.txt"
printf '%-6s %10s %8s %8s %8s %8s\n' round req/s p50 p90 p99 max
for round in $(seq 1 "$ROUNDS"); do
  H0=$(cache hit); M0=$(cache miss)
  R=$(TENANTS=$TENANTS wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/wrk-catalogue-miss.lua \
      "http://127.0.0.1:$GPORT" | tee -a "$OUT/wrk-miss.txt")
  H1=$(cache hit); M1=$(cache miss)
  pct() { echo "$R" | awk -v p="$1" '$1 == p {print $2}'; }
  printf '%-6s %10s %8s %8s %8s %8s   (page cache: %d misses, %d hits)\n' "$round" \
    "$(echo "$R" | awk '/Requests\/sec/ {printf "%.0f", $2}')" "$(pct 50%)" "$(pct 90%)" "$(pct 99%)" \
    "$(echo "$R" | awk '$1 == "Latency" {print $4}')" "$((M1 - M0))" "$((H1 - H0))"
done
echo "non-2xx answers: $(grep -c 'Non-2xx' "$OUT/wrk-miss.txt" || true) rounds with some (full wrk output: bench/out/wrk-miss.txt)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
