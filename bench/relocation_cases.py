#!/usr/bin/env python3
"""A small dataset of the spec's relocation and same-day edge cases, with the
counts the spec gives for it, written by hand.

    relocation_cases.py OUT_DIR

Writes OUT_DIR/enterprises.csv, OUT_DIR/events.csv and OUT_DIR/expected.csv
(`date,tier,province,city,count` for the 8 year-ends 2016–2023 under `gei`,
the format of duckdb_gei.py and report_counts.py). Every enterprise is a
Chinese unicorn from 2015 on (funded and valued at US$2bn on 2015-06-01,
founded 2015-01-01) unless its case says otherwise; what each case tests is
where it is counted (interchange spec, "Classification semantics": region is
that of the latest `relocated` event dated <= D, several on one day: the one
imported last; two rows equal in every column are one event, the second is
dropped). `bench/smoke.sh` checks both Hatchery and DuckDB against
expected.csv. Standard library only.
"""

from __future__ import annotations

import csv
import os
import sys
from collections import Counter

DATES = [f"{year}-12-31" for year in range(2016, 2024)]
COLUMNS = [
    "enterprise", "date", "kind", "round", "amount", "valuation", "currency",
    "investors", "exchange", "region", "source",
]

# Division codes (GB/T 2260) used below.
HAIDIAN = "110108"      # Beijing (a municipality: province = city = 110000)
CHAOYANG = "110105"     # Beijing
PUDONG = "310115"       # Shanghai
HUANGPU = "310101"      # Shanghai
NANSHAN = "440305"      # Shenzhen 440300
TIANHE = "440106"       # Guangzhou 440100
XIHU = "330106"         # Hangzhou 330100
WUHOU = "510107"        # Chengdu 510100
HONGSHAN = "420111"     # Wuhan 420100
GUSU = "320508"         # Suzhou 320500

enterprises: list[dict[str, str]] = []
events: list[dict[str, str]] = []
# (id) -> list of (from date, tier or None, region or None), in date order.
expected: dict[str, list[tuple[str, str | None, str | None]]] = {}


def enterprise(eid: str, region: str | None, *, founded: str = "2015-01-01",
               country: str = "CN", standard: bool = True) -> None:
    enterprises.append({
        "id": eid, "name": f"案例 {eid}", "founded": founded, "country": country,
        "region": region or "",
    })
    if standard:
        event(eid, "2015-06-01", "funding", round="A", amount="100000000", currency="USD")
        event(eid, "2015-06-01", "valuation", valuation="2000000000", currency="USD")


def event(eid: str, date: str, kind: str, **cells: str) -> None:
    row = {c: "" for c in COLUMNS}
    row.update(enterprise=eid, date=date, kind=kind, **cells)
    events.append(row)


def moved(eid: str, date: str, region: str, **cells: str) -> None:
    event(eid, date, "relocated", region=region, **cells)


def expect(eid: str, *spans: tuple[str, str | None, str | None]) -> None:
    expected[eid] = list(spans)


U = "unicorn"

# R01: A, B, A on one day, the third row equal to the first in every column:
# it is the same event as the first and dropped, so B (the later of the two
# distinct rows) holds. (A "later row wins" over all rows would say A.)
enterprise("R01", HAIDIAN)
moved("R01", "2018-05-01", PUDONG)
moved("R01", "2018-05-01", NANSHAN)
moved("R01", "2018-05-01", PUDONG)
expect("R01", ("2015-06-01", U, HAIDIAN), ("2018-05-01", U, NANSHAN))

# R02: two relocations on one day: the later row holds.
enterprise("R02", HAIDIAN)
moved("R02", "2018-05-01", PUDONG)
moved("R02", "2018-05-01", NANSHAN)
expect("R02", ("2015-06-01", U, HAIDIAN), ("2018-05-01", U, NANSHAN))

# R03: A, B, A on one day, the third row differing from the first (its
# source): three events, the last holds.
enterprise("R03", HAIDIAN)
moved("R03", "2018-05-01", PUDONG, source="filing 1")
moved("R03", "2018-05-01", NANSHAN)
moved("R03", "2018-05-01", PUDONG, source="filing 2")
expect("R03", ("2015-06-01", U, HAIDIAN), ("2018-05-01", U, PUDONG))

# R04: a relocation on a count date counts that day (end of day D).
enterprise("R04", HAIDIAN)
moved("R04", "2019-12-31", TIANHE)
expect("R04", ("2015-06-01", U, HAIDIAN), ("2019-12-31", U, TIANHE))

# R05: the day after a count date: not yet.
enterprise("R05", HAIDIAN)
moved("R05", "2020-01-01", TIANHE)
expect("R05", ("2015-06-01", U, HAIDIAN), ("2020-01-01", U, TIANHE))

# R06: a relocation dated before founding counts once the enterprise exists.
enterprise("R06", HAIDIAN)
moved("R06", "2014-06-01", XIHU)
expect("R06", ("2015-06-01", U, XIHU))

# R07: to another province.
enterprise("R07", HAIDIAN)
moved("R07", "2017-03-01", WUHOU)
expect("R07", ("2015-06-01", U, HAIDIAN), ("2017-03-01", U, WUHOU))

# R08: several relocations on different days.
enterprise("R08", HAIDIAN)
moved("R08", "2017-02-01", PUDONG)
moved("R08", "2019-07-01", NANSHAN)
moved("R08", "2021-03-01", XIHU)
expect("R08", ("2015-06-01", U, HAIDIAN), ("2017-02-01", U, PUDONG),
       ("2019-07-01", U, NANSHAN), ("2021-03-01", U, XIHU))

# R09: relocated on the day of its listing: listed, no tier from that day.
enterprise("R09", HAIDIAN)
moved("R09", "2019-06-01", PUDONG)
event("R09", "2019-06-01", "listing", exchange="SSE")
expect("R09", ("2015-06-01", U, HAIDIAN), ("2019-06-01", None, None))

# R10: relocated on the day it closes.
enterprise("R10", HAIDIAN)
event("R10", "2020-06-01", "closed")
moved("R10", "2020-06-01", PUDONG)
expect("R10", ("2015-06-01", U, HAIDIAN), ("2020-06-01", None, None))

# R11: relocated on the day of its first round and valuation (no earlier
# funding): the tier begins that day, in the new region.
enterprise("R11", HAIDIAN, standard=False)
moved("R11", "2017-08-01", GUSU)
event("R11", "2017-08-01", "funding", round="B", amount="200000000", currency="USD")
event("R11", "2017-08-01", "valuation", valuation="3000000000", currency="USD")
expect("R11", ("2017-08-01", U, GUSU))

# R12: away and back on different days.
enterprise("R12", HAIDIAN)
moved("R12", "2017-01-10", PUDONG)
moved("R12", "2019-01-10", NANSHAN)
moved("R12", "2021-01-10", PUDONG)
expect("R12", ("2015-06-01", U, HAIDIAN), ("2017-01-10", U, PUDONG),
       ("2019-01-10", U, NANSHAN), ("2021-01-10", U, PUDONG))

# R13: no region of its own: counted under no province until it relocates.
enterprise("R13", None)
moved("R13", "2018-02-01", HONGSHAN)
expect("R13", ("2015-06-01", U, None), ("2018-02-01", U, HONGSHAN))

# R14: the rows out of date order in the file: dates decide, not rows.
enterprise("R14", HAIDIAN)
moved("R14", "2021-04-01", XIHU)
moved("R14", "2018-04-01", TIANHE)
expect("R14", ("2015-06-01", U, HAIDIAN), ("2018-04-01", U, TIANHE), ("2021-04-01", U, XIHU))

# R15: A, B, C, A, B on one day, the repeats equal to their first rows:
# dropped, so C holds.
enterprise("R15", HAIDIAN)
for region in (PUDONG, NANSHAN, XIHU, PUDONG, NANSHAN):
    moved("R15", "2019-09-09", region)
expect("R15", ("2015-06-01", U, HAIDIAN), ("2019-09-09", U, XIHU))

# R16: A, B, A on one day, the repeat written with spaces around its cells:
# equal after trimming, so the same event as the first: B holds.
enterprise("R16", HAIDIAN)
moved("R16", "2018-11-11", WUHOU)
moved("R16", "2018-11-11", HONGSHAN)
moved("R16", " 2018-11-11 ", f" {WUHOU} ")
expect("R16", ("2015-06-01", U, HAIDIAN), ("2018-11-11", U, HONGSHAN))

# R17: A, A on one day: one event.
enterprise("R17", HAIDIAN)
moved("R17", "2018-03-03", GUSU)
moved("R17", "2018-03-03", GUSU)
expect("R17", ("2015-06-01", U, HAIDIAN), ("2018-03-03", U, GUSU))

# R18: within a municipality (another district, the same city), then on one
# day to another municipality and back to where it was founded: the later
# row holds.
enterprise("R18", PUDONG)
moved("R18", "2017-05-05", HUANGPU)
moved("R18", "2020-05-05", CHAOYANG)
moved("R18", "2020-05-05", PUDONG)
expect("R18", ("2015-06-01", U, PUDONG), ("2017-05-05", U, HUANGPU), ("2020-05-05", U, PUDONG))

# R19: a relocation carrying a valuation (any event may): the latest
# valuation day is now the relocation's, US$600m, so potential (clause b,
# age within 9 years) in the new region.
enterprise("R19", HAIDIAN)
moved("R19", "2018-07-07", NANSHAN, valuation="600000000", currency="USD")
expect("R19", ("2015-06-01", U, HAIDIAN), ("2018-07-07", "potential", NANSHAN))

# R20: A, B, A on one day with another enterprise's rows between the repeat
# and its first row: still the same event (the whole file is one import).
enterprise("R20", HAIDIAN)
moved("R20", "2022-02-02", TIANHE)
moved("R20", "2022-02-02", XIHU)
event("R07", "2016-01-01", "funding", round="seed")  # another enterprise's row between
moved("R20", "2022-02-02", TIANHE)
expect("R20", ("2015-06-01", U, HAIDIAN), ("2022-02-02", U, XIHU))

# R21: acquired on the day it relocates, the relocation row first.
enterprise("R21", HAIDIAN)
moved("R21", "2021-06-30", PUDONG)
event("R21", "2021-06-30", "acquired")
expect("R21", ("2015-06-01", U, HAIDIAN), ("2021-06-30", None, None))

# R22: A on a count date; later B and A again on one day (not a repeat of the
# first A: another day): A holds throughout.
enterprise("R22", HAIDIAN)
moved("R22", "2016-12-31", PUDONG)
moved("R22", "2017-06-01", NANSHAN)
moved("R22", "2017-06-01", PUDONG)
expect("R22", ("2015-06-01", U, HAIDIAN), ("2016-12-31", U, PUDONG))

# R23: a foreign enterprise relocating: no tier at all.
enterprise("R23", None, country="US")
moved("R23", "2018-01-01", HAIDIAN)
expect("R23", ("2015-06-01", None, None))


def place(region: str | None) -> tuple[str, str]:
    if region is None:
        return "", ""
    province = region[:2] + "0000"
    if region[:2] in ("11", "12", "31", "50", "81", "82"):
        return province, province
    return province, region[:4] + "00"


def expected_counts() -> list[tuple[str, str, str, str, int]]:
    counts: Counter[tuple[str, str, str, str]] = Counter()
    for spans in expected.values():
        for day in DATES:
            current = None
            for start, tier, region in spans:
                if start <= day:
                    current = (tier, region)
            if current and current[0]:
                province, city = place(current[1])
                counts[(day, current[0], province, city)] += 1
    return sorted((d, t, p, c, n) for (d, t, p, c), n in counts.items())


def main() -> int:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "enterprises.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, ["id", "name", "founded", "country", "region"], lineterminator="\n")
        w.writeheader()
        w.writerows(enterprises)
    with open(os.path.join(out, "events.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(events)
    with open(os.path.join(out, "expected.csv"), "w", encoding="utf-8", newline="\n") as f:
        f.write("date,tier,province,city,count\n")
        for row in expected_counts():
            f.write(",".join(map(str, row)) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
