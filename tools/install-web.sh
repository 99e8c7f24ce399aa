#!/usr/bin/env bash
# Installs the map page's JavaScript: MapLibre GL JS 5.3.0 (BSD-3-Clause) from the PyPI package maplibre 0.3.6,
# which bundles maplibre-gl.js and maplibre-gl.css, checked against a pinned SHA-256, into web/vendor/ (not in
# git). The server serves them from /vendor at run time; no CDN is involved. Safe to run repeatedly.
set -euo pipefail
cd "$(dirname "$0")/.."
target=web/vendor
wheel_sha=eeafab617d4a1b71c0c174c71405f67c4b4e494fe1b27968d4d2359bc160e277
if [ -f "$target/maplibre-gl.js" ] && [ -f "$target/maplibre-gl.css" ]; then
    echo "install-web: MapLibre GL JS already in $target"
    exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m pip download -q --no-deps --dest "$work" maplibre==0.3.6
wheel=$(ls "$work"/maplibre-0.3.6-*.whl)
echo "$wheel_sha  $wheel" | sha256sum -c --quiet - || { echo "install-web: checksum mismatch for $wheel" >&2; exit 1; }
python3 - "$wheel" "$target" <<'PY'
import sys, zipfile, pathlib
wheel, target = sys.argv[1], pathlib.Path(sys.argv[2])
target.mkdir(parents=True, exist_ok=True)
with zipfile.ZipFile(wheel) as z:
    for name in ("maplibre-gl.js", "maplibre-gl.css"):
        (target / name).write_bytes(z.read("maplibre/srcjs/" + name))
PY
echo "install-web: MapLibre GL JS $(head -c 300 "$target/maplibre-gl.js" | grep -o 'v[0-9.]*' | head -1) installed in $target"
