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


def best_rate(run, count, rounds=5, minimum=1.0):
    """Items per second of CPU time of `run` (which handles `count` items), best of `rounds` rounds of at least
    `minimum` CPU seconds each: the rule geocode-accuracy --corpus times CityGeo by, so that a shared machine's load
    (which stretches the wall clock) hurts neither."""
    best = 0.0
    for _ in range(rounds):
        start = time.thread_time()
        done = 0
        while True:
            run()
            done += count
            elapsed = time.thread_time() - start
            if elapsed >= minimum:
                break
        best = max(best, done / elapsed)
    return int(best)


def contradicts(code, district):
    """Whether an adcode contradicts the county-level `district`: another county, or a city or province that does not
    contain it (a coarser code that contains it is not wrong, only less precise; no code is no answer)."""
    if len(code) < 6 or code == "000000":
        return False
    if code[4:] != "00":
        return code != district
    if code[2:4] != "00":
        return code[:4] != district[:4]
    return code[:2] != district[:2]


def run_corpus(path, jionlp_rows):
    """The real-name corpus (tools/geocode/corpus/real.csv): the county-level district of each address by cpca
    (adcode) and JioNLP (names, matched to the list's codes by province + county name), with addresses/s."""
    import cpca
    import jionlp as jio
    rows = load(path)
    texts = [r["text"] for r in rows]
    frame = cpca.transform(texts)
    codes = [str(p.get("adcode") or "")[:6] for _, p in frame.iterrows()]
    right = sum(1 for row, code in zip(rows, codes) if code == row["district"])
    wrong = sum(1 for row, code in zip(rows, codes) if contradicts(code, row["district"]))
    yield {"engine": "cpca", "task": "corpus", "addresses": len(rows), "per_s": best_rate(lambda: cpca.transform(texts), len(rows)),
           "accuracy": right / len(rows), "wrong": wrong / len(rows)}
    subset = rows[:jionlp_rows]
    jio.parse_location(subset[0]["text"])
    start = time.thread_time()
    parsed = [jio.parse_location(r["text"]) for r in subset]
    elapsed = time.thread_time() - start
    right = sum(1 for row, p in zip(subset, parsed) if p.get("county") and p.get("county") == row.get("district_name"))
    # JioNLP answers names only: a county other than the text's is wrong (its province and city are not checked).
    wrong = sum(1 for row, p in zip(subset, parsed) if p.get("county") and p.get("county") != row.get("district_name"))
    yield {"engine": "jionlp", "task": "corpus", "addresses": len(subset), "per_s": int(len(subset) / elapsed), "accuracy": right / len(subset),
           "wrong": wrong / len(subset)}


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
