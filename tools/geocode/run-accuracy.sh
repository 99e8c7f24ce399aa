#!/usr/bin/env bash
# Geocoding accuracy harness (issue 5): builds the release harness and runs it on the committed demo city.
# Usage: tools/geocode/run-accuracy.sh [PER_CATEGORY] [SEED]   (writes the scored queries to .build-bench/geocode-queries.csv)
# Runs twice: with the geocoder's defaults, and with GeocoderOptions.bookHasEveryRoad, which is what the generated set
# measures: its book holds every road the queries name (only plates are held out), so a name one character from a
# book road is a typo. The out-of-book corpus (README.md) measures the other side, roads the book lacks.
set -euo pipefail
cd "$(dirname "$0")/../.."
tools/install-deps.sh >/dev/null
swift build -c release --package-path tools --product geocode-accuracy >/dev/null
mkdir -p .build-bench
echo "## defaults (a book that may lack roads)"
tools/.build/release/geocode-accuracy . --per-category "${1:-200}" --seed "${2:-320904}" --write .build-bench/geocode-queries.csv
echo "## --book-has-every-road (the book is the complete road register, as the generated set's is)"
tools/.build/release/geocode-accuracy . --per-category "${1:-200}" --seed "${2:-320904}" --book-has-every-road
