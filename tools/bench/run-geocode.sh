#!/usr/bin/env bash
# Geocoding benchmark (issue 5), one command:
#  1. in process, one core: forward and reverse geocodes/s on the committed demo city and on one generated at
#     --scale 27 (over 200,000 door plates), and admin-level parsing of 20,000 addresses across China;
#  2. the same addresses through cpca and JioNLP (PyPI), speed and accuracy, with ratios;
#  3. over HTTP: wrk, 100 connections for 30 s each on /v1/geocode and /v1/reverse against a release server
#     on the scale-27 city, requests/s and p50/p99 latency: once as a closed loop (saturation), once with
#     clients pausing 10 ms between requests;
#  4. the harness's floor: nginx serving a static file of the size of a geocoding answer to the same wrk runs (what
#     any server gets from this load generator on these cores).
# Usage: tools/bench/run-geocode.sh [SCALE] [SECONDS]; THINKS="0 2 5 10" sets the clients' pauses in ms (0: closed
# loop) for a latency-throughput curve; the default is "0 10".
set -euo pipefail
cd "$(dirname "$0")/../.."
scale=${1:-27}
duration=${2:-30}
work=.build-bench/geocode
city=.build-bench/city-scale$scale
mkdir -p "$work"

tools/install-deps.sh >/dev/null
python3 -m pip install -q cpca jionlp 2>/dev/null || true
sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
command -v wrk >/dev/null || DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq wrk >/dev/null
command -v nginx >/dev/null || DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq nginx-light >/dev/null 2>&1 || true
swift build -c release --package-path tools --product bench-geocode >/dev/null
swift build -c release --product citygeo >/dev/null
if [ ! -f "$city/AddressBooks/components.csv" ]; then
    .build/release/citygeo demo-city --scale "$scale" --output "$city" >/dev/null
    mkdir -p "$city/AddressBooks/national"
fi
# The national division list and the pinyin table (homophones) are the committed ones.
cp AddressBooks/national/divisions.csv AddressBooks/national/pinyin.txt "$city/AddressBooks/national/"
results=$(mktemp)
server=""
db=$(mktemp -u /tmp/citygeo-bench-XXXXXX.sqlite)
nginx_dir=$(mktemp -d)
trap 'if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi; [ -f "$nginx_dir/nginx.pid" ] && kill "$(cat "$nginx_dir/nginx.pid")" 2>/dev/null; rm -rf "$results" "$db" "$db-wal" "$db-shm" "$nginx_dir"' EXIT

echo "# in process, committed demo city" >&2
tools/.build/release/bench-geocode . "$work/scale1" | sed 's/^{/{"city":"scale 1",/' >>"$results"
echo "# in process, scale $scale" >&2
tools/.build/release/bench-geocode "$city" "$work/scale$scale" | sed "s/^{/{\"city\":\"scale $scale\",/" >>"$results"
echo "# peers: cpca, JioNLP" >&2
python3 tools/bench/geocode/peers.py "$work/scale1/national.csv" 2>/dev/null | grep '^{' >>"$results" || true

echo "# HTTP, scale $scale" >&2
.build/release/citygeo serve --open --database "$db" --data-root "$city" --port 18090 >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:18090/v1/geocode?q=%E4%BA%BA%E6%B0%91%E5%8C%97%E8%B7%AF1%E5%8F%B7" >/dev/null 2>&1 && break; sleep 1; done
# Twice per endpoint: a closed loop (each connection sends its next request as soon as it has an answer: the
# server's saturation throughput, where latency is queueing), then clients that pause 10 ms between requests.
thinks=${THINKS:-0 10}
for think in $thinks; do
    for mode in forward reverse; do
        THINK_MS=$think MODE=$mode QUERIES="$work/scale$scale/$mode.txt" wrk -t2 -c100 -d"${duration}s" --latency -s tools/bench/geocode/load.lua \
            http://127.0.0.1:18090 | grep '^{' >>"$results" || true
    done
done
first_query=$(head -1 "$work/scale$scale/forward.txt" | python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.stdin.read().strip()))')
answer_bytes=$(curl -s "http://127.0.0.1:18090/v1/geocode?limit=1&q=$first_query" | wc -c)
kill "$server" 2>/dev/null || true; server=""

if command -v nginx >/dev/null; then
    echo "# harness floor: nginx, a static $answer_bytes-byte file" >&2
    # nginx's workers run as an unprivileged user: mktemp's folder is private to us.
    mkdir -p "$nginx_dir/html"
    chmod 755 "$nginx_dir" "$nginx_dir/html"
    head -c "$answer_bytes" /dev/zero | tr '\0' 'A' >"$nginx_dir/html/answer.json"
    cat >"$nginx_dir/nginx.conf" <<NGINX
worker_processes 2;
pid $nginx_dir/nginx.pid;
error_log $nginx_dir/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    keepalive_requests 100000000;
    server { listen 127.0.0.1:18091; root $nginx_dir/html; location / { try_files /answer.json =404; } }
}
NGINX
    nginx -c "$nginx_dir/nginx.conf"
    sleep 1
    for think in $thinks; do
        ENGINE=nginx-static THINK_MS=$think MODE=forward QUERIES="$work/scale$scale/forward.txt" wrk -t2 -c100 -d"${duration}s" --latency \
            -s tools/bench/geocode/load.lua http://127.0.0.1:18091 | grep '^{' >>"$results" || true
    done
    kill "$(cat "$nginx_dir/nginx.pid")" 2>/dev/null || true
fi

python3 - "$results" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.startswith("{")]
print("\n== in process, one core ==")
for r in rows:
    if r.get("engine") == "citygeo" and "forward_per_s" in r:
        print(f'{r["city"]:>9}: {r["door_plates"]:>7,} door plates  forward {r["forward_per_s"]:>8,}/s (top-1 right {r["forward_top1_correct"]:.1%})  reverse {r["reverse_per_s"]:>8,}/s  index build {r["index_build_s"]} s')
print("\n== admin levels of 20,000 addresses across China (province and county both right) ==")
ours = next((r for r in rows if r.get("engine") == "citygeo" and r.get("task") == "admin_levels"), None)
for r in rows:
    if r.get("task") == "admin_levels":
        # CityGeo's figure comes from each city's run (the same national addresses); peers compare with the first.
        is_ours = r.get("engine") == "citygeo"
        ratio = f'  CityGeo/peer {ours["per_s"] / r["per_s"]:.2f}x' if ours and not is_ours and r.get("per_s") else ""
        name = f'citygeo ({r["city"]})' if is_ours else r["engine"]
        print(f'{name:>18}: {r["per_s"]:>8,}/s on {r["addresses"]:,}  accuracy {r["accuracy"]:.2%}{ratio}')
    elif "error" in r:
        print(f'{r["engine"]:>8}: failed: {r["error"]}')
print("\n== HTTP, 100 connections (wrk, same 2 cores as the server) ==")
floor = {r.get("think_ms"): r for r in rows if r.get("engine") == "nginx-static"}
for r in rows:
    if r.get("engine") in ("citygeo-http", "nginx-static"):
        loop = "closed loop" if not r.get("think_ms") else f'{r["think_ms"]} ms pauses'
        name = "nginx static file" if r["engine"] == "nginx-static" else r["mode"]
        peer = floor.get(r.get("think_ms"))
        ratio = f'  (vs the nginx floor: {r["per_s"] / peer["per_s"]:.2f}x its req/s, {r["p99_ms"] / peer["p99_ms"]:.2f}x its p99)' if peer and r["engine"] != "nginx-static" else ""
        print(f'{name:>17}, {loop:>12}: {r["per_s"]:>8,.0f} req/s  p50 {r["p50_ms"]:.2f} ms  p99 {r["p99_ms"]:.2f} ms  max {r["max_ms"]:.1f} ms  errors {r["errors"]}{ratio}')
PY
