#!/usr/bin/env python3
"""PostGIS peer of bench-tiles: the same tile pyramid with ST_AsMVT / ST_AsMVTGeom (extent 4096, buffer 64,
clipping on), one connection, tiles one after another, best of two runs. Prints one JSON line.

  peers.py postgis LAYER.geojson DSN MINZOOM MAXZOOM
"""
import json
import math
import sys
import time

import psycopg2


def tiles_covering(bounds, zoom):
    """Every XYZ tile at `zoom` that the lon/lat box touches (the same rule as CityGeo's WebMercator.tiles)."""
    min_x, min_y, max_x, max_y = bounds
    n = 1 << zoom

    def tile(lon, lat):
        lat = max(min(lat, 85.0511287798066), -85.0511287798066)
        fx = (lon + 180) / 360 * n
        r = math.radians(lat)
        fy = (1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * n
        return min(max(int(math.floor(fx)), 0), n - 1), min(max(int(math.floor(fy)), 0), n - 1)

    x0, y0 = tile(min_x, max_y)
    x1, y1 = tile(max_x, min_y)
    return [(zoom, x, y) for y in range(y0, y1 + 1) for x in range(x0, x1 + 1)]


def postgis(path, dsn, minzoom, maxzoom):
    collection = json.load(open(path))
    features = collection["features"]
    fields = sorted({k for f in features for k in f["properties"]})
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    cur.execute("DROP TABLE IF EXISTS bench_tiles")
    columns = ", ".join(f'"{f}" text' for f in fields)
    cur.execute(f"CREATE TABLE bench_tiles (id bigserial PRIMARY KEY, {columns}, geom geometry(Geometry, 3857))")
    rows = [
        [None if f["properties"].get(k) is None else str(f["properties"][k]) for k in fields] + [json.dumps(f["geometry"])]
        for f in features
    ]
    placeholders = ", ".join(["%s"] * len(fields))
    names = ", ".join(f'"{f}"' for f in fields)
    cur.executemany(
        f"INSERT INTO bench_tiles ({names}, geom) VALUES ({placeholders}, ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON(%s), 4326), 3857))",
        rows)
    cur.execute("CREATE INDEX ON bench_tiles USING gist (geom)")
    cur.execute("ANALYZE bench_tiles")
    cur.execute("SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(ST_Transform(geom, 4326)) AS e FROM bench_tiles) s")
    bounds = cur.fetchone()
    tiles = [t for z in range(minzoom, maxzoom + 1) for t in tiles_covering(bounds, z)]
    attributes = ", ".join(f'"{f}"' for f in fields)
    sql = f"""
        SELECT ST_AsMVT(q, 'bench', 4096, 'geom', 'id'), count(*) FROM (
            SELECT id, {attributes}, ST_AsMVTGeom(geom, ST_TileEnvelope(%s, %s, %s), 4096, 64, true) AS geom
            FROM bench_tiles WHERE geom && ST_TileEnvelope(%s, %s, %s, margin => 64.0 / 4096)
        ) q WHERE geom IS NOT NULL"""
    best = None
    for _ in range(2):
        start = time.perf_counter()
        non_empty = total_features = total_bytes = 0
        for z, x, y in tiles:
            cur.execute(sql, (z, x, y, z, x, y))
            data, count = cur.fetchone()
            if data and len(data):
                non_empty += 1
                total_bytes += len(data)
            total_features += count
        seconds = time.perf_counter() - start
        if best is None or seconds < best[0]:
            best = (seconds, non_empty, total_features, total_bytes)
    cur.execute("SELECT postgis_lib_version(), split_part(version(), ' ', 2)")
    postgis_version, pg_version = cur.fetchone()
    seconds, non_empty, total_features, total_bytes = best
    print(json.dumps({
        "engine": f"PostGIS {postgis_version} ST_AsMVT (PostgreSQL {pg_version}, 1 connection)",
        "tiles": len(tiles), "non_empty": non_empty, "features": total_features, "bytes": total_bytes,
        "seconds": seconds, "tiles_per_s": len(tiles) / seconds,
    }))


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "postgis":
        postgis(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
