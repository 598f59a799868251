#!/usr/bin/env bash
# Quality of the public site, measured (not a test): Lighthouse 13.5.0 (mobile, simulated
# throttling) on home, catalogue and a car page; the Nu Html Checker on every kind of
# page; the sitemap against sitemaps.org's sitemap.xsd.
#
#   bash bench/lighthouse.sh            # uses target/release/garasi (builds it if missing)
#
# Needs: Debian chromium, java (default-jre-headless), xmllint (libxml2-utils), node/npm.
# Starts its own `garasi serve --demo` on a free 127.0.0.1 port with a temp data dir.
# Reports go to bench/out/. Targets: performance ≥ 95, accessibility ≥ 95,
# best practices 100, SEO 100; 0 Nu errors; a valid sitemap.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/bench/out; mkdir -p "$OUT"
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=${GARASI_BIN:-$TARGET/release/garasi}
[ -x "$BIN" ] || cargo build --release --locked --bin garasi
[ -d bench/node_modules/lighthouse ] || (cd bench && npm ci --no-audit --no-fund --ignore-scripts)
for tool in chromium java xmllint jq curl; do command -v $tool >/dev/null || { echo "missing: $tool"; exit 1; }; done

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
DATA=$(mktemp -d /tmp/garasi-lh-XXXX)
GARASI_BIND=127.0.0.1:$PORT GARASI_DATA_DIR=$DATA GARASI_LOG=warn "$BIN" serve --demo >"$OUT/garasi.log" 2>&1 &
SERVER=$!
cleanup() { kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; rm -rf "$DATA"; }
trap cleanup EXIT
HOST=sinarjaya.localhost
for _ in $(seq 1 600); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Host: $HOST" "http://127.0.0.1:$PORT/mobil")" = 200 ] && break
  sleep 0.2
done
BASE=http://$HOST:$PORT
get() { curl -sf -H "Host: $HOST" "http://127.0.0.1:$PORT$1"; }
CAR=$(get /mobil | grep -o 'href="/mobil/[a-z0-9-]*"' | head -1 | cut -d'"' -f2)
SOLD=$(get /sitemap.xml | grep -o '/mobil/[a-z0-9-]*' | while read -r p; do
  get "$p" | grep -q 'sudah terjual' && { echo "$p"; break; }; done || true)

CHFLAGS="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync --host-resolver-rules=MAP *.localhost 127.0.0.1:$PORT"
echo "== Lighthouse 13.5.0, mobile ($BASE)"
printf '%-10s %5s %5s %5s %5s %8s %8s %6s %6s\n' page perf a11y bp seo FCP_ms LCP_ms TBT_ms CLS
for spec in "home:/" "katalog:/mobil" "mobil:$CAR"; do
  name=${spec%%:*}; path=${spec#*:}
  CHROME_PATH=/usr/bin/chromium bench/node_modules/.bin/lighthouse "$BASE$path" --quiet --form-factor=mobile \
    --throttling-method=simulate --output=json --output-path="$OUT/lh-$name.json" --chrome-flags="$CHFLAGS" \
    2>"$OUT/lh-$name.err" || true
  jq -r --arg n "$name" '[$n,
      (.categories.performance.score*100|round), (.categories.accessibility.score*100|round),
      (.categories["best-practices"].score*100|round), (.categories.seo.score*100|round),
      (.audits["first-contentful-paint"].numericValue|round), (.audits["largest-contentful-paint"].numericValue|round),
      (.audits["total-blocking-time"].numericValue|round), (.audits["cumulative-layout-shift"].numericValue*1000|round/1000)]
    | @tsv' "$OUT/lh-$name.json" | awk -F'\t' '{printf "%-10s %5s %5s %5s %5s %8s %8s %6s %6s\n",$1,$2,$3,$4,$5,$6,$7,$8,$9}'
  jq -r '.categories[] as $c | $c.auditRefs[] | select(.weight > 0) | .id as $id | $c.id + " " + $id' "$OUT/lh-$name.json" \
    | while read -r cat id; do
        jq -r --arg id "$id" --arg cat "$cat" '.audits[$id] | select(.score != null and .score < 1)
          | "           - \($cat): \(.id) (\(.score))"' "$OUT/lh-$name.json"
      done | sort -u
done

echo "== Nu Html Checker 26.9.27"
mkdir -p "$OUT/html"; rm -f "$OUT"/html/*.html
for spec in "home:/" "katalog:/mobil" "katalog-filter:/mobil?transmission=AT&sort=price_asc" \
            "katalog-kosong:/mobil?brand=Tidak-Ada" "katalog-salah:/mobil?fuel=air&price_min=murah" \
            "mobil:$CAR" "mobil-kredit:$CAR?dp=30&tenor=4" "kontak:/kontak" "404:/tidak-ada" ${SOLD:+"terjual:$SOLD"}; do
  curl -s -H "Host: $HOST" "http://127.0.0.1:$PORT${spec#*:}" > "$OUT/html/${spec%%:*}.html"
done
if java -jar bench/node_modules/vnu-jar/build/dist/vnu.jar --errors-only --format gnu "$OUT"/html/*.html; then
  echo "$(ls "$OUT"/html/*.html | wc -l) pages: 0 errors"
fi

echo "== sitemap.xml against sitemap.xsd (sitemaps.org 0.9)"
get /sitemap.xml > "$OUT/sitemap.xml"
xmllint --noout --nonet --schema bench/node_modules/sitemap/schema/sitemap.xsd "$OUT/sitemap.xml"
echo "$(grep -c '<url>' "$OUT/sitemap.xml") URLs"
