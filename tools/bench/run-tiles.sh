#!/usr/bin/env bash
# Vector-tile benchmark (issue 8): the cold tile pyramid z MINZOOM..MAXZOOM (default 0..16) of the demo city's
# unit grids, every tile covering the layer's bounds, cut by CityGeo GeoTiles (release build, no tile cache, one
# task and two) and by PostGIS ST_AsMVT on one connection, on the same features; prints tiles/s and ratios.
# Usage: tools/bench/run-tiles.sh [MINZOOM] [MAXZOOM] [GEOJSON]   (loopback only; the PostGIS cluster is temporary)
set -euo pipefail
cd "$(dirname "$0")/../.."
minzoom=${1:-0}
maxzoom=${2:-16}
layer=${3:-GridData/unit_grids.geojson}

tools/install-deps.sh
python3 -m pip install -q psycopg2-binary 2>/dev/null
swift build -c release --product bench-tiles >/dev/null

source tools/postgis/cluster.sh
postgis_start 55432
postgis_python_driver
results=$(mktemp)
trap 'postgis_stop; rm -rf "$results"' EXIT

.build/release/bench-tiles "$layer" "$minzoom" "$maxzoom" 1 >>"$results"
.build/release/bench-tiles "$layer" "$minzoom" "$maxzoom" 2 >>"$results"
python3 tools/bench/tiles/peers.py postgis "$layer" "$PG_DSN" "$minzoom" "$maxzoom" >>"$results"

python3 - "$results" "$minzoom" "$maxzoom" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
ours = rows[0]
print(f"tile pyramid z{sys.argv[2]}-{sys.argv[3]}: {ours['tiles']:,} tiles over {ours['layer_features']:,} features, cold (no tile cache)"
      f"; CityGeo's one-time layer snapshot load {ours['load_s']*1000:.0f} ms, not in the timings")
print(f"{'engine':<58}{'tiles/s':>10}{'non-empty':>11}{'features':>10}{'MB':>8}{'CityGeo(1) ÷ engine':>22}")
for r in rows:
    print(f"{r['engine']:<58}{r['tiles_per_s']:>10,.0f}{r['non_empty']:>11,}{r['features']:>10,}{r['bytes']/1e6:>8.1f}{ours['tiles_per_s']/r['tiles_per_s']:>21.2f}x")
PY
