#!/usr/bin/env bash
# Export benchmark: time and peak memory of `GET /api/v1/export/stakeholders.csv` (streamed page
# by page) and of `…/stakeholders.xlsx` (rows to a temporary file in constant-memory mode, then
# zipped into the response) for registries of 100,000 and 500,000 stakeholders, on SQLite and on
# PostgreSQL, beside the database's own CSV dump of the same table in the same run (sqlite3
# `-csv`; psql `\copy … TO` a file).
#
# Usage: cargo build --release && benches/export.sh [COUNT...]   (default: 100000 500000)
# SANGAM_BIN overrides the binary (default target/release/sangam, or $CARGO_TARGET_DIR's).
# BACKENDS="sqlite postgres" (the default when SANGAM_BENCH_POSTGRES_URL, an admin URL such as
# postgres://sangam:sangam@127.0.0.1:5432/sangam_test, is set; else sqlite); FORMATS="csv xlsx".
#
# Rows are written straight into the database with one INSERT … SELECT (realistic sizes:
# Devanagari names, a description, a phone, a profile), after the server has made its schema and
# (empty) search index, so that starting the server for the measurement indexes nothing and only
# the export is measured. Peak memory is the server's VmHWM (the most resident memory it ever
# had) read from /proc before and after each export, the server restarted before each; the
# peer's is its maximum resident set from getrusage. Progress goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(100000 500000)
bin=${SANGAM_BIN:-${CARGO_TARGET_DIR:-target}/release/sangam}
[ -x "$bin" ] || { echo "build first: cargo build --release (looked for $bin)" >&2; exit 1; }
pg_admin=${SANGAM_BENCH_POSTGRES_URL:-}
default_backends=sqlite
[ -n "$pg_admin" ] && default_backends="sqlite postgres"
read -r -a backends <<<"${BACKENDS:-$default_backends}"
read -r -a formats <<<"${FORMATS:-csv xlsx}"
command -v sqlite3 >/dev/null || { echo "sqlite3 is needed for the peer" >&2; exit 1; }

port=$((20000 + RANDOM % 20000))
server_pid=
pg_db=
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    [ -n "${dir:-}" ] && rm -rf "$dir"
    [ -n "$pg_db" ] && psql -q "$pg_admin" -c "DROP DATABASE IF EXISTS $pg_db" >/dev/null 2>&1 || true
}
trap cleanup EXIT

say() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

start_server() {
    "$bin" serve --data-dir "$dir" --bind "127.0.0.1:$port" --request-timeout 3600 >"$dir/server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 600); do
        curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return
        sleep 0.2
    done
    echo "server did not start:" >&2; cat "$dir/server.log" >&2; exit 1
}

stop_server() {
    kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=
}

hwm_kib() { awk '/^VmHWM/ {print $2}' "/proc/$server_pid/status"; }

# Runs a command with stdout to a file; prints "seconds max_rss_kib".
measure() {
    local out=$1; shift
    python3 - "$out" "$@" <<'PY'
import resource, subprocess, sys, time
out, cmd = sys.argv[1], sys.argv[2:]
start = time.monotonic()
with open(out, "wb") as sink:
    subprocess.run(cmd, stdout=sink, check=True)
elapsed = time.monotonic() - start
print(f"{elapsed:.2f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}")
PY
}

# The INSERT … SELECT of $1 stakeholders, in the backend's dialect ($2).
rows_sql() {
    local n=$1 backend=$2 seq id phone
    if [ "$backend" = sqlite ]; then
        seq="WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < $n)"
        id="printf('st_bench%024d', n)"; phone="printf('+9198%08d', n)"
    else
        seq=""
        id="'st_bench' || lpad(n::text, 24, '0')"; phone="'+9198' || lpad(n::text, 8, '0')"
    fi
    local from="FROM seq"
    [ "$backend" = postgres ] && from="FROM generate_series(1, $n) AS seq(n)"
    cat <<SQL
$seq
INSERT INTO stakeholders (id, kind, name, name_key, name_local, district, districts_served,
  description, contact_person, contact_phone, contact_email, profile, possible_duplicates,
  status, created_via, created_by, created_at, updated_at, demo)
SELECT $id, 'micro_entrepreneur', 'Sunita Devi ' || n, 'sunita devi ' || n,
  'सुनीता देवी ' || n, 'up-mirzapur', '["up-mirzapur"]',
  'Runs a tailoring unit from home; wants two more sewing machines. सिलाई का काम, ' || n,
  'Sunita Devi', $phone, NULL,
  '{"gender":"female","age":31,"social_category":"SC","shg_member":true,"sector":"tailoring","stage":"early","block":"Chhanbey"}',
  '[]', 'active', 'import', 'benchmark', '2026-12-01T10:00:00.000Z', '2026-12-01T10:00:00.000Z', 0
$from;
INSERT INTO stakeholder_districts (stakeholder_id, district)
SELECT id, district FROM stakeholders WHERE id LIKE 'st\\_bench%' ESCAPE '\\';
SQL
}

columns="id, kind, name, name_local, district, districts_served, description, contact_person,
         contact_phone, contact_email, profile, status, created_via, created_by, created_at,
         updated_at, demo"

printf '%-8s | %-9s | %-40s | %8s | %16s | %9s\n' backend records "export" seconds "peak MiB" "file MiB"
printf -- '---------|-----------|------------------------------------------|----------|------------------|----------\n'
for backend in "${backends[@]}"; do
    for n in "${counts[@]}"; do
        dir=$(mktemp -d)
        unset DATABASE_URL
        if [ "$backend" = postgres ]; then
            pg_db="sangam_bench_$$_$n"
            psql -q "$pg_admin" -c "CREATE DATABASE $pg_db" >/dev/null
            export DATABASE_URL="${pg_admin%/*}/$pg_db"
        fi
        say "$backend, $n records: schema and empty index"
        "$bin" seed --data-dir "$dir" >/dev/null
        start_server   # makes the empty search index
        stop_server
        say "$backend, $n records: writing the rows"
        if [ "$backend" = sqlite ]; then
            rows_sql "$n" sqlite | sqlite3 "$dir/sangam.db"
        else
            rows_sql "$n" postgres | psql -q -v ON_ERROR_STOP=1 "$DATABASE_URL" >/dev/null
        fi
        token=$("$bin" token create --role admin --name bench --data-dir "$dir" | tail -n 1)
        for format in "${formats[@]}"; do
            say "$backend, $n records: $format export over HTTP"
            start_server
            before=$(hwm_kib)
            read -r seconds _ < <(measure "$dir/export.$format" curl -fsS -H "Authorization: Bearer $token" \
                "http://127.0.0.1:$port/api/v1/export/stakeholders.$format")
            after=$(hwm_kib)
            if [ "$format" = csv ]; then
                rows=$(($(wc -l <"$dir/export.csv") - 1))
            else
                rows=$(python3 - "$dir/export.xlsx" <<'PY'
import re, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as book, book.open("xl/worksheets/sheet1.xml") as sheet:
    count, tail = 0, b""
    for chunk in iter(lambda: sheet.read(1 << 20), b""):
        count += (tail + chunk).count(b"<row ")
        tail = chunk[-4:]  # a "<row " cut by the chunk's end is counted with the next chunk
print(count - 1)
PY
)
            fi
            [ "$rows" -eq "$n" ] || { echo "the $format export has $rows rows, not $n" >&2; exit 1; }
            size=$(du -m "$dir/export.$format" | cut -f1)
            printf '%-8s | %-9s | %-40s | %8s | %16s | %9s\n' "$backend" "$n" "Sangam, HTTP, $format" "$seconds" \
                "$((after / 1024)) (idle $((before / 1024)))" "$size"
            stop_server
            rm -f "$dir/export.$format"
        done

        say "$backend, $n records: the database's own CSV dump"
        if [ "$backend" = sqlite ]; then
            read -r seconds peak < <(measure "$dir/peer.csv" sqlite3 -csv -header "$dir/sangam.db" \
                "SELECT $columns FROM stakeholders ORDER BY id")
            peer="sqlite3 -csv, same table, to a file"
        else
            read -r seconds peak < <(measure "$dir/peer.csv" psql -q "$DATABASE_URL" -c \
                "\\copy (SELECT $(echo $columns) FROM stakeholders ORDER BY id) TO STDOUT WITH CSV HEADER")
            peer="psql \\copy, same table, to a file"
        fi
        size=$(du -m "$dir/peer.csv" | cut -f1)
        printf '%-8s | %-9s | %-40s | %8s | %16s | %9s\n' "$backend" "$n" "$peer" "$seconds" \
            "$((peak / 1024))" "$size"
        rm -rf "$dir"; dir=
        if [ -n "$pg_db" ]; then
            psql -q "$pg_admin" -c "DROP DATABASE IF EXISTS $pg_db" >/dev/null; pg_db=
        fi
    done
done
