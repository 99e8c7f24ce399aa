#!/usr/bin/env bash
# Regions benchmark (issue 19): on the demo city at --scale 13 (51,419 unit grids), single-threaded, release build:
#   1. POINTS points located in five polygon families at once (unit grids, communities, compounds, 50,000 frontage
#      zones, 20,000 bike-parking areas; every polygon holding each point) with CityGeo's FamilyIndex, and with
#      shapely 2's STRtree on the same polygons and points; hits and checksums must agree;
#   2. statistics over CASES cases of 2024-2026 per month (streets of the county, communities of a street, one
#      category) and per quarter (unit grids) with RegionStatistics, next to SQLite GROUP BY on the same cases
#      (regions assigned beforehand), every answer compared cell by cell;
#   3. the same statistics over HTTP: a release `citygeo serve` with the cases imported, GET /v1/stats p50/p95.
# Usage: tools/bench/run-regions.sh [POINTS] [CASES] [SCALE]      (loopback only; the server and its database are temporary)
set -euo pipefail
cd "$(dirname "$0")/../.."
points=${1:-1000000}
cases=${2:-1000000}
scale=${3:-13}
city=.build-bench/grids-scale$scale
work=.build-bench/regions
mkdir -p "$work"

tools/install-deps.sh >/dev/null
python3 -m pip install -q shapely numpy 2>/dev/null || true
swift build -c release --package-path tools --product bench-regions >/dev/null
swift build -c release --product citygeo >/dev/null
if [ ! -f "$city/GridData/unit_grids.geojson" ]; then
    .build/release/citygeo demo-city --scale "$scale" --output "$city" >/dev/null
fi

results=$(mktemp)
server=""
db=$(mktemp -u /tmp/citygeo-bench-regions-XXXXXX.sqlite)
trap 'if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi; rm -f "$results" "$db" "$db-wal" "$db-shm"' EXIT

python3 tools/bench/grids/peers.py make-points "$city/GridData/unit_grids.geojson" "$work/points.bin" "$points" 42
python3 tools/bench/regions/peers.py make-families "$city" "$work" 7
families=("$work/unit_grids.geojson" "$work/communities.geojson" "$work/compounds.geojson" "$work/frontage_zones.geojson" "$work/bike_parking.geojson")
tools/.build/release/bench-regions families "$work/points.bin" "${families[@]}" >>"$results"
python3 tools/bench/regions/peers.py families "$work/points.bin" "${families[@]}" >>"$results"

python3 tools/bench/regions/peers.py make-cases "$city" "$work/cases.csv" "$cases" 19
tools/.build/release/bench-regions stats "$city" "$work/cases.csv" "$work" >>"$results"
python3 tools/bench/regions/peers.py stats-sql "$city" "$work/cases.csv" "$work" >>"$results"

# Over HTTP: the city imported by the server's first start, then the cases, then the questions.
.build/release/citygeo serve --open --database "$db" --data-root "$city" --port 18091 >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 300); do curl -sf http://127.0.0.1:18091/ready >/dev/null 2>&1 && break; sleep 1; done
.build/release/citygeo import "$work/cases.csv" --layer cases --database "$db" >/dev/null
python3 tools/bench/regions/http_stats.py http://127.0.0.1:18091 30 >>"$results"
kill "$server" 2>/dev/null || true
server=""

python3 - "$results" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.startswith("{")]
ours = next(r for r in rows if r["engine"] == "CityGeo FamilyIndex")
peer = next(r for r in rows if r["engine"].startswith("shapely"))
print(f"locate in {ours['families']} families ({', '.join(f'{n} {p:,}' for n, p in zip(ours['names'], ours['polygons']))}), {ours['points']:,} points, one core")
print(f"  CityGeo FamilyIndex   {ours['points_per_s']:>12,.0f} points/s ({ours['points_per_s'] * ours['families']:,.0f} lookups/s), index built in {ours['build_s']*1000:.0f} ms")
print(f"  {peer['engine']:<21} {peer['points_per_s']:>12,.0f} points/s   CityGeo ÷ shapely {ours['points_per_s'] / peer['points_per_s']:.1f}x")
same = "same" if ours["hits"] == peer["hits"] and ours["checksum"] == peer["checksum"] else "DIFFERENT"
print(f"  hits per family {ours['hits']} ({same} in shapely), checksum {ours['checksum']:,}")
print(f"  unit-grid lookup alone {ours['unit_grid_points_per_s']:,.0f} points/s; per family {ours['points_per_s'] * ours['families']:,.0f} lookups/s "
      f"({ours['points_per_s'] * ours['families'] / ours['unit_grid_points_per_s']:.2f}x the unit-grid speed)")
print("  each family alone: " + ", ".join(f"{n} {p:,.0f} lookups/s ({p / ours['unit_grid_points_per_s']:.2f}x)"
                                         for n, p in zip(ours['names'], ours['family_points_per_s'])))
if "overlapping" in ours:
    print("  overlapping (first holder answers where not): " + ", ".join(f"{n} {'yes' if o else 'no'} ({t*1000:.0f} ms to build)"
                                                                     for n, o, t in zip(ours['names'], ours['overlapping'], ours['family_build_s']))
          + f"; {ours['verified_probes']:,} probes answered as every holder's")
if "first_family_interleaved_ratio" in ours:
    q = ours["first_family_interleaved_quartiles"]
    print(f"  {ours['names'][0]} family ÷ unit-grid locate, interleaved by 50,000 points: median {ours['first_family_interleaved_ratio']:.2f}x"
          f" (quartiles {q[0]:.2f}-{q[1]:.2f}x)")
stats = [r for r in rows if r["engine"] == "CityGeo RegionStatistics"]
print(f"statistics over {stats[0]['cases']:,} cases of 2024-2026 (index built in {stats[0]['index_s']:.2f} s), one core; best of 5 / best of 3")
for r in stats:
    sql = next(s for s in rows if s["engine"].startswith("SQLite") and s["question"] == r["question"])
    print(f"  {r['question']:<36} CityGeo {r['seconds']*1000:>7.1f} ms ({r['rows']:,} rows with 环比/同比)   SQLite {sql['seconds']*1000:>8.1f} ms"
          f"   {sql['seconds'] / r['seconds']:.1f}x   {sql['cells_differing_from_citygeo']} cells differ")
for r in (r for r in rows if r["engine"].startswith("CityGeo HTTP")):
    print(f"  HTTP {r['question']:<31} p50 {r['p50_ms']:.1f} ms  p95 {r['p95_ms']:.1f} ms  (first request, building the index: {r['first_request_s']:.1f} s)")
PY
