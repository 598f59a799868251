#!/bin/sh
# Runs once, when the PostgreSQL volume is first initialised: creates the runtime role
# Garasi connects as. It owns nothing and cannot bypass row-level security; the
# `migrate --grant-to garasi_app` one-shot then grants it exactly what it needs.
set -eu
: "${GARASI_APP_PASSWORD:?set GARASI_APP_PASSWORD in env/postgres.env}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v pw="$GARASI_APP_PASSWORD" <<'SQL'
CREATE ROLE garasi_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD :'pw';
SQL
