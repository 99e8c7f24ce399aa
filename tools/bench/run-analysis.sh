#!/usr/bin/env bash
# Spatial analysis and routing benchmark (issue 20), one command: bench-analysis (release, one core) on the demo city
# at --scale 13 (>50,000 unit grids) times service coverage of FACILITIES facilities over every unit grid, shortest
# paths between random node pairs (by distance and time, 10 % of roads one-way) and Gi* over the unit grids, and
# writes its inputs and answers; then the peers on the same inputs: shapely 2 + pyproj (coverage), pgRouting
# pgr_dijkstra in a temporary PostgreSQL cluster on port 55432 (routes), PySAL esda (Gi*). Prints each figure, the
# peer's beside it, the ratio and the largest difference between the answers.
# Usage: tools/bench/run-analysis.sh [FACILITIES] [RADIUS] [PAIRS] [SCALE]
set -euo pipefail
cd "$(dirname "$0")/../.."
facilities=${1:-1000}
radius=${2:-500}
pairs=${3:-1000}
scale=${4:-13}
city=.build-bench/grids-scale$scale
work=.build-bench/analysis
tools/install-deps.sh >/dev/null
python3 -m pip install -q shapely pyproj esda libpysal psycopg2-binary 2>/dev/null || true
swift build -c release --product bench-analysis >/dev/null
swift build -c release --product citygeo >/dev/null
if [ ! -f "$city/GridData/unit_grids.geojson" ]; then
    .build/release/citygeo demo-city --scale "$scale" --output "$city" >/dev/null
fi
source tools/postgis/cluster.sh
postgis_packages+=(postgresql-15-pgrouting)   # pgr_dijkstra, the routing peer
results=$(mktemp)
trap 'postgis_stop; rm -f "$results"' EXIT
postgis_start 55432
.build/release/bench-analysis "$city" "$work" "$facilities" "$radius" "$pairs" 200000 >>"$results"
python3 tools/bench/analysis/peers.py coverage "$city/GridData/unit_grids.geojson" "$work" "$radius" >>"$results"
python3 tools/bench/analysis/peers.py gistar "$work" 271.3 >>"$results"
python3 tools/bench/analysis/peers.py pgrouting "$work" "$PG_DSN" >>"$results"
python3 - "$results" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.startswith("{")]
def pick(engine_prefix, task):
    return next(r for r in rows if r["engine"].startswith(engine_prefix) and r["task"] == task)
ours, peer = pick("citygeo", "coverage"), pick("shapely", "coverage")
print(f"coverage: {ours['facilities']:,} facilities, {ours['radius_m']:.0f} m, over {ours['grids']:,} unit grids by area, one core")
print(f"  CityGeo ServiceCoverage {ours['seconds']:>8.3f} s   covered {ours['covered_share']:.4%}, {ours['partial_grids']:,} grids partly covered")
print(f"  {peer['engine']:<24}{peer['seconds']:>8.3f} s   CityGeo ÷ peer {peer['seconds'] / ours['seconds']:.1f}x faster; shares differ by at most {peer['max_share_difference']:.1e}")
ours, peer = pick("citygeo", "gistar"), pick("PySAL", "gistar")
print(f"Gi*: {ours['units']:,} unit grids, {ours['cases']:,} cases, distance band {ours['band_m']} m ({ours['neighbours']:,} neighbour pairs)")
print(f"  CityGeo weights + Gi*       {ours['seconds']:>8.3f} s   {ours['hot_99']} hot spots at 99 %")
print(f"  {peer['engine']:<28}{peer['seconds']:>8.3f} s   CityGeo {peer['seconds'] / ours['seconds']:.0f}x faster; max |z difference| {peer['max_z_difference']:.1e}, max |p difference| {peer['max_p_difference']:.1e}")
ours, peer = pick("citygeo", "gistar_knn"), pick("PySAL", "gistar_knn")
print(f"Gi* with the {ours['k']} nearest neighbours, same units and cases")
print(f"  CityGeo weights + Gi*       {ours['seconds']:>8.3f} s   {ours['hot_99']} hot spots at 99 %")
print(f"  {peer['engine']:<28}{peer['seconds']:>8.3f} s   CityGeo {peer['seconds'] / ours['seconds']:.0f}x faster; max |z difference| {peer['max_z_difference']:.1e}, max |p difference| {peer['max_p_difference']:.1e}")
for cost in ["distance", "time"]:
    ours, peer = pick("citygeo", f"route_{cost}"), pick("pgRouting", f"route_{cost}")
    print(f"shortest paths by {cost}: {ours['pairs']:,} random node pairs, {ours['nodes']:,} nodes, {ours['edges']:,} edges (graph built in {ours['build_s']} s)")
    print(f"  CityGeo RoadRouter                p50 {ours['p50_ms']:>8.3f} ms  p95 {ours['p95_ms']:>8.3f} ms  max {ours['max_ms']:.3f} ms")
    print(f"  {peer['engine']:<34}p50 {peer['p50_ms']:>8.3f} ms  p95 {peer['p95_ms']:>8.3f} ms   CityGeo p95 {peer['p95_ms'] / ours['p95_ms']:.0f}x faster; "
          f"{peer['compared']} paths compared, max cost difference {peer['max_cost_difference']:.2e}, {peer['reachability_mismatches']} reachability mismatches")
points = pick("citygeo", "route_points_time")
print(f"  CityGeo snapped point to point by time: p50 {points['p50_ms']:.3f} ms, p95 {points['p95_ms']:.3f} ms")
PY
