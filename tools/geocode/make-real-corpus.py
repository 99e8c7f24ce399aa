#!/usr/bin/env python3
"""Writes the real-address geocoding corpus, tools/geocode/corpus/real.csv, from the transcribed sources beside it.

Usage: make-real-corpus.py DIVISIONS_CSV SOURCES_DIR OUT_CSV
  DIVISIONS_CSV: AddressBooks/national/divisions.csv (the division list: every county's code).
  SOURCES_DIR: tools/geocode/corpus/sources, one `|`-separated line per place (see each file's header):
    universities.txt  Baidu-map POI records of Chinese colleges (province, prefecture, county, name, address) as
                      published in the public repository whr810012/uni-soket-ai (util/universityList.js);
    hospitals.txt     the 2020 fever-clinic hospital list of hhui64/wuhan2020map (src/assets/json/hospital.js),
                      Beijing and Tianjin, the only entries with addresses;
    dealers.txt       department-store addresses of yanchenta/webdemo.github.io (braun/js/delear2.js) that name a
                      county;
    hand.txt          addresses of real places written by hand (landmarks, intersections, villages, road numbers,
                      the prefix written twice, short forms).
The repositories state no licence; what is taken from them is facts (the name, address and county of a public
institution or shop), transcribed with their source.

Each place becomes one row: `category,text,district,town,gold_id,split,source,district_name`.
- `text` is the address as the source writes it (a college or shop address verbatim; a hospital's address followed
  by its name, as a POI feed lists them). A college without an address is written as the Baidu export chains its
  columns, province + prefecture + county + name (北京市北京市海淀区北京大学).
- `district` is the county the text names explicitly, or for a source record whose text names none, the county the
  source gives (the category then ends in `_no_county`: the best a geocoder can do from the text is the
  prefecture). A prefecture without counties (东莞市, 中山市) is its own code.
- `town` is the township or street the text names inside that county, where it names one.
- `split` is `held_out` when the MD5 of the text starts with 0-3 (about a quarter), as in the composed corpus.
No row has a `gold_id`: none of these places is in the demo city's book, so a point-level answer is always false.
"""
import csv
import hashlib
import sys

SOURCES = {
    "universities.txt": "github whr810012/uni-soket-ai util/universityList.js@15d579b0 (no licence stated; facts)",
    "hospitals.txt": "github hhui64/wuhan2020map src/assets/json/hospital.js@55187c55 (no licence stated; facts)",
    "dealers.txt": "github yanchenta/webdemo.github.io braun/js/delear2.js@5b4ca382 (no licence stated; facts)",
    "hand.txt": "hand",
}
# County names the division list no longer has, as the sources write them: merged in the 2000s (the dealer list
# gives the county that replaced them), and Chongqing's 江北区 and 渝北区, which the list of 2025-12-31 files under
# 两江新区.
FORMER_COUNTIES = ("崇文区", "白下区", "塘沽区", "动力区")
RENAMED = {("重庆市", "江北区"): "两江新区", ("重庆市", "渝北区"): "两江新区"}


def split_of(text):
    return "held_out" if hashlib.md5(text.encode("utf-8")).hexdigest()[0] in "0123" else "tuning"


def short(name):
    for suffix in ("自治县", "自治旗", "新区", "区", "县", "市", "旗"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


class Divisions:
    def __init__(self, path):
        rows = list(csv.DictReader(open(path, encoding="utf-8")))
        self.by_code = {r["code"]: r for r in rows}
        self.children = {}
        for r in rows:
            self.children.setdefault(r["parent_code"], []).append(r)

    def child(self, parent, name, level):
        hits = [r for r in self.children.get(parent, []) if r["name"] == name and r["level"] == level]
        return hits[0]["code"] if len(hits) == 1 else None

    def county(self, province, prefecture, county):
        """The code of `county` (or of the prefecture when it has no counties) under the named province."""
        p = next((r["code"] for r in self.children.get("", []) if r["name"] == province), None)
        if p is None:
            raise ValueError(f"no province {province}")
        county = RENAMED.get((province, county), county)
        parent = p if prefecture in ("-", "", province) else self.child(p, prefecture, "2")
        if county in ("-", ""):
            # A prefecture without counties (东莞市) or a county-level city under the province (济源市, 石河子市).
            code = parent if parent and parent != p else self.child(p, prefecture, "3")
        else:
            code = self.child(parent or p, county, "3") if parent else None
            # A county-level place directly under the province, or a prefecture without counties (儋州市).
            code = code or self.child(p, county, "3") or self.child(p, county, "2")
        if code is None:
            raise ValueError(f"no county {province}/{prefecture}/{county}")
        return code

    def named_sibling(self, county_code, text):
        """The one other county of the same prefecture that the text names in full, if any."""
        county = self.by_code[county_code]
        if county["level"] != "3" or county["name"] in text:
            return None
        hits = [r["code"] for r in self.children.get(county["parent_code"], []) if r["level"] == "3" and len(r["name"]) > 2 and r["name"] in text]
        return hits[0] if len(hits) == 1 else None

    def town(self, county_code, text):
        names = [r for r in self.children.get(county_code, []) if r["level"] == "4" and r["name"] in text]
        return max(names, key=lambda r: len(r["name"]))["code"] if names else ""


def records(sources_dir):
    for file, source in SOURCES.items():
        for line in open(f"{sources_dir}/{file}", encoding="utf-8"):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            fields = line.split("|")
            if file == "hand.txt":
                kind, province, prefecture, county, text = fields
                yield kind, province, prefecture, county, text, source
                continue
            province, prefecture, county, name, address = fields
            if file == "universities.txt":
                kind, text = ("college_address", address) if address else ("college_poi_chain", province + prefecture + county + name)
            elif file == "hospitals.txt":
                kind, text = "hospital_address_name", address + name
            else:
                kind, text = "store_address", address
            yield kind, province, prefecture, county, text, source


def main(divisions_path, sources_dir, out_path):
    divisions = Divisions(divisions_path)
    seen = set()
    rows = []
    for kind, province, prefecture, county, text, source in records(sources_dir):
        text = text.strip()
        if any(former in text for former in FORMER_COUNTIES) or (province, county) in RENAMED:
            kind += "_former_county"
        if text in seen:
            continue
        seen.add(text)
        try:
            code = divisions.county(province, prefecture, county)
        except ValueError as e:
            # A county renamed since the source was made (长治市城区 is 潞州区 now): left out.
            print(f"left out: {text} ({e})", file=sys.stderr)
            continue
        # Where the text names another county of the same prefecture than the source gives (南昌市青山湖区… filed
        # under 新建区), the text's explicit prefix decides.
        named = divisions.named_sibling(code, text)
        if named:
            code = named
        name = divisions.by_code[code]["name"]
        names_county = name in text or short(name) in text or prefecture in ("-",) and divisions.by_code[code]["level"] == "2"
        if not names_county and not kind.endswith("_former_county") and not kind.startswith("hand"):
            kind += "_no_county"
        rows.append([kind, text, code, divisions.town(code, text), "", split_of(text), source, name])
    with open(out_path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["category", "text", "district", "town", "gold_id", "split", "source", "district_name"])
        w.writerows(rows)
    provinces = {}
    for r in rows:
        provinces[r[2][:2]] = provinces.get(r[2][:2], 0) + 1
    print(f"{len(rows)} rows, {len(provinces)} provinces, {sum(r[5] == 'held_out' for r in rows)} held out", file=sys.stderr)


if __name__ == "__main__":
    main(*sys.argv[1:4])
