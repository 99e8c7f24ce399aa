#!/usr/bin/env bash
# Store benchmark (issue 18), one command: the same store workloads on SpatiaLite and on PostGIS side by side
# (tools/bench/store/main.swift): importing the unit grids of the demo city at scale 13 (features/s), inserting a
# month of a 500-vehicle fleet (fixes/s), and who-passed-here over that month from the store's cell index (p50/p95 ms);
# then positions through the evaluator over HTTP: one release `citygeo serve` per backend with the 10,000 fences of
# run-fences.sh, 1,000 vehicles, 100,000 positions in 5,000-position batches (tools/bench/fences/http_positions.py; on
# PostGIS the server runs in cluster mode, each batch under its vehicles' locked state rows), printing both figures
# and the ratio. PostgreSQL 15 + PostGIS 3 run in a throwaway cluster on 127.0.0.1:55432
# (tools/postgis/cluster.sh) with default durability; the fleet and queries are run-traj.sh's (bench-traj).
# Usage: tools/bench/run-store.sh [DAYS]
set -euo pipefail
cd "$(dirname "$0")/../.."
days=${1:-30}
grids_work=.build-bench/grids-scale13
traj_work=.build-bench/traj-store-$days
tools/install-deps.sh --postgis >/dev/null
swift build -c release --product bench-store >/dev/null
swift build -c release --product citygeo >/dev/null
fences_work=.build-bench/fences
if [ ! -f "$fences_work/fences.geojson" ]; then
    swift build -c release --product bench-fences >/dev/null
    .build/release/bench-fences 10000 10000 "$fences_work" >/dev/null
fi
# The inputs are kept between runs (.build-bench/): the scale-13 city of run-grids.sh, the fleet of run-traj.sh.
if [ ! -f "$grids_work/GridData/unit_grids.geojson" ]; then
    .build/release/citygeo demo-city --scale 13 --output "$grids_work" >/dev/null
fi
if [ ! -f "$traj_work/queries.csv" ]; then
    swift build -c release --product bench-traj >/dev/null
    .build/release/bench-traj AddressBooks/roads.geojson "$traj_work" 1 500 "$days" 200 4 >/dev/null
fi
source tools/postgis/cluster.sh
results=$(mktemp)
server=""
db=$(mktemp -u /tmp/citygeo-store-XXXXXX.sqlite)
trap 'if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi; postgis_stop; rm -f "$results" "$db" "$db-wal" "$db-shm"' EXIT
postgis_start 55432
.build/release/bench-store "$grids_work/GridData/unit_grids.geojson" "$traj_work" "$CITYGEO_POSTGIS_URL" "$days" /tmp >>"$results"

# Positions through the evaluator over HTTP, one server per backend (a database of its own on the PostGIS cluster).
psql "$PG_DSN" -qc "CREATE DATABASE citygeo_http" >/dev/null
for backend in spatialite postgis; do
    location=$db
    [ "$backend" = postgis ] && location=${CITYGEO_POSTGIS_URL%/*}/citygeo_http
    .build/release/citygeo serve --open --database "$location" --no-demo --port 18094 >"$fences_work/serve-$backend.log" 2>&1 &
    server=$!
    for _ in $(seq 1 60); do curl -sf http://127.0.0.1:18094/ready >/dev/null 2>&1 && break; sleep 1; done
    python3 tools/bench/fences/http_positions.py http://127.0.0.1:18094 "$fences_work/fences.geojson" 100000 5000 \
        | sed "s/^{/{\"backend\":\"$backend\",\"task\":\"http_positions\",/" >>"$results"
    kill "$server"; wait "$server" 2>/dev/null || true; server=""
done
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
line("http_positions", "positions via evaluator, HTTP", "positions_per_s", "fixes/s")
line("http_positions", "  the same, ISO 8601 times", "iso_positions_per_s", "fixes/s")
line("http_positions", "position → event on the stream, p50", "event_latency_ms_p50", "ms", higher_is_better=False)
line("http_positions", f"posting 10,000 fences one by one", "fence_load_s", "s", higher_is_better=False)
for backend in ("spatialite", "postgis"):
    w = rows[(backend, "who_passed")]
    print(f"  {backend}: max {w['max_ms']} ms, {w['mean_candidates']} candidate vehicles per query, "
          f"every exact passage among the candidates on {w['queries_with_every_passage']}/{w['queries']} queries")
PY
