#!/usr/bin/env python3
"""MovingPandas peer of bench-traj: the same cleaned fixes, stop detection (TrajectoryStopDetector, stops of at
least 180 s within a 100 m diameter: CityGeo's 50 m radius) and trajectory length per vehicle, one core.

Usage: peers.py OUT_DIR/cleaned.csv [VEHICLES]            (VEHICLES: first N vehicles, default all)
       peers.py postgis OUT_DIR DSN DAYS                  (who passed here, see postgis())
Prints one JSON line.
"""
import csv
import json
import sys
import time
import warnings
from datetime import timedelta

warnings.filterwarnings("ignore")
import pandas as pd
import geopandas as gpd
import movingpandas as mpd

def movingpandas(path, limit):
    frame = pd.read_csv(path)
    if limit:
        keep = sorted(frame["vehicle"].unique())[:limit]
        frame = frame[frame["vehicle"].isin(keep)]
    frame["t"] = pd.to_datetime(frame["t"], unit="s")
    points = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs="EPSG:4326").set_index("t")
    trajectories = [mpd.Trajectory(group, traj_id=vehicle) for vehicle, group in points.groupby("vehicle")]
    start = time.perf_counter()
    stops = 0
    metres = 0.0
    for traj in trajectories:
        found = mpd.TrajectoryStopDetector(traj).get_stop_points(min_duration=timedelta(seconds=180), max_diameter=100)
        stops += len(found)
        metres += traj.get_length()
    elapsed = time.perf_counter() - start
    return ({"engine": "movingpandas " + mpd.__version__, "task": "stops_mileage", "vehicles": len(trajectories),
                      "points": len(frame), "points_per_s": int(len(frame) / elapsed), "stops": stops, "km": round(metres / 1000, 1)})


def postgis(out, dsn, days):
    """Who passed here in PostGIS: the fleet's day repeated for DAYS days in one table (GK zone EPSG:4549 metres,
    GiST on the points, B-tree on time), each query ST_DWithin 30 m of the section in its window, grouped by
    vehicle. Fixes only: a vehicle that crossed the section between two fixes 10 s apart is found by CityGeo
    (segments) and may be missed here; agreement is reported."""
    import psycopg2
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    cur.execute("DROP TABLE IF EXISTS day_fixes, fixes")
    cur.execute("CREATE TABLE day_fixes (vehicle text, t float8, lon float8, lat float8)")
    with open(f"{out}/fleet_day.csv", encoding="utf-8") as f:
        cur.copy_expert("COPY day_fixes FROM STDIN WITH (FORMAT csv, HEADER true)", f)
    started = time.perf_counter()
    cur.execute("""CREATE TABLE fixes AS SELECT vehicle, t + d * 86400 AS t,
                   ST_Transform(ST_SetSRID(ST_MakePoint(lon, lat), 4490), 4549) AS geom
                   FROM day_fixes, generate_series(0, %s - 1) AS d""", (days,))
    cur.execute("CREATE INDEX ON fixes USING gist (geom)")
    cur.execute("CREATE INDEX ON fixes (t)")
    cur.execute("ANALYZE fixes")
    build = time.perf_counter() - started
    cur.execute("SELECT count(*) FROM fixes")
    rows = cur.fetchone()[0]
    with open(f"{out}/queries.csv", encoding="utf-8") as f:
        queries = list(csv.DictReader(f))
    latencies, same, missed = [], 0, 0
    for q in queries:
        start = time.perf_counter()
        cur.execute("""SELECT vehicle, min(t), max(t) FROM fixes
                       WHERE ST_DWithin(geom, ST_Transform(ST_GeomFromText(%s, 4490), 4549), 30) AND t BETWEEN %s AND %s
                       GROUP BY vehicle""", (q["wkt"], float(q["from"]), float(q["to"])))
        found = {r[0] for r in cur.fetchall()}
        latencies.append((time.perf_counter() - start) * 1000)
        ours = set(filter(None, q["vehicles"].split(";")))
        same += found == ours
        missed += len(ours - found)
    latencies.sort()
    pick = lambda p: round(latencies[min(len(latencies) - 1, int(len(latencies) * p))], 2)
    cur.execute("SELECT postgis_lib_version()")
    return {"engine": "PostGIS " + cur.fetchone()[0], "task": "who_passed", "points": rows, "build_s": round(build, 1),
            "queries": len(queries), "p50_ms": pick(0.5), "p95_ms": pick(0.95), "max_ms": round(latencies[-1], 2),
            "same_vehicles": same, "vehicles_only_citygeo_found": missed}


if __name__ == "__main__":
    if sys.argv[1] == "postgis":
        print(json.dumps(postgis(sys.argv[2], sys.argv[3], int(sys.argv[4]))), flush=True)
    else:
        print(json.dumps(movingpandas(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 0)), flush=True)
