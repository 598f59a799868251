#!/usr/bin/env bash
# Server throughput on the catalogue page (not a test): wrk against Garasi and against
# nginx serving the very same bytes as a static file, in the same run, on 127.0.0.1 only.
#
#   bash bench/wrk-catalogue.sh   # env: ROUNDS=3 DURATION=10 CONNECTIONS=32 THREADS=2 TENANTS=50 CARS=400
#
# Seeds TENANTS showrooms × CARS cars once (crates/app/examples/seed_bench.rs, release
# build) into $BENCH_DATA (default /var/tmp/garasi-bench), then measures:
#   1. nginx, static copy of bench1's /mobil
#   2. Garasi, bench1's /mobil (one showroom, page cache warm)
#   3. Garasi, /mobil on every showroom in turn (Host rotated by a wrk Lua script)
#   4. both again as a phone asks (Accept-Encoding: gzip): nginx with gzip_static (a
#      pre-compressed copy), Garasi from its page cache (pages are stored compressed)
# Target: Garasi ≥ 0.5 × nginx requests/s. Needs: wrk, nginx (Debian packages).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DURATION=${DURATION:-10}; CONNECTIONS=${CONNECTIONS:-32}; THREADS=${THREADS:-2}
TENANTS=${TENANTS:-50}; CARS=${CARS:-400}
DATA=${BENCH_DATA:-/var/tmp/garasi-bench}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
OUT=$ROOT/bench/out; mkdir -p "$OUT"
for tool in wrk nginx curl; do command -v $tool >/dev/null || { echo "missing: $tool (apt-get install -y wrk nginx)"; exit 1; }; done
cargo build --release --locked -q -p garasi-app --bin garasi --example seed_bench
BIN=$TARGET/release/garasi
mkdir -p "$DATA"
GARASI_DATA_DIR=$DATA "$TARGET/release/examples/seed_bench" --tenants "$TENANTS" --cars "$CARS"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
GPORT=$(free_port); NPORT=$(free_port)
NGX=$(mktemp -d /tmp/garasi-nginx-XXXX)
# wrk is one client address: the per-address page limit is off here (its cost: bench/rate-limit.sh).
GARASI_RATE_LIMIT_PAGES=0 GARASI_BIND=127.0.0.1:$GPORT GARASI_DATA_DIR=$DATA GARASI_LOG=warn "$BIN" serve >"$OUT/garasi-wrk.log" 2>&1 &
GPID=$!
NPID=
cleanup() {
  kill $GPID 2>/dev/null || true
  [ -n "$NPID" ] && kill "$NPID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$NGX"
}
trap cleanup EXIT
for _ in $(seq 1 300); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: bench1.localhost' "http://127.0.0.1:$GPORT/mobil")" = 200 ] && break
  sleep 0.2
done

# The same bytes for nginx.
mkdir -p "$NGX/www" "$NGX/logs"
curl -sf -H 'Host: bench1.localhost' "http://127.0.0.1:$GPORT/mobil" > "$NGX/www/mobil.html"
gzip -k -9 "$NGX/www/mobil.html"
chmod -R a+rX "$NGX"
cat > "$NGX/nginx.conf" <<CONF
worker_processes auto;
daemon off;
pid $NGX/nginx.pid;
error_log $NGX/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on; tcp_nopush on; keepalive_requests 100000;
  server {
    listen 127.0.0.1:$NPORT;
    root $NGX/www;
    location = /mobil { default_type "text/html; charset=utf-8"; gzip_static on; try_files /mobil.html =404; }
  }
}
CONF
nginx -p "$NGX" -c "$NGX/nginx.conf" &
NPID=$!
for _ in $(seq 1 50); do curl -sf -o /dev/null "http://127.0.0.1:$NPORT/mobil" && break; sleep 0.1; done
cmp <(curl -sf "http://127.0.0.1:$NPORT/mobil") <(curl -sf -H 'Host: bench1.localhost' "http://127.0.0.1:$GPORT/mobil") \
  && echo "nginx and Garasi serve identical bytes ($(wc -c < "$NGX/www/mobil.html") bytes)"

cat > "$NGX/rotate.lua" <<LUA
local n, i = $TENANTS, 0
request = function()
  i = i % n + 1
  return wrk.format("GET", "/mobil", { ["Host"] = "bench" .. i .. ".localhost" })
end
LUA
# Warm every showroom's page once.
for t in $(seq 1 "$TENANTS"); do curl -s -o /dev/null -H "Host: bench$t.localhost" "http://127.0.0.1:$GPORT/mobil"; done

rps() { grep 'Requests/sec' | awk '{print $2}'; }
run() { wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@" | tee -a "$OUT/wrk.txt"; }
ratio() { echo "$1 / $2" | bc -l; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
: > "$OUT/wrk.txt"
# The machine is shared (the load generator too): nginx and Garasi alternate in short
# runs, and each round's ratio compares two runs made under the same conditions.
RATIOS=(); RATIOS_ROT=(); RATIOS_GZ=()
printf '%-6s %-28s %10s %10s %7s\n' round measure nginx Garasi ratio
for round in $(seq 1 "${ROUNDS:-3}"); do
  N=$(run "http://127.0.0.1:$NPORT/mobil" | rps)
  G=$(run -H 'Host: bench1.localhost' "http://127.0.0.1:$GPORT/mobil" | rps)
  R=$(run -s "$NGX/rotate.lua" "http://127.0.0.1:$GPORT/mobil" | rps)
  NZ=$(run -H 'Accept-Encoding: gzip' "http://127.0.0.1:$NPORT/mobil" | rps)
  GZ=$(run -H 'Accept-Encoding: gzip' -H 'Host: bench1.localhost' "http://127.0.0.1:$GPORT/mobil" | rps)
  RATIOS+=("$(ratio "$G" "$N")"); RATIOS_ROT+=("$(ratio "$R" "$N")"); RATIOS_GZ+=("$(ratio "$GZ" "$NZ")")
  printf '%-6s %-28s %10.0f %10.0f %7.2f\n' "$round" "/mobil, 1 showroom" "$N" "$G" "${RATIOS[-1]}"
  printf '%-6s %-28s %10.0f %10.0f %7.2f\n' "$round" "/mobil, $TENANTS showrooms" "$N" "$R" "${RATIOS_ROT[-1]}"
  printf '%-6s %-28s %10.0f %10.0f %7.2f\n' "$round" "/mobil, gzip (precompressed)" "$NZ" "$GZ" "${RATIOS_GZ[-1]}"
done
echo
printf 'median ratio Garasi/nginx: 1 showroom %.2f, %d showrooms %.2f, gzip %.2f   (target ≥ 0.50)\n' \
  "$(printf '%s\n' "${RATIOS[@]}" | median)" "$TENANTS" "$(printf '%s\n' "${RATIOS_ROT[@]}" | median)" \
  "$(printf '%s\n' "${RATIOS_GZ[@]}" | median)"
echo "load average during the run: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores (full wrk output: bench/out/wrk.txt)"
