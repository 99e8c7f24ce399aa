#!/usr/bin/env python3
"""The cluster failover test (issue 18): several `citygeo serve` replicas over one PostGIS database behind haproxy,
a mixed load through haproxy (geocode, reverse, locate, tiles, position batches with known fence violations), one
replica killed with SIGKILL mid-run and started again; then the checks:

- no acknowledged position lost: every fix of every acknowledged batch is stored as a track point;
- every expected event present exactly once: each vehicle drives once through a forbidden zone, so it has exactly
  one enteredForbiddenZone event, closed, and no other event;
- every replica that ran throughout saw every event on its /v1/events/stream;
- the webhook receiver got each event snapshot once from the cluster, not once per replica;
- reads: answered through haproxy, errors during the failover counted (a GET is retried once).

Prints PASS/FAIL lines with their numbers and exits non-zero on any failure. Started by tools/cluster/run.sh, which
provides the database and the binaries and stops everything afterwards.

Usage: failover.py --citygeo PATH --haproxy PATH --database URL --root DIR --work DIR [--replicas 3] [--vehicles 200]
"""
import argparse
import http.client
import http.server
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter, defaultdict

failures = []


def log(message):
    print(message, flush=True)


def check(ok, label):
    log(("PASS " if ok else "FAIL ") + label)
    if not ok:
        failures.append(label)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port, method, path, body=None, timeout=60):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        data = json.dumps(body).encode() if body is not None else None
        connection.request(method, path, body=data, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        payload = response.read()
        return response.status, payload
    finally:
        connection.close()


def wait_ready(port, seconds=600):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if request(port, "GET", "/ready", timeout=5)[0] == 200:
                return True
        except OSError:
            pass
        time.sleep(0.5)
    return False


class Replica:
    """One `citygeo serve` over the shared database."""

    def __init__(self, args, number, webhook):
        self.args, self.number, self.webhook = args, number, webhook
        self.port = free_port()
        self.process = None

    def start(self):
        log_path = os.path.join(self.args.work, f"replica-{self.number}.log")
        self.process = subprocess.Popen(
            [self.args.citygeo, "serve", "--database", self.args.database, "--port", str(self.port), "--open",
             "--data-root", self.args.root, "--webhook", self.webhook],
            stdout=open(log_path, "ab"), stderr=subprocess.STDOUT)

    def kill9(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()


def start_haproxy(args, replicas):
    port = free_port()
    servers = "\n".join(f"    server r{r.number} 127.0.0.1:{r.port} check inter 300ms fall 2 rise 2" for r in replicas)
    config = f"""global
    maxconn 4096
defaults
    mode http
    timeout connect 2s
    timeout client 120s
    timeout server 120s
    retries 2
    option redispatch
frontend citygeo
    bind 127.0.0.1:{port}
    default_backend replicas
backend replicas
    balance roundrobin
    option httpchk GET /ready
    http-check expect status 200
{servers}
"""
    path = os.path.join(args.work, "haproxy.cfg")
    with open(path, "w") as f:
        f.write(config)
    process = subprocess.Popen([args.haproxy, "-f", path, "-db"], stdout=open(os.path.join(args.work, "haproxy.log"), "ab"),
                               stderr=subprocess.STDOUT)
    return port, process


class WebhookReceiver(http.server.BaseHTTPRequestHandler):
    """Counts every delivery by (event id, open)."""
    received = Counter()
    lock = threading.Lock()

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        try:
            event = json.loads(body)
            with WebhookReceiver.lock:
                WebhookReceiver.received[(event["id"], event["open"])] += 1
        except (ValueError, KeyError):
            pass
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


class StreamListener(threading.Thread):
    """Reads one replica's /v1/events/stream, reconnecting when it drops, counting snapshots by (id, open)."""

    def __init__(self, replica, stop):
        super().__init__(daemon=True)
        self.replica, self.stop = replica, stop
        self.seen = Counter()
        self.drops = 0

    def run(self):
        while not self.stop.is_set():
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.replica.port, timeout=300)
                connection.request("GET", "/v1/events/stream?kind=enteredForbiddenZone")
                response = connection.getresponse()
                while not self.stop.is_set():
                    line = response.fp.readline()
                    if not line:
                        break
                    if line.startswith(b"data: "):
                        event = json.loads(line[6:])
                        self.seen[(event["id"], event["open"])] += 1
            except OSError:
                pass
            self.drops += 1
            time.sleep(0.5)


# The drive: each vehicle goes east along its own parallel through the zone, 20 m every 10 s.
ZONE = (120.4600, 33.1900, 120.4640, 33.2300)  # about 370 m wide, west to east


def fix(vehicle, step, t0):
    lat = 33.1950 + (vehicle % 150) * 0.0002
    lon = 120.4560 + step * 0.0002
    return {"vehicle_id": f"FV{vehicle:04d}", "time": t0 + step * 10, "lon": lon, "lat": lat, "speed_kmh": 7}


def position_client(lb, vehicles, steps, t0, acknowledged, counters, stop, pause):
    for step in range(steps):
        time.sleep(pause)  # a fleet reports over time: the kill lands in the middle of the drive
        batch = [fix(v, step, t0) for v in vehicles]
        while not stop.is_set():
            try:
                status, _ = request(lb, "POST", "/v1/positions", {"positions": batch})
                if status == 200:
                    acknowledged.extend((f["vehicle_id"], f["time"]) for f in batch)
                    break
                counters["position_errors"] += 1
            except OSError:
                counters["position_errors"] += 1
            time.sleep(0.2)  # the same batch again, to whichever replica haproxy picks


def read_client(lb, counters, stop):
    paths = ["/v1/geocode?q=" + urllib.parse.quote("盐城市大丰区人民路"), "/v1/reverse?lon=120.465&lat=33.199",
             "/v1/locate?lon=120.465&lat=33.199", "/tiles/unit_grids/14/13673/6588.mvt"]
    rng = random.Random(1)
    while not stop.is_set():
        path = rng.choice(paths)
        for attempt in range(2):
            try:
                status, _ = request(lb, "GET", path, timeout=10)
                if status in (200, 204):
                    counters["reads"] += 1
                    if attempt:
                        counters["reads_retried"] += 1
                    break
                counters["read_errors"] += 1
            except OSError:
                counters["read_errors"] += 1
        time.sleep(0.01)


def tile_of(lon, lat, z):
    import math
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def poll(port, path, until, seconds=10):
    """Milliseconds until GET path answers something `until` accepts; None if it never does within `seconds`."""
    start = time.time()
    while time.time() - start < seconds:
        try:
            status, body = request(port, "GET", path, timeout=5)
            if until(status, body):
                return (time.time() - start) * 1000
        except OSError:
            pass
        time.sleep(0.01)
    return None


def propagation(args, source, target):
    """How long a change made through one replica (or by `citygeo import`) takes to show on another: a fence created
    on `source` read from `target`'s in-memory fences; a layer re-imported by the CLI seen in `target`'s tiles."""
    fence_ms = []
    for k in range(5):
        fence = {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[
            [120.40, 33.10 + k * 0.01], [120.41, 33.10 + k * 0.01], [120.41, 33.105 + k * 0.01], [120.40, 33.10 + k * 0.01]]]},
            "properties": {"id": f"probe-{k}", "role": "forbiddenZone"}}
        status, _ = request(source.port, "POST", "/v1/fences", fence)
        seen = poll(target.port, f"/v1/fences/probe-{k}", lambda s, _: s == 200)
        fence_ms.append(None if status != 201 else seen)
    layer_ms = []
    lon, lat = 120.4650, 33.1990
    x, y = tile_of(lon, lat, 14)
    path = f"/tiles/probe/14/{x}/{y}.mvt"
    for k in range(4):
        probe = os.path.join(args.work, "probe.geojson")
        with open(probe, "w") as f:
            json.dump({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"n": k},
                       "geometry": {"type": "Point", "coordinates": [lon + k * 0.0003, lat]}}]}, f)
        _, before = request(target.port, "GET", path) if k else (0, b"")
        subprocess.run([args.citygeo, "import", probe, "--layer", "probe", "--mode", "replace", "--database", args.database],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if k == 0:
            continue  # the first import makes the layer; the timed ones replace it under a cached tile
        seen = poll(target.port, path, lambda s, body: s == 200 and body != before)
        layer_ms.append(seen)
    return fence_ms, layer_ms


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--citygeo", required=True)
    parser.add_argument("--haproxy", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--root", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--vehicles", type=int, default=200)
    parser.add_argument("--steps", type=int, default=120)
    parser.add_argument("--pause", type=float, default=0.1, help="seconds between a client's batches")
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)

    hook_port = free_port()
    hook = http.server.ThreadingHTTPServer(("127.0.0.1", hook_port), WebhookReceiver)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    webhook = f"http://127.0.0.1:{hook_port}/hook"

    replicas = [Replica(args, k + 1, webhook) for k in range(args.replicas)]
    haproxy = None
    try:
        # The first replica imports the demo city into the empty database; the others start over it.
        replicas[0].start()
        check(wait_ready(replicas[0].port), f"replica 1 ready (demo city imported) on port {replicas[0].port}")
        for r in replicas[1:]:
            r.start()
        for r in replicas[1:]:
            check(wait_ready(r.port), f"replica {r.number} ready on port {r.port}")
        lb, haproxy = start_haproxy(args, replicas)
        check(wait_ready(lb, 30), f"haproxy in front on port {lb}")

        zone = {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[
            [ZONE[0], ZONE[1]], [ZONE[2], ZONE[1]], [ZONE[2], ZONE[3]], [ZONE[0], ZONE[3]], [ZONE[0], ZONE[1]]]]},
            "properties": {"id": "failover-zone", "name": "禁区", "role": "forbiddenZone"}}
        status, _ = request(lb, "POST", "/v1/fences", zone)
        check(status in (201, 409), f"forbidden zone created through haproxy (status {status})")
        status, _ = request(lb, "PUT", "/v1/vehicles", [{"id": f"FV{v:04d}", "class": "muck"} for v in range(args.vehicles)])
        check(status == 200, "vehicles registered")
        time.sleep(1.5)  # every replica takes the fence in (change feed)
        fence_ms, layer_ms = propagation(args, replicas[0], replicas[-1])
        shown = lambda ms: ", ".join("never" if m is None else f"{m:.0f}" for m in ms)
        check(all(m is not None and m < 1000 for m in fence_ms),
              f"a fence created on replica 1 is in replica {replicas[-1].number}'s fences within a second: {shown(fence_ms)} ms")
        check(all(m is not None and m < 1000 for m in layer_ms),
              f"a layer re-imported by citygeo import shows in replica {replicas[-1].number}'s tiles within a second "
              f"(after the import returns): {shown(layer_ms)} ms")

        stop = threading.Event()
        listeners = [StreamListener(r, stop) for r in replicas]
        for listener in listeners:
            listener.start()
        time.sleep(1)
        counters = Counter()
        acknowledged = []
        t0 = 1_795_392_000 + int(time.time()) % 1000 * 1000
        clients = 4
        position_threads = [
            threading.Thread(target=position_client, args=(lb, list(range(c, args.vehicles, clients)), args.steps, t0, acknowledged,
                                                            counters, stop, args.pause))
            for c in range(clients)]
        read_stop = threading.Event()
        readers = [threading.Thread(target=read_client, args=(lb, counters, read_stop)) for _ in range(2)]
        for t in position_threads + readers:
            t.start()
        # Mid-run (a third of the fixes acknowledged): SIGKILL one replica, and start it again a few seconds later.
        total = args.vehicles * args.steps
        while len(acknowledged) < total // 3 and any(t.is_alive() for t in position_threads):
            time.sleep(0.05)
        victim = replicas[1]
        log(f"SIGKILL replica {victim.number} (pid {victim.process.pid}) after {len(acknowledged):,} of {total:,} fixes acknowledged")
        killed_at = time.time()
        victim.kill9()
        time.sleep(5)
        victim.start()
        check(wait_ready(victim.port, 120), f"replica {victim.number} ready again after the kill")
        log(f"replica {victim.number} back {time.time() - killed_at:.1f} s after the kill; "
            f"{len(acknowledged):,} of {total:,} fixes acknowledged by then")
        for t in position_threads:
            t.join(600)
        # The end of the drive: release what the evaluator still holds.
        status, _ = request(lb, "POST", "/v1/positions", {"positions": [], "flush": True})
        check(status == 200, "flush of the held fixes")
        # Deliveries the killed replica had leased are taken over when their lease (30 s) ends: wait for them.
        expected_closed = args.vehicles
        deadline = time.time() + 60
        while time.time() < deadline:
            with WebhookReceiver.lock:
                closed_now = sum(1 for (_, is_open) in WebhookReceiver.received if not is_open)
            if closed_now >= expected_closed:
                break
            time.sleep(0.5)
        time.sleep(2)
        read_stop.set()
        for t in readers:
            t.join(30)
        stop.set()

        expected = {(v, t) for v, t in acknowledged}
        check(len(expected) == args.vehicles * args.steps,
              f"every batch acknowledged in the end: {len(expected):,} fixes of {args.vehicles * args.steps:,} "
              f"({counters['position_errors']} failed attempts retried)")
        survivor = replicas[0].port
        lost = 0
        events_per_vehicle = {}
        for v in range(args.vehicles):
            vehicle = f"FV{v:04d}"
            _, body = request(survivor, "GET", f"/v1/trajectories/{vehicle}?from={t0 - 1}&to={t0 + args.steps * 10}")
            stored = json.loads(body)["features"][0]["properties"]["raw_points"] if body else 0
            lost += max(0, sum(1 for (x, _) in expected if x == vehicle) - stored)
            _, body = request(survivor, "GET", f"/v1/events?vehicle={vehicle}&limit=100")
            events_per_vehicle[vehicle] = [(e["kind"], e["fence_id"], e["open"]) for e in json.loads(body)["events"]]
        check(lost == 0, f"no acknowledged position lost ({lost} missing)")
        wrong = {v: e for v, e in events_per_vehicle.items() if e != [("enteredForbiddenZone", "failover-zone", False)]}
        check(not wrong, f"every vehicle has exactly one enteredForbiddenZone event, closed ({len(wrong)} differ"
                         + (f", e.g. {next(iter(wrong.items()))}" if wrong else "") + ")")
        closed = {(f"FV{v:04d}") for v in range(args.vehicles)}
        for listener in listeners:
            closes = {key[0] for key, n in listener.seen.items() if not key[1]}
            duplicates = sum(n - 1 for n in listener.seen.values() if n > 1)
            whole = listener.replica is not victim
            label = (f"replica {listener.replica.number}'s event stream: {len(closes)} closed events of {len(closed)}, "
                     f"{duplicates} duplicated snapshots, {listener.drops} reconnects")
            check(duplicates == 0 and (len(closes) == len(closed) or not whole), label)
        delivered = WebhookReceiver.received
        closed_deliveries = sum(1 for (event, is_open) in delivered if not is_open)
        repeated = sum(n - 1 for n in delivered.values() if n > 1)
        check(closed_deliveries == len(closed),
              f"webhook: {closed_deliveries} closed events delivered of {len(closed)}; {repeated} snapshots delivered more than once "
              "(a delivery in flight when its dispatcher died is sent again after its lease: receivers deduplicate by event id)")
        log(f"reads through haproxy: {counters['reads']:,} answered, {counters['read_errors']} errors during the failover, "
            f"{counters['reads_retried']} answered on retry")
        check(counters["reads"] > 0, "reads answered through haproxy")
    finally:
        if haproxy:
            haproxy.terminate()
        for r in replicas:
            r.stop()
        hook.shutdown()
    log(f"{len(failures)} failed" if failures else "all passed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
