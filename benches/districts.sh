#!/usr/bin/env bash
# District filter benchmark: a district's listing (the newest 50, as `GET /api/v1/stakeholders
# ?district=`) and its whole export (every record of the district in id order, as the export's
# keyset pages read it) for a registry of 100,000 stakeholders spread over the seeded districts,
# each serving its own district and the next one. Before and after, side by side in one run on
# one database: "before" is the SQL of the release before migration 0012 (`district = $1 OR
# districts_served LIKE '%"code"%'`, statuses as `LIKE` over a joined string), "after" the SQL
# of this one (`id IN (…)` over the district indexes and `stakeholder_districts`, `status IN
# (…)`). Each query runs RUNS times (default 5); the median is shown. Then the same listing and
# export over HTTP from the server (after only: the release before cannot open the database).
#
# Usage: cargo build --release && benches/districts.sh [COUNT]   (default 100000)
# SANGAM_BIN overrides the binary; BACKENDS="sqlite postgres" (postgres needs
# SANGAM_BENCH_POSTGRES_URL, an admin URL such as postgres://sangam:sangam@127.0.0.1:5432/sangam_test).
# Progress goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

n=${1:-100000}
runs=${RUNS:-5}
bin=${SANGAM_BIN:-${CARGO_TARGET_DIR:-target}/release/sangam}
[ -x "$bin" ] || { echo "build first: cargo build --release (looked for $bin)" >&2; exit 1; }
pg_admin=${SANGAM_BENCH_POSTGRES_URL:-}
default_backends=sqlite
[ -n "$pg_admin" ] && default_backends="sqlite postgres"
read -r -a backends <<<"${BACKENDS:-$default_backends}"

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
stop_server() { kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=; }

# Stakeholder n lives in district n mod D of the seeded districts (in code order) and serves it
# and the next one; the rows are written straight in, with their join rows as 0012 backfills them.
rows_sql() {
    local backend=$1 seq from id backfill
    if [ "$backend" = sqlite ]; then
        seq="WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < $n),
             d AS (SELECT code, ROW_NUMBER() OVER (ORDER BY code) - 1 AS i FROM districts),
             dc AS (SELECT COUNT(*) AS c FROM districts)"
        from="FROM seq, dc, d AS home, d AS next
              WHERE home.i = seq.n % dc.c AND next.i = (seq.n + 1) % dc.c"
        id="printf('st_bench%024d', seq.n)"
        backfill="SELECT DISTINCT s.id, j.value FROM stakeholders s, json_each(s.districts_served) j"
    else
        seq="WITH d AS (SELECT code, ROW_NUMBER() OVER (ORDER BY code) - 1 AS i FROM districts),
             dc AS (SELECT COUNT(*) AS c FROM districts)"
        from="FROM generate_series(1, $n) AS seq(n), dc, d AS home, d AS next
              WHERE home.i = seq.n % dc.c AND next.i = (seq.n + 1) % dc.c"
        id="'st_bench' || lpad(seq.n::text, 24, '0')"
        backfill="SELECT DISTINCT s.id, j.value
                  FROM stakeholders s, json_array_elements_text(s.districts_served::json) AS j(value)"
    fi
    cat <<SQL
INSERT INTO stakeholders (id, kind, name, name_key, name_local, district, districts_served,
  description, contact_person, contact_phone, profile, possible_duplicates,
  status, created_via, created_by, created_at, updated_at, demo)
$seq
SELECT $id, 'micro_entrepreneur', 'Sunita Devi ' || seq.n, 'sunita devi ' || seq.n,
  'सुनीता देवी ' || seq.n, home.code, '["' || home.code || '","' || next.code || '"]',
  'Runs a tailoring unit from home; wants two more sewing machines. सिलाई का काम, ' || seq.n,
  'Sunita Devi', '+9198' || seq.n,
  '{"gender":"female","age":31,"social_category":"SC","shg_member":true,"sector":"tailoring","stage":"early","block":"Chhanbey"}',
  '[]', CASE WHEN seq.n % 10 = 0 THEN 'pending' ELSE 'active' END, 'import', 'benchmark',
  '2026-12-01T10:00:00.000Z', '2026-12-01T10:00:00.000Z', 0
$from;
INSERT INTO stakeholder_districts (stakeholder_id, district)
$backfill;
ANALYZE stakeholders;
ANALYZE stakeholder_districts;
SQL
}

columns="id, kind, name, name_local, district, districts_served, description, contact_person,
  contact_phone, contact_email, profile, possible_duplicates, status, created_via, created_by,
  created_at, updated_at, version, updated_by, demo, consent_notice_version, consent_language,
  consent_given_at"

# The four queries for district $1: name|sql
queries() {
    local d=$1 cols
    cols=$(echo $columns)   # one line: one query a line
    cat <<SQL
listing, before|SELECT $cols FROM stakeholders WHERE ('$d' IS NULL OR district = '$d' OR districts_served LIKE '%"$d"%') AND (NULL IS NULL) AND (NULL IS NULL) AND ',active,' LIKE '%,' || status || ',%' ORDER BY id DESC LIMIT 50 OFFSET 0
listing, after|SELECT $cols FROM stakeholders WHERE id IN (SELECT id FROM stakeholders WHERE district = '$d' UNION SELECT stakeholder_id FROM stakeholder_districts WHERE district = '$d') AND status IN ('active') ORDER BY id DESC LIMIT 50 OFFSET 0
export, before|SELECT $cols FROM stakeholders WHERE ('$d' IS NULL OR district = '$d' OR districts_served LIKE '%"$d"%') AND (NULL IS NULL) AND ',active,pending,archived,' LIKE '%,' || status || ',%' AND id > '' ORDER BY id
export, after|SELECT $cols FROM stakeholders WHERE id IN (SELECT id FROM stakeholders WHERE district = '$d' UNION SELECT stakeholder_id FROM stakeholder_districts WHERE district = '$d') AND status IN ('pending', 'active', 'archived') AND id > '' ORDER BY id
SQL
}

printf '%-8s | %-16s | %-28s | %10s | %6s\n' backend query "how" "median ms" rows
printf -- '---------|------------------|------------------------------|------------|-------\n'
for backend in "${backends[@]}"; do
    dir=$(mktemp -d)
    unset DATABASE_URL
    if [ "$backend" = postgres ]; then
        pg_db="sangam_bench_districts_$$"
        psql -q "$pg_admin" -c "CREATE DATABASE $pg_db" >/dev/null
        export DATABASE_URL="${pg_admin%/*}/$pg_db"
    fi
    say "$backend: schema and empty index"
    "$bin" seed --data-dir "$dir" >/dev/null
    start_server; stop_server
    say "$backend: writing $n stakeholders"
    if [ "$backend" = sqlite ]; then
        rows_sql sqlite | sqlite3 "$dir/sangam.db"
    else
        rows_sql postgres | psql -q -v ON_ERROR_STOP=1 "$DATABASE_URL" >/dev/null
    fi
    district=up-mirzapur
    say "$backend: SQL before and after, $runs runs each"
    queries "$district" >"$dir/queries.txt"
    python3 - "$backend" "$runs" "$dir/sangam.db" "${DATABASE_URL:-}" "$dir/queries.txt" <<'PY'
import re, sqlite3, statistics, subprocess, sys, time
backend, runs, path, url = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
for line in open(sys.argv[5], encoding="utf-8"):
    name, sql = line.rstrip("\n").split("|", 1)
    times, rows = [], 0
    for _ in range(runs):
        if backend == "sqlite":
            db = sqlite3.connect(path)
            start = time.perf_counter()
            rows = len(db.execute(sql).fetchall())
            times.append((time.perf_counter() - start) * 1000)
            db.close()
        else:
            out = subprocess.run(["psql", "-X", "-q", url, "-c", "\\timing on", "-c",
                                  f"SELECT COUNT(*) FROM ({sql}) AS q", "-c", "\\o /dev/null", "-c", sql],
                                 capture_output=True, text=True, check=True).stdout
            rows = int(re.findall(r"^\s*(\d+)\s*$", out, re.M)[0])
            times.append(float(re.findall(r"Time: ([\d.]+) ms", out)[-1]))
    print(f"{backend:<8} | {name:<16} | {'SQL, same database':<28} | {statistics.median(times):10.1f} | {rows:6}")
    sys.stdout.flush()
PY
    say "$backend: over HTTP (this release)"
    token=$("$bin" token create --role admin --name bench --data-dir "$dir" | tail -n 1)
    build="release build"
    [[ "$bin" == */release/* ]] || build="$(basename "$(dirname "$bin")") build"
    start_server
    for what in "listing|/api/v1/stakeholders?district=$district&limit=50" \
                "export|/api/v1/export/stakeholders.csv?district=$district&status=all"; do
        name=${what%%|*}; path=${what#*|}
        python3 - "$backend" "$name" "$runs" "http://127.0.0.1:$port$path" "$token" "$build" <<'PY'
import statistics, sys, time, urllib.request
backend, name, runs, url, token, build = sys.argv[1:7]
runs = int(runs)
times = []
for _ in range(runs):
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    start = time.perf_counter()
    body = urllib.request.urlopen(request).read()
    times.append((time.perf_counter() - start) * 1000)
rows = body.count(b'"id":"st_') if name == "listing" else body.count(b"\n") - 1
print(f"{backend:<8} | {name + ', after':<16} | {'HTTP, ' + build:<28} | {statistics.median(times):10.1f} | {rows:6}")
PY
    done
    stop_server
    rm -rf "$dir"; dir=
    if [ -n "$pg_db" ]; then psql -q "$pg_admin" -c "DROP DATABASE IF EXISTS $pg_db" >/dev/null; pg_db=; fi
done
