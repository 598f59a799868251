#!/usr/bin/env bash
# Memory of one `garasi serve` around a catalogue load, and the release binary's size (not a test).
#
#   bash bench/memory.sh   # env: DURATION=10 CONNECTIONS=64 THREADS=2 TENANTS=50 CARS=400 GARASI_BIN=…
#
# Uses the database `bench/wrk-catalogue.sh` seeds ($BENCH_DATA, 50 showrooms × 400 cars),
# starts a release `garasi serve` on 127.0.0.1 and reports its RSS
#   - idle, 3 s after it answers;
#   - 3 s after the catalogue load: DURATION s of wrk on /mobil with gzip rotating the Host over
#     every showroom (cache hits), then DURATION s of /mobil with random filters on every
#     showroom (each URL new: a render, then a cache entry), the load a crawler makes;
# with the page cache's own figures from the internal /metrics, and the binary's size.
# Extra environment (MALLOC_ARENA_MAX=2, GARASI_PAGE_CACHE_MAX_BYTES=…) is passed to the server,
# which is how a share of the RSS is attributed to one cause. Needs: wrk, curl.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DURATION=${DURATION:-10}; CONNECTIONS=${CONNECTIONS:-64}; THREADS=${THREADS:-2}
TENANTS=${TENANTS:-50}; CARS=${CARS:-400}
DATA=${BENCH_DATA:-/var/tmp/garasi-bench}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
OUT=$ROOT/bench/out; mkdir -p "$OUT"
for tool in wrk curl python3; do command -v $tool >/dev/null || { echo "missing: $tool (apt-get install -y wrk)"; exit 1; }; done
if [ -z "${GARASI_BIN:-}" ]; then
  cargo build --release --locked -q -p garasi-app --bin garasi --example seed_bench
fi
BIN=${GARASI_BIN:-$TARGET/release/garasi}
SEED=${SEED_BIN:-$TARGET/release/examples/seed_bench}
mkdir -p "$DATA"
GARASI_DATA_DIR=$DATA "$SEED" --tenants "$TENANTS" --cars "$CARS" >/dev/null

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
GPORT=$(free_port); IPORT=$(free_port)
LUA=$(mktemp -d /tmp/garasi-mem-XXXX)
GARASI_RATE_LIMIT_PAGES=0 GARASI_BIND=127.0.0.1:$GPORT GARASI_INTERNAL_BIND=127.0.0.1:$IPORT GARASI_DATA_DIR=$DATA \
  "$BIN" serve >"$OUT/garasi-memory.log" 2>&1 &
GPID=$!
trap 'kill $GPID 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$LUA"' EXIT
for _ in $(seq 1 300); do
  curl -sf -o /dev/null "http://127.0.0.1:$GPORT/readyz" && break
  sleep 0.2
done
rss() { awk '/^VmRSS/ {printf "%.1f MiB", $2 / 1024}' "/proc/$GPID/status"; }
hwm() { awk '/^VmHWM/ {printf "%.1f MiB", $2 / 1024}' "/proc/$GPID/status"; }
cache() {
  curl -sf "http://127.0.0.1:$IPORT/metrics" |
    awk '/^garasi_page_cache_bytes / {b = $2} /^garasi_page_cache_entries / {e = $2}
         END { if (e != "") printf "page cache %d entries, %.1f MiB", e, b / 1048576; else printf "page cache: no gauge" }'
}
sleep 3
echo "idle after start:        RSS $(rss)"

cat > "$LUA/rotate.lua" <<LUA
local n, i = $TENANTS, 0
request = function()
  i = i % n + 1
  return wrk.format("GET", "/mobil", { ["Host"] = "bench" .. i .. ".localhost", ["Accept-Encoding"] = "gzip, br" })
end
LUA
cat > "$LUA/filters.lua" <<LUA
local n = $TENANTS
local sorts = { "newest", "price_asc", "price_desc", "year_desc", "mileage_asc" }
math.randomseed(os.time())
request = function()
  local path = string.format("/mobil?price_max=%d&year_min=%d&sort=%s", math.random(100, 500) * 1000000,
    math.random(2014, 2024), sorts[math.random(#sorts)])
  return wrk.format("GET", path, { ["Host"] = "bench" .. math.random(n) .. ".localhost", ["Accept-Encoding"] = "gzip, br" })
end
LUA
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" -s "$LUA/rotate.lua" "http://127.0.0.1:$GPORT/mobil" > "$OUT/memory-wrk.txt"
echo "after cached pages:      RSS $(rss) ($(awk '/Requests\/sec/ {printf "%.0f req/s", $2}' "$OUT/memory-wrk.txt"))"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" -s "$LUA/filters.lua" "http://127.0.0.1:$GPORT/mobil" >> "$OUT/memory-wrk.txt"
echo "after filtered pages:    RSS $(rss) ($(awk '/Requests\/sec/ {r = $2} END {printf "%.0f req/s", r}' "$OUT/memory-wrk.txt"))"
sleep 3
echo "3 s after the load:      RSS $(rss), peak $(hwm); $(cache)"
echo "release binary:          $(du -b "$BIN" | awk '{printf "%.1f MiB", $1 / 1048576}') ($BIN)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
