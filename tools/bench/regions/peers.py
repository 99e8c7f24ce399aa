#!/usr/bin/env python3
"""Inputs and peers of the regions benchmark (tools/bench/run-regions.sh), on the very data CityGeo answers.

  make-families CITY_DIR OUT_DIR SEED      five polygon families: the unit grids, the communities, the compounds of the
                                           demo city, and seeded synthetic frontage zones (门前三包, overlapping
                                           rectangles along the core) and shared-bike parking areas (octagons)
  families POINTS.bin FAMILY.geojson...    shapely 2 STRtree.query(points, predicate="intersects") per family: every
                                           polygon holding each point, as CityGeo's FamilyIndex answers
  make-cases CITY_DIR CASES.csv N SEED     N seeded cases over the urban core in 2024-2026 (epoch seconds), six
                                           categories in two 大类
  stats-sql CITY_DIR CASES.csv OUT_DIR     SQLite (in memory, index on time): the four questions of bench-regions
                                           stats as GROUP BY queries, each case's region assigned beforehand with
                                           shapely (unit grid, else community, else street: CityGeo's rule), and each
                                           answer compared cell by cell with CityGeo's CSV in OUT_DIR

Each timed command prints one JSON line per figure.
"""
import csv
import json
import math
import os
import sqlite3
import sys
import time

import numpy as np

CATEGORIES = ["市容环境/暴露垃圾/垃圾满溢", "市容环境/暴露垃圾/垃圾堆放", "市容环境/乱堆物料", "街面秩序/占道经营", "街面秩序/店外经营", "街面秩序/乱停放"]
CORE = ("320904001", "320904002")


def load(path):
    return json.load(open(path))["features"]


def write(path, features):
    with open(path, "w") as out:
        json.dump({"type": "FeatureCollection", "features": features}, out, ensure_ascii=False)


def core_box(city):
    import shapely
    grids = [f for f in load(os.path.join(city, "GridData/unit_grids.geojson")) if f["properties"]["code"][:9] in CORE]
    return shapely.total_bounds(shapely.from_geojson([json.dumps(f["geometry"]) for f in grids]))


def make_families(city, out, seed):
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = core_box(city)
    write(os.path.join(out, "unit_grids.geojson"), load(os.path.join(city, "GridData/unit_grids.geojson")))
    write(os.path.join(out, "communities.geojson"), load(os.path.join(city, "GridData/communities.geojson")))
    write(os.path.join(out, "compounds.geojson"), load(os.path.join(city, "AddressBooks/compounds.geojson")))
    metre = 1 / 111_320
    zones = []
    for k in range(50_000):
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        w, h = rng.uniform(15, 60) * metre / math.cos(math.radians(y)), rng.uniform(8, 25) * metre
        ring = [[x, y], [x + w, y], [x + w, y + h], [x, y + h], [x, y]]
        zones.append({"type": "Feature", "properties": {"code": f"MQ{k:06d}", "name": f"门前三包{k}"}, "geometry": {"type": "Polygon", "coordinates": [ring]}})
    write(os.path.join(out, "frontage_zones.geojson"), zones)
    parking = []
    for k in range(20_000):
        x, y, r = rng.uniform(minx, maxx), rng.uniform(miny, maxy), rng.uniform(5, 15) * metre
        ring = [[x + r * math.cos(a) / math.cos(math.radians(y)), y + r * math.sin(a)] for a in np.linspace(0, 2 * math.pi, 9)[:-1]]
        parking.append({"type": "Feature", "properties": {"code": f"DC{k:06d}", "name": f"停放区{k}"}, "geometry": {"type": "Polygon", "coordinates": [ring + [ring[0]]]}})
    write(os.path.join(out, "bike_parking.geojson"), parking)


def families(points_path, paths):
    import shapely
    xy = np.fromfile(points_path, dtype="<f8").reshape(-1, 2)
    points = shapely.points(xy)
    trees = [shapely.STRtree(shapely.from_geojson([json.dumps(f["geometry"]) for f in load(p)])) for p in paths]
    best, hits, checksum = float("inf"), [], 0
    for _ in range(3):
        start = time.perf_counter()
        pairs = [tree.query(points, predicate="intersects") for tree in trees]
        best = min(best, time.perf_counter() - start)
        hits = [int(p.shape[1]) for p in pairs]
        checksum = int(sum(int(p[1].sum()) for p in pairs))
    print(json.dumps({"engine": "shapely 2 STRtree", "shapely": shapely.__version__, "geos": shapely.geos_version_string, "points": len(xy),
                      "seconds": best, "points_per_s": len(xy) / best, "hits": hits, "checksum": checksum}))


def make_cases(city, path, n, seed):
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = core_box(city)
    start = 1704038400  # 2024-01-01T00:00:00+08:00
    end = 1798732800    # 2027-01-01T00:00:00+08:00
    xs, ys = rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)
    ts, cs = rng.integers(start, end, n), rng.integers(0, len(CATEGORIES), n)
    with open(path, "w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["id", "lon", "lat", "category", "time"])
        for k in range(n):
            writer.writerow([f"c{k}", repr(float(xs[k])), repr(float(ys[k])), CATEGORIES[cs[k]], int(ts[k])])


QUESTIONS = {
    "streets_by_month": ("substr(code, 1, 9)", "strftime('%Y-%m', t, 'unixepoch', '+8 hours')", "length(code) >= 9"),
    "communities_of_a_street_by_month": ("substr(code, 1, 12)", "strftime('%Y-%m', t, 'unixepoch', '+8 hours')", "code LIKE '320904001%' AND length(code) >= 12"),
    "communities_by_month_one_category": ("substr(code, 1, 12)", "strftime('%Y-%m', t, 'unixepoch', '+8 hours')", "category LIKE '市容环境/%' AND length(code) >= 12"),
    "unit_grids_by_quarter": ("code", "strftime('%Y', t, 'unixepoch', '+8 hours') || '-Q' || ((CAST(strftime('%m', t, 'unixepoch', '+8 hours') AS INTEGER) + 2) / 3)", "length(code) = 15"),
}


def stats_sql(city, cases_path, out):
    import shapely
    rows = list(csv.DictReader(open(cases_path)))
    points = shapely.points(np.array([[float(r["lon"]), float(r["lat"])] for r in rows]))
    codes = np.full(len(rows), "", dtype=object)
    for layer in ["streets", "communities", "unit_grids"]:  # coarse to fine: the finest region holding the point wins
        features = load(os.path.join(city, f"GridData/{layer}.geojson"))
        tree = shapely.STRtree(shapely.from_geojson([json.dumps(f["geometry"]) for f in features]))
        pairs = tree.query(points, predicate="intersects")
        layer_codes = np.array([f["properties"]["code"] for f in features], dtype=object)
        codes[pairs[0]] = layer_codes[pairs[1]]
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE cases (t INTEGER, code TEXT, category TEXT)")
    db.executemany("INSERT INTO cases VALUES (?, ?, ?)", ((int(r["time"]), codes[k], r["category"]) for k, r in enumerate(rows)))
    db.execute("CREATE INDEX cases_t ON cases (t)")
    for name, (group, period, condition) in QUESTIONS.items():
        sql = f"SELECT {group}, {period}, count(*) FROM cases WHERE t >= 1704038400 AND t < 1798732800 AND {condition} GROUP BY 1, 2"
        best, answer = float("inf"), []
        for _ in range(3):
            start = time.perf_counter()
            answer = db.execute(sql).fetchall()
            best = min(best, time.perf_counter() - start)
        ours = {}
        with open(os.path.join(out, f"{name}.csv")) as table:
            for record in csv.DictReader(table):
                if int(record["count"]) > 0:
                    ours[(record["code"], record["period"])] = int(record["count"])
        theirs = {(code, p): n for code, p, n in answer}
        differ = sum(1 for key in set(ours) | set(theirs) if ours.get(key) != theirs.get(key))
        print(json.dumps({"engine": "SQLite GROUP BY", "sqlite": sqlite3.sqlite_version, "question": name, "seconds": best,
                          "cells": len(theirs), "cells_differing_from_citygeo": differ}))


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "make-families":
        make_families(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif command == "families":
        families(sys.argv[2], sys.argv[3:])
    elif command == "make-cases":
        make_cases(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    elif command == "stats-sql":
        stats_sql(sys.argv[2], sys.argv[3], sys.argv[4])
