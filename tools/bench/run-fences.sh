#!/usr/bin/env bash
# Fence benchmark (issue 6), one command: 10,000 synthetic fences (70 % polygons, 20 % corridors, 10 % collection
# points) and 1,000,000 positions; CityGeo's FenceIndex and FenceEvaluator on one core (bench-fences), shapely 2
# STRtree with prepared predicates and PostGIS ST_DWithin per 10,000-position batch on the same fences and
# positions (inside pairs must agree), then over HTTP: the fences posted to a release server, 200,000 positions
# in 5,000-position batches, and the delay from posting a position to its event on /v1/events/stream.
# Usage: tools/bench/run-fences.sh [POSTGIS_POSITIONS]     (loopback only; the PostGIS cluster is temporary)
set -euo pipefail
cd "$(dirname "$0")/../.."
postgis_positions=${1:-200000}
work=.build-bench/fences
tools/install-deps.sh >/dev/null
python3 -m pip install -q shapely numpy psycopg2-binary 2>/dev/null
swift build -c release --product bench-fences >/dev/null
swift build -c release --product citygeo >/dev/null

source tools/postgis/cluster.sh
postgis_start 55432
postgis_python_driver
results=$(mktemp)
server=""
db=$(mktemp -u /tmp/citygeo-fences-XXXXXX.sqlite)
trap 'if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi; postgis_stop; rm -rf "$results" "$db" "$db-wal" "$db-shm"' EXIT

.build/release/bench-fences 10000 1000000 "$work" | sed 's/^{/{"engine":"CityGeo FenceIndex",/' >>"$results"
python3 tools/bench/fences/peers.py shapely "$work" >>"$results"
python3 tools/bench/fences/peers.py postgis "$work" "$PG_DSN" "$postgis_positions" >>"$results"

.build/release/citygeo serve --open --database "$db" --no-demo --port 18093 >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 60); do curl -sf http://127.0.0.1:18093/health >/dev/null 2>&1 && break; sleep 1; done
python3 tools/bench/fences/http_positions.py http://127.0.0.1:18093 "$work/fences.geojson" 200000 5000 >>"$results"

python3 - "$results" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.startswith("{")]
ours = rows[0]
print(f"10,000 fences, {ours['positions']:,} positions, one core; inside pairs: CityGeo {ours['inside_hits']:,}")
print(f"{'engine':<52}{'positions/s':>14}{'inside pairs':>14}{'CityGeo ÷ engine':>18}")
print(f"{'CityGeo FenceIndex (all fences within 20 m, exact)':<52}{ours['index_checks_per_s']:>14,}{ours['inside_hits']:>14,}{1:>17.1f}x")
for r in rows[1:]:
    if "per_s" in r:
        print(f"{r['engine']:<52}{r['per_s']:>14,}{r['inside_hits']:>14,}{ours['index_checks_per_s'] / r['per_s']:>17.1f}x   (on {r['positions']:,})")
print(f"CityGeo FenceEvaluator, 1,000 vehicles, all rules: {ours['evaluator_fixes_per_s']:,} fixes/s")
for r in rows:
    if r.get("engine") == "citygeo-http-fences":
        print(f"HTTP: {r['positions_per_s']:,} positions/s in batches of {r['batch']:,} (epoch times), "
              f"{r['iso_positions_per_s']:,} with ISO 8601 times; position → event on the stream: "
              f"p50 {r['event_latency_ms_p50']} ms, max {r['event_latency_ms_max']} ms ({r['latency_trials']} trials); "
              f"posting {r['fences']:,} fences one by one took {r['fence_load_s']} s")
PY
