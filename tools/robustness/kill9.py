#!/usr/bin/env python3
"""kill -9 tests of CityGeo (issue 9, item 6); Python 3 standard library only. Run by tools/robustness/kill9.sh.

import     `citygeo import` of a large generated CSV into a database that already holds layers, SIGKILLed at
           several moments (in the reading/validation phase and inside the write transaction), in both a fresh
           import and a replace of an existing version of the layer. After every kill: PRAGMA integrity_check is
           ok, the earlier layers are unchanged, the killed layer is absent or complete (old or new, never
           partial), the catalogue agrees with the tables, geometry_columns and the R*Tree indexes; finally the
           same import run again succeeds.
first      `citygeo serve` SIGKILLed while its first start imports the demo city (one transaction per layer):
start      each layer present is complete, and the next start completes the city.
ingest     `citygeo serve` receives POST /v1/positions and POST /v1/trajectories/points batches from several
           concurrent connections and is SIGKILLed mid-stream, then restarted on the same database, several
           rounds. Every acknowledged (2xx) fix must be in track_points (SQLite and GET /v1/trajectories/{v}); every
           event an acknowledged positions batch returned must be stored (SQLite and GET /v1/events), a closed one
           closed; the persisted evaluator state must count at least every fix acknowledged (its `accepted`
           counter at least the largest one an acknowledged batch reported); integrity_check ok.

Prints a PASS/FAIL line per check with numbers and exits 1 on any failure.
"""

import argparse
import contextlib
import http.client
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse

T0 = 1_795_392_000  # 2026-11-23T08:00:00+08:00
CORE = (120.425, 33.165, 120.505, 33.235)

failures = []
children = []


def log(message):
    print(message, flush=True)


def check(ok, label):
    log(("PASS " if ok else "FAIL ") + label)
    if not ok:
        failures.append(label)
    return ok


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(args, log_path):
    out = open(log_path, "ab")
    process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    out.close()
    children.append(process)
    return process


def kill9(process):
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def stop_all_children():
    for process in children:
        if process.poll() is None:
            try:
                os.kill(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass


@contextlib.contextmanager
def connect(db_path):
    """A connection closed at the end of the block (sqlite3's own context manager only ends a transaction)."""
    db = sqlite3.connect(db_path, timeout=30)
    try:
        yield db
    finally:
        db.close()


def integrity(db_path):
    with connect(db_path) as db:
        rows = db.execute("PRAGMA integrity_check").fetchall()
    return [r[0] for r in rows]


# MARK: import


def layer_snapshot(db_path):
    """The catalogue and what the tables hold: {name: {...}} plus a list of inconsistencies."""
    problems = []
    layers = {}
    with connect(db_path) as db:
        catalogue = db.execute(
            "SELECT name, geometry_type, srid, feature_count, version, min_x, min_y, max_x, max_y, attribute_schema "
            "FROM geo_layers ORDER BY name").fetchall()
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        geometry_columns = {r[0].lower() for r in db.execute("SELECT f_table_name FROM geometry_columns")}
        for name, gtype, srid, count, version, *rest in catalogue:
            table = f"layer_{name}"
            entry = {"geometry_type": gtype, "srid": srid, "feature_count": count, "version": version, "bbox": rest[:4],
                     "schema": rest[4]}
            if table not in tables:
                problems.append(f"{name}: in the catalogue but table {table} is missing")
                layers[name] = entry
                continue
            rows = db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            entry["rows"] = rows
            if rows != count:
                problems.append(f"{name}: catalogue says {count} features, the table holds {rows}")
            if table not in geometry_columns:
                problems.append(f"{name}: no geometry_columns entry for {table}")
            index = f"idx_{table}_geom"
            if index in tables:
                indexed = db.execute(f'SELECT count(*) FROM "{index}"').fetchone()[0]
                entry["indexed"] = indexed
                if indexed != rows:
                    problems.append(f"{name}: R*Tree {index} holds {indexed} entries for {rows} rows")
            else:
                problems.append(f"{name}: no spatial index {index}")
            layers[name] = entry
        names = {r[0] for r in catalogue}
        for table in tables:
            if table.startswith("layer_") and table[len("layer_"):] not in names:
                problems.append(f"table {table} is not in the catalogue")
        for table in geometry_columns:
            if table.startswith("layer_") and table[len("layer_"):] not in names:
                problems.append(f"geometry_columns lists {table}, which is not in the catalogue")
        for table in tables:
            if table.startswith("idx_layer_") and not table.endswith(("_node", "_parent", "_rowid")):
                base = table[len("idx_"):-len("_geom")]
                if base[len("layer_"):] not in names:
                    problems.append(f"spatial index {table} belongs to no catalogued layer")
    return layers, problems


def write_points_csv(path, count, seed, tag):
    rng = random.Random(seed)
    categories = ["垃圾满溢", "占道经营", "井盖缺失", "乱堆物料", "道路破损", "违规广告"]
    with open(path, "w", encoding="utf-8") as f:
        f.write("id,lon,lat,category,status,tag,score\n")
        for k in range(count):
            lon = CORE[0] + rng.random() * (CORE[2] - CORE[0])
            lat = CORE[1] + rng.random() * (CORE[3] - CORE[1])
            f.write(f"{tag}{k:07d},{lon:.6f},{lat:.6f},{categories[k % 6]},open,{tag},{rng.randint(0, 100)}\n")


def run_import(citygeo, db_path, csv_path, layer, mode, log_path, timeout=600):
    started = time.monotonic()
    process = start([citygeo, "import", csv_path, "--layer", layer, "--mode", mode, "--database", db_path], log_path)
    code = process.wait(timeout=timeout)
    return code, time.monotonic() - started


def import_tests(citygeo, root, work, points, kills_per_mode):
    log("\n== kill -9 during `citygeo import` ==")
    db_path = os.path.join(work, "import.sqlite")
    log_path = os.path.join(work, "import.log")
    # Earlier layers: a few of the demo city's, CSV and GeoJSON, points, lines and polygons.
    for source, layer in [("GridData/district.geojson", "district"), ("GridData/communities.geojson", "communities"),
                          ("AddressBooks/roads.geojson", "roads"), ("AddressBooks/pois.csv", "pois")]:
        code, _ = run_import(citygeo, db_path, os.path.join(root, source), layer, "fail", log_path)
        if code != 0:
            check(False, f"setup: import of {source} exited {code} (see {log_path})")
            return
    big_v1 = os.path.join(work, "big_v1.csv")
    big_v2 = os.path.join(work, "big_v2.csv")
    write_points_csv(big_v1, points, 1, "A")
    write_points_csv(big_v2, points + points // 5, 2, "B")
    size_mb = os.path.getsize(big_v1) / 1e6
    baseline, problems = layer_snapshot(db_path)
    check(not problems, f"setup: {len(baseline)} layers imported and consistent {problems or ''}")

    # Calibration: one full import of the big file into a copy of the database, watching its WAL to learn when
    # the write transaction starts (reading and validating the file come first) and when the import ends.
    scratch = os.path.join(work, "scratch.sqlite")
    for suffix in ("", "-wal"):
        if os.path.exists(db_path + suffix):
            shutil.copy(db_path + suffix, scratch + suffix)
    with connect(scratch) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    initial_wal = os.path.getsize(scratch + "-wal") if os.path.exists(scratch + "-wal") else 0
    started = time.monotonic()
    process = start([citygeo, "import", big_v1, "--layer", "big_points", "--database", scratch], log_path)
    write_start = None
    growth = 0
    while process.poll() is None:
        wal = os.path.getsize(scratch + "-wal") if os.path.exists(scratch + "-wal") else 0
        growth = max(growth, wal - initial_wal)
        if write_start is None and growth > (1 << 20):
            write_start = time.monotonic() - started
        time.sleep(0.01)
    seconds = time.monotonic() - started
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(scratch + suffix):
            os.remove(scratch + suffix)
    write_start = write_start or seconds / 2
    if not check(process.returncode == 0,
                 f"calibration: import of {points:,} points ({size_mb:.0f} MB CSV) in {seconds:.1f} s, "
                 f"the write transaction from {write_start:.1f} s, WAL +{growth / 1e6:.0f} MB"):
        return
    # One kill while the file is read and checked (by time), the others at a share of the write transaction
    # (by the WAL's growth, which follows the rows written whatever the machine's speed).
    moments = [("time", 0.5)] + [("wal", f) for f in (0.15, 0.4, 0.7, 0.9, 0.97)]
    moments = moments[:kills_per_mode]

    def kill_round(mode, source, expected_states, label):
        nonlocal baseline
        scale = 1.2 if mode == "replace" else 1.0  # the replacing file is a fifth bigger
        for how, share in moments:
            # An empty WAL, so that its size follows this import (SQLite reuses a WAL file from its start).
            with connect(db_path) as db:
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            before = os.path.getsize(db_path + "-wal") if os.path.exists(db_path + "-wal") else 0
            process = start([citygeo, "import", source, "--layer", "big_points", "--mode", mode, "--database", db_path],
                            log_path)
            begun = time.monotonic()
            if how == "time":
                time.sleep(write_start * share * scale)
            else:
                while process.poll() is None:
                    wal = os.path.getsize(db_path + "-wal") if os.path.exists(db_path + "-wal") else 0
                    if wal - before >= growth * share * scale:
                        break
                    time.sleep(0.005)
            delay = time.monotonic() - begun
            finished = process.poll() is not None
            kill9(process)
            phase = ("after it finished" if finished else
                     "reading" if how == "time" else f"writing, WAL at {share:.0%} of a full import's")
            result = integrity(db_path)
            layers, problems = layer_snapshot(db_path)
            big = layers.get("big_points")
            state = "absent" if big is None else f"complete with {big.get('rows'):,} rows (v{big['version']})"
            complete = big is None and "absent" in expected_states or (
                big is not None and big.get("rows") in expected_states and big["feature_count"] == big.get("rows"))
            earlier = {name: layers.get(name) for name in baseline if name != "big_points"}
            unchanged = all(earlier[name] == baseline[name] for name in earlier)
            ok = result == ["ok"] and not problems and complete and unchanged
            check(ok, f"{label}: SIGKILL at {delay:.1f} s ({phase}): integrity {result[0] if len(result) == 1 else result[:3]}, "
                      f"big_points {state if complete else 'PARTIAL ' + state}, "
                      f"earlier layers {'unchanged' if unchanged else 'CHANGED'}{', ' + '; '.join(problems) if problems else ''}")
            if big is not None and big.get("rows") == points and mode == "fail":
                # A kill that came after the commit: the rest of this round would only hit "layer exists".
                break

    # 1. A fresh layer: absent or complete with all points.
    kill_round("fail", big_v1, {"absent", points}, "new layer")
    layers, _ = layer_snapshot(db_path)
    if "big_points" not in layers:
        code, again = run_import(citygeo, db_path, big_v1, "big_points", "fail", log_path)
        layers, problems = layer_snapshot(db_path)
        big = layers.get("big_points", {})
        check(code == 0 and big.get("rows") == points and not problems,
              f"re-run of the killed import: exit {code} in {again:.1f} s, big_points {big.get('rows')} rows {problems or ''}")
    baseline = {name: v for name, v in layers.items()}
    # 2. Replacing it with a bigger file: the old version or the new one, complete.
    kill_round("replace", big_v2, {points, points + points // 5}, "replace")
    code, again = run_import(citygeo, db_path, big_v2, "big_points", "replace", log_path)
    layers, problems = layer_snapshot(db_path)
    big = layers.get("big_points", {})
    check(code == 0 and big.get("rows") == points + points // 5 and not problems and integrity(db_path) == ["ok"],
          f"re-run of the killed replace: exit {code} in {again:.1f} s, big_points {big.get('rows')} rows, "
          f"{len(layers)} layers consistent {problems or ''}")
    listed = subprocess.run([citygeo, "layers", "--format", "json", "--database", db_path], capture_output=True, timeout=120)
    try:
        cli = {entry["name"]: entry["feature_count"] for entry in json.loads(listed.stdout)}
    except ValueError:
        cli = {}
    check(cli == {name: v["feature_count"] for name, v in layers.items()},
          f"`citygeo layers` after the kills lists {len(cli)} layers with the catalogue's counts")


# MARK: first start


def first_start_tests(citygeo, root, work):
    """SIGKILL `citygeo serve` while its first start imports the demo city, then start it again."""
    log("\n== kill -9 of `citygeo serve` while its first start imports the demo city ==")
    reference = os.path.join(work, "demo-reference.sqlite")
    server = Server(citygeo, root, reference, os.path.join(work, "demo.log"), demo=True)
    started = time.monotonic()
    server.start(timeout=600)
    seconds = time.monotonic() - started
    server.stop()
    expected, problems = layer_snapshot(reference)
    expected_counts = {name: v["feature_count"] for name, v in expected.items()}
    if not check(len(expected) >= 10 and not problems,
                 f"calibration: first start with the demo city ready in {seconds:.1f} s, {len(expected)} layers"):
        return
    for k, fraction in enumerate([0.2, 0.5]):
        db_path = os.path.join(work, f"demo-{k}.sqlite")
        server = Server(citygeo, root, db_path, os.path.join(work, "demo.log"), demo=True)
        server.port = free_port()
        server.process = start(server.args + ["--port", str(server.port)], server.log_path)
        delay = seconds * fraction
        time.sleep(delay)
        server.kill()
        result = integrity(db_path) if os.path.exists(db_path) else ["ok"]
        layers, problems = layer_snapshot(db_path) if os.path.exists(db_path) else ({}, [])
        partial = [name for name, v in layers.items() if v["feature_count"] != expected_counts.get(name)]
        check(result == ["ok"] and not problems and not partial,
              f"SIGKILL {delay:.1f} s into the first start: integrity {result[0]}, {len(layers)} of {len(expected)} "
              f"demo layers, each complete {partial or ''}{problems or ''}")
        server.start(timeout=600)
        server.stop()
        layers, problems = layer_snapshot(db_path)
        counts = {name: v["feature_count"] for name, v in layers.items()}
        check(counts == expected_counts and not problems and integrity(db_path) == ["ok"],
              f"the next start completes the demo city: {len(counts)} layers, "
              f"{sum(counts.values()):,} features (expected {sum(expected_counts.values()):,})")


# MARK: ingest


class Server:
    def __init__(self, citygeo, root, db_path, log_path, demo=False):
        # --open: this test is about durability; access control has its own tests.
        self.args = [citygeo, "serve", "--open", "--host", "127.0.0.1", "--database", db_path, "--data-root", root]
        if not demo:
            self.args.append("--no-demo")
        self.log_path = log_path
        self.process = None
        self.port = None

    def start(self, timeout=120):
        self.port = free_port()
        self.process = start(self.args + ["--port", str(self.port)], self.log_path)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}; see {self.log_path}")
            try:
                status, _ = request(self.port, "GET", "/health", timeout=2)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("no /health from the server")

    def kill(self):
        kill9(self.process)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                kill9(self.process)


def request(port, method, path, body=None, content_type="application/json", timeout=30, connection=None):
    own = connection is None
    connection = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Content-Type": content_type} if body is not None else {}
        key = os.environ.get("CITYGEO_API_KEY")
        if key:
            headers["Authorization"] = f"Bearer {key}"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        return response.status, data
    finally:
        if own:
            connection.close()


class Ledger:
    """What the clients sent and what the server acknowledged."""

    def __init__(self):
        self.lock = threading.Lock()
        self.position_batches_acked = 0
        self.position_batches_failed = 0
        self.position_fixes_acked = 0
        self.max_accepted = 0
        self.events = {}  # id -> closed? (True when any acknowledged snapshot was closed)
        self.track_batches_acked = 0
        self.track_batches_failed = 0
        self.track_fixes = {}  # vehicle -> set of (t, lon, lat) acknowledged
        self.unexpected = []  # 4xx/5xx answers (not caused by the kill)


def position_client(port, ledger, stop, generation, client, vehicles, batch, clock):
    rng = random.Random(generation * 100 + client)
    connection = None
    step = 0
    # Each vehicle drives east-west through the forbidden zone (120.460-120.462 x 33.200-33.202).
    while not stop.is_set():
        step += 1
        t = clock + step * 10
        positions = []
        for v in range(vehicles):
            vehicle = f"G{generation}C{client}V{v:02d}"
            phase = (step + v * 7) % 60
            lon = 120.455 + 0.0004 * (phase if phase < 30 else 60 - phase)
            lat = 33.2005 + 0.00005 * v
            positions.append({"vehicle_id": vehicle, "time": t, "lon": round(lon, 6), "lat": round(lat, 6),
                              "speed_kmh": rng.choice([20, 30, 45, 70])})
        body = json.dumps({"positions": positions[:batch]})
        connection, answer = post_batch(port, "/v1/positions", body, connection, ledger, "position_batches_failed")
        if answer is None:
            if stop.is_set():
                return
            continue
        status, data = answer
        if 200 <= status < 300:
            answer = json.loads(data)
            with ledger.lock:
                ledger.position_batches_acked += 1
                ledger.position_fixes_acked += len(positions[:batch])
                ledger.max_accepted = max(ledger.max_accepted, answer["counters"]["accepted"])
                for event in answer["events"]:
                    ledger.events[event["id"]] = ledger.events.get(event["id"], False) or not event["open"]
        else:
            with ledger.lock:
                ledger.position_batches_failed += 1
                ledger.unexpected.append(f"positions {status} {data[:200]!r}")


def post_batch(port, path, body, connection, ledger, failed_counter):
    """POSTs one batch on `connection` (opened if None). Returns the connection to reuse and (status, body), or
    (None, None) after a connection failure, which is counted in ledger.<failed_counter>: the server is down."""
    try:
        if connection is None:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        return connection, request(port, "POST", path, body, connection=connection)
    except (OSError, http.client.HTTPException):
        with ledger.lock:
            setattr(ledger, failed_counter, getattr(ledger, failed_counter) + 1)
        time.sleep(0.05)
        return None, None


def track_client(port, ledger, stop, generation, client, batch, clock):
    rng = random.Random(generation * 1000 + client)
    connection = None
    step = 0
    vehicle = f"TR{generation}-{client}"
    while not stop.is_set():
        points = []
        for _ in range(batch):
            step += 1
            points.append({"vehicle": vehicle, "time": clock + step, "lon": round(120.44 + rng.random() * 0.05, 6),
                           "lat": round(33.18 + rng.random() * 0.04, 6), "speed": 30})
        body = json.dumps(points)  # a JSON array (an object would be read as NDJSON)
        connection, answer = post_batch(port, "/v1/trajectories/points", body, connection, ledger, "track_batches_failed")
        if answer is None:
            if stop.is_set():
                return
            continue
        status, data = answer
        if 200 <= status < 300:
            with ledger.lock:
                ledger.track_batches_acked += 1
                ledger.track_fixes.setdefault(vehicle, set()).update((p["time"], p["lon"], p["lat"]) for p in points)
        else:
            with ledger.lock:
                ledger.track_batches_failed += 1
                ledger.unexpected.append(f"trajectories {status} {data[:200]!r}")


def stored_state(db_path):
    with connect(db_path) as db:
        row = db.execute("SELECT body FROM fence_evaluator_states WHERE name = 'server'").fetchone()
    return json.loads(row[0]) if row else None


def ingest_tests(citygeo, root, work, rounds, position_clients, track_clients, run_seconds):
    log("\n== kill -9 of `citygeo serve` during POST /v1/positions and POST /v1/trajectories/points ==")
    db_path = os.path.join(work, "ingest.sqlite")
    server = Server(citygeo, root, db_path, os.path.join(work, "serve.log"))
    server.start()
    zone = {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [
        [[120.460, 33.200], [120.462, 33.200], [120.462, 33.202], [120.460, 33.202], [120.460, 33.200]]]},
        "properties": {"id": "forbid-1", "name": "禁区", "role": "forbiddenZone"}}
    status, data = request(server.port, "POST", "/v1/fences", json.dumps(zone, ensure_ascii=False).encode())
    check(status == 201, f"setup: a forbidden zone fence (HTTP {status})")
    # A registry: every vehicle of the test is then a 外来车辆 and raises one unknownVehicle event.
    status, _ = request(server.port, "PUT", "/v1/vehicles", json.dumps([{"id": "KNOWN", "class": "muck"}]).encode())
    check(status == 200, f"setup: a vehicle registry (HTTP {status})")
    ledger = Ledger()
    clock = T0
    rng = random.Random(6)
    for generation in range(1, rounds + 1):
        stop = threading.Event()
        workers = [threading.Thread(target=position_client, args=(server.port, ledger, stop, generation, c, 20, 20, clock))
                   for c in range(position_clients)]
        workers += [threading.Thread(target=track_client, args=(server.port, ledger, stop, generation, c, 200, clock))
                    for c in range(track_clients)]
        acked_before = (ledger.position_batches_acked, ledger.track_batches_acked)
        for w in workers:
            w.start()
        delay = run_seconds * rng.uniform(0.7, 1.3)
        time.sleep(delay)
        server.kill()
        stop.set()
        for w in workers:
            w.join(timeout=60)
        log(f"round {generation}: SIGKILL after {delay:.1f} s; acknowledged this round: "
            f"{ledger.position_batches_acked - acked_before[0]} positions batches, "
            f"{ledger.track_batches_acked - acked_before[1]} trajectory batches")
        clock += 10 * 100_000  # the next generation's vehicles start later than anything sent so far

        # On disk, before anything reopens the database.
        result = integrity(db_path)
        state = stored_state(db_path)
        accepted = state["counters"]["accepted"] if state else 0
        # Every fix the state has seen: counted (accepted or dropped with a reason) or still held for reordering.
        seen = (sum(state["counters"].values()) + sum(len(track.get("pending", [])) for track in state["vehicles"].values())
                if state else 0)
        with connect(db_path) as db:
            stored_events = {r[0]: r[1] is not None for r in db.execute("SELECT id, end_time FROM fence_events")}
            stored_fixes = {}
            for vehicle, t, lon, lat in db.execute("SELECT vehicle, t, lon, lat FROM track_points"):
                stored_fixes.setdefault(vehicle, set()).add((t, lon, lat))
        with ledger.lock:
            acked_fixes = sum(len(s) for s in ledger.track_fixes.values())
            missing_fixes = sum(len(s - stored_fixes.get(v, set())) for v, s in ledger.track_fixes.items())
            missing_events = [e for e in ledger.events if e not in stored_events]
            reopened = [e for e, closed in ledger.events.items() if closed and not stored_events.get(e, False)]
            check(result == ["ok"], f"round {generation}: PRAGMA integrity_check {result[:3]}")
            check(missing_fixes == 0,
                  f"round {generation}: trajectory fixes acknowledged {acked_fixes:,} "
                  f"({ledger.track_batches_acked} batches), stored {sum(len(s) for s in stored_fixes.values()):,}, "
                  f"missing {missing_fixes}")
            check(accepted >= ledger.max_accepted and seen >= ledger.position_fixes_acked,
                  f"round {generation}: positions acknowledged {ledger.position_fixes_acked:,} fixes in "
                  f"{ledger.position_batches_acked} batches (largest acknowledged accepted counter {ledger.max_accepted:,}); "
                  f"persisted evaluator state: accepted {accepted:,}, fixes seen {seen:,}")
            check(not missing_events and not reopened,
                  f"round {generation}: events in acknowledged answers {len(ledger.events):,}, stored {len(stored_events):,}, "
                  f"missing {len(missing_events)}, closed-but-stored-open {len(reopened)}")

        # Through the API after a restart on the same database.
        server.start()
        status, data = request(server.port, "GET", "/v1/events?limit=100000")
        api_events = {e["id"] for e in json.loads(data)["events"]} if status == 200 else set()
        short = 0
        with ledger.lock:
            for vehicle, fixes in ledger.track_fixes.items():
                query = urllib.parse.urlencode({"from": str(min(f[0] for f in fixes)), "to": str(max(f[0] for f in fixes))})
                status, body = request(server.port, "GET", f"/v1/trajectories/{vehicle}?{query}")
                raw = json.loads(body)["features"][0]["properties"]["raw_points"] if status == 200 else 0
                short += raw < len(fixes)
            check(status == 200 and short == 0 and ledger.events.keys() <= api_events,
                  f"round {generation}: after restart the API returns every acknowledged fix of "
                  f"{len(ledger.track_fixes)} vehicles ({short} short) and {len(api_events):,} events "
                  f"({len(ledger.events.keys() - api_events)} acknowledged missing)")
            check(not ledger.unexpected, f"round {generation}: no 4xx/5xx answers {ledger.unexpected[:3]}")
        status, data = request(server.port, "POST", "/v1/positions",
                               json.dumps({"positions": [{"vehicle_id": "AFTER", "time": clock, "lon": 120.461, "lat": 33.201}]}))
        counters = json.loads(data).get("counters", {}) if status == 200 else {}
        check(status == 200 and counters.get("accepted", 0) >= accepted + 1,
              f"round {generation}: the restarted evaluator resumes from the persisted state "
              f"(accepted {counters.get('accepted')} after one more fix)")
    server.stop()
    result = integrity(db_path)
    check(result == ["ok"], f"after {rounds} rounds and a clean stop: integrity_check {result[:3]}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--citygeo", required=True, help="the citygeo executable")
    parser.add_argument("--root", default=".", help="the repository (GridData/, AddressBooks/)")
    parser.add_argument("--points", type=int, default=150_000, help="points of the generated import")
    parser.add_argument("--kills", type=int, default=4, help="kills per import mode")
    parser.add_argument("--rounds", type=int, default=3, help="kill/restart rounds of the ingest test")
    parser.add_argument("--seconds", type=float, default=4, help="mean seconds of ingest before each kill")
    parser.add_argument("--only", choices=["import", "first-start", "ingest"], help="run one of the tests")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="citygeo-kill9-")
    started = time.monotonic()
    try:
        if args.only in (None, "import"):
            import_tests(args.citygeo, os.path.abspath(args.root), work, args.points, args.kills)
        if args.only in (None, "first-start"):
            first_start_tests(args.citygeo, os.path.abspath(args.root), work)
        if args.only in (None, "ingest"):
            ingest_tests(args.citygeo, os.path.abspath(args.root), work, args.rounds, 6, 2, args.seconds)
    except Exception as error:  # a crash of the harness is a failure, never a pass
        traceback.print_exc()
        check(False, f"harness error: {type(error).__name__}: {error}")
    finally:
        stop_all_children()
        if args.keep or failures:
            log(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    log(f"\n{'FAIL' if failures else 'PASS'}: {len(failures)} failed checks in {time.monotonic() - started:.0f} s")
    for label in failures:
        log(f"  - {label}")
    return 1 if failures else 0


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.exit(main())
