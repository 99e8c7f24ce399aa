#!/usr/bin/env python3
"""End-to-end throughput of POST /v1/locate/batch (loopback only): sends the benchmark's points in batches of
BATCH over C concurrent connections to a running `citygeo serve` and reports points/s.
Usage: http_batch.py POINTS.bin [URL] [BATCH] [CONNECTIONS] [MAX_POINTS]"""
import concurrent.futures
import http.client
import json
import sys
import time
from urllib.parse import urlparse

import numpy as np

points = np.fromfile(sys.argv[1], dtype="<f8").reshape(-1, 2)
url = urlparse(sys.argv[2] if len(sys.argv) > 2 else "http://127.0.0.1:8080/v1/locate/batch")
assert url.hostname in ("127.0.0.1", "localhost", "::1"), "loopback only"
batch = int(sys.argv[3]) if len(sys.argv) > 3 else 100_000
connections = int(sys.argv[4]) if len(sys.argv) > 4 else 2
limit = int(sys.argv[5]) if len(sys.argv) > 5 else len(points)
bodies = []
for start in range(0, min(limit, len(points)), batch):
    chunk = points[start:start + batch]
    bodies.append(('{"fields":"unit_grid","points":[' + ",".join(f"[{x!r},{y!r}]" for x, y in chunk.tolist()) + "]}").encode())


def send(group):
    conn = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=120)
    located = 0
    for body in group:
        conn.request("POST", url.path, body, {"Content-Type": "application/json"})
        response = conn.getresponse()
        data = json.loads(response.read())
        assert response.status == 200, data
        located += data["located"]
    return located


groups = [bodies[k::connections] for k in range(connections)]
start = time.perf_counter()
with concurrent.futures.ThreadPoolExecutor(connections) as pool:
    located = sum(pool.map(send, groups))
seconds = time.perf_counter() - start
n = sum(len(b) for b in bodies) and min(limit, len(points))
print(json.dumps({"engine": "CityGeo HTTP /v1/locate/batch", "points": n, "batch": batch, "connections": connections,
                  "seconds": seconds, "points_per_s": n / seconds, "located": located}))
