#!/usr/bin/env bash
# A flood of 500 wrong logins against one showroom while another showroom's customers talk
# to the bot (not a test): bot reply p50/p99 before and during, the flood's answers, peak RSS.
#
#   bash bench/login-flood.sh [GARASI_BIN]     # env: FLOOD=500 CONCURRENCY=64
#
# Starts its own `garasi serve --demo` (SQLite, no Redis) on a free 127.0.0.1 port.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=${CARGO_TARGET_DIR:-$PWD/target}
BIN=${1:-${GARASI_BIN:-$TARGET/release/garasi}}
[ -x "$BIN" ] || { echo "no binary at $BIN: cargo build --release --bin garasi"; exit 1; }
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
DATA=$(mktemp -d /tmp/garasi-flood-XXXX)
env -u GARASI_DATABASE_URL -u GARASI_REDIS_URL GARASI_BIND=127.0.0.1:$PORT GARASI_INTERNAL_BIND=127.0.0.1:0 \
  GARASI_DATA_DIR=$DATA GARASI_TRUSTED_PROXIES=127.0.0.1/32 GARASI_LOG=error \
  GARASI_RATE_LIMIT_API=0 GARASI_RATE_LIMIT_SIMULATOR=0 "$BIN" serve --demo >/dev/null 2>&1 &
SERVER=$!
cleanup() { kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; rm -rf "$DATA"; }
trap cleanup EXIT
for _ in $(seq 1 600); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: sinarjaya.localhost' "http://127.0.0.1:$PORT/mobil")" = 200 ] && break
  sleep 0.5
done
echo "binary: $BIN ($(nproc) cores)"
python3 bench/login-flood.py "$PORT" "$DATA" "$SERVER"
