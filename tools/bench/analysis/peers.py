"""Peers of bench-analysis on the same inputs (issue 20); each prints one JSON line.

    peers.py coverage GRIDS.geojson OUT_DIR RADIUS      shapely 2 + pyproj: geodesic circles (pyproj.Geod on GRS 80,
                                                        equal-area polygons like CityGeo's), covered share of every grid
    peers.py gistar OUT_DIR BAND                        PySAL: libpysal DistanceBand and KNN (k = 8) + esda.G_Local(transform="B", star=True)
    peers.py pgrouting OUT_DIR DSN                      pgRouting pgr_dijkstra on the same edges, costs from PostGIS
                                                        ST_Length(geography) and the same speeds and one-way roads
"""
import csv
import json
import math
import os
import sys
import time

import numpy as np


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def coverage(grids_path, out, radius):
    import shapely
    from pyproj import Geod

    geod = Geod(ellps="GRS80")
    grids = shapely.from_geojson(open(grids_path).read())
    grids = np.array(shapely.get_parts(grids))
    facilities = np.array([[float(r["lon"]), float(r["lat"])] for r in rows(os.path.join(out, "facilities.csv"))])
    ours = np.array([float(r["share"]) for r in rows(os.path.join(out, "coverage_shares.csv"))])
    start = time.perf_counter()
    # The same equal-area vertex radius and vertex count as CityGeo's disks (tolerance 5 cm).
    n = min(1024, max(32, math.ceil(math.pi / math.acos(1 - 0.05 / radius))))
    vertex_radius = radius * math.sqrt(2 * math.pi / (n * math.sin(2 * math.pi / n)))
    azimuths = 90 - 360 * np.arange(n) / n
    disks = []
    for lon, lat in facilities:
        lons, lats, _ = geod.fwd(np.full(n, lon), np.full(n, lat), azimuths, np.full(n, vertex_radius))
        disks.append(shapely.Polygon(np.column_stack([lons, lats])))
    disks = np.array(disks)
    tree = shapely.STRtree(disks)
    grid_index, disk_index = tree.query(grids, predicate="intersects")
    shares = np.zeros(len(grids))
    order = np.argsort(grid_index, kind="stable")
    grid_index, disk_index = grid_index[order], disk_index[order]
    bounds = np.flatnonzero(np.diff(grid_index)) + 1
    for g, members in zip(np.split(grid_index, bounds), np.split(disk_index, bounds)):
        if len(g) == 0:
            continue
        grid = grids[g[0]]
        cover = disks[members[0]] if len(members) == 1 else shapely.union_all(disks[members])
        shares[g[0]] = shapely.area(shapely.intersection(grid, cover)) / shapely.area(grid)
    seconds = time.perf_counter() - start
    difference = np.abs(shares - ours)
    print(json.dumps({
        "engine": "shapely 2 + pyproj", "task": "coverage", "grids": len(grids), "facilities": len(facilities),
        "seconds": round(seconds, 3), "max_share_difference": float(difference.max()),
        "mean_share_difference": float(difference.mean()),
    }))


def gistar(out, band):
    import esda
    import libpysal

    table = rows(os.path.join(out, "gistar_units.csv"))
    points = np.array([[float(r["x"]), float(r["y"])] for r in table])
    counts = np.array([float(r["count"]) for r in table])
    weights = {
        "gistar": lambda: libpysal.weights.DistanceBand(points, threshold=band, binary=True, silence_warnings=True),
        "gistar_knn": lambda: libpysal.weights.KNN.from_array(points, k=8, silence_warnings=True),
    }
    for task, suffix in [("gistar", ""), ("gistar_knn", "_knn")]:
        ours_z = np.array([float(r["z" + suffix]) if r["z" + suffix] else np.nan for r in table])
        ours_p = np.array([float(r["p" + suffix]) if r["p" + suffix] else np.nan for r in table])
        start = time.perf_counter()
        g = esda.G_Local(counts, weights[task](), transform="B", star=True, permutations=0)
        seconds = time.perf_counter() - start
        print(json.dumps({
            "engine": f"PySAL esda {esda.__version__}", "task": task, "units": len(points), "seconds": round(seconds, 3),
            "max_z_difference": float(np.nanmax(np.abs(g.Zs - ours_z))), "max_p_difference": float(np.nanmax(np.abs(g.p_norm - ours_p))),
        }))


def pgrouting(out, dsn):
    import psycopg2

    connection = psycopg2.connect(dsn)
    connection.autocommit = True
    cursor = connection.cursor()
    cursor.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    cursor.execute("CREATE EXTENSION IF NOT EXISTS pgrouting")
    cursor.execute("SELECT pgr_version()")
    version = cursor.fetchone()[0]
    cursor.execute("DROP TABLE IF EXISTS edges")
    cursor.execute("CREATE TABLE edges (id bigint PRIMARY KEY, source bigint, target bigint, direction text, speed_kmh float8,"
                   " geom geometry(LineString, 4490), length_m float8, cost float8, reverse_cost float8,"
                   " time_cost float8, time_reverse_cost float8)")
    for r in rows(os.path.join(out, "route_edges.csv")):
        cursor.execute("INSERT INTO edges (id, source, target, direction, speed_kmh, geom) VALUES (%s, %s, %s, %s, %s, ST_GeomFromText(%s, 4490))",
                       (int(r["id"]), int(r["source"]), int(r["target"]), r["direction"], float(r["speed_kmh"]), r["wkt"]))
    # Lengths measured by PostGIS itself on the ellipsoid, not taken from CityGeo.
    cursor.execute("UPDATE edges SET length_m = ST_Length(geom::geography)")
    cursor.execute("UPDATE edges SET cost = CASE WHEN direction = 'backward' THEN -1 ELSE length_m END,"
                   " reverse_cost = CASE WHEN direction = 'forward' THEN -1 ELSE length_m END")
    cursor.execute("UPDATE edges SET time_cost = CASE WHEN cost < 0 THEN -1 ELSE length_m / (speed_kmh / 3.6) END,"
                   " time_reverse_cost = CASE WHEN reverse_cost < 0 THEN -1 ELSE length_m / (speed_kmh / 3.6) END")
    cursor.execute("ANALYZE edges")
    queries = {
        "distance": "SELECT id, source, target, cost, reverse_cost FROM edges",
        "time": "SELECT id, source, target, time_cost AS cost, time_reverse_cost AS reverse_cost FROM edges",
    }
    pairs = rows(os.path.join(out, "route_pairs.csv"))
    for name, column in [("distance", "distance_m"), ("time", "time_s")]:
        timings, worst, mismatched, compared = [], 0.0, 0, 0
        for r in pairs:
            s, t = int(r["source"]), int(r["target"])
            start = time.perf_counter()
            cursor.execute("SELECT agg_cost + cost FROM pgr_dijkstra(%s, %s, %s, directed => true) ORDER BY seq DESC LIMIT 1",
                           (queries[name], s, t))
            found = cursor.fetchone()
            timings.append((time.perf_counter() - start) * 1000)
            theirs = 0.0 if s == t else (found[0] if found else None)
            ours = float(r[column]) if r[column] else None
            if (theirs is None) != (ours is None):
                mismatched += 1
            elif theirs is not None:
                compared += 1
                worst = max(worst, abs(theirs - ours))
        timings.sort()
        print(json.dumps({
            "engine": f"pgRouting {version} pgr_dijkstra", "task": f"route_{name}", "pairs": len(pairs), "compared": compared,
            "reachability_mismatches": mismatched, "max_cost_difference": worst,
            "p50_ms": round(timings[len(timings) // 2], 3), "p95_ms": round(timings[int(len(timings) * 0.95)], 3),
        }))


if __name__ == "__main__":
    task = sys.argv[1]
    if task == "coverage":
        coverage(sys.argv[2], sys.argv[3], float(sys.argv[4]))
    elif task == "gistar":
        gistar(sys.argv[2], float(sys.argv[3]))
    elif task == "pgrouting":
        pgrouting(sys.argv[2], sys.argv[3])
    else:
        sys.exit(f"unknown task {task}")
