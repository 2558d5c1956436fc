#!/usr/bin/env python3
"""The `gei` tiers and their counts per date, tier, province and city, in DuckDB.

An independent implementation of the interchange spec's classification
semantics (shared spec `interchange-v1.md`, "Classification semantics" and
"Reference rule set gei") in SQL, used by `bench/compare.sh` both as a
baseline for speed and as a cross-check of Hatchery's counts.

    duckdb_gei.py DATASET_DIR OUT.csv [--dates 2016-12-31,...] [--threads N]
                  [--tiers-out TIERS.csv]

Everything is timed from opening DuckDB to the counts being written: reading
and parsing the CSV files is part of the work, as it is for Hatchery's import.
The wall time is printed on standard output as `duckdb_seconds=S`.

Exactness: money is never a float. Valuations and rates are read as
DECIMAL(18, 4), else DECIMAL(18, 6), else DECIMAL(38, 10), after checking
that every cell fits exactly (see DECIMAL_TYPES), and "value / per_usd >= T"
is evaluated as "value >= T * per_usd" (per_usd > 0) in DECIMAL(38, 10),
whose products stay below 10^38 for every accepted cell. DUCKDB_GEI_WIDE=1
forces the widest type, to check that the narrow one changes nothing.

Relocations: the region is that of the latest relocation on or before D;
several on one day: the later row, among distinct rows. A row equal to an
earlier one in every column (as text, after trimming) is the same event and
is dropped on import, so it keeps its first row's place: A, B, A on one day
is A then B, and B holds.

The output CSV has the header `date,tier,province,city,count`, one row per
(date, tier, province, city) with a count > 0, sorted; enterprises without a
region have empty province and city.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

DEFAULT_DATES = [f"{year}-12-31" for year in range(2016, 2024)]

# How valuations and rates are typed, narrowest first: (width, scale, the
# most integer digits accepted). The first that holds every cell exactly is
# used; a cell that fits none is refused, never rounded. DuckDB parses text
# into DECIMAL(18, s) (a 64-bit integer) about 200 times faster than into
# DECIMAL(38, s) (128-bit), hence the narrow type when the data allow it. In
# both, T * per_usd (T <= 10^10, 11 digits) stays below 10^38.
DECIMAL_TYPES = [(18, 4, 14), (18, 6, 12), (38, 10, 16)]
# The gei thresholds in US dollars.
T_SUPER = 10_000_000_000
T_UNICORN = 1_000_000_000
T_POTENTIAL_B = 500_000_000
T_POTENTIAL_A = 100_000_000


def load(con, dataset: str) -> None:
    """Reads the CSV files as text (all columns VARCHAR, the spec's trimming
    applied) and types them. Row order is kept in `seq` (the file order)."""

    def path(name: str) -> str:
        return os.path.join(dataset, name).replace("'", "''")

    def read(name: str) -> str:
        # all_varchar: no type sniffing, so that "0100" stays "0100" and decimals
        # are never parsed as doubles. header=true, quote '"' per RFC 4180.
        return (
            f"read_csv('{path(name)}', header = true, all_varchar = true, "
            f"delim = ',', quote = '\"', escape = '\"')"
        )

    con.execute(
        f"""
        CREATE TEMP TABLE enterprises AS
        SELECT trim(id) AS id,
               CASE length(trim(founded))
                   WHEN 4 THEN make_date(CAST(trim(founded) AS INTEGER), 1, 1)
                   WHEN 7 THEN make_date(CAST(substr(trim(founded), 1, 4) AS INTEGER),
                                         CAST(substr(trim(founded), 6, 2) AS INTEGER), 1)
                   ELSE CAST(trim(founded) AS DATE)
               END AS founded,
               coalesce(nullif(trim(country), ''), 'CN') AS country,
               nullif(trim(region), '') AS region
        FROM {read('enterprises.csv')}
        """
    )
    # events.csv and fx.csv are optional in the spec.
    if os.path.exists(os.path.join(dataset, "events.csv")):
        # Columns may come in any order and the optional ones may be absent;
        # header names are trimmed (and a BOM dropped) as the spec says.
        header = {
            name.strip().lstrip("\ufeff").strip(): name
            for (name,) in con.execute(
                f"SELECT column_name FROM (DESCRIBE SELECT * FROM {read('events.csv')})"
            ).fetchall()
        }

        def cell(name: str) -> str:
            if name not in header:
                return "NULL"
            quoted = '"' + header[name].replace('"', '""') + '"'
            return f"nullif(trim({quoted}), '')"

        # A relocation's other cells are kept too: two rows equal in every
        # column (as text, after trimming) are one event and the later is
        # dropped, which decides which relocation of a day is the last one.
        # The other kinds need no such care: a repeated funding, listing,
        # exit or valuation row changes no tier.
        def relocation_cell(name: str) -> str:
            return f"CASE WHEN {cell('kind')} = 'relocated' THEN {cell(name)} END"

        con.execute(
            f"""
            CREATE TEMP TABLE events_text AS
            SELECT {cell('enterprise')} AS enterprise, {cell('date')} AS date, {cell('kind')} AS kind,
                   {cell('valuation')} AS valuation,
                   {cell('currency')} AS currency,
                   {cell('exchange')} AS exchange,
                   {cell('region')} AS region,
                   {relocation_cell('round')} AS r_round,
                   {relocation_cell('amount')} AS r_amount,
                   {relocation_cell('investors')} AS r_investors,
                   {relocation_cell('source')} AS r_source
            FROM {read('events.csv')}
            """
        )
    else:
        con.execute(
            "CREATE TEMP TABLE events_text (enterprise VARCHAR, date VARCHAR, kind VARCHAR, "
            "valuation VARCHAR, currency VARCHAR, exchange VARCHAR, region VARCHAR, "
            "r_round VARCHAR, r_amount VARCHAR, r_investors VARCHAR, r_source VARCHAR)"
        )
    if os.path.exists(os.path.join(dataset, "fx.csv")):
        con.execute(
            f"""
            CREATE TEMP TABLE fx_text AS
            SELECT trim(date) AS date, trim(currency) AS currency, trim(per_usd) AS per_usd
            FROM {read('fx.csv')}
            """
        )
    else:
        con.execute("CREATE TEMP TABLE fx_text (date VARCHAR, currency VARCHAR, per_usd VARCHAR)")

    # Refuse, rather than round, any decimal the chosen type cannot hold.
    types = DECIMAL_TYPES[-1:] if os.environ.get("DUCKDB_GEI_WIDE") == "1" else DECIMAL_TYPES
    for width, scale, digits in types:
        pattern = rf"^[0-9]{{1,{digits}}}(\.[0-9]{{0,{scale}}})?$"
        bad = con.execute(
            f"""
            SELECT (SELECT count(*) FROM events_text
                    WHERE valuation IS NOT NULL AND NOT regexp_full_match(valuation, '{pattern}'))
                 + (SELECT count(*) FROM fx_text WHERE NOT regexp_full_match(per_usd, '{pattern}'))
            """
        ).fetchone()[0]
        if bad == 0:
            break
    else:
        sys.exit(
            f"duckdb_gei: {bad} valuation(s) or rate(s) have more than {digits} integer digits "
            f"or {scale} decimals; add a wider entry to DECIMAL_TYPES"
        )
    money = f"DECIMAL({width}, {scale})"
    print(f"duckdb_gei: valuations and rates as {money}", file=sys.stderr)

    # The table keeps insertion order, so rowid is the row's place in the file:
    # several relocations on one day are decided by the later row.
    con.execute(
        f"""
        CREATE TEMP TABLE events AS
        SELECT rowid AS seq, enterprise, CAST(date AS DATE) AS date, kind,
               CAST(valuation AS {money}) AS valuation,
               currency, exchange, region
        FROM events_text
        """
    )
    # Every relocation row with all its cells as text (the valuation too:
    # `100` and `100.00` are different rows).
    con.execute(
        """
        CREATE TEMP TABLE relocation_rows AS
        SELECT rowid AS seq, enterprise, CAST(date AS DATE) AS date, region,
               valuation, currency, exchange, r_round, r_amount, r_investors, r_source
        FROM events_text
        WHERE kind = 'relocated'
        """
    )
    con.execute(
        f"""
        CREATE TEMP TABLE fx AS
        SELECT CAST(date AS DATE) AS date, currency,
               CAST(per_usd AS {money}) AS per_usd
        FROM fx_text
        """
    )


def classify(con, dates: list[str]) -> None:
    """Creates `tiers(id, date, tier, region)`: every enterprise with a tier on
    every date, and its effective region that day."""
    date_rows = ", ".join(f"(DATE '{d}')" for d in dates)
    con.execute(f"CREATE TEMP TABLE dates AS SELECT * FROM (VALUES {date_rows}) AS t(d)")

    # The rate of each valuation at its own date: the currency's latest row on
    # or before it, else its earliest row; USD is 1; no rows at all: NULL.
    # The rates are laid out once per currency and calendar day over the span
    # of the valuation dates (a few thousand rows per currency), so that each
    # valuation finds its rate by an equality join: DuckDB's ASOF join of
    # millions of valuations against a handful of currencies is much slower.
    con.execute(
        """
        CREATE TEMP TABLE daily_rates AS
        WITH span AS (
            SELECT min(date) AS lo, max(date) AS hi FROM events WHERE valuation IS NOT NULL
        ),
        days AS (
            SELECT CAST(unnest(generate_series(lo, hi, INTERVAL 1 DAY)) AS DATE) AS date FROM span
        ),
        currencies AS (
            -- A USD row in fx.csv is ignored: US dollars need no rate.
            SELECT currency, arg_min(per_usd, date) AS earliest
            FROM fx WHERE currency <> 'USD' GROUP BY currency
        ),
        grid AS (
            SELECT c.currency, d.date, c.earliest FROM currencies c CROSS JOIN days d
        ),
        rates AS (
            SELECT g.currency, g.date,
                   CAST(coalesce(f.per_usd, g.earliest) AS DECIMAL(38, 10)) AS per_usd
            FROM grid g
            ASOF LEFT JOIN fx f ON g.currency = f.currency AND g.date >= f.date
        )
        -- v / per_usd >= T <=> v >= T * per_usd (per_usd > 0): each threshold
        -- in the currency, exactly, once per currency and day. DECIMAL(38, 10)
        -- holds T * per_usd for every accepted rate (DuckDB raises an error
        -- rather than overflow).
        SELECT currency, date,
               CAST(10000000000 AS DECIMAL(11, 0)) * per_usd AS t_10b,
               CAST(1000000000 AS DECIMAL(10, 0)) * per_usd AS t_1b,
               CAST(500000000 AS DECIMAL(9, 0)) * per_usd AS t_500m,
               CAST(100000000 AS DECIMAL(9, 0)) * per_usd AS t_100m
        FROM rates
        UNION ALL
        -- US dollars need no rate.
        SELECT 'USD', date, 10000000000, 1000000000, 500000000, 100000000 FROM days
        """
    )
    con.execute(
        """
        CREATE TEMP TABLE valuations AS
        -- One row per enterprise and valuation day: which thresholds the day's
        -- highest convertible valuation meets. max(v_i) >= T <=> some v_i >= T,
        -- so the highest need not be found, only each one compared exactly.
        -- A currency without rates finds no row: unknown, every test fails.
        SELECT v.enterprise, v.date,
               bool_or(r.t_10b IS NOT NULL) AS known,
               bool_or(v.valuation >= r.t_10b) AS ge_10b,
               bool_or(v.valuation >= r.t_1b) AS ge_1b,
               bool_or(v.valuation >= r.t_500m) AS ge_500m,
               bool_or(v.valuation >= r.t_100m) AS ge_100m
        FROM events v
        LEFT JOIN daily_rates r ON v.currency = r.currency AND v.date = r.date
        WHERE v.valuation IS NOT NULL
        GROUP BY v.enterprise, v.date
        """
    )

    # Several relocations on one day: the later row wins — among distinct
    # rows. A row equal to an earlier one in every cell is the same event,
    # dropped on import (interchange spec, events.csv), so it keeps the place
    # of its first row: A, B, A on one day is A then B, and B holds. (Taking
    # the last row of all said A: 24 city counts off by 1 or 2 on a national
    # dataset with repeated relocation rows.)
    con.execute(
        """
        CREATE TEMP TABLE relocations AS
        WITH distinct_rows AS (
            SELECT enterprise, date, region, min(seq) AS seq
            FROM relocation_rows
            GROUP BY enterprise, date, region, valuation, currency, exchange,
                     r_round, r_amount, r_investors, r_source
        )
        SELECT enterprise, date, arg_max(region, seq) AS region
        FROM distinct_rows
        GROUP BY enterprise, date
        """
    )

    # The first day each requirement flips: funded, listed (not NEEQ), gone.
    con.execute(
        """
        CREATE TEMP TABLE firsts AS
        SELECT enterprise,
               min(date) FILTER (WHERE kind = 'funding') AS funded_on,
               min(date) FILTER (WHERE kind = 'listing' AND exchange IS DISTINCT FROM 'NEEQ') AS listed_on,
               min(date) FILTER (WHERE kind IN ('acquired', 'closed')) AS gone_on
        FROM events
        GROUP BY enterprise
        """
    )

    # Candidates: CN, funded, not listed, not gone and existing on D.
    # Anniversaries: the same month and day N years on; 29 February becomes
    # the last day of February (the 28th) when that year has no 29th.
    con.execute(
        """
        CREATE TEMP MACRO anniversary(d, n) AS
            CASE WHEN month(d) = 2 AND day(d) = 29
                 THEN last_day(make_date(year(d) + n, 2, 1))
                 ELSE make_date(year(d) + n, month(d), day(d)) END
        """
    )
    con.execute(
        """
        CREATE TEMP TABLE candidates AS
        WITH anniversaries AS (
            SELECT id, founded, region,
                   anniversary(founded, 5) AS a5,
                   anniversary(founded, 9) AS a9,
                   anniversary(founded, 10) AS a10
            FROM enterprises WHERE country = 'CN'
        )
        SELECT a.id, d.d AS date, a.region, a.a5, a.a9, a.a10
        FROM anniversaries a
        JOIN firsts f ON f.enterprise = a.id
        CROSS JOIN dates d
        WHERE a.founded <= d.d
          AND f.funded_on <= d.d
          AND (f.listed_on IS NULL OR f.listed_on > d.d)
          AND (f.gone_on IS NULL OR f.gone_on > d.d)
          AND d.d <= a.a10  -- every tier needs an age within 10 years at most
        """
    )

    # The latest valuation day on or before D (ASOF), and the latest relocation.
    con.execute(
        """
        CREATE TEMP TABLE tiers AS
        WITH valued AS (
            SELECT c.*, v.known, v.ge_10b, v.ge_1b, v.ge_500m, v.ge_100m
            FROM candidates c
            ASOF JOIN valuations v ON v.enterprise = c.id AND c.date >= v.date
        ),
        tiered AS (
            SELECT id, date, region,
                   CASE
                       WHEN known AND date <= a10 AND ge_10b THEN 'super_unicorn'
                       WHEN known AND date <= a10 AND ge_1b THEN 'unicorn'
                       WHEN known AND ((date <= a5 AND ge_100m) OR (date <= a9 AND ge_500m)) THEN 'potential'
                   END AS tier
            FROM valued
        )
        SELECT t.id, t.date, t.tier, coalesce(r.region, t.region) AS region
        FROM tiered t
        ASOF LEFT JOIN relocations r ON r.enterprise = t.id AND t.date >= r.date
        WHERE t.tier IS NOT NULL
        """
    )


def count(con, out: str) -> int:
    """Writes the counts per (date, tier, province, city) to `out`."""
    rows = con.execute(
        """
        WITH placed AS (
            SELECT date, tier,
                   CASE WHEN region IS NULL THEN '' ELSE substr(region, 1, 2) || '0000' END AS province,
                   CASE WHEN region IS NULL THEN ''
                        -- Beijing, Tianjin, Shanghai, Chongqing, Hong Kong and Macao:
                        -- the province is the city (core::division::DivisionCode::city).
                        WHEN substr(region, 1, 2) IN ('11', '12', '31', '50', '81', '82')
                            THEN substr(region, 1, 2) || '0000'
                        ELSE substr(region, 1, 4) || '00' END AS city
            FROM tiers
        )
        SELECT strftime(date, '%Y-%m-%d') AS date, tier, province, city, count(*) AS n
        FROM placed
        GROUP BY ALL
        ORDER BY date, tier, province, city
        """
    ).fetchall()
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        f.write("date,tier,province,city,count\n")
        for date, tier, province, city, n in rows:
            f.write(f"{date},{tier},{province},{city},{n}\n")
    return len(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", help="folder with enterprises.csv, events.csv, fx.csv")
    parser.add_argument("out", help="the counts CSV to write")
    parser.add_argument("--dates", default=",".join(DEFAULT_DATES))
    parser.add_argument("--threads", type=int, default=0, help="DuckDB threads (0: all cores)")
    parser.add_argument("--tiers-out", help="also write id,date,tier,region of every tiered enterprise")
    args = parser.parse_args()
    dates = [d.strip() for d in args.dates.split(",") if d.strip()]

    import duckdb  # imported here so that --help works without it

    start = time.perf_counter()
    con = duckdb.connect(":memory:")
    if args.threads:
        con.execute(f"SET threads = {args.threads}")
    load(con, args.dataset)
    classify(con, dates)
    rows = count(con, args.out)
    elapsed = time.perf_counter() - start
    if args.tiers_out:
        con.execute(
            f"COPY (SELECT id, strftime(date, '%Y-%m-%d') AS date, tier, region FROM tiers "
            f"ORDER BY id, date) TO '{args.tiers_out.replace(chr(39), chr(39) * 2)}' (HEADER)"
        )
    print(f"duckdb {duckdb.__version__}: {rows} count rows written to {args.out}", file=sys.stderr)
    print(f"duckdb_seconds={elapsed:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
