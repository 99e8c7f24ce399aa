#!/usr/bin/env python3
"""MovingPandas peer of bench-traj: the same cleaned fixes, stop detection (TrajectoryStopDetector, stops of at
least 180 s within a 100 m diameter: CityGeo's 50 m radius) and trajectory length per vehicle, one core.

Usage: peers.py OUT_DIR/cleaned.csv [VEHICLES]   (VEHICLES: first N vehicles, default all)
Prints one JSON line: points/s over stop detection plus length, the stop count and km.
"""
import json
import sys
import time
import warnings
from datetime import timedelta

warnings.filterwarnings("ignore")
import pandas as pd
import geopandas as gpd
import movingpandas as mpd

frame = pd.read_csv(sys.argv[1])
if len(sys.argv) > 2:
    keep = sorted(frame["vehicle"].unique())[: int(sys.argv[2])]
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
print(json.dumps({"engine": "movingpandas " + mpd.__version__, "task": "stops_mileage", "vehicles": len(trajectories),
                  "points": len(frame), "points_per_s": int(len(frame) / elapsed), "stops": stops, "km": round(metres / 1000, 1)}))
