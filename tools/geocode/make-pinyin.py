#!/usr/bin/env python3
"""Writes AddressBooks/national/pinyin.txt: the toneless Mandarin readings of every GB 2312 hanzi and of every
hanzi the repo's AddressBooks/ files use, for the geocoder's homophone (同音字) matching.

Source: the Unicode Han Database (Unihan) 15.0 as packaged by Debian's unicode-data (Unicode License):
  cd /tmp && apt-get download unicode-data && dpkg -x unicode-data_*.deb /tmp/ud
  tools/geocode/make-pinyin.py /tmp/ud/usr/share/unicode

Readings, most common first: kMandarin (the customary reading), then kHanyuPinlu (readings by frequency in a
corpus), kTGHZ2013 (通用规范汉字字典) and kXHC1983 (现代汉语词典), which list the other modern readings of a
polyphone (行 xing hang, 长 chang zhang). kHanyuPinyin is left out: it lists classical readings nobody types.
Tones and diacritics are dropped, ü is written v (lv, nv). Python 3 standard library only.
"""
import bz2
import os
import re
import sys
import unicodedata

FIELDS = ("kMandarin", "kHanyuPinlu", "kTGHZ2013", "kXHC1983")


def toneless(reading):
    """lǜ -> lv, zhǎng -> zhang; None for anything that is not a plain syllable afterwards."""
    out = []
    for ch in unicodedata.normalize("NFD", reading.lower()):
        if ch == "\u0308":  # the diaeresis of ü: u followed by it becomes v
            if out and out[-1] == "u":
                out[-1] = "v"
            continue
        if unicodedata.combining(ch):
            continue
        out.append(ch)
    text = "".join(out)
    return text if re.fullmatch(r"[a-z]+", text) else None


def readings_of(field, value):
    """The readings of one Unihan field value, in the order given."""
    if field == "kMandarin":
        return value.split()
    if field == "kHanyuPinlu":  # xíng(2943) háng(218)
        return [r.split("(")[0] for r in value.split()]
    # kTGHZ2013, kXHC1983: 0442.080:háng 0443.050:hàng (a location may hold several readings, comma-separated)
    out = []
    for item in value.split():
        out.extend(item.split(":", 1)[1].split(","))
    return out


def is_han(ch):
    c = ord(ch)
    return 0x3400 <= c <= 0x9FFF or 0xF900 <= c <= 0xFAFF or 0x20000 <= c <= 0x323AF


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make-pinyin.py UNIHAN_DIR   (the directory holding Unihan_Readings.txt.bz2)")
    unihan = sys.argv[1]
    root = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    books = os.path.join(root, "AddressBooks")

    fields = {}  # code point -> field -> value
    version = None
    with bz2.open(os.path.join(unihan, "Unihan_Readings.txt.bz2"), "rt", encoding="utf-8") as f:
        for line in f:
            if line.startswith("# Unicode version:"):
                version = line.split(":", 1)[1].strip()
            if line.startswith("#") or not line.strip():
                continue
            cp, field, value = line.rstrip("\n").split("\t", 2)
            if field in FIELDS:
                fields.setdefault(int(cp[2:], 16), {})[field] = value

    wanted = set()
    with bz2.open(os.path.join(unihan, "Unihan_OtherMappings.txt.bz2"), "rt", encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 3 and parts[1] == "kGB0":
                wanted.add(int(parts[0][2:], 16))
    gb2312 = len(wanted)
    for dirpath, _, files in os.walk(books):
        for name in files:
            if name.endswith((".csv", ".geojson")):
                with open(os.path.join(dirpath, name), encoding="utf-8") as f:
                    wanted.update(ord(ch) for ch in f.read() if is_han(ch))

    lines = []
    unread = []
    for cp in sorted(wanted):
        readings = []
        for field in FIELDS:
            for r in readings_of(field, fields.get(cp, {}).get(field, "")):
                t = toneless(r)
                if t and t not in readings:
                    readings.append(t)
        if readings:
            lines.append(f"{chr(cp)}\t{' '.join(readings)}")
        else:
            unread.append(chr(cp))

    out = os.path.join(books, "national", "pinyin.txt")
    with open(out, "w", encoding="utf-8") as f:
        f.write(f"# Toneless Mandarin readings, most common first (Unicode Han Database {version}, Unicode License;\n")
        f.write("# kMandarin, kHanyuPinlu, kTGHZ2013, kXHC1983). Written by tools/geocode/make-pinyin.py: do not edit.\n")
        f.write("# hanzi<TAB>readings separated by spaces; u with diaeresis is v.\n")
        f.write("\n".join(lines) + "\n")
    print(f"{out}: {len(lines)} hanzi ({gb2312} of GB 2312 and the address books' own), "
          f"{len(unread)} without a reading: {''.join(unread)}", file=sys.stderr)


if __name__ == "__main__":
    main()
