#!/usr/bin/env bash
# Regenerates Tests/GeoTilesTests/Fixtures/decoded_tiles.json: the test suite writes its fixture tiles, and
# PyPI mapbox-vector-tile (an independent decoder) reads them. Review the diff before committing: the file is
# what the encoder is held to.
set -euo pipefail
cd "$(dirname "$0")/../.."
python3 -c "import mapbox_vector_tile" 2>/dev/null || pip install --quiet mapbox-vector-tile
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
CITYGEO_TILE_FIXTURE_OUT="$out" swift test --filter DecoderFixtureTests >/dev/null
ls "$out"/*.mvt >/dev/null
python3 tools/tiles/decode_check.py fixtures "$out" > Tests/GeoTilesTests/Fixtures/decoded_tiles.json
python3 tools/tiles/decode_check.py compare "$out" Tests/GeoTilesTests/Fixtures/decoded_tiles.json
