#!/usr/bin/env bash
# Mixed HTTP load test (issue 9, item 6), one command: a release `citygeo serve` on the demo city with a fresh
# database in a temporary folder, on a free loopback port; then wrk with CONNECTIONS clients for SECONDS mixing
# forward geocodes (real roads, door plates and POIs of AddressBooks/), reverse geocodes, /v1/locate on random
# points of the urban core, POST /v1/positions batches and vector tiles at z12-16 over the core, after a warm-up
# pass of the same mix (WARMUP_SECONDS). Prints the
# totals, requests/s, requests per kind, statuses, socket errors and the latency distribution, then a short
# pass per kind (PER_KIND_SECONDS, default 10; 0 skips it) for per-kind p99, and the server's RSS.
# Exits non-zero when any request failed (a non-2xx status or a socket error).
#
# Usage: tools/load/run-load.sh [SECONDS=60] [CONNECTIONS=200]
# Environment: CITYGEO_API_KEY (sent as "Authorization: Bearer KEY"), PER_KIND_SECONDS, WARMUP_SECONDS (10: the
#              same mix first, reported apart, so that the measured pass starts with warm caches), WRK_THREADS (2),
#              WRK_TIMEOUT (10s), BATCH (positions per POST, 20), SKIP_BUILD=1 (use the existing release build),
#              KEEP=1 (keep the temporary folder with the server log and the JSON results), MIX (the weights,
#              default geocode=3,reverse=2,locate=2,positions=1,tiles=3).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
seconds=${1:-60}
connections=${2:-200}
per_kind_seconds=${PER_KIND_SECONDS:-10}
warmup_seconds=${WARMUP_SECONDS:-10}
threads=${WRK_THREADS:-2}
timeout=${WRK_TIMEOUT:-10s}

if ! command -v wrk >/dev/null; then
    sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq wrk >/dev/null
fi
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    tools/install-deps.sh >/dev/null
    echo "# swift build -c release --product citygeo" >&2
    swift build -c release --product citygeo >&2
fi
citygeo=$(pwd)/.build/release/citygeo

work=$(mktemp -d /tmp/citygeo-load-XXXXXX)
server=""
cleanup() {
    if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
        kill "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    if [ "${KEEP:-0}" = 1 ]; then echo "# kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
# The load goes through access control like real clients: an unlimited key with every scope, unless one is given.
if [ -z "${CITYGEO_API_KEY:-}" ]; then
    CITYGEO_API_KEY=$("$citygeo" keys create --database "$work/citygeo.sqlite" --name load-test --scopes all --rate 0 | awk '/^key:/ {print $2}')
    export CITYGEO_API_KEY
fi
echo "# citygeo serve on $base, database $work/citygeo.sqlite (first start imports the demo city)" >&2
"$citygeo" serve --host 127.0.0.1 --port "$port" --database "$work/citygeo.sqlite" --data-root "$root" \
    >"$work/serve.log" 2>&1 &
server=$!
auth=()
[ -n "${CITYGEO_API_KEY:-}" ] && auth=(-H "Authorization: Bearer $CITYGEO_API_KEY")
for _ in $(seq 1 300); do
    curl -sf "${auth[@]}" "$base/health" >/dev/null 2>&1 && break
    kill -0 "$server" 2>/dev/null || { echo "run-load: the server exited; its log:" >&2; tail -20 "$work/serve.log" >&2; exit 1; }
    sleep 1
done
curl -sf "${auth[@]}" "$base/health" >/dev/null || { echo "run-load: no /health after 300 s" >&2; exit 1; }

# Queries: real door plates (with and without the street or district before them), POI names and addresses,
# and the server's own autocomplete answers for a few road prefixes.
python3 - "$root" "$work/queries.txt" "$base" "${CITYGEO_API_KEY:-}" <<'PY'
import csv, json, random, sys, urllib.parse, urllib.request
root, out, base, key = sys.argv[1:5]
rng = random.Random(2026)
queries = []
with open(f"{root}/AddressBooks/door_plates.csv", encoding="utf-8") as f:
    plates = list(csv.DictReader(f))
for row in rng.sample(plates, min(1500, len(plates))):
    prefix = rng.choice(["", "", "大丰区", "盐城市大丰区", "江苏省盐城市大丰区"])
    queries.append(prefix + row["label"])
with open(f"{root}/AddressBooks/pois.csv", encoding="utf-8") as f:
    for row in csv.DictReader(f):
        queries.append(row["name"])
        if row.get("address"):
            queries.append("大丰" + row["address"])
roads = sorted({row["road"] for row in plates})
for road in rng.sample(roads, min(20, len(roads))):
    url = f"{base}/v1/autocomplete?limit=5&q=" + urllib.parse.quote(road)
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"} if key else {})
    try:
        answer = json.load(urllib.request.urlopen(request, timeout=10))
        for feature in answer.get("features", []):
            properties = feature.get("properties", {})
            for text in (properties.get("label"), properties.get("text")):
                if isinstance(text, str) and text:
                    queries.append(text)
    except Exception as error:  # autocomplete is a bonus source of queries, never a reason to stop
        print(f"run-load: autocomplete {road}: {error}", file=sys.stderr)
rng.shuffle(queries)
with open(out, "w", encoding="utf-8") as f:
    f.write("\n".join(queries) + "\n")
print(f"# {len(queries)} geocoding queries", file=sys.stderr)
PY

# Tile sources: the unit grids, the roads, the POIs and the map page's composite, where the catalogue has them.
sources=$(curl -sf "${auth[@]}" "$base/tiles/catalog" | python3 -c '
import json, sys
catalog = json.load(sys.stdin)
entries = catalog.get("sources") or catalog.get("layers") or catalog.get("tilesets") or [] if isinstance(catalog, dict) else catalog
names = [e.get("id") or e.get("name") for e in entries if isinstance(e, dict)]
wanted = [n for n in ("unit_grids", "roads", "pois", "communities") if n in names]
composite = ",".join(n for n in ("district", "streets", "communities", "unit_grids", "rivers", "compounds", "roads", "pois") if n in names)
print("|".join(wanted + ([composite] if composite else [])) or "unit_grids")
')
echo "# tile sources: $sources" >&2

export QUERIES="$work/queries.txt" SOURCES="$sources" BATCH="${BATCH:-20}" BBOX="120.425,33.165,120.505,33.235"
run_wrk() { # KINDS SECONDS -> one JSON line
    KINDS="$1" wrk -t"$threads" -c"$connections" -d"${2}s" --timeout "$timeout" --latency \
        -s tools/load/mixed.lua "$base" >"$work/wrk-$3.txt"
    grep '^{' "$work/wrk-$3.txt"
}

mix=${MIX:-geocode=3,reverse=2,locate=2,positions=1,tiles=3}
if [ "$warmup_seconds" != 0 ]; then
    # Fills the tile cache and warms the indexes; reported apart, errors count.
    echo "# warm-up: the same mix, ${warmup_seconds}s" >&2
    run_wrk "$mix" "$warmup_seconds" warmup >"$work/warmup.jsonl"
else
    : >"$work/warmup.jsonl"
fi
echo "# mixed load: $connections connections, $threads wrk threads, ${seconds}s" >&2
curl -sf "${auth[@]}" "$base/metrics" >"$work/metrics-before.txt" || : >"$work/metrics-before.txt"
run_wrk "$mix" "$seconds" mixed >"$work/results.jsonl"
# The server's own latency histograms over the mixed pass: time spent in the handler per route, without the wait
# in the socket queues that wrk's figures include.
curl -sf "${auth[@]}" "$base/metrics" >"$work/metrics-after.txt" || : >"$work/metrics-after.txt"
if [ "$per_kind_seconds" != 0 ]; then
    for kind in geocode reverse locate positions tiles; do
        echo "# $kind alone: ${per_kind_seconds}s" >&2
        run_wrk "$kind=1" "$per_kind_seconds" "$kind" >>"$work/results.jsonl"
    done
fi
rss_kb=$(awk '/^VmRSS/ {print $2}' "/proc/$server/status")
hwm_kb=$(awk '/^VmHWM/ {print $2}' "/proc/$server/status")
accepted=$(curl -sf "${auth[@]}" -X POST -H 'Content-Type: application/json' -d '{"positions":[]}' "$base/v1/positions" \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["counters"]["accepted"])' 2>/dev/null || echo "?")

python3 - "$work/results.jsonl" "$rss_kb" "$hwm_kb" "$connections" "$accepted" "$work/warmup.jsonl" \
    "$work/metrics-before.txt" "$work/metrics-after.txt" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
rss, hwm, connections, accepted = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
warmup = [json.loads(line) for line in open(sys.argv[6])]
mixed = rows[0]
for w in warmup:
    l = w["latency_ms"]
    print(f"\n== warm-up: {w['seconds']:.0f} s of the same mix (cold tile cache) ==")
    print(f"requests {w['requests']:,} ({w['per_s']:,.0f} req/s), errors {w['errors']}, "
          f"p50 {l['p50']:.2f} p99 {l['p99']:.2f} max {l['max']:.2f} ms")
lat = mixed["latency_ms"]
print(f"\n== mixed load: {connections} connections, {mixed['seconds']:.0f} s ==")
print(f"requests {mixed['requests']:,}  ({mixed['per_s']:,.0f} req/s)   errors {mixed['errors']} "
      f"(non-2xx {mixed['non_2xx']}, socket {sum(mixed['socket_errors'].values())} {mixed['socket_errors']})")
print("sent per kind: " + ", ".join(f"{k} {v:,}" for k, v in mixed["sent"].items())
      + f"  ({mixed['positions_fixes']:,} fixes posted; evaluator accepted {accepted} after all passes)")
print(f"latency ms: p50 {lat['p50']:.2f}  p90 {lat['p90']:.2f}  p99 {lat['p99']:.2f}  p99.9 {lat['p999']:.2f}  max {lat['max']:.2f}")
print(f"statuses: {mixed['status']}")
if len(rows) > 1:
    print(f"\n== one kind at a time ({rows[1]['seconds']:.0f} s each, {connections} connections) ==")
    print(f"{'kind':<10} {'requests':>9} {'req/s':>8} {'errors':>6} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for r in rows[1:]:
        kind = r["kinds"].split("=")[0]
        l = r["latency_ms"]
        print(f"{kind:<10} {r['requests']:>9,} {r['per_s']:>8,.0f} {r['errors']:>6} {l['p50']:>8.2f} {l['p90']:>8.2f} {l['p99']:>8.2f} {l['max']:>8.2f}")
def histograms(path):
    """route -> {le: cumulative count} of citygeo_http_request_duration_seconds."""
    out = {}
    for line in open(path):
        if not line.startswith("citygeo_http_request_duration_seconds_bucket{"):
            continue
        labels, value = line.rsplit(" ", 1)
        fields = dict(part.split("=", 1) for part in labels[labels.index("{") + 1:-1].split(","))
        route = fields["method"].strip('"') + " " + fields["route"].strip('"')
        le = float("inf") if fields["le"].strip('"') == "+Inf" else float(fields["le"].strip('"'))
        out.setdefault(route, {})[le] = float(value)
    return out

def quantile(buckets, q):
    bounds = sorted(buckets)
    total = buckets[bounds[-1]]
    target, previous_bound, previous_count = q * total, 0.0, 0.0
    for bound in bounds:
        if buckets[bound] >= target:
            if bound == float("inf"):
                return previous_bound * 1000
            share = (target - previous_count) / max(buckets[bound] - previous_count, 1e-9)
            return (previous_bound + share * (bound - previous_bound)) * 1000
        previous_bound, previous_count = bound, buckets[bound]
    return float("nan")

before, after = histograms(sys.argv[7]), histograms(sys.argv[8])
if after:
    print(f"\n== in the server, per route, over the mixed pass (its Prometheus histograms; interpolated in buckets) ==")
    print(f"{'route':<36} {'requests':>9} {'p50 ms':>8} {'p99 ms':>8}")
    for route in sorted(after, key=lambda r: -after[r][float("inf")]):
        delta = {le: count - before.get(route, {}).get(le, 0.0) for le, count in after[route].items()}
        if delta[float("inf")] < 1:
            continue
        print(f"{route:<36} {int(delta[float('inf')]):>9,} {quantile(delta, 0.5):>8.2f} {quantile(delta, 0.99):>8.2f}")
print(f"\nserver RSS at the end {rss / 1024:.0f} MiB (peak {hwm / 1024:.0f} MiB)")
failed = [r["kinds"] for r in warmup + rows if r["errors"] != 0]
print(json.dumps({"summary": "load", "warmup": warmup[0] if warmup else None, "mixed": mixed, "per_kind": rows[1:],
                  "rss_kib": rss, "peak_rss_kib": hwm}, ensure_ascii=False))
if failed:
    print(f"FAIL: errors in {failed}")
    sys.exit(1)
print("PASS: zero errors")
PY
