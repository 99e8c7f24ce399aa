#!/usr/bin/env python3
"""Fences over HTTP: loads the bench's fences into a running server (POST /v1/fences), registers 1,000 vehicles,
then posts random-walk positions in batches (POST /v1/positions, each vehicle's positions in time order, one
connection per half of the fleet) and reports positions/s, once with times as epoch seconds and once as ISO 8601
text (what most platforms send: the time reader's cost shows); finally measures how long after a position is
posted its first event reaches a subscriber of /v1/events/stream (an unknown vehicle's 外来车辆 event).

Usage: http_positions.py BASE_URL FENCES.geojson [POSITIONS] [BATCH]
"""
import http.client
import json
import random
import statistics
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

base, fences_path = sys.argv[1].rstrip("/"), sys.argv[2]
total = int(sys.argv[3]) if len(sys.argv) > 3 else 200_000
batch = int(sys.argv[4]) if len(sys.argv) > 4 else 5_000
host = urllib.parse.urlparse(base)


def connection():
    return http.client.HTTPConnection(host.hostname, host.port, timeout=120)


def request(conn, method, path, body=None):
    conn.request(method, path, body=json.dumps(body).encode() if body is not None else None,
                 headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    data = response.read()
    if response.status >= 300:
        raise RuntimeError(f"{method} {path}: {response.status} {data[:200]!r}")
    return json.loads(data) if data else None


features = json.load(open(fences_path, encoding="utf-8"))["features"]
started = time.perf_counter()


def post_fences(chunk):
    conn = connection()
    for f in chunk:
        request(conn, "POST", "/v1/fences", f)
    conn.close()


# Fences already in the server (a second run) are not posted again.
loaded = request(connection(), "GET", "/v1/fences")["features"]
if len(loaded) < len(features):
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(post_fences, [features[k::4] for k in range(4)]))
fence_seconds = time.perf_counter() - started

vehicles = 1_000
conn = connection()
request(conn, "PUT", "/v1/vehicles", [{"id": f"v{k}", "class": "muck"} for k in range(vehicles)])
xs = [c[0] for f in features for c in (f["geometry"]["coordinates"][0] if f["geometry"]["type"] == "Polygon" else
                                         f["geometry"]["coordinates"] if f["geometry"]["type"] == "LineString" else [f["geometry"]["coordinates"]])]
ys = [c[1] for f in features for c in (f["geometry"]["coordinates"][0] if f["geometry"]["type"] == "Polygon" else
                                         f["geometry"]["coordinates"] if f["geometry"]["type"] == "LineString" else [f["geometry"]["coordinates"]])]
rng = random.Random(7)
walkers = [[rng.uniform(min(xs), max(xs)), rng.uniform(min(ys), max(ys))] for _ in range(vehicles)]
t0 = 1_790_000_000 + int(time.time()) % 100_000 * 100
per_vehicle = total // vehicles


china = timezone(timedelta(hours=8))


def iso(seconds):
    return datetime.fromtimestamp(seconds, tz=china).isoformat()


def ingest(half, start, as_text):
    conn = connection()
    members = range(half, vehicles, 2)
    rows = []
    for step in range(per_vehicle):
        for v in members:
            walkers[v][0] += rng.uniform(-0.0005, 0.0005)
            walkers[v][1] += rng.uniform(-0.0005, 0.0005)
            t = start + step * 10
            rows.append({"vehicle_id": f"v{v}", "time": iso(t) if as_text else t, "lon": walkers[v][0], "lat": walkers[v][1], "speed_kmh": 18})
    sent = 0
    for k in range(0, len(rows), batch):
        request(conn, "POST", "/v1/positions", {"positions": rows[k:k + batch]})
        sent += len(rows[k:k + batch])
    conn.close()
    return sent


def timed_ingest(start, as_text):
    began = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        count = sum(pool.map(lambda half: ingest(half, start, as_text), [0, 1]))
    return count, time.perf_counter() - began


sent, ingest_seconds = timed_ingest(t0, False)
# The same drive continued, its times written as ISO 8601 text.
iso_sent, iso_seconds = timed_ingest(t0 + per_vehicle * 10, True)

# Latency: a subscriber waits on the stream; a position of an unknown vehicle is posted; time to its event.
latencies = []
for trial in range(20):
    vehicle = f"X{trial}-{int(time.time() * 1000)}"
    received = threading.Event()
    ready = threading.Event()
    arrival = {}

    def listen():
        c = connection()
        c.request("GET", "/v1/events/stream?" + urllib.parse.urlencode({"vehicle": vehicle, "limit": 1}))
        r = c.getresponse()
        ready.set()
        while True:
            line = r.fp.readline()
            if not line:
                break
            if line.startswith(b"data:"):
                arrival["t"] = time.perf_counter()
                received.set()
                break
        c.close()

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    ready.wait(5)
    time.sleep(0.05)
    c = connection()
    sent_at = time.perf_counter()
    request(c, "POST", "/v1/positions", {"positions": [{"vehicle_id": vehicle, "time": t0 + 2 * per_vehicle * 10 + 10_000 + trial, "lon": walkers[0][0], "lat": walkers[0][1]}], "flush": True})
    c.close()
    if received.wait(5):
        latencies.append((arrival["t"] - sent_at) * 1000)
print(json.dumps({
    "engine": "citygeo-http-fences", "fences": len(features), "fence_load_s": round(fence_seconds, 1),
    "positions": sent, "batch": batch, "positions_per_s": int(sent / ingest_seconds),
    "iso_positions_per_s": int(iso_sent / iso_seconds),
    "event_latency_ms_p50": round(statistics.median(latencies), 2) if latencies else None,
    "event_latency_ms_max": round(max(latencies), 2) if latencies else None, "latency_trials": len(latencies),
}), flush=True)
