#!/usr/bin/env python3
"""Hatchery's report JSON (`hatchery-report/1`) as the counts CSV of duckdb_gei.py.

    report_counts.py REPORT.json OUT.csv

Reads `snapshots[].by_city` (every city code belongs to the province of its
first two digits) and `snapshots[].tiers[].no_region`, and writes
`date,tier,province,city,count` sorted, empty province and city for the
enterprises without a region. Checks on the way that the report agrees with
itself: `by_province` is the sum of `by_city`, and each tier's `count` is the
sum of its cities plus `no_region`. Standard library only.
"""

from __future__ import annotations

import json
import sys
from collections import Counter


def main() -> int:
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[1], encoding="utf-8") as f:
        report = json.load(f)
    if report.get("schema") != "hatchery-report/1":
        sys.exit(f"report_counts: unexpected schema {report.get('schema')!r}")
    rows = []
    problems = []
    for snapshot in report["snapshots"]:
        date = snapshot["date"]
        totals = {t["tier"]: t for t in snapshot["tiers"]}
        for tier, cities in snapshot["by_city"].items():
            provinces: Counter[str] = Counter()
            for city, n in cities.items():
                province = city[:2] + "0000"
                provinces[province] += n
                if n:
                    rows.append((date, tier, province, city, n))
            reported = {p: n for p, n in snapshot["by_province"].get(tier, {}).items() if n}
            if dict(provinces) != reported:
                problems.append(f"{date} {tier}: by_province {reported} is not the sum of by_city {dict(provinces)}")
            no_region = totals[tier]["no_region"]
            if no_region:
                rows.append((date, tier, "", "", no_region))
            if sum(provinces.values()) + no_region != totals[tier]["count"]:
                problems.append(
                    f"{date} {tier}: count {totals[tier]['count']} is not cities {sum(provinces.values())} "
                    f"+ no_region {no_region}"
                )
    if problems:
        sys.exit("report_counts: the report disagrees with itself:\n  " + "\n  ".join(problems))
    rows.sort()
    with open(sys.argv[2], "w", encoding="utf-8", newline="\n") as f:
        f.write("date,tier,province,city,count\n")
        for date, tier, province, city, n in rows:
            f.write(f"{date},{tier},{province},{city},{n}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
