#!/usr/bin/env bash
# Store benchmark (issue 18), one command: the same store workloads on SpatiaLite and on PostGIS side by side
# (tools/bench/store/main.swift): importing the unit grids of the demo city at scale 13 (features/s), inserting a
# month of a 500-vehicle fleet (fixes/s), and who-passed-here over that month from the store's cell index (p50/p95 ms),
# printing both figures and the ratio. PostgreSQL 15 + PostGIS 3 run in a throwaway cluster on 127.0.0.1:55432
# (tools/postgis/cluster.sh) with default durability; the fleet and queries are run-traj.sh's (bench-traj).
# Usage: tools/bench/run-store.sh [DAYS]
set -euo pipefail
cd "$(dirname "$0")/../.."
days=${1:-30}
grids_work=.build-bench/grids-scale13
traj_work=.build-bench/traj-store-$days
tools/install-deps.sh --postgis >/dev/null
swift build -c release --product bench-store >/dev/null
# The inputs are kept between runs (.build-bench/): the scale-13 city of run-grids.sh, the fleet of run-traj.sh.
if [ ! -f "$grids_work/GridData/unit_grids.geojson" ]; then
    swift build -c release --product citygeo >/dev/null
    .build/release/citygeo demo-city --scale 13 --output "$grids_work" >/dev/null
fi
if [ ! -f "$traj_work/queries.csv" ]; then
    swift build -c release --product bench-traj >/dev/null
    .build/release/bench-traj AddressBooks/roads.geojson "$traj_work" 1 500 "$days" 200 4 >/dev/null
fi
source tools/postgis/cluster.sh
results=$(mktemp)
trap 'postgis_stop; rm -f "$results"' EXIT
postgis_start 55432
.build/release/bench-store "$grids_work/GridData/unit_grids.geojson" "$traj_work" "$CITYGEO_POSTGIS_URL" "$days" /tmp >>"$results"
python3 - "$results" <<'PY'
import json, sys
rows = {(r["backend"], r["task"]): r for r in (json.loads(line) for line in open(sys.argv[1]) if line.startswith("{"))}
def line(task, label, key, unit, higher_is_better=True):
    s, p = rows[("spatialite", task)], rows[("postgis", task)]
    ratio = p[key] / s[key] if higher_is_better else s[key] / p[key]
    print(f"  {label:<34}{s[key]:>14,} {unit:<10}{p[key]:>14,} {unit:<10}PostGIS ÷ SpatiaLite {ratio:.2f}x")
imp = rows[("spatialite", "import")]
print(f"store workloads, same machine: SpatiaLite (file, WAL) and PostGIS (PostgreSQL 15, loopback)")
print(f"  {'':<34}{'SpatiaLite':>25}{'PostGIS':>24}")
line("import", f"import {imp['features']:,} unit grids", "features_per_s", "feat/s")
tracks = rows[("spatialite", "insert_tracks")]
line("insert_tracks", f"insert {tracks['points']:,} fixes", "points_per_s", "fixes/s")
line("who_passed", "who passed here, p50", "p50_ms", "ms", higher_is_better=False)
line("who_passed", "who passed here, p95", "p95_ms", "ms", higher_is_better=False)
for backend in ("spatialite", "postgis"):
    w = rows[(backend, "who_passed")]
    print(f"  {backend}: max {w['max_ms']} ms, {w['mean_candidates']} candidate vehicles per query, "
          f"every exact passage among the candidates on {w['queries_with_every_passage']}/{w['queries']} queries")
PY
