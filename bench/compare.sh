#!/usr/bin/env bash
# Hatchery against DuckDB at national scale — see docs/PERFORMANCE.md.
#
#   bench/compare.sh [SIZES…]            default: 10000 100000 1000000
#
# For each size N: generate a dataset (cached in target/bench-data/N), then
# measure
#   (a) `hatchery import` into a fresh SQLite file        wall time, peak RSS
#   (b) `hatchery import` into a fresh PostgreSQL database (when available)
#   (c) `hatchery report` of the 8 year-ends 2016–2023 from the SQLite store
#       (loading the store included), normalised to counts per date, tier,
#       province and city                                   wall time, peak RSS
#   (d) bench/duckdb_gei.py: the same counts in DuckDB from the CSV files
#       (parsing included)                                   wall time, peak RSS
#       — and checks that (c) and (d) are identical, byte for byte
#   (e) `hatchery serve` on the SQLite store and hatchery-loadgen: tier
#       look-ups with reasons for random ids, CONNECTIONS connections for
#       DURATION seconds after WARMUP seconds
# and prints one table, also written as Markdown to target/bench-results.md.
#
# Settings (environment):
#   SEED=42                 dataset seed
#   CONNECTIONS=64          load generator connections
#   DURATION=10 WARMUP=3    load generator seconds
#   DUCKDB_VERSION=1.5.6    pinned in the venv target/bench-venv
#   PG_URL=postgres://postgres@127.0.0.1:5432/postgres
#                           a PostgreSQL server where databases may be created
#                           (createdb/dropdb); SKIP_PG=1 skips the column
#   SKIP_BUILD=1            use the release binaries already built
#   SKIP_API=1              skip the load test
#   KEEP_WORK=1             keep the run folder (stores, reports, logs)
#   CHECK_TIERS=1           also compare every enterprise's tier on every date
#                           (`hatchery classify` against DuckDB; untimed)
#   CARGO_TARGET_DIR        as for cargo (default: target/)
#
# Exit status: 0 when every step ran and every count agreed; 1 when the counts
# of Hatchery and DuckDB differ (the table is still written); 2 on other errors.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

SEED=${SEED:-42}
CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-3}
DUCKDB_VERSION=${DUCKDB_VERSION:-1.5.6}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
SKIP_PG=${SKIP_PG:-0}
SKIP_BUILD=${SKIP_BUILD:-0}
SKIP_API=${SKIP_API:-0}
KEEP_WORK=${KEEP_WORK:-0}
CHECK_TIERS=${CHECK_TIERS:-0}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
DATES=2016-12-31,2017-12-31,2018-12-31,2019-12-31,2020-12-31,2021-12-31,2022-12-31,2023-12-31

if [ "$#" -gt 0 ]; then SIZES=("$@"); else SIZES=(10000 100000 1000000); fi

HATCHERY=$TARGET/release/hatchery
LOADGEN=$TARGET/release/hatchery-loadgen
VENV=$TARGET/bench-venv
DATA_ROOT=$TARGET/bench-data
RESULTS=$TARGET/bench-results.md

say() { printf '\n==> %s\n' "$*" >&2; }
note() { printf '    %s\n' "$*" >&2; }
die() { printf '\nbench/compare.sh: error: %s\n' "$*" >&2; exit 2; }

for size in "${SIZES[@]}"; do
    [[ $size =~ ^[1-9][0-9]*$ ]] || die "a size is a positive whole number of enterprises, found '$size'"
done
for tool in cargo python3 curl; do
    command -v "$tool" >/dev/null || die "$tool is needed and not on PATH"
done
[ -x /usr/bin/time ] || die "/usr/bin/time (GNU time) is needed for peak memory: apt-get install time"

mkdir -p "$TARGET"
WORK=$(mktemp -d "$TARGET/bench-run.XXXXXX")
SERVER_PID=""
PG_DBS=()

cleanup() {
    local status=$?
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    for db in "${PG_DBS[@]+"${PG_DBS[@]}"}"; do
        dropdb --if-exists --maintenance-db="$PG_URL" "$db" >/dev/null 2>&1 || true
    done
    if [ "$KEEP_WORK" = 1 ]; then
        printf 'run folder kept: %s\n' "$WORK" >&2
    else
        rm -rf "$WORK"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# `timed LOG CMD…`: runs CMD with its output in LOG; sets T_SECONDS and T_MIB
# (peak resident set) from GNU time. On failure shows the log's end and stops.
timed() {
    local log=$1; shift
    local times=$WORK/time.txt
    if ! /usr/bin/time -f '%e %M' -o "$times" "$@" >"$log" 2>&1; then
        printf '\ncommand failed: %s\n--- last lines of %s ---\n' "$*" "$log" >&2
        tail -n 20 "$log" >&2
        die "step failed (see above)"
    fi
    read -r T_SECONDS kib < <(tail -n 1 "$times")
    T_MIB=$(( (kib + 1023) / 1024 ))
}

# --- build ------------------------------------------------------------------
if [ "$SKIP_BUILD" = 1 ]; then
    say "using the release binaries already built (SKIP_BUILD=1)"
else
    say "building the release binaries (hatchery, hatchery-loadgen); the first build takes ~10 minutes"
    cargo build --release -p hatchery-cli -p hatchery-bench
fi
[ -x "$HATCHERY" ] || die "$HATCHERY is missing: run without SKIP_BUILD=1"
[ -x "$LOADGEN" ] || die "$LOADGEN is missing: run without SKIP_BUILD=1"

# --- DuckDB -----------------------------------------------------------------
if ! "$VENV/bin/python" -c "import duckdb, sys; sys.exit(duckdb.__version__ != '$DUCKDB_VERSION')" 2>/dev/null; then
    say "installing duckdb $DUCKDB_VERSION into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet "duckdb==$DUCKDB_VERSION"
fi
"$VENV/bin/python" -c "import duckdb; print('    duckdb', duckdb.__version__)" >&2

# --- PostgreSQL ---------------------------------------------------------------
PG_OK=0
PG_WHY=""
PG_BASE=${PG_URL%/*}
if [ "$SKIP_PG" = 1 ]; then
    PG_WHY="skipped (SKIP_PG=1)"
elif ! command -v psql >/dev/null || ! command -v createdb >/dev/null; then
    PG_WHY="skipped: psql/createdb not installed"
elif ! psql "$PG_URL" -Atqc 'select 1' >/dev/null 2>&1; then
    PG_WHY="skipped: no PostgreSQL server answers at $PG_URL"
else
    probe="hatchery_bench_probe_$$"
    PG_DBS+=("$probe")
    createdb --maintenance-db="$PG_URL" "$probe"
    if "$HATCHERY" --db "$PG_BASE/$probe" migrate >"$WORK/pg-probe.log" 2>&1; then
        PG_OK=1
    else
        PG_WHY="skipped: this hatchery does not accept --db postgres://… ($(head -n 1 "$WORK/pg-probe.log"))"
    fi
    dropdb --if-exists --maintenance-db="$PG_URL" "$probe"
fi
if [ "$PG_OK" = 1 ]; then note "PostgreSQL: $PG_BASE"; else note "PostgreSQL import $PG_WHY"; fi

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# `api_load N DB DATA`: serve DB, sign in, make a token, run the load generator.
api_load() {
    local n=$1 db=$2 data=$3
    local port password changed jar csrf token ready=0 started
    port=$(free_port)
    password=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')
    HATCHERY_PASSWORD=$password "$HATCHERY" --db "sqlite://$db" admin create-user \
        --username bench --display-name bench --role ministry_admin --jurisdiction CN \
        >"$WORK/user-$n.log" 2>&1 || { cat "$WORK/user-$n.log" >&2; die "cannot create the account"; }
    started=$(date +%s)
    HATCHERY_COOKIE_SECURE=false "$HATCHERY" --db "sqlite://$db" serve --listen "127.0.0.1:$port" \
        >"$WORK/serve-$n.log" 2>&1 &
    SERVER_PID=$!
    # Ready once the ledger is loaded.
    for _ in $(seq 1 600); do
        if curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; then ready=1; break; fi
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.5
    done
    if [ "$ready" != 1 ]; then
        tail -n 20 "$WORK/serve-$n.log" >&2
        die "the server did not become ready on port $port"
    fi
    note "server ready on 127.0.0.1:$port after $(( $(date +%s) - started )) s"
    jar=$WORK/cookies-$n.txt
    csrf=$(curl -fsS -c "$jar" -H 'Content-Type: application/json' \
        -d "{\"username\":\"bench\",\"password\":\"$password\"}" \
        "http://127.0.0.1:$port/api/session" |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["csrf_token"])') ||
        die "cannot sign in (see $WORK/serve-$n.log)"
    # An account made on the command line changes its password first.
    changed=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')
    curl -fsS -b "$jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
        -d "{\"current_password\":\"$password\",\"new_password\":\"$changed\"}" \
        "http://127.0.0.1:$port/api/session/password" >/dev/null ||
        die "cannot change the initial password"
    csrf=$(curl -fsS -c "$jar" -H 'Content-Type: application/json' \
        -d "{\"username\":\"bench\",\"password\":\"$changed\"}" \
        "http://127.0.0.1:$port/api/session" |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["csrf_token"])') ||
        die "cannot sign in with the changed password"
    token=$(curl -fsS -b "$jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
        -d '{"name":"bench","days":1}' "http://127.0.0.1:$port/api/tokens" |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])') ||
        die "cannot create an API token"
    if ! HATCHERY_TOKEN=$token /usr/bin/time -f '%U %S %e' -o "$WORK/loadgen-cpu-$n.txt" \
        "$LOADGEN" --url "http://127.0.0.1:$port" \
        --ids "$data/enterprises.csv" --connections "$CONNECTIONS" \
        --duration "$DURATION" --warmup "$WARMUP" --as-of 2023-12-31 --rules gei \
        >"$WORK/loadgen-$n.log" 2>&1; then
        cat "$WORK/loadgen-$n.log" >&2
        die "the load generator failed"
    fi
    sed 's/^/    /' "$WORK/loadgen-$n.log" | grep -v '^    loadgen ' >&2
    # The server's peak resident set, ledger loaded and under load.
    SERVER_MIB=$(awk '/^VmHWM:/ {printf "%d", ($2 + 1023) / 1024}' "/proc/$SERVER_PID/status" 2>/dev/null || echo "n/a")
    note "server peak RSS $SERVER_MIB MiB"
    # The load generator shares the machine: how much of it did it take?
    read -r lg_user lg_sys lg_wall < <(tail -n 1 "$WORK/loadgen-cpu-$n.txt")
    note "the load generator used $(python3 -c "print(f'{($lg_user + $lg_sys) / max($lg_wall, 0.01):.2f}')") of $(nproc) cores"
    kill "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
    API_LINE=$(grep '^loadgen ' "$WORK/loadgen-$n.log" | tail -n 1)
}

field() { # field KEY LINE → value of KEY=value in LINE
    local key=$1 line=$2 word
    for word in $line; do
        if [ "${word%%=*}" = "$key" ]; then printf '%s' "${word#*=}"; return; fi
    done
}

load_at_start=$(cut -d ' ' -f 1-3 /proc/loadavg)
if awk -v l="${load_at_start%% *}" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; then
    note "the machine is busy (load average $load_at_start on $(nproc) cores): the figures will be noisy"
fi

ROWS=()
MISMATCH=()
for n in "${SIZES[@]}"; do
    say "size $n"
    data=$DATA_ROOT/$n
    if [ ! -f "$data/.complete-seed-$SEED" ]; then
        note "generating $n enterprises (seed $SEED) into $data"
        rm -rf "$data" "$data.tmp"
        mkdir -p "$DATA_ROOT"
        "$HATCHERY" generate --enterprises "$n" --seed "$SEED" --out "$data.tmp" >&2
        mv "$data.tmp" "$data"
        touch "$data/.complete-seed-$SEED"
    else
        note "dataset cached in $data"
    fi

    # (a) SQLite import
    db=$WORK/hatchery-$n.db
    timed "$WORK/import-sqlite-$n.log" "$HATCHERY" --db "sqlite://$db" import "$data"
    imp_sqlite=$T_SECONDS imp_mib=$T_MIB
    note "import into SQLite: $T_SECONDS s, peak RSS $T_MIB MiB"

    # (b) PostgreSQL import
    imp_pg="n/a"
    if [ "$PG_OK" = 1 ]; then
        pgdb="hatchery_bench_$$_$n"
        PG_DBS+=("$pgdb")
        createdb --maintenance-db="$PG_URL" "$pgdb"
        timed "$WORK/import-pg-$n.log" "$HATCHERY" --db "$PG_BASE/$pgdb" import "$data"
        imp_pg=$T_SECONDS
        note "import into PostgreSQL: $T_SECONDS s, peak RSS $T_MIB MiB"
        dropdb --if-exists --maintenance-db="$PG_URL" "$pgdb"
    fi

    # (c) Hatchery: tiers and counts for the 8 dates, from the store
    timed "$WORK/report-$n.log" "$HATCHERY" --db "sqlite://$db" report --as-of "$DATES" \
        --rules gei --format json --out "$WORK/report-$n.json"
    hat_s=$T_SECONDS hat_mib=$T_MIB
    python3 bench/report_counts.py "$WORK/report-$n.json" "$WORK/hatchery-$n.csv"
    note "Hatchery report (8 dates): $hat_s s, peak RSS $hat_mib MiB"

    # (d) DuckDB: the same counts from the CSV files
    tiers_args=()
    [ "$CHECK_TIERS" = 1 ] && tiers_args=(--tiers-out "$WORK/duckdb-tiers-$n.csv")
    timed "$WORK/duckdb-$n.log" "$VENV/bin/python" bench/duckdb_gei.py "$data" "$WORK/duckdb-$n.csv" \
        "${tiers_args[@]+"${tiers_args[@]}"}"
    duck_s=$T_SECONDS duck_mib=$T_MIB
    note "DuckDB (8 dates): $duck_s s, peak RSS $duck_mib MiB ($(grep -o 'duckdb_seconds=.*' "$WORK/duckdb-$n.log") in SQL)"
    if cmp -s "$WORK/hatchery-$n.csv" "$WORK/duckdb-$n.csv"; then
        note "counts identical: $(( $(wc -l <"$WORK/hatchery-$n.csv") - 1 )) (date, tier, province, city) rows"
        agree=yes
    else
        printf '\n!!! COUNTS DIFFER for %s enterprises: Hatchery (<) vs DuckDB (>)\n' "$n" >&2
        diff "$WORK/hatchery-$n.csv" "$WORK/duckdb-$n.csv" | head -n 40 >&2 || true
        mkdir -p "$TARGET/bench-mismatch"
        cp "$WORK/hatchery-$n.csv" "$WORK/duckdb-$n.csv" "$WORK/report-$n.json" "$TARGET/bench-mismatch/"
        printf '!!! both files kept in %s\n' "$TARGET/bench-mismatch" >&2
        MISMATCH+=("$n")
        agree=NO
    fi
    if [ "$CHECK_TIERS" = 1 ]; then
        # Every enterprise's tier on every date, not only the counts (untimed).
        for day in ${DATES//,/ }; do
            "$HATCHERY" --db "sqlite://$db" classify --as-of "$day" --rules gei --format csv \
                2>>"$WORK/classify-$n.log" |
                tail -n +2 | sed "s/,/,$day,/"
        done | LC_ALL=C sort >"$WORK/hatchery-tiers-$n.txt"
        tail -n +2 "$WORK/duckdb-tiers-$n.csv" | cut -d, -f1-3 | LC_ALL=C sort >"$WORK/duckdb-tiers-$n.txt"
        if cmp -s "$WORK/hatchery-tiers-$n.txt" "$WORK/duckdb-tiers-$n.txt"; then
            note "tiers identical: $(wc -l <"$WORK/hatchery-tiers-$n.txt") (enterprise, date) pairs with a tier"
        else
            printf '\n!!! TIERS DIFFER for %s enterprises: id,date,tier Hatchery (<) vs DuckDB (>)\n' "$n" >&2
            diff "$WORK/hatchery-tiers-$n.txt" "$WORK/duckdb-tiers-$n.txt" | head -n 40 >&2 || true
            mkdir -p "$TARGET/bench-mismatch"
            cp "$WORK/hatchery-tiers-$n.txt" "$WORK/duckdb-tiers-$n.txt" "$TARGET/bench-mismatch/"
            MISMATCH+=("$n")
            agree=NO
        fi
    fi
    ratio=$(python3 -c "print(f'{$duck_s / max($hat_s, 0.01):.1f}')")

    # (e) the API under load
    rps="n/a" p50="n/a" p99="n/a" errors="n/a" SERVER_MIB="n/a"
    if [ "$SKIP_API" != 1 ]; then
        api_load "$n" "$db" "$data"
        rps=$(printf '%.0f' "$(field rps "$API_LINE")")
        p50=$(field p50_ms "$API_LINE") p99=$(field p99_ms "$API_LINE")
        errors=$(field errors "$API_LINE")
        if [ "$errors" != 0 ]; then
            printf '\n!!! %s API requests failed (see the error lines above)\n' "$errors" >&2
        fi
    fi
    rm -f "$db" "$db-wal" "$db-shm"

    ROWS+=("$n|$imp_sqlite|$imp_pg|$hat_s|$duck_s|$ratio|$hat_mib|$duck_mib|$rps|$p50|$p99|$errors|$agree|$imp_mib|$SERVER_MIB")
done

# --- the table -----------------------------------------------------------------
HEADER="size|import SQLite s|import PG s|Hatchery tiers+counts s|DuckDB s|DuckDB/Hatchery|RSS Hatchery MiB|RSS DuckDB MiB|API req/s|p50 ms|p99 ms|API errors|counts agree|RSS import SQLite MiB|RSS server MiB"
cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)
mem=$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=""
if [ -n "$(git status --porcelain 2>/dev/null)" ]; then dirty=" (with uncommitted changes)"; fi

say "results"
{
    printf '%s\n' "$HEADER"
    printf '%s\n' "${ROWS[@]}"
} | column -t -s '|' >&2

# shellcheck disable=SC2016 # the backquotes are Markdown
{
    printf '# Benchmark results\n\n'
    printf -- '- when: %s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
    printf -- '- commit: %s%s\n' "$commit" "$dirty"
    printf -- '- machine: %s cores (nproc), %s, %s memory; load average at start %s, at end %s\n' \
        "$(nproc)" "${cpu:-unknown CPU}" "$mem" "$load_at_start" "$(cut -d ' ' -f 1-3 /proc/loadavg)"
    printf -- '- dataset: `hatchery generate --seed %s`; rule set gei; dates %s\n' "$SEED" "${DATES//,/, }"
    printf -- '- DuckDB %s (Python); load test: %s connections, %s s after %s s warm-up, GET /api/enterprises/{id}/tier?as_of=2023-12-31&rules=gei\n' \
        "$DUCKDB_VERSION" "$CONNECTIONS" "$DURATION" "$WARMUP"
    [ "$PG_OK" = 1 ] || printf -- '- PostgreSQL import %s\n' "$PG_WHY"
    printf -- '- RSS Hatchery: peak resident set of `hatchery report` (c); RSS DuckDB: of the Python process running DuckDB (d); RSS import: of `hatchery import` into SQLite (a); RSS server: `hatchery serve` after the load test (VmHWM)\n'
    printf '\n| %s |\n' "${HEADER//|/ | }"
    printf '|%s\n' "$(printf -- '---|%.0s' $(seq 1 15))"
    for row in "${ROWS[@]}"; do printf '| %s |\n' "${row//|/ | }"; done
} >"$RESULTS"
note "written to $RESULTS"

if [ "${#MISMATCH[@]}" -gt 0 ]; then
    printf '\n!!! Hatchery and DuckDB disagree for size(s): %s — see %s\n' "${MISMATCH[*]}" "$TARGET/bench-mismatch" >&2
    exit 1
fi
