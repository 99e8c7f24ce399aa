#!/usr/bin/env python3
"""GET /v1/stats over HTTP (loopback only): one request that builds the server's statistics index, then N timed
requests of each question; prints one JSON line per question with p50, p95 and the fastest.
Usage: http_stats.py BASE_URL [N]"""
import json
import sys
import time
import urllib.request
from urllib.parse import urlparse

base = sys.argv[1].rstrip("/")
assert urlparse(base).hostname in ("127.0.0.1", "localhost", "::1"), "loopback only"
n = int(sys.argv[2]) if len(sys.argv) > 2 else 30
questions = {
    "streets_by_month": "/v1/stats?layer=cases&node=320904&period=month&from=2024-01-01&to=2027-01-01",
    "communities_of_a_street_by_month": "/v1/stats?layer=cases&node=320904001&period=month&from=2024-01-01&to=2027-01-01",
    "streets_by_month_csv": "/v1/stats?layer=cases&node=320904&period=month&from=2024-01-01&to=2027-01-01&format=csv",
}


def get(path):
    start = time.perf_counter()
    with urllib.request.urlopen(base + path, timeout=600) as response:
        body = response.read()
    return time.perf_counter() - start, body


first, body = get(questions["streets_by_month"])
total = json.loads(body)["total"]
for name, path in questions.items():
    times = sorted(get(path)[0] for _ in range(n))
    print(json.dumps({"engine": "CityGeo HTTP /v1/stats", "question": name, "first_request_s": first, "total": total,
                      "p50_ms": times[len(times) // 2] * 1000, "p95_ms": times[int(len(times) * 0.95) - 1] * 1000, "min_ms": times[0] * 1000}))
