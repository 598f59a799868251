#!/usr/bin/env bash
# Backup and restore of the demo data, timed, on SQLite and (when reachable) PostgreSQL:
# `garasi demo`, then `garasi backup`, `garasi backup verify` and `garasi restore` into a
# fresh target. Builds nothing: give it a binary.
#
#   bench/backup.sh [GARASI_BIN]      (default: $CARGO_TARGET_DIR or target, release else debug)
#
# PostgreSQL runs when BENCH_PG_URL (a superuser URL, default
# postgres://postgres@127.0.0.1:5432/postgres) answers; it creates and drops two databases
# and the role garasi_bench_rt. Needs pg_dump/pg_restore and psql on the PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
bin="${1:-}"
if [[ -z "$bin" ]]; then
  for b in "$target/release/garasi" "$target/debug/garasi"; do
    [[ -x "$b" ]] && { bin="$b"; break; }
  done
fi
[[ -x "$bin" ]] || { echo "no garasi binary; pass one" >&2; exit 2; }
echo "binary: $bin"
work="$(mktemp -d /var/tmp/garasi-backup-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT
export GARASI_BACKUP_PASSPHRASE="bench-passphrase-$$-garasi" GARASI_LOG=warn

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# run LABEL ENV... -- ARGS: runs the binary with extra env, prints the time taken.
timed() {
  local label="$1"; shift
  local envs=()
  while [[ "$1" != "--" ]]; do envs+=("$1"); shift; done
  shift
  local t0; t0="$(now)"
  env "${envs[@]}" "$bin" "$@" > "$work/$label.log" 2>&1 || { cat "$work/$label.log" >&2; exit 1; }
  printf '  %-22s %6s s\n' "$label" "$(secs "$t0" "$(now)")"
}

echo "== SQLite"
src="$work/sqlite-src" dst="$work/sqlite-dst"
GARASI_DATA_DIR="$src" "$bin" demo > /dev/null
timed backup GARASI_DATA_DIR="$src" -- backup --out "$work/sqlite.tar.age"
echo "  archive                $(stat -c %s "$work/sqlite.tar.age") bytes"
timed verify GARASI_DATA_DIR="$src" -- backup verify "$work/sqlite.tar.age"
timed restore GARASI_DATA_DIR="$dst" -- restore "$work/sqlite.tar.age"
grep -E 'rows in|photos:' "$work/backup.log" | sed 's/^/  /'

pg="${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
if ! psql "$pg" -Atqc 'SELECT 1' > /dev/null 2>&1; then
  echo "== PostgreSQL: $pg not reachable, skipped"
  exit 0
fi
echo "== PostgreSQL"
base="${pg%/*}"
host="${base#*@}"
srcdb="garasi_bench_src_$$" dstdb="garasi_bench_dst_$$"
cleanup_pg() {
  psql "$pg" -qc "DROP DATABASE IF EXISTS $srcdb WITH (FORCE)" -c "DROP DATABASE IF EXISTS $dstdb WITH (FORCE)" > /dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup_pg EXIT
psql "$pg" -qc "CREATE DATABASE $srcdb" -c "CREATE DATABASE $dstdb" > /dev/null
psql "$pg" -qc "DO \$\$ BEGIN CREATE ROLE garasi_bench_rt LOGIN NOSUPERUSER NOBYPASSRLS; EXCEPTION WHEN duplicate_object THEN NULL; END \$\$" > /dev/null
for db in "$srcdb" "$dstdb"; do
  GARASI_DATABASE_URL="$base/$db" "$bin" migrate --grant-to garasi_bench_rt > /dev/null
done
GARASI_DATA_DIR="$work/pg-src" GARASI_DATABASE_URL="postgres://garasi_bench_rt@$host/$srcdb" "$bin" demo > /dev/null
timed backup-pg GARASI_DATA_DIR="$work/pg-src" GARASI_DATABASE_URL="postgres://garasi_bench_rt@$host/$srcdb" \
  GARASI_MIGRATE_DATABASE_URL="$base/$srcdb" -- backup --out "$work/pg.tar.age"
echo "  archive                $(stat -c %s "$work/pg.tar.age") bytes"
timed verify-pg GARASI_DATA_DIR="$work/pg-src" -- backup verify "$work/pg.tar.age"
timed restore-pg GARASI_DATA_DIR="$work/pg-dst" GARASI_DATABASE_URL="postgres://garasi_bench_rt@$host/$dstdb" \
  GARASI_MIGRATE_DATABASE_URL="$base/$dstdb" -- restore "$work/pg.tar.age"
grep -E 'rows in|photos:' "$work/backup-pg.log" | sed 's/^/  /'
