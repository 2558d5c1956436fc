#!/usr/bin/env bash
# CI smoke run of the benchmark — see bench/README.md and docs/PERFORMANCE.md.
#
#   bench/smoke.sh [SIZE]                default: 10000
#
# Checks that the benchmark's pipeline runs and that the DuckDB anchor
# (bench/duckdb_gei.py) computes exactly what Hatchery computes; no timing is
# asserted. Three datasets:
#   1. `hatchery generate --enterprises SIZE --seed SEED` (what compare.sh measures);
#   2. the same size with `--relocation-quirks` (repeated, same-day, count-day,
#      before-founding and cross-province relocations, relocations on the day
#      of a listing or exit);
#   3. bench/relocation_cases.py: the spec's relocation and same-day rules case
#      by case, with the counts written by hand — Hatchery and DuckDB must
#      both give exactly those.
# For each: `hatchery import` into a fresh SQLite file, `hatchery report` of
# the 8 year-ends 2016–2023 under gei (normalised by report_counts.py),
# duckdb_gei.py on the CSV files, and the two count files compared byte for
# byte.
#
# Settings (environment):
#   HATCHERY=target/debug/hatchery   the binary to run; built (debug) when missing
#   SEED=42                          dataset seed
#   DUCKDB_VERSION=1.5.6             pinned in the venv target/bench-venv (as compare.sh)
#   KEEP_WORK=1                      keep the run folder
#   DUCKDB_GEI=bench/duckdb_gei.py   the anchor script to check (e.g. an older one)
#   CARGO_TARGET_DIR                 as for cargo (default: target/)
#
# Installs what it needs: the DuckDB PyPI package into target/bench-venv, and
# python3-venv with apt-get when `python3 -m venv` is missing (as root).
# Exit status: 0 when all counts agree; 1 when any differ (the first
# differences are printed and the files kept in target/bench-mismatch/);
# 2 on other errors.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

SIZE=${1:-10000}
SEED=${SEED:-42}
DUCKDB_VERSION=${DUCKDB_VERSION:-1.5.6}
KEEP_WORK=${KEEP_WORK:-0}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
HATCHERY=${HATCHERY:-$TARGET/debug/hatchery}
VENV=$TARGET/bench-venv
DUCKDB_GEI=${DUCKDB_GEI:-bench/duckdb_gei.py}
DATES=2016-12-31,2017-12-31,2018-12-31,2019-12-31,2020-12-31,2021-12-31,2022-12-31,2023-12-31

say() { printf '== smoke: %s\n' "$*" >&2; }
die() { printf 'bench/smoke.sh: error: %s\n' "$*" >&2; exit 2; }

[[ $SIZE =~ ^[1-9][0-9]*$ ]] || die "the size is a positive whole number of enterprises, found '$SIZE'"
command -v python3 >/dev/null || die "python3 is needed and not on PATH"
started=$(date +%s)

# --- the binary -----------------------------------------------------------------
if [ ! -x "$HATCHERY" ]; then
    say "building $HATCHERY (debug)"
    cargo build -p hatchery-cli
fi
[ -x "$HATCHERY" ] || die "$HATCHERY is missing (set HATCHERY=… or build hatchery-cli)"

# --- DuckDB -----------------------------------------------------------------------
if ! "$VENV/bin/python" -c "import duckdb, sys; sys.exit(duckdb.__version__ != '$DUCKDB_VERSION')" 2>/dev/null; then
    if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
        command -v apt-get >/dev/null || die "python3 has no venv module and apt-get is not available"
        say "installing python3-venv"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    fi
    say "installing duckdb $DUCKDB_VERSION into $VENV"
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "duckdb==$DUCKDB_VERSION"
fi

mkdir -p "$TARGET"
WORK=$(mktemp -d "$TARGET/bench-smoke.XXXXXX")
cleanup() {
    local status=$?
    if [ "$KEEP_WORK" = 1 ]; then printf 'run folder kept: %s\n' "$WORK" >&2; else rm -rf "$WORK"; fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# `run LOG CMD…`: CMD with its output in LOG; on failure the log's end, then stop.
run() {
    local log=$1; shift
    if ! "$@" >"$log" 2>&1; then
        printf 'command failed: %s\n--- last lines of %s ---\n' "$*" "$log" >&2
        tail -n 20 "$log" >&2
        die "step failed (see above)"
    fi
}

FAILED=()
# `same NAME A B`: whether the count files A and B are identical; reports either way.
same() {
    local name=$1 a=$2 b=$3
    if cmp -s "$a" "$b"; then
        say "$name: identical ($(( $(wc -l <"$a") - 1 )) (date, tier, province, city) rows)"
    else
        printf '!!! %s: COUNTS DIFFER (<) %s vs (>) %s\n' "$name" "${a##*/}" "${b##*/}" >&2
        diff "$a" "$b" | head -n 40 >&2 || true
        mkdir -p "$TARGET/bench-mismatch"
        cp "$a" "$TARGET/bench-mismatch/"
        cp "$b" "$TARGET/bench-mismatch/"
        FAILED+=("$name")
    fi
}

# `check NAME DATA`: import, report and DuckDB on DATA; compares the counts.
check() {
    local name=$1 data=$2
    local db=$WORK/$name.db
    run "$WORK/$name-import.log" "$HATCHERY" --db "sqlite://$db" import "$data"
    run "$WORK/$name-report.log" "$HATCHERY" --db "sqlite://$db" report --as-of "$DATES" \
        --rules gei --format json --out "$WORK/$name-report.json"
    run "$WORK/$name-counts.log" python3 bench/report_counts.py "$WORK/$name-report.json" "$WORK/$name-hatchery.csv"
    run "$WORK/$name-duckdb.log" "$VENV/bin/python" "$DUCKDB_GEI" "$data" "$WORK/$name-duckdb.csv" --threads 2
    same "$name" "$WORK/$name-hatchery.csv" "$WORK/$name-duckdb.csv"
}

say "generating $SIZE enterprises (seed $SEED)"
run "$WORK/generate.log" "$HATCHERY" generate --enterprises "$SIZE" --seed "$SEED" --out "$WORK/data"
check "generated-$SIZE" "$WORK/data"

say "generating $SIZE enterprises (seed $SEED) with --relocation-quirks"
run "$WORK/generate-quirks.log" "$HATCHERY" generate --enterprises "$SIZE" --seed "$SEED" \
    --relocation-quirks --out "$WORK/quirks"
check "relocation-quirks-$SIZE" "$WORK/quirks"

say "the spec's relocation and same-day cases (bench/relocation_cases.py)"
run "$WORK/cases.log" python3 bench/relocation_cases.py "$WORK/cases"
check relocation-cases "$WORK/cases"
same relocation-cases-spec "$WORK/cases/expected.csv" "$WORK/relocation-cases-hatchery.csv"

if [ "${#FAILED[@]}" -gt 0 ]; then
    printf '!!! bench/smoke.sh: counts differ in: %s (files in %s)\n' "${FAILED[*]}" "$TARGET/bench-mismatch" >&2
    exit 1
fi
say "all counts agree ($(( $(date +%s) - started )) s)"
