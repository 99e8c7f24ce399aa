#!/usr/bin/env bash
# Cached tiles over HTTP (issue 8): a release server on the demo city, every tile of the unit-grid layer and of
# the map page's composite source over the urban core at zooms 12-16 fetched once (filling the LRU cache), then
# wrk with 100 connections for SECONDS (default 30) round robin over those paths, gzip accepted.
# Usage: tools/bench/run-tiles-http.sh [SECONDS]        (wrk and the server share this machine's cores)
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${1:-30}
tools/install-deps.sh >/dev/null
python3 -m pip install -q mercantile 2>/dev/null
if ! command -v wrk >/dev/null; then
    sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq wrk >/dev/null
fi
swift build -c release --product citygeo >/dev/null
mkdir -p .build-bench
paths=.build-bench/tile-paths.txt
python3 - "$paths" <<'PY'
import sys, mercantile
composite = "district,streets,communities,eval_area_types,unit_grids,rivers,compounds,roads,sample_points,pois"
with open(sys.argv[1], "w") as f:
    for source in ("unit_grids", composite):
        for t in mercantile.tiles(120.425, 33.165, 120.505, 33.235, zooms=range(12, 17)):
            f.write(f"/tiles/{source}/{t.z}/{t.x}/{t.y}.mvt\n")
PY
db=$(mktemp -u /tmp/citygeo-tiles-XXXXXX.sqlite)
.build/release/citygeo serve --open --database "$db" --data-root . --port 18092 >.build-bench/tiles-serve.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$db" "$db-wal" "$db-shm"' EXIT
for _ in $(seq 1 120); do curl -sf http://127.0.0.1:18092/health >/dev/null 2>&1 && break; sleep 1; done
# Warm the cache: every path once.
start=$(date +%s.%N)
while read -r p; do curl -s -o /dev/null -H 'Accept-Encoding: gzip' "http://127.0.0.1:18092$p"; done <"$paths"
echo "{\"engine\":\"warm-up\",\"tiles\":$(wc -l <"$paths"),\"seconds\":$(echo "$(date +%s.%N) - $start" | bc)}"
PATHS="$paths" wrk -t2 -c100 -d"${duration}s" --latency -s tools/bench/tiles/http.lua http://127.0.0.1:18092 | grep '^{'
