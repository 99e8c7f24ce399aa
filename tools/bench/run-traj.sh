#!/usr/bin/env bash
# Trajectory benchmark (issue 7), one command: bench-traj (release, one core) generates vehicle days on the demo
# roads, times stop detection + trips + mileage on 100 cleaned vehicle days, writes them for MovingPandas
# (tools/bench/traj/peers.py, same fixes, stops >= 180 s within 100 m), then indexes a month of a 500-vehicle
# fleet (four rounds a day, 10 s fixes) and times 200 "who passed this 300 m section within 30 m" queries, and
# PostGIS the same queries on the same month (a GiST-indexed fixes table in a temporary cluster on port 55432).
# Usage: tools/bench/run-traj.sh [FLEET] [DAYS]
set -euo pipefail
cd "$(dirname "$0")/../.."
fleet=${1:-500}
days=${2:-30}
work=.build-bench/traj
tools/install-deps.sh >/dev/null
python3 -m pip install -q movingpandas 2>/dev/null || true
swift build -c release --product bench-traj >/dev/null
source tools/postgis/cluster.sh
postgis_start 55432
postgis_python_driver
results=$(mktemp)
trap 'postgis_stop; rm -f "$results"' EXIT
.build/release/bench-traj AddressBooks/roads.geojson "$work" 100 "$fleet" "$days" 200 4 >>"$results"
python3 tools/bench/traj/peers.py "$work/cleaned.csv" 100 >>"$results" || echo '{"engine":"movingpandas","error":"not installed"}' >>"$results"
python3 tools/bench/traj/peers.py postgis "$work" "$PG_DSN" "$days" >>"$results"
python3 - "$results" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.startswith("{")]
ours = next(r for r in rows if r.get("engine") == "citygeo" and r["task"] == "stops_mileage")
print(f"stop detection + trips + mileage, {ours['vehicles']} vehicle days, {ours['points']:,} cleaned fixes, one core")
for r in rows:
    if r.get("task") == "stops_mileage":
        ratio = ours["points_per_s"] / r["points_per_s"]
        print(f"  {r['engine']:<22}{r['points_per_s']:>12,} fixes/s  stops {r['stops']:>5}  km {r['km']:>8}  CityGeo ÷ engine {ratio:,.0f}x")
print(f"  truth: {ours['truth_stops']} stops")
month = next(r for r in rows if r.get("engine") == "citygeo" and r.get("task") == "who_passed")
print(f"who passed a 300 m section (30 m) over 1-7 day windows: {month['vehicles']} vehicles x {month['days']} days, {month['queries']} queries")
for r in rows:
    if r.get("task") == "who_passed":
        extra = f"  same vehicles on {r['same_vehicles']}/{r['queries']} queries, {r['vehicles_only_citygeo_found']} passages only CityGeo found (between fixes)" if "same_vehicles" in r else ""
        print(f"  {r['engine']:<22}{r['points']:>12,} fixes  index {r['build_s']:>6} s  p50 {r['p50_ms']:>8} ms  p95 {r['p95_ms']:>8} ms  max {r['max_ms']:>8} ms  CityGeo p95 ÷ engine p95 {month['p95_ms'] / r['p95_ms']:.3f}{extra}")
PY
