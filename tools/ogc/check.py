"""Real OGC clients against a running `citygeo serve` (tools/ogc/check.sh starts it).

Checks, each printed PASS or FAIL with the figures it compared:
  1. OWSLib's OGC API - Features client: conformance, collections, items with limit, bbox, crs and a property filter.
  2. GDAL's OAPIF driver (Debian's ogrinfo): every collection listed with the feature count of /v1/layers.
  3. ogr2ogr copying every collection into a GeoPackage: per layer the same count, the same ids and the same
     geometries (shapely, within 1e-9 degrees) as `citygeo export`.
  4. GDAL's OGCAPI driver (a current GDAL, from the pyogrio wheel) reading the vector tiles of two collections at
     one zoom: every feature of the layer is found in the tiles.
  5. The HTML pages a browser gets, and the OpenAPI 3.0 definition (`/ogc/api`) valid for openapi-spec-validator.
  6. OWSLib's Part 4 calls: a sample point created, replaced and deleted, the catalogue, the items and GDAL
     following each write; a layer outside `ogc.editable_layers` refusing writes.
Usage: check.py BASE_URL KEY CITYGEO DATABASE WORK_DIR
"""
import json
import math
import os
import subprocess
import sys
import urllib.error
import urllib.request

import shapely
from owslib.ogcapi.features import Features

base, key, citygeo, database, work = sys.argv[1:6]
headers = {"Authorization": "Bearer " + key}
failures = 0


def report(ok, text):
    global failures
    print(("PASS " if ok else "FAIL ") + text, flush=True)
    if not ok:
        failures += 1


def get_json(path):
    request = urllib.request.Request(base + path, headers=headers)
    with urllib.request.urlopen(request) as answer:
        return json.load(answer)


layers = {entry["name"]: entry for entry in get_json("/v1/layers")["layers"]}
header_file = os.path.join(work, "gdal-headers.txt")
with open(header_file, "w") as f:
    f.write("Authorization: Bearer %s\n" % key)
gdal_env = dict(os.environ, GDAL_HTTP_HEADER_FILE=header_file)

# 1. OWSLib
print("## 1. OWSLib %s" % __import__("owslib").__version__)
api = Features(base + "/ogc", headers=headers)
classes = api.conformance()["conformsTo"]
report("http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in classes
       and "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in classes,
       "conformance: %d classes, Features core and CRS among them" % len(classes))
collections = {c["id"]: c for c in api.collections()["collections"]}
report(set(collections) == set(layers), "collections: %d, the layers of /v1/layers" % len(collections))
page = api.collection_items("sample_points", limit=25)
report(page["numberMatched"] == layers["sample_points"]["feature_count"] and page["numberReturned"] == 25
       and any(link["rel"] == "next" for link in page["links"]),
       "sample_points items limit=25: numberReturned %d, numberMatched %d, a next link"
       % (page["numberReturned"], page["numberMatched"]))
# Every page through the next links: the layer's count, no id twice.
seen, url, pages = [], "/ogc/collections/unit_grids/items?limit=1000", 0
while url:
    doc = get_json(url)
    pages += 1
    seen += [f["id"] for f in doc["features"]]
    nxt = [link["href"] for link in doc["links"] if link["rel"] == "next"]
    url = nxt[0][len(base):] if nxt else None
report(len(seen) == len(set(seen)) == layers["unit_grids"]["feature_count"],
       "unit_grids through next links: %d features in %d pages, %d distinct ids" % (len(seen), pages, len(set(seen))))
first_grid = get_json("/ogc/collections/unit_grids/items?limit=1")["features"][0]["geometry"]["coordinates"][0]
centre = (sum(p[0] for p in first_grid[:-1]) / (len(first_grid) - 1), sum(p[1] for p in first_grid[:-1]) / (len(first_grid) - 1))
small = [centre[0] - 0.01, centre[1] - 0.01, centre[0] + 0.01, centre[1] + 0.01]
in_box = api.collection_items("unit_grids", bbox=small, limit=1000)
lat_first = api.collection_items(
    "unit_grids", limit=1000, crs="http://www.opengis.net/def/crs/EPSG/0/4490",
    bbox=[small[1], small[0], small[3], small[2]], **{"bbox-crs": "http://www.opengis.net/def/crs/EPSG/0/4490"})
ids_a = sorted(f["id"] for f in in_box["features"])
ids_b = sorted(f["id"] for f in lat_first["features"])
first_a = in_box["features"][0]["geometry"]["coordinates"][0][0] if in_box["features"] else None
first_b = lat_first["features"][0]["geometry"]["coordinates"][0][0] if lat_first["features"] else None
report(ids_a == ids_b and len(ids_a) > 0 and first_b == [first_a[1], first_a[0]],
       "unit_grids in a 0.02 degree box: %d features, the same in EPSG:4490 (latitude first: %s vs %s)"
       % (len(ids_a), first_a, first_b))
street = get_json("/ogc/collections/unit_grids/items?limit=1")["features"][0]["properties"]["street_code"]
filtered = api.collection_items("unit_grids", limit=10000, street_code=street)
expected = sum(1 for f in json.load(open(os.path.join(os.path.dirname(__file__), "../../GridData/unit_grids.geojson")))["features"]
               if f["properties"]["street_code"] == street)
report(filtered["numberReturned"] == expected, "unit_grids?street_code=%s: %d features, GridData holds %d"
       % (street, filtered["numberReturned"], expected))

# 2. GDAL OAPIF (Debian)
version = subprocess.run(["ogrinfo", "--version"], capture_output=True, text=True).stdout.strip()
print("## 2. GDAL OAPIF driver: %s" % version)
listing = subprocess.run(["ogrinfo", "-ro", "-so", "-al", "OAPIF:" + base + "/ogc"], capture_output=True, text=True, env=gdal_env)
counts, name = {}, None
for line in listing.stdout.splitlines():
    if line.startswith("Layer name: "):
        name = line.split(": ", 1)[1]
    elif line.startswith("Feature Count: ") and name:
        counts[name] = int(line.split(": ", 1)[1])
wrong = {n: (counts.get(n), layers[n]["feature_count"]) for n in layers if counts.get(n) != layers[n]["feature_count"]}
report(not wrong and len(counts) == len(layers), "ogrinfo OAPIF: %d layers, counts equal to the catalogue%s"
       % (len(counts), "" if not wrong else " except %s" % wrong))

# 3. ogr2ogr into a GeoPackage, compared with citygeo export
print("## 3. ogr2ogr OAPIF -> GeoPackage vs citygeo export")
gpkg = os.path.join(work, "ogc.gpkg")
copy = subprocess.run(["ogr2ogr", "-f", "GPKG", gpkg, "OAPIF:" + base + "/ogc", "-oo", "PAGE_SIZE=1000"],
                      capture_output=True, text=True, env=gdal_env)
report(copy.returncode == 0, "ogr2ogr exit %d" % copy.returncode)
import pyogrio.raw  # noqa: E402  (a current GDAL, for reading the GeoPackage back)
for name in sorted(layers):
    exported = os.path.join(work, name + ".geojson")
    subprocess.run([citygeo, "export", name, "--database", database, "--output", exported], check=True, capture_output=True)
    # The export is in fid order and names a feature by its source id when it has one; the items name it by fid.
    reference = [shapely.geometry.shape(f["geometry"]) for f in json.load(open(exported))["features"]]
    meta, fids, geoms, _ = pyogrio.raw.read(gpkg, layer=name, return_fids=True)
    copied = [g for _, g in sorted(zip((int(i) for i in fids), shapely.from_wkb(geoms)), key=lambda pair: pair[0])]
    same = sum(1 for a, b in zip(copied, reference) if a.normalize().equals_exact(b.normalize(), 1e-9))
    report(len(copied) == len(reference) == same, "%s: %d copied, %d exported, %d with the same geometry in fid order"
           % (name, len(copied), len(reference), same))

# 4. GDAL OGCAPI driver on the vector tiles
import pyogrio  # noqa: E402
print("## 4. GDAL OGCAPI driver (GDAL %s) on the tiles" % pyogrio.__gdal_version_string__)
os.environ["GDAL_HTTP_HEADER_FILE"] = header_file
for name, field, zoom in [("sample_points", "id", 14), ("unit_grids", "code", 14)]:
    tilejson = get_json("/tiles/%s.json" % name)
    west, south, east, north = tilejson["bounds"]
    def mercator(lon, lat):
        return lon * 20037508.342789244 / 180, math.log(math.tan((90 + lat) * math.pi / 360)) * 6378137
    (minx, miny), (maxx, maxy) = mercator(west, south), mercator(east, north)
    # GDAL compares the collection's CRS84 extent with WebMercatorQuad's metres unless the extent is given in metres.
    options = dict(MINX=minx, MINY=miny, MAXX=maxx, MAXY=maxy)
    url = "OGCAPI:%s/ogc/collections/%s" % (base, name)
    meta, _, _, fields = pyogrio.raw.read(url, layer="Zoom level %d" % zoom, columns=[field], **options)
    values = set(fields[0])
    report(len(values) == layers[name]["feature_count"], "%s at zoom %d through OGCAPI tiles: %d distinct %s, %d in the layer"
           % (name, zoom, len(values), field, layers[name]["feature_count"]))

# 5. HTML
print("## 5. HTML")
request = urllib.request.Request(base + "/ogc/collections/sample_points/items?limit=3", headers=dict(headers, Accept="text/html"))
with urllib.request.urlopen(request) as answer:
    html = answer.read().decode()
    kind = answer.headers["Content-Type"]
report(kind.startswith("text/html") and html.count("<tr>") == 4, "items as HTML for a browser: %s, %d table rows" % (kind, html.count("<tr>")))

from openapi_spec_validator import validate  # noqa: E402
definition = get_json("/ogc/api")
try:
    validate(definition)
    report(definition["openapi"] == "3.0.3", "/ogc/api: OpenAPI %s, %d paths, valid" % (definition["openapi"], len(definition["paths"])))
except Exception as error:  # the validator's own exception types vary by version
    report(False, "/ogc/api is not valid OpenAPI 3.0: %s" % str(error)[:300])

# 6. Part 4 through OWSLib
print("## 6. OGC API - Features Part 4 through OWSLib")
before = get_json("/v1/layers/sample_points")
point = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [centre[0], centre[1]]},
         "properties": {"id": "SP-CHECK", "type_code": "01", "type": "check", "name": "ogc check point"}}
api.collection_item_create("sample_points", point)
after_create = get_json("/v1/layers/sample_points")
created = api.collection_items("sample_points", limit=10, id="SP-CHECK")["features"]
report(len(created) == 1 and after_create["feature_count"] == before["feature_count"] + 1 and after_create["version"] == before["version"] + 1,
       "create: %d -> %d features, version %d -> %d, found again by its id property"
       % (before["feature_count"], after_create["feature_count"], before["version"], after_create["version"]))
fid = str(created[0]["id"]) if created else "0"
moved = dict(point, geometry={"type": "Point", "coordinates": [centre[0] + 0.001, centre[1]]}, properties=dict(point["properties"], name="moved"))
api.collection_item_update("sample_points", fid, moved)
item = api.collection_item("sample_points", fid)
report(item["properties"]["name"] == "moved" and abs(item["geometry"]["coordinates"][0] - centre[0] - 0.001) < 1e-9,
       "replace: item %s now %s at %s" % (fid, item["properties"]["name"], item["geometry"]["coordinates"]))
listed = subprocess.run(["ogrinfo", "-ro", "-so", "OAPIF:" + base + "/ogc", "sample_points"], capture_output=True, text=True, env=gdal_env).stdout
report("Feature Count: %d" % after_create["feature_count"] in listed, "GDAL sees the created point (Feature Count: %d)" % after_create["feature_count"])
api.collection_item_delete("sample_points", fid)
after_delete = get_json("/v1/layers/sample_points")
try:
    api.collection_item("sample_points", fid)
    gone = False
except Exception:  # OWSLib raises on the 404
    gone = True
report(gone and after_delete["feature_count"] == before["feature_count"] and after_delete["version"] == before["version"] + 3,
       "delete: item %s gone, %d features, version %d" % (fid, after_delete["feature_count"], after_delete["version"]))
request = urllib.request.Request(base + "/ogc/collections/unit_grids/items", data=json.dumps(point).encode(), method="POST",
                                 headers=dict(headers, **{"Content-Type": "application/geo+json"}))
try:
    urllib.request.urlopen(request)
    refused = None
except urllib.error.HTTPError as error:
    refused = error.code
report(refused == 405, "unit_grids (not editable) refuses a create: %s" % refused)

print("%d failure(s)" % failures)
sys.exit(1 if failures else 0)
