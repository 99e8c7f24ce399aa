#!/usr/bin/env python3
"""Headless-Chromium check of the map page (issue 8): tiles load, the search box geocodes, a click reverse-
geocodes. Drives Debian's chromium over the DevTools protocol (websocket-client from PyPI), waits in real time
for the page's #status JSON, and writes a screenshot.

Usage: check_map.py BASE_URL SCREENSHOT.png [OVERVIEW.png]
Exit status 0 when: at least one tile loaded with no tile error, the search for 人民北路14号 answered an exact
plate, and the reverse geocode of a point beside it answered an address ending in a distance (米).
"""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

import websocket  # websocket-client

base, shot = sys.argv[1].rstrip("/"), sys.argv[2]
chromium = shutil.which("chromium") or shutil.which("chromium-browser")
profile = tempfile.mkdtemp()
port = 9333
browser = subprocess.Popen([chromium, "--headless", "--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
                            f"--remote-debugging-port={port}", f"--user-data-dir={profile}", "--window-size=1280,800", "about:blank"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    for _ in range(100):
        try:
            targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json"))
            page = next(t for t in targets if t["type"] == "page")
            break
        except Exception:
            time.sleep(0.2)
    ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60)
    counter = 0

    def call(method, **params):
        global counter
        counter += 1
        ws.send(json.dumps({"id": counter, "method": method, "params": params}))
        while True:
            message = json.loads(ws.recv())
            if message.get("id") == counter:
                return message.get("result", {})

    query = urllib.parse.urlencode({"q": "人民北路14号", "click": "120.4651,33.199"})
    call("Page.enable")
    call("Page.navigate", url=f"{base}/?{query}#15/33.199/120.465")
    status = {}
    deadline = time.time() + 60
    while time.time() < deadline:
        time.sleep(1)
        value = call("Runtime.evaluate", expression="document.getElementById('status').textContent", returnByValue=True)
        status = json.loads(value.get("result", {}).get("value") or "{}")
        if status.get("ready") and status.get("search") and status.get("reverse"):
            break
    def capture(path):
        png = call("Page.captureScreenshot", format="png")
        with open(path, "wb") as f:
            f.write(base64.b64decode(png["data"]))

    capture(shot)
    if len(sys.argv) > 3:
        # The city core at zoom 14: communities, unit grids, roads and points from the tiles.
        call("Runtime.evaluate", expression="map.jumpTo({center:[120.465,33.199],zoom:14})")
        time.sleep(6)
        capture(sys.argv[3])
    print(json.dumps(status, ensure_ascii=False))
    ok = (status.get("tilesLoaded", 0) > 0 and status.get("tileErrors", 1) == 0
          and (status.get("search") or {}).get("match_type") == "exact_plate"
          and str((status.get("reverse") or {}).get("address", "")).endswith("米"))
    print("map check:", "PASS" if ok else "FAIL", "- screenshot", shot)
    sys.exit(0 if ok else 1)
finally:
    browser.terminate()
    shutil.rmtree(profile, ignore_errors=True)
