#!/usr/bin/env bash
# The geocoding corpus (issue 16) through CityGeo, cpca and JioNLP in one run: county-level district right and
# wrong, the harness's per-category table (CityGeo), and addresses per CPU second on one core for all three.
# Usage: tools/bench/run-geocode-corpus.sh [CORPUS.csv] [JIONLP_ROWS]   (default tools/geocode/corpus/real.csv, all rows)
# The file needs a district_name column for JioNLP, which answers names (real.csv has one).
set -euo pipefail
cd "$(dirname "$0")/../.."
corpus=${1:-tools/geocode/corpus/real.csv}
rows=${2:-100000}
python3 -m pip install -q cpca jionlp 2>/dev/null || true
swift build -c release --package-path tools --product geocode-accuracy >/dev/null
echo "== CityGeo ($corpus)"
tools/.build/release/geocode-accuracy . --corpus "$corpus"
echo "== peers"
python3 tools/bench/geocode/peers.py --corpus "$corpus" "$rows" 2>/dev/null | grep '^{' | python3 -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    engine, right, wrong, count, rate = r["engine"], r["accuracy"], r["wrong"], r["addresses"], r["per_s"]
    # Neither right nor wrong: no county answer (nothing, or only a prefecture or province that contains it).
    print(f"{engine:>7}: district right {right:.1%} ({round(right * count):,}), wrong {wrong:.1%} ({round(wrong * count):,}),"
          f" no county answer {1 - right - wrong:.1%} of {count:,}, {rate:,} addresses/s")
'
