#!/usr/bin/env bash
# Two Garasi instances behind Caddy on one PostgreSQL and one Redis, with no containers:
# the production layout of docs/DEPLOY.md, step by step, on loopback ports. Then the
# scenario (scenario.py): 20 showrooms, HTTPS through Caddy's on-demand TLS, load across
# every showroom, and `kill -9` of the instance holding the WhatsApp leases while replies
# wait in the outbox. It exits non-zero, naming what failed, on any broken promise.
#
#   deploy/two-instance/run.sh [GARASI_BIN]        (or GARASI_BIN=… run.sh)
#
# Knobs (environment): TWO_SHOWROOMS (20), TWO_THREADS (4), TWO_WARMUP (4 s of load before
# the kill), TWO_CUSTOMERS (inbound messages per showroom just before the kill),
# TWO_KEEP=1 keeps the temp dir (logs) after the run. bench/two-instance.sh turns them up.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
started=$(date +%s)
say() { printf '\n== two-instance: %s (%ss)\n' "$*" "$(( $(date +%s) - started ))"; }
die() { printf '\ntwo-instance FAILED: %s\n' "$*" >&2; exit 1; }

bin="${1:-${GARASI_BIN:-}}"
[ -n "$bin" ] || die "usage: $0 GARASI_BIN (or set GARASI_BIN)"
[ -x "$bin" ] || die "not an executable: $bin"
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"

PG_ADMIN_URL="${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432}"
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"

# Everything this run creates carries one id, so parallel runs (and a crashed earlier run)
# never collide: database, roles, Redis prefix, temp dir.
run_id="two_$(date +%s)_$$"
work="$(mktemp -d "/tmp/garasi-two-instance.XXXXXX")"
db="garasi_${run_id}"
owner="garasi_owner_${run_id}"
app="garasi_app_${run_id}"
redis_prefix="garasi-two:${run_id}:"
pids=()

cleanup() {
  local rc=$?
  set +e
  # Only the processes this script started, by pid, minus the one the scenario already
  # killed (its pid may since belong to someone else).
  local killed; killed="$(cat "$work/killed.pid" 2>/dev/null || true)"
  local live=()
  for p in "${pids[@]}"; do [ "$p" = "$killed" ] || live+=("$p"); done
  pids=("${live[@]}")
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null
  done
  if [ -n "${db_made:-}" ]; then
    psql -q "$PG_ADMIN_URL/postgres" -v ON_ERROR_STOP=0 \
      -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" \
      -c "DROP ROLE IF EXISTS \"$app\"" -c "DROP ROLE IF EXISTS \"$owner\"" >/dev/null 2>&1
  fi
  # Redis keys under this run's prefix only.
  redis-cli -u "$REDIS_URL" --scan --pattern "${redis_prefix}*" 2>/dev/null \
    | xargs -r -n 500 redis-cli -u "$REDIS_URL" del >/dev/null 2>&1
  if [ "$rc" -ne 0 ] || [ "${TWO_KEEP:-}" = 1 ]; then
    for f in "$work"/garasi-*.log "$work"/caddy.log; do
      [ -f "$f" ] && { echo "--- last lines of $f"; tail -n 15 "$f"; }
    done
    echo "logs kept in $work"
  else
    rm -rf "$work"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { # url what
  for _ in $(seq 1 150); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.2; done
  die "$2 did not answer $1 in 30 s"
}

say "services (PostgreSQL, Redis, caddy)"
# The same start-up as the top of .ci/run: the machine's own PostgreSQL and Redis.
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  echo "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 30); do redis-cli ping >/dev/null 2>&1 && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432 -q || die "PostgreSQL is not reachable at 127.0.0.1:5432"
redis-cli -u "$REDIS_URL" ping >/dev/null || die "Redis is not reachable at $REDIS_URL"
if ! command -v caddy >/dev/null 2>&1; then
  echo "installing Debian's caddy"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends caddy) \
    >"$work/apt.log" 2>&1 || { tail -n 30 "$work/apt.log"; die "could not install caddy"; }
fi
echo "garasi: $bin"; echo "caddy: $(caddy version)"; echo "temp dir: $work"

say "database: owner and runtime roles, migrate --grant-to (docs/DEPLOY.md, 'The two database roles')"
owner_pw="owner-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
app_pw="app-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
db_made=1
psql -q "$PG_ADMIN_URL/postgres" -v ON_ERROR_STOP=1 \
  -c "CREATE ROLE \"$owner\" LOGIN PASSWORD '$owner_pw'" \
  -c "CREATE DATABASE \"$db\" OWNER \"$owner\"" \
  -c "CREATE ROLE \"$app\" LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD '$app_pw'" >/dev/null
owner_url="postgres://$owner:$owner_pw@127.0.0.1:5432/$db"
app_url="postgres://$app:$app_pw@127.0.0.1:5432/$db"
GARASI_DATABASE_URL="$owner_url" GARASI_LOG=warn "$bin" migrate --grant-to "$app" >"$work/migrate.log" 2>&1 \
  || { cat "$work/migrate.log"; die "garasi migrate --grant-to $app failed"; }
tail -n 3 "$work/migrate.log"

# The settings both instances share (docs/DEPLOY.md, 'Environment'). The secret key must be
# the same on every instance: each decrypts the WhatsApp credentials the other stored.
graph_port=$(free_port)
secret_key="$(head -c 32 /dev/urandom | base64)"
admin_host="admin.garasi.test"
tenant_domain="garasi.test"
mkdir -p "$work/data"
common_env=(
  GARASI_DATABASE_URL="$app_url"
  GARASI_REDIS_URL="$REDIS_URL"
  GARASI_REDIS_PREFIX="$redis_prefix"
  GARASI_ADMIN_HOST="$admin_host"
  GARASI_TENANT_DOMAIN="$tenant_domain"
  GARASI_PUBLIC_SCHEME=https
  GARASI_PUBLIC_BASE_PORT=0
  # Caddy reaches the instances over loopback: its X-Forwarded-* headers are the only ones that count.
  GARASI_TRUSTED_PROXIES=127.0.0.1/32
  GARASI_SECRET_KEY="$secret_key"
  # The shared photo volume of the compose file.
  GARASI_DATA_DIR="$work/data"
  GARASI_WA_GRAPH_BASE_URL="http://127.0.0.1:$graph_port/v23.0"
  GARASI_LOG="${GARASI_LOG:-info}"
  # Every rehearsal client is 127.0.0.1: the per-address limits still count (in Redis), never refuse.
  GARASI_RATE_LIMIT_PAGES=100000000
  GARASI_RATE_LIMIT_API=100000000
)

say "root user (garasi root create)"
env "${common_env[@]}" GARASI_ROOT_PASSWORD="Root-Kuat-2026-$run_id" \
  "$bin" root create --email "root@garasi.test" >"$work/root.log" 2>&1 \
  || { cat "$work/root.log"; die "garasi root create failed"; }

say "fake WhatsApp Graph server on 127.0.0.1:$graph_port"
python3 "$here/fake_graph.py" "$graph_port" "$work/graph.jsonl" >"$work/graph.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$graph_port/_sent" "the fake Graph server"

say "two garasi serve instances"
declare -a public_port internal_port instance_pid
for i in 1 2; do
  public_port[$i]=$(free_port); internal_port[$i]=$(free_port)
  # Distinct identities, as in compose.yaml: the survivor takes over the victim's claims by
  # its stale heartbeat, the path another host's crash takes.
  env "${common_env[@]}" \
    GARASI_INSTANCE_ID="garasi-$i" \
    GARASI_BIND="127.0.0.1:${public_port[$i]}" \
    GARASI_INTERNAL_BIND="127.0.0.1:${internal_port[$i]}" \
    "$bin" serve >"$work/garasi-$i.log" 2>&1 &
  instance_pid[$i]=$!
  pids+=($!)
  # The scenario kill -9s one of them on purpose; bash need not report it as a job death.
  disown $!
done
for i in 1 2; do
  wait_http "http://127.0.0.1:${public_port[$i]}/readyz" "garasi-$i"
  echo "garasi-$i: pid ${instance_pid[$i]}, public 127.0.0.1:${public_port[$i]}, internal 127.0.0.1:${internal_port[$i]}"
done

say "caddy: tls internal, on-demand TLS asking Garasi, reverse_proxy over both instances"
http_port=$(free_port); https_port=$(free_port); ask_port=$(free_port)
export XDG_DATA_HOME="$work/caddy-data" XDG_CONFIG_HOME="$work/caddy-config"
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME"
sed -e "s/@HTTP_PORT@/$http_port/g" -e "s/@HTTPS_PORT@/$https_port/g" -e "s/@ASK_PORT@/$ask_port/g" \
  -e "s/@PUBLIC_1@/${public_port[1]}/g" -e "s/@PUBLIC_2@/${public_port[2]}/g" \
  -e "s/@INTERNAL_1@/${internal_port[1]}/g" -e "s/@INTERNAL_2@/${internal_port[2]}/g" \
  "$here/Caddyfile.in" >"$work/Caddyfile"
# TWO_CADDY_DEBUG=1: Caddy logs at debug level, where it reports refused TLS handshakes
# (and why: a `no` from the ask endpoint, a failed ask request).
if [ "${TWO_CADDY_DEBUG:-}" = 1 ]; then sed -i '0,/^{/s//{\n\tdebug/' "$work/Caddyfile"; fi
caddy validate --config "$work/Caddyfile" --adapter caddyfile >"$work/caddy-validate.log" 2>&1 \
  || { cat "$work/caddy-validate.log"; die "caddy rejected the generated Caddyfile"; }
caddy run --config "$work/Caddyfile" --adapter caddyfile >"$work/caddy.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$ask_port/tls/allowed?domain=$admin_host" "caddy's ask site"
echo "caddy: https 127.0.0.1:$https_port, http 127.0.0.1:$http_port, ask 127.0.0.1:$ask_port"

say "scenario"
export TWO_WORK="$work" TWO_HTTPS_PORT="$https_port" TWO_ASK_PORT="$ask_port" \
  TWO_GRAPH_PORT="$graph_port" TWO_ADMIN_HOST="$admin_host" TWO_TENANT_DOMAIN="$tenant_domain" \
  TWO_ROOT_EMAIL="root@garasi.test" TWO_ROOT_PASSWORD="Root-Kuat-2026-$run_id" \
  TWO_DB_URL="$PG_ADMIN_URL/$db" TWO_CA="$XDG_DATA_HOME/caddy/pki/authorities/local/root.crt" \
  TWO_PIDS="${instance_pid[1]},${instance_pid[2]}" \
  TWO_INTERNAL="${internal_port[1]},${internal_port[2]}"
python3 "$here/scenario.py" || die "the scenario failed (see above)"
say "passed"
