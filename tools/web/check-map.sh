#!/usr/bin/env bash
# Browser check of the map page (issue 8), outside CI: installs Debian's chromium and CJK fonts, MapLibre GL JS
# (tools/install-web.sh) and websocket-client, serves the demo city from a throwaway database, then
# tools/web/check_map.py loads the page in headless Chromium and checks that tiles load, the search box
# geocodes 人民北路14号 to its plate and a click reverse-geocodes. Screenshots: .build-bench/map-search.png and
# .build-bench/map-overview.png.
set -euo pipefail
cd "$(dirname "$0")/../.."
tools/install-deps.sh >/dev/null
if ! command -v chromium >/dev/null || ! dpkg -s fonts-noto-cjk >/dev/null 2>&1; then
    sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
fi
python3 -m pip install -q websocket-client 2>/dev/null
tools/install-web.sh
swift build -c release --product citygeo >/dev/null
mkdir -p .build-bench
db=$(mktemp -u /tmp/citygeo-map-XXXXXX.sqlite)
CITYGEO_ACCESS_PUBLIC_SCOPES=tiles,geocode,joins .build/release/citygeo serve --database "$db" --data-root . --port 18091 >.build-bench/map-serve.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$db" "$db-wal" "$db-shm"' EXIT
for _ in $(seq 1 120); do curl -sf http://127.0.0.1:18091/health >/dev/null 2>&1 && break; sleep 1; done
python3 tools/web/check_map.py http://127.0.0.1:18091 .build-bench/map-search.png .build-bench/map-overview.png
