# Sourced by the benchmark drivers: installs PostgreSQL 15 with PostGIS 3 and pgRouting from Debian when missing and starts a
# throwaway cluster on 127.0.0.1:55432 (trust auth, no parallel workers, so one query uses one core).
# Sets PG_DSN; stop_postgis (call it from the driver's EXIT trap) stops the cluster and deletes it.
if ! command -v pg_ctlcluster >/dev/null || ! dpkg -s postgresql-15-postgis-3 postgresql-15-pgrouting >/dev/null 2>&1; then
    sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq postgresql-15 postgresql-15-postgis-3 postgresql-15-pgrouting >/dev/null
fi
python3 -m pip install -q psycopg2-binary 2>/dev/null || true
pg_bin=/usr/lib/postgresql/15/bin
pg_data=$(mktemp -d /tmp/citygeo-bench-pg.XXXXXX)
chown postgres "$pg_data"
run_pg() { if [ "$(id -u)" -eq 0 ]; then su postgres -c "$*"; else eval "$*"; fi; }
run_pg "$pg_bin/initdb -D $pg_data -A trust -U postgres >/dev/null"
run_pg "$pg_bin/pg_ctl -D $pg_data -o '-p 55432 -k /tmp -c listen_addresses=127.0.0.1 -c max_parallel_workers_per_gather=0 -c maintenance_work_mem=1GB' -l $pg_data/log -w start >/dev/null"
PG_DSN="host=127.0.0.1 port=55432 user=postgres dbname=postgres"
stop_postgis() { run_pg "$pg_bin/pg_ctl -D $pg_data -m fast stop >/dev/null" || true; rm -rf "$pg_data"; }
