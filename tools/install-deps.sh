#!/usr/bin/env bash
# Installs the C libraries CityGeo links against (GEOS, PROJ, SQLite with SpatiaLite, OpenSSL 3 for SM3/SM4) from
# Debian's packages; with --postgis also PostgreSQL 15 and PostGIS 3, which the tests (tools/test.sh) and the
# benchmarks run the PostGIS backend on (CI passes it). Safe to run repeatedly: it only calls apt-get when a package
# is missing.
set -euo pipefail

packages=(libgeos-dev libproj-dev proj-data libsqlite3-dev libspatialite-dev libsqlite3-mod-spatialite zlib1g-dev libssl-dev pkg-config)
if [ "${1:-}" = "--postgis" ]; then packages+=(postgresql-15 postgresql-15-postgis-3); fi
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "install-deps: installing ${missing[*]}"
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "install-deps: Swift 6.1 or later must be on PATH (https://swift.org/install)" >&2; exit 1; }
echo "install-deps: GEOS $(pkg-config --modversion geos), PROJ $(pkg-config --modversion proj), SQLite $(pkg-config --modversion sqlite3), OpenSSL $(pkg-config --modversion libcrypto) ready"
