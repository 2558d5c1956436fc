#!/usr/bin/env bash
# Soak test of `hatchery serve` — see docs/PERFORMANCE.md ("Soak").
#
#   bench/soak.sh [--duration SECONDS] [--engine sqlite|postgres] [-- HATCHERY-SOAK ARGS…]
#
# Builds the release binaries, makes a demo store (`hatchery demo`) with a
# ministry administrator, serves it on a free loopback port, and runs
# `hatchery-soak` against it: every role at once (enterprises declare, the
# city reviews, the province recommends, the ministry accepts, the
# administrator imports with Idempotency-Key and re-evaluates the pool,
# readers list and look up), a share of the requests abandoned by their
# client at random, for --duration seconds (default 600) after a baseline of
# one reader alone. Then the server is stopped and the run checks:
#   - no 5xx answer and no transport error (hatchery-soak);
#   - the store holds exactly what was acknowledged: every import once,
#     whole, and no declaration behind its last acknowledged step
#     (hatchery-soak, after sending each abandoned import again);
#   - `hatchery audit verify` passes;
#   - SQLite: `PRAGMA integrity_check` and `foreign_key_check` are clean;
#   - the server logged no panic.
# The figures go to standard output and to target/soak-results.md.
#
# Settings (environment):
#   PG_URL=postgres://postgres@127.0.0.1:5432/postgres   for --engine postgres
#   SKIP_BUILD=1     use the binaries already built
#   PROFILE=release  the cargo profile to build and run (`dev` reuses a test
#                    build: this workspace's dev profile is optimised)
#   KEEP_WORK=1      keep the run folder (store, logs)
#   CARGO_TARGET_DIR as for cargo (default: target/)
#
# Exit status: 0 when every check passed; 1 when one failed; 2 on other errors.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

DURATION=600
ENGINE=sqlite
EXTRA=()
while [ "$#" -gt 0 ]; do
    case $1 in
        --duration) DURATION=$2; shift 2 ;;
        --engine) ENGINE=$2; shift 2 ;;
        --) shift; EXTRA=("$@"); break ;;
        *) echo "usage: $0 [--duration SECONDS] [--engine sqlite|postgres] [-- HATCHERY-SOAK ARGS…]" >&2; exit 2 ;;
    esac
done
case $ENGINE in sqlite|postgres) ;; *) echo "--engine is sqlite or postgres" >&2; exit 2 ;; esac

PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
SKIP_BUILD=${SKIP_BUILD:-0}
KEEP_WORK=${KEEP_WORK:-0}
PROFILE=${PROFILE:-release}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
case $PROFILE in dev) BIN=$TARGET/debug ;; *) BIN=$TARGET/$PROFILE ;; esac
HATCHERY=$BIN/hatchery
SOAK=$BIN/hatchery-soak

say() { printf '\n== %s\n' "$*" >&2; }
note() { printf '   %s\n' "$*" >&2; }
die() { printf 'soak: %s\n' "$*" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/hatchery-soak.XXXXXX")
SERVER_PID=""
PG_DB=""
cleanup() {
    local status=$?
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [ -n "$PG_DB" ]; then dropdb --if-exists --maintenance-db="$PG_URL" "$PG_DB" || true; fi
    if [ "$KEEP_WORK" = 1 ]; then note "run folder kept: $WORK"; else rm -rf "$WORK"; fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$SKIP_BUILD" = 1 ]; then
    say "using the release binaries already built (SKIP_BUILD=1)"
else
    say "building the binaries (hatchery, hatchery-soak; profile $PROFILE)"
    cargo build --profile "$PROFILE" -p hatchery-cli -p hatchery-bench --bin hatchery --bin hatchery-soak
fi
[ -x "$HATCHERY" ] && [ -x "$SOAK" ] || die "binaries missing in $BIN: run without SKIP_BUILD=1"

case $ENGINE in
    sqlite) DB="sqlite://$WORK/soak.db" ;;
    postgres)
        PG_DB="hatchery_soak_$$"
        createdb --maintenance-db="$PG_URL" "$PG_DB" || die "cannot create a database at $PG_URL"
        DB="${PG_URL%/*}/$PG_DB"
        ;;
esac

say "a demo store ($ENGINE) and its administrator"
"$HATCHERY" --db "$DB" demo --no-serve >"$WORK/demo.log" 2>&1 || { tail -n 20 "$WORK/demo.log" >&2; die "hatchery demo failed"; }
PASSWORD=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')
HATCHERY_PASSWORD=$PASSWORD "$HATCHERY" --db "$DB" admin create-user \
    --username soak.admin --display-name soak.admin --role ministry_admin --jurisdiction CN \
    >"$WORK/user.log" 2>&1 || { cat "$WORK/user.log" >&2; die "cannot create the administrator"; }

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
HATCHERY_COOKIE_SECURE=false HATCHERY_LOG=warn "$HATCHERY" --db "$DB" serve --listen "127.0.0.1:$PORT" \
    >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
ready=0
for _ in $(seq 1 240); do
    if curl -fsS "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1; then ready=1; break; fi
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.5
done
[ "$ready" = 1 ] || { tail -n 20 "$WORK/serve.log" >&2; die "the server did not become ready"; }
note "serving on 127.0.0.1:$PORT"

say "soaking for $DURATION s"
failed=0
HATCHERY_PASSWORD=$PASSWORD "$SOAK" --url "http://127.0.0.1:$PORT" --admin soak.admin \
    --duration "$DURATION" "${EXTRA[@]}" | tee "$WORK/soak.txt" || failed=1

# Readiness right after the soak, then a clean stop.
curl -fsS "http://127.0.0.1:$PORT/health/ready" >/dev/null || { note "not ready after the soak"; failed=1; }
kill -TERM "$SERVER_PID"
wait "$SERVER_PID" || { note "the server exited with $?"; failed=1; }
SERVER_PID=""

say "checks"
if "$HATCHERY" --db "$DB" audit verify >"$WORK/audit.log" 2>&1; then
    note "audit verify: $(tail -n 1 "$WORK/audit.log")"
else
    cat "$WORK/audit.log" >&2; failed=1
fi
if [ "$ENGINE" = sqlite ]; then
    if python3 - "$WORK/soak.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
integrity = db.execute("PRAGMA integrity_check").fetchall()
foreign = db.execute("PRAGMA foreign_key_check").fetchall()
print(f"   integrity_check: {integrity[0][0]}; foreign_key_check: {len(foreign)} rows", file=sys.stderr)
sys.exit(0 if integrity == [("ok",)] and not foreign else 1)
PY
    then :; else failed=1; fi
fi
if grep -q "panicked" "$WORK/serve.log"; then note "the server panicked:"; grep -m 5 "panicked" "$WORK/serve.log" >&2; failed=1; fi
# The log is coloured when it can be: count on the text without the colours.
sed 's/\x1b\[[0-9;]*m//g' "$WORK/serve.log" >"$WORK/serve.plain.log"
errors=$(grep -c ' ERROR ' "$WORK/serve.plain.log" || true)
warnings=$(grep -c ' WARN ' "$WORK/serve.plain.log" || true)
note "server log: $errors ERROR lines, $warnings WARN lines"
if [ "$errors" != 0 ]; then grep -m 5 ' ERROR ' "$WORK/serve.plain.log" >&2; failed=1; fi

mkdir -p "$TARGET"
{
    echo "# Soak ($ENGINE, $DURATION s, profile $PROFILE, $(date -u +%FT%TZ), $(nproc) cores)"
    grep -v '^soak requests=' "$WORK/soak.txt" || true
    echo
    tail -n 1 "$WORK/soak.txt"
} >"$TARGET/soak-results.md"
note "figures written to $TARGET/soak-results.md"
if [ "$failed" = 0 ]; then say "soak passed"; else say "soak FAILED"; fi
exit "$failed"
