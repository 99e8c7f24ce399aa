#!/usr/bin/env python3
"""Admin-level parsing peers for the geocoding benchmark: cpca and JioNLP on the same addresses.

Usage: peers.py NATIONAL.csv [JIONLP_ROWS]
Reads the addresses bench-geocode wrote (text, province and district codes and names), parses them with each
peer on one core and prints one JSON line per peer: addresses/s and the share with province and county-level
district both right (cpca by adcode, JioNLP by name, since it returns names only).
"""
import csv
import json
import sys
import time
import warnings

warnings.filterwarnings("ignore")


def load(path):
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def run_cpca(rows):
    import cpca
    texts = [r["text"] for r in rows]
    cpca.transform(texts[:10])  # load its tables outside the timing
    start = time.perf_counter()
    frame = cpca.transform(texts)
    elapsed = time.perf_counter() - start
    correct = 0
    for row, (_, parsed) in zip(rows, frame.iterrows()):
        adcode = str(parsed.get("adcode") or "")
        if adcode[:6] == row["district_code"] and parsed.get("省") == row["province_name"]:
            correct += 1
    return {"engine": "cpca", "task": "admin_levels", "addresses": len(rows), "per_s": int(len(rows) / elapsed),
            "accuracy": correct / len(rows)}


def run_jionlp(rows):
    import jionlp as jio
    jio.parse_location(rows[0]["text"])  # load its dictionaries outside the timing
    start = time.perf_counter()
    parsed = [jio.parse_location(r["text"]) for r in rows]
    elapsed = time.perf_counter() - start
    correct = sum(1 for row, p in zip(rows, parsed)
                  if p.get("province") == row["province_name"] and p.get("county") == row["district_name"])
    return {"engine": "jionlp", "task": "admin_levels", "addresses": len(rows), "per_s": int(len(rows) / elapsed),
            "accuracy": correct / len(rows)}


def run_corpus(path, jionlp_rows):
    """The real-name corpus (tools/geocode/corpus/national.csv): the county-level district of each address by cpca
    (adcode) and JioNLP (names, matched to the list's codes by province + county name), with addresses/s."""
    import cpca
    import jionlp as jio
    rows = load(path)
    texts = [r["text"] for r in rows]
    cpca.transform(texts[:10])
    start = time.perf_counter()
    frame = cpca.transform(texts)
    elapsed = time.perf_counter() - start
    right = sum(1 for row, (_, p) in zip(rows, frame.iterrows()) if str(p.get("adcode") or "")[:6] == row["district"])
    yield {"engine": "cpca", "task": "corpus", "addresses": len(rows), "per_s": int(len(rows) / elapsed), "accuracy": right / len(rows)}
    subset = rows[:jionlp_rows]
    jio.parse_location(subset[0]["text"])
    start = time.perf_counter()
    parsed = [jio.parse_location(r["text"]) for r in subset]
    elapsed = time.perf_counter() - start
    right = sum(1 for row, p in zip(subset, parsed) if p.get("county") and p.get("county") == row.get("district_name"))
    yield {"engine": "jionlp", "task": "corpus", "addresses": len(subset), "per_s": int(len(subset) / elapsed), "accuracy": right / len(subset)}


if __name__ == "__main__":
    if sys.argv[1] == "--corpus":
        # peers.py --corpus CORPUS_WITH_NAMES.csv [JIONLP_ROWS]: rows carry district and district_name.
        for result in run_corpus(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 2000):
            print(json.dumps(result, sort_keys=True, ensure_ascii=False), flush=True)
        sys.exit(0)
    rows = load(sys.argv[1])
    # JioNLP parses a few hundred addresses a second: it gets the first JIONLP_ROWS (default 2,000).
    jionlp_rows = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    for runner, subset in ((run_cpca, rows), (run_jionlp, rows[:jionlp_rows])):
        try:
            print(json.dumps(runner(subset), sort_keys=True), flush=True)
        except Exception as error:  # a peer that fails to install or run is reported, not fatal
            print(json.dumps({"engine": runner.__name__[4:], "error": str(error)}), flush=True)
