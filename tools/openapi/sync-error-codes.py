#!/usr/bin/env python3
"""Writes the error-code table of Sources/GeoServer/openapi.json (components.schemas.Error: `code.enum` and
`x-citygeo-status`) from the one enum GeoError.Code (Sources/GeoCore/GeoError.swift) and its one HTTP status per
code (APIError.status(for:) in Sources/GeoServer/Support/APIError.swift). Run it after adding a code; the OpenAPI contract
test fails until the document and the server agree."""
import json
import pathlib
import re

root = pathlib.Path(__file__).resolve().parents[2]
enum_text = (root / "Sources/GeoCore/GeoError.swift").read_text()
raw = {m.group(1): m.group(2) or m.group(1) for m in re.finditer(r"case (\w+)(?: = \"(\w+)\")?\n", enum_text)}
api_text = (root / "Sources/GeoServer/Support/APIError.swift").read_text()
switch = api_text[api_text.index("switch code {"):]
switch = switch[: switch.index("\n        }\n")]
status_of = {"unprocessableContent": 422, "badRequest": 400, "contentTooLarge": 413, "notFound": 404, "conflict": 409,
             "unauthorized": 401, "forbidden": 403, "methodNotAllowed": 405, "tooManyRequests": 429,
             "serviceUnavailable": 503, "internalServerError": 500}
table = {}
for case in re.finditer(r"case ([^:]+?):\s*\n?\s*\.(\w+)", switch):
    for name in re.findall(r"\.(\w+)", case.group(1)):
        table[raw[name]] = status_of[case.group(2)]
missing = sorted(set(raw.values()) - set(table))
if missing:
    raise SystemExit(f"codes without a status in APIError.status(for:): {missing}")
path = root / "Sources/GeoServer/openapi.json"
document = json.loads(path.read_text())
error = document["components"]["schemas"]["Error"]
error["properties"]["code"]["enum"] = sorted(table)
error["x-citygeo-status"] = dict(sorted(table.items()))
path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
print(f"{len(table)} error codes written to {path.relative_to(root)}")
