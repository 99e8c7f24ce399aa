#!/usr/bin/env python3
"""Decodes CityGeo vector tiles with an independent decoder, PyPI mapbox-vector-tile
(pip install mapbox-vector-tile), so that the hand-written Swift encoder is checked against another
implementation of the specification.

  decode_check.py fixtures DIR          decode every DIR/*.mvt; print {name: {layer: {extent, version,
                                        features: [{id, properties, geometry}]}}} as JSON (y down, tile units)
  decode_check.py compare DIR EXPECTED  decode DIR/*.mvt and compare with EXPECTED (a JSON file as above)
  decode_check.py mbtiles FILE          check every tile of an MBTiles file: gzip, decoding, MVT 2.1 winding
                                        (exterior rings positive area with y down, holes negative), version 2
"""
import gzip
import json
import sqlite3
import sys
from pathlib import Path

import mapbox_vector_tile


def decode(data):
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    tile = mapbox_vector_tile.decode(data, default_options={"y_coord_down": True})
    return {
        name: {
            "extent": layer["extent"],
            "version": layer["version"],
            "features": [
                {"id": f.get("id"), "properties": f["properties"], "geometry": f["geometry"]}
                for f in layer["features"]
            ],
        }
        for name, layer in tile.items()
    }


def decode_dir(directory):
    return {p.stem: decode(p.read_bytes()) for p in sorted(Path(directory).glob("*.mvt"))}


def ring_area(ring):
    return sum(ring[k][0] * ring[k + 1][1] - ring[k + 1][0] * ring[k][1] for k in range(len(ring) - 1))


def winding_problems(geometry):
    """Polygons whose exterior is not positive or whose holes are not negative (surveyor's formula, y down)."""
    polygons = {"Polygon": [geometry["coordinates"]], "MultiPolygon": geometry["coordinates"]}.get(geometry["type"], [])
    problems = 0
    for polygon in polygons:
        if ring_area(polygon[0]) <= 0:
            problems += 1
        problems += sum(1 for hole in polygon[1:] if ring_area(hole) >= 0)
    return problems


def check_mbtiles(path):
    db = sqlite3.connect(path)
    metadata = dict(db.execute("SELECT name, value FROM metadata"))
    for required in ("name", "format", "minzoom", "maxzoom", "json"):
        assert required in metadata, f"metadata lacks {required}"
    layers_declared = {layer["id"] for layer in json.loads(metadata["json"])["vector_layers"]}
    tiles = features = problems = 0
    for z, x, tms_y, data in db.execute("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles"):
        assert data[:2] == b"\x1f\x8b", f"tile {z}/{x}/{tms_y} (TMS) is not gzipped"
        decoded = decode(data)
        assert set(decoded) <= layers_declared, f"undeclared layers {set(decoded) - layers_declared}"
        for layer in decoded.values():
            assert layer["version"] == 2
            for feature in layer["features"]:
                features += 1
                problems += winding_problems(feature["geometry"])
        tiles += 1
    print(json.dumps({"tiles": tiles, "features": features, "winding_problems": problems, "metadata": metadata}, ensure_ascii=False))
    return problems == 0 and tiles > 0


def main(argv):
    if len(argv) == 3 and argv[1] == "fixtures":
        print(json.dumps(decode_dir(argv[2]), ensure_ascii=False, indent=1, sort_keys=True))
        return 0
    if len(argv) == 4 and argv[1] == "compare":
        actual = decode_dir(argv[2])
        expected = json.loads(Path(argv[3]).read_text())
        bad = sorted(k for k in set(actual) | set(expected) if actual.get(k) != expected.get(k))
        print("decode_check: " + ("all %d tiles agree" % len(actual) if not bad else "differ: " + ", ".join(bad)))
        return 1 if bad else 0
    if len(argv) == 3 and argv[1] == "mbtiles":
        return 0 if check_mbtiles(argv[2]) else 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
