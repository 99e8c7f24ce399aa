#!/usr/bin/env python3
"""Fence-check peers for bench-fences: shapely 2 (STRtree with prepared predicates) and PostGIS 3 (GiST,
ST_DWithin per position batch), on the fences and positions bench-fences wrote (local metric frame).

A position is "inside" a fence when it lies in an area, within half the width of a corridor's line, or within a
collection point's radius; each engine counts (position, fence) inside pairs, which must equal CityGeo's
inside_hits, and reports positions/s on one core.
Usage: peers.py shapely OUT_DIR [POSITIONS]
       peers.py postgis OUT_DIR DSN [POSITIONS]
"""
import csv
import json
import sys
import time

import numpy as np


def load(out):
    with open(f"{out}/fences.csv", encoding="utf-8") as f:
        fences = list(csv.DictReader(f))
    xy = np.fromfile(f"{out}/positions.bin", dtype="<f8").reshape(-1, 2)
    return fences, xy


def run_shapely(out, limit):
    import shapely
    from shapely import STRtree
    fences, xy = load(out)
    xy = xy[:limit]
    groups = {}
    for f in fences:
        groups.setdefault((f["kind"], float(f["inside_distance"])), []).append(shapely.from_wkt(f["wkt"]))
    trees = []
    for (kind, distance), geoms in groups.items():
        shapely.prepare(geoms)
        trees.append((kind, distance, STRtree(geoms)))
    points = shapely.points(xy)
    start = time.perf_counter()
    pairs = 0
    for kind, distance, tree in trees:
        if kind == "area":
            pairs += tree.query(points, predicate="intersects").shape[1]
        else:
            pairs += tree.query(points, predicate="dwithin", distance=distance).shape[1]
    elapsed = time.perf_counter() - start
    return {"engine": "shapely " + shapely.__version__ + " STRtree", "positions": len(xy), "per_s": int(len(xy) / elapsed), "inside_hits": int(pairs)}


def run_postgis(out, dsn, limit):
    import psycopg2
    fences, xy = load(out)
    xy = xy[:limit]
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    cur.execute("DROP TABLE IF EXISTS fences")
    cur.execute("CREATE TABLE fences (id serial PRIMARY KEY, geom geometry, d float8)")
    cur.executemany("INSERT INTO fences (geom, d) VALUES (ST_GeomFromText(%s), %s)",
                    [(f["wkt"], float(f["inside_distance"])) for f in fences])
    cur.execute("CREATE INDEX ON fences USING gist (geom)")
    cur.execute("ANALYZE fences")
    # Largest inside distance widens the index probe; the exact test is ST_DWithin with the fence's own distance.
    reach = max(float(f["inside_distance"]) for f in fences)
    query = """SELECT count(*) FROM unnest(%s::float8[], %s::float8[]) AS p(x, y)
               JOIN fences f ON f.geom && ST_Expand(ST_MakePoint(p.x, p.y), %s)
                            AND ST_DWithin(f.geom, ST_MakePoint(p.x, p.y), f.d)"""
    batch = 10_000
    start = time.perf_counter()
    pairs = 0
    for k in range(0, len(xy), batch):
        chunk = xy[k:k + batch]
        cur.execute(query, (chunk[:, 0].tolist(), chunk[:, 1].tolist(), reach))
        pairs += cur.fetchone()[0]
    elapsed = time.perf_counter() - start
    cur.execute("SELECT postgis_lib_version()")
    version = cur.fetchone()[0]
    return {"engine": f"PostGIS {version} ST_DWithin, batches of {batch}", "positions": len(xy), "per_s": int(len(xy) / elapsed), "inside_hits": int(pairs)}


if __name__ == "__main__":
    engine, out = sys.argv[1], sys.argv[2]
    if engine == "shapely":
        result = run_shapely(out, int(sys.argv[3]) if len(sys.argv) > 3 else 10**9)
    else:
        result = run_postgis(out, sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 10**9)
    print(json.dumps(result), flush=True)
