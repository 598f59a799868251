#!/usr/bin/env bash
# The per-address rate limiter's cost on the hot path (not a test): requests/s of the demo
# showroom's cached home page with every limit off, with the limiter on the in-process
# counters, and with it on Redis (when REDIS_URL is set), limits high enough that nothing
# is refused.
#
#   bash bench/rate-limit.sh [GARASI_BIN]     # env: SECONDS=10 THREADS=8 REDIS_URL=redis://127.0.0.1:6379
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=${CARGO_TARGET_DIR:-$PWD/target}
BIN=${1:-${GARASI_BIN:-$TARGET/release/garasi}}
[ -x "$BIN" ] || { echo "no binary at $BIN: cargo build --release --bin garasi"; exit 1; }
SECS=${SECONDS_PER_RUN:-10}
THREADS=${THREADS:-8}

run() { # label, then extra env assignments
  local label=$1; shift
  local port data server
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  data=$(mktemp -d /tmp/garasi-rl-XXXX)
  env -u GARASI_DATABASE_URL -u GARASI_REDIS_URL GARASI_BIND=127.0.0.1:$port GARASI_INTERNAL_BIND=127.0.0.1:0 \
    GARASI_DATA_DIR="$data" GARASI_TRUSTED_PROXIES=127.0.0.1/32 GARASI_LOG=error GARASI_REDIS_PREFIX="bench-rl:$$:" \
    "$@" "$BIN" serve --demo >/dev/null 2>&1 &
  server=$!
  for _ in $(seq 1 600); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: sinarjaya.localhost' "http://127.0.0.1:$port/")" = 200 ] && break
    sleep 0.5
  done
  python3 bench/rate-limit.py "$port" 2 "$THREADS" >/dev/null # warm-up
  printf '%-28s ' "$label"
  python3 bench/rate-limit.py "$port" "$SECS" "$THREADS"
  kill $server; wait $server 2>/dev/null || true
  rm -rf "$data"
}

echo "binary: $BIN ($(nproc) cores)"
for round in 1 2; do
  echo "round $round"
  run "limiter off" GARASI_RATE_LIMIT_PAGES=0
  run "limiter on, in-process" GARASI_RATE_LIMIT_PAGES=100000000
  if [ -n "${REDIS_URL:-}" ]; then
    run "limiter on, Redis" GARASI_RATE_LIMIT_PAGES=100000000 GARASI_REDIS_URL="$REDIS_URL"
  fi
done
