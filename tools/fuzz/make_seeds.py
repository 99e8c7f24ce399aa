#!/usr/bin/env python3
"""Writes the working seed corpus of every fuzz target into the folder given as the only argument.

Seeds come from the project's own test data, so they follow it as it changes: the codec fixtures
(Tests/GeoCoreTests/Fixtures/codec_fixtures.json: WKT, WKB in every byte order and flag, GeoJSON), the address
strings the GeoAddress tests use, and the first rows of the address book CSVs. The small handwritten seeds
committed under tools/fuzz/seeds/<target>/ are read by run.sh directly, next to these.
"""
import hashlib
import json
import pathlib
import re
import sys

root = pathlib.Path(__file__).resolve().parents[2]
out = pathlib.Path(sys.argv[1])


def write(target, data):
    if isinstance(data, str):
        data = data.encode()
    folder = out / target
    folder.mkdir(parents=True, exist_ok=True)
    # Named by content, as libFuzzer names corpus files, so the same seed is written once.
    (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)


cases = json.loads((root / "Tests/GeoCoreTests/Fixtures/codec_fixtures.json").read_text())["cases"]
for case in cases:
    for key in ("wkt", "wkt_z"):
        if case.get(key):
            write("wkt", case[key])
            if case.get("srid"):
                write("wkt", f"SRID={case['srid']};{case[key]}")
    for key in ("wkb", "wkb_big_endian", "ewkb_srid", "wkb_z_iso", "wkb_z_ewkb"):
        if case.get(key):
            write("wkb", bytes.fromhex(case[key]))
    if case.get("geojson"):
        write("geojson", case["geojson"])
        geometry = json.loads(case["geojson"])
        write("geojson", json.dumps({"type": "Feature", "id": 7, "geometry": geometry, "properties": {"name": case["name"]}},
                                    ensure_ascii=False))

han = re.compile(r'"([^"\\]*[\u3400-\u9fff][^"\\]*)"')
for test in sorted((root / "Tests/GeoAddressTests").glob("*.swift")):
    for text in han.findall(test.read_text()):
        write("address", text)

for name in ("door_plates.csv", "buildings.csv", "pois.csv", "regions.csv"):
    lines = (root / "AddressBooks" / name).read_text().splitlines(keepends=True)
    write("csv", "".join(lines[:4]))
