#!/usr/bin/env bash
# A throwaway PostgreSQL 15 + PostGIS 3 cluster on 127.0.0.1, for the tests, the benchmarks and trying the PostGIS
# backend: installs the Debian packages when missing, makes a cluster in a temporary folder (trust authentication,
# loopback only), starts it on the given port or a free one, and stops and deletes it afterwards.
#
# Run it:
#   eval "$(tools/postgis/cluster.sh start [PORT])"   # prints export lines: CITYGEO_POSTGIS_URL, CITYGEO_POSTGIS_DIR, PG_DSN
#   tools/postgis/cluster.sh stop [DIR]               # stops and deletes it (DIR defaults to $CITYGEO_POSTGIS_DIR)
# or source it and call the functions (what tools/test.sh and the bench drivers do):
#   source tools/postgis/cluster.sh
#   postgis_start [PORT]          # sets and exports CITYGEO_POSTGIS_URL (postgres://postgres@127.0.0.1:PORT/postgres),
#                                 # CITYGEO_POSTGIS_DIR, PG_PORT and PG_DSN (a libpq DSN for psql and psycopg2)
#   trap postgis_stop EXIT        # stops the cluster and deletes its folder, whatever happened
#   postgis_installable           # true when the packages are installed or apt-get can install them
#   postgis_python_driver         # psycopg2 for the Python peers of the benchmarks
#
# POSTGIS_FAST=1 turns durability off (fsync, synchronous_commit, full_page_writes): for tests, never benchmarks.
# Queries use one core (no parallel workers), like every engine the benchmarks compare.

postgis_packages=(postgresql-15 postgresql-15-postgis-3)
postgis_bin=/usr/lib/postgresql/15/bin

postgis_sudo() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# Runs a command as the postgres user (initdb and the server refuse to run as root).
postgis_as_owner() {
    if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi
}

postgis_installed() {
    local p
    for p in "${postgis_packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || return 1
    done
    [ -x "$postgis_bin/pg_ctl" ]
}

postgis_install() {
    postgis_installed && return 0
    echo "postgis: installing ${postgis_packages[*]}" >&2
    postgis_sudo apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive postgis_sudo apt-get install -y -qq --no-install-recommends "${postgis_packages[@]}" >/dev/null
}

postgis_installable() {
    postgis_installed && return 0
    command -v apt-get >/dev/null || return 1
    { [ "$(id -u)" -eq 0 ] || sudo -n true 2>/dev/null; } || return 1
    apt-cache policy postgresql-15-postgis-3 2>/dev/null | grep -q "Candidate: [0-9]" && return 0
    postgis_sudo apt-get update -qq >/dev/null 2>&1 || return 1
    apt-cache policy postgresql-15-postgis-3 2>/dev/null | grep -q "Candidate: [0-9]"
}

postgis_python_driver() {
    python3 -c 'import psycopg2' 2>/dev/null || python3 -m pip install -q psycopg2-binary 2>/dev/null || true
}

postgis_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

postgis_start() {
    postgis_install || return 1
    local port=${1:-$(postgis_free_port)}
    local dir
    dir=$(mktemp -d /tmp/citygeo-postgis.XXXXXX) || return 1
    chmod 755 "$dir"
    mkdir "$dir/data" "$dir/socket"
    [ "$(id -u)" -eq 0 ] && chown -R postgres "$dir"
    local settings="-c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir/socket -c max_connections=300"
    settings+=" -c max_parallel_workers_per_gather=0 -c maintenance_work_mem=512MB -c shared_buffers=512MB"
    # The test suites migrate dozens of scratch databases at once, each migration one transaction holding a lock on
    # every object it creates: the default lock table (64 × max_connections) ran out ("53200: out of shared memory")
    # in a CI run. 1024 per connection costs about 80 MB of shared memory.
    settings+=" -c max_locks_per_transaction=1024"
    if [ "${POSTGIS_FAST:-0}" = 1 ]; then settings+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"; fi
    if ! postgis_as_owner "$postgis_bin/initdb -D $dir/data -A trust -U postgres -E UTF8 --locale=C.UTF-8 >$dir/initdb.log 2>&1"; then
        cat "$dir/initdb.log" >&2; rm -rf "$dir"; return 1
    fi
    if ! postgis_as_owner "$postgis_bin/pg_ctl -D $dir/data -o '-p $port $settings' -l $dir/server.log -w start >/dev/null"; then
        cat "$dir/server.log" >&2; rm -rf "$dir"; return 1
    fi
    export CITYGEO_POSTGIS_DIR=$dir
    export PG_PORT=$port
    export CITYGEO_POSTGIS_URL="postgres://postgres@127.0.0.1:$port/postgres"
    export PG_DSN="host=127.0.0.1 port=$port user=postgres dbname=postgres"
    echo "postgis: PostgreSQL 15 + PostGIS 3 at $CITYGEO_POSTGIS_URL (folder $dir)" >&2
}

postgis_stop() {
    local dir=${1:-${CITYGEO_POSTGIS_DIR:-}}
    [ -n "$dir" ] && [ -d "$dir/data" ] || return 0
    postgis_as_owner "$postgis_bin/pg_ctl -D $dir/data -m immediate stop >/dev/null 2>&1" || true
    rm -rf "$dir"
    [ "$dir" = "${CITYGEO_POSTGIS_DIR:-}" ] && unset CITYGEO_POSTGIS_DIR CITYGEO_POSTGIS_URL PG_DSN PG_PORT
    return 0
}

# Executed rather than sourced: a subcommand.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -euo pipefail
    case "${1:-}" in
        start)
            postgis_start "${2:-}"
            printf 'export CITYGEO_POSTGIS_URL=%q CITYGEO_POSTGIS_DIR=%q PG_PORT=%q PG_DSN=%q\n' \
                "$CITYGEO_POSTGIS_URL" "$CITYGEO_POSTGIS_DIR" "$PG_PORT" "$PG_DSN"
            ;;
        stop) postgis_stop "${2:-}" ;;
        *) echo "usage: $0 start [PORT] | stop [DIR]" >&2; exit 2 ;;
    esac
fi
