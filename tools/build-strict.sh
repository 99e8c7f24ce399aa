#!/usr/bin/env bash
# Builds every target and test, then the benchmarks and tools package (tools/Package.swift, so that they keep
# compiling though a plain `swift build` skips them), failing on any compiler warning in this repository's own sources
# (dependencies' warnings are theirs). -warnings-as-errors is not used because SwiftPM also passes it to
# dependencies, whose warnings we do not control.
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
swift build --build-tests "$@" >"$log" 2>&1 || status=$?
if [ "$status" -eq 0 ] && [ "${SKIP_TOOLS_PACKAGE:-0}" != 1 ]; then
    swift build --package-path tools "$@" >>"$log" 2>&1 || status=$?
fi
root=$(pwd)
if grep -E "^${root}/(Sources|Tests|tools)/[^:]+:[0-9]+:[0-9]+: warning:" "$log" | sort -u; then
    echo "build-strict: warnings in CityGeo sources (above) fail the build" >&2
    exit 1
fi
if [ "$status" -ne 0 ]; then
    grep -E "error:" "$log" | sort -u | head -n 50 >&2 || tail -n 50 "$log" >&2
    exit "$status"
fi
tail -n 1 "$log"
