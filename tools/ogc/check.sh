#!/usr/bin/env bash
# The OGC interfaces of issue 22 checked with real clients, in one command: a `citygeo serve` of the demo city in a
# temporary folder, then tools/ogc/check.py with OWSLib, Debian's GDAL (ogrinfo, ogr2ogr: the OAPIF driver) and a
# current GDAL from the pyogrio wheel (the OGCAPI driver on the vector tiles). Prints PASS/FAIL per check and exits
# non-zero on any failure. Installs gdal-bin from Debian and a virtualenv (.build/ogc-venv) from PyPI when missing.
#
# `tools/ogc/check.sh --postgis` runs the same clients against the PostGIS backend, in a throwaway cluster
# (tools/postgis/cluster.sh) that it starts and stops.
#
# Environment: SKIP_BUILD=1 uses the existing debug build; CHECK_PORT (default 18650); KEEP_WORK=1 keeps the folder
# (the GeoPackage, the exports and the server log).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
if ! command -v ogr2ogr >/dev/null; then
    echo "ogc-check: installing gdal-bin" >&2
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends gdal-bin >/dev/null
fi
venv=$root/.build/ogc-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import owslib, pyogrio, shapely, openapi_spec_validator' 2>/dev/null; then
    echo "ogc-check: creating $venv (OWSLib, pyogrio, shapely, openapi-spec-validator)" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q 'owslib==0.35.0' 'pyogrio==0.13.0' 'shapely==2.2.0' 'openapi-spec-validator==0.9.0'
fi
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    echo "# swift build --product citygeo" >&2
    swift build --product citygeo >&2
fi
citygeo=$root/.build/debug/citygeo
port=${CHECK_PORT:-18650}
base=http://127.0.0.1:$port
work=$(mktemp -d /tmp/citygeo-ogc.XXXXXX)
server=""
cleanup() {
    if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    if [ "${KEEP_WORK:-0}" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

db=$work/city.sqlite
if [ "${1:-}" = "--postgis" ]; then
    source tools/postgis/cluster.sh
    POSTGIS_FAST=1 postgis_start
    db=$CITYGEO_POSTGIS_URL
    stop_all() { cleanup; postgis_stop; }
    trap stop_all EXIT
fi
. tools/lib/demo-server.sh
echo "## starting citygeo serve on the demo city ($base)"
start_demo_server "$citygeo" "$root" "$db" "$port" "$work/serve.log"
# A GIS desk's key: reads, tiles and layer edits, without a rate limit (a client copying every layer pages fast).
key=$(new_key "$citygeo" "$db" --name gis-desk --scopes joins,tiles,admin --rate 0)
"$venv/bin/python" tools/ogc/check.py "$base" "$key" "$citygeo" "$db" "$work"
