#!/usr/bin/env bash
# Point-in-grid benchmark (issue 3): assigns N random points (default 1,000,000) to the unit grids of the demo
# city generated at --scale 13 (>50,000 grids), single-threaded, with CityGeo's PolygonIndex, shapely 2's
# STRtree and a PostGIS GiST join, on the same points, and prints points/s, agreement and ratios.
# Usage: tools/bench/run-grids.sh [POINTS] [SCALE]      (loopback only; the PostGIS cluster is temporary)
set -euo pipefail
cd "$(dirname "$0")/../.."
points=${1:-1000000}
scale=${2:-13}
work=.build-bench/grids-scale$scale
mkdir -p "$work"

tools/install-deps.sh
python3 -m pip install -q shapely numpy psycopg2-binary 2>/dev/null

swift build -c release --product bench-grids >/dev/null
swift build -c release --product citygeo >/dev/null
if [ ! -f "$work/GridData/unit_grids.geojson" ]; then
    .build/release/citygeo demo-city --scale "$scale" --output "$work" >/dev/null
fi
grids="$work/GridData/unit_grids.geojson"
python3 tools/bench/grids/peers.py make-points "$grids" "$work/points.bin" "$points" 42

source tools/postgis/cluster.sh
postgis_start 55432
postgis_python_driver
results=$(mktemp)
server=""
trap 'if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi; postgis_stop; rm -rf "$results"' EXIT

.build/release/bench-grids "$grids" "$work/points.bin" "$work/points.bin.citygeo.bin" >>"$results"
python3 tools/bench/grids/peers.py shapely "$grids" "$work/points.bin" >>"$results"
python3 tools/bench/grids/peers.py postgis "$grids" "$work/points.bin" "$PG_DSN" >>"$results"

# End to end over HTTP: the same points in 100,000-point batches on two connections to a release server.
db=$(mktemp -u /tmp/citygeo-bench-XXXXXX.sqlite)
.build/release/citygeo serve --open --database "$db" --data-root "$work" --port 18089 >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 120); do curl -sf http://127.0.0.1:18089/health >/dev/null 2>&1 && break; sleep 1; done
python3 tools/bench/grids/http_batch.py "$work/points.bin" http://127.0.0.1:18089/v1/locate/batch 100000 2 >>"$results" || true
kill "$server" 2>/dev/null || true; server=""
rm -f "$db" "$db-wal" "$db-shm"

python3 - "$results" "$work/points.bin" <<'PY'
import json, os, sys
import numpy as np
rows = [json.loads(line) for line in open(sys.argv[1])]
ours = rows[0]
mine = np.fromfile(sys.argv[2] + ".citygeo.bin", dtype="<i8")
def agreement(r):
    # Per-point: points whose grid differs from CityGeo's (peers keep the lowest of several shared-edge grids).
    for peer, suffix in [("shapely", ".shapely.npy"), ("PostGIS", ".postgis.npy")]:
        if r["engine"].startswith(peer) and os.path.exists(sys.argv[2] + suffix):
            return f"{int((np.load(sys.argv[2] + suffix) != mine).sum()):,} differ"
    if r is ours:
        return "reference"
    return "same count" if r["located"] == ours["located"] else "count differs"
print(f"point-in-grid: {ours['points']:,} points over {ours['grids']:,} unit grids (index built in {ours['build_s']*1000:.0f} ms), single-threaded")
print(f"{'engine':<32}{'points/s':>14}{'located':>12}{'agreement':>16}{'CityGeo ÷ engine':>18}")
for r in rows:
    ratio = ours['points_per_s'] / r['points_per_s']
    print(f"{r['engine']:<32}{r['points_per_s']:>14,.0f}{r['located']:>12,}{agreement(r):>16}{ratio:>17.1f}x")
sums = ", ".join(f"{r['engine'].split()[0]} {r['checksum']:,}" for r in rows if "checksum" in r)
print(f"checksums (sum of located grid indices): {sums}")
PY
