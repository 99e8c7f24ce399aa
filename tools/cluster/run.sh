#!/usr/bin/env bash
# The cluster on loopback, one command (issue 18): a throwaway PostgreSQL 15 + PostGIS 3 cluster (Debian's
# packages, tools/postgis/cluster.sh), several `citygeo serve` replicas over it, haproxy (Debian's) in front with
# health checks on /ready, and the failover test (tools/cluster/failover.py): mixed load through haproxy, one
# replica killed with SIGKILL mid-run and started again, then the checks (no acknowledged position lost, every
# expected event exactly once, every replica's stream saw every event, webhooks once per cluster). Everything it
# started is stopped and deleted when it ends, whatever happened.
#
# Usage: tools/cluster/run.sh [--replicas N] [--vehicles N] [--steps N] [--pause S]
# Environment: SKIP_BUILD=1 reuses the release build; CITYGEO_BIN=PATH runs that binary instead (CI runs the debug
# build its tests made); KEEP_LOGS=1 keeps the replicas' and haproxy's logs.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
citygeo=${CITYGEO_BIN:-$root/.build/release/citygeo}
if [ -z "${CITYGEO_BIN:-}" ] && [ "${SKIP_BUILD:-0}" != 1 ]; then
    tools/install-deps.sh >/dev/null
    echo "# swift build -c release --product citygeo" >&2
    swift build -c release --product citygeo >&2
fi
if ! command -v haproxy >/dev/null; then
    sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    echo "cluster: installing haproxy" >&2
    $sudo_cmd apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends haproxy >/dev/null
fi
source tools/postgis/cluster.sh
work=$(mktemp -d /tmp/citygeo-cluster.XXXXXX)
driver=""
cleanup() {
    if [ -n "$driver" ]; then kill "$driver" 2>/dev/null || true; wait "$driver" 2>/dev/null || true; fi
    postgis_stop
    if [ "${KEEP_LOGS:-0}" = 1 ]; then echo "cluster: logs in $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
postgis_start
timeout --signal=TERM "${CLUSTER_TIMEOUT:-1200}" python3 tools/cluster/failover.py --citygeo "$citygeo" \
    --haproxy "$(command -v haproxy)" --database "$CITYGEO_POSTGIS_URL" --root "$root" --work "$work" "$@" &
driver=$!
status=0
wait "$driver" || status=$?
driver=""
exit $status
