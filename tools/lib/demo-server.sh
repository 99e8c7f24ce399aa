# Sourced by the check scripts (tools/ogc/check.sh, tools/security/check.sh): starts `citygeo serve` of the demo
# city and waits until it is ready.
#
# start_demo_server CITYGEO ROOT DATABASE PORT LOG
#   Runs the server in the background (its pid in $server, for the caller's cleanup trap), importing the demo city
#   from ROOT into DATABASE on first start, and returns once /ready answers; exits the script, with the log's tail,
#   when the server stops or is not ready within 600 s.
start_demo_server() {
    local citygeo=$1 root=$2 db=$3 port=$4 log=$5
    local base=http://127.0.0.1:$port
    CITYGEO_LOG_LEVEL=notice "$citygeo" serve --data-root "$root" --database "$db" --port "$port" >"$log" 2>&1 &
    server=$!
    for _ in $(seq 1 600); do
        if curl -sf "$base/ready" >/dev/null 2>&1; then return 0; fi
        if ! kill -0 "$server" 2>/dev/null; then echo "the server stopped:"; tail -n 20 "$log"; exit 1; fi
        sleep 1
    done
    echo "the server is not ready after 600 s"
    exit 1
}

# new_key CITYGEO DATABASE ARGS…: creates a key with `citygeo keys create` and prints its secret.
new_key() {
    local citygeo=$1 db=$2
    shift 2
    "$citygeo" keys create --database "$db" "$@" | grep -o 'cgk_[A-Za-z0-9_]*' | head -n 1
}
