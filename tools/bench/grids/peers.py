#!/usr/bin/env python3
"""Peers of the point-in-grid benchmark, on the very points CityGeo assigns.

  make-points GRIDS.geojson POINTS.bin N SEED   writes N seeded uniform points over the grids' bounding box
  shapely GRIDS.geojson POINTS.bin              shapely 2 STRtree.query(points, predicate="intersects")
  postgis GRIDS.geojson POINTS.bin DSN          PostGIS: GiST-indexed polygons, one ST_Intersects join

Each prints one JSON line like bench-grids: points/s (the join only, not loading), located, checksum.
Points on a shared edge intersect two grids in shapely and PostGIS; the lowest grid index is kept, which is
not always CityGeo's half-open choice; run-grids.sh counts the points where the peer's grid differs from CityGeo's
(from the .npy files written here and the assignments bench-grids writes).
"""
import json
import sys
import time

import numpy as np


def load_grids(path):
    import shapely
    features = json.load(open(path))["features"]
    return shapely.from_geojson([json.dumps(f["geometry"]) for f in features])


def load_points(path):
    xy = np.fromfile(path, dtype="<f8").reshape(-1, 2)
    return xy


def report(engine, n, seconds, assigned, extra=None):
    located = int((assigned >= 0).sum())
    checksum = int(assigned[assigned >= 0].sum())
    out = {"engine": engine, "points": n, "seconds": seconds, "points_per_s": n / seconds, "located": located, "checksum": checksum}
    out.update(extra or {})
    print(json.dumps(out))


def make_points(grids_path, points_path, n, seed):
    """Uniform over the bounding box of the urban core's grids (streets 320904001 and 320904002), where the
    unit grids are; the town seats' grids are kept in the index but few points fall near them."""
    import shapely
    features = json.load(open(grids_path))["features"]
    core = [f for f in features if f["properties"]["code"][:9] in ("320904001", "320904002")]
    minx, miny, maxx, maxy = shapely.total_bounds(shapely.from_geojson([json.dumps(f["geometry"]) for f in core]))
    rng = np.random.default_rng(seed)
    xy = np.column_stack([rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)])
    xy.astype("<f8").tofile(points_path)


def run_shapely(grids_path, points_path):
    import shapely
    grids = load_grids(grids_path)
    xy = load_points(points_path)
    tree = shapely.STRtree(grids)
    points = shapely.points(xy)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        pairs = tree.query(points, predicate="intersects")
        best = min(best, time.perf_counter() - start)
    assigned = np.full(len(xy), -1, dtype=np.int64)
    # Lowest grid index per point (pairs are sorted by point, then tree index).
    order = np.lexsort((pairs[1], pairs[0]))
    first = np.unique(pairs[0][order], return_index=True)
    assigned[first[0]] = pairs[1][order][first[1]]
    np.save(points_path + ".shapely.npy", assigned)
    report("shapely 2 STRtree", len(xy), best, assigned, {"shapely": shapely.__version__, "geos": shapely.geos_version_string})


def run_postgis(grids_path, points_path, dsn):
    import io
    import psycopg2
    features = json.load(open(grids_path))["features"]
    xy = load_points(points_path)
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    cur.execute("DROP TABLE IF EXISTS bench_grids, bench_points")
    cur.execute("CREATE TABLE bench_grids (idx integer, geom geometry(Polygon, 4490))")
    cur.execute("CREATE TABLE bench_points (id integer, geom geometry(Point, 4490))")
    buf = io.StringIO()
    for k, f in enumerate(features):
        buf.write(f"{k}\t{json.dumps(f['geometry'])}\n")
    buf.seek(0)
    cur.execute("CREATE TEMP TABLE raw_grids (idx integer, gj text)")
    cur.copy_from(buf, "raw_grids", columns=("idx", "gj"))
    cur.execute("INSERT INTO bench_grids SELECT idx, ST_SetSRID(ST_GeomFromGeoJSON(gj), 4490) FROM raw_grids")
    buf = io.StringIO()
    for k, (x, y) in enumerate(xy):
        buf.write(f"{k}\tSRID=4490;POINT({float(x)!r} {float(y)!r})\n")
    buf.seek(0)
    cur.copy_from(buf, "bench_points", columns=("id", "geom"))
    cur.execute("CREATE INDEX ON bench_grids USING gist (geom)")
    cur.execute("ANALYZE bench_grids; ANALYZE bench_points")
    best = float("inf")
    rows = []
    for _ in range(2):
        start = time.perf_counter()
        cur.execute("SELECT p.id, min(g.idx) FROM bench_points p JOIN bench_grids g ON ST_Intersects(g.geom, p.geom) GROUP BY p.id")
        rows = cur.fetchall()
        best = min(best, time.perf_counter() - start)
    assigned = np.full(len(xy), -1, dtype=np.int64)
    for pid, idx in rows:
        assigned[pid] = idx
    cur.execute("SELECT postgis_full_version()")
    version = cur.fetchone()[0].split('"')[1]
    np.save(points_path + ".postgis.npy", assigned)
    report("PostGIS GiST join", len(xy), best, assigned, {"postgis": version})


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "make-points":
        make_points(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    elif command == "shapely":
        run_shapely(sys.argv[2], sys.argv[3])
    elif command == "postgis":
        run_postgis(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(f"unknown command {command}")
