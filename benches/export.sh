#!/usr/bin/env bash
# Export benchmark: time and peak memory of `GET /api/v1/export/stakeholders.csv` (streamed page
# by page) for registries of 100,000 and 500,000 stakeholders, beside sqlite3's own CSV export of
# the same table from the same database file, in the same run.
#
# Usage: cargo build --release && benches/export.sh [COUNT...]   (default: 100000 500000)
# SANGAM_BIN overrides the binary (default target/release/sangam, or $CARGO_TARGET_DIR's).
#
# Rows are written straight into SQLite with a recursive CTE (realistic sizes: Devanagari names,
# a description, a phone, a profile), after the server has made its (empty) search index, so
# that starting the server for the measurement indexes nothing and only the export is measured.
# Peak memory is the server's VmHWM (the most resident memory it ever had) read from /proc
# before and after the export; sqlite3's is its maximum resident set from getrusage.
set -euo pipefail
cd "$(dirname "$0")/.."

counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(100000 500000)
bin=${SANGAM_BIN:-${CARGO_TARGET_DIR:-target}/release/sangam}
[ -x "$bin" ] || { echo "build first: cargo build --release (looked for $bin)" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "sqlite3 is needed for the peer" >&2; exit 1; }

port=$((20000 + RANDOM % 20000))
server_pid=
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    [ -n "${dir:-}" ] && rm -rf "$dir"
}
trap cleanup EXIT

start_server() {
    "$bin" serve --data-dir "$dir" --bind "127.0.0.1:$port" >"$dir/server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 300); do
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

printf '%-9s | %-34s | %8s | %10s | %9s\n' records "export" seconds "peak MiB" "file MiB"
printf -- '----------|------------------------------------|----------|------------|----------\n'
for n in "${counts[@]}"; do
    dir=$(mktemp -d)
    "$bin" seed --data-dir "$dir" >/dev/null
    start_server   # makes the empty search index
    stop_server
    sqlite3 "$dir/sangam.db" <<SQL
WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < $n)
INSERT INTO stakeholders (id, kind, name, name_key, name_local, district, districts_served,
  description, contact_person, contact_phone, contact_email, profile, possible_duplicates,
  status, created_via, created_by, created_at, updated_at, demo)
SELECT printf('st_bench%024d', n), 'micro_entrepreneur', 'Sunita Devi ' || n, 'sunita devi ' || n,
  'सुनीता देवी ' || n, d, '["' || d || '"]',
  'Runs a tailoring unit from home; wants two more sewing machines. सिलाई का काम, ' || n,
  'Sunita Devi', printf('+9198%08d', n), NULL,
  '{"gender":"female","age":31,"social_category":"SC","shg_member":true,"sector":"tailoring","stage":"early","block":"Chhanbey"}',
  '[]', 'active', 'import', 'benchmark', '2026-12-01T10:00:00.000Z', '2026-12-01T10:00:00.000Z', 0
FROM seq, (SELECT 'up-mirzapur' AS d) ;
SQL
    token=$("$bin" token create --role admin --name bench --data-dir "$dir" | tail -n 1)
    start_server
    before=$(hwm_kib)
    read -r seconds _ < <(measure "$dir/export.csv" curl -fsS -H "Authorization: Bearer $token" \
        "http://127.0.0.1:$port/api/v1/export/stakeholders.csv")
    after=$(hwm_kib)
    rows=$(($(wc -l <"$dir/export.csv") - 1))
    [ "$rows" -eq "$n" ] || { echo "the export has $rows rows, not $n" >&2; exit 1; }
    size=$(du -m "$dir/export.csv" | cut -f1)
    printf '%-9s | %-34s | %8s | %10s | %9s\n' "$n" "Sangam, HTTP, streamed CSV" "$seconds" \
        "$((after / 1024)) (idle $((before / 1024)))" "$size"
    stop_server

    read -r seconds peak < <(measure "$dir/peer.csv" sqlite3 -csv -header "$dir/sangam.db" \
        "SELECT id, kind, name, name_local, district, districts_served, description, contact_person,
                contact_phone, contact_email, profile, status, created_via, created_by, created_at,
                updated_at, demo FROM stakeholders ORDER BY id")
    size=$(du -m "$dir/peer.csv" | cut -f1)
    printf '%-9s | %-34s | %8s | %10s | %9s\n' "$n" "sqlite3 -csv, same table, to a file" "$seconds" \
        "$((peak / 1024))" "$size"
    rm -rf "$dir"; dir=
done
