#!/usr/bin/env bash
# kill -9 tests (issue 9, item 6), one command: SIGKILL `citygeo import` of a large generated CSV at several
# moments and `citygeo serve` during concurrent POST /v1/positions and /v1/trajectories/points, then check that
# nothing acknowledged was lost and that the database is consistent (tools/robustness/kill9.py; README.md here).
# Prints PASS/FAIL per check with numbers and exits non-zero on any failure. A few minutes on 2 cores.
#
# Usage: tools/robustness/kill9.sh [kill9.py options: --points N --kills N --rounds N --seconds S --only import|ingest]
# Environment: SKIP_BUILD=1 uses the existing release build.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    tools/install-deps.sh >/dev/null
    echo "# swift build -c release --product citygeo" >&2
    swift build -c release --product citygeo >&2
fi
citygeo=$(pwd)/.build/release/citygeo
driver=""
trap 'if [ -n "$driver" ]; then kill "$driver" 2>/dev/null || true; wait "$driver" 2>/dev/null || true; fi' EXIT
trap 'exit 130' INT TERM
# The driver kills its own children (the servers and imports it started) on every exit path.
timeout --signal=TERM "${KILL9_TIMEOUT:-900}" python3 tools/robustness/kill9.py --citygeo "$citygeo" --root . "$@" &
driver=$!
status=0
wait "$driver" || status=$?
driver=""
exit $status
