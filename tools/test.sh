#!/usr/bin/env bash
# The test command of README.md: installs what is missing, then runs every test. Slow full-data tests run only with
# CITYGEO_FULL_TESTS=1.
#
# The store tests run on SpatiaLite always and on PostGIS too: when CITYGEO_TEST_POSTGRES_URL is not set and
# PostgreSQL 15 + PostGIS 3 are installed or installable (root or sudo, Debian's packages), a throwaway cluster is
# started on a free loopback port (tools/postgis/cluster.sh), its URL exported, and the cluster stopped and deleted
# on exit whatever happened. CITYGEO_TEST_POSTGIS=0 skips PostGIS.
#
# Without arguments, the suites that measure the server's own latency (a heavy batch must not delay geocodes on the
# event loops; SIGTERM must end the process within its deadline) run after the rest, alone: beside the other suites
# (PostGIS dumps, server processes, router builds) on 2 cores, their bounds measured the machine, not the server.
# With arguments, `swift test` gets them as they are.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
source tools/postgis/cluster.sh
if [ -z "${CITYGEO_TEST_POSTGRES_URL:-}" ] && [ "${CITYGEO_TEST_POSTGIS:-1}" != 0 ]; then
    if postgis_installable; then
        trap postgis_stop EXIT
        trap 'exit 130' INT TERM
        POSTGIS_FAST=1 postgis_start
        export CITYGEO_TEST_POSTGRES_URL=$CITYGEO_POSTGIS_URL
    else
        echo "test: PostgreSQL 15 + PostGIS 3 cannot be installed here; the store tests run on SpatiaLite only" >&2
    fi
fi
timed="EventLoopIsolationTests|ServiceLifecycleTests"
if [ "$#" -eq 0 ]; then
    swift test --skip "$timed"
    swift test --skip-build --filter "$timed"
else
    swift test "$@"
fi
