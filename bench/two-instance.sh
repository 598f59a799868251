#!/usr/bin/env bash
# The two-instance scenario of deploy/two-instance/run.sh (two `garasi serve` behind Caddy,
# kill -9 of the WhatsApp lease holder under load) with more load, for its figures:
# requests per second through Caddy, errors around the kill, lease hand-over time, and
# the outbox messages pending at the kill and delivered.
#
#   bench/two-instance.sh [GARASI_BIN]   (a release build gives the meaningful req/s)
#
# The same checks apply, so a bench run that breaks a promise also exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."
export TWO_SHOWROOMS="${TWO_SHOWROOMS:-20}"
export TWO_THREADS="${TWO_THREADS:-16}"
export TWO_WARMUP="${TWO_WARMUP:-20}"
export TWO_CUSTOMERS="${TWO_CUSTOMERS:-10}"
export TWO_CARS="${TWO_CARS:-5}"
exec deploy/two-instance/run.sh "$@"
