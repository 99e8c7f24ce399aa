#!/usr/bin/env bash
# Geocoding accuracy harness (issue 5): builds the release harness and runs it on the committed demo city.
# Usage: tools/geocode/run-accuracy.sh [PER_CATEGORY] [SEED]   (writes the scored queries to .build-bench/geocode-queries.csv)
set -euo pipefail
cd "$(dirname "$0")/../.."
tools/install-deps.sh >/dev/null
swift build -c release --package-path tools --product geocode-accuracy >/dev/null
mkdir -p .build-bench
tools/.build/release/geocode-accuracy . --per-category "${1:-200}" --seed "${2:-320904}" --write .build-bench/geocode-queries.csv
