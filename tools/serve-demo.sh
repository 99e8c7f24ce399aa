#!/usr/bin/env bash
# Quick start: installs what is missing, builds CityGeo (release) and serves the demo city:
# the map page at http://localhost:8080/ and the API under /v1. The first start imports GridData/ and
# AddressBooks/ into data/citygeo.sqlite; later starts reuse it. Extra arguments go to `citygeo serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
tools/install-web.sh || echo "serve-demo: MapLibre GL JS not installed; the map page falls back to the canvas preview" >&2
swift build -c release --product citygeo
# The demo map page searches and reverse-geocodes without a key; writes need one (citygeo keys create).
export CITYGEO_ACCESS_PUBLIC_SCOPES="${CITYGEO_ACCESS_PUBLIC_SCOPES:-tiles,geocode,joins}"
exec .build/release/citygeo serve --data-root . "$@"
