#!/usr/bin/env bash
# Server throughput on the cached catalogue page (not a test): wrk against Garasi and against
# nginx serving the very same gzip bytes as a static file, alternating, on 127.0.0.1 only.
#
#   bash bench/wrk-catalogue.sh   # env: ROUNDS=3 DURATION=10 CONNECTIONS=64 THREADS=2 HOSTS=8 TENANTS=50 CARS=400
#
# Seeds TENANTS showrooms × CARS cars once (crates/app/examples/seed_bench.rs, release build)
# into $BENCH_DATA (default /var/tmp/garasi-bench), then measures, as a phone asks
# (`Accept-Encoding: gzip`), in ROUNDS rounds that alternate nginx and Garasi:
#   1. /mobil of one showroom: nginx (gzip_static, a pre-compressed copy of Garasi's own gzip
#      answer) vs Garasi from its page cache;
#   2. /mobil with the Host header rotated over HOSTS showrooms per request (a wrk Lua
#      script; nginx gets the same script and ignores the Host).
# Each round's ratio compares two runs made back to back under the same load; the report is
# the median ratio per row and Garasi's median p99 (wrk --latency). Target: ratio ≥ 0.6 in
# both rows with p99 ≤ 10 ms. Needs: wrk, nginx (Debian packages).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DURATION=${DURATION:-10}; CONNECTIONS=${CONNECTIONS:-64}; THREADS=${THREADS:-2}; ROUNDS=${ROUNDS:-3}
TENANTS=${TENANTS:-50}; CARS=${CARS:-400}; HOSTS=${HOSTS:-8}
DATA=${BENCH_DATA:-/var/tmp/garasi-bench}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
OUT=$ROOT/bench/out; mkdir -p "$OUT"
for tool in wrk nginx curl python3 bc; do command -v $tool >/dev/null || { echo "missing: $tool (apt-get install -y wrk nginx)"; exit 1; }; done
if [ -z "${GARASI_BIN:-}" ]; then
  cargo build --release --locked -q -p garasi-app --bin garasi --example seed_bench
fi
BIN=${GARASI_BIN:-$TARGET/release/garasi}
SEED=${SEED_BIN:-$TARGET/release/examples/seed_bench}
mkdir -p "$DATA"
GARASI_DATA_DIR=$DATA "$SEED" --tenants "$TENANTS" --cars "$CARS"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
GPORT=$(free_port); NPORT=$(free_port); IPORT=$(free_port)
NGX=$(mktemp -d /tmp/garasi-nginx-XXXX)
# wrk is one client address: the per-address page limit is off here (its cost: bench/rate-limit.sh).
# Logs at the production default (info).
GARASI_RATE_LIMIT_PAGES=0 GARASI_BIND=127.0.0.1:$GPORT GARASI_INTERNAL_BIND=127.0.0.1:$IPORT GARASI_DATA_DIR=$DATA \
  "$BIN" serve >"$OUT/garasi-wrk.log" 2>&1 &
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

# The same bytes for nginx: Garasi's identity page and its gzip answer (curl without
# --compressed keeps the encoded bytes as they came).
mkdir -p "$NGX/www" "$NGX/logs"
curl -sf -H 'Host: bench1.localhost' "http://127.0.0.1:$GPORT/mobil" > "$NGX/www/mobil.html"
curl -sf -H 'Host: bench1.localhost' -H 'Accept-Encoding: gzip' "http://127.0.0.1:$GPORT/mobil" > "$NGX/www/mobil.html.gz"
chmod -R a+rX "$NGX"
cat > "$NGX/nginx.conf" <<CONF
worker_processes auto;
daemon off;
pid $NGX/nginx.pid;
error_log $NGX/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on; tcp_nopush on; keepalive_requests 1000000;
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
gz() { curl -sf -H 'Accept-Encoding: gzip' "$@"; }
cmp <(gz "http://127.0.0.1:$NPORT/mobil") <(gz -H 'Host: bench1.localhost' "http://127.0.0.1:$GPORT/mobil") \
  && echo "nginx and Garasi send identical gzip bytes ($(wc -c < "$NGX/www/mobil.html.gz") bytes, $(wc -c < "$NGX/www/mobil.html") unpacked)"

cat > "$NGX/rotate.lua" <<LUA
local n, i = $HOSTS, 0
request = function()
  i = i % n + 1
  return wrk.format("GET", "/mobil", { ["Host"] = "bench" .. i .. ".localhost", ["Accept-Encoding"] = "gzip" })
end
LUA
# Warm every showroom's page once.
for t in $(seq 1 "$TENANTS"); do curl -s -o /dev/null -H 'Accept-Encoding: gzip' -H "Host: bench$t.localhost" "http://127.0.0.1:$GPORT/mobil"; done

rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
# wrk's 99th percentile in milliseconds.
p99() { awk '$1 == "99%" { v = $2; u = v; gsub(/[0-9.]/, "", u); sub(/[a-z]+$/, "", v);
  print (u == "us") ? v / 1000 : (u == "s") ? v * 1000 : (u == "m") ? v * 60000 : v }' "$1"; }
run() { local f=$OUT/wrk-last.txt; wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@" > "$f"; cat "$f" >> "$OUT/wrk.txt"; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
: > "$OUT/wrk.txt"
R1=(); R8=(); P1=(); P8=()
printf '%-6s %-24s %10s %10s %7s %12s\n' round measure nginx Garasi ratio 'Garasi p99'
for round in $(seq 1 "$ROUNDS"); do
  run -H 'Accept-Encoding: gzip' "http://127.0.0.1:$NPORT/mobil"; N=$(rps "$OUT/wrk-last.txt")
  run -H 'Accept-Encoding: gzip' -H 'Host: bench1.localhost' "http://127.0.0.1:$GPORT/mobil"
  G=$(rps "$OUT/wrk-last.txt"); GP=$(p99 "$OUT/wrk-last.txt")
  R1+=("$(echo "$G / $N" | bc -l)"); P1+=("$GP")
  printf '%-6s %-24s %10.0f %10.0f %7.2f %9.2f ms\n' "$round" "/mobil, 1 showroom" "$N" "$G" "${R1[-1]}" "$GP"
  run -s "$NGX/rotate.lua" "http://127.0.0.1:$NPORT/mobil"; N=$(rps "$OUT/wrk-last.txt")
  run -s "$NGX/rotate.lua" "http://127.0.0.1:$GPORT/mobil"; G=$(rps "$OUT/wrk-last.txt"); GP=$(p99 "$OUT/wrk-last.txt")
  R8+=("$(echo "$G / $N" | bc -l)"); P8+=("$GP")
  printf '%-6s %-24s %10.0f %10.0f %7.2f %9.2f ms\n' "$round" "/mobil, $HOSTS showrooms" "$N" "$G" "${R8[-1]}" "$GP"
done
echo
printf 'median Garasi/nginx (gzip, -t%s -c%s): 1 showroom %.2f (p99 %.2f ms), %s showrooms %.2f (p99 %.2f ms)   target ≥ 0.60, p99 ≤ 10 ms\n' \
  "$THREADS" "$CONNECTIONS" "$(printf '%s\n' "${R1[@]}" | median)" "$(printf '%s\n' "${P1[@]}" | median)" \
  "$HOSTS" "$(printf '%s\n' "${R8[@]}" | median)" "$(printf '%s\n' "${P8[@]}" | median)"
echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores (full wrk output: bench/out/wrk.txt)"
